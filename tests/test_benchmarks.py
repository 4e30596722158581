"""The benchmark scripts run: benchmarks/bench_layers.py --quick measures every backend's layers on one small
shape, and every output it prints agrees with the direct convolution (integers bit for bit)."""

from __future__ import annotations

import re
import subprocess
import sys

from .export_support import REPO

ROW = re.compile(r"  (C|IREE|onnxruntime)\s+(.+?)\s+(i8|f32)\s+\d+\.\d\d\s")
AGREES = re.compile(r"\s(exact|error \de-\d\d)(\s|$)")
QUICK_ROWS = {
    ("C", "direct, NCHW loops", "i8"),
    ("C", "direct, channels last", "i8"),
    ("C", "SFC-6(6x6,3x3)", "i8"),
    ("IREE", "linalg.conv_2d_nchw_fchw", "f32"),
    ("IREE", "SFC-6(6x6,3x3)", "f32"),
    ("IREE", "linalg.conv_2d_nchw_fchw", "i8"),
    ("IREE", "SFC-6(6x6,3x3)", "i8"),
    ("onnxruntime", "Conv", "f32"),
    ("onnxruntime", "SFC-6(6x6,3x3) layer", "f32"),
    ("onnxruntime", "SFC-6(6x6,3x3) layer", "i8"),
}
"""Every row --quick prints (onnxruntime's ConvInteger row too, where the build has ConvInteger for int8)."""


def test_layer_benchmark_quick_runs_every_backend_and_every_output_agrees():
    script = REPO / "benchmarks" / "bench_layers.py"
    result = subprocess.run(
        [sys.executable, str(script), "--quick"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {match.groups(): line for line in result.stdout.splitlines() if (match := ROW.match(line))}
    assert QUICK_ROWS <= set(rows) <= QUICK_ROWS | {("onnxruntime", "ConvInteger", "i8")}, result.stdout
    for (_, _, dtype), line in rows.items():
        agrees = AGREES.search(line)
        assert agrees is not None, line
        assert dtype == "f32" or agrees.group(1) == "exact", line
    fast = [line for (_, layer, _), line in rows.items() if layer.startswith("SFC-6")]
    assert all(re.search(r"\d+\.\d\d \+ \d+\.\d\d \+ \d+\.\d\d \(\d+%/\d+%/\d+%\)", line) for line in fast)
