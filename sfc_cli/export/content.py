"""What every export format says about an algorithm: its matrices by dimension, summary and command."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property

from .. import __version__
from ..algebra.bilinear import Transforms
from ..algebra.transform_programs import TransformPrograms
from ..algorithm import CONVENTION, Algorithm, CrtParameters, SfcParameters, WinogradParameters, point_text
from ..families.sfc import choose_parameters
from ..families.winograd import default_points
from .integers import ScaledMatrix, scaled
from .layer import LayerShape
from .naming import default_prefix

FORMATS = ("json", "c", "verilog", "mlir", "onnx", "npz", "latex")
DEFAULT_VERILOG_WIDTH = 8


@dataclass(frozen=True)
class ExportRequest:
    """A checked request: format, identifier prefix (p in docs/design.md section 7), Verilog input width, and
    the whole layer to export (None: the per-tile transforms only).

    An empty prefix stands for the default one, derived from the algorithm's name (``named``).
    """

    output_format: str
    prefix: str = ""
    width: int = DEFAULT_VERILOG_WIDTH
    layer: LayerShape | None = None

    def named(self, algorithm: Algorithm) -> ExportRequest:
        return self if self.prefix else replace(self, prefix=default_prefix(algorithm.name, variant(algorithm)))


@dataclass(frozen=True)
class NamedInteger:
    """An integer constant every format prints: a C macro, a Verilog localparam."""

    name: str
    value: int
    comment: str


def size_constants(algorithm: Algorithm, upper: str) -> list[NamedInteger]:
    """P_TILE, P_KERNEL and P_INPUT for the upper-case prefix P."""
    return [
        NamedInteger(f"{upper}_TILE", algorithm.tile, "outputs per tile and dimension (m)"),
        NamedInteger(f"{upper}_KERNEL", algorithm.kernel, "kernel taps per dimension (r)"),
        NamedInteger(f"{upper}_INPUT", algorithm.input_size, "inputs per tile and dimension (n = m + r - 1)"),
    ]


@dataclass(frozen=True)
class Dimension:
    """One dimension of the algorithm: suffix "" (1-D) or "2" (2-D) on every matrix name, as in BT2.

    ``programs`` compute the numerators of BT, G and AT (``ScaledMatrix.numerators``)."""

    dims: int
    transforms: Transforms
    programs: TransformPrograms

    @property
    def suffix(self) -> str:
        return "" if self.dims == 1 else "2"

    @cached_property
    def AT(self) -> ScaledMatrix:
        return scaled(self.transforms.AT)

    @cached_property
    def G(self) -> ScaledMatrix:
        return scaled(self.transforms.G)

    @cached_property
    def BT(self) -> ScaledMatrix:
        return scaled(self.transforms.BT)

    @property
    def scale(self) -> int:
        """AT_DEN * G_DEN * BT_DEN: the transforms' integer outputs are this multiple of the correlation."""
        return self.AT.denominator * self.G.denominator * self.BT.denominator


def dimensions(algorithm: Algorithm) -> list[Dimension]:
    """1-D always, then 2-D when the algorithm has it."""
    parts = [Dimension(1, algorithm.one_d, algorithm.programs(1))]
    if algorithm.two_d is not None:
        parts.append(Dimension(2, algorithm.two_d, algorithm.programs(2)))
    return parts


def transform_constants(part: Dimension, upper: str, arrays: Mapping[str, str]) -> list[NamedInteger]:
    """P_PRODUCTS_dD, the denominators of AT, G and BT, and P_SCALE_dD, the divisor of the outputs.

    ``arrays`` names the numerator arrays of "AT", "G" and "BT" in the target language.
    The transforms compute y = AT_DEN * G_DEN * BT_DEN * (correlation), so P_SCALE_dD is always the
    divisor; it equals P_G_DEN only when the fractions are in G (AT_DEN = BT_DEN = 1).
    """
    s, d = part.suffix, part.dims
    at, g, bt = part.AT.denominator, part.G.denominator, part.BT.denominator
    scale = f"{upper}_SCALE_{d}D"
    return [
        NamedInteger(f"{upper}_PRODUCTS_{d}D", part.transforms.products, f"general multiplications in {d}-D"),
        NamedInteger(f"{upper}_AT{s}_DEN", at, f"AT{s} = {arrays['AT']} / this"),
        NamedInteger(
            f"{upper}_G{s}_DEN", g, f"G{s} = {arrays['G']} / this; not the divisor of y unless fractions are in G"
        ),
        NamedInteger(f"{upper}_BT{s}_DEN", bt, f"BT{s} = {arrays['BT']} / this"),
        NamedInteger(
            scale, part.scale, f"AT{s}_DEN * G{s}_DEN * BT{s}_DEN: divide y by this for the exact {d}-D correlation"
        ),
    ]


def divisor_lines(algorithm: Algorithm, upper: str) -> list[str]:
    """Comment lines saying plainly which constant divides the outputs, for this algorithm."""
    part = dimensions(algorithm)[-1]
    s, d = part.suffix, part.dims
    scale, g_den = f"{upper}_SCALE_{d}D", f"{upper}_G{s}_DEN"
    also_1d = f" ({upper}_SCALE_1D in 1-D)" if d == 2 else ""
    lines = [
        f"Divide by {scale}: y[i] / {scale} is exactly the {d}-D correlation{also_1d}.",
        f"{scale} = AT{s}_DEN * G{s}_DEN * BT{s}_DEN; it equals {g_den} only when the fractions are in G.",
    ]
    if part.AT.denominator * part.BT.denominator != 1:
        lines.append(
            f"Fractions here are in {algorithm.fractions_in}: y / {g_den} is NOT the correlation; divide by {scale}."
        )
    return lines


def parameter_options(algorithm: Algorithm) -> str:
    """The family's options that rebuild the algorithm: --dft and --corrections, --moduli or --points."""
    params = algorithm.parameters
    if isinstance(params, SfcParameters):
        return f"--dft {params.dft} --corrections {params.corrections[0]},{params.corrections[1]}"
    if isinstance(params, CrtParameters):
        return f'--moduli "{", ".join(params.moduli)}"'
    return "--points " + ",".join(point_text(p) for p in params.points)


def variant(algorithm: Algorithm) -> str | None:
    """What tells the algorithm apart from others of the same name, None when nothing does.

    Names say the family, tile and kernel (and SFC's N), not the parameters: the family's default choice
    with fractions in G is None; any other (other points or corrections, fractions in A or B, and every
    CRT set) is its parameter options and --fractions-in, from which the default prefix takes a hash."""
    if algorithm.fractions_in == "G":
        params = algorithm.parameters
        if isinstance(params, SfcParameters) and params == choose_parameters(algorithm.tile, algorithm.kernel):
            return None
        if isinstance(params, WinogradParameters) and params.points == default_points(algorithm.tile, algorithm.kernel):
            return None
    return f"{parameter_options(algorithm)} --fractions-in {algorithm.fractions_in}"


def command_line(algorithm: Algorithm, request: ExportRequest) -> str:
    """The command that reproduces the export, with every option explicit and no file paths."""
    words = [
        f"sfc export --format {request.output_format} --algo {algorithm.family}",
        f"--tile {algorithm.tile} --kernel {algorithm.kernel} {parameter_options(algorithm)}",
        f"--dims {algorithm.dims} --fractions-in {algorithm.fractions_in} --name {request.prefix}",
    ]
    if request.output_format == "verilog":
        words.append(f"--width {request.width}")
    layer = request.layer
    if layer is not None:
        words.append(
            f"--channels {layer.c_in},{layer.c_out} --size {layer.height},{layer.width} "
            f"--padding {layer.padding} --dtype {layer.dtype}"
        )
    return " ".join(words)


def summary_lines(algorithm: Algorithm) -> list[str]:
    """Algorithm, convention and product counts, one fact per line, for comment blocks."""
    one = algorithm.one_d.products
    lines = [
        f"{algorithm.name}, family {algorithm.family}: fast correlation, verified exactly; "
        f"fractions in {algorithm.fractions_in}",
        f"Convention: {CONVENTION}",
        f"Products 1-D: {one} (direct {algorithm.tile * algorithm.kernel})",
    ]
    if algorithm.two_d is not None:
        direct = (algorithm.tile * algorithm.kernel) ** 2
        lines.append(
            f"Products 2-D: {algorithm.two_d.products} (direct {direct}, nested 1-D {one * one}, "
            f"{float(algorithm.reduction):.2f}x fewer than direct)"
        )
    lines.extend(f"  {part}: {products}" for part, products in algorithm.structure_2d or algorithm.structure_1d)
    return lines


def generator() -> str:
    return f"sfc {__version__}"
