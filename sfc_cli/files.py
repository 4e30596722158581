"""Writing output files (exports, plots): never destroying what is not a regular file.

Conventions: symlinks are followed. A name that leads to a regular file, or to nothing yet, is written
atomically: a temporary file beside the final target (the file the symlinks lead to) is renamed over
it, so readers see the old file or the complete new one, and the links stay links. A name that leads
to anything else that takes writes (a device such as /dev/null, a FIFO, /dev/stdout or another link to
an open file under /proc) is opened and written through, appending, and never replaced. Directories,
sockets and the empty name are refused. Every failure is one InputError line, "cannot write NAME: why",
except a pipe or FIFO whose reader has gone: BrokenPipeError, as for a write to stdout.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

MAX_SYMLINKS = 40
"""Links followed before giving up (Linux's own limit), so that a loop of links is an error."""


@dataclass(frozen=True)
class Target:
    """Where ``name`` is written: ``replace`` True renames a temporary file over ``path`` (the final
    target, symlinks resolved); False opens ``path`` (the name as given) and writes through."""

    path: Path
    replace: bool


def _cannot(name: str, why: str) -> InputError:
    return InputError(f"cannot write {name}: {why}")


def _follow(path: Path) -> tuple[Path, bool]:
    """The path the symlinks lead to, and whether a link on the way lies under /proc: such a link
    (/dev/stdout leads to /proc/self/fd/1) names an open file, not a place in a directory."""
    through_proc = False
    for _ in range(MAX_SYMLINKS):
        if not path.is_symlink():
            return path, through_proc
        through_proc = through_proc or os.path.realpath(path.parent).startswith("/proc/")
        path = path.parent / os.readlink(path)
    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))


def _file_type(name: str) -> int | None:
    """The st_mode of what ``name`` leads to; None when nothing is there yet."""
    try:
        return os.stat(name).st_mode
    except FileNotFoundError:
        return None


def output_target(name: str) -> Target:
    """Where ``name`` would be written (see the module docstring); InputError when nowhere."""
    if not name:
        raise _cannot("''", "an empty path is not a file name")
    if name.endswith(os.sep):
        raise _cannot(name, f"a path ending in {os.sep} names a directory")
    try:
        final, through_proc = _follow(Path(name))
        mode = _file_type(name)
    except OSError as error:
        raise _cannot(name, error.strerror or str(error)) from None
    if mode is None or (stat.S_ISREG(mode) and not through_proc):
        if not final.parent.is_dir():
            raise _cannot(name, f"no such directory {final.parent}")
        return Target(final, replace=True)
    if stat.S_ISDIR(mode):
        raise _cannot(name, "it is a directory")
    if stat.S_ISSOCK(mode):
        raise _cannot(name, "it is a socket")
    return Target(Path(name), replace=False)


def check_writable(name: str) -> None:
    """Fail early, before any long computation, when ``name`` cannot be written: for a file to be
    replaced or created, a temporary file is created beside it (and removed) as the real write will;
    anything written through needs write permission."""
    target = output_target(name)
    if not target.replace:
        if not os.access(target.path, os.W_OK):
            raise _cannot(name, os.strerror(errno.EACCES))
        return
    directory = target.path.parent
    try:
        with tempfile.NamedTemporaryFile(dir=directory, prefix=f".{target.path.name}.", suffix=".tmp"):
            pass
    except OSError as error:
        raise _cannot(name, f"cannot create a file in {directory} ({error.strerror or error})") from None


def _new_file_mode(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets 0666 minus the umask, like open() would."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _replace(path: Path, data: bytes) -> None:
    """Write data to a temporary file beside path and rename it over path; the temporary file never
    outlives a failure."""
    temporary: Path | None = None
    try:
        mode = _new_file_mode(path)
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as handle:
            temporary = Path(handle.name)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise


def _write_through(path: Path, data: bytes) -> None:
    """Open what is there (never creating or truncating it) and append data."""
    with open(os.open(path, os.O_WRONLY | os.O_APPEND), "wb") as handle:
        handle.write(data)


def write_output(name: str | os.PathLike[str], content: str | bytes) -> int:
    """Write text (UTF-8, LF) or bytes to ``name``: atomically when it leads to a regular file or to
    nothing yet, written through otherwise (module docstring). Returns the number of bytes written."""
    name = os.fspath(name)
    target = output_target(name)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        (_replace if target.replace else _write_through)(target.path, data)
    except BrokenPipeError:
        raise  # the reader of a pipe left: not a bad name, the caller decides
    except OSError as error:
        raise _cannot(name, error.strerror or str(error)) from None
    return len(data)
