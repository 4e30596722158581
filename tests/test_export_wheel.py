"""Every module, the templates, the schema and the docs ship inside a real wheel, and `sfc export` works
from it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

from .export_support import REPO, exported


def test_wheel_ships_templates_and_exports_from_another_directory(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for name in ("sfc", "sfc_cli", "templates", "docs"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    build = [*pip, "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("sfc-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ("algorithm.h.j2", "algorithm.v.j2", "algorithm.json.j2", "layer.mlir.j2", "algorithm.tex.j2"):
        assert f"sfc_cli/templates/{template}" in names
    assert "sfc_cli/export/sfc-algorithm.schema.json" in names
    assert {"sfc_cli/docs/design.md", "sfc_cli/docs/error-model.md"} <= names
    modules = {path.relative_to(REPO).as_posix() for top in ("sfc", "sfc_cli") for path in (REPO / top).rglob("*.py")}
    assert modules <= names, sorted(modules - names)  # every package is listed in pyproject.toml

    site = tmp_path / "site"
    install = [*pip, "install", "--no-deps", "-q", "--target", str(site), str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run(
        [sys.executable, "-m", "sfc_cli", "export", "--format", "verilog", "--tile", "4", "-o", "out.v"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import sfc_cli.export.render as r; print(r.bundled_templates())"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.strip() == str(site / "sfc_cli" / "templates")
    assert (elsewhere / "out.v").read_text() == exported("SFC-4(4x4,3x3)", "verilog", "sfc4_4x4_3x3")
    shown = subprocess.run(
        [sys.executable, "-c", "from sfc_cli.commands.docs import document_text; print(document_text('error-model'))"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert shown.stdout.startswith((REPO / "docs" / "error-model.md").read_text()[:200])
