"""sfc error-report --model: image folders, the model report on the shipped digits model, bad input."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sfc_cli.cli import main
from sfc_cli.errors import InputError
from sfc_cli.models.evaluate import evaluate_model
from sfc_cli.models.images import load_image_folder
from sfc_cli.request import AlgorithmRequest, build_algorithm

from .helpers import Run, one_error_line, run_sfc

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "examples" / "models" / "digits_cnn.onnx"
DIGITS = ROOT / "examples" / "models" / "digits-test"


def sfc_in_process(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> Run:
    """The command line's own entry point, run in this process (no interpreter start per bad input)."""
    monkeypatch.setattr(sys, "argv", ["sfc", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    captured = capsys.readouterr()
    return Run(exit_.value.code, captured.out, captured.err)


def _write(path: Path, pixels: np.ndarray, fmt: str = "PNG") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path, format=fmt)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Classes b (3 images) and a (2 images), 4x5 RGB, pixel values known."""
    for name, count in (("b", 3), ("a", 2)):
        for index in range(count):
            value = 10 * index + (100 if name == "b" else 0)
            _write(tmp_path / name / f"{index}.png", np.full((4, 5, 3), value, dtype=np.uint8))
    return tmp_path


def test_class_folders_sorted_interleaved_and_normalised(folder: Path) -> None:
    images = load_image_folder(str(folder), (4, 5), (0.5, 0.5, 0.5), (0.25, 0.5, 1.0), 3)
    assert images.classes == ["a", "b"]
    assert images.files == ["a/0.png", "b/0.png", "a/1.png", "b/1.png", "b/2.png"]
    assert images.labels.tolist() == [0, 1, 0, 1, 1]
    assert images.images.shape == (5, 3, 4, 5) and images.images.dtype == np.float32
    pixel = np.float32(110) / np.float32(255)
    expected = (pixel - np.float32(0.5)) / np.array([0.25, 0.5, 1.0], dtype=np.float32)
    assert np.array_equal(images.images[3, :, 0, 0], expected)
    assert load_image_folder(str(folder), None, (0,) * 3, (1,) * 3, 3, limit=2).files == ["a/0.png", "b/0.png"]


def test_flat_folder_grayscale_resize_and_formats(tmp_path: Path) -> None:
    _write(tmp_path / "x.pgm", np.full((6, 6), 255, dtype=np.uint8), "PPM")
    _write(tmp_path / "y.jpg", np.zeros((6, 6, 3), dtype=np.uint8), "JPEG")
    (tmp_path / ".hidden").write_text("skipped")
    images = load_image_folder(str(tmp_path), (3, 4), (0.0,), (1.0,), 1, resize=True)
    assert images.labels is None and images.classes is None and images.files == ["x.pgm", "y.jpg"]
    assert images.images.shape == (2, 1, 3, 4)
    assert np.all(images.images[0] == 1) and np.all(images.images[1] == 0)
    replicated = load_image_folder(str(tmp_path), None, (0.0,) * 3, (1.0,) * 3, 3)
    assert replicated.images.shape == (2, 3, 6, 6) and np.all(replicated.images[0] == 1)


def _bad_folders(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Folder: (path, part of the message)."""
    cases = {}
    empty = tmp_path / "empty"
    empty.mkdir()
    cases["empty"] = (empty, "is empty")
    cases["missing"] = (tmp_path / "missing", "does not exist")
    one = tmp_path / "one"
    _write(one / "cat" / "0.png", np.zeros((4, 4), dtype=np.uint8))
    cases["one class"] = (one, "needs at least two classes")
    text = tmp_path / "text"
    _write(text / "0.png", np.zeros((4, 4), dtype=np.uint8))
    (text / "notes.txt").write_text("not an image")
    cases["not an image"] = (text, "'notes.txt' in the image folder is not an image")
    sizes = tmp_path / "sizes"
    _write(sizes / "a.png", np.zeros((4, 4), dtype=np.uint8))
    _write(sizes / "b.png", np.zeros((5, 4), dtype=np.uint8))
    cases["size"] = (sizes, "'b.png' is 5x4 pixels, the first image 'a.png' is 4x4: resize with --size H,W")
    mixed = tmp_path / "mixed"
    _write(mixed / "a" / "0.png", np.zeros((4, 4), dtype=np.uint8))
    _write(mixed / "0.png", np.zeros((4, 4), dtype=np.uint8))
    cases["mixed"] = (mixed, "mixes class folders and files")
    hollow = tmp_path / "hollow"
    _write(hollow / "a" / "0.png", np.zeros((4, 4), dtype=np.uint8))
    (hollow / "b").mkdir()
    cases["empty class"] = (hollow, "class folder 'b'")
    return cases


def test_bad_folders_one_line(tmp_path: Path) -> None:
    for name, (path, message) in _bad_folders(tmp_path).items():
        with pytest.raises(InputError) as caught:
            load_image_folder(str(path), None, (0.0,), (1.0,), 1)
        assert message in str(caught.value) and "\n" not in str(caught.value), name


def test_normalisation_of_the_wrong_length(folder: Path) -> None:
    with pytest.raises(InputError, match="--mean takes 3 value"):
        load_image_folder(str(folder), None, (0.5,), (1.0,) * 3, 3)
    with pytest.raises(InputError, match="--std takes 1 value"):
        load_image_folder(str(folder), None, (0.5,), (1.0,) * 3, 1)


def _bad_model_runs(tmp_path: Path) -> list[tuple[list[str], str]]:
    small = tmp_path / "small"
    _write(small / "0" / "0.png", np.zeros((20, 20), dtype=np.uint8))
    _write(small / "1" / "0.png", np.zeros((20, 20), dtype=np.uint8))
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(b"\x08\x07garbage")
    model, images = str(MODEL), str(DIGITS)
    return [
        (["--model", model], "--model needs --images DIR"),
        (["--images", images], "--images applies to --model"),
        (["--model", model, "--images", images, "--samples", "5"], "--samples applies to the tile report"),
        (["--model", model, "--images", images, "--dims", "1"], "--dims must be 2"),
        (["--model", model, "--images", images, "--size", "24"], "--size takes two integers"),
        (["--model", model, "--images", images, "--size", "20,20"], "--size 20,20: the model takes 24x24 images"),
        (["--model", model, "--images", images, "--mean", "0.1,x"], "--mean takes comma-separated numbers"),
        (["--model", model, "--images", images, "--mean", "0.1,0.2,0.3"], "--mean takes 1 value(s)"),
        (["--model", model, "--images", images, "--calibration", "0"], "--calibration"),
        (["--model", model, "--images", images, "--calibration", "451"], "asks for more"),
        (["--model", model, "--images", images, "--kernel", "5"], "no Conv in"),
        (["--model", model, "--images", str(small)], "'0/0.png' is 20x20 pixels, the model takes 24x24"),
        (["--model", str(corrupt), "--images", images], "is not an ONNX model"),
        (["--model", model, "--images", images, "--plot", str(tmp_path / "plot.txt")], "--plot writes"),
    ]


def test_bad_model_input_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for args, message in _bad_model_runs(tmp_path):
        line = one_error_line(sfc_in_process(capsys, monkeypatch, "error-report", *args))
        assert message in line, (args, line)
    assert not (tmp_path / "plot.txt").exists()


SMALL_RUN = ("--algo", "sfc", "--tile", "6", "--calibration", "20", "--limit", "30", "--quiet")


def test_json_csv_markdown_rows_on_the_shipped_model(tmp_path: Path) -> None:
    plot = tmp_path / "model.svg"
    args = ("--model", str(MODEL), "--images", str(DIGITS), *SMALL_RUN)
    result = run_sfc("error-report", *args, "--format", "json", "--plot", str(plot))
    assert result.code == 0 and result.stderr == "", result.stderr
    svg = plot.read_text()
    assert svg.startswith("<?xml") and "SFC-6(6x6,3x3)" in svg and "top-1 accuracy" in svg
    report = json.loads(result.stdout)
    assert [(row["name"], row["bits"]) for row in report["rows"]] == [
        ("FP32", None),
        ("int8 direct", 8),
        ("SFC-6(6x6,3x3)", 8),
    ]
    assert report["evaluated_images"] == 30 and report["calibration"] == {"images": 20, "method": "max"}
    assert "figures on the first 30, calibration images included" in " ".join(
        run_sfc("error-report", *args).stdout.split()
    )
    assert report["classes"] == [str(digit) for digit in range(10)] and len(report["eligible"]["3"]) == 6
    fp32, direct, fast = report["rows"]
    assert fp32["agreement_percent"] == 100 and fp32["multiplications"] == direct["multiplications"] == 6054912
    # 24x24 maps in 4x4 tiles of 6x6 (C_in x C_out: 1x16 and two 16x16), 12x12 maps in 2x2 tiles (16x32 and two
    # 32x32); direct: 9 multiplications per output
    products = build_algorithm(AlgorithmRequest("sfc", 6, 3)).transforms.products
    assert fast["multiplications"] == products * (16 * (16 + 2 * 256) + 4 * (16 * 32 + 2 * 32 * 32))
    assert direct["multiplications"] == 9 * (24 * 24 * (16 + 2 * 256) + 12 * 12 * (16 * 32 + 2 * 32 * 32))
    assert set(fast["layer_errors"]) == set(report["eligible"]["3"]) and 0 < fast["layer_error_mean"] < 0.05
    # int8: products of two numbers of magnitude <= 127; fast: 32 input channels per position (32 x 127^2 =
    # 516,128 < 2^19: 19 bits and a sign); direct (int8 row): 32 channels x 9 taps (4,645,152 < 2^23)
    assert (fast["accumulator_bits"], direct["accumulator_bits"], fp32["accumulator_bits"]) == (20, 24, None)
    tables = {}
    for fmt in ("csv", "markdown"):
        result = run_sfc("error-report", *args, "--format", fmt)
        assert result.code == 0, result.stderr
        tables[fmt] = result.stdout
    rows = list(csv.DictReader(io.StringIO(tables["csv"])))
    assert [row["name"] for row in rows] == ["FP32", "int8 direct", "SFC-6(6x6,3x3)"]
    assert float(rows[2]["layer_error_mean"]) == fast["layer_error_mean"]
    lines = tables["markdown"].splitlines()
    assert lines[0].startswith("| model row | bits |") and lines[1].startswith("|---|---:|")
    assert [line.split("|")[1].strip() for line in lines[2:5]] == ["FP32", "int8 direct", "SFC-6(6x6,3x3)"]


def test_sfc_at_least_as_accurate_as_winograd() -> None:
    """The paper's ordering on the shipped model: every SFC row at least as accurate as every Winograd row of
    3x3 kernels other than F(2x2,3x3), at int8 and at int6 (100 images calibrate, all 450 count)."""
    images = load_image_folder(str(DIGITS), (24, 24), (0.0,), (1.0,), 1)
    requests = [("winograd", 3), ("winograd", 4), ("winograd", 6), ("sfc", 4), ("sfc", 6), ("sfc", 7)]
    algorithms = [build_algorithm(AlgorithmRequest(family, tile, 3)) for family, tile in requests]
    report = evaluate_model(str(MODEL), images, algorithms, (8, 6), 100, layer_images=4)
    assert report.evaluated_images == 450
    for bits in (8, 6):
        rows = [row for row in report.rows if row.bits == bits and row.kind == "fast"]
        sfc_rows = [row.accuracy for row in rows if row.algorithm.family == "sfc"]
        winograd_rows = [row.accuracy for row in rows if row.algorithm.family == "winograd"]
        assert min(sfc_rows) >= max(winograd_rows), (bits, sfc_rows, winograd_rows)
    int6 = {row.name: row.accuracy for row in report.rows if row.bits == 6}
    assert int6["F(6x6,3x3)"] < int6["SFC-6(6x6,3x3)"] - 0.1  # a real gap, not a tie
