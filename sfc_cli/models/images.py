"""Image folders for model evaluation: the ImageFolder convention, preprocessed as torchvision does.

A folder holds either one sub-folder per class (classes in sorted order, label i = the i-th name; images
anywhere below a class folder) or images only (unlabeled). Files are read with Pillow (PNG, JPEG and
PGM/PPM); hidden files (a leading dot) are skipped, any other file must be one of those images: a regular
file (no FIFO or device) of at most Pillow's ``Image.MAX_IMAGE_PIXELS`` pixels (checked before decoding).

Preprocessing, as torchvision's ``ToTensor`` and ``Normalize``: 8-bit pixels / 255 (16-bit / 65535),
then ``(x - mean[c]) / std[c]`` per channel. A 1-channel model gets luma (Pillow's "L", ITU-R 601-2);
a 3-channel one gets RGB, grayscale replicated. Images are resized (Pillow bilinear, as torchvision's
``Resize`` of a PIL image) only when asked; otherwise every image must have the expected size.

Order: files sorted within each class, then the classes interleaved (the first image of every class,
then the second of every class, ...), so that any prefix of the set (the calibration images, a
``limit``) holds the classes in equal shares. A flat folder keeps the sorted order.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError

FORMATS = ("PNG", "JPEG", "PPM")
"""Pillow's names of the formats read (PPM covers PGM)."""
MAX_BYTES = 8 * 2**30
"""The float32 images of one set at most (8 GiB: 10,000 ImageNet-size images are 6 GiB); more is an
error that suggests ``--limit``."""


@dataclass(frozen=True)
class ImageSet:
    """Preprocessed images, float32 NCHW, in the module's order; ``labels`` (int64, N) and ``classes``
    (sorted class folder names) are None for a flat folder; ``files`` are paths relative to the folder."""

    images: np.ndarray
    labels: np.ndarray | None
    classes: list[str] | None
    files: list[str]

    def __len__(self) -> int:
        return len(self.files)

    def subset(self, start: int, stop: int | None = None) -> ImageSet:
        """Images ``start:stop`` (labels and files with them)."""
        labels = None if self.labels is None else self.labels[start:stop]
        return ImageSet(self.images[start:stop], labels, self.classes, self.files[start:stop])


def _visible(entries: list[os.DirEntry[str]]) -> list[os.DirEntry[str]]:
    return sorted((entry for entry in entries if not entry.name.startswith(".")), key=lambda entry: entry.name)


def _scan(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return _visible(list(entries))
    except OSError as error:
        raise InputError(f"cannot read image folder {str(folder)!r}: {error.strerror or error}") from None


def _files_below(folder: Path) -> list[Path]:
    """Every visible file below ``folder``, sorted by path."""
    files = []
    for entry in _scan(folder):
        path = Path(entry.path)
        files.extend(_files_below(path) if entry.is_dir() else [path])
    return files


def image_files(folder: str) -> tuple[list[Path], list[int] | None, list[str] | None]:
    """The files of ``folder`` in the module's order, with their labels and the classes (None when flat)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"image folder {folder!r} {'is not a folder' if root.exists() else 'does not exist'}")
    entries = _scan(root)
    if not entries:
        raise InputError(f"image folder {folder!r} is empty")
    folders = [entry for entry in entries if entry.is_dir()]
    if not folders:
        return [Path(entry.path) for entry in entries], None, None
    if len(folders) < len(entries):
        stray = next(entry.name for entry in entries if not entry.is_dir())
        raise InputError(f"image folder {folder!r} mixes class folders and files ({stray!r}): use one or the other")
    if len(folders) < 2:
        raise InputError(
            f"image folder {folder!r} has one class folder ({folders[0].name!r}); labeled evaluation needs at "
            "least two classes (or put the images directly in the folder to evaluate without labels)"
        )
    per_class = []
    for entry in folders:
        files = _files_below(Path(entry.path))
        if not files:
            raise InputError(f"class folder {entry.name!r} of {folder!r} holds no images")
        per_class.append(files)
    interleaved = [
        (files[index], label)
        for index in range(max(map(len, per_class)))
        for label, files in enumerate(per_class)
        if index < len(files)
    ]
    return [file for file, _ in interleaved], [label for _, label in interleaved], [entry.name for entry in folders]


def _pixels(
    path: Path, root: Path, size: tuple[int, int] | None, channels: int, resize: bool, source: str
) -> np.ndarray:
    """One image as float32 (C, H, W) in [0, 1]; ``size`` (H, W) is the size required, or resized to, and
    ``source`` says where it comes from ("the model takes")."""
    from PIL import Image, UnidentifiedImageError

    name = str(path.relative_to(root))
    if not path.is_file():  # a FIFO would wait for a writer, a device never end
        raise InputError(f"{name!r} in the image folder is not a regular file")
    too_large = f"{name!r} in the image folder has more than {Image.MAX_IMAGE_PIXELS:,} pixels, the most sfc reads"
    try:
        with warnings.catch_warnings():  # Pillow warns of sizes up to twice its limit: refused here, in one line
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(path)
        with opened:
            if opened.width * opened.height > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(too_large)
            kind, sixteen_bit = opened.format, opened.mode.startswith("I")
            image = opened.convert("F" if sixteen_bit else "L" if channels == 1 else "RGB")
    except Image.DecompressionBombError:
        raise InputError(too_large) from None
    except (UnidentifiedImageError, ValueError, SyntaxError):
        raise InputError(f"{name!r} in the image folder is not an image (PNG, JPEG or PGM)") from None
    except OSError as error:
        raise InputError(f"cannot read image {name!r}: {error.strerror or error}") from None
    if kind not in FORMATS:
        raise InputError(f"{name!r} is a {kind} image; sfc reads PNG, JPEG and PGM")
    if size is not None and image.size != size[::-1]:
        if not resize:
            raise InputError(
                f"{name!r} is {image.height}x{image.width} pixels, {source} {size[0]}x{size[1]}: resize with --size H,W"
            )
        image = image.resize(size[::-1], Image.Resampling.BILINEAR)
    pixels = np.asarray(image, dtype=np.float32) / (65535 if sixteen_bit else 255)
    return np.repeat(pixels[None], channels, axis=0) if pixels.ndim == 2 else pixels.transpose(2, 0, 1)


def load_image_folder(
    path: str,
    size: tuple[int, int] | None,
    mean: tuple[float, ...],
    std: tuple[float, ...],
    channels: int,
    limit: int | None = None,
    resize: bool = False,
) -> ImageSet:
    """The first ``limit`` images (all when None) of the folder, preprocessed (module docstring).

    ``size`` (H, W): the size every image must have, or (``resize``) is resized to; None: the first
    image's. ``mean`` and ``std`` hold one value per channel (``channels``: 1 or 3)."""
    if channels not in (1, 3):
        raise InputError(f"the model takes {channels}-channel images; sfc reads 1-channel and 3-channel images")
    for name, values in (("mean", mean), ("std", std)):
        if len(values) != channels:
            raise InputError(f"--{name} takes {channels} value(s), one per input channel, got {len(values)}")
    if any(value <= 0 for value in std):
        raise InputError("--std values must be positive")
    files, labels, classes = image_files(path)
    files = files[:limit]
    root = Path(path)
    names = [str(file.relative_to(root)) for file in files]
    if resize and size is None:
        raise ValueError("resizing needs a size")
    first = _pixels(files[0], root, size, channels, resize, "the model takes")
    height, width = first.shape[1:]
    source = "the model takes" if size is not None else f"the first image {names[0]!r} is"
    if len(files) * first.nbytes > MAX_BYTES:
        raise InputError(
            f"{len(files)} images of {height}x{width} take {len(files) * first.nbytes / 2**30:.1f} GiB as float32, "
            f"more than {MAX_BYTES // 2**30} GiB: evaluate fewer with --limit"
        )
    images = np.empty((len(files), channels, height, width), dtype=np.float32)
    images[0] = first
    for index, file in enumerate(files[1:], 1):
        images[index] = _pixels(file, root, (height, width), channels, resize, source)
    images -= np.asarray(mean, dtype=np.float32)[:, None, None]
    images /= np.asarray(std, dtype=np.float32)[:, None, None]
    return ImageSet(images, None if labels is None else np.array(labels[: len(files)], dtype=np.int64), classes, names)
