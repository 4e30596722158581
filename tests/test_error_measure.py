"""Measured errors: FP16 and quantization models, determinism, bounded batches, images."""

from __future__ import annotations

import numpy as np
import pytest

from sfc_cli.analysis import measure as measure_module
from sfc_cli.analysis.direct import direct_transforms
from sfc_cli.analysis.images import BUILTIN, load_grayscale, parse_pgm
from sfc_cli.analysis.measure import DataSource, FloatTransforms, Shape, fp16_outputs, image_tiles, measure, reference
from sfc_cli.errors import InputError
from sfc_cli.families import sfc, winograd


def test_direct_convolution_normalizes_to_one():
    shape = Shape(1, 3, 2)
    result = measure(direct_transforms(1, 3, 2), shape, DataSource(300, 1), (8,))
    assert result.fp16_normalized == 1.0


def test_fp16_pipeline_rounds_every_stage():
    """Where every stage is exact in FP16 (F(2x2,3x3), small integers) the FP16 algorithm is exact; with
    generic data its error is FP16-sized."""
    t = FloatTransforms.of(winograd(2, 3).transforms)
    shape = Shape(2, 3, 2)
    small = np.random.default_rng(0).integers(-4, 5, size=(50, 16)).astype(float)
    kernel = np.random.default_rng(1).integers(-4, 5, size=(50, 9)).astype(float)
    assert np.array_equal(fp16_outputs(t, small, kernel), reference(shape, small, kernel))
    d, g = np.random.default_rng(2).standard_normal((200, 16)), np.random.default_rng(3).standard_normal((200, 9))
    d16, g16 = d.astype(np.float16).astype(float), g.astype(np.float16).astype(float)
    error = fp16_outputs(t, d16, g16) - reference(shape, d16, g16)
    assert 1e-4 < np.sqrt(np.mean(error**2)) < 1e-2


def test_same_seed_same_numbers_and_seed_matters():
    algorithm = winograd(4, 3)
    args = (algorithm.transforms, Shape(4, 3, 2))
    first = measure(*args, DataSource(500, 7), (8, 4))
    assert first == measure(*args, DataSource(500, 7), (8, 4))
    assert first != measure(*args, DataSource(500, 8), (8, 4))


def test_fewer_bits_more_error():
    result = measure(sfc(4, 3).transforms, Shape(4, 3, 2), DataSource(1000, 0), (8, 6, 4, 2))
    errors = [result.int_relative[b] for b in (8, 6, 4, 2)]
    assert errors == sorted(errors) and errors[0] < 0.05


def test_memory_is_bounded_by_the_batch(monkeypatch):
    """Samples beyond one batch are drawn batch by batch: no array grows with the sample count."""
    seen = []
    original = DataSource.batches

    def spy(self, shape):
        for d, g in original(self, shape):
            seen.append(len(d))
            yield d, g

    monkeypatch.setattr(measure_module, "BATCH", 64)
    monkeypatch.setattr(DataSource, "batches", spy)
    measure(sfc(6, 3).transforms, Shape(6, 3, 2), DataSource(1000, 0), (8,))
    assert max(seen) == 64 and sum(seen) == 2000  # two passes


def test_builtin_photograph():
    image = load_grayscale(BUILTIN)
    assert image.shape == (150, 128) and 0 <= image.min() < image.max() <= 1
    tiles = image_tiles(image, Shape(6, 3, 2))
    assert tiles.shape == ((150 - 2) // 6 * ((128 - 2) // 6), 64)
    assert np.array_equal(tiles[1].reshape(8, 8), image[0:8, 6:14])
    assert image_tiles(image, Shape(2, 3, 1)).shape == (150 * 63, 4)


def test_image_measurement_cycles_kernels_over_the_photograph():
    image = load_grayscale(BUILTIN)
    source = DataSource(5000, 3, image, BUILTIN)
    shape = Shape(6, 3, 2)
    d, g = next(source.batches(shape))
    count = len(image_tiles(image, shape))
    assert np.array_equal(d[count], d[0]) and not np.array_equal(g[count], g[0]) and np.array_equal(g[1], g[0])
    assert measure(sfc(6, 3).transforms, shape, source, (8,)).fp16_normalized > 1


@pytest.mark.parametrize("magic", ["P5", "P2"])
def test_pgm_reader(magic, tmp_path):
    pixels = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    body = pixels.tobytes() if magic == "P5" else " ".join(map(str, pixels.ravel())).encode()
    path = tmp_path / "x.pgm"
    path.write_bytes(f"{magic}\n# comment\n4 3\n255\n".encode() + body)
    assert np.array_equal(load_grayscale(str(path)), pixels / 255)
    with pytest.raises(ValueError, match="ends early"):
        parse_pgm(f"{magic}\n4 3\n255\n".encode() + body[:5])


def test_unreadable_images_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="cannot read image"):
        load_grayscale(str(tmp_path / "missing.pgm"))
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    with pytest.raises(InputError, match="cannot read image"):
        load_grayscale(str(junk))


def test_fp16_overflow_is_inf_not_nan():
    """F(8x8,5x5)'s transforms leave FP16's range on standard-normal data: the FP16 error is inf, the
    FP64 quantization error stays finite."""
    result = measure(winograd(8, 5).transforms, Shape(8, 5, 2), DataSource(64, 0), (8,))
    assert result.fp16_normalized == np.inf and np.isfinite(result.int_relative[8])


def test_zero_signal_is_an_input_error():
    black = DataSource(16, 0, np.zeros((20, 20)), "black.pgm")
    with pytest.raises(InputError, match="every measured output is zero"):
        measure(winograd(2, 3).transforms, Shape(2, 3, 2), black, (8,))


def test_direct_exact_in_fp16_is_an_input_error():
    """One tile whose only nonzero pixel is 1: every direct product and output is an FP16 kernel value."""
    image = np.zeros((4, 4))
    image[0, 0] = 1.0
    with pytest.raises(InputError, match="direct convolution is exact in FP16"):
        measure(winograd(2, 3).transforms, Shape(2, 3, 2), DataSource(1, 0, image, "dot.pgm"), (8,))


def test_plain_pgm_pixels_above_the_maximum_are_refused():
    with pytest.raises(ValueError, match="a PGM pixel is 300, above the file's maximum value 255"):
        parse_pgm(b"P2\n2 2\n255\n0 10 300 20\n")
    assert parse_pgm(b"P2\n2 2\n255\n0 10 255 20\n").max() == 1.0


def test_image_batches_copy_only_the_tiles_they_use():
    """Memory of a batch is that of its samples, whatever the image size (a 2048x2048 image holds 115,940
    tiles of 8x8: 59 MB as float64, which every batch used to copy)."""
    import tracemalloc

    image = np.random.default_rng(0).random((2048, 2048))
    shape = Shape(6, 3, 2)
    tracemalloc.start()
    try:
        d, _ = next(DataSource(100, 0, image, "noise").batches(shape))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20 and np.array_equal(d[1].reshape(8, 8), image[0:8, 6:14])
    which = np.array([5, 0, 115_939])
    assert np.array_equal(image_tiles(image, shape, which), image_tiles(image, shape)[which])
    photograph, row = load_grayscale(BUILTIN), Shape(2, 3, 1)  # 1-D: 150 pixel rows of 63 tiles, then again
    d = np.concatenate([d for d, _ in DataSource(150 * 63 + 70, 0, photograph, BUILTIN).batches(row)])
    assert np.array_equal(d, np.concatenate([image_tiles(photograph, row), image_tiles(photograph, row)[:70]]))
