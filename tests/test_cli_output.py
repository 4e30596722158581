"""Where every command's output goes and what happens when it cannot get there: files, devices, FIFOs,
symlinks, full disks, closed pipes, non-UTF-8 terminals, progress and the 'wrote FILE' line."""

from __future__ import annotations

import csv
import io
import os
import pty
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

from .export_support import REPO
from .helpers import Run, one_error_line, run_sfc

SFC = (sys.executable, "-m", "sfc_cli")
QUICK = {
    "derive": ("derive", "--tile", "2", "--dims", "1"),
    "export": ("export", "--tile", "2", "--dims", "1"),
    "error-report": ("error-report", "--tile", "2", "--dims", "1", "--samples", "16"),
}
"""The fastest run of each command (a 1-D algorithm with 4 inputs)."""
FORMATS = {
    "derive": ("table", "json"),
    "export": ("c", "verilog", "json"),
    "error-report": ("table", "json", "csv", "markdown"),
}
EVERY_OUTPUT = [(command, fmt) for command, formats in FORMATS.items() for fmt in formats]
AS_ROOT = os.geteuid() == 0
OTHER_USER = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
"""Runs a command as nobody: as root, permission checks are the only way to see an unwritable directory."""


def run_with(*args: str, env: dict[str, str] | None = None, stdout: IO[bytes] | int = subprocess.PIPE) -> Run:
    """Like run_sfc, with variables added to the environment and stdout a pipe (read back) or a given file."""
    proc = subprocess.run([*SFC, *args], stdout=stdout, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    return Run(proc.returncode, (proc.stdout or b"").decode("utf-8", "replace"), proc.stderr.decode())


def expected_export(tmp_path: Path) -> bytes:
    """The quick export written to a regular file (the bytes every other target must receive)."""
    reference = tmp_path / "reference.h"
    assert run_sfc(*QUICK["export"], "-o", str(reference)).code == 0
    return reference.read_bytes()


@pytest.fixture
def device(tmp_path: Path) -> Callable[[str, int], Path]:
    """device(name, minor) -> a character device of the mem driver (3: null, 7: full) reachable at tmp_path/name:
    as root, a node made here (a bug can only replace this copy, never /dev's); otherwise a symlink to /dev's."""

    def make(name: str, minor: int) -> Path:
        path = tmp_path / name
        if not AS_ROOT:
            path.symlink_to({3: "/dev/null", 7: "/dev/full"}[minor])
            return path
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        except PermissionError:
            pytest.skip("this root may not make device nodes (no CAP_MKNOD)")
        return path

    return make


# --- -o and --plot: regular files atomically, anything else written through, never replaced -------------


@pytest.mark.parametrize(
    "args",
    [QUICK["export"] + ("-o", "{target}"), QUICK["error-report"] + ("--format", "csv", "--plot", "{target}")],
    ids=["export", "error-report"],
)
def test_a_device_is_written_through_and_stays_a_device(device, args):
    null = device("null.svg", 3)
    run = run_sfc(*(arg.format(target=null) for arg in args))
    assert run.code == 0, run.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode)
    full = device("full.svg", 7)
    run = run_sfc(*(arg.format(target=full) for arg in args))  # the report's CSV may be on stdout already
    assert run.code == 2 and run.stderr == f"sfc: error: cannot write {full}: No space left on device\n"
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path):
    expected = expected_export(tmp_path)
    fifo = tmp_path / "pipe.h"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    run = run_sfc(*QUICK["export"], "-o", str(fifo))
    reader.join(timeout=60)
    assert run.code == 0, run.stderr
    assert received == [expected] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_link_to_the_open_stdout_appends_to_it(tmp_path):
    """/dev/stdout is a symlink to /proc/self/fd/1: a link to it names the open file, which is written
    through (appended to, as >> asked), never replaced; on a pipe the export arrives on stdout."""
    expected = expected_export(tmp_path)
    link = tmp_path / "stdout.h"
    link.symlink_to("/proc/self/fd/1")
    log = tmp_path / "log.txt"
    log.write_bytes(b"before\n")
    inode = log.stat().st_ino
    with log.open("ab") as appended:
        run = run_with(*QUICK["export"], "-o", str(link), stdout=appended)
    assert run.code == 0, run.stderr
    assert log.read_bytes() == b"before\n" + expected and log.stat().st_ino == inode and link.is_symlink()
    piped = run_with(*QUICK["export"], "-o", str(link))
    assert piped.code == 0 and piped.stdout.encode() == expected and link.is_symlink()


def test_symlinks_are_followed_to_the_file_they_name(tmp_path):
    """The final target is replaced atomically (permissions kept); the links stay links."""
    expected = expected_export(tmp_path)
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "target.h"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.h"
    link.symlink_to("real/target.h")
    assert run_sfc(*QUICK["export"], "-o", str(link)).code == 0
    assert link.is_symlink() and target.read_bytes() == expected and (target.stat().st_mode & 0o777) == 0o640
    dangling = tmp_path / "dangling.h"
    dangling.symlink_to("real/new.h")
    assert run_sfc(*QUICK["export"], "-o", str(dangling)).code == 0
    assert dangling.is_symlink() and (tmp_path / "real" / "new.h").read_bytes() == expected
    assert sorted(os.listdir(tmp_path / "real")) == ["new.h", "target.h"]  # no temporary file left


@pytest.mark.parametrize(
    ("option", "name", "message"),
    [
        ("-o", "", "cannot write '': an empty path is not a file name"),
        ("-o", "{tmp}/taken", "cannot write {tmp}/taken: it is a directory"),
        ("-o", "{tmp}/new/", "cannot write {tmp}/new/: a path ending in / names a directory"),
        ("-o", "/proc/x.h", "cannot write /proc/x.h: cannot create a file in /proc"),
        ("--plot", "{tmp}/taken.png", "cannot write {tmp}/taken.png: it is a directory"),
        ("--plot", "/proc/x.png", "cannot write /proc/x.png: cannot create a file in /proc"),
    ],
)
def test_impossible_outputs_are_refused_before_any_work(tmp_path, option, name, message):
    """Checked before deriving (export: before the invalid --tile 0 is found) and before the report runs
    (nothing on stdout)."""
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken.png").mkdir()
    command = ("export", "--tile", "0") if option == "-o" else ("error-report", "--format", "json", "--samples", "16")
    line = one_error_line(run_sfc(*command, option, name.format(tmp=tmp_path)))
    assert line.startswith("sfc: error: " + message.format(tmp=tmp_path))
    assert sorted(os.listdir(tmp_path)) == ["taken", "taken.png"] and not os.listdir(tmp_path / "taken")


@pytest.fixture
def readonly_directory() -> Iterator[Path]:
    """A directory everyone can enter and nobody but its owner (root, when tests run as root) can write."""
    directory = Path(tempfile.mkdtemp(prefix="sfc-readonly-"))
    directory.chmod(0o555 if not AS_ROOT else 0o755)
    yield directory
    directory.chmod(0o755)
    shutil.rmtree(directory)


@pytest.mark.skipif(AS_ROOT and shutil.which("setpriv") is None, reason="running as another user needs setpriv")
@pytest.mark.parametrize(
    "args",
    [("export", "--tile", "0", "-o", "{dir}/out.h"), ("error-report", "--tile", "0", "--plot", "{dir}/out.png")],
    ids=["export", "error-report"],
)
def test_an_unwritable_directory_is_refused_before_any_work(readonly_directory, args):
    """As a normal user (as root: run as nobody, since root may write anywhere)."""
    prefix = OTHER_USER if AS_ROOT else ()
    command = [*prefix, *SFC, *(arg.format(dir=readonly_directory) for arg in args)]
    proc = subprocess.run(command, capture_output=True, text=True)
    run = Run(proc.returncode, proc.stdout, proc.stderr)
    name = args[-1].format(dir=readonly_directory)
    assert (
        one_error_line(run) == f"sfc: error: cannot write {name}: cannot create a file in {readonly_directory} "
        "(Permission denied)"
    )
    assert not os.listdir(readonly_directory)


# --- the 'wrote FILE' line and --quiet --------------------------------------------------------------


def test_written_files_are_named_on_stderr_unless_quiet(tmp_path):
    target = tmp_path / "sfc2.h"
    run = run_sfc(*QUICK["export"], "-o", str(target))
    assert run.code == 0 and run.stdout == ""
    assert run.stderr == f"sfc: wrote {target} ({target.stat().st_size:,} bytes)\n"
    quiet = run_sfc(*QUICK["export"], "-o", str(target), "--quiet")
    assert quiet.code == 0 and quiet.stdout == quiet.stderr == ""
    plot = tmp_path / "plot.svg"
    report = run_sfc(*QUICK["error-report"], "--format", "csv", "--plot", str(plot))
    assert report.code == 0 and report.stderr == f"sfc: wrote {plot} ({plot.stat().st_size:,} bytes)\n"
    assert run_sfc(*QUICK["error-report"], "--plot", str(plot), "-q").stderr == ""


# --- stdout: full disks and closed pipes -------------------------------------------------------------


@pytest.mark.parametrize(("command", "fmt"), EVERY_OUTPUT)
def test_a_full_disk_on_stdout_is_one_line(command, fmt):
    with open("/dev/full", "wb") as full:
        run = run_with(*QUICK[command], "--format", fmt, stdout=full)
    assert run.code == 2 and run.stderr == "sfc: error: cannot write to stdout: No space left on device\n"


@pytest.mark.parametrize(("command", "fmt"), EVERY_OUTPUT)
def test_a_closed_pipe_ends_quietly(command, fmt):
    """Like `sfc derive | head -1` once head has exited: no traceback, nothing on stderr, exit 1."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        run = run_with(*QUICK[command], "--format", fmt, stdout=write_end)
    finally:
        os.close(write_end)
    assert (run.code, run.stderr) == (1, "")


# --- terminals that cannot show every character -------------------------------------------------------


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize(
    ("command", "fmt"), [("error-report", f) for f in FORMATS["error-report"]] + [("derive", "table")]
)
def test_a_non_utf8_stdout_gets_ascii(command, fmt, encoding):
    """κ, × and ± become kappa, x and +-, as derive's tables fall back to ASCII boxes; JSON and CSV are
    ASCII anyway and stay byte-identical."""
    run = run_with(*QUICK[command], "--format", fmt, env={"PYTHONIOENCODING": encoding})
    assert run.code == 0 and run.stderr == ""
    assert run.stdout.isascii()
    utf8 = run_with(*QUICK[command], "--format", fmt, env={"PYTHONIOENCODING": "utf-8"})
    if fmt in ("json", "csv"):
        assert run.stdout == utf8.stdout
    if command == "error-report" and fmt in ("table", "markdown"):
        assert "kappa AT" in run.stdout and "xdirect" in run.stdout and "+-" in run.stdout
        assert "κ AT" in utf8.stdout and "±" in utf8.stdout


@pytest.mark.parametrize(
    ("name", "encoding", "shown"),
    [("bild-é.pgm", "ascii", "bild-\\xe9.pgm"), (os.fsdecode(b"bild-\xff.pgm"), "utf-8", "bild-\\udcff.pgm")],
    ids=["non-ASCII on ASCII", "not UTF-8 on UTF-8"],
)
def test_unprintable_image_names_are_escaped(tmp_path, name, encoding, shown):
    image = tmp_path / name
    image.write_bytes(b"P5\n16 16\n255\n" + bytes(range(256)))
    run = run_with(*QUICK["error-report"], "--image", str(image), env={"PYTHONIOENCODING": encoding})
    assert run.code == 0 and shown in run.stdout.replace("\n", "")  # a long temporary path wraps at 80 columns


# --- progress on a terminal ----------------------------------------------------------------------


def stderr_on_a_terminal(*args: str) -> tuple[Run, str]:
    """Run with stderr on a pseudo-terminal (stdout a file); returns the run and what the terminal got."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "TERM": "xterm"}
    with (
        tempfile.TemporaryFile() as stdout,
        subprocess.Popen([*SFC, *args], stdout=stdout, stderr=terminal, env=env) as proc,
    ):
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        proc.wait()
        stdout.seek(0)
        data = stdout.read().decode()
    os.close(controller)
    return Run(proc.returncode, data, ""), shown.decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("args", "last_phase"),
    [(QUICK["derive"], "finding transform programs"), (QUICK["export"], "rendering c")],
    ids=["derive", "export"],
)
def test_progress_names_the_phase_on_a_terminal_only(args, last_phase):
    run, shown = stderr_on_a_terminal(*args)
    assert run.code == 0 and last_phase in shown
    assert run.stdout == run_sfc(*args).stdout  # the data is untouched
    assert run_sfc(*args).stderr == ""  # stderr not a terminal: nothing
    if args[0] == "export":
        quiet_run, quiet_shown = stderr_on_a_terminal(*args, "--quiet")
        assert quiet_run.code == 0 and quiet_shown == ""


def test_docs_are_shown_by_the_command_the_report_names():
    """The report's caption names `sfc docs error-model`; that command prints the shipped document."""
    shown = run_sfc("docs", "error-model")
    assert shown.code == 0 and shown.stdout == (REPO / "docs" / "error-model.md").read_text()
    assert run_sfc("docs", "design").stdout.startswith("# sfc design")
    assert (
        one_error_line(run_sfc("docs", "manual")) == "sfc: error: unknown document 'manual': choose design, error-model"
    )
    assert "sfc docs error-model" in run_sfc("docs", "--help").stdout


def test_search_shows_both_stages_on_a_terminal_and_writes_csv():
    args = ("search", "--max-tile", "2", "--samples", "64", "--format", "csv")
    run, shown = stderr_on_a_terminal(*args)
    assert run.code == 0 and "screening" in shown and "re-measuring" in shown
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert {row["kind"] for row in rows} == {"front", "literature"}
    assert all(row["command"].startswith("sfc derive") for row in rows)
