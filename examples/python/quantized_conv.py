"""Load an exported algorithm (sfc export --format json) and run a quantized 2-D convolution with numpy.

    sfc export --format json -o sfc6.json
    python quantized_conv.py sfc6.json [--bits 8] [--image photo.pgm]

The image (default: the photograph shipped with sfc) is centred to signed 8-bit integers. Input tiles
go through BT2 exactly (integer additions); the transformed input and the transformed kernel (G2 @ g)
are then quantized to signed integers of --bits bits with one scale per transform-domain position
("tap-wise", as in the SFC paper; for this single kernel that keeps the weights almost exact, so the
error shown is the activations'), multiplied as integers, de-scaled and mapped back with AT2. The
result is compared with float64 direct convolution of the same image and kernel.
"""

from __future__ import annotations

import argparse
import json
from fractions import Fraction
from importlib import resources
from pathlib import Path

import numpy as np


def load_matrices(path: Path) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    """The JSON object and its 2-D (AT2, G2, BT2) as float64 arrays (exact strings such as "1/6")."""
    data = json.loads(path.read_text())
    if data.get("format") != "sfc-algorithm" or "2d" not in data:
        raise SystemExit(f"{path}: not a 2-D sfc-algorithm export")
    at, g, bt = (np.array([[float(Fraction(x)) for x in row] for row in data["2d"][k]]) for k in ("AT", "G", "BT"))
    return data, at, g, bt


def read_pgm(path: Path) -> np.ndarray:
    """A binary (P5) 8-bit PGM as a 2-D uint8 array."""
    raw = path.read_bytes()
    fields, position = [], 2
    while len(fields) < 3:
        while raw[position : position + 1].isspace() or raw[position : position + 1] == b"#":
            position = raw.index(b"\n", position) + 1 if raw[position] == ord("#") else position + 1
        end = position
        while not raw[end : end + 1].isspace():
            end += 1
        fields.append(int(raw[position:end]))
        position = end
    width, height, _ = fields
    return np.frombuffer(raw, np.uint8, width * height, position + 1).reshape(height, width)


def quantize(values: np.ndarray, bits: int, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric quantization with one scale per index along ``axis``: values ~ q * scale."""
    top = 2 ** (bits - 1) - 1
    scale = np.max(np.abs(values), axis=axis, keepdims=True) / top
    scale[scale == 0] = 1.0
    return np.clip(np.round(values / scale), -top, top).astype(np.int64), scale


def tiles(image: np.ndarray, m: int, n: int) -> tuple[np.ndarray, int, int]:
    """Every n x n input tile (zero padded) for m x m output tiles of the valid correlation, flattened."""
    out_h, out_w = image.shape[0] - (n - m), image.shape[1] - (n - m)
    rows, cols = -(-out_h // m), -(-out_w // m)
    padded = np.zeros((rows * m + n - m, cols * m + n - m), image.dtype)
    padded[: image.shape[0], : image.shape[1]] = image
    blocks = [padded[i * m : i * m + n, j * m : j * m + n].ravel() for i in range(rows) for j in range(cols)]
    return np.array(blocks), rows, cols


def direct(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    r = kernel.shape[0]
    out = np.zeros((image.shape[0] - r + 1, image.shape[1] - r + 1))
    for a in range(r):
        for b in range(r):
            out += kernel[a, b] * image[a : a + out.shape[0], b : b + out.shape[1]]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("algorithm", type=Path, help="JSON written by sfc export --format json")
    parser.add_argument("--bits", type=int, default=8, choices=range(2, 17), metavar="2..16", help="default 8")
    parser.add_argument("--image", type=Path, help="binary PGM (default: the photograph shipped with sfc)")
    args = parser.parse_args()

    data, at, g, bt = load_matrices(args.algorithm)
    m, r, n = data["tile"], data["kernel"], data["input"]
    image_path = args.image or Path(str(resources.files("sfc_cli") / "data" / "grace_hopper.pgm"))
    image = read_pgm(image_path).astype(np.int64) - 128  # signed 8-bit activations
    kernel = np.random.default_rng(0).normal(size=(r, r))

    d, rows, cols = tiles(image, m, n)
    v = d @ np.rint(bt.T).astype(np.int64) if data["fractions_in"] == "G" else d @ bt.T  # exact integers
    v_q, v_scale = quantize(v.astype(np.float64), args.bits, axis=0)  # one scale per position, over tiles
    u_q, u_scale = quantize((g @ kernel.ravel())[None, :], args.bits, axis=0)
    products = (v_q * u_q).astype(np.float64) * v_scale * u_scale  # integer multiplies, then de-scale
    y = (products @ at.T).reshape(rows, cols, m, m).transpose(0, 2, 1, 3).reshape(rows * m, cols * m)

    reference = direct(image.astype(np.float64), kernel)
    fast = y[: reference.shape[0], : reference.shape[1]]
    error = np.sqrt(np.mean((fast - reference) ** 2) / np.mean(reference**2))
    print(f"{data['name']}: {rows * cols} tiles, {data['2d']['products']} products each, {args.bits}-bit operands")
    print(f"relative RMS error against float64 direct convolution: {error:.2e}")


if __name__ == "__main__":
    main()
