"""Writing output files (exports, plots): all or nothing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError


def _new_file_mode(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets 0666 minus the umask, like open() would."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def check_writable(path: Path) -> None:
    """Fail early, before any long computation, when path's directory cannot take a new file."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"cannot write {path}: no such directory {directory}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"cannot write {path}: directory {directory} is not writable")


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write text (UTF-8, LF) or bytes to a temporary file beside path, then rename it over path.

    Readers see the old file or the complete new one, never a partial one; on any failure the
    temporary file is removed and InputError says why in one line.
    """
    temporary: Path | None = None
    try:
        mode = _new_file_mode(path)
        data = content.encode("utf-8") if isinstance(content, str) else content
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as handle:
            temporary = Path(handle.name)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None
