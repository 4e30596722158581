"""The algorithm as a NumPy archive (docs/design.md section 7.5): ``np.load`` reads it with allow_pickle=False.

For each dimension present (suffix s = "" in 1-D, "2" in 2-D, d = 1 or 2) and each matrix X of AT, G, BT:
``Xs_num`` (int64 numerators), ``Xs_den`` (int64 scalar, the least common denominator, X = Xs_num / Xs_den) and
``Xs`` (float64, the exact entries rounded to nearest); ``products_dd`` and ``scale_dd`` (AT_DEN * G_DEN * BT_DEN,
the divisor of the integer output). Also ``name``, ``convention``, ``command``, ``generator`` (strings) and
``tile``, ``kernel``, ``input`` (int64 scalars). The bytes are deterministic: members in that order, stored, with
a fixed date.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np

from ..algorithm import Algorithm
from ..errors import InputError
from .content import CONVENTION, ExportRequest, command_line, dimensions, generator
from .integers import INT64_MAX

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
"""The earliest date a zip entry can carry: np.savez would write the current time."""


def _int64(values: list[list[int]] | int, what: str) -> np.ndarray:
    flat = np.ravel(np.array(values, dtype=object))
    if any(abs(int(x)) > INT64_MAX for x in flat):
        raise InputError(f"{what} has integers beyond 64 bits; it cannot be exported to npz")
    return np.array(values, dtype=np.int64)


def npz_arrays(algorithm: Algorithm, request: ExportRequest) -> dict[str, np.ndarray]:
    """The arrays of the archive, by key, in archive order."""
    arrays = {
        "name": np.array(algorithm.name),
        "convention": np.array(CONVENTION),
        "command": np.array(command_line(algorithm, request)),
        "generator": np.array(generator()),
        "tile": np.array(algorithm.tile, dtype=np.int64),
        "kernel": np.array(algorithm.kernel, dtype=np.int64),
        "input": np.array(algorithm.input_size, dtype=np.int64),
    }
    for part in dimensions(algorithm):
        s, d = part.suffix, part.dims
        for key in ("AT", "G", "BT"):
            matrix, exact = getattr(part, key), getattr(part.transforms, key)
            arrays[f"{key}{s}_num"] = _int64([list(row) for row in matrix.numerators], f"{key}{s}")
            arrays[f"{key}{s}_den"] = _int64(matrix.denominator, f"{key}{s}_den")
            arrays[f"{key}{s}"] = np.array([[float(x) for x in row] for row in exact.rows], dtype=np.float64)
        arrays[f"products_{d}d"] = np.array(part.transforms.products, dtype=np.int64)
        arrays[f"scale_{d}d"] = _int64(part.scale, f"scale_{d}d")
    return arrays


def npz_bytes(algorithm: Algorithm, request: ExportRequest) -> bytes:
    """The archive ``np.savez`` would write for ``npz_arrays``, with fixed member dates."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for key, array in npz_arrays(algorithm, request).items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=FIXED_DATE)
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()
