"""A model's accuracy with its convolutions run through fast algorithms, quantized in the transform domain.

``evaluate_model`` reports, on an image folder (``images.ImageSet``), one row each for
- ``FP32``: the model as given;
- ``int8 direct``: every Conv, Gemm and MatMul direct, weights int8 per output channel, input activations
  int8 per tensor (symmetric, calibrated);
- every (algorithm, bits): the Convs the algorithm fits (kernel r x r, stride 1, dilation 1, group 1) fast,
  V = BT2 d quantized per position and U = G2 g per (position, output channel) at ``bits``, everything
  else int8 direct as in the row above.

Calibration: the first ``calibration`` images of the set (the folder's fixed order, classes interleaved)
calibrate every scale; every figure is taken on the whole set (or its first ``limit`` images), calibration images
included, so that a model's accuracies are on its whole test set, as published accuracies are (with the default
256 calibration images of a 10,000-image test set, they are 2.6% of what is evaluated).

Figures per row: convolution multiplications per image (every Conv: output pixels x C_out x C_in / group x
kernel area when direct; tiles x products per tile x C_in x C_out when fast, tiles covering the output) and
the reduction over all-direct; the relative RMS error of every fast layer (of every layer some row makes
fast, for ``int8 direct``), each run alone by the numpy layer engine on the FP32 model's input activations of
the first ``LAYER_IMAGES`` evaluated images against the FP32 layer's output (bias included); top-1 agreement
with FP32 and top-1 accuracy (labeled folders) of the whole model through onnxruntime.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

import numpy as np
import onnx
import onnxruntime

from ..errors import InputError
from ..layers import Method
from ..layers.engine import quantized_accumulator_bits
from ..layers.quantize import (
    FastLayerQuantization,
    quantized_direct_conv2d,
    quantized_fast_conv2d,
    relative_rms,
    weight_scales,
)
from .images import ImageSet
from .onnx_model import ConvSite, conv_sites, load_model, model_input, session, static_shape, with_outputs
from .rewrite import DIRECT_BITS, DirectQuantization, calibrate, eligible_sites, prepare, rewrite

if TYPE_CHECKING:
    from ..algorithm import Algorithm

LAYER_IMAGES = 64
"""Evaluated images whose activations measure the layer errors (fewer when their activations would pass
``LAYER_BYTES``)."""
LAYER_BYTES = 2**30
"""The FP32 input and output activations of every measured layer, kept at once, at most (bytes)."""
BATCH_BYTES = 2**25
"""The input of one onnxruntime batch at most (32 MiB: 256 CIFAR images, 55 ImageNet ones)."""
MAX_BATCH = 256


@dataclass(frozen=True)
class ModelRow:
    """One row of the model report.

    ``kind``: "fp32", "direct" or "fast"; ``algorithm`` and ``bits`` (the transform domain's) for fast rows.
    ``multiplications``: convolution multiplications per image; ``layer_errors``: relative RMS error per
    measured layer (name: error; empty for FP32); ``agreement`` and ``accuracy``: fractions of the
    evaluated images (accuracy None without labels); ``accumulator_bits``: the proved width of the widest integer
    sum over input channels among the row's quantized Convs (``conv_accumulator_bits``; None for FP32)."""

    name: str
    kind: Literal["fp32", "direct", "fast"]
    algorithm: Algorithm | None
    bits: int | None
    multiplications: int
    layer_errors: dict[str, float]
    agreement: float
    accuracy: float | None
    accumulator_bits: int | None = None

    @property
    def mean_layer_error(self) -> float | None:
        return float(np.mean(list(self.layer_errors.values()))) if self.layer_errors else None

    @property
    def worst_layer(self) -> tuple[str, float] | None:
        """The layer with the largest error, and the error."""
        return max(self.layer_errors.items(), key=lambda item: item[1]) if self.layer_errors else None


@dataclass(frozen=True)
class ModelReport:
    """The rows, in order FP32, int8 direct, then the algorithms (each at every width of ``bits``), and
    what they were measured on: the model's name, its Convs and the fast-eligible ones (names), the
    direct multiplications per image, the image counts, the classes (None: unlabeled) and the calibration."""

    model: str
    convs: list[str]
    eligible: dict[int, list[str]]
    direct_multiplications: int
    rows: list[ModelRow]
    calibration_images: int
    evaluated_images: int
    layer_images: int
    classes: list[str] | None
    method: Method
    bits: tuple[int, ...]

    def reduction(self, row: ModelRow) -> Fraction:
        """All-direct multiplications over the row's."""
        return Fraction(self.direct_multiplications, row.multiplications)


@dataclass(frozen=True)
class InputSpec:
    """The model's image input: name, batch size (None: any), channels, height and width (None: any)."""

    name: str
    batch: int | None
    channels: int
    height: int | None
    width: int | None

    @property
    def size(self) -> tuple[int, int] | None:
        return None if self.height is None or self.width is None else (self.height, self.width)


def input_spec(model: onnx.ModelProto) -> InputSpec:
    """The model's image input (``load_model`` checked it is NCHW float32)."""
    value = model_input(model)
    batch, channels, height, width = static_shape(value)
    if channels is None:
        raise InputError(f"the model's input {value.name!r} has an unknown channel count; sfc needs NCHW images")
    return InputSpec(value.name, batch, channels, height, width)


def batch_size(spec: InputSpec, image_shape: tuple[int, ...]) -> int:
    """Images per onnxruntime run: the model's fixed batch, or as many as ``BATCH_BYTES`` holds."""
    if spec.batch is not None:
        return spec.batch
    return max(1, min(MAX_BATCH, BATCH_BYTES // (4 * math.prod(image_shape))))


def _batches(images: np.ndarray, size: int, fixed: bool) -> Iterator[np.ndarray]:
    """``images`` in runs of ``size``; with a ``fixed`` batch size, the last run is filled up with images
    from the start (their results are dropped; duplicates leave a calibration's largest values as they are)."""
    for start in range(0, len(images), size):
        if fixed and start + size > len(images):
            yield np.take(images, np.arange(start, start + size), axis=0, mode="wrap")
        else:
            yield images[start : start + size]


def calibration_batches(model: onnx.ModelProto, images: np.ndarray) -> list[np.ndarray]:
    """``images`` (N, C, H, W float32, preprocessed) in the onnxruntime batches ``calibrate`` takes for
    ``model``: its fixed batch size (the last batch filled up from the start), else ``batch_size``'s."""
    spec = input_spec(model)
    return list(_batches(images, batch_size(spec, images.shape[1:]), spec.batch is not None))


def run_batches(
    session: onnxruntime.InferenceSession,
    spec: InputSpec,
    images: np.ndarray,
    outputs: Sequence[str] | None,
    step: Callable[[], None] = lambda: None,
) -> list[np.ndarray]:
    """The session's ``outputs`` (None: all) on ``images``, run in batches, concatenated; ``step`` after each."""
    size = batch_size(spec, images.shape[1:])
    results: list[list[np.ndarray]] = []
    for batch in _batches(images, size, spec.batch is not None):
        results.append(session.run(outputs, {spec.name: batch}))
        step()
    return [np.concatenate(parts)[: len(images)] for parts in zip(*results, strict=True)]


def progress_units(evaluated: int, spec: InputSpec, image_shape: tuple[int, ...], rows: int) -> int:
    """Progress steps of ``evaluate_model`` for ``rows`` rows (FP32 and int8 direct included): per row, one
    to calibrate (FP32: to measure the layers' activations) and one per onnxruntime batch."""
    return rows * (1 + math.ceil(evaluated / batch_size(spec, image_shape)))


def _top1(scores: np.ndarray) -> np.ndarray:
    return scores.reshape(len(scores), -1).argmax(axis=1)


def conv_multiplications(site: ConvSite, output_shape: tuple[int, ...], algorithm: Algorithm | None) -> int:
    """Multiplications of one Conv per image: direct (``algorithm`` None) or fast, tiles covering the output."""
    c_out, c_in, kh, kw = site.weight.shape
    height, width = output_shape[2:]
    if algorithm is None:
        return height * width * c_out * c_in * kh * kw
    m = algorithm.tile
    return math.ceil(height / m) * math.ceil(width / m) * algorithm.transforms.products * c_in * c_out


def _layer_errors(
    sites: Sequence[ConvSite],
    activations: dict[str, np.ndarray],
    layer: Layer,
) -> dict[str, float]:
    """Relative RMS error of ``layer(site, x)`` against the FP32 layer, per site."""
    return {site.name: relative_rms(layer(site, activations[site.input]), activations[site.output]) for site in sites}


Layer = Callable[[ConvSite, np.ndarray], np.ndarray]
"""A quantized layer: the Conv's output on its FP32 input."""


def _fast_layer(algorithm: Algorithm, scales: dict[str, FastLayerQuantization]) -> Layer:
    def run(site: ConvSite, x: np.ndarray) -> np.ndarray:
        return quantized_fast_conv2d(x, site.weight, site.bias, site.pads, algorithm, scales[site.name])

    return run


def _direct_layer(direct: DirectQuantization) -> Layer:
    def run(site: ConvSite, x: np.ndarray) -> np.ndarray:
        scale = direct.activation_scales[site.name]
        w_scales = weight_scales(site.weight, direct.bits)
        return quantized_direct_conv2d(x, site.weight, site.bias, site.pads, 1, scale, w_scales, direct.bits)

    return run


def conv_accumulator_bits(sites: Sequence[ConvSite], fast: set[str], bits: int, direct_bits: int) -> int:
    """The widest integer sum over input channels of the quantized Convs, proved: a fast Conv at ``bits`` adds
    C_in products per transform position of two ``bits``-bit integers of magnitude at most 2^(bits-1) - 1
    (``quantized_accumulator_bits``); a direct one at ``direct_bits`` adds C_in / group x kh x kw of them."""
    return max(
        quantized_accumulator_bits(bits, site.weight.shape[1])
        if site.name in fast
        else quantized_accumulator_bits(direct_bits, math.prod(site.weight.shape[1:]))
        for site in sites
    )


def _check_split(images: ImageSet, calibration: int) -> None:
    if calibration < 1:
        raise InputError(f"--calibration must be at least 1 image, got {calibration}")
    if calibration > len(images):
        raise InputError(
            f"the image folder has {len(images)} images; --calibration {calibration} asks for more: lower it"
        )


def _check_scores(scores: np.ndarray, images: ImageSet) -> None:
    """The model's first output must be one score vector per image, as long as the folder's classes."""
    if scores.ndim < 2 or math.prod(scores.shape[1:]) != scores.shape[1]:
        shape = "x".join(map(str, scores.shape))
        raise InputError(f"the model's first output is {shape} per batch, not one score vector per image")
    if images.classes is not None and len(images.classes) != scores.shape[1]:
        raise InputError(
            f"the image folder has {len(images.classes)} class folders but the model scores {scores.shape[1]} "
            "classes: it needs one folder per class, in the model's order (sorted names)"
        )


def evaluate_model(
    model: str | onnx.ModelProto,
    images: ImageSet,
    algorithms: Sequence[Algorithm],
    bits: Sequence[int],
    calibration: int,
    method: Method = "max",
    progress: Callable[[str], None] = lambda label: None,
    labels: Sequence[str] | None = None,
    name: str | None = None,
    layer_images: int = LAYER_IMAGES,
    limit: int | None = None,
) -> ModelReport:
    """The report of the module docstring: FP32, int8 direct, then each algorithm at each of ``bits``.

    Rows are named by ``labels`` (default: the algorithms' names), the report by ``name`` (default: the
    model's path or graph name). ``images``: the folder's images in its fixed order, the first
    ``calibration`` of them calibrating, the first ``limit`` (None: all) evaluated; layer errors on at most
    ``layer_images`` of the evaluated ones.
    ``progress(label)`` is called ``progress_units(...)`` times. InputError (one line) for an algorithm
    that fits no Conv, too few images, or an output that does not score the folder's classes."""
    name = name or (model if isinstance(model, str) else model.graph.name or "model")
    if isinstance(model, str):
        model = load_model(model)
    _check_split(images, calibration)
    spec = input_spec(model)
    prepared = prepare(model)
    sites = conv_sites(prepared)
    eligible = {kernel: {s.name for s in eligible_sites(prepared, kernel)} for kernel in {a.kernel for a in algorithms}}
    measured = [site for site in sites if any(site.name in names for names in eligible.values())]
    calibrating, evaluated = images.subset(0, calibration), images.subset(0, limit)
    batches = calibration_batches(model, calibrating.images)

    def top1(candidate: onnx.ModelProto, label: str) -> np.ndarray:
        runner = session(candidate)
        output = runner.get_outputs()[0].name
        (scores,) = run_batches(runner, spec, evaluated.images, [output], lambda: progress(label))
        _check_scores(scores, evaluated)
        return _top1(scores)

    reference = top1(model, "FP32")
    names = list(dict.fromkeys([s.output for s in sites] + [s.input for s in measured]))
    probe = session(with_outputs(prepared, names))
    first = dict(zip(names, run_batches(probe, spec, evaluated.images[:1], names), strict=True))
    kept = {name for site in measured for name in (site.input, site.output)}
    per_image = sum(first[name].nbytes for name in kept)
    layer_images = min(layer_images, len(evaluated), max(1, LAYER_BYTES // max(per_image, 1)))
    kept_names = sorted(kept)
    activations = dict(
        zip(kept_names, run_batches(probe, spec, evaluated.images[:layer_images], kept_names), strict=True)
    )
    progress("FP32")

    def multiplications(algorithm: Algorithm | None) -> int:
        fast = set() if algorithm is None else eligible[algorithm.kernel]
        return sum(conv_multiplications(s, first[s.output].shape, algorithm if s.name in fast else None) for s in sites)

    def row(
        kind: str,
        label: str,
        algorithm: Algorithm | None,
        width: int | None,
        layer: Layer | None = None,
        candidate: onnx.ModelProto | None = None,
    ) -> ModelRow:
        """A row; ``layer`` and ``candidate`` (the quantized layer and model) None for FP32."""
        predicted, errors = reference, {}
        if layer is not None and candidate is not None:
            fast = eligible[algorithm.kernel] if algorithm is not None else {s.name for s in measured}
            errors = _layer_errors([s for s in measured if s.name in fast], activations, layer)
            predicted = top1(candidate, f"{label} int{width}")
        agreement = float(np.mean(predicted == reference))
        accuracy = None if evaluated.labels is None else float(np.mean(predicted == evaluated.labels))
        fast = set() if algorithm is None else eligible[algorithm.kernel]
        widest = None if width is None else conv_accumulator_bits(sites, fast, width, DIRECT_BITS)
        mults = multiplications(algorithm)
        return ModelRow(label, kind, algorithm, width, mults, errors, agreement, accuracy, widest)

    rows = [row("fp32", "FP32", None, None)]
    _, direct = calibrate(model, None, batches, DIRECT_BITS, method)
    progress("int8 direct")
    rows.append(
        row("direct", "int8 direct", None, DIRECT_BITS, _direct_layer(direct), rewrite(model, None, None, direct))
    )
    for algorithm, label in zip(algorithms, labels or [a.name for a in algorithms], strict=True):
        for width in bits:
            scales, direct = calibrate(model, algorithm, batches, width, method)
            progress(f"{label} int{width}")
            candidate = rewrite(model, algorithm, scales, direct)
            rows.append(row("fast", label, algorithm, width, _fast_layer(algorithm, scales), candidate))
    return ModelReport(
        name,
        [site.name for site in sites],
        {kernel: [s.name for s in sites if s.name in names] for kernel, names in sorted(eligible.items())},
        multiplications(None),
        rows,
        calibration,
        len(evaluated),
        layer_images,
        images.classes,
        method,
        tuple(bits),
    )
