"""The command line, one module (or small package) per command: its options, its run and its presentation.

Each command module names itself (``NAME``), gives its ``--help`` examples (``EPILOG``) and defines ``command``,
the Typer function; ``sfc_cli.cli`` registers them. Shared pieces sit beside them: ``common`` (option types,
errors, stdout, progress) and ``plotting``. The library layers (algebra, families, analysis, export, search,
layers, models) know nothing of this package.
"""
