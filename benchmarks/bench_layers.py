"""Whole 3x3 layers (issue 16): each backend's exported fast layer against its own direct convolution, one run per
shape. Prints figures; exits 1 if any output differs from the direct convolution.

    python benchmarks/bench_layers.py [--shapes 64x56,128x28,256x14] [--algorithms sfc6,f4x4,f2x2] [--repeat N]
    python benchmarks/bench_layers.py --quick     # one small shape, SFC-6(6x6,3x3) only, one call each (a test)

ResNet-style layers: C_IN = C_OUT channels at H = W, padding 1, stride 1, one image. Per shape one random int8
x (C, H, W) and w (C, C, 3, 3) feed every backend (as float32 where a backend computes in f32), and every output is
compared with an exact direct correlation (numpy, float64 sums of integers): integers bit for bit, f32 within
1e-4 of the largest output. Times are the best of --repeat calls on one thread; the weight pre-transform (once per
weight set) is outside every time. Columns: "x direct" is the time of the backend's own direct convolution over
this one (C: the channels-last one; IREE: its convolution of the same type; onnxruntime: Conv for f32, ConvInteger
for i8), "x ORT Conv" the time of onnxruntime's f32 Conv over this one; above 1 is faster.

- C (``c_backend``): the header `sfc export --format c` writes with the layer (i8), against two direct
  convolutions written here with the same compiler and flags (gcc -O3 -march=native): NCHW loops over output
  columns, and channels last with R dot products of R * C_IN contiguous int16 values per output (the fast layer's
  product loop; the like-for-like baseline). Where the time goes: each phase of the fast layer run alone over the
  whole layer, and whether gcc vectorised each phase's loop (-fopt-info-vec).
- IREE (``iree_backend``): `sfc export --format mlir` (f32, and i8 with the proved i32 or i64 sums) against
  ``tensor.pad`` + ``linalg.conv_2d_nchw_fchw`` (i8 sums in i32), both compiled by iree-compile for this CPU
  (``--iree-llvmcpu-target-cpu=host``) and run by the local-sync driver. Where the time goes: copies of the conv
  function that return after the input transform and after the products (the rest is dead code), stages by
  difference; the note gives the multiply-accumulates of each stage (the transforms are dense contractions with
  BT2 and AT2, not the additions-only programs of the C layer).
- onnxruntime (``onnx_backend``): its Conv (f32) and ConvInteger (i8 in, int32 out), and the layer
  `sfc export --format onnx` writes (f32, and exact i8 with int32 or int64 sums), with W bound as an initializer so
  that onnxruntime folds the filter transform once, as it prepacks a Conv's weights. Where the time goes: each
  stage's share of the node times in onnxruntime's profile of the fastest profiled call, applied to the measured
  time (profiling slows the calls down, unevenly).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from timing import ROOT

sys.path.insert(0, str(ROOT))

import sfc
from sfc_cli.export.layer import accumulator_type, tile_grid

ALGORITHMS = {"sfc6": ("sfc", 6), "f4x4": ("winograd", 4), "f2x2": ("winograd", 2)}
"""--algorithms keys: (family, tile) of a 3x3 algorithm."""
KERNEL = 3
PADDING = 1
FLOAT_TOLERANCE = 1e-4
"""An f32 output agrees when its largest error is at most this fraction of the largest output."""
C_FLAGS = ["-std=gnu11", "-O3", "-march=native"]
IREE_FLAGS = ["--iree-llvmcpu-target-cpu=host"]
PHASES = ("input", "products", "output")


@dataclass(frozen=True)
class Shape:
    """A ResNet-style 3x3 layer: ``channels`` in and out, ``side`` x ``side``, padding 1."""

    channels: int
    side: int

    def __str__(self) -> str:
        return f"{self.channels} channels {self.side}x{self.side}"

    def layer(self, dtype: str) -> sfc.LayerShape:
        """The layer with elements of ``dtype`` (f32 or i8)."""
        return sfc.LayerShape(self.channels, self.channels, self.side, self.side, PADDING, dtype)


@dataclass(frozen=True)
class LayerData:
    """One shape's data, shared by every backend: int8 x (C, H, W), w (C, C, 3, 3) and the exact y (C, HO, WO)."""

    x: np.ndarray
    w: np.ndarray
    reference: np.ndarray

    @classmethod
    def random(cls, shape: Shape, seed: int = 1) -> LayerData:
        rng = np.random.default_rng(seed)
        x = rng.integers(-128, 128, (shape.channels, shape.side, shape.side), dtype=np.int8)
        w = rng.integers(-128, 128, (shape.channels, shape.channels, KERNEL, KERNEL), dtype=np.int8)
        padded = np.pad(x.astype(np.float64), ((0, 0), (PADDING, PADDING), (PADDING, PADDING)))
        windows = sliding_window_view(padded, (KERNEL, KERNEL), axis=(1, 2))
        # float64 sums of integers below 2^53 are exact
        y = np.einsum("chwab,kcab->khw", windows, w.astype(np.float64), optimize=True)
        return cls(x, w, y.astype(np.int64))

    def agreement(self, output: object) -> str:
        """'exact', 'error 3e-07' (f32, relative to the largest output) or 'DIFFERS ...' against the reference."""
        y = np.asarray(output).reshape(self.reference.shape)
        if np.array_equal(y, self.reference):
            return "exact"
        if np.issubdtype(y.dtype, np.integer):
            return f"DIFFERS in {np.count_nonzero(y != self.reference)} outputs"
        error = np.abs(y.astype(np.float64) - self.reference).max() / np.abs(self.reference).max()
        return f"error {error:.0e}" if error <= FLOAT_TOLERANCE else f"DIFFERS by {error:.1e} of the largest"


@dataclass
class Row:
    """One measured layer: ``direct`` is the seconds of the backend's own direct convolution it is compared with
    (None for that convolution itself); ``phases`` the seconds of input transform, products, output transform."""

    backend: str
    layer: str
    dtype: str
    seconds: float
    agrees: str
    direct: float | None = None
    phases: dict[str, float] = field(default_factory=dict)
    note: str = ""


def best(repeat: int, function: Callable[..., object], *arguments: object) -> float:
    """Best seconds of ``repeat`` calls ``function(*arguments)`` after one warm-up call."""
    function(*arguments)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(*arguments)
        times.append(time.perf_counter() - start)
    return min(times)


# --- C -------------------------------------------------------------------------------------------------------------

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
        statement;                                        \
        result = 1e30;                                    \
        for (rep_ = 0; rep_ < reps; ++rep_) {             \
            const double start_ = now();                  \
            statement;                                    \
            if (now() - start_ < result)                  \
                result = now() - start_;                  \
        }                                                 \
    } while (0)

/* argv: data file (x then w, int8), repeats, output file (fast, direct, direct_hwc: int32 [C_OUT][HO][WO] each) */
int main(int argc, char **argv)
{
    const int reps = argc > 3 ? atoi(argv[2]) : 1;
    size_t nx = (size_t)C_IN * H * W, nw = (size_t)C_OUT * C_IN * R * R, ny = (size_t)C_OUT * HO * WO;
    int8_t *x = malloc(nx), *w = malloc(nw), *xp = malloc((size_t)C_IN * HP * WP);
    fl_layer_u *u = malloc(sizeof(fl_layer_u) * FL_PRODUCTS_2D * C_OUT * C_IN);
    int32_t *fast = malloc(sizeof(int32_t) * ny), *slow = malloc(sizeof(int32_t) * ny);
    int32_t *hwc = malloc(sizeof(int32_t) * ny);
    int16_t *xh = malloc(sizeof(int16_t) * C_IN * HP * WP), *wh = malloc(sizeof(int16_t) * nw);
    double t_fast, t_direct, t_hwc, t_input, t_products, t_output;
    int block, k;
    FILE *in = fopen(argv[1], "rb"), *out;
    if (argc <= 3 || in == NULL || fread(x, 1, nx, in) != nx || fread(w, 1, nw, in) != nw)
        return 1;
    fclose(in);
    fl_filter_pretransform(w, u);
    for (k = 0; k < C_OUT; ++k)
        for (block = 0; block < C_IN * R * R; ++block) /* w[k][c][a][b] -> wh[k][a][b][c] */
            wh[((size_t)k * R * R + block % (R * R)) * C_IN + block / (R * R)] = w[(size_t)k * C_IN * R * R + block];
    BEST(t_fast, fl_conv2d(x, u, fast, &scratch));
    BEST(t_direct, direct(x, w, slow, xp));
    BEST(t_hwc, direct_hwc(x, wh, hwc, xh));
    out = fopen(argv[3], "wb");
    if (out == NULL || fwrite(fast, sizeof(int32_t), ny, out) != ny || fwrite(slow, sizeof(int32_t), ny, out) != ny
        || fwrite(hwc, sizeof(int32_t), ny, out) != ny || fclose(out) != 0)
        return 1;
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
    printf("%.9f %.9f %.9f %.9f %.9f %.9f\n", t_fast, t_direct, t_hwc, t_input, t_products, t_output);
    return 0;
}
"""


def _phase_lines(header: str) -> dict[str, tuple[int, int]]:
    """The header's first and last line of each phase function (fl_layer_input, _products, _output)."""
    lines = header.splitlines()
    found = {}
    for phase in PHASES:
        start = next(i for i, line in enumerate(lines) if f"fl_layer_{phase}(" in line and "static inline" in line)
        end = next(i for i in range(start + 1, len(lines)) if lines[i] == "}")
        found[phase] = (start + 1, end + 1)
    return found


def c_backend(shape: Shape, data: LayerData, algorithms: dict[str, sfc.Algorithm], repeat: int) -> list[Row]:
    """The exported C layer of each algorithm against the two direct C convolutions (best over every driver)."""
    rows, direct, direct_hwc = [], [], []
    ny = data.reference.size
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "in.bin").write_bytes(data.x.tobytes() + data.w.tobytes())
        (folder / "driver.c").write_text(DRIVER)
        for algorithm in algorithms.values():
            header = sfc.export(algorithm, "c", name="fl", layer=shape.layer("i8"))
            (folder / "layer.h").write_text(header)
            compiled = subprocess.run(
                ["gcc", *C_FLAGS, "-fopt-info-vec-optimized", "driver.c", "-o", "bench"],
                cwd=folder,
                capture_output=True,
                text=True,
                check=True,
            )
            vectorised = {
                int(n) for n in re.findall(r"layer\.h:(\d+):\d+: optimized: loop vectorized", compiled.stderr)
            }
            scalar = [
                phase
                for phase, (first, last) in _phase_lines(header).items()
                if not any(first <= n <= last for n in vectorised)
            ]
            result = subprocess.run(
                ["./bench", "in.bin", str(repeat), "out.bin"], cwd=folder, capture_output=True, text=True, check=True
            )
            seconds = [float(value) for value in result.stdout.split()]
            fast, slow, hwc = np.fromfile(folder / "out.bin", dtype=np.int32).reshape(3, ny)
            direct.append((seconds[1], data.agreement(slow)))
            direct_hwc.append((seconds[2], data.agreement(hwc)))
            u_type = re.search(r"typedef (\w+) fl_layer_u;", header).group(1)
            note = f"u {u_type}, " + (f"not vectorised: {', '.join(scalar)}" if scalar else "every phase vectorised")
            rows.append(Row("C", algorithm.name, "i8", seconds[0], data.agreement(fast), None,
                            dict(zip(PHASES, seconds[3:], strict=True)), note))  # fmt: skip
    baseline = min(direct_hwc)
    for row in rows:
        row.direct = baseline[0]
    naive = min(direct)
    note = "3 int16 dot products of 3 C_IN values per output"
    return [
        Row("C", "direct, NCHW loops", "i8", naive[0], naive[1], baseline[0], note="sweeps over output columns"),
        Row("C", "direct, channels last", "i8", baseline[0], baseline[1], note=note),
        *rows,
    ]


# --- IREE ----------------------------------------------------------------------------------------------------------

DTYPES = ("f32", "i8")
DIRECT_ACCUMULATOR = {"f32": "f32", "i8": "i32"}


def direct_mlir(layer: sfc.LayerShape) -> str:
    """``@direct_T(x: 1xCxHxWxT, w: OxCx3x3xT) -> 1xOxHOxWO``, T the layer's type: zero padding, then
    linalg.conv_2d_nchw_fchw (integers sign-extended into i32 sums)."""
    t, a = layer.dtype, DIRECT_ACCUMULATOR[layer.dtype]
    c, o, h, w, p = layer.c_in, layer.c_out, layer.height, layer.width, layer.padding
    out_h, out_w = layer.output_size(KERNEL)
    zero = "0.0" if t == "f32" else "0"
    x_type, w_type = f"tensor<1x{c}x{h}x{w}x{t}>", f"tensor<{o}x{c}x{KERNEL}x{KERNEL}x{t}>"
    padded_type, y_type = f"tensor<1x{c}x{h + 2 * p}x{w + 2 * p}x{t}>", f"tensor<1x{o}x{out_h}x{out_w}x{a}>"
    return f"""  func.func @direct_{t}(%x: {x_type}, %w: {w_type}) -> {y_type} {{
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


STAGE_VALUES = {"input": r"%v_rows = tensor\.collapse_shape .*? into (tensor<[^>]*>)",
                "products": r"%m_rows = linalg\.batch_matmul .*?-> (tensor<[^>]*>)"}  # fmt: skip
"""The value of the exported conv function after each stage, and where its type is written."""


def fast_functions(module: str, prefix: str) -> str:
    """The functions of the exported module (prefix ``prefix``) and two copies of @prefix_conv2d,
    @prefix_until_input and @prefix_until_products, returning the value after that stage (IREE drops the rest as
    dead code)."""
    body = module[module.index("module {") + len("module {") : module.rindex("}")]
    conv = body[body.index(f"  func.func @{prefix}_conv2d(") :]
    result_type = re.search(r"\) -> (tensor<[^>]*>) \{", conv).group(1)
    copies = []
    for stage, pattern in STAGE_VALUES.items():
        found = re.search(pattern, conv, re.DOTALL)
        value, value_type = found.group(0).split()[0], found.group(1)
        copy = conv.replace(f"@{prefix}_conv2d(", f"@{prefix}_until_{stage}(", 1)
        copy = copy.replace(f") -> {result_type} {{", f") -> {value_type} {{", 1)
        copies.append(copy.replace(f"return %out : {result_type}", f"return {value} : {value_type}", 1))
    return body + "\n".join(copies)


def iree_load(text: str):
    """The module compiled for this CPU in a single-threaded context, and that context's device."""
    import iree.compiler
    import iree.runtime

    binary = iree.compiler.compile_str(text, target_backends=["llvm-cpu"], extra_args=IREE_FLAGS)
    config = iree.runtime.Config("local-sync")
    context = iree.runtime.SystemContext(config=config)
    context.add_vm_module(iree.runtime.VmModule.copy_buffer(context.instance, binary))
    return context.modules.module, config.device


def multiply_accumulates(algorithm: sfc.Algorithm, layer: sfc.LayerShape) -> dict[str, int]:
    """Multiply-accumulates of the direct layer and of each stage of the exported MLIR fast layer."""
    m, r, n, k = algorithm.tile, algorithm.kernel, algorithm.input_size, algorithm.two_d.products
    grid = tile_grid(layer, m, r)
    tiles = grid.tiles_h * grid.tiles_w
    return {
        "direct": grid.out_h * grid.out_w * r * r * layer.c_in * layer.c_out,
        "input": tiles * layer.c_in * k * n * n,
        "products": tiles * k * layer.c_in * layer.c_out,
        "output": tiles * layer.c_out * m * m * k,
    }


def iree_backend(shape: Shape, data: LayerData, algorithms: dict[str, sfc.Algorithm], repeat: int) -> list[Row]:
    """Per type (f32, i8): IREE's direct convolution, and each algorithm's exported MLIR layer against it (all in
    one module, compiled once)."""
    import iree.runtime

    functions = [direct_mlir(shape.layer(dtype)) for dtype in DTYPES]
    for key, algorithm in algorithms.items():
        for dtype in DTYPES:
            text = sfc.export(algorithm, "mlir", name=f"{key}_{dtype}", layer=shape.layer(dtype))
            functions.append(fast_functions(text, f"{key}_{dtype}"))
    module, device = iree_load("module {\n" + "\n".join(functions) + "}\n")
    rows = []
    for dtype in DTYPES:
        element = np.float32 if dtype == "f32" else np.int8
        x = iree.runtime.asdevicearray(device, data.x[None].astype(element))
        w = iree.runtime.asdevicearray(device, data.w.astype(element))
        direct = getattr(module, f"direct_{dtype}")
        direct_seconds = best(repeat, direct, x, w)
        note = f"{DIRECT_ACCUMULATOR[dtype]} sums"
        rows.append(
            Row("IREE", "linalg.conv_2d_nchw_fchw", dtype, direct_seconds, data.agreement(direct(x, w)), note=note)
        )
        for key, algorithm in algorithms.items():
            prefix, layer = f"{key}_{dtype}", shape.layer(dtype)
            u = getattr(module, f"{prefix}_filter_pretransform")(w)
            conv, until_input, until_products = (
                getattr(module, f"{prefix}_{name}") for name in ("conv2d", "until_input", "until_products")
            )
            seconds = best(repeat, conv, x, u)
            input_seconds = best(repeat, until_input, x, u)
            products_seconds = best(repeat, until_products, x, u)
            phases = {
                "input": input_seconds,
                "products": max(products_seconds - input_seconds, 0.0),
                "output": max(seconds - products_seconds, 0.0),
            }
            work = {key: value / 1e6 for key, value in multiply_accumulates(algorithm, layer).items()}
            note = (
                f"{accumulator_type(algorithm, layer)} sums; MACs {work['input']:.3g} + {work['products']:.3g} + "
                f"{work['output']:.3g} M (direct {work['direct']:.3g} M)"
            )
            agrees = data.agreement(conv(x, u))
            rows.append(Row("IREE", algorithm.name, dtype, seconds, agrees, direct_seconds, phases, note))
    return rows


# --- onnxruntime ---------------------------------------------------------------------------------------------------


def ort_session(model, profile: Path | None = None):
    """A one-thread onnxruntime CPU session of ``model`` (an onnx.ModelProto), profiling into ``profile``."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    if profile is not None:
        options.enable_profiling = True
        options.profile_file_prefix = str(profile)
    return onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def ort_conv(op: str, data: LayerData, element: type) -> object:
    """onnxruntime ``op`` (Conv or ConvInteger) of x (1, C, H, W) with w as an initializer, padding 1."""
    import onnx
    from onnx import helper

    elem = helper.np_dtype_to_tensor_dtype(np.dtype(element))
    node = helper.make_node(op, ["X", "W"], ["Y"], pads=[PADDING] * 4)
    graph = helper.make_graph(
        [node],
        op,
        [helper.make_tensor_value_info("X", elem, [1, *data.x.shape])],
        [helper.make_tensor_value_info("Y", onnx.TensorProto.FLOAT if op == "Conv" else onnx.TensorProto.INT32, None)],
        [onnx.numpy_helper.from_array(data.w.astype(element), "W")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def with_bound_weights(model, w: np.ndarray):
    """The exported layer model with its input W replaced by the initializer ``w`` (of W's element type)."""
    import onnx

    (weights,) = [value for value in model.graph.input if value.name == "W"]
    element = onnx.helper.tensor_dtype_to_np_dtype(weights.type.tensor_type.elem_type)
    model.graph.input.remove(weights)
    model.graph.initializer.append(onnx.numpy_helper.from_array(w.astype(element), "W"))
    return model


def profiled_shares(model, feed: dict[str, np.ndarray], repeat: int) -> dict[str, float]:
    """Each stage's share of the node time in the fastest of ``repeat`` profiled calls: input transform up to the
    batched MatMul ``products``, output transform after it (nodes onnxruntime added count with the node before)."""
    stage = {}
    current = "input"
    for node in model.graph.node:
        if node.name.endswith("products"):
            current = "products"
        stage[node.name] = current
        if current == "products":
            current = "output"
    with tempfile.TemporaryDirectory() as directory:
        session = ort_session(model, Path(directory) / "profile")
        for _ in range(repeat + 1):
            session.run(None, feed)
        events = json.loads(Path(session.end_profiling()).read_text())
    calls = sorted((e["ts"], e["ts"] + e["dur"]) for e in events if e["name"] == "model_run")[1:]
    nodes = sorted((e["ts"], e["dur"], e["name"].removesuffix("_kernel_time")) for e in events if e["cat"] == "Node")
    best_phases: dict[str, float] = {}
    for begin, end in calls:
        phases = dict.fromkeys(PHASES, 0.0)
        current = "input"
        for start, duration, name in nodes:
            if begin <= start <= end:
                current = stage.get(name, current)
                phases[current] += duration * 1e-6
        if not best_phases or sum(phases.values()) < sum(best_phases.values()):
            best_phases = phases
    total = sum(best_phases.values())
    return {phase: value / total for phase, value in best_phases.items()}


def onnx_backend(shape: Shape, data: LayerData, algorithms: dict[str, sfc.Algorithm], repeat: int) -> list[Row]:
    """onnxruntime's Conv (f32) and ConvInteger (i8), and each algorithm's exported ONNX layer (f32, i8) against
    the Conv of its type (ConvInteger for i8 when this onnxruntime build has it, else Conv)."""
    import onnx

    feeds = {"f32": {"X": data.x[None].astype(np.float32)}, "i8": {"X": data.x[None]}}
    conv = ort_session(ort_conv("Conv", data, np.float32))
    conv_seconds = best(repeat, conv.run, None, feeds["f32"])
    rows = [Row("onnxruntime", "Conv", "f32", conv_seconds, data.agreement(conv.run(None, feeds["f32"])[0]))]
    directs = {"f32": conv_seconds, "i8": conv_seconds}
    try:
        integer = ort_session(ort_conv("ConvInteger", data, np.int8))
    except Exception as error:  # onnxruntime builds differ in the ConvInteger types they implement
        rows[0].note = f"ConvInteger i8 unavailable ({type(error).__name__})"
    else:
        directs["i8"] = best(repeat, integer.run, None, feeds["i8"])
        agrees = data.agreement(integer.run(None, feeds["i8"])[0])
        rows.append(Row("onnxruntime", "ConvInteger", "i8", directs["i8"], agrees, conv_seconds, note="int32 sums"))
    for dtype in DTYPES:
        for algorithm in algorithms.values():
            exported = onnx.load_from_string(sfc.export(algorithm, "onnx", layer=shape.layer(dtype)))
            model = with_bound_weights(exported, data.w)
            session = ort_session(model)
            seconds = best(repeat, session.run, None, feeds[dtype])
            agrees = data.agreement(session.run(None, feeds[dtype])[0])
            output = model.graph.output[0].type.tensor_type.elem_type
            note = f"{onnx.helper.tensor_dtype_to_np_dtype(output)} sums; W an initializer (filter transform folded)"
            phases = {phase: share * seconds for phase, share in profiled_shares(model, feeds[dtype], repeat).items()}
            rows.append(
                Row("onnxruntime", f"{algorithm.name} layer", dtype, seconds, agrees, directs[dtype], phases, note)
            )
    return rows


# --- the table -----------------------------------------------------------------------------------------------------

BACKENDS = (c_backend, iree_backend, onnx_backend)


def print_table(shape: Shape, repeat: int, rows: list[Row]) -> None:
    """Times, speed-ups against the backend's direct convolution and against onnxruntime's f32 Conv, the split."""
    (conv,) = [row.seconds for row in rows if (row.backend, row.layer) == ("onnxruntime", "Conv")]
    print(f"{shape}, padding 1, one image, best of {repeat}, one thread:")
    print(
        f"  {'backend':<11} {'layer':<26} {'type':<4} {'ms':>8} {'x direct':>8} {'x ORT Conv':>10}  "
        f"{'input + products + output ms (shares)':<40} {'agrees':<11} note"
    )
    for row in rows:
        ratio = f"{row.direct / row.seconds:.2f}x" if row.direct is not None else "-"
        split = "-"
        if row.phases:
            total = sum(row.phases.values())
            times = " + ".join(f"{row.phases[p] * 1e3:.2f}" for p in PHASES)
            shares = "/".join(f"{row.phases[p] / total:.0%}" for p in PHASES)
            split = f"{times} ({shares})"
        print(
            f"  {row.backend:<11} {row.layer:<26} {row.dtype:<4} {row.seconds * 1e3:>8.2f} {ratio:>8} "
            f"{conv / row.seconds:>9.2f}x  {split:<40} {row.agrees:<11} {row.note}".rstrip()
        )


def parse_shapes(text: str) -> list[Shape]:
    """``64x56,128x28``: CHANNELSxSIDE, comma-separated."""
    shapes = []
    for item in text.split(","):
        channels, _, side = item.partition("x")
        if not (channels.isdigit() and side.isdigit() and int(channels) >= 1 and int(side) >= KERNEL):
            raise argparse.ArgumentTypeError(f"a shape is CHANNELSxSIDE with SIDE >= {KERNEL}, got {item!r}")
        shapes.append(Shape(int(channels), int(side)))
    return shapes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", type=parse_shapes, default="64x56,128x28,256x14", help="CHANNELSxSIDE,...")
    parser.add_argument("--algorithms", help=f"comma-separated from {', '.join(ALGORITHMS)} (default all)")
    parser.add_argument("--repeat", type=int, default=5, help="calls timed per layer (the best counts)")
    parser.add_argument("--quick", action="store_true", help="16 channels at 14x14, sfc6 unless --algorithms, 1 call")
    args = parser.parse_args()
    if args.quick:
        args.shapes, args.repeat = [Shape(16, 14)], 1
        args.algorithms = args.algorithms or "sfc6"
    keys = (args.algorithms or ",".join(ALGORITHMS)).split(",")
    if unknown := [key for key in keys if key not in ALGORITHMS]:
        parser.error(f"unknown algorithm {unknown[0]!r}: choose from {', '.join(ALGORITHMS)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    algorithms = {key: sfc.derive(*ALGORITHMS[key], kernel=KERNEL) for key in keys}
    agree = True
    for shape in args.shapes:
        data = LayerData.random(shape)
        rows = [row for backend in BACKENDS for row in backend(shape, data, algorithms, args.repeat)]
        print_table(shape, args.repeat, rows)
        agree = agree and not any(row.agrees.startswith("DIFFERS") for row in rows)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
