"""Grayscale images for error measurements, as float arrays in [0, 1] (pixel / maximum value).

PGM (binary P5 and plain P2, 8 or 16 bit) is read here; PNG and the other formats matplotlib reads
go through matplotlib (color is converted to luma 0.299 R + 0.587 G + 0.114 B). ``BUILTIN`` names the
photograph that ships with sfc (sfc_cli/data/grace_hopper.pgm, public domain).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import InputError

BUILTIN = "builtin"
_PGM_HEADER = re.compile(rb"\A(P[25])((?:\s+|#[^\n]*\n)+)(\d+)((?:\s+|#[^\n]*\n)+)(\d+)((?:\s+|#[^\n]*\n)+)(\d+)\s")


def parse_pgm(raw: bytes) -> np.ndarray:
    """Pixels of a PGM file (P5 or P2) scaled to [0, 1]; raises ValueError when malformed."""
    header = _PGM_HEADER.match(raw)
    if header is None:
        raise ValueError("not a PGM file (P5 or P2 header expected)")
    magic, width, height, maxval = header[1], int(header[3]), int(header[5]), int(header[7])
    if not (width and height and 0 < maxval < 65536):
        raise ValueError(f"bad PGM size {width}x{height} or maximum value {maxval}")
    body = raw[header.end() :]
    if magic == b"P2":
        pixels = np.array(body.split()[: width * height], dtype=np.int64)
    else:
        dtype = np.dtype(np.uint8) if maxval < 256 else np.dtype(">u2")
        pixels = np.frombuffer(body[: width * height * dtype.itemsize], dtype=dtype)
    if pixels.size != width * height:
        raise ValueError(f"PGM data ends early: {pixels.size} of {width * height} pixels")
    if pixels.max(initial=0) > maxval:
        raise ValueError(f"a PGM pixel is {int(pixels.max())}, above the file's maximum value {maxval}")
    return pixels.reshape(height, width).astype(np.float64) / maxval


def _other_format(path: Path) -> np.ndarray:
    import matplotlib.image

    pixels = np.asarray(matplotlib.image.imread(path), dtype=np.float64)
    if pixels.max(initial=0) > 1:
        pixels = pixels / 255
    if pixels.ndim == 3:
        pixels = pixels[..., :3] @ np.array([0.299, 0.587, 0.114]) if pixels.shape[2] >= 3 else pixels[..., 0]
    return pixels


def load_grayscale(path: str) -> np.ndarray:
    """``BUILTIN`` or a file path; raises InputError with the reason when it cannot be used."""
    try:
        if path == BUILTIN:
            return parse_pgm(resources.files("sfc_cli").joinpath("data/grace_hopper.pgm").read_bytes())
        file = Path(path)
        raw = file.read_bytes()
        image = parse_pgm(raw) if raw[:2] in (b"P5", b"P2") else _other_format(file)
    except (OSError, ValueError, SyntaxError) as error:
        raise InputError(f"cannot read image {path!r}: {error}") from None
    if image.ndim != 2 or min(image.shape) < 2:
        raise InputError(f"image {path!r} is not a 2-D grayscale image of at least 2x2 pixels")
    return image
