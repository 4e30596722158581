"""The whole-layer part of the C header (docs/design.md, C layer): a filter pre-transform and an exact integer
2-D correlation over a whole NCHW feature map, built from the verified 2-D transform programs.

Convention (one image, N = 1): ``y[k][i][j] = sum over c, a, b of w[k][c][a][b] * xp[c][i + a][j + b]``, xp being
x zero-padded by P on every side. The map is cut into TILES_H x TILES_W tiles of m x m outputs (n x n inputs,
overlapping by n - m = r - 1); tiles are processed in blocks of BLOCK, and for each block

    v[t][b][c] = (BT2_DEN * BT2 @ d)[t]                  per tile b of the block, vectorised over channels c
    m[t][b]    = sum over c of u[t][k][c] * v[t][b][c]    per output channel k (u = G2_DEN * G2 @ g): dot
                                                          products over contiguous channels
    y          = (AT2_DEN * AT2 @ m) / SCALE_2D           the division is exact

Every type is proved by exact interval analysis (integers only): |v_t| and |u_t| from the programs' node
intervals over the input range, |m_t| <= C_IN * max|v_t| * max|u_t|, the output program's nodes from those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..algorithm import Algorithm
from ..errors import InputError
from .c_programs import CTemporary, narrowest_type, program_statements
from .content import Dimension
from .integers import Interval, operand_magnitude, output_magnitude, transform_intervals
from .layer import LayerShape

INPUT_TYPES = {"i8": ("int8_t", 8), "i16": ("int16_t", 16)}
BLOCK = 16
"""Tiles per block: the tiles whose transformed inputs (PRODUCTS_2D x BLOCK x C_IN) stay in cache while every
output channel's dot products read them."""


@dataclass(frozen=True)
class LayerTypes:
    """The C types of the layer's arrays, each the narrowest (at least 16 bits) its proved range allows."""

    element: str  # x and w
    v: str  # transformed inputs, and the input program's temporaries
    u: str  # transformed weights
    acc: str  # the sums over input channels m
    output_work: str  # the output program's temporaries
    y: str  # the exact correlation


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


def _block_program(
    part: Dimension, role: str, in_name: str, in_type: str, work: str, nodes: list[Interval], index: str
) -> LayerProgram:
    """The program of ``role`` inside a loop, all of type ``work``: input j is ``in_name[j]`` + ``index``."""
    program = getattr(part.programs, role)
    temporaries, outputs = program_statements(program, in_name, in_type, work, nodes, index, work)
    return LayerProgram(program.additions, temporaries, outputs)


def layer_context(algorithm: Algorithm, part: Dimension, layer: LayerShape, prefix: str) -> dict[str, Any]:
    """What the layer section of algorithm.h.j2 prints, for the 2-D ``part`` of ``algorithm``."""
    if layer.dtype not in INPUT_TYPES:
        raise InputError("C layer export is integer: --dtype i8 or i16")
    if part.dims != 2:
        raise InputError("a C layer needs the 2-D transforms: export without --dims 1")
    layer.check(algorithm.kernel)
    element, bits = INPUT_TYPES[layer.dtype]
    bt_nodes, g_nodes, at_nodes = transform_intervals(part.programs, bits, layer.c_in)
    bt, g, at = part.programs.input_transform, part.programs.filter_transform, part.programs.output_transform
    v = [output_magnitude(o, bt_nodes) for o in bt.outputs]
    u = [output_magnitude(o, g_nodes) for o in g.outputs]
    sums = [layer.c_in * a * b for a, b in zip(v, u, strict=True)]
    correlation = layer.c_in * algorithm.kernel**2 * (1 << (2 * bits - 2))
    types = LayerTypes(
        element=element,
        v=_type(operand_magnitude(bt, bt_nodes), "transformed inputs", layer),
        u=_type(max(u), "transformed weights", layer),
        acc=_type(max(sums), "sums over input channels", layer, 32),
        output_work=_type(operand_magnitude(at, at_nodes), "output transform's sums", layer, 32),
        y=_type(correlation, "outputs", layer, 32),
    )
    _type(operand_magnitude(g, g_nodes), "filter transform's sums", layer, 64)  # int64_t or InputError
    filter_temporaries, filter_outputs = program_statements(g, "g", "int32_t", "int64_t", g_nodes)
    upper = prefix.upper()
    ho, wo = layer.output_size(algorithm.kernel)
    m = algorithm.tile
    tiles_h, tiles_w = -(-ho // m), -(-wo // m)
    tiles = tiles_h * tiles_w
    acc_bits = 32 if types.acc == "int32_t" else 64
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
        ("BLOCK", BLOCK, "tiles per block (the innermost, contiguous dimension of the scratch arrays)"),
        ("BLOCKS", -(-tiles // BLOCK), "blocks: ceil(TILES / BLOCK); the last one is padded with zero tiles"),
        ("INPUT_BITS", bits, f"x and w are {element}"),
        ("V_MAX", max(v), f"proved max |v[t]| for {bits}-bit inputs (v is {types.v})"),
        ("U_MAX", max(u), f"proved max |u[t]| for {bits}-bit weights (u is {types.u})"),
        ("ACC_MAX", max(sums), "proved max |m[t]| = max over t of C_IN * max|v[t]| * max|u[t]|"),
        ("ACC_BITS", acc_bits, f"m is {types.acc}: ACC_MAX {'<' if acc_bits == 32 else '>='} 2^31"),
        ("Y_MAX", correlation, "max |y| = C_IN * KERNEL^2 * 2^(2 INPUT_BITS - 2)"),
    ]
    return {
        "types": types,
        "macros": [(f"{upper}_LAYER_{name}", value, comment) for name, value, comment in macros],
        "input": _block_program(part, "input_transform", "s->d", types.v, types.v, bt_nodes, "[c]"),
        "filter": LayerProgram(g.additions, filter_temporaries, filter_outputs),
        "output": _block_program(part, "output_transform", "s->m", types.acc, types.output_work, at_nodes, "[b]"),
        "acc_reason": (
            f"max |m[t]| <= C_IN * max|v[t]| * max|u[t]| = {max(sums)}, "
            f"{'below' if acc_bits == 32 else 'at or above'} 2^31 = {1 << 31}"
        ),
    }
