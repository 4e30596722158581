"""Symmetric quantization of layers: transform-domain (fast layers) and int8 direct (the baseline).

Grid: b bits hold the integers -Q..Q with Q = 2^(b-1) - 1 (symmetric, -2^(b-1) unused); a value v with scale s
becomes clip(round(v / s), -Q, Q), rounding half to even (numpy's rint). Scales are positive floats.

Fast layer (the default of the paper): only V = BT2 d and U = G2 g are quantized; V has one scale per
transform position t over all tiles and channels (``v_scales`` (K,)), U one per position and output channel
(``u_scales`` (K, C_out)). The channel sums are exact integers sum_c Vq Uq, de-scaled per (t, k) into M; the
output transform and the bias stay in float. Direct layers: weights per output channel, activations per tensor.

Calibration: ``max`` takes the largest magnitude as the clip value (scale = max / Q); ``mse`` takes the clip
value c * max, c in ``MSE_RATIOS`` (0.01, 0.02, ..., 1.00), with the least quantization MSE on a fixed sample
of at most ``MSE_SAMPLE`` values per scale (evenly strided: deterministic), the smallest such c on ties. Zero
slices get scale 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np

from ..algorithm import Algorithm
from ..analysis.bounds import levels
from ..errors import InputError
from . import METHODS, Method
from .engine import (
    LayerTransforms,
    Padding,
    check_layer,
    direct_conv2d,
    exact_dtype,
    filter_transform,
    input_transform,
    layer_transforms,
    output_size,
    output_transform,
    pad_input,
    products,
    with_bias,
)

MSE_RATIOS = np.arange(1, 101) / 100
"""Clip ratios (of the largest magnitude) that ``mse`` calibration tries."""
MSE_SAMPLE = 65536
"""At most this many values per scale enter the ``mse`` search."""


def _check_bits(bits: int) -> int:
    if not 2 <= bits <= 32:
        raise InputError(f"quantization takes 2 to 32 bits, got {bits}")
    return levels(bits)


def _kept_axes(ndim: int, axis: int | tuple[int, ...] | None) -> tuple[int, ...]:
    axes = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
    if not all(-ndim <= a < ndim for a in axes) or len({a % ndim for a in axes}) != len(axes):
        raise InputError(f"axis {axis!r} for an array of {ndim} dimensions")
    return tuple(a % ndim for a in axes)


def _sample(slices: np.ndarray) -> np.ndarray:
    """At most MSE_SAMPLE columns of slices (S, n), evenly strided."""
    count = slices.shape[1]
    if count <= MSE_SAMPLE:
        return slices
    return slices[:, np.arange(MSE_SAMPLE) * count // MSE_SAMPLE]


def symmetric_scale(
    values: np.ndarray, bits: int, method: Method = "max", axis: int | tuple[int, ...] | None = None
) -> np.ndarray:
    """One scale per slice along the kept axes ``axis`` (None: one scale for the whole array, 0-d result).

    E.g. V (K, tiles, C) with axis=0 gives (K,); U (K, C_out, C_in) with axis=(0, 1) gives (K, C_out). The
    result has the kept axes' shape, in their order; ``max`` and ``mse`` as in the module docstring."""
    q = _check_bits(bits)
    if method not in METHODS:
        raise InputError(f"calibration method must be one of {', '.join(METHODS)}, got {method!r}")
    values = np.asarray(values, dtype=np.float64)
    kept = _kept_axes(values.ndim, axis)
    kept_shape = tuple(values.shape[a] for a in kept)
    slices = np.moveaxis(values, kept, tuple(range(len(kept)))).reshape(prod(kept_shape), -1)
    if slices.shape[1] == 0:
        raise InputError("no values to calibrate a scale on")
    largest = np.abs(slices).max(axis=1)
    zero = largest == 0
    largest[zero] = q
    clip = largest if method == "max" else _mse_ratios(_sample(slices), largest, bits) * largest
    scales = clip / q
    scales[zero] = 1.0
    return scales.reshape(kept_shape)


def _mse_ratios(sample: np.ndarray, largest: np.ndarray, bits: int) -> np.ndarray:
    """Per row of sample (S, n), the ratio of MSE_RATIOS whose clip value ratio * largest quantizes it with
    the least MSE (the first on ties)."""
    errors = [
        np.mean((fake_quantize(sample, (ratio * largest / levels(bits))[:, None], bits) - sample) ** 2, axis=1)
        for ratio in MSE_RATIOS
    ]
    return MSE_RATIOS[np.argmin(np.array(errors), axis=0)]


def quantize(values: np.ndarray, scales: np.ndarray | float, bits: int) -> np.ndarray:
    """int64 clip(rint(values / scales), -Q, Q); scales broadcast against values."""
    q = _check_bits(bits)
    return np.clip(np.rint(np.asarray(values) / scales), -q, q).astype(np.int64)


def fake_quantize(values: np.ndarray, scales: np.ndarray | float, bits: int) -> np.ndarray:
    """quantize(values, scales, bits) * scales, in float64."""
    return quantize(values, scales, bits) * np.asarray(scales, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class FastLayerQuantization:
    """Scales of a quantized fast layer: ``v_scales`` (K,) per transform position, ``u_scales`` (K, C_out) per
    position and output channel, ``bits`` for both V and U."""

    bits: int
    v_scales: np.ndarray
    u_scales: np.ndarray


def calibrate_fast_layer(
    x_calib: np.ndarray | list[np.ndarray],
    w: np.ndarray,
    algorithm: Algorithm | LayerTransforms,
    bits: int,
    method: Method = "max",
) -> FastLayerQuantization:
    """Scales from calibration inputs, ALREADY padded as the Conv says (one (N, C, H, W) array or a list of
    them, sizes may differ): V scales over BT2 of all their tiles and channels, U scales from G2 w."""
    lt = layer_transforms(algorithm)
    batches = [x_calib] if isinstance(x_calib, np.ndarray) else list(x_calib)
    if not batches:
        raise InputError("calibration needs at least one input batch")
    for x in batches:
        check_layer(x, w, lt.kernel)
    v = np.concatenate([input_transform(x.astype(np.float64, copy=False), lt) for x in batches], axis=1)
    u = filter_transform(w.astype(np.float64, copy=False), lt)
    return FastLayerQuantization(bits, symmetric_scale(v, bits, method, 0), symmetric_scale(u, bits, method, (0, 1)))


def _integer_products(uq: np.ndarray, vq: np.ndarray, bits: int) -> np.ndarray:
    """sum_c Vq Uq per position, computed exactly (|sum| <= c_in Q^2 bounds every partial sum), as float64."""
    dtype = exact_dtype(vq.shape[2] * levels(bits) ** 2)
    return products(uq.astype(dtype), vq.astype(dtype)).astype(np.float64)


def quantized_fast_conv2d(
    x: np.ndarray,
    w: np.ndarray,
    bias: np.ndarray | None,
    padding: Padding,
    algorithm: Algorithm | LayerTransforms,
    quantization: FastLayerQuantization,
) -> np.ndarray:
    """The fast layer with V and U quantized (module docstring), float64 output (N, C_out, Ho, Wo):
    M[t, :, k] = v_scales[t] u_scales[t, k] sum_c Vq[t, :, c] Uq[t, k, c], then AT2 in float, bias after."""
    lt = layer_transforms(algorithm)
    check_layer(x, w, lt.kernel)
    v_scales, u_scales, bits = quantization.v_scales, quantization.u_scales, quantization.bits
    if v_scales.shape != (lt.products,) or u_scales.shape != (lt.products, w.shape[0]):
        raise InputError(
            f"scales of shapes {v_scales.shape} and {u_scales.shape} do not fit {lt.name} with {w.shape[0]} "
            f"output channels: expected ({lt.products},) and ({lt.products}, {w.shape[0]})"
        )
    x_padded = pad_input(x.astype(np.float64, copy=False), padding)
    out = output_size(x_padded, lt.kernel)
    vq = quantize(input_transform(x_padded, lt), v_scales[:, None, None], bits)
    uq = quantize(filter_transform(w.astype(np.float64, copy=False), lt), u_scales[:, :, None], bits)
    m = _integer_products(uq, vq, bits) * (v_scales[:, None, None] * u_scales[:, None, :])
    y = output_transform(m, lt, (x.shape[0], *out))
    return with_bias(y, bias)


def weight_scales(w: np.ndarray, bits: int = 8, method: Method = "max") -> np.ndarray:
    """Per output channel scales (C_out,) of weights (C_out, C_in, r, r)."""
    return symmetric_scale(w, bits, method, 0)


def activation_scale(x: np.ndarray | list[np.ndarray], bits: int = 8, method: Method = "max") -> float:
    """One scale for a whole activation tensor (or the calibration batches together)."""
    values = x if isinstance(x, np.ndarray) else np.concatenate([np.ravel(batch) for batch in x])
    return float(symmetric_scale(values, bits, method))


def quantized_direct_conv2d(
    x: np.ndarray,
    w: np.ndarray,
    bias: np.ndarray | None,
    padding: Padding,
    stride: int,
    act_scale: float,
    w_scales: np.ndarray,
    bits: int = 8,
) -> np.ndarray:
    """The direct layer on quantized inputs (one scale) and weights (per output channel), accumulated exactly
    in integers and de-scaled; float64 output, bias after."""
    if w_scales.shape != (w.shape[0],):
        raise InputError(f"weight scales of shape {w_scales.shape} for {w.shape[0]} output channels")
    xq = quantize(x, act_scale, bits)
    wq = quantize(w, w_scales[:, None, None, None], bits)
    y = direct_conv2d(xq, wq, None, padding, stride).astype(np.float64) * (act_scale * w_scales)[None, :, None, None]
    return with_bias(y, bias)


def relative_rms(approx: np.ndarray, exact: np.ndarray) -> float:
    """||approx - exact||_2 / ||exact||_2 over all elements."""
    exact = np.asarray(exact, dtype=np.float64)
    norm = float(np.sqrt(np.sum(exact**2)))
    if norm == 0:
        raise InputError("the relative error of an all-zero reference is undefined")
    return float(np.sqrt(np.sum((np.asarray(approx, dtype=np.float64) - exact) ** 2))) / norm
