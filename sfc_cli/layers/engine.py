"""A whole 2-D convolution layer through a verified fast algorithm, in float and in exact integers.

Conventions (those of ONNX and PyTorch ``Conv`` with stride 1, dilation 1 and one group): inputs are NCHW
arrays (N, C_in, H, W), weights (C_out, C_in, r, r), outputs (N, C_out, Ho, Wo); the layer is a correlation,
``y[b, k, i, j] = sum_{c, u, v} w[k, c, u, v] * x_padded[b, c, i + u, j + v]`` (+ bias[k]). Padding is an int
(every side) or ONNX ``pads`` [top, left, bottom, right], zeros.

The fast layer cuts the padded input into overlapping n x n tiles (n = m + r - 1, stride m, overlap r - 1),
zero-padded on the bottom and right so that the tiles cover the Ho x Wo output, and works position-major: for
every transform position t (K of them), V[t] is a (tiles, C_in) matrix and U[t] a (C_out, C_in) matrix, so the
channel sums M[t] = V[t] @ U[t].T are one batched matmul; the output transform stitches the m x m output tiles
and crops them to Ho x Wo. Tiles are flattened row-major, as the algorithm's 2-D transforms read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..algebra.bilinear import Transforms
from ..algebra.matrix import QMatrix
from ..algorithm import Algorithm
from ..analysis.bounds import levels
from ..errors import InputError, VerificationError
from ..export.integers import signed_width

Padding = int | Sequence[int]
INT64_LIMIT = 2**63
"""Every value and partial sum of an int64 computation must stay below this magnitude."""
FLOAT64_EXACT = 2**53
"""Integers below this magnitude, and sums of them that stay below it, are exact in float64."""


def _float_matrix(matrix: QMatrix) -> np.ndarray:
    """Each entry rounded once to the nearest double."""
    return _read_only(np.array([[float(x) for x in row] for row in matrix.rows], dtype=np.float64))


def _integer_matrix(matrix: QMatrix) -> tuple[np.ndarray, int]:
    """(numerators, least common denominator): int64 when every numerator fits, Python ints otherwise."""
    denominator = matrix.common_denominator()
    numerators = matrix.numerators(denominator)
    fits = all(abs(x) < INT64_LIMIT for row in numerators for x in row)
    return _read_only(np.array(numerators, dtype=np.int64 if fits else object)), denominator


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class LayerTransforms:
    """An algorithm's 2-D transforms as arrays: ``BT`` (K, n*n), ``G`` (K, r*r), ``AT`` (m*m, K) in float64
    (each entry rounded once), and exactly as ``BT == BT_num / BT_den`` etc. (int64, or object arrays of Python
    ints when a numerator does not fit). ``tile`` m, ``kernel`` r, ``input`` n = m + r - 1, ``products`` K.
    Build it with ``LayerTransforms.of(algorithm)`` (cached); the arrays are read-only."""

    name: str
    tile: int
    kernel: int
    input: int
    products: int
    BT: np.ndarray
    G: np.ndarray
    AT: np.ndarray
    BT_num: np.ndarray
    G_num: np.ndarray
    AT_num: np.ndarray
    BT_den: int
    G_den: int
    AT_den: int

    _cache: ClassVar[dict[tuple[str, Transforms], LayerTransforms]] = {}
    """Keyed by the exact 2-D transforms themselves: an algorithm built or changed by hand never meets another's."""

    @classmethod
    def of(cls, algorithm: Algorithm) -> LayerTransforms:
        """The layer transforms of a verified algorithm; InputError when it has no 2-D transforms."""
        if algorithm.two_d is None:
            raise InputError(f"{algorithm.name} is 1-D: a convolution layer needs a 2-D algorithm (--dims 2)")
        key = (algorithm.name, algorithm.two_d)
        if key not in cls._cache:
            two_d = algorithm.two_d
            (bt_num, bt_den), (g_num, g_den), (at_num, at_den) = map(_integer_matrix, (two_d.BT, two_d.G, two_d.AT))
            cls._cache[key] = cls(
                algorithm.name,
                algorithm.tile,
                algorithm.kernel,
                algorithm.input_size,
                two_d.products,
                _float_matrix(two_d.BT),
                _float_matrix(two_d.G),
                _float_matrix(two_d.AT),
                bt_num,
                g_num,
                at_num,
                bt_den,
                g_den,
                at_den,
            )
        return cls._cache[key]

    @property
    def denominator(self) -> int:
        """BT_den * G_den * AT_den: AT_num ((G_num g) * (BT_num d)) is this multiple of the correlation."""
        return self.BT_den * self.G_den * self.AT_den


def layer_transforms(algorithm: Algorithm | LayerTransforms) -> LayerTransforms:
    return algorithm if isinstance(algorithm, LayerTransforms) else LayerTransforms.of(algorithm)


def conv_padding(padding: Padding) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) from an int or ONNX pads [top, left, bottom, right]; InputError otherwise."""
    pads = (padding,) * 4 if isinstance(padding, int | np.integer) else tuple(padding)
    if len(pads) != 4 or not all(isinstance(p, int | np.integer) and p >= 0 for p in pads):
        raise InputError(f"padding must be a non-negative int or [top, left, bottom, right], got {padding!r}")
    return tuple(int(p) for p in pads)  # type: ignore[return-value]


def _zero_pad(x: np.ndarray, top: int, left: int, bottom: int, right: int) -> np.ndarray:
    """x (N, C, H, W) with zero rows and columns around it; object arrays get Python int zeros (np.pad would
    put int64 zeros into them, and int64 arithmetic with Python integers can overflow)."""
    if not any((top, left, bottom, right)):
        return x
    batch, channels, height, width = x.shape
    padded = np.zeros((batch, channels, top + height + bottom, left + width + right), dtype=x.dtype)
    padded[:, :, top : top + height, left : left + width] = x
    return padded


def pad_input(x: np.ndarray, padding: Padding) -> np.ndarray:
    """x (N, C, H, W) zero-padded as the Conv says."""
    return _zero_pad(x, *conv_padding(padding))


def check_layer(x: np.ndarray, w: np.ndarray, kernel: int | None = None) -> None:
    """InputError unless x is (N, C, H, W) and w (C_out, C, r, r), with r == kernel when given."""
    if x.ndim != 4 or w.ndim != 4:
        raise InputError(f"a layer takes NCHW inputs and (C_out, C_in, r, r) weights, got {x.shape} and {w.shape}")
    if w.shape[2] != w.shape[3] or (kernel is not None and w.shape[2] != kernel):
        expected = f"{kernel}x{kernel}" if kernel is not None else "square"
        raise InputError(f"weights of shape {w.shape}: the kernel must be {expected}")
    if x.shape[1] != w.shape[1]:
        raise InputError(f"the input has {x.shape[1]} channels, the weights read {w.shape[1]}")


def output_size(x_padded: np.ndarray, kernel: int, stride: int = 1) -> tuple[int, int]:
    """(Ho, Wo) of the layer on x_padded (N, C, H, W); InputError when the kernel does not fit."""
    height, width = x_padded.shape[2:]
    if height < kernel or width < kernel:
        raise InputError(f"a {height}x{width} input (padded) is smaller than the {kernel}x{kernel} kernel: no output")
    return (height - kernel) // stride + 1, (width - kernel) // stride + 1


def tiles(x: np.ndarray, tile: int, kernel: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The overlapping n x n input tiles (N, C, TH, TW, n, n) of an already padded x (N, C, H, W), and the
    output size (Ho, Wo) = (H - r + 1, W - r + 1).

    Tile (i, j) starts at row i*m, column j*m; TH = ceil(Ho / m), TW = ceil(Wo / m); x is zero-padded on the
    bottom and right as the last tiles need. The tiles are a read-only strided view (no copy of the overlaps).
    """
    n = tile + kernel - 1
    height, width = x.shape[2:]
    out = output_size(x, kernel)
    rows, cols = (-(-size // tile) for size in out)
    padded = _zero_pad(x, 0, 0, rows * tile + kernel - 1 - height, cols * tile + kernel - 1 - width)
    windows = sliding_window_view(padded, (n, n), axis=(2, 3))
    return windows[:, :, ::tile, ::tile], out


def _tile_grid(shape: tuple[int, int, int], tile: int) -> tuple[int, int, int]:
    batch, height, width = shape
    return batch, -(-height // tile), -(-width // tile)


def _input_transform(x_padded: np.ndarray, lt: LayerTransforms, bt: np.ndarray) -> np.ndarray:
    """V (K, N*TH*TW, C): bt applied to every tile and channel; tiles in (n, th, tw) order."""
    windows, _ = tiles(x_padded, lt.tile, lt.kernel)
    batch, channels, rows, cols = windows.shape[:4]
    d = windows.transpose(0, 2, 3, 1, 4, 5).reshape(batch * rows * cols * channels, lt.input**2)
    v = (d @ bt.T).reshape(batch * rows * cols, channels, lt.products)
    return np.ascontiguousarray(v.transpose(2, 0, 1))


def _filter_transform(w: np.ndarray, lt: LayerTransforms, g: np.ndarray) -> np.ndarray:
    """U (K, C_out, C_in): g applied to every (output, input) channel pair's kernel."""
    c_out, c_in = w.shape[:2]
    u = (w.reshape(c_out * c_in, lt.kernel**2) @ g.T).reshape(c_out, c_in, lt.products)
    return np.ascontiguousarray(u.transpose(2, 0, 1))


def _output_transform(m: np.ndarray, lt: LayerTransforms, shape: tuple[int, int, int], at: np.ndarray) -> np.ndarray:
    """Y (N, C_out, Ho, Wo): at applied to every tile's products, tiles stitched and cropped."""
    batch, rows, cols = _tile_grid(shape, lt.tile)
    count, positions, c_out = m.shape
    if count != lt.products or positions != batch * rows * cols:
        raise ValueError(f"products of shape {m.shape} do not match {lt.name} on {batch}x{rows}x{cols} tiles")
    y = (at @ m.reshape(count, positions * c_out)).reshape(lt.tile, lt.tile, batch, rows, cols, c_out)
    y = y.transpose(2, 5, 3, 0, 4, 1).reshape(batch, c_out, rows * lt.tile, cols * lt.tile)
    return y[:, :, : shape[1], : shape[2]]


def float_dtype(*arrays: np.ndarray) -> type[np.floating]:
    """float32 when every array is float32, float64 otherwise: the float paths compute and return this."""
    return np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64


def input_transform(x_padded: np.ndarray, lt: LayerTransforms) -> np.ndarray:
    """V (K, N*TH*TW, C) = BT applied to every tile of x_padded (N, C, H, W) and channel, in float."""
    dtype = float_dtype(x_padded)
    return _input_transform(x_padded.astype(dtype, copy=False), lt, lt.BT.astype(dtype))


def filter_transform(w: np.ndarray, lt: LayerTransforms) -> np.ndarray:
    """U (K, C_out, C_in) = G applied to every kernel of w (C_out, C_in, r, r), in float."""
    dtype = float_dtype(w)
    return _filter_transform(w.astype(dtype, copy=False), lt, lt.G.astype(dtype))


def products(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """M (K, N*TH*TW, C_out) with M[t] = V[t] @ U[t].T: the channel sums, one batched matmul over positions."""
    return np.matmul(v, u.transpose(0, 2, 1))


def output_transform(m: np.ndarray, lt: LayerTransforms, shape: tuple[int, int, int]) -> np.ndarray:
    """Y (N, C_out, Ho, Wo) from M (K, N*TH*TW, C_out); ``shape`` is (N, Ho, Wo)."""
    return _output_transform(m, lt, shape, lt.AT.astype(m.dtype if m.dtype == np.float32 else np.float64))


def with_bias(y: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """y (N, C_out, H, W) plus one bias per output channel (None: y); InputError for a bias of another length."""
    if bias is None:
        return y
    if bias.shape != (y.shape[1],):
        raise InputError(f"bias of shape {bias.shape} for {y.shape[1]} output channels")
    return y + bias.astype(y.dtype, copy=False)[None, :, None, None]


def fast_conv2d(
    x: np.ndarray,
    w: np.ndarray,
    bias: np.ndarray | None = None,
    padding: Padding = 0,
    algorithm: Algorithm | LayerTransforms | None = None,
) -> np.ndarray:
    """The layer (module docstring) through ``algorithm`` (required) in float: float32 when x and w are
    float32 (computed in float32), float64 otherwise. Bias is added after the output transform."""
    if algorithm is None:
        raise TypeError("fast_conv2d needs an algorithm")
    lt = layer_transforms(algorithm)
    check_layer(x, w, lt.kernel)
    dtype = float_dtype(x, w)
    x_padded = pad_input(x.astype(dtype, copy=False), padding)
    m = products(filter_transform(w.astype(dtype, copy=False), lt), input_transform(x_padded, lt))
    return with_bias(output_transform(m, lt, (x.shape[0], *output_size(x_padded, lt.kernel))), bias)


def _integer_input(*arrays: np.ndarray) -> None:
    if not all(a.dtype.kind in "iu" or (a.dtype == object and all(isinstance(v, int) for v in a.flat)) for a in arrays):
        raise InputError("the exact layer takes integer inputs and weights")


def _largest(array: np.ndarray) -> int:
    """max |array| as a Python int (0 when empty)."""
    return max(-int(array.min(initial=0)), int(array.max(initial=0)))


def exact_dtype(bound: int) -> type:
    """Where integers whose every value and partial sum is at most ``bound`` in magnitude add up exactly:
    float64 (BLAS) below 2^53, int64 below 2^63, Python ints (object arrays) beyond."""
    if bound < FLOAT64_EXACT:
        return np.float64
    return np.int64 if bound < INT64_LIMIT else object


def _exact_result(y: np.ndarray, bound: int) -> np.ndarray:
    """An exact integer result as int64 when ``bound`` (on |y|) is below 2^63, else as Python ints."""
    return np.ascontiguousarray(y.astype(np.int64 if bound < INT64_LIMIT else object))


def direct_conv2d(
    x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None, padding: Padding = 0, stride: int = 1
) -> np.ndarray:
    """The reference layer (module docstring), with an optional stride: one contraction over channels per
    kernel tap. Integer x and w give the exact result, computed as ``exact_dtype`` says for the bound
    C_in r^2 max|x| max|w| and returned as int64 when that bound is below 2^63, as Python ints otherwise;
    float inputs give float32 when both are float32, float64 otherwise."""
    check_layer(x, w)
    if stride < 1:
        raise InputError(f"stride must be at least 1, got {stride}")
    kernel = w.shape[2]
    integer = x.dtype.kind in "iuO" and w.dtype.kind in "iuO"
    if integer:
        _integer_input(x, w)
        bound = x.shape[1] * kernel**2 * _largest(x) * _largest(w)
        dtype = exact_dtype(bound)
    else:
        dtype = float_dtype(x, w)
    x_padded = pad_input(x.astype(dtype, copy=False), padding)
    w = w.astype(dtype, copy=False)
    out = output_size(x_padded, kernel, stride)
    y = sum(
        np.tensordot(
            x_padded[:, :, u : u + stride * (out[0] - 1) + 1 : stride, v : v + stride * (out[1] - 1) + 1 : stride],
            w[:, :, u, v],
            axes=([1], [1]),
        )
        for u in range(kernel)
        for v in range(kernel)
    )
    y = y.transpose(0, 3, 1, 2)
    return with_bias(_exact_result(y, bound) if integer else np.ascontiguousarray(y), bias)


Range = tuple[int, int]


def _linear_ranges(rows: np.ndarray, operand: Sequence[Range]) -> tuple[Range, ...]:
    """The exact range of each row's sum_j a_j z_j when every z_j ranges over operand[j] independently."""
    ranges = []
    for row in rows.tolist():
        terms = [sorted((a * low, a * high)) for a, (low, high) in zip(row, operand, strict=True)]
        ranges.append((sum(t[0] for t in terms), sum(t[1] for t in terms)))
    return tuple(ranges)


def _product_range(a: Range, b: Range, count: int) -> Range:
    """The exact range of a sum of ``count`` independent products of one factor in a and one in b."""
    corners = [p * q for p in a for q in b]
    return count * min(corners), count * max(corners)


def _width(ranges: Sequence[Range]) -> int:
    return signed_width(min(r[0] for r in ranges), max(r[1] for r in ranges))


@dataclass(frozen=True)
class AccumulatorBits:
    """Proved two's-complement widths of the exact integer layer (``fast_conv2d_exact``) with ``c_in`` input
    channels, inputs in [-2^(ib-1), 2^(ib-1) - 1] and weights in [-2^(wb-1), 2^(wb-1) - 1].

    ``v``: V_num = BT_num d; ``u``: U_num = G_num g; ``m``: the accumulator M[t] = sum_c U_num V_num; ``y``: the
    output transform's sums AT_num M; ``y_attained``: the final Y_num = denominator * y, whose range is attained.
    The ranges per transform position t (``v_range``, ``u_range``, ``m_range``) are exact and attained.
    """

    c_in: int
    input_bits: int
    weight_bits: int
    v: int
    u: int
    m: int
    y: int
    y_attained: int
    v_range: tuple[Range, ...]
    u_range: tuple[Range, ...]
    m_range: tuple[Range, ...]


def _signed_range(bits: int) -> Range:
    if bits < 1:
        raise InputError(f"a width must be at least 1 bit, got {bits}")
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _stage_ranges(
    lt: LayerTransforms, c_in: int, inputs: Range, weights: Range
) -> tuple[tuple[Range, ...], tuple[Range, ...], tuple[Range, ...], tuple[Range, ...]]:
    """Ranges of V_num[t], U_num[t], M[t] (exact, attained) and of row i of AT_num M (a bound)."""
    v = _linear_ranges(lt.BT_num, [inputs] * lt.input**2)
    u = _linear_ranges(lt.G_num, [weights] * lt.kernel**2)
    m = tuple(_product_range(vt, ut, c_in) for vt, ut in zip(v, u, strict=True))
    return v, u, m, _linear_ranges(lt.AT_num, m)


def accumulator_bits(
    algorithm: Algorithm | LayerTransforms, c_in: int, input_bits: int = 8, weight_bits: int = 8
) -> AccumulatorBits:
    """Proved widths of the exact integer layer (see ``AccumulatorBits``).

    Proof. A linear form sum_j a_j z_j over independent z_j in [lo_j, hi_j] ranges exactly over
    [sum_j min(a_j lo_j, a_j hi_j), sum_j max(a_j lo_j, a_j hi_j)], both ends attained (each z_j at the end its
    coefficient's sign picks). V_num[t] reads one tile's n^2 inputs, U_num[t] one kernel's r^2 weights: their
    ranges are those of rows t of BT_num and G_num, attained. M[t] = sum_c U_num[t, k, c] V_num[t, c] adds c_in
    products whose factors depend on disjoint inputs and weights, so its range is c_in times the extreme corner
    products, attained. Row i of AT_num M is a linear form in the M[t], bounded by the same rule (the M[t] share
    inputs, so this bound need not be attained). Every range contains 0 and every term of each sum ranges over an
    interval containing 0, so every partial sum, in any order, lies in the stage's range too. Finally
    Y_num = AT_num ((G_num g) * (BT_num d)) = BT_den G_den AT_den * y exactly, and y, a sum of c_in r^2
    products w x, ranges over c_in r^2 times the extreme corners of [weights] x [inputs], attained.
    """
    lt = layer_transforms(algorithm)
    if c_in < 1:
        raise InputError(f"c_in must be at least 1, got {c_in}")
    inputs, weights = _signed_range(input_bits), _signed_range(weight_bits)
    v, u, m, y = _stage_ranges(lt, c_in, inputs, weights)
    low, high = _product_range(inputs, weights, c_in * lt.kernel**2)
    attained = signed_width(low * lt.denominator, high * lt.denominator)
    return AccumulatorBits(c_in, input_bits, weight_bits, _width(v), _width(u), _width(m), _width(y), attained, v, u, m)


def quantized_accumulator_bits(bits: int, c_in: int) -> int:
    """The width of sum_c Vq Uq over c_in channels when |Vq|, |Uq| <= 2^(b-1) - 1 (tap-wise quantization,
    symmetric grid): |sum| <= c_in (2^(b-1) - 1)^2, attained when every Vq = Uq = 2^(b-1) - 1."""
    if bits < 2 or c_in < 1:
        raise InputError(f"quantized accumulation needs bits >= 2 and c_in >= 1, got {bits} and {c_in}")
    bound = c_in * levels(bits) ** 2
    return signed_width(-bound, bound)


def exact_layer_dtype(algorithm: Algorithm | LayerTransforms, c_in: int, largest_x: int, largest_w: int) -> type:
    """What ``fast_conv2d_exact`` computes in (``exact_dtype``) for |x| <= largest_x, |w| <= largest_w: the
    largest proved range of any of its stages (``accumulator_bits``' proof) decides."""
    stages = _stage_ranges(layer_transforms(algorithm), c_in, (-largest_x, largest_x), (-largest_w, largest_w))
    return exact_dtype(max(max(-low, high) for ranges in stages for low, high in ranges))


def fast_conv2d_exact(
    x: np.ndarray, w: np.ndarray, padding: Padding, algorithm: Algorithm | LayerTransforms
) -> np.ndarray:
    """The layer (module docstring) through ``algorithm`` in exact integers, equal to ``direct_conv2d``.

    V_num = BT_num d, U_num = G_num g, M[t] = sum_c U_num V_num, Y_num = AT_num M, then Y_num divided exactly by
    BT_den G_den AT_den (VerificationError if it does not divide). Computed in ``exact_layer_dtype``;
    returned as int64 exactly when ``direct_conv2d`` returns int64, else as Python ints."""
    lt = layer_transforms(algorithm)
    check_layer(x, w, lt.kernel)
    _integer_input(x, w)
    largest_x, largest_w = _largest(x), _largest(w)
    dtype = exact_layer_dtype(lt, x.shape[1], largest_x, largest_w)
    x_padded = pad_input(x.astype(dtype, copy=False), padding)
    out = output_size(x_padded, lt.kernel)
    bt, g, at = (matrix.astype(dtype) for matrix in (lt.BT_num, lt.G_num, lt.AT_num))
    m = products(_filter_transform(w.astype(dtype, copy=False), lt, g), _input_transform(x_padded, lt, bt))
    y = _output_transform(m, lt, (x.shape[0], *out), at)
    if dtype is np.float64:
        y = y.astype(np.int64)
    if np.any(y % lt.denominator != 0):
        raise VerificationError(f"{lt.name}: the integer layer is not a multiple of {lt.denominator}")
    return _exact_result(y // lt.denominator, x.shape[1] * lt.kernel**2 * largest_x * largest_w)
