"""Throughput of the numpy layer engine on ResNet-20-sized layers. Prints figures; asserts nothing.

    python benchmarks/bench_layer_engine.py [--batch 100] [--channels 16,32,64] [--size 32] [--runs 3]
                                            [--catalog paper|all]

For every 3x3 algorithm of the catalog and every channel count C (C_in = C_out = C, padding 1, so the
output is size x size): images per second of ``fast_conv2d`` (float64), of ``quantized_fast_conv2d`` at
8 bits (scales calibrated beforehand with ``max``, not timed) and, on the first row of each C, of
``direct_conv2d`` (float64, one channel contraction per kernel tap) and ``quantized_direct_conv2d``;
the best of ``--runs``. BLAS threads are as the environment sets them (OMP_NUM_THREADS etc.).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from sfc_cli.catalog import catalog_rows
from sfc_cli.layers.engine import LayerTransforms, direct_conv2d, fast_conv2d, pad_input
from sfc_cli.layers.quantize import (
    activation_scale,
    calibrate_fast_layer,
    quantized_direct_conv2d,
    quantized_fast_conv2d,
    weight_scales,
)
from sfc_cli.request import build_algorithm


def best_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--channels", default="16,32,64")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--catalog", choices=("paper", "all"), default="paper")
    args = parser.parse_args()
    algorithms = [build_algorithm(row.request_for(2, "G")) for row in catalog_rows(args.catalog)]
    algorithms = [algorithm for algorithm in algorithms if algorithm.kernel == 3]
    rng = np.random.default_rng(0)
    print(f"images/s, batch {args.batch}, {args.size}x{args.size}, padding 1, best of {args.runs}")
    print(f"{'layer':<10} {'algorithm':<22} {'K':>4} {'float':>9} {'int8':>9}")
    for channels in (int(c) for c in args.channels.split(",")):
        x = rng.standard_normal((args.batch, channels, args.size, args.size))
        w = rng.standard_normal((channels, channels, 3, 3)) / (3 * np.sqrt(channels))
        layer = f"C={channels}"
        act, w_scales = activation_scale(x), weight_scales(w)
        direct = best_seconds(lambda x=x, w=w: direct_conv2d(x, w, None, 1), args.runs)
        direct_q = best_seconds(
            lambda x=x, w=w, a=act, s=w_scales: quantized_direct_conv2d(x, w, None, 1, 1, a, s), args.runs
        )
        print(f"{layer:<10} {'direct':<22} {9:>4} {args.batch / direct:>9.0f} {args.batch / direct_q:>9.0f}")
        x_padded = pad_input(x, 1)
        for algorithm in algorithms:
            lt = LayerTransforms.of(algorithm)
            quantization = calibrate_fast_layer(x_padded, w, lt, 8, "max")
            fast = best_seconds(lambda x=x, w=w, lt=lt: fast_conv2d(x, w, None, 1, lt), args.runs)
            fast_q = best_seconds(
                lambda x=x, w=w, lt=lt, q=quantization: quantized_fast_conv2d(x, w, None, 1, lt, q), args.runs
            )
            name = algorithm.name
            print(f"{layer:<10} {name:<22} {lt.products:>4} {args.batch / fast:>9.0f} {args.batch / fast_q:>9.0f}")


if __name__ == "__main__":
    main()
