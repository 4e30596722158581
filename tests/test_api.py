"""The Python API (``import sfc``, i.e. ``sfc_cli.api``): the commands' work as functions, with their results."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import sfc
from sfc_cli.algebra.matrix import QMatrix
from sfc_cli.algorithm import Algorithm
from sfc_cli.errors import InputError


def test_the_package_lists_documented_functions() -> None:
    assert {"derive", "verify", "error_report", "search", "export"} <= set(sfc.__all__)
    assert all(getattr(sfc, name).__doc__ for name in ("derive", "verify", "error_report", "search", "export"))


def test_derive_gives_the_papers_counts_and_the_commands_json() -> None:
    alg = sfc.derive("sfc", 6, 3)
    assert (alg.name, alg.one_d.products, alg.two_d.products) == ("SFC-6(6x6,3x3)", 10, 88)
    cli = subprocess.run([sys.executable, "-m", "sfc_cli", "derive", "--format", "json"], capture_output=True)
    document = json.loads(cli.stdout)
    assert document["1d"]["AT"] == [[str(x) for x in row] for row in alg.one_d.AT.rows]


def test_points_and_moduli_as_python_values() -> None:
    as_list = sfc.derive("winograd", 2, 3, points=[0, 1, -1, None])
    assert as_list.one_d == sfc.derive("winograd", 2, 3, points="0,1,-1,inf").one_d
    half = sfc.derive("winograd", 4, 3, points=[0, -1, 1, Fraction(1, 2), -2, None], dims=1)
    assert half.two_d is None and half.parameters.points[3] == Fraction(1, 2)
    gaussian = sfc.derive("crt", 4, 3, moduli=["x", "x-1", "x+1", "x^2+1", "inf"])
    assert (gaussian.one_d.products, gaussian.two_d.products) == (7, 46)


def test_verify_rejects_a_broken_algorithm() -> None:
    alg = sfc.derive("winograd", 2, 3, dims=1)
    assert sfc.verify(alg)
    rows = [list(row) for row in alg.one_d.G.rows]
    rows[0][0] += 1
    broken = Algorithm(**{**alg.__dict__, "one_d": alg.one_d.__class__(alg.one_d.AT, QMatrix(rows), alg.one_d.BT)})
    assert not sfc.verify(broken)


def test_bad_input_raises_the_commands_message() -> None:
    with pytest.raises(InputError, match="share the factor x \\+ 1"):
        sfc.derive("crt", 4, 3, moduli="x, x^2-1, x+1, x^2+1, inf")
    with pytest.raises(ValueError):
        sfc.derive("sfc", 0, 3)


def test_error_report_measures_the_algorithms_given() -> None:
    report = sfc.error_report([sfc.derive("winograd", 2, 3), sfc.derive("sfc", 6, 3)], samples=256, bits=(8,))
    names = [row.subject.name for row in report.rows]
    assert names == ["direct(3x3)", "F(2x2,3x3)", "direct(3x3)", "SFC-6(6x6,3x3)"]
    sfc6 = report.rows[3]
    assert 0 < sfc6.measured.int_relative[8] < 0.1


def test_export_text_and_bytes() -> None:
    alg = sfc.derive("sfc", 4, 3)
    header = sfc.export(alg, "c", name="k4")
    assert "#define K4_PRODUCTS_2D 46" in header
    archive = sfc.export(alg, "npz")
    assert isinstance(archive, bytes) and archive[:2] == b"PK"
    layer = sfc.export(alg, "mlir", layer=sfc.LayerShape(2, 3, 9, 9, 1, "i8"))
    assert "linalg" in layer
    with pytest.raises(InputError, match="smaller than the 3x3 kernel"):
        sfc.export(alg, "c", layer=sfc.LayerShape(2, 3, 2, 2))
    assert np.load(__import__("io").BytesIO(archive)) is not None


def test_the_modules_example_runs() -> None:
    import doctest

    import sfc_cli.api

    assert doctest.testmod(sfc_cli.api).failed == 0


DIGITS = Path(__file__).resolve().parent.parent / "examples" / "models"


def test_models_quantize_and_evaluate_as_the_commands_do() -> None:
    """The shipped digits model: the float rewrite equals the model; a calibrated int8 SFC-6 model runs in
    onnxruntime and agrees with FP32 on the images; the report has the command's rows."""
    import onnxruntime as ort

    images = sfc.load_images(DIGITS / "digits-test", 1, limit=40)
    assert images.images.shape == (40, 1, 24, 24) and images.classes == [str(d) for d in range(10)]
    alg = sfc.derive("sfc", 6, 3)
    model = DIGITS / "digits_cnn.onnx"

    def logits(proto) -> np.ndarray:
        session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: images.images})[0]

    original = logits(__import__("onnx").load(model))
    assert np.allclose(logits(sfc.quantize_model(model, alg, bits=None)), original, rtol=1e-4, atol=1e-4)
    quantized = sfc.quantize_model(model, alg, bits=8, images=images, calibration=20)
    assert np.mean(logits(quantized).argmax(1) == original.argmax(1)) >= 0.95
    with pytest.raises(InputError, match="needs images"):
        sfc.quantize_model(model, alg, bits=8)
    report = sfc.evaluate_model(model, images, [alg], bits=(8,), calibration=20, limit=30)
    assert [row.name for row in report.rows] == ["FP32", "int8 direct", "SFC-6(6x6,3x3)"]
    assert report.evaluated_images == 30
