"""The JSON object of docs/design.md section 7 (format "sfc-algorithm", version 1)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..algebra.bilinear import Transforms
from ..algebra.matrix import QMatrix
from ..algebra.program import Operand, Operation, Program, computes
from ..algebra.verify import satisfies_identity
from ..algorithm import CONVENTION, Algorithm, CrtParameters, SfcParameters, point_text
from ..analysis.costs import ROLES, SYMBOLS, AdditionCounts, addition_counts
from ..errors import InputError
from ..request import AlgorithmRequest, build_algorithm

if TYPE_CHECKING:
    from .content import ExportRequest


def matrix_rows(matrix: QMatrix) -> list[list[str]]:
    """Exact entries as strings: "0", "-1", "1/6"."""
    return [[str(x) for x in row] for row in matrix.rows]


def parameters_dict(algorithm: Algorithm) -> dict[str, Any]:
    params = algorithm.parameters
    if isinstance(params, SfcParameters):
        return {"dft": params.dft, "corrections": list(params.corrections)}
    if isinstance(params, CrtParameters):
        return {"moduli": list(params.moduli)}
    return {"points": [point_text(p) for p in params.points]}


def program_dict(program: Program, matrix: QMatrix) -> dict[str, Any]:
    """A program as JSON: it computes ``scale * matrix @ x``. Nodes 0 .. inputs - 1 are the inputs and
    operation j defines node inputs + j; ``[a, ca, b, cb]`` is ``ca * node_a + cb * node_b`` with
    coefficients +-2**k; an output is ``[node, c]`` (c * node) or null (zero)."""
    return {
        "scale": matrix.common_denominator(),
        "inputs": program.inputs,
        "additions": program.additions,
        "depth": program.depth,
        "operations": [
            [op.first.node, op.first.coefficient, op.second.node, op.second.coefficient] for op in program.operations
        ],
        "outputs": [None if o is None else [o.node, o.coefficient] for o in program.outputs],
    }


def program_from_dict(data: dict[str, Any]) -> Program:
    """The inverse of ``program_dict`` (ValueError, KeyError or TypeError when malformed)."""

    def operand(node: int, coefficient: int) -> Operand:
        magnitude = abs(coefficient)
        if (
            not isinstance(node, int)
            or not isinstance(coefficient, int)
            or magnitude & (magnitude - 1)
            or not node >= 0
        ):
            raise ValueError(f"bad operand [{node}, {coefficient}]")
        return Operand(node, magnitude.bit_length() - 1, coefficient < 0)

    inputs = data["inputs"]
    operations = []
    for index, (a, ca, b, cb) in enumerate(data["operations"]):
        if max(a, b) >= inputs + index:
            raise ValueError(f"operation {index} reads a node defined later")
        operations.append(Operation(operand(a, ca), operand(b, cb)))
    outputs = [None if o is None else operand(*o) for o in data["outputs"]]
    if any(o is not None and o.node >= inputs + len(operations) for o in outputs):
        raise ValueError("an output reads a node that does not exist")
    return Program(inputs, tuple(operations), tuple(outputs))


def _additions_dict(counts: AdditionCounts) -> dict[str, Any]:
    return {
        "program": counts.program,
        "depth": counts.depth,
        "flat": counts.flat.additions,
        "flat_constants": counts.flat.constant_multiplications,
        "row_column": counts.row_column,
    }


def _transforms_dict(algorithm: Algorithm, dims: int) -> dict[str, Any]:
    transforms = algorithm.one_d if dims == 1 else algorithm.two_d
    assert transforms is not None
    structure = algorithm.structure_1d if dims == 1 else algorithm.structure_2d
    programs = algorithm.programs(dims)
    counts = {c.role: c for c in addition_counts(algorithm) if c.dims == dims}
    return {
        "AT": matrix_rows(transforms.AT),
        "G": matrix_rows(transforms.G),
        "BT": matrix_rows(transforms.BT),
        "products": transforms.products,
        "structure": [{"part": part, "products": products} for part, products in structure],
        "additions": {f"{role}_transform": _additions_dict(counts[role]) for role in ROLES},
        "programs": {
            f"{role}_transform": program_dict(getattr(programs, f"{role}_transform"), getattr(transforms, symbol))
            for role, symbol in SYMBOLS.items()
        },
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
        "1d": _transforms_dict(algorithm, 1),
    }
    if algorithm.two_d is not None:
        data["2d"] = _transforms_dict(algorithm, 2)
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


def json_context(algorithm: Algorithm, request: ExportRequest) -> dict[str, Any]:
    """What algorithm.json.j2 prints: the contract object and the layout function of ``algorithm_json``."""
    return {"document": algorithm_dict(algorithm), "compact": compact_json}


def _request_from(data: dict[str, Any]) -> AlgorithmRequest:
    """The derive options that the object's "parameters" name."""
    params = data["parameters"]
    common = {
        "tile": data["tile"],
        "kernel": data["kernel"],
        "dims": 2 if "2d" in data else 1,
        "fractions_in": data["fractions_in"],
    }
    if data["family"] == "sfc":
        left, right = params["corrections"]
        return AlgorithmRequest("sfc", dft=params["dft"], corrections=f"{left},{right}", **common)
    if data["family"] == "crt":
        return AlgorithmRequest("crt", moduli=", ".join(params["moduli"]), **common)
    return AlgorithmRequest("winograd", points=",".join(params["points"]), **common)


def _transforms(part: dict[str, Any]) -> Transforms:
    return Transforms(QMatrix(part["AT"]), QMatrix(part["G"]), QMatrix(part["BT"]))


def read_algorithm(text: str) -> Algorithm:
    """Read an exported object back: its matrices must satisfy the exact identity by themselves, its
    programs must compute its matrices exactly, and it must be the very algorithm that its
    parameters derive. Raises InputError otherwise."""
    try:
        data = json.loads(text)
        if data.get("format") != "sfc-algorithm" or data.get("version") != 1:
            raise InputError("not an sfc-algorithm version 1 object")
        request = _request_from(data)
        parts = {dims: _transforms(data[key]) for dims, key in ((1, "1d"), (2, "2d")) if key in data}
        programs = {
            (dims, symbol): program_from_dict(data[key]["programs"][f"{role}_transform"])
            for dims, key in ((1, "1d"), (2, "2d"))
            if key in data
            for role, symbol in SYMBOLS.items()
        }
    except (ValueError, KeyError, TypeError, ZeroDivisionError) as error:
        raise InputError(f"malformed sfc-algorithm JSON: {error}") from None
    for dims, transforms in parts.items():
        if not satisfies_identity(transforms, data["tile"], data["kernel"], dims):
            raise InputError(f"the {dims}-D matrices fail the exact correlation identity")
    for (dims, symbol), program in programs.items():
        matrix = getattr(parts[dims], symbol)
        if not computes(program, matrix.numerators(matrix.common_denominator())):
            raise InputError(f"the {dims}-D {symbol} program does not compute its matrix")
    algorithm = build_algorithm(request)
    if algorithm_dict(algorithm) != {key: data.get(key) for key in algorithm_dict(algorithm)}:
        raise InputError(f"the object differs from {algorithm.name} as its parameters derive it")
    return algorithm
