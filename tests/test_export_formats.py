"""The three formats carry the same algorithm: every number is read back out of the C header and the
Verilog file (arrays, constants, and what the generated functions and modules compute) and compared
with the JSON's exact matrices."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import numpy as np
import pytest

from .export_support import LARGE_DENOMINATOR, NAMED, exported
from .verilog_reading import read_module

Matrix = list[list[Fraction]]


def json_matrices(text: str) -> dict[str, Matrix]:
    data = json.loads(text)
    out = {}
    for dims, suffix in (("1d", ""), ("2d", "2")):
        for key in ("AT", "G", "BT"):
            out[key + suffix] = [[Fraction(x) for x in row] for row in data[dims][key]]
    return out


def reshape(flat: list, cols: int) -> list[list]:
    return [flat[i : i + cols] for i in range(0, len(flat), cols)]


def c_arrays(text: str) -> dict[str, list[list[str]]]:
    arrays = {}
    for match in re.finditer(r"static const \w+ chk_(\w+)\[(\d+)\]\[(\d+)\] = \{\n(.*?)\n\};", text, re.S):
        rows = [[x.strip() for x in row.split(",")] for row in re.findall(r"\{ (.*?) \},", match.group(4))]
        assert (len(rows), len(rows[0])) == (int(match.group(2)), int(match.group(3)))
        arrays[match.group(1)] = rows
    return arrays


def c_program_rows(body: str, in_name: str, out_name: str, inputs: int) -> list[list[int]]:
    """Coefficient rows of a generated C function, read back by evaluating its statements on the unit
    vectors: ``const T tK = expression;`` then ``out[i] = expression;`` (casts dropped)."""
    values: dict[str, object] = {
        in_name: [np.array([int(i == j) for i in range(inputs)], dtype=object) for j in range(inputs)]
    }
    rows: dict[int, list[int]] = {}
    for line in body.splitlines():
        statement = re.fullmatch(r"\s*(?:const \w+ (t\d+)|" + out_name + r"\[(\d+)\]) = (.*);", line)
        if statement is None:
            continue
        name, index, expression = statement.groups()
        value = eval(re.sub(r"\(int\d+_t\)", "", expression), {}, dict(values))  # the header's own arithmetic
        if name:
            values[name] = value
        else:
            rows[int(index)] = [int(x) for x in np.broadcast_to(value, (inputs,))]
    return [rows[i] for i in range(len(rows))]


def c_function(text: str, name: str) -> str:
    start = text.index(f"void chk_{name}(")
    return text[start : text.index("\n}\n", start)]


def verilog_constants(text: str) -> dict[str, int]:
    """The localparams, plain decimals or sized 64-bit literals."""
    pattern = r"localparam (?:integer|longint) CHK_(\w+) = (-?)(?:64'sd)?(\d+);"
    return {k: int(sign + digits) for k, sign, digits in re.findall(pattern, text)}


@pytest.mark.parametrize("name", [*NAMED, LARGE_DENOMINATOR])
def test_json_c_and_verilog_hold_the_same_numbers(name):
    exact = json_matrices(exported(name, "json"))
    header, verilog = exported(name, "c"), exported(name, "verilog")
    c_macros = {k: int(v) for k, v in re.findall(r"#define CHK_(\w+) (-?\d+)", header)}
    v_constants = verilog_constants(verilog)
    arrays = c_arrays(header)
    packed = {
        key: [int(sign + digits) for sign, _, digits in re.findall(r"(-?)(\d+)'sd(\d+)", body)][::-1]
        for key, body in re.findall(r"localparam logic \[\d+-1:0\] CHK_(\w+) = \{(.*?)\};", verilog, re.S)
    }
    data = json.loads(exported(name, "json"))
    for key in ("TILE", "KERNEL", "INPUT"):
        assert c_macros[key] == v_constants[key] == data[key.lower()]
    for dims, suffix in ((1, ""), (2, "2")):
        for key in (f"PRODUCTS_{dims}D", f"SCALE_{dims}D"):
            assert c_macros[key] == v_constants[key]
        assert c_macros[f"PRODUCTS_{dims}D"] == data[f"{dims}d"]["products"]
        for key in ("AT", "G", "BT"):
            label = key + suffix
            matrix, den = exact[label], c_macros[f"{label}_DEN"]
            assert v_constants[f"{label}_DEN"] == den
            c_name = f"{label}_num" if key == "G" else label
            numerators = [[int(x) for x in row] for row in arrays[c_name]]
            assert [[Fraction(x, den) for x in row] for row in numerators] == matrix
            v_name = f"{label}_NUM" if key == "G" else label
            if dims == 1:  # the package packs the 1-D matrices; 2-D ones live in C, JSON and the modules
                assert reshape(packed[v_name], len(matrix[0])) == numerators
            else:
                assert v_name not in packed
            if den > 1:
                assert [[float(x) for x in row] for row in arrays[f"{label}_f64"]] == [
                    [float(x) for x in row] for row in matrix
                ]
            function = {"AT": "output", "G": "filter", "BT": "input"}[key]
            target = {"AT": "y", "G": "u", "BT": "v"}[key]
            body = c_function(header, f"{function}_transform_{dims}d")
            assert c_program_rows(body, {"AT": "prod", "G": "g", "BT": "d"}[key], target, len(matrix[0])) == numerators
            _, rows, _ = read_module(verilog, f"chk_{function}_transform_{dims}d", len(matrix[0]))
            assert [list(row) for row in rows] == numerators
