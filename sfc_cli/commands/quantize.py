"""``sfc quantize MODEL.onnx -o OUT.onnx``: every eligible Conv of an ONNX model rewritten into a fast-convolution
subgraph, quantized in the transform domain with scales calibrated on an image folder (or in float)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import InputError
from ..request import MAX_BITS, MIN_BITS, AlgorithmRequest, parse_bits
from .common import (
    AlgoOption,
    CorrectionsOption,
    DftOption,
    FractionsOption,
    KernelOption,
    ModuliOption,
    PointsOption,
    QuietOption,
    TileOption,
    fail,
    progress,
    wrote,
)
from .model_options import (
    DEFAULT_CALIBRATION,
    CalibrationOption,
    MeanOption,
    MethodOption,
    SizeOption,
    StdOption,
    parse_channel_values,
    parse_size,
)

if TYPE_CHECKING:
    import numpy as np
    import onnx

NAME = "quantize"
EPILOG = (
    "Examples:\n\n"
    "sfc quantize resnet20.onnx --calibrate cifar10/train --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 "
    "-o resnet20_sfc6_int8.onnx\n\n"
    "sfc quantize model.onnx --algo winograd --tile 4 --bits 6 --calibrate images/ -o model_f4_int6.onnx\n\n"
    "sfc quantize model.onnx --bits none -o model_sfc6_fp32.onnx"
)


def parse_width(text: str) -> int | None:
    """--bits: one width (``request.parse_bits``), or none (float rewrite)."""
    if text.strip().lower() == "none":
        return None
    widths = parse_bits(text)
    if len(widths) != 1:
        raise InputError(f"--bits takes one integer from {MIN_BITS} to {MAX_BITS} or none, got {text!r}")
    return widths[0]


def command(
    model_path: Annotated[Path, typer.Argument(metavar="MODEL", help="The ONNX model (NCHW float32 input).")],
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="<file>", help="The rewritten model (written atomically).")
    ],
    algo: AlgoOption = "sfc",
    tile: TileOption = 6,
    kernel: KernelOption = 3,
    dft: DftOption = None,
    corrections: CorrectionsOption = None,
    points: PointsOption = None,
    moduli: ModuliOption = None,
    fractions_in: FractionsOption = "G",
    bits: Annotated[
        str,
        typer.Option(
            "--bits",
            help="Transform-domain bits of V and U (2..16; int8 storage up to 8, int16 at opset 21 above), or none "
            "for the float rewrite. Layers that stay direct are int8 (weights per channel, inputs per tensor).",
        ),
    ] = "8",
    calibrate_dir: Annotated[
        Path | None,
        typer.Option(
            "--calibrate",
            metavar="DIR",
            help="Image folder to calibrate on (PNG, JPEG, PGM; flat or class sub-folders).",
        ),
    ] = None,
    calibration: CalibrationOption = DEFAULT_CALIBRATION,
    method: MethodOption = "max",
    size: SizeOption = None,
    mean: MeanOption = None,
    std: StdOption = None,
    quiet: QuietOption = False,
) -> None:
    """Rewrite an ONNX model's convolutions into the fast algorithm, quantized tap-wise, as standard ONNX.

    Every Conv the algorithm fits (r x r, stride 1, dilation 1, one group; a BatchNormalization after it folded).

    With --bits B: V = BT2 d per transform position, U = G2 w per (position, output channel), calibrated.

    Calibration: the first --calibration images of --calibrate DIR. onnxruntime runs the result.
    """
    request = AlgorithmRequest(algo, tile, kernel, dft, corrections, points, 2, fractions_in, moduli)
    try:
        from ..files import check_writable, write_output
        from ..models.onnx_model import fold_batchnorm, load_model
        from ..models.rewrite import calibrate, eligible_sites, rewrite
        from ..request import build_algorithm

        width = parse_width(bits)
        image_size = parse_size(size)
        if width is None and calibrate_dir is not None:
            raise InputError("--bits none rewrites in float: it takes no --calibrate")
        if width is not None and calibrate_dir is None:
            raise InputError(f"--bits {width} needs --calibrate DIR, a folder of images to calibrate the scales on")
        check_writable(output)
        with progress(3, "reading the model", quiet) as step:
            model = load_model(model_path)
            algorithm = build_algorithm(request)
            eligible_sites(fold_batchnorm(model), algorithm.kernel, str(model_path))
            step("calibrating")
            scales = direct = None
            if width is not None:
                batches = _calibration_batches(model, str(calibrate_dir), calibration, image_size, mean, std)
                scales, direct = calibrate(model, algorithm, batches, width, method)
            step("rewriting")
            data = rewrite(model, algorithm, scales, direct).SerializeToString()
        wrote(output, write_output(output, data), quiet)
    except InputError as error:
        fail(str(error))


def _calibration_batches(
    model: onnx.ModelProto, folder: str, count: int, size: tuple[int, int] | None, mean: str | None, std: str | None
) -> list[np.ndarray]:
    """The first ``count`` images of the folder, preprocessed for the model, in onnxruntime batches."""
    from ..models.evaluate import calibration_batches, input_spec
    from ..models.images import load_image_folder

    spec = input_spec(model)
    means = parse_channel_values(mean, "--mean", spec.channels, 0.0)
    stds = parse_channel_values(std, "--std", spec.channels, 1.0)
    images = load_image_folder(folder, size or spec.size, means, stds, spec.channels, count, resize=size is not None)
    if spec.size is not None and images.images.shape[2:] != spec.size:
        found = "x".join(map(str, images.images.shape[2:]))
        raise InputError(f"the model takes {spec.height}x{spec.width} images, --size gives {found}")
    return calibration_batches(model, images.images)
