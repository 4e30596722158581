"""Images per second of ``sfc error-report --model``, per algorithm, against onnxruntime on the original model.

For the shipped digits model (its 450 test images) and for ``model_builders.resnet20_cifar`` with random
weights on random 3x32x32 images (written as PNGs in ten class folders of a temporary directory), it prints:
onnxruntime's images per second on the original model (the same batches and session options as sfc uses),
then per algorithm the wall time of the whole command (one process: loading, calibration, the FP32, int8
direct and algorithm rows, the layer errors) and the evaluated images per second. The issue's target: one
algorithm over 10,000 CIFAR-size images through ResNet-20 in under 60 s on 2 cores.

Figures (2-core AMD EPYC, SFC-6(6x6,3x3) int8, 10,000 images, 256 calibrating; the command alone, old and new
code in turn at load about 2): 76.8 s before the two-Transpose stitch and the int8 Clip, 58.2 s after; this
script at the same load: 63.7 s (onnxruntime alone on the original model: 834 images/s). Under load 5 to 8 the
old code took 208-232 s. What remains: the three onnxruntime passes (FP32, int8 direct, the fast model at
about a fifth of the original's speed: its dense BT2 and AT2 GEMMs do more multiplications than ResNet-20's
direct convolutions at 16-64 channels), plus about 15 s fixed (calibration; the layer errors in numpy float64).

    .venv/bin/python benchmarks/bench_models.py                  # 10,000 CIFAR images, SFC-6 and F(4x4)
    .venv/bin/python benchmarks/bench_models.py --images 2000 --algorithms sfc:6
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from model_builders import resnet20_cifar
from PIL import Image
from timing import ROOT, sfc_command

DIGITS = ROOT / "examples" / "models"
CIFAR_MEAN, CIFAR_STD = "0.485,0.456,0.406", "0.229,0.224,0.225"


def write_cifar_folder(root: Path, count: int, seed: int = 0) -> None:
    """``count`` random 32x32 RGB PNGs, image i in class folder i mod 10."""
    rng = np.random.default_rng(seed)
    for index in range(count):
        folder = root / str(index % 10)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(folder / f"{index:05d}.png")


def onnxruntime_images_per_second(model: str, folder: str, size: tuple[int, int], mean: str, std: str) -> float:
    """The original model in onnxruntime on the folder's images (loaded as sfc loads them), batched as sfc
    batches them; the best of three passes."""
    sys.path.insert(0, str(ROOT))
    from sfc_cli.models.evaluate import batch_size, input_spec, run_batches
    from sfc_cli.models.images import load_image_folder
    from sfc_cli.models.onnx_model import load_model, session

    proto = load_model(model)
    spec = input_spec(proto)
    means, stds = (tuple(float(v) for v in text.split(",")) for text in (mean, std))
    images = load_image_folder(folder, size, means, stds, spec.channels).images
    runner = session(proto)
    output = runner.get_outputs()[0].name
    run_batches(runner, spec, images[: batch_size(spec, images.shape[1:])], [output])
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run_batches(runner, spec, images, [output])
        best = min(best, time.perf_counter() - start)
    return len(images) / best


def command_seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([*sfc_command(), "error-report", *args], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def bench(name: str, model: str, folder: str, evaluated: int, options: list[str], algorithms: list[str]) -> None:
    size = (24, 24) if "digits" in name else (32, 32)
    mean, std = ("0", "1") if "digits" in name else (CIFAR_MEAN, CIFAR_STD)
    ort = onnxruntime_images_per_second(model, folder, size, mean, std)
    print(f"\n{name}: {evaluated} images evaluated; onnxruntime, original model: {ort:,.0f} images/s")
    print(f"{'algorithm':<12} {'command s':>10} {'images/s':>9}  (rows FP32, int8 direct, the algorithm at int8)")
    for algorithm in algorithms:
        family, tile = algorithm.split(":")
        args = ["--model", model, "--images", folder, *options, "--algo", family, "--tile", tile, "--bits", "8"]
        seconds = command_seconds([*args, "--format", "json", "--quiet"])
        print(f"{algorithm:<12} {seconds:>10.1f} {evaluated / seconds:>9,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000, help="CIFAR-size images (default 10,000)")
    parser.add_argument("--algorithms", default="sfc:6,winograd:4", help="FAMILY:TILE list (3x3 kernels)")
    parser.add_argument("--calibration", type=int, default=256)
    args = parser.parse_args()
    algorithms = args.algorithms.split(",")
    calibration = ["--calibration", str(args.calibration)]
    bench(
        "digits_cnn (shipped, 1x24x24)",
        str(DIGITS / "digits_cnn.onnx"),
        str(DIGITS / "digits-test"),
        450 - 150,
        ["--calibration", "150"],
        algorithms,
    )
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        model = root / "resnet20.onnx"
        onnx.save(resnet20_cifar(0), str(model))
        write_cifar_folder(root / "images", args.images + args.calibration)
        options = [*calibration, "--mean", CIFAR_MEAN, "--std", CIFAR_STD]
        bench(
            "resnet20_cifar (random weights, 3x32x32)",
            str(model),
            str(root / "images"),
            args.images,
            options,
            algorithms,
        )


if __name__ == "__main__":
    main()
