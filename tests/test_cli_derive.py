"""`sfc derive` as a user runs it: output, JSON contract, determinism and one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from sfc_cli.errors import InputError
from sfc_cli.families.crt import parse_moduli
from sfc_cli.request import parse_corrections, parse_points

from .helpers import one_error_line, run_sfc


def test_main_job_shows_what_the_issue_asks():
    run = run_sfc("derive", "--tile", "6", "--kernel", "3")
    assert run.code == 0, run.stderr
    out = run.stdout
    assert "SFC-6(6x6,3x3)" in out and "verified exactly" in out
    assert "N=6, corrections 1 left + 1 right (chosen" in out
    assert "3.68x" in out and "27.16%" in out  # 2-D reduction and share
    assert "│ 1-D │       10 │" in out and "│ 2-D │       88 │" in out
    assert "2-D symbolic DFT-6: 4 real points" in out and "100" in out  # nested would need 100
    for title in ("AT (output transform, 6x10)", "G (filter transform, 10x3)", "BT (input transform, 10x8)"):
        assert title in out
    assert "1/6" in out and "AT2 36x88, G2 88x9, BT2 88x64" in out


def test_json_contract():
    run = run_sfc("derive", "--format", "json")
    assert run.code == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["format"] == "sfc-algorithm" and data["version"] == 1
    assert data["name"] == "SFC-6(6x6,3x3)" and data["family"] == "sfc"
    assert (data["tile"], data["kernel"], data["input"]) == (6, 3, 8)
    assert data["parameters"] == {"dft": 6, "corrections": [1, 1]}
    assert data["fractions_in"] == "G" and data["verified"] is True
    assert data["convention"].startswith("y = AT @ ((G @ g) * (BT @ d))")
    assert data["1d"]["products"] == 10 and data["2d"]["products"] == 88
    assert len(data["2d"]["AT"]) == 36 and len(data["2d"]["AT"][0]) == 88
    assert len(data["2d"]["BT"]) == 88 and len(data["2d"]["BT"][0]) == 64
    assert data["1d"]["G"][1] == ["1/6", "1/6", "1/6"]


def test_json_winograd_one_dimension():
    run = run_sfc(
        "derive", "--algo", "winograd", "--tile", "2", "--points", "0,1,-1,inf", "--dims", "1", "--format", "json"
    )
    data = json.loads(run.stdout)
    assert data["name"] == "F(2,3)" and "2d" not in data
    assert data["parameters"] == {"points": ["0", "1", "-1", "inf"]}
    assert data["1d"]["BT"] == [
        ["1", "0", "-1", "0"],
        ["0", "1", "1", "0"],
        ["0", "-1", "1", "0"],
        ["0", "-1", "0", "1"],
    ]


def test_points_accept_fractions_and_infinity():
    run = run_sfc("derive", "--algo", "winograd", "--tile", "4", "--points", "0,1,-1,1/2,-2,inf", "--format", "json")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["parameters"]["points"] == ["0", "1", "-1", "1/2", "-2", "inf"]


def test_fractions_in_a():
    data = json.loads(run_sfc("derive", "--fractions-in", "A", "--dims", "1", "--format", "json").stdout)
    assert data["fractions_in"] == "A"
    assert any("/" in x for row in data["1d"]["AT"] for x in row)
    assert not any("/" in x for row in data["1d"]["G"] for x in row)


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_output_is_deterministic(fmt):
    args = ("derive", "--tile", "7", "--kernel", "3", "--format", fmt)
    assert run_sfc(*args).stdout == run_sfc(*args).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tile", "0"], "tile must be at least 1"),
        (["--kernel", "0"], "kernel must be at least 1"),
        (["--dft", "1"], "at least 2"),
        (["--dft", "9"], "larger than the input tile"),
        (["--dft", "6", "--corrections", "1,2"], "must equal"),
        (["--corrections", "-1,3"], "negative"),
        (["--corrections", "8,0"], "leave N = tile + kernel - 1 - left - right = 0"),
        (["--tile", "100000"], "above the supported 16 in 2-D"),
        (["--tile", "100", "--dims", "1"], "above the supported 64 in 1-D"),
        (["--corrections", "1"], "two integers"),
        (["--corrections", "a,b"], "malformed corrections"),
        (["--algo", "winograd", "--points", "0,1,1,inf", "--tile", "2"], "distinct"),
        (["--algo", "winograd", "--points", "0,1,inf", "--tile", "2"], "needs 4 points"),
        (["--algo", "winograd", "--points", "0,1,-1,2,inf", "--tile", "2"], "needs 4 points"),
        (["--algo", "winograd", "--points", "0,1,pi,inf", "--tile", "2"], "not a rational"),
        (["--algo", "winograd", "--points", "1e5000,1,-1,inf", "--tile", "2"], "'1e5000' has too many digits"),
        (["--algo", "winograd", "--points", "1e999999999,1,-1,inf", "--tile", "2"], "has too many digits"),
        (["--algo", "winograd", "--points", "0,1,-1,1234567", "--tile", "2"], "'1234567' has too many digits"),
        (["--algo", "winograd", "--points", "0,1,-1,1/1000000", "--tile", "2"], "'1/1000000' has too many digits"),
        (["--algo", "winograd", "--points", "0,1,1/0,inf", "--tile", "2"], "not a rational"),
        (["--algo", "winograd", "--points", "0,,1,inf", "--tile", "2"], "malformed points"),
        (["--algo", "winograd", "--points", "0,1,inf,inf", "--tile", "2"], "infinity"),
        (["--algo", "winograd", "--dft", "6"], "apply to --algo sfc"),
        (["--points", "0,1,-1,inf"], "applies to --algo winograd"),
        (["--algo", "fft"], "--algo must be sfc, winograd or crt (any case), got 'fft'"),
        (["--format", "xml"], "Invalid value for '--format'"),
        (["--dims", "3"], "dims must be 1 or 2"),
        (["--fractions-in", "X"], "--fractions-in must be G, A or B (any case), got 'X'"),
        (["--tile", "six"], "Invalid value for '--tile'"),
        (["--no-such-option"], "No such option"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    assert message in one_error_line(run_sfc("derive", *args))


def test_help_lists_the_choices():
    run = run_sfc("derive", "--help")
    assert run.code == 0
    assert "<sfc|winograd|crt>" in run.stdout and "<table|json>" in run.stdout and "<G|A|B>" in run.stdout


def test_fractions_in_is_case_insensitive():
    lower = run_sfc("derive", "--fractions-in", "b", "--dims", "1", "--format", "json")
    assert (
        lower.code == 0
        and lower.stdout == run_sfc("derive", "--fractions-in", "B", "--dims", "1", "--format", "json").stdout
    )


def test_help_has_examples():
    top = run_sfc("--help")
    assert top.code == 0 and "sfc derive --tile 6 --kernel 3" in top.stdout
    sub = run_sfc("derive", "--help")
    assert sub.code == 0 and "Examples:" in sub.stdout and "sfc derive --tile 6 --kernel 3" in sub.stdout


def test_wide_matrices_are_printed_whole():
    """No column is ever cropped: SFC-6(14,3) has a 14 x 30 AT, wider than an 80-column terminal."""
    run = run_sfc("derive", "--tile", "14", "--kernel", "3", "--dims", "1")
    lines = run.stdout.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("AT (output transform, 14x")))
    columns = int(lines[start].split("x")[1].split(")")[0])
    assert all(len(row.split()) == columns for row in lines[start + 1 : start + 15])


def test_narrow_terminals_wrap_instead_of_cutting_numbers():
    env = {**os.environ, "COLUMNS": "60"}
    proc = subprocess.run(
        [sys.executable, "-m", "sfc_cli", "derive", "--tile", "14"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0 and "…" not in proc.stdout and "57.37%" in proc.stdout


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_points, "0,1,\u0663,inf", "point '\u0663' is not a rational"),
        (parse_points, "0,1,1_0,inf", "point '1_0' is not a rational"),
        (parse_corrections, "\uff11,\uff11", "got '\uff11'"),
        (parse_corrections, "1_0,0", "got '1_0'"),
        (parse_moduli, "x, x-\u0663, inf", "uses the character '\u0663'"),
    ],
)
def test_numbers_are_ascii_digits_only(parse, text, message):
    """Python's int and Fraction also read other scripts' digits and underscores: \u0663 was read as 3."""
    with pytest.raises(InputError, match=re.escape(message)) as refused:
        parse(text)
    assert "ASCII" in str(refused.value)


def test_a_non_ascii_point_is_one_line_on_the_command_line():
    line = one_error_line(run_sfc("derive", "--algo", "winograd", "--tile", "2", "--points", "0,1,\u0663,inf"))
    assert "point '\u0663' is not a rational number in ASCII digits" in line
