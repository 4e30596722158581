"""Grayscale images for error measurements, as float arrays in [0, 1] (pixel / maximum value).

PGM (binary P5 and plain P2, 8 or 16 bit) is read here; PNG and the other formats matplotlib reads
go through matplotlib (color is converted to luma 0.299 R + 0.587 G + 0.114 B). ``BUILTIN`` names the
photograph that ships with sfc (sfc_cli/data/grace_hopper.pgm, public domain).

Only regular files are read (never a device such as /dev/zero, a FIFO or a directory), of at most
``MAX_PIXELS`` pixels (checked from the header, before any pixel is decoded) and ``MAX_FILE_BYTES`` bytes.
"""

from __future__ import annotations

import io
import os
import re
import stat
from importlib import resources

import numpy as np

from ..errors import InputError
from ..request import MAX_PIXELS, MAX_SIDE

BUILTIN = "builtin"
MAX_FILE_BYTES = 8 * MAX_PIXELS
"""Bytes of an image file at most (128 MiB: a plain-text P2 PGM of ``MAX_PIXELS`` 16-bit pixels fits)."""


class TooManyPixels(ValueError):
    """An image file whose header says it holds more than ``MAX_PIXELS`` pixels."""

    def __init__(self) -> None:
        super().__init__(f"has more than {MAX_PIXELS:,} pixels ({MAX_SIDE}x{MAX_SIDE}), the most sfc reads")


_PGM_HEADER = re.compile(rb"\A(P[25])((?:\s+|#[^\n]*\n)+)(\d+)((?:\s+|#[^\n]*\n)+)(\d+)((?:\s+|#[^\n]*\n)+)(\d+)\s")


def parse_pgm(raw: bytes) -> np.ndarray:
    """Pixels of a PGM file (P5 or P2) scaled to [0, 1]; raises ValueError when malformed, TooManyPixels
    (before reading any pixel) when too large."""
    header = _PGM_HEADER.match(raw)
    if header is None:
        raise ValueError("not a PGM file (P5 or P2 header expected)")
    magic, width, height, maxval = header[1], int(header[3]), int(header[5]), int(header[7])
    if width * height > MAX_PIXELS:
        raise TooManyPixels
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


def _other_format(raw: bytes) -> np.ndarray:
    """A PNG (or another format matplotlib reads) as floats, luma for colour; raises ValueError when it
    has more than ``MAX_PIXELS`` pixels (Pillow reads the size from the header, nothing is decoded)
    and when it is no image Pillow knows."""
    import matplotlib.image
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as header:
            too_large = header.width * header.height > MAX_PIXELS
    except Image.DecompressionBombError:  # Pillow's own limit, far above MAX_PIXELS
        too_large = True
    except UnidentifiedImageError:
        raise ValueError("not an image sfc reads (PGM, PNG, JPEG, ...)") from None
    if too_large:
        raise TooManyPixels
    decoded = matplotlib.image.imread(io.BytesIO(raw))
    pixels = np.asarray(decoded[..., :3] if decoded.ndim == 3 else decoded, dtype=np.float64)
    if pixels.max(initial=0) > 1:
        pixels = pixels / 255
    if pixels.ndim == 3:
        pixels = pixels @ np.array([0.299, 0.587, 0.114]) if pixels.shape[2] >= 3 else pixels[..., 0]
    return pixels


FILE_TYPES = {stat.S_IFDIR: "a directory", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device"}
FILE_TYPES |= {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket"}


def _read_file(path: str) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES``; InputError for anything else. Opened
    without blocking (a FIFO would wait for a writer) and checked before reading."""
    if not path:
        raise InputError("cannot read image '': an empty path is not a file name")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise InputError(f"cannot read image {path!r}: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = FILE_TYPES.get(stat.S_IFMT(info.st_mode), "a special file")
            raise InputError(f"image {path!r} is not a regular file ({kind})")
        if info.st_size > MAX_FILE_BYTES:
            raise InputError(f"image {path!r} is {info.st_size:,} bytes, more than the {MAX_FILE_BYTES:,} sfc reads")
        with open(descriptor, "rb", closefd=False) as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InputError(f"cannot read image {path!r}: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def load_grayscale(path: str) -> np.ndarray:
    """``BUILTIN`` or a file path; raises InputError with the reason when it cannot be used."""
    if path == BUILTIN:
        raw = resources.files("sfc_cli").joinpath("data/grace_hopper.pgm").read_bytes()
    else:
        raw = _read_file(path)
    try:
        image = parse_pgm(raw) if raw[:2] in (b"P5", b"P2") else _other_format(raw)
    except TooManyPixels as error:
        raise InputError(f"image {path!r} {error}") from None
    except (OSError, ValueError, SyntaxError) as error:
        raise InputError(f"cannot read image {path!r}: {error}") from None
    if image.ndim != 2 or min(image.shape) < 2:
        raise InputError(f"image {path!r} is not a 2-D grayscale image of at least 2x2 pixels")
    return image
