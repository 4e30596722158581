"""The whole-layer part of the C header (docs/design.md section 7.2): a filter pre-transform and an exact
integer 2-D correlation over a whole NCHW feature map, built from the verified 2-D transform programs.

Convention (one image, N = 1): ``y[k][i][j] = sum over c, a, b of w[k][c][a][b] * xp[c][i + a][j + b]``, xp being
x zero-padded by P on every side. x is staged once, padded and channels last; the map is cut into TILES_H x
TILES_W tiles of m x m outputs (n x n inputs, overlapping by n - m = r - 1), processed in blocks of BLOCK tiles:

    v[t][b][c] = (BT2_DEN * BT2 @ d)[t]                  per tile b of the block, vectorised over channels c
    m[t][b]    = sum over c of u[k][t][c] * v[t][b][c]    per output channel k (u = G2_DEN * G2 @ g): dot
                                                          products over contiguous channels
    Y          = AT2_DEN * AT2 @ m = SCALE_2D * y         modulo 2^32 (or 2^64)
    y          = Y / SCALE_2D                             exactly, by a shift and a modular inverse

Every type is proved by exact interval analysis (integers only): |v_t| and |u_t| from the programs' node
intervals over the input range, |m_t| <= C_IN * max|v_t| * max|u_t| (int32_t when below 2^31, else the sums
wrap too), and |y| <= C_IN r^2 2^(2 bits - 2), which decides the modulus (``ExactDivision``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..algorithm import Algorithm
from ..errors import InputError
from ..layers.engine import accumulator_bits
from .c_programs import C_TYPES, CTemporary, narrowest_type, program_statements
from .content import Dimension
from .integers import operand_magnitude, transform_intervals
from .layer import LayerShape, tile_grid

INPUT_TYPES = {"i8": ("int8_t", 8), "i16": ("int16_t", 16)}
MAX_BLOCK = 16
BLOCK_BYTES = 1 << 20
"""Tiles per block: 16, or 8 when the block's transformed inputs (PRODUCTS_2D x 16 x C_IN) would pass BLOCK_BYTES
(every output channel's dot products read them all, so they should stay in cache). A multiple of 8, the int32
lanes of an AVX2 register, because the output program's loop runs over the tiles of a block; the input
transform and the products skip the zero tiles that pad the last block."""


def block_size(products: int, c_in: int, v_bytes: int) -> int:
    """Tiles per block (see MAX_BLOCK)."""
    return MAX_BLOCK if products * MAX_BLOCK * c_in * v_bytes <= BLOCK_BYTES else MAX_BLOCK // 2


@dataclass(frozen=True)
class LayerTypes:
    """The C types of the layer's arrays, each proved sufficient (see the module docstring)."""

    element: str  # x and w
    v: str  # transformed inputs, and the input program's temporaries
    u: str  # transformed weights
    acc: str  # the sums over input channels m: int32_t (exact) or the wrapping type
    wrap: str  # uint32_t or uint64_t: the output program, modulo 2^32 or 2^64
    y: str  # the exact correlation


@dataclass(frozen=True)
class ExactDivision:
    """Dividing Y = SCALE y by SCALE = 2^shift * odd when only Y modulo 2^width is known: y is
    ``((Y >> shift) * inverse) mod 2^(width - shift)`` read as a signed (width - shift)-bit number, exact
    whenever |y| < 2^(width - shift - 1) (Y >> shift is odd * y modulo 2^(width - shift), and inverse is
    odd's inverse modulo 2^width)."""

    width: int
    shift: int
    inverse: int

    @classmethod
    def of(cls, scale: int, largest: int) -> ExactDivision:
        """The narrowest width (32 or 64) that recovers every |y| <= largest; InputError when neither does."""
        shift = (scale & -scale).bit_length() - 1
        for width in (32, 64):
            if largest < 1 << max(width - shift - 1, 0):
                return cls(width, shift, pow(scale >> shift, -1, 1 << width))
        raise InputError("the outputs of this layer need more than 64 bits; it cannot be exported to C")

    @property
    def mask(self) -> int:
        return (1 << (self.width - self.shift)) - 1

    @property
    def half(self) -> int:
        return 1 << (self.width - self.shift - 1)


@dataclass(frozen=True)
class LayerProgram:
    """A transform program as the body of a vectorisable loop (over channels or over the tiles of a block)."""

    additions: int
    temporaries: list[CTemporary]
    outputs: list[str]


def _type(magnitude: int, what: str, layer: LayerShape, narrowest_bits: int = 16) -> str:
    """The narrowest C integer type of at least ``narrowest_bits`` bits holding [-magnitude, magnitude];
    InputError beyond 64 bits."""
    try:
        return narrowest_type((-magnitude, magnitude), narrowest_bits)
    except InputError:
        raise InputError(
            f"the {what} of this layer ({layer.c_in} input channels of {layer.dtype}) need more than 64 bits; "
            "it cannot be exported to C"
        ) from None


def _block_program(part: Dimension, role: str, in_name: str, in_type: str, work: str, index: str) -> LayerProgram:
    """The program of ``role`` inside a loop, all of type ``work``: input j is ``in_name[j]`` + ``index``."""
    program = getattr(part.programs, role)
    temporaries, outputs = program_statements(program, in_name, in_type, work, None, index, work)
    return LayerProgram(program.additions, temporaries, outputs)


def layer_context(algorithm: Algorithm, part: Dimension, layer: LayerShape, prefix: str) -> dict[str, Any]:
    """What the layer section of algorithm.h.j2 prints, for the 2-D ``part`` of ``algorithm``."""
    if layer.dtype not in INPUT_TYPES:
        raise InputError("C layer export is integer: --dtype i8 or i16")
    if part.dims != 2:
        raise InputError("a C layer needs the 2-D transforms: export without --dims 1")
    layer.check(algorithm.kernel)
    element, bits = INPUT_TYPES[layer.dtype]
    bt_nodes, g_nodes, _ = transform_intervals(part.programs, bits)
    bt, g = part.programs.input_transform, part.programs.filter_transform
    ranges = accumulator_bits(algorithm, layer.c_in, bits, bits)  # exact per-position ranges of V, U and M
    v = [max(-low, high) for low, high in ranges.v_range]
    u = [max(-low, high) for low, high in ranges.u_range]
    sums = [max(-low, high) for low, high in ranges.m_range]
    correlation = layer.c_in * algorithm.kernel**2 * (1 << (2 * bits - 2))
    division = ExactDivision.of(part.scale, correlation)
    wrap = f"uint{division.width}_t"
    exact_sums = max(sums) < 1 << 31
    types = LayerTypes(
        element=element,
        v=_type(operand_magnitude(bt, bt_nodes), "transformed inputs", layer),
        u=_type(max(u), "transformed weights", layer),
        acc="int32_t" if exact_sums else wrap,
        wrap=wrap,
        y=_type(correlation, "outputs", layer, 32),
    )
    _type(operand_magnitude(g, g_nodes), "filter transform's sums", layer, 64)  # int64_t or InputError
    filter_temporaries, filter_outputs = program_statements(g, "g", "int32_t", "int64_t", g_nodes)
    upper = prefix.upper()
    grid = tile_grid(layer, algorithm.tile, algorithm.kernel)
    ho, wo, tiles_h, tiles_w = grid.out_h, grid.out_w, grid.tiles_h, grid.tiles_w
    tiles = tiles_h * tiles_w
    block = block_size(part.transforms.products, layer.c_in, dict(C_TYPES)[types.v] // 8)
    macros = [
        ("C_IN", layer.c_in, "input channels"),
        ("C_OUT", layer.c_out, "output channels"),
        ("H", layer.height, "input height (before padding)"),
        ("W", layer.width, "input width (before padding)"),
        ("PAD", layer.padding, "zeros on every side of the input"),
        ("HO", ho, "output height: H + 2 PAD - KERNEL + 1"),
        ("WO", wo, "output width: W + 2 PAD - KERNEL + 1"),
        ("TILES_H", tiles_h, "tile rows: ceil(HO / TILE)"),
        ("TILES_W", tiles_w, "tile columns: ceil(WO / TILE)"),
        ("TILES", tiles, "tiles: TILES_H * TILES_W, numbered row-major"),
        ("ROWS", grid.padded_h, "rows of the staged input: TILES_H * TILE + KERNEL - 1"),
        ("COLS", grid.padded_w, "columns of the staged input: TILES_W * TILE + KERNEL - 1"),
        ("BLOCK", block, "tiles per block: their transformed inputs stay in cache for every output channel"),
        ("BLOCKS", -(-tiles // block), "blocks: ceil(TILES / BLOCK); the last one may hold fewer tiles"),
        ("INPUT_BITS", bits, f"x and w are {element}"),
        ("V_MAX", max(v), f"proved max |v[t]| for {bits}-bit inputs (v is {types.v})"),
        ("U_MAX", max(u), f"proved max |u[t]| for {bits}-bit weights (u is {types.u})"),
        ("ACC_MAX", max(sums), "proved max |m[t]| = max over t of C_IN * max|v[t]| * max|u[t]|"),
        ("ACC_BITS", 32 if exact_sums else division.width, f"m is {types.acc}"),
        ("Y_MAX", correlation, "max |y| = C_IN * KERNEL^2 * 2^(2 INPUT_BITS - 2)"),
        ("WRAP_BITS", division.width, f"the output program runs modulo 2^WRAP_BITS ({wrap})"),
        ("SHIFT", division.shift, f"{upper}_SCALE_2D = 2^SHIFT * an odd number"),
    ]
    return {
        "types": types,
        "macros": [(f"{upper}_LAYER_{name}", value, comment) for name, value, comment in macros],
        "input": _block_program(part, "input_transform", "s->d", types.v, types.v, "[c]"),
        "filter": LayerProgram(g.additions, filter_temporaries, filter_outputs),
        "output": _block_program(part, "output_transform", "s->m", types.acc, wrap, "[b]"),
        "division": division,
        "acc_reason": (
            f"m is int32_t and exact: max |m[t]| <= C_IN * max|v[t]| * max|u[t]| = {max(sums)} < 2^31"
            if exact_sums
            else f"m is {wrap}, modulo 2^{division.width}: max |m[t]| = {max(sums)} >= 2^31, but only m modulo "
            f"2^{division.width} matters (below)"
        ),
    }
