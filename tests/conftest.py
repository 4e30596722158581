"""Test-wide settings: one BLAS thread, as the sfc command line sets it, so that in-process measurements
behave as the command's; set before any test module imports numpy (sfc_cli.cli does not import it)."""

import os

from sfc_cli.cli import BLAS_THREADS

for variable in BLAS_THREADS:
    os.environ.setdefault(variable, "1")
