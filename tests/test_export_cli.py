"""`sfc export` as a user runs it: files, stdout, determinism, atomic writes, templates and errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sfc_cli import files
from sfc_cli.errors import InputError
from sfc_cli.export.content import ExportRequest
from sfc_cli.export.naming import check_prefix, default_prefix
from sfc_cli.export.render import render
from sfc_cli.request import AlgorithmRequest, build_algorithm

from .export_support import REPO, exported
from .helpers import one_error_line, run_sfc


@pytest.mark.parametrize("output_format", ["c", "verilog", "json"])
def test_file_and_stdout_are_the_same_bytes_on_every_run(tmp_path, output_format):
    target = tmp_path / "out.txt"
    first = run_sfc("export", "--format", output_format, "--tile", "4", "-o", str(target))
    assert first.code == 0 and first.stdout == "" and first.stderr.startswith(f"sfc: wrote {target} (")
    again = run_sfc("export", "--format", output_format, "--tile", "4")
    assert again.code == 0
    assert (
        target.read_bytes()
        == again.stdout.encode()
        == exported("SFC-4(4x4,3x3)", output_format, "sfc4_4x4_3x3").encode()
    )
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]  # no temporary file left behind


def test_default_is_sfc6_c_header_and_comment_states_the_command():
    run = run_sfc("export")
    assert run.code == 0
    assert "#define SFC6_6X6_3X3_PRODUCTS_2D 88 " in run.stdout
    command = (
        " * Command: sfc export --format c --algo sfc --tile 6 --kernel 3 --dft 6 --corrections 1,1 --dims 2 "
        "--fractions-in G --name sfc6_6x6_3x3\n"
    )
    assert command in run.stdout


def test_name_and_width_reach_the_verilog():
    run = run_sfc("export", "--format", "verilog", "--tile", "4", "--name", "conv4", "--width", "12")
    assert run.code == 0
    assert "package conv4_pkg;" in run.stdout and "module conv4_input_transform_2d #(" in run.stdout
    assert "parameter integer IN_W = 12" in run.stdout and "--name conv4 --width 12\n" in run.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "2fast"], "not a valid identifier"),
        (["--name", "my-conv"], "not a valid identifier"),
        (["--name", "module"], "reserved word"),
        (["--name", "class"], "reserved word"),
        (["--name", "x" * 41], "longer than 40"),
        (["--format", "vhdl"], "Invalid value for '--format'"),
        (["--width", "8"], "--width applies to --format verilog"),
        (["--format", "verilog", "--width", "1"], "--width must be between 2"),
        (["--tile", "0"], "tile must be at least 1"),
        (["--template-dir", "/nonexistent/templates"], "is not a directory"),
        (["-o", "/nonexistent/dir/out.h"], "cannot write /nonexistent/dir/out.h"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(args, message):
    assert message in one_error_line(run_sfc("export", "--tile", "4", *args))


def test_writing_over_a_directory_fails_cleanly(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()
    assert one_error_line(run_sfc("export", "--tile", "4", "-o", str(target))).endswith(": it is a directory")
    assert sorted(os.listdir(tmp_path)) == ["taken"] and not os.listdir(target)


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "kept.h"
    target.write_text("old contents\n")

    def refuse(src: str, dst: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(InputError, match=r"cannot write .*kept\.h: No space left on device"):
        files.write_output(str(target), "new contents\n")
    assert target.read_text() == "old contents\n" and sorted(os.listdir(tmp_path)) == ["kept.h"]


def test_atomic_write_keeps_permissions_of_an_existing_file(tmp_path):
    target = tmp_path / "shared.h"
    target.write_text("old\n")
    target.chmod(0o640)
    assert files.write_output(str(target), "new\n") == 4
    assert target.read_text() == "new\n" and (target.stat().st_mode & 0o777) == 0o640


def test_template_dir_overrides_one_template(tmp_path):
    (tmp_path / "algorithm.json.j2").write_text(
        '{"name": "{{ document.name }}", "k2": {{ document["2d"].products }}}\n'
    )
    run = run_sfc("export", "--format", "json", "--template-dir", str(tmp_path))
    assert run.code == 0 and run.stdout == '{"name": "SFC-6(6x6,3x3)", "k2": 88}\n'
    c = run_sfc("export", "--tile", "4", "--template-dir", str(tmp_path))  # C still comes from the bundle
    assert c.code == 0 and c.stdout == exported("SFC-4(4x4,3x3)", "c", "sfc4_4x4_3x3")


def test_broken_user_template_is_one_line(tmp_path):
    (tmp_path / "algorithm.h.j2").write_text("{% for x in %}\n")
    assert "algorithm.h.j2 line 1: Expected an expression" in one_error_line(
        run_sfc("export", "--template-dir", str(tmp_path))
    )
    (tmp_path / "algorithm.h.j2").write_text("{{ no_such_value }}\n")
    assert "'no_such_value' is undefined" in one_error_line(run_sfc("export", "--template-dir", str(tmp_path)))
    (tmp_path / "algorithm.h.j2").write_text("{{ 1 / 0 }}\n")
    assert "ZeroDivisionError" in one_error_line(run_sfc("export", "--template-dir", str(tmp_path)))
    (tmp_path / "algorithm.h.j2").write_bytes(b"\xff\xfe")
    assert "UnicodeDecodeError" in one_error_line(run_sfc("export", "--template-dir", str(tmp_path)))
    (tmp_path / "algorithm.json.j2").write_text("not json\n")
    assert "did not produce valid JSON" in one_error_line(
        run_sfc("export", "--format", "json", "--template-dir", str(tmp_path))
    )


def test_help_has_an_example_and_the_choices():
    run = run_sfc("export", "--help")
    assert run.code == 0 and "Examples: sfc export --format c -o sfc6.h" in " ".join(run.stdout.split())
    assert (
        all(f"{name}," in run.stdout for name in ("c", "verilog", "json", "mlir", "onnx", "npz"))
        and "<sfc|winograd|crt>" in run.stdout
        and "--quiet" in run.stdout
    )


def test_prefixes():
    assert default_prefix("SFC-6(6x6,3x3)") == "sfc6_6x6_3x3"
    assert default_prefix("F(4x4,3x3)") == "f_4x4_3x3"
    assert default_prefix("SFC-4(4,3)") == "sfc4_4_3"
    assert check_prefix("Conv_2d") == "Conv_2d"
    for bad in ("", "_x", "a b", "wire", "int", "namespace", "always_ff", "é"):
        with pytest.raises(InputError):
            check_prefix(bad)


def _guard(request: AlgorithmRequest) -> str:
    """The include guard of the C header exported under the default name."""
    text = render(build_algorithm(request), ExportRequest("c"))
    return next(line.split()[1] for line in text.splitlines() if line.startswith("#ifndef "))


def test_default_names_differ_whenever_the_algorithms_do():
    """Only the family's default of a name (its chosen points or N and corrections, fractions in G) keeps
    the bare name; any other choice appends a stable hash of its options, so headers never collide."""
    variants = [
        AlgorithmRequest("winograd", 4),
        AlgorithmRequest("winograd", 4, points="0,-1,1,1/2,-2,inf"),
        AlgorithmRequest("winograd", 4, fractions_in="B"),
        AlgorithmRequest("crt", 4, moduli="x, x-1, x+1, x^2+1, inf"),
        AlgorithmRequest("crt", 4, moduli="x, x-1, x+1, x^2+x+1, inf"),
        AlgorithmRequest("sfc", 6, dft=6, corrections="0,2"),
        AlgorithmRequest("sfc", 6),
    ]
    guards = [_guard(request) for request in variants]
    assert len(set(guards)) == len(guards)
    assert guards[0] == "F_4X4_3X3_H_INCLUDED" and guards[-1] == "SFC6_6X6_3X3_H_INCLUDED"
    assert re.fullmatch("F_4X4_3X3_[0-9A-F]{8}_H_INCLUDED", guards[1])
    assert _guard(AlgorithmRequest("winograd", 4, points="0,1,-1,2,-2,inf")) == guards[0]


def test_templates_live_at_the_top_level_of_the_repo():
    names = sorted(p.name for p in (REPO / "templates").glob("*.j2"))
    assert names == ["algorithm.h.j2", "algorithm.json.j2", "algorithm.tex.j2", "algorithm.v.j2", "layer.mlir.j2"]
