"""Whole 3x3 layers (issue 16): the exported C layer against a direct C convolution and onnxruntime.
Prints figures; asserts nothing (it checks that every exact output equals the direct one).

    python benchmarks/bench_layers.py [--reps N] [--shapes 64x56,128x28,256x14]

ResNet-style layers (C_IN = C_OUT channels at H = W, padding 1, stride 1, one image), int8 data and weights:

- C (``c_backend``): the header `sfc export --format c` writes for each algorithm (SFC-6(6x6,3x3),
  F(4x4,3x3), F(2x2,3x3)) with the layer, against two direct convolutions written here (int8 in, int32 sums):
  NCHW loops whose innermost runs over output columns, and channels last with each output R dot products over
  R * C_IN contiguous int16 values (the fast layer's product loop, so the comparison is like for like); same
  compiler and flags (gcc -O3 -march=native), one thread, best of N runs; the fast layer's time split into
  input transform, products and output transform (each phase run alone over the whole layer), and whether gcc
  vectorised each phase's loop (-fopt-info-vec);
- onnxruntime (``onnxruntime_backend``): its Conv in float32 and ConvInteger (int8 in, int32 out) on the same
  data, one intra-op thread.

The weight pre-transform is excluded from every time (it runs once per weight set).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from timing import ROOT

sys.path.insert(0, str(ROOT))

from sfc_cli.export.content import ExportRequest
from sfc_cli.export.layer import LayerShape
from sfc_cli.export.render import render
from sfc_cli.request import AlgorithmRequest, build_algorithm

ALGORITHMS = {
    "SFC-6(6x6,3x3)": AlgorithmRequest("sfc", 6, 3),
    "F(4x4,3x3)": AlgorithmRequest("winograd", 4, 3),
    "F(2x2,3x3)": AlgorithmRequest("winograd", 2, 3),
}
FLAGS = ["-std=gnu11", "-O3", "-march=native"]

DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "layer.h"

#define C_IN FL_LAYER_C_IN
#define C_OUT FL_LAYER_C_OUT
#define H FL_LAYER_H
#define W FL_LAYER_W
#define PAD FL_LAYER_PAD
#define HO FL_LAYER_HO
#define WO FL_LAYER_WO
#define R FL_KERNEL
#define HP (H + 2 * PAD)
#define WP (W + 2 * PAD)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Direct correlation: pad once, then for each (k, c, a, b) a vectorisable sweep over output rows. */
static void direct(const int8_t *x, const int8_t *w, int32_t *y, int8_t *xp)
{
    int k, c, a, b, i, j;
    memset(xp, 0, (size_t)C_IN * HP * WP);
    for (c = 0; c < C_IN; ++c)
        for (i = 0; i < H; ++i)
            memcpy(xp + ((size_t)c * HP + i + PAD) * WP + PAD, x + ((size_t)c * H + i) * W, W);
    for (k = 0; k < C_OUT; ++k) {
        int32_t *yk = y + (size_t)k * HO * WO;
        memset(yk, 0, sizeof(int32_t) * HO * WO);
        for (c = 0; c < C_IN; ++c)
            for (a = 0; a < R; ++a)
                for (b = 0; b < R; ++b) {
                    const int32_t weight = w[(((size_t)k * C_IN + c) * R + a) * R + b];
                    for (i = 0; i < HO; ++i) {
                        const int8_t *row = xp + ((size_t)c * HP + i + a) * WP + b;
                        int32_t *out = yk + (size_t)i * WO;
                        for (j = 0; j < WO; ++j)
                            out[j] += weight * row[j];
                    }
                }
    }
}

/* Direct correlation, channels last: x copied into a padded int16 [HP][WP][C_IN] map (timed), weights laid out
   [C_OUT][R][R * C_IN] in int16 (prepared once, like u); each output is R dot products over R * C_IN contiguous
   values, which gcc vectorises with the same instruction as the fast layer's products (vpmaddwd). */
static void direct_hwc(const int8_t *x, const int16_t *wh, int32_t *y, int16_t *xh)
{
    int k, c, a, i, j, e;
    memset(xh, 0, sizeof(int16_t) * C_IN * HP * WP);
    for (c = 0; c < C_IN; ++c)
        for (i = 0; i < H; ++i)
            for (j = 0; j < W; ++j)
                xh[((size_t)(i + PAD) * WP + j + PAD) * C_IN + c] = x[((size_t)c * H + i) * W + j];
    for (i = 0; i < HO; ++i)
        for (j = 0; j < WO; ++j)
            for (k = 0; k < C_OUT; ++k) {
                int32_t sum = 0;
                for (a = 0; a < R; ++a) {
                    const int16_t *xa = xh + ((size_t)(i + a) * WP + j) * C_IN;
                    const int16_t *wa = wh + ((size_t)k * R + a) * R * C_IN;
                    for (e = 0; e < R * C_IN; ++e)
                        sum += xa[e] * wa[e];
                }
                y[((size_t)k * HO + i) * WO + j] = sum;
            }
}

static fl_layer_scratch scratch;

/* What fl_layer_input sets scratch.tiles to, for timing the later phases alone */
static int block_tiles(int block)
{
    const int left = FL_LAYER_TILES - block * FL_LAYER_BLOCK;
    return left < FL_LAYER_BLOCK ? left : FL_LAYER_BLOCK;
}

#define BEST(result, statement)                           \
    do {                                                  \
        int rep_;                                         \
        result = 1e30;                                    \
        for (rep_ = 0; rep_ < reps; ++rep_) {             \
            const double start_ = now();                  \
            statement;                                    \
            if (now() - start_ < result)                  \
                result = now() - start_;                  \
        }                                                 \
    } while (0)

int main(int argc, char **argv)
{
    const int reps = atoi(argv[2]);
    size_t nx = (size_t)C_IN * H * W, nw = (size_t)C_OUT * C_IN * R * R, ny = (size_t)C_OUT * HO * WO;
    int8_t *x = malloc(nx), *w = malloc(nw), *xp = malloc((size_t)C_IN * HP * WP);
    fl_layer_u *u = malloc(sizeof(fl_layer_u) * FL_PRODUCTS_2D * C_OUT * C_IN);
    int32_t *fast = malloc(sizeof(int32_t) * ny), *slow = malloc(sizeof(int32_t) * ny);
    int32_t *hwc = malloc(sizeof(int32_t) * ny);
    int16_t *xh = malloc(sizeof(int16_t) * C_IN * HP * WP), *wh = malloc(sizeof(int16_t) * nw);
    double t_fast, t_direct, t_hwc, t_input, t_products, t_output;
    int block, k, exact;
    FILE *in = fopen(argv[1], "rb");
    if (fread(x, 1, nx, in) != nx || fread(w, 1, nw, in) != nw)
        return 1;
    fclose(in);
    fl_filter_pretransform(w, u);
    for (k = 0; k < C_OUT; ++k)
        for (block = 0; block < C_IN * R * R; ++block) /* w[k][c][a][b] -> wh[k][a][b][c] */
            wh[((size_t)k * R * R + block % (R * R)) * C_IN + block / (R * R)] = w[(size_t)k * C_IN * R * R + block];
    BEST(t_fast, fl_conv2d(x, u, fast, &scratch));
    BEST(t_direct, direct(x, w, slow, xp));
    BEST(t_hwc, direct_hwc(x, wh, hwc, xh));
    exact = memcmp(fast, slow, sizeof(int32_t) * ny) == 0 && memcmp(hwc, slow, sizeof(int32_t) * ny) == 0;
    BEST(t_input, fl_layer_stage(x, &scratch); for (block = 0; block < FL_LAYER_BLOCKS; ++block)
                                                  fl_layer_input(block, &scratch));
    BEST(t_products, for (block = 0; block < FL_LAYER_BLOCKS; ++block) {
        scratch.tiles = block_tiles(block);
        for (k = 0; k < C_OUT; ++k)
            fl_layer_products(u, k, &scratch);
    });
    BEST(t_output, for (block = 0; block < FL_LAYER_BLOCKS; ++block) {
        scratch.tiles = block_tiles(block);
        for (k = 0; k < C_OUT; ++k)
            fl_layer_output(k, block, fast, &scratch);
    });
    BEST(t_direct, direct(x, w, slow, xp));
    printf("%d %.9f %.9f %.9f %.9f %.9f %.9f\n", exact, t_fast, t_direct, t_hwc,
           t_input, t_products, t_output);
    return 0;
}
"""


@dataclass(frozen=True)
class Shape:
    """A ResNet-style 3x3 layer: ``channels`` in and out, ``side`` x ``side``, padding 1."""

    channels: int
    side: int

    def __str__(self) -> str:
        return f"{self.channels}ch {self.side}x{self.side}"


def layer_data(shape: Shape, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Random int8 x (C, H, W) and w (C, C, 3, 3)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-128, 128, (shape.channels, shape.side, shape.side), dtype=np.int8)
    w = rng.integers(-128, 128, (shape.channels, shape.channels, 3, 3), dtype=np.int8)
    return x, w


def _vectorised(text: str) -> dict[str, bool]:
    """Which phase functions contain a loop gcc reports as vectorised (-fopt-info-vec-optimized)."""
    lines = text.splitlines()
    found = {}
    for phase in ("input", "products", "output"):
        start = next(i for i, line in enumerate(lines) if f"fl_layer_{phase}(" in line and "static inline" in line)
        end = next(i for i in range(start + 1, len(lines)) if lines[i] == "}")
        found[phase] = (start + 1, end + 1)
    return found


def c_backend(shape: Shape, reps: int, x: np.ndarray, w: np.ndarray) -> dict[str, dict[str, float]]:
    """Per algorithm: total, direct and phase seconds of the exported C layer, and exactness."""
    results = {}
    layer = LayerShape(shape.channels, shape.channels, shape.side, shape.side, 1, "i8")
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "in.bin").write_bytes(x.tobytes() + w.tobytes())
        (folder / "driver.c").write_text(DRIVER)
        for name, request in ALGORITHMS.items():
            text = render(build_algorithm(request), ExportRequest("c", "fl", layer=layer))
            (folder / "layer.h").write_text(text)
            binary = folder / "bench"
            compile_ = subprocess.run(
                ["gcc", *FLAGS, "-fopt-info-vec-optimized", "-I", directory, "driver.c", "-o", str(binary)],
                cwd=folder,
                capture_output=True,
                text=True,
                check=True,
            )
            vectorised_lines = {
                int(m) for m in re.findall(r"layer\.h:(\d+):\d+: optimized: loop vectorized", compile_.stderr)
            }
            ranges = _vectorised(text)
            output = subprocess.run(
                [str(binary), "in.bin", str(reps)], cwd=folder, capture_output=True, text=True, check=True
            )
            exact, total, direct, hwc, t_in, t_prod, t_out = output.stdout.split()
            results[name] = {
                "exact": exact == "1",
                "total": float(total),
                "direct": float(direct),
                "direct_hwc": float(hwc),
                "input": float(t_in),
                "products": float(t_prod),
                "output": float(t_out),
                **{f"vec_{p}": any(lo <= n <= hi for n in vectorised_lines) for p, (lo, hi) in ranges.items()},
            }
    return results


def onnxruntime_backend(shape: Shape, reps: int, x: np.ndarray, w: np.ndarray) -> dict[str, float | str]:
    """Best seconds of onnxruntime's Conv (float32) and ConvInteger (int8, int32 out), one thread."""
    import onnx
    import onnxruntime
    from onnx import TensorProto, helper

    def session(op: str, in_type: int, out_type: int, weights: np.ndarray) -> onnxruntime.InferenceSession:
        node = helper.make_node(op, ["x", "w"], ["y"], pads=[1, 1, 1, 1])
        graph = helper.make_graph(
            [node],
            "layer",
            [helper.make_tensor_value_info("x", in_type, [1, *x.shape])],
            [helper.make_tensor_value_info("y", out_type, None)],
            [onnx.numpy_helper.from_array(weights, "w")],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        return onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])

    def best(run_session: onnxruntime.InferenceSession, feed: np.ndarray) -> float:
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            run_session.run(None, {"x": feed})
            times.append(time.perf_counter() - start)
        return min(times)

    results: dict[str, float | str] = {}
    results["Conv f32"] = best(
        session("Conv", TensorProto.FLOAT, TensorProto.FLOAT, w.astype(np.float32)), x[None].astype(np.float32)
    )
    try:
        results["ConvInteger i8"] = best(session("ConvInteger", TensorProto.INT8, TensorProto.INT32, w), x[None])
    except Exception as error:  # onnxruntime builds differ in the ConvInteger types they implement
        results["ConvInteger i8"] = f"unavailable ({type(error).__name__}: {str(error).splitlines()[0][:80]})"
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--shapes", default="64x56,128x28,256x14", help="CHANNELSxSIDE, comma-separated")
    args = parser.parse_args()
    shapes = [Shape(*map(int, item.split("x"))) for item in args.shapes.split(",")]
    for shape in shapes:
        x, w = layer_data(shape)
        print(f"{shape}, int8, padding 1, best of {args.reps}:")
        c = c_backend(shape, args.reps, x, w)
        naive = min(r["direct"] for r in c.values())
        hwc = min(r["direct_hwc"] for r in c.values())
        direct = min(naive, hwc)
        print(f"  direct C, NCHW loops over output columns:   {naive * 1e3:8.2f} ms")
        print(f"  direct C, channels-last int16 dot products: {hwc * 1e3:8.2f} ms (ratios: against the faster)")
        for name, r in c.items():
            phases = r["input"] + r["products"] + r["output"]
            split = ", ".join(
                f"{p} {r[p] * 1e3:.2f} ms ({r[p] / phases:.0%}{'' if r[f'vec_{p}'] else ', not vectorised'})"
                for p in ("input", "products", "output")
            )
            print(
                f"  {name:15} C layer: {r['total'] * 1e3:8.2f} ms, {direct / r['total']:.2f}x direct, "
                f"{'exact' if r['exact'] else 'DIFFERS from direct'}; {split}"
            )
        for name, value in onnxruntime_backend(shape, args.reps, x, w).items():
            if isinstance(value, float):
                print(f"  onnxruntime {name:15} {value * 1e3:8.2f} ms, {direct / value:.2f}x direct")
            else:
                print(f"  onnxruntime {name:15} {value}")


if __name__ == "__main__":
    main()
