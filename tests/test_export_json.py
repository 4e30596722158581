"""The exported JSON: valid against the schema in the package, and read back into the same algorithm."""

from __future__ import annotations

import json
from fractions import Fraction
from functools import cache

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfc_cli.algebra.matrix import QMatrix
from sfc_cli.algebra.optimise import best_program
from sfc_cli.errors import InputError
from sfc_cli.export.jsonio import algorithm_json, program_dict, read_algorithm
from sfc_cli.request import AlgorithmRequest, build_algorithm

from .export_support import NAMED, REPO, algorithm, exported

SCHEMA_PATH = REPO / "sfc_cli" / "export" / "sfc-algorithm.schema.json"


@cache
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", NAMED)
def test_export_validates_and_reads_back(name):
    text = exported(name, "json")
    validator().validate(json.loads(text))
    assert read_algorithm(text) == algorithm(name)
    assert text == algorithm_json(algorithm(name))  # export and derive write the same object


def requests(algo: str, tiles: st.SearchStrategy[int], kernels: st.SearchStrategy[int]):
    return st.builds(
        AlgorithmRequest,
        algo=st.just(algo),
        tile=tiles,
        kernel=kernels,
        dims=st.sampled_from([1, 2]),
        fractions_in=st.sampled_from("GAB"),
    )


small_requests = st.one_of(
    requests("sfc", st.integers(1, 5), st.integers(2, 4)), requests("winograd", st.integers(1, 4), st.integers(2, 3))
)


@settings(max_examples=25, deadline=None)
@given(small_requests)
def test_every_small_algorithm_validates_and_reads_back(request):
    built = build_algorithm(request)
    text = algorithm_json(built)
    validator().validate(json.loads(text))
    assert read_algorithm(text) == built


def test_schema_rejects_what_the_contract_forbids():
    data = json.loads(exported("SFC-4(4x4,3x3)", "json"))
    for key, bad in (("format", "other"), ("version", 2), ("family", "fft"), ("verified", False)):
        broken = {**data, key: bad}
        assert not validator().is_valid(broken), key
    broken = json.loads(json.dumps(data))
    broken["1d"]["G"][0][0] = "0.25"  # entries are exact rationals, never floats
    assert not validator().is_valid(broken)


def test_read_back_rejects_a_changed_matrix_and_a_foreign_one():
    data = json.loads(exported("SFC-4(4x4,3x3)", "json"))
    data["2d"]["G"][3][0] = "7"
    with pytest.raises(InputError, match="2-D matrices fail the exact correlation identity"):
        read_algorithm(json.dumps(data))
    data = json.loads(exported("SFC-4(4x4,3x3)", "json"))
    # A valid algorithm, but not the one its parameters derive: scale product 0 by 2 and 1/2.
    data["1d"]["BT"][0] = [str(2 * int(x)) for x in data["1d"]["BT"][0]]
    data["1d"]["G"][0] = [str(Fraction(x) / 2) for x in data["1d"]["G"][0]]
    with pytest.raises(InputError, match="1-D BT program does not compute its matrix"):
        read_algorithm(json.dumps(data))
    for key, symbol in (("input_transform", "BT"), ("filter_transform", "G")):  # programs that match the change
        matrix = QMatrix(data["1d"][symbol])
        program = best_program(matrix.numerators(matrix.common_denominator()))
        data["1d"]["programs"][key] = program_dict(program, matrix)
    with pytest.raises(InputError, match="differs from SFC-4"):
        read_algorithm(json.dumps(data))
    with pytest.raises(InputError, match="malformed"):
        read_algorithm("{")


def test_read_back_checks_the_programs_exactly():
    data = json.loads(exported("SFC-4(4x4,3x3)", "json"))
    operation = data["2d"]["programs"]["output_transform"]["operations"][5]
    operation[3] = -operation[3]
    with pytest.raises(InputError, match="2-D AT program does not compute its matrix"):
        read_algorithm(json.dumps(data))
    for bad in ([0, 3, 1, 1], [0, 1, 10**6, 1], [0, 1, 1]):
        data = json.loads(exported("SFC-4(4x4,3x3)", "json"))
        data["1d"]["programs"]["input_transform"]["operations"][0] = bad
        with pytest.raises(InputError, match="malformed"):
            read_algorithm(json.dumps(data))
