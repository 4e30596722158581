"""`sfc error-report` as a user runs it: formats, JSON contract, single algorithms, plots, one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from .helpers import one_error_line, run_sfc

SMALL = ("--samples", "200")


@pytest.fixture(scope="module")
def catalog_json():
    run = run_sfc("error-report", "--format", "json", "--bits", "8,4", *SMALL)
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def test_json_contract(catalog_json):
    assert [o["name"] for o in catalog_json][:3] == ["direct(3x3)", "F(2x2,3x3)", "F(3x3,3x3)"]
    assert len(catalog_json) == 12
    for obj in catalog_json:
        for key in ("name", "tile", "kernel", "products_2d", "reduction", "condition", "bound", "measured"):
            assert key in obj
        assert set(obj["bound"]) == {"8", "4"} and obj["bound"]["8"] == obj["bound"]["4"] >= 1
        assert {"fp16_normalized", "int8_relative", "int4_relative"} <= set(obj["measured"])
        assert obj["overflow"] == [] and None not in obj["measured"].values()
        for dims in ("1d", "2d"):
            for scaling in ("as_derived", "rows_unit_max"):
                assert set(obj["condition"][dims][scaling]) == {"AT", "G", "BT"}
    sfc6 = next(o for o in catalog_json if o["name"] == "SFC-6(6x6,3x3)")
    assert sfc6["products_2d"] == 88 and sfc6["bound_exact"]["8"] == "1088/27"
    assert catalog_json[0]["bound"]["8"] == 1 and catalog_json[0]["measured"]["fp16_normalized"] == 1


def test_table_is_the_default_and_a_piped_table_fits_80_columns_and_cuts_nothing():
    run = run_sfc("error-report", "--bits", "8,6,4", *SMALL)
    assert run.code == 0, run.stderr
    for text in ("SFC-6(6x6,3x3)", "F(6x6,3x3)", "direct(3x3)", "κ AT", "bound", "fp16", "int8", "mpmath, 30 digits"):
        assert text in run.stdout
    assert run.stderr == ""  # no progress bar when stderr is not a terminal
    assert "…" not in run.stdout and max(len(line) for line in run.stdout.splitlines()) <= 80
    for text in ("SFC-6(4x4,7x7)", "×direct", "int4", "rel."):
        assert text in run.stdout


def test_csv_and_markdown_agree():
    csv_run = run_sfc("error-report", "--format", "csv", "--bits", "6", *SMALL)
    records = list(csv.DictReader(io.StringIO(csv_run.stdout)))
    assert len(records) == 12 and "bound_absolute_int6" in records[0] and "int6_relative" in records[0]
    md = run_sfc("error-report", "--format", "markdown", *SMALL).stdout
    assert md.startswith("| algorithm |") and md.count("\n| ") == 12  # one line per algorithm after the header


def test_single_algorithm_like_derive_after_its_direct_row():
    """The direct-convolution row of the same kernel and dimensions comes first, as the baseline."""
    run = run_sfc("error-report", "--algo", "winograd", "--tile", "4", "--format", "json", *SMALL)
    direct, obj = json.loads(run.stdout)
    assert obj["name"] == "F(4x4,3x3)" and obj["bound_exact"]["8"] == "256"
    assert direct["name"] == "direct(3x3)" and direct["family"] == "direct" and direct["bound"]["8"] == 1
    one = json.loads(run_sfc("error-report", "--tile", "6", "--dims", "1", "--format", "json", *SMALL).stdout)
    assert [o["name"] for o in one] == ["direct(3)", "SFC-6(6,3)"]
    assert one[1]["products_2d"] is None and "2d" not in one[1]["condition"]
    five = run_sfc("error-report", "--tile", "2", "--kernel", "5", "--dims", "1", "--format", "csv", *SMALL)
    assert [r["name"] for r in csv.DictReader(io.StringIO(five.stdout))] == ["direct(5)", "SFC-4(2,5)"]


def test_one_dimensional_full_catalog_keeps_the_json_keys_and_carries_the_sources():
    """--catalog all: the 12 rows of the default catalog and the literature's 5, each literature row with
    its source ("source": null for the others)."""
    run = run_sfc("error-report", "--catalog", "all", "--dims", "1", "--samples", "16", "--format", "json")
    assert run.code == 0, run.stderr
    objects = json.loads(run.stdout)
    assert len(objects) == 12 + 5 and objects[0]["name"] == "direct(3)"
    for obj in objects:
        assert obj["products_2d"] is None and obj["products_1d"] >= 1 and obj["dims"] == 1
    assert next(o for o in objects if o["name"] == "SFC-6(6,3)")["products_1d"] == 10
    sources = {o["name"]: o["source"] for o in objects if o["source"] is not None}
    assert list(sources) == [
        "F(4,3) Barabasz",
        "F(6,3) Barabasz",
        "F(6,3) NOVA",
        "F(6,3) wincnn#1",
        "CRT(4,3) Gaussian",
    ]
    assert sources["F(6,3) NOVA"] == "NOVA (2025): F(6,3) points {0, ±3/5, ±1, ±7/6}"
    assert sources["F(4,3) Barabasz"].startswith("Barabasz, Anderson, Soodhalter, Gregg: Error analysis")


def test_fp16_overflow_is_explained_in_every_format(tmp_path):
    """F(12,5) overflows FP16: inf plus a caption sentence in the table, inf in CSV, null plus the
    overflow list in JSON; the plot leaves the point out without a warning."""
    single = ("--algo", "winograd", "--tile", "12", "--kernel", "5", "--dims", "1", "--samples", "64")
    table = run_sfc("error-report", *single)
    assert table.code == 0 and table.stderr == "" and "direct(5)" in table.stdout
    assert " inf " in table.stdout and "FP16 overflows" in table.stdout and "nan" not in table.stdout
    _, record = csv.DictReader(io.StringIO(run_sfc("error-report", *single, "--format", "csv").stdout))
    assert record["fp16_normalized"] == "inf"
    _, obj = json.loads(run_sfc("error-report", *single, "--format", "json").stdout)
    assert obj["measured"]["fp16_normalized"] is None and obj["overflow"] == ["fp16_normalized"]
    assert obj["measured"]["int8_relative"] > 0
    plot = run_sfc("error-report", *single, "--format", "json", "--plot", str(tmp_path / "p.svg"), "--quiet")
    assert plot.code == 0 and plot.stderr == "" and "overflowed (inf): F(12,5)" in (tmp_path / "p.svg").read_text()


def test_image_and_plots(tmp_path):
    """The catalog on the photograph as SVG; one algorithm (and its direct row) as SVG twice, byte-identical,
    and as PNG."""
    path = tmp_path / "plot.svg"
    run = run_sfc("error-report", "--image", "builtin", "--plot", str(path), "--format", "json", *SMALL)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)[0]["data"]["source"].startswith("image builtin (128x150)")
    assert path.stat().st_size > 1000
    single = ("error-report", "--tile", "4", "--image", "builtin", *SMALL)
    run_sfc(*single, "--plot", str(path))
    first = path.read_bytes()
    run_sfc(*single, "--plot", str(path))
    assert path.read_bytes() == first  # deterministic
    png = tmp_path / "plot.png"
    run = run_sfc("error-report", "--tile", "4", "--image", "builtin", "--plot", str(png), *SMALL)
    assert run.code == 0, run.stderr
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 1000


def test_same_seed_same_output():
    one = ("--tile", "4", "--format", "csv", "--seed", "3", *SMALL)
    assert run_sfc("error-report", *one).stdout == run_sfc("error-report", *one).stdout


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory) -> Path:
    """A 9x9 ramp (smaller than the catalog's 10x10 input tiles) and an all-black 64x64 image."""
    folder = tmp_path_factory.mktemp("images")
    (folder / "p9.pgm").write_bytes(b"P5\n9 9\n255\n" + bytes(range(81)))
    (folder / "black.pgm").write_bytes(b"P5\n64 64\n255\n" + bytes(4096))
    return folder


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--bits", "1"), "--bits must be between 2 and 16, got 1"),
        (("--bits", "8,17"), "--bits must be between 2 and 16, got 17"),
        (("--bits", "eight"), "malformed bits list"),
        (("--samples", "0"), "--samples must be between 1 and 1000000, got 0"),
        (("--samples", "1000001"), "--samples must be between 1 and 1000000, got 1000001"),
        (("--samples", "99999999999999999999"), "--samples must be between 1 and 1000000, got 99999999999999999999"),
        (("--seed", "-1", "--samples", "16"), "--seed must be at least 0, got -1"),
        (("--image", "{images}/p9.pgm"), "p9.pgm' is 9x9 pixels, smaller than the 10x10 input tile of SFC-6(6x6,5x5)"),
        (
            ("--image", "{images}/p9.pgm", "--dims", "1", "--tile", "8"),
            "than the 10x1 input tile of SFC-6(8,3)",
        ),
        (("--image", "{images}/black.pgm", "--tile", "6"), "every measured output is zero"),
        (("--image", "/nonexistent.pgm"), "cannot read image '/nonexistent.pgm'"),
        (("--format", "xml"), "Invalid value for '--format'"),
        (("--algo", "fft"), "--algo must be sfc, winograd or crt (any case), got 'fft'"),
        (("--fractions-in", "C"), "--fractions-in must be G, A or B (any case), got 'C'"),
        (("--plot", "out.pdf"), "--plot writes .png or .svg files"),
        (("--plot", "/nonexistent/dir/out.png"), "cannot write /nonexistent/dir/out.png: no such directory"),
        (("--algo", "winograd", "--tile", "2", "--points", "0,1,-1,1e400"), "point '1e400' has too many digits"),
        (("--tile", "0"), "tile must be at least 1"),
        (("--algo", "winograd", "--dft", "6"), "--dft and --corrections apply to --algo sfc"),
        (("--catalog", "all", "--tile", "4"), "--catalog chooses the rows of the catalog report; it cannot be"),
        (("--catalog", "paper", "--points", "0,1,-1,inf"), "cannot be combined with --algo, --tile, --kernel"),
        (("--catalog", "some"), "Invalid value for '--catalog'"),
    ],
)
def test_bad_options_one_line_exit_2(args, message, image_dir):
    assert message in one_error_line(run_sfc("error-report", *(arg.format(images=image_dir) for arg in args)))


def test_help_has_examples_choices_and_limits():
    run = run_sfc("error-report", "--help")
    assert run.code == 0 and "sfc error-report --bits 8,6,4" in run.stdout and "--image" in run.stdout
    text = " ".join(run.stdout.split())
    assert "<table|json|csv|markdown>" in text and "<sfc|winograd|crt>" in text and "1 to 1000000" in text
    assert "<paper|all>" in text and "sfc error-report --catalog all --format json" in text
    assert "--quiet" in text
