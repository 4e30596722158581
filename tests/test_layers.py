"""The layer engine: fast layers equal the direct correlation exactly in integers, the proved widths are attained,
and the transform-domain quantization follows its conventions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfc_cli.errors import InputError
from sfc_cli.export.integers import signed_width
from sfc_cli.layers.engine import (
    LayerTransforms,
    accumulator_bits,
    direct_conv2d,
    exact_layer_dtype,
    fast_conv2d,
    fast_conv2d_exact,
    filter_transform,
    input_transform,
    output_transform,
    pad_input,
    products,
    quantized_accumulator_bits,
    tiles,
)
from sfc_cli.layers.quantize import (
    MSE_SAMPLE,
    activation_scale,
    calibrate_fast_layer,
    fake_quantize,
    quantize,
    quantized_direct_conv2d,
    quantized_fast_conv2d,
    relative_rms,
    symmetric_scale,
    weight_scales,
)
from sfc_cli.request import AlgorithmRequest, build_algorithm

REQUESTS = {
    "F(2x2,3x3)": AlgorithmRequest("winograd", 2, 3),
    "F(4x4,3x3)": AlgorithmRequest("winograd", 4, 3),
    "F(6x6,3x3)": AlgorithmRequest("winograd", 6, 3),
    "SFC-4(4x4,3x3)": AlgorithmRequest("sfc", 4, 3),
    "SFC-6(6x6,3x3)": AlgorithmRequest("sfc", 6, 3),
    "SFC-6(7x7,3x3)": AlgorithmRequest("sfc", 7, 3),
    "SFC-6(6x6,5x5)": AlgorithmRequest("sfc", 6, 5),
    "F(2x2,5x5)": AlgorithmRequest("winograd", 2, 5),
    "F(2x2,7x7)": AlgorithmRequest("winograd", 2, 7),
    "SFC-6(4x4,7x7)": AlgorithmRequest("sfc", 4, 7),
    "CRT(4x4,3x3)": AlgorithmRequest("crt", 4, 3, moduli="x, x-1, x+1, x^2+1, inf"),
}
ALGORITHMS = {name: build_algorithm(request) for name, request in REQUESTS.items()}
NAMES = sorted(ALGORITHMS)

paddings = st.one_of(
    st.integers(0, 2),
    st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)),
)


@pytest.mark.parametrize("name", NAMES)
def test_layer_transforms_are_the_algorithm(name: str) -> None:
    algorithm = ALGORITHMS[name]
    lt = LayerTransforms.of(algorithm)
    assert lt is LayerTransforms.of(algorithm)
    assert lt.name == algorithm.name and (lt.tile, lt.kernel, lt.input) == (
        algorithm.tile,
        algorithm.kernel,
        algorithm.input_size,
    )
    two_d = algorithm.two_d
    for floats, numerators, denominator, matrix in (
        (lt.BT, lt.BT_num, lt.BT_den, two_d.BT),
        (lt.G, lt.G_num, lt.G_den, two_d.G),
        (lt.AT, lt.AT_num, lt.AT_den, two_d.AT),
    ):
        assert numerators.tolist() == matrix.numerators(denominator) and denominator == matrix.common_denominator()
        assert floats.tolist() == [[float(x) for x in row] for row in matrix.rows]
    assert lt.BT.shape == (lt.products, lt.input**2) and lt.AT.shape == (lt.tile**2, lt.products)


@settings(max_examples=100, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    batch=st.integers(1, 2),
    c_in=st.integers(1, 3),
    c_out=st.integers(1, 3),
    extra=st.tuples(st.integers(0, 9), st.integers(0, 9)),
    padding=paddings,
    seed=st.integers(0, 2**32 - 1),
)
def test_fast_layer_equals_direct(name, batch, c_in, c_out, extra, padding, seed) -> None:
    algorithm = ALGORITHMS[name]
    r = algorithm.kernel
    rng = np.random.default_rng(seed)
    x = rng.integers(-128, 128, (batch, c_in, r + extra[0], r + extra[1]))
    w = rng.integers(-128, 128, (c_out, c_in, r, r))
    bias = rng.integers(-1000, 1000, c_out)
    direct = direct_conv2d(x, w, bias, padding)
    exact = fast_conv2d_exact(x, w, padding, algorithm) + bias[None, :, None, None]
    assert exact.dtype == direct.dtype == np.int64 and np.array_equal(exact, direct)
    fast = fast_conv2d(x.astype(np.float64), w.astype(np.float64), bias.astype(np.float64), padding, algorithm)
    assert fast.dtype == np.float64 and fast.shape == direct.shape
    assert np.max(np.abs(fast - direct)) <= 1e-9 * np.max(np.abs(direct))
    fast32 = fast_conv2d(x.astype(np.float32), w.astype(np.float32), None, padding, algorithm)
    assert fast32.dtype == np.float32


def test_the_stages_compose_and_tiles_cover_the_output() -> None:
    lt = LayerTransforms.of(ALGORITHMS["SFC-6(6x6,3x3)"])
    x = np.arange(2 * 3 * 15 * 10, dtype=np.float64).reshape(2, 3, 15, 10)
    windows, out = tiles(x, lt.tile, lt.kernel)
    assert out == (13, 8) and windows.shape == (2, 3, 3, 2, 8, 8)
    assert np.array_equal(windows[1, 2, 1, 0], x[1, 2, 6:14, 0:8])
    assert np.array_equal(windows[0, 0, 2, 1, :3, :4], x[0, 0, 12:15, 6:10]) and not windows[0, 0, 2, 1, 3:].any()
    w = np.ones((4, 3, 3, 3))
    v, u = input_transform(x, lt), filter_transform(w, lt)
    assert v.shape == (lt.products, 2 * 3 * 2, 3) and u.shape == (lt.products, 4, 3)
    y = output_transform(products(u, v), lt, (2, *out))
    assert np.allclose(y, direct_conv2d(x, w), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("name", ["F(4x4,3x3)", "SFC-6(6x6,3x3)", "F(2x2,7x7)"])
def test_extreme_values_in_float64_int64_and_python_integers(name: str) -> None:
    """Inputs at +-X, weights at -W, for X = W growing until the exact layer computes in float64 (every value
    below 2^53), int64, Python integers with an int64 result, and Python integers throughout."""
    algorithm = ALGORITHMS[name]
    r, c_in = algorithm.kernel, 3
    signs = np.random.default_rng(7).choice([-1, 1], (2, c_in, r + 7, r + 6))
    seen = []
    for shift in range(7, 40, 2):
        largest = 2**shift
        x, w = largest * signs.astype(object), np.full((2, c_in, r, r), -largest, dtype=object)
        if largest < 2**62:
            x, w = x.astype(np.int64), w.astype(np.int64)
        direct = direct_conv2d(x, w, padding=(0, 1, 2, 0))
        exact = fast_conv2d_exact(x, w, (0, 1, 2, 0), algorithm)
        assert exact.dtype == direct.dtype and np.array_equal(exact, direct)
        seen.append((exact_layer_dtype(algorithm, c_in, largest, largest), exact.dtype))
    assert seen[0] == (np.float64, np.int64) and seen[-1] == (object, object)
    assert (np.int64, np.int64) in seen and (object, np.int64) in seen


@pytest.mark.parametrize("name", ["F(4x4,3x3)", "SFC-6(6x6,3x3)", "CRT(4x4,3x3)", "SFC-6(6x6,5x5)"])
def test_accumulator_bits_are_attained(name: str) -> None:
    lt = LayerTransforms.of(ALGORITHMS[name])
    c_in = 5
    bits = accumulator_bits(lt, c_in)
    low, high = -128, 127
    for t in range(lt.products):
        # V: each input at the end its coefficient's sign picks, one tile through the engine
        bt_row = lt.BT_num[t]
        for sign in (1, -1):
            tile = np.where(sign * bt_row > 0, high, low).reshape(1, 1, lt.input, lt.input)
            v_num = tile.reshape(-1) @ bt_row
            assert v_num == bits.v_range[t][1 if sign == 1 else 0]
        assert np.isclose(input_transform(tile.astype(np.float64), lt)[t, 0, 0] * lt.BT_den, v_num)
        # M: every channel at the extreme corner product of its V and U ranges
        corners = [a * b for a in bits.v_range[t] for b in bits.u_range[t]]
        assert (c_in * min(corners), c_in * max(corners)) == bits.m_range[t]
    for width, ranges in ((bits.v, bits.v_range), (bits.u, bits.u_range), (bits.m, bits.m_range)):
        assert width == signed_width(min(low for low, _ in ranges), max(high for _, high in ranges))
    assert bits.y >= bits.y_attained
    assert bits.y_attained == signed_width(
        -127 * 128 * c_in * lt.kernel**2 * lt.denominator, 128**2 * c_in * lt.kernel**2 * lt.denominator
    )
    # random inputs stay within the ranges
    rng = np.random.default_rng(3)
    x = rng.integers(low, high + 1, (1, c_in, 2 * lt.input, lt.input))
    v = input_transform(x.astype(np.float64), lt) * lt.BT_den
    for t in range(lt.products):
        assert bits.v_range[t][0] - 1e-6 <= v[t].min() and v[t].max() <= bits.v_range[t][1] + 1e-6
    assert quantized_accumulator_bits(8, 64) == signed_width(-64 * 127**2, 64 * 127**2) == 21


def test_a_one_dimensional_algorithm_or_a_bad_layer_is_refused() -> None:
    one_d = build_algorithm(AlgorithmRequest("sfc", 6, 3, dims=1))
    with pytest.raises(InputError, match="2-D"):
        LayerTransforms.of(one_d)
    algorithm = ALGORITHMS["F(2x2,3x3)"]
    x, w = np.zeros((1, 2, 6, 6)), np.zeros((1, 2, 3, 3))
    for bad_padding in (-1, (1, 1, 1), (0, 0, 0, -1)):
        with pytest.raises(InputError, match="padding"):
            fast_conv2d(x, w, None, bad_padding, algorithm)
    with pytest.raises(InputError, match="kernel"):
        fast_conv2d(x, np.zeros((1, 2, 5, 5)), None, 0, algorithm)
    with pytest.raises(InputError, match="channels"):
        fast_conv2d(x, np.zeros((1, 3, 3, 3)), None, 0, algorithm)
    with pytest.raises(InputError, match="smaller"):
        fast_conv2d(np.zeros((1, 2, 2, 6)), w, None, 0, algorithm)


def test_scales_and_rounding() -> None:
    rng = np.random.default_rng(0)
    v = rng.standard_normal((5, 40, 3))
    v[2] = 0
    scales = symmetric_scale(v, 8, "max", 0)
    assert scales.shape == (5,) and scales[2] == 1.0
    assert np.allclose(scales[[0, 1, 3, 4]], np.abs(v[[0, 1, 3, 4]]).max(axis=(1, 2)) / 127)
    q = quantize(v, scales[:, None, None], 8)
    assert q.dtype == np.int64 and np.array_equal(np.abs(q).max(axis=(1, 2)), [127, 127, 0, 127, 127])
    assert np.all(np.abs(fake_quantize(v, scales[:, None, None], 8) - v) <= scales[:, None, None] / 2 + 1e-15)
    assert symmetric_scale(v, 8, "max", (0, 2)).shape == (5, 3) and symmetric_scale(v, 8, "max", -1).shape == (3,)
    assert symmetric_scale(v, 4).shape == () and symmetric_scale(v, 4) == np.abs(v).max() / 7
    assert quantize(np.array([0.5, 1.5, 2.5, -0.5, -2.5, 900.0, -900.0]), 1.0, 8).tolist() == [
        0,
        2,
        2,
        0,
        -2,
        127,
        -127,
    ]
    with pytest.raises(InputError):
        symmetric_scale(v, 1)
    with pytest.raises(InputError):
        symmetric_scale(v, 8, "mean")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        symmetric_scale(v, 8, "max", 3)


@settings(max_examples=15, deadline=None)
@given(bits=st.integers(3, 8), tail=st.sampled_from(["normal", "laplace", "uniform"]), seed=st.integers(0, 2**32 - 1))
def test_mse_calibration_beats_max_on_the_calibration_data(bits: int, tail: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = getattr(rng, tail)(size=(4, 3, 500))
    mse_scales = symmetric_scale(values, bits, "mse", (0, 1))
    max_scales = symmetric_scale(values, bits, "max", (0, 1))
    assert np.all(mse_scales <= max_scales)

    def error(scales: np.ndarray) -> np.ndarray:
        return np.mean((fake_quantize(values, scales[..., None], bits) - values) ** 2, axis=2)

    assert np.all(error(mse_scales) <= error(max_scales))


def test_mse_calibration_samples_deterministically() -> None:
    values = np.random.default_rng(1).laplace(size=(2, 3 * MSE_SAMPLE))
    first = symmetric_scale(values, 4, "mse", 0)
    assert np.array_equal(first, symmetric_scale(values.copy(), 4, "mse", 0))
    assert np.all(first < symmetric_scale(values, 4, "max", 0))


def _gaussian_layer(seed: int, channels: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, channels, 20, 17))
    w = rng.standard_normal((channels, channels, 3, 3)) / 3
    return x, w, rng.standard_normal(channels)


@pytest.mark.parametrize("name", ["F(2x2,3x3)", "F(6x6,3x3)", "SFC-6(6x6,3x3)", "CRT(4x4,3x3)"])
def test_quantized_fast_layer(name: str) -> None:
    algorithm = ALGORITHMS[name]
    lt = LayerTransforms.of(algorithm)
    x, w, bias = _gaussian_layer(5)
    reference = direct_conv2d(x, w, bias, 1)
    for bits in (8, 16):
        quantization = calibrate_fast_layer([pad_input(x[:2], 1), pad_input(x[2:], 1)], w, algorithm, bits, "max")
        assert quantization.v_scales.shape == (lt.products,) and quantization.u_scales.shape == (lt.products, 8)
        y = quantized_fast_conv2d(x, w, bias, 1, algorithm, quantization)
        # the integer channel sums, de-scaled, are the fake-quantized computation
        x_padded = pad_input(x, 1)
        v = fake_quantize(input_transform(x_padded, lt), quantization.v_scales[:, None, None], bits)
        u = fake_quantize(filter_transform(w, lt), quantization.u_scales[:, :, None], bits)
        fake = output_transform(products(u, v), lt, (4, 20, 17)) + bias[None, :, None, None]
        assert relative_rms(y, fake) < 1e-9
        if bits == 16:
            assert relative_rms(y, reference) < 1e-3


def test_mse_calibration_of_a_fast_layer() -> None:
    """Per position, the V quantization error of mse scales is at most that of max scales on the calibration
    tiles; U likewise per (position, output channel)."""
    lt = LayerTransforms.of(ALGORITHMS["SFC-6(6x6,3x3)"])
    x, w, _ = _gaussian_layer(4)
    x_padded = pad_input(x, 1)
    v, u = input_transform(x_padded, lt), filter_transform(w, lt)
    by_method = {method: calibrate_fast_layer(x_padded, w, lt, 6, method) for method in ("max", "mse")}
    v_errors = {
        m: np.mean((fake_quantize(v, q.v_scales[:, None, None], 6) - v) ** 2, axis=(1, 2)) for m, q in by_method.items()
    }
    u_errors = {
        m: np.mean((fake_quantize(u, q.u_scales[:, :, None], 6) - u) ** 2, axis=2) for m, q in by_method.items()
    }
    assert np.all(v_errors["mse"] <= v_errors["max"]) and np.all(u_errors["mse"] <= u_errors["max"])
    assert np.sum(v_errors["mse"]) < np.sum(v_errors["max"])


def test_sfc_quantizes_better_than_winograd_at_8_bits() -> None:
    x, w, _ = _gaussian_layer(11, channels=16)
    reference = direct_conv2d(x, w, None, 1)
    errors = {}
    for name in ("F(6x6,3x3)", "SFC-6(6x6,3x3)"):
        quantization = calibrate_fast_layer(pad_input(x, 1), w, ALGORITHMS[name], 8, "max")
        errors[name] = relative_rms(quantized_fast_conv2d(x, w, None, 1, ALGORITHMS[name], quantization), reference)
    assert errors["SFC-6(6x6,3x3)"] < 0.03 < 0.1 < errors["F(6x6,3x3)"]


def test_quantized_direct_layer() -> None:
    x, w, bias = _gaussian_layer(2)
    act, w_scales = activation_scale(x), weight_scales(w)
    assert w_scales.shape == (8,) and act == np.abs(x).max() / 127
    assert activation_scale([x[:1], x[1:]], 8, "mse") == activation_scale(x, 8, "mse")
    y = quantized_direct_conv2d(x, w, bias, 1, 2, act, w_scales)
    fake = direct_conv2d(fake_quantize(x, act, 8), fake_quantize(w, w_scales[:, None, None, None], 8), bias, 1, 2)
    assert relative_rms(y, fake) < 1e-12
    reference = direct_conv2d(x, w, bias, 1, 2)
    assert np.array_equal(reference, direct_conv2d(x, w, bias, 1)[:, :, ::2, ::2])
    assert relative_rms(y, reference) < 0.02


def test_layer_transforms_follow_the_algorithm_not_its_name() -> None:
    """An algorithm changed by hand (same name, other fractions placement) gets its own transforms."""
    from dataclasses import replace

    algorithm = build_algorithm(AlgorithmRequest("winograd", 2, 3))
    other = build_algorithm(AlgorithmRequest("winograd", 2, 3, fractions_in="A"))
    renamed = replace(other, fractions_in=algorithm.fractions_in)
    assert LayerTransforms.of(renamed).G_den != LayerTransforms.of(algorithm).G_den
