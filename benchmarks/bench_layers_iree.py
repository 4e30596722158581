"""The exported MLIR fast layer against IREE's own direct convolution, both compiled by IREE for this CPU (issue 16
item 4, IREE part). Prints figures; asserts nothing but that both layers agree.

    python benchmarks/bench_layers_iree.py [--repeats N]

ResNet-style 3x3 layers (stride 1, padding 1, batch 1): 64 channels at 56x56, 128 at 28x28, 256 at 14x14, in f32
and in i8 (exact integer layers: i32 or i64 sums as the export proves, i32 for the direct one). The direct layer is
``tensor.pad`` + ``linalg.conv_2d_nchw_fchw`` (``direct_mlir``). Both run single-threaded (IREE's local-sync driver)
and are compiled with ``--iree-llvmcpu-target-cpu=host``; the weights are pre-transformed once, outside the timing.
Times are medians of ``--repeats`` calls. The multiply-accumulate counts show where the fast layer's work goes: its
input and output transforms are dense contractions with the BT2 and AT2 constants (K x n^2 and m^2 x K per tile and
channel), which cost as much as the per-position products at these channel counts.
"""

from __future__ import annotations

import argparse
import statistics
import time

import iree.compiler
import iree.runtime
import numpy as np

from sfc_cli.export.content import ExportRequest
from sfc_cli.export.layer import LayerShape
from sfc_cli.export.mlir import accumulator_type, tile_grid
from sfc_cli.export.render import render
from sfc_cli.request import AlgorithmRequest, build_algorithm

SHAPES = ((64, 56), (128, 28), (256, 14))
ALGORITHMS = (AlgorithmRequest("sfc", 6, 3), AlgorithmRequest("winograd", 4, 3))
COMPILE_FLAGS = ["--iree-llvmcpu-target-cpu=host"]
DIRECT_ACCUMULATOR = {"f32": "f32", "i8": "i32"}


def direct_mlir(layer: LayerShape, kernel: int) -> str:
    """``@direct_conv2d(x: 1xCxHxW, w: OxCxrxr) -> 1xOxHOxWO``: zero padding, then linalg.conv_2d_nchw_fchw
    (integers sign-extended into i32 sums)."""
    t, a = layer.dtype, DIRECT_ACCUMULATOR[layer.dtype]
    c, o, h, w, p = layer.c_in, layer.c_out, layer.height, layer.width, layer.padding
    out_h, out_w = layer.output_size(kernel)
    zero = "0.0" if t == "f32" else "0"
    x_type, w_type = f"tensor<1x{c}x{h}x{w}x{t}>", f"tensor<{o}x{c}x{kernel}x{kernel}x{t}>"
    padded_type, y_type = f"tensor<1x{c}x{h + 2 * p}x{w + 2 * p}x{t}>", f"tensor<1x{o}x{out_h}x{out_w}x{a}>"
    return f"""func.func @direct_conv2d(%x: {x_type}, %w: {w_type}) -> {y_type} {{
  %zero_in = arith.constant {zero} : {t}
  %zero = arith.constant {zero} : {a}
  %padded = tensor.pad %x low[0, 0, {p}, {p}] high[0, 0, {p}, {p}] {{
    ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
      tensor.yield %zero_in : {t}
  }} : {x_type} to {padded_type}
  %empty = tensor.empty() : {y_type}
  %init = linalg.fill ins(%zero : {a}) outs(%empty : {y_type}) -> {y_type}
  %y = linalg.conv_2d_nchw_fchw {{dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}}
      ins(%padded, %w : {padded_type}, {w_type}) outs(%init : {y_type}) -> {y_type}
  return %y : {y_type}
}}
"""


def load(text: str):
    """The module compiled for this CPU, in a single-threaded context."""
    binary = iree.compiler.compile_str(text, target_backends=["llvm-cpu"], extra_args=COMPILE_FLAGS)
    context = iree.runtime.SystemContext(config=iree.runtime.Config("local-sync"))
    context.add_vm_module(iree.runtime.VmModule.copy_buffer(context.instance, binary))
    return context.modules.module


def median_call(function, arguments: tuple, repeats: int) -> tuple[float, np.ndarray]:
    """Median seconds of ``repeats`` calls (result copied to the host) after one warm-up, and the result."""
    result = np.asarray(function(*arguments))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = np.asarray(function(*arguments))
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def layer_data(layer: LayerShape, kernel: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x_shape, w_shape = (1, layer.c_in, layer.height, layer.width), (layer.c_out, layer.c_in, kernel, kernel)
    if layer.dtype == "f32":
        return rng.standard_normal(x_shape, np.float32), rng.standard_normal(w_shape, np.float32)
    return (rng.integers(-128, 128, x_shape, dtype=np.int8), rng.integers(-128, 128, w_shape, dtype=np.int8))


def macs(algorithm, layer: LayerShape) -> dict[str, int]:
    """Multiply-accumulates of the direct layer and of each stage of the exported fast layer."""
    m, r, n, k = algorithm.tile, algorithm.kernel, algorithm.input_size, algorithm.two_d.products
    grid = tile_grid(layer, m, r)
    tiles = grid.tiles_h * grid.tiles_w
    return {
        "direct": grid.out_h * grid.out_w * r * r * layer.c_in * layer.c_out,
        "input": tiles * layer.c_in * k * n * n,
        "products": tiles * k * layer.c_in * layer.c_out,
        "output": tiles * layer.c_out * m * m * k,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    algorithms = [build_algorithm(request) for request in ALGORITHMS]
    print(
        f"{'layer':<22} {'type':<5} {'algorithm':<16} {'sums':<5} {'direct ms':>9} {'fast ms':>8} {'speed-up':>8} "
        f"{'MACs direct/fast (input+products+output, M)':>45}"
    )
    for channels, side in SHAPES:
        for dtype in ("f32", "i8"):
            layer = LayerShape(channels, channels, side, side, 1, dtype)
            x, w = layer_data(layer, 3)
            direct = load(direct_mlir(layer, 3))
            direct_seconds, expected = median_call(direct.direct_conv2d, (x, w), repeats)
            for algorithm in algorithms:
                fast = load(render(algorithm, ExportRequest("mlir", "fast", layer=layer)))
                u = fast.fast_filter_pretransform(w)
                seconds, y = median_call(fast.fast_conv2d, (x, u), repeats)
                if dtype == "f32":
                    assert np.abs(y - expected).max() <= 1e-4 * np.abs(expected).max()
                else:
                    assert np.array_equal(y, expected)
                work = macs(algorithm, layer)
                fast_total = work["input"] + work["products"] + work["output"]
                counts = (
                    f"{work['direct'] / 1e6:.0f} / {fast_total / 1e6:.0f} "
                    f"({work['input'] / 1e6:.0f}+{work['products'] / 1e6:.0f}+{work['output'] / 1e6:.0f})"
                )
                print(
                    f"{f'{channels} ch {side}x{side}':<22} {dtype:<5} {algorithm.name:<16} "
                    f"{accumulator_type(algorithm, layer):<5} {direct_seconds * 1e3:>9.2f} {seconds * 1e3:>8.2f} "
                    f"{direct_seconds / seconds:>7.2f}x {counts:>45}"
                )


if __name__ == "__main__":
    main()
