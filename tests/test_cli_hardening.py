"""Careless and hostile input to the command line (issue 14): full disks and closed pipes on every path
(help and version included), non-UTF-8 streams, odd paths, signals, images that are not files or too large,
out-of-range numbers, and the help texts."""

from __future__ import annotations

import os
import re
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from .helpers import Run, one_error_line

SFC = (sys.executable, "-m", "sfc_cli")
JSON_EXPORT = ("export", "--tile", "2", "--dims", "1", "--format", "json")


def run_to(args: tuple[str, ...], stdout: int, env: dict[str, str] | None = None) -> Run:
    """Run sfc with stdout on the given descriptor; stderr read back."""
    proc = subprocess.run([*SFC, *args], stdout=stdout, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    return Run(proc.returncode, "", proc.stderr.decode())


def closed_pipe_run(*args: str) -> Run:
    """Run sfc writing to a pipe whose reader has already gone (`sfc ... | head -1` once head has exited)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return run_to(args, write_end)
    finally:
        os.close(write_end)


# --- item 3 and 9: full disks and closed pipes, help and version included -------------------------------


@pytest.mark.parametrize("args", [("--help",), ("derive", "--help"), ("--version",)])
def test_help_and_version_on_a_full_disk_are_one_line(args):
    with open("/dev/full", "wb") as full:
        run = run_to(args, full.fileno())
    assert (run.code, run.stderr) == (2, "sfc: error: cannot write to stdout: No space left on device\n")


@pytest.mark.parametrize(
    "args",
    [("--help",), ("search", "--help"), ("--version",), JSON_EXPORT, (*JSON_EXPORT, "-o", "/dev/stdout")],
    ids=["help", "command help", "version", "export", "export -o /dev/stdout"],
)
def test_a_closed_pipe_ends_quietly_with_exit_1_on_every_path(args):
    assert closed_pipe_run(*args) == Run(1, "", "")


# --- item 4: documents on a stream that is not UTF-8 --------------------------------------------------


@pytest.mark.parametrize(("name", "encoding"), [("design", "ascii"), ("error-model", "latin-1"), ("design", "cp1252")])
def test_documents_are_transliterated_on_a_non_utf8_stdout(name, encoding):
    proc = subprocess.run([*SFC, "docs", name], capture_output=True, env={**os.environ, "PYTHONIOENCODING": encoding})
    assert (proc.returncode, proc.stderr) == (0, b"")
    text = proc.stdout.decode("ascii")
    assert "+-" in text and ("kappa" in text) == (name == "error-model")
    assert not re.search(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4})", text)  # every character spelled out, none escaped


# --- items 1 and 11: images that are not regular files, too many pixels, the empty name -------------------


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header says width x height (8-bit grayscale) and that holds no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def image_error(image: str) -> str:
    run = subprocess.run(
        [*SFC, "error-report", "--tile", "6", "--samples", "100", "--image", image], capture_output=True, timeout=60
    )
    return one_error_line(Run(run.returncode, run.stdout.decode(), run.stderr.decode()))


def test_an_image_must_be_a_regular_file(tmp_path):
    fifo = tmp_path / "image.pgm"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    assert image_error("/dev/zero") == "sfc: error: image '/dev/zero' is not a regular file (a character device)"
    assert image_error(str(fifo)) == f"sfc: error: image '{fifo}' is not a regular file (a FIFO)"
    assert image_error(str(tmp_path)) == f"sfc: error: image '{tmp_path}' is not a regular file (a directory)"
    assert image_error("") == "sfc: error: cannot read image '': an empty path is not a file name"


@pytest.mark.parametrize("size", [(30000, 30000), (4097, 4096)])
def test_an_image_of_too_many_pixels_is_refused_before_decoding(tmp_path, size):
    png, pgm = tmp_path / "big.png", tmp_path / "big.pgm"
    png.write_bytes(png_header_only(*size))
    pgm.write_bytes(f"P5 {size[0]} {size[1]} 255\n".encode())
    for path in (png, pgm):
        assert image_error(str(path)) == (
            f"sfc: error: image '{path}' has more than 16,777,216 pixels (4096x4096), the most sfc reads"
        )


def test_image_folders_read_regular_files_of_bounded_size_only(tmp_path):
    """Model image folders (sfc_cli.models.images): a FIFO is refused without waiting for a writer, and an
    image over Pillow's pixel limit in one line, before decoding (the second size is in Pillow's
    warning-only range, the third beyond its error)."""
    from PIL import Image

    from sfc_cli.errors import InputError
    from sfc_cli.models.images import load_image_folder

    def load(folder: Path) -> None:
        load_image_folder(str(folder), None, (0.5,), (0.5,), 1)

    fifo_folder = tmp_path / "fifo"
    fifo_folder.mkdir()
    os.mkfifo(fifo_folder / "a.png")
    with pytest.raises(InputError, match=r"^'a\.png' in the image folder is not a regular file$"):
        load(fifo_folder)
    for side in (10_000, 30_000):
        folder = tmp_path / str(side)
        folder.mkdir()
        (folder / "big.png").write_bytes(png_header_only(side, side))
        limit = f"{Image.MAX_IMAGE_PIXELS:,}"
        with pytest.raises(InputError, match=rf"^'big\.png' in the image folder has more than {limit} pixels"):
            load(folder)


# --- item 11: -o -, --plot to what is written through, --plot to a directory -----------------------------


def test_dash_is_stdout(tmp_path):
    piped = subprocess.run([*SFC, *JSON_EXPORT], capture_output=True, cwd=tmp_path)
    dashed = subprocess.run([*SFC, *JSON_EXPORT, "-o", "-"], capture_output=True, cwd=tmp_path)
    assert dashed.returncode == 0 and dashed.stdout == piped.stdout and dashed.stdout.startswith(b"{")
    assert not (tmp_path / "-").exists()


REPORT = ("error-report", "--tile", "2", "--dims", "1", "--samples", "16", "--format", "csv")


def test_a_plot_to_stdout_is_written_through_as_svg():
    run = subprocess.run([*SFC, *REPORT, "--plot", "/dev/stdout", "-q"], capture_output=True, text=True)
    assert (run.returncode, run.stderr) == (0, "")
    table, svg = run.stdout.split("<?xml", 1)
    assert table.startswith("name,") and svg.rstrip().endswith("</svg>")


@pytest.mark.parametrize("command", [REPORT, ("search", "--max-tile", "2")])
def test_a_plot_to_a_directory_says_so(tmp_path, command):
    run = subprocess.run([*SFC, *command, "--plot", str(tmp_path)], capture_output=True, text=True)
    assert one_error_line(Run(run.returncode, run.stdout, run.stderr)) == (
        f"sfc: error: cannot write {tmp_path}: it is a directory"
    )


# --- item 5: signals end the workers with the command ------------------------------------------------------


def living_in_session(session: int) -> list[int]:
    """Processes of the session (not zombies), from /proc."""
    alive = []
    for entry in os.listdir("/proc"):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.isdigit() and int(fields[3]) == session and fields[0] != "Z":
            alive.append(int(entry))
    return alive


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_ends_the_search_and_every_worker(signal_number):
    search = subprocess.Popen(
        [*SFC, "search", "--kernel", "3", "--samples", "64", "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(living_in_session(search.pid)) < 3 and time.monotonic() < deadline:  # the command and 2 workers
            time.sleep(0.1)
        assert len(living_in_session(search.pid)) >= 3
        search.send_signal(signal_number)
        assert search.wait(timeout=30) == 128 + signal_number
        time.sleep(0.5)
        assert living_in_session(search.pid) == []
        assert b"Traceback" not in search.stderr.read()
    finally:
        for pid in living_in_session(search.pid):
            os.kill(pid, signal.SIGKILL)


# --- item 12: docs without a name, help texts, choices in any case ------------------------------------------


def sfc(*args: str) -> Run:
    proc = subprocess.run([*SFC, *args], capture_output=True, text=True)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def test_docs_without_a_name_gives_the_usage_and_the_documents():
    assert one_error_line(sfc("docs")) == (
        "sfc: error: usage: sfc docs NAME, where NAME is design (conventions, mathematics, programs, export "
        "contracts) or error-model (the metrics)"
    )


@pytest.mark.parametrize("command", [(), ("derive",), ("export",), ("error-report",), ("search",), ("docs",)])
def test_flags_show_no_type_in_help(command):
    run = sfc(*command, "--help")
    assert run.code == 0 and "--help" in run.stdout and "<bool>" not in run.stdout


def test_help_states_the_ranges_and_the_catalog_rows():
    search = " ".join(sfc("search", "--help").stdout.replace("│", " ").split())
    assert "Kernel size r (per dimension), 2 to 7." in search and "1 to 1000000" in search
    report = " ".join(sfc("error-report", "--help").stdout.replace("│", " ").split())
    assert "Gaussian-integer Winograd" in report


def test_choices_take_any_case_and_their_errors_say_so():
    upper = sfc("derive", "--algo", "SFC", "--tile", "2", "--dims", "1", "--fractions-in", "b", "--format", "json")
    lower = sfc("derive", "--algo", "sfc", "--tile", "2", "--dims", "1", "--fractions-in", "B", "--format", "json")
    assert upper.code == 0 and upper == lower
    assert one_error_line(sfc("derive", "--fractions-in", "x")) == (
        "sfc: error: --fractions-in must be G, A or B (any case), got 'x'"
    )
    assert one_error_line(sfc("error-report", "--algo", "fft")) == (
        "sfc: error: --algo must be sfc, winograd or crt (any case), got 'fft'"
    )


def test_markdown_captions_are_paragraphs():
    run = sfc("error-report", "--tile", "2", "--dims", "1", "--samples", "16", "--format", "markdown")
    paragraphs = run.stdout.split("\n\n")
    assert run.code == 0 and len(paragraphs) == 4 and paragraphs[0].startswith("| ")
    assert [p.split()[0] for p in paragraphs[1:]] == ["1-D", "bound", "Additions"]
