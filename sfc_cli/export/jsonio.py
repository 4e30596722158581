"""The JSON object of DESIGN.md section 7 (format "sfc-algorithm", version 1)."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from ..algebra.bilinear import Transforms
from ..algebra.matrix import QMatrix
from ..algorithm import Algorithm, SfcParameters

CONVENTION = "y = AT @ ((G @ g) * (BT @ d)); correlation; 2-D tiles flattened row-major"


def point_text(point: Fraction | None) -> str:
    return "inf" if point is None else str(point)


def matrix_rows(matrix: QMatrix) -> list[list[str]]:
    """Exact entries as strings: "0", "-1", "1/6"."""
    return [[str(x) for x in row] for row in matrix.rows]


def parameters_dict(algorithm: Algorithm) -> dict[str, Any]:
    params = algorithm.parameters
    if isinstance(params, SfcParameters):
        return {"dft": params.dft, "corrections": list(params.corrections)}
    return {"points": [point_text(p) for p in params.points]}


def _transforms_dict(transforms: Transforms, structure: tuple[tuple[str, int], ...]) -> dict[str, Any]:
    return {
        "AT": matrix_rows(transforms.AT),
        "G": matrix_rows(transforms.G),
        "BT": matrix_rows(transforms.BT),
        "products": transforms.products,
        "structure": [{"part": part, "products": products} for part, products in structure],
    }


def algorithm_dict(algorithm: Algorithm) -> dict[str, Any]:
    """The contract object; "2d" only when the algorithm has two dimensions."""
    data: dict[str, Any] = {
        "format": "sfc-algorithm",
        "version": 1,
        "name": algorithm.name,
        "family": algorithm.family,
        "tile": algorithm.tile,
        "kernel": algorithm.kernel,
        "input": algorithm.input_size,
        "parameters": parameters_dict(algorithm),
        "fractions_in": algorithm.fractions_in,
        "convention": CONVENTION,
        "1d": _transforms_dict(algorithm.one_d, algorithm.structure_1d),
    }
    if algorithm.two_d is not None:
        data["2d"] = _transforms_dict(algorithm.two_d, algorithm.structure_2d)
    data["verified"] = True
    return data


def compact_json(value: Any, indent: int = 0) -> str:
    """JSON with two-space indentation where lists of scalars (matrix rows) stay on one line."""
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k)}: {compact_json(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and any(isinstance(v, list | dict) for v in value):
        items = [f"{inner}{compact_json(v, indent + 2)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value)


def algorithm_json(algorithm: Algorithm) -> str:
    """Deterministic text: keys in contract order, one matrix row per line, trailing newline."""
    return compact_json(algorithm_dict(algorithm)) + "\n"
