"""Options of the commands that read ONNX models and image folders (``sfc quantize``, ``sfc error-report
--model``): image size, per-channel normalisation (torchvision's: pixels / 255, then (x - mean) / std), the
calibration set and method."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from ..errors import InputError
from ..layers import Method
from ..request import parse_int_pair

SizeOption = Annotated[
    str | None,
    typer.Option(
        "--size",
        metavar="H,W",
        help="Resize images to H,W (bilinear); default: they must have the model's size.",
    ),
]
MeanOption = Annotated[
    str | None,
    typer.Option("--mean", metavar="M,...", help="Per-channel mean, after / 255 (default 0), e.g. 0.485,0.456,0.406."),
]
StdOption = Annotated[
    str | None,
    typer.Option("--std", metavar="S,...", help="Per-channel std (default 1), e.g. 0.229,0.224,0.225."),
]
DEFAULT_CALIBRATION = 256
"""Images that calibrate (the first of the folder's fixed order), for sfc quantize and error-report --model."""
CalibrationOption = Annotated[
    int,
    typer.Option("--calibration", min=1, help="Calibrate on the first N images (classes interleaved)."),
]
MethodOption = Annotated[
    Method, typer.Option("--method", help="Calibration: max (largest magnitude) or mse (MSE-optimal clipping).")
]


def parse_size(text: str | None) -> tuple[int, int] | None:
    """--size H,W, both positive; None when not given."""
    if text is None:
        return None
    height, width = parse_int_pair(text, "--size", "32,32")
    if height < 1 or width < 1:
        raise InputError(f"--size takes two positive integers H,W, got {text!r}")
    return height, width


def parse_channel_values(text: str | None, what: str, channels: int, default: float) -> tuple[float, ...]:
    """--mean or --std: one finite number per input channel (a single number serves every channel)."""
    if text is None:
        return (default,) * channels
    try:
        values = tuple(float(item) for item in text.split(","))
    except ValueError:
        raise InputError(f"{what} takes comma-separated numbers, got {text!r}") from None
    if not all(math.isfinite(value) for value in values):
        raise InputError(f"{what} takes finite numbers, got {text!r}")
    if len(values) == 1:
        values *= channels
    if len(values) != channels:
        raise InputError(f"{what} takes {channels} value(s), one per input channel of the model, got {len(values)}")
    return values
