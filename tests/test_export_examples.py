"""The examples/ work as documented: the C image program, the Verilog testbench and the Python script."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from .export_support import REPO, tool

SFC = f"{sys.executable} -m sfc_cli"


def make(directory: str, build, *args: str) -> subprocess.CompletedProcess[str]:
    """Run make in examples/<directory> with sfc from this checkout and the build in a temporary dir."""
    tool("make")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = ["make", "-s", "-C", str(REPO / "examples" / directory), f"SFC={SFC}", f"BUILD={build}", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.parametrize(
    ("algo", "products"), [("--tile 6 --kernel 3", 88), ("--algo winograd --tile 4", 36), ("--tile 6 --kernel 5", 184)]
)
def test_c_example_convolves_the_photograph_exactly(tmp_path, algo, products):
    tool("gcc")
    run = make("c", tmp_path, "run", "CC=gcc", f"ALGO={algo}")
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"({products} per tile)" in run.stdout
    assert re.search(r"^exact: 0 of \d+ outputs differ from direct convolution$", run.stdout, re.M), run.stdout


def test_verilog_example_passes_its_testbench_and_lint(tmp_path):
    tool("iverilog")
    tool("verilator")
    run = make("verilog", tmp_path, "run", "lint")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS: 64 tiles, 36 outputs each, exact" in run.stdout


@pytest.mark.parametrize(
    ("algo", "outputs", "pipeline"),
    [
        ("--fractions-in A", 36, 0),
        ("--algo winograd --tile 4 --fractions-in B", 16, 1),
        ("--tile 6 --kernel 5", 36, 0),
        ("--tile 6 --kernel 3", 36, 2),
    ],
)
def test_verilog_example_takes_a_tile_count_pipelines_and_fractions_outside_g(tmp_path, algo, outputs, pipeline):
    tool("iverilog")
    run = make("verilog", tmp_path, "run", f"ALGO={algo}", "TILES=8", f"PIPELINE={pipeline}")
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"PASS: 8 tiles, {outputs} outputs each, exact" in run.stdout


def python_example(tmp_path, *algo: str) -> float:
    path = tmp_path / "algorithm.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([*SFC.split(), "export", "--format", "json", *algo, "-o", str(path)], check=True, env=env)
    script = REPO / "examples" / "python" / "quantized_conv.py"
    run = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    return float(run.stdout.rsplit(":", 1)[1])


def test_python_example_runs_a_quantized_convolution(tmp_path):
    sfc_error = python_example(tmp_path)
    winograd_error = python_example(tmp_path, "--algo", "winograd", "--tile", "6")
    assert 0 < sfc_error < 0.02  # 8-bit transform-domain operands
    assert winograd_error > 3 * sfc_error  # F(6x6,3x3) loses much more, as the paper reports


def test_the_source_checkout_recipe_works_from_the_repository_root(tmp_path):
    """examples/README.md's command for a checkout without installing, run as written from the root."""
    text = (REPO / "examples" / "README.md").read_text()
    (line,) = [line for line in text.splitlines() if line.startswith('PYTHONPATH="$PWD" make -C examples/c run')]
    command = line.replace("python3", sys.executable) + f" BUILD={tmp_path}"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    run = subprocess.run(["bash", "-c", command], cwd=REPO, capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "exact: 0 of 18648 outputs differ" in run.stdout
