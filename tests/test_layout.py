"""The package layout: library layers know nothing of the command line, and no two modules import each other.

Imports are read from the source (every ``import`` statement, lazy ones and TYPE_CHECKING ones included), so a
cycle hidden in a function body counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sfc_cli"
LIBRARY = ("algebra", "families", "analysis", "export", "search", "layers", "models")
"""The library layers: everything but the command line (``commands``, ``cli``)."""
CLI_ONLY = ("typer", "rich", "sfc_cli.commands", "sfc_cli.cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Absolute names of what a module imports (``from . import x`` counts as the package and its x)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {
    name: {other for other in imports(path) if other in MODULES and other != name} for name, path in MODULES.items()
}


def test_the_command_line_is_a_package_of_one_module_per_command() -> None:
    assert {"sfc_cli.commands.derive", "sfc_cli.commands.export", "sfc_cli.commands.error_report"} <= set(MODULES)
    assert {"sfc_cli.commands.search", "sfc_cli.commands.docs", "sfc_cli.commands.common"} <= set(MODULES)
    loose = {"options", "display", "report_options", "report_display", "report_plot", "search_options"}
    assert not {f"sfc_cli.{name}" for name in loose | {"search_display", "documents"}} & set(MODULES)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.split(".")[1:2] and n.split(".")[1] in LIBRARY))
def test_library_layers_do_not_import_the_command_line(name: str) -> None:
    offending = {i for i in imports(MODULES[name]) if any(i == c or i.startswith(c + ".") for c in CLI_ONLY)}
    assert not offending, f"{name} imports {sorted(offending)}"


def test_no_import_cycles() -> None:
    """Depth-first search for a back edge; the first cycle found is named in the failure."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for other in sorted(GRAPH[node]):
            if state.get(other) == 1:
                return [*stack[stack.index(other) :], other]
            if other not in state and (cycle := visit(other)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(GRAPH):
        if start not in state and (cycle := visit(start)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_the_command_line_starts_without_numpy() -> None:
    """Registering every command (what ``sfc --help`` pays) imports no numpy, onnx, sympy or matplotlib."""
    import subprocess
    import sys

    heavy = ("numpy", "onnx", "onnxruntime", "sympy", "matplotlib")
    code = f"import sys, sfc_cli.cli; print([m for m in {heavy!r} if m in sys.modules])"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"
