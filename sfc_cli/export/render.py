"""Rendering algorithms through the Jinja2 templates (templates/ in the repo, sfc_cli/templates installed).

The Python modules compute every number; the templates only lay them out. A user directory given
with --template-dir is searched first, so it may override any one template.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..algorithm import Algorithm
from ..errors import InputError
from .content import DEFAULT_VERILOG_WIDTH, FORMATS, ExportRequest
from .layer import LayerShape
from .naming import check_prefix

TEMPLATES = {
    "json": "algorithm.json.j2",
    "c": "algorithm.h.j2",
    "verilog": "algorithm.v.j2",
    "mlir": "layer.mlir.j2",
    "latex": "algorithm.tex.j2",
}
MAX_VERILOG_WIDTH = 1024
LAYER_FORMATS = ("c", "mlir", "onnx")
"""The formats that export a whole layer (``--channels`` and ``--size``): C also without them (per tile)."""


def bundled_templates() -> Path:
    """sfc_cli/templates in an installed package, else templates/ of the source checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


def export_request(
    output_format: str, name: str | None, width: int | None, layer: LayerShape | None = None
) -> ExportRequest:
    """Check the export options (InputError on anything invalid); no name means the algorithm's default. ``layer``
    (checked against the kernel by the format) applies to the whole-layer formats only."""
    if output_format not in FORMATS:
        raise InputError(f"unknown format {output_format!r}: choose {', '.join(FORMATS)}")
    if layer is not None and output_format not in LAYER_FORMATS:
        raise InputError(f"--channels, --size, --padding and --dtype apply to --format {', '.join(LAYER_FORMATS)}")
    if width is not None and output_format != "verilog":
        raise InputError("--width applies to --format verilog")
    if width is not None and not 2 <= width <= MAX_VERILOG_WIDTH:
        raise InputError(f"--width must be between 2 and {MAX_VERILOG_WIDTH}, got {width}")
    prefix = "" if name is None else check_prefix(name)
    return ExportRequest(output_format, prefix, DEFAULT_VERILOG_WIDTH if width is None else width, layer)


def _context_builder(output_format: str) -> Callable[[Algorithm, ExportRequest], dict[str, Any]]:
    """Imported lazily: each format pays only for its own module."""
    if output_format == "c":
        from .c_header import c_context

        return c_context
    if output_format == "verilog":
        from .verilog import verilog_context

        return verilog_context
    if output_format == "mlir":
        from .mlir import mlir_context

        return mlir_context
    if output_format == "latex":
        from .latex import latex_context

        return latex_context
    from .jsonio import json_context

    return json_context


def export_bytes(algorithm: Algorithm, request: ExportRequest, template_dir: Path | None = None) -> bytes:
    """What ``sfc export`` writes, to a file or standard output: the text formats in UTF-8 (``render``), npz as
    the binary archive of ``npz.npz_bytes``, onnx as the serialised model of ``onnx_layer.onnx_bytes``."""
    if request.output_format == "npz":
        from .npz import npz_bytes

        return npz_bytes(algorithm, request.named(algorithm))
    if request.output_format == "onnx":
        from .onnx_layer import onnx_bytes

        return onnx_bytes(algorithm, request.named(algorithm))
    return render(algorithm, request, template_dir).encode("utf-8")


def render(algorithm: Algorithm, request: ExportRequest, template_dir: Path | None = None) -> str:
    """The exported text of a text format (every format but npz: ``export_bytes``); InputError for a missing
    template directory or a broken template."""
    import jinja2

    search = [bundled_templates()]
    if template_dir is not None:
        if not template_dir.is_dir():
            raise InputError(f"--template-dir {template_dir} is not a directory")
        search.insert(0, template_dir)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(path) for path in search]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    if request.output_format not in TEMPLATES:
        raise ValueError(f"{request.output_format} is not a text format: use export_bytes")
    name = TEMPLATES[request.output_format]
    context = _context_builder(request.output_format)(algorithm, request.named(algorithm))
    try:
        text = environment.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as error:
        raise InputError(f"template {error.filename or name} line {error.lineno}: {error.message}") from None
    except jinja2.TemplateError as error:
        raise InputError(f"template {name}: {error.message}") from None
    except Exception as error:  # a user's template is user input: whatever it raises is reported, not thrown
        if template_dir is None:
            raise
        raise InputError(f"template {name} failed: {type(error).__name__}: {error}") from None
    if request.output_format == "json":
        _check_json(text, name)
    return text


def _check_json(text: str, name: str) -> None:
    """A (possibly user-overridden) JSON template must still produce JSON."""
    import json

    try:
        json.loads(text)
    except ValueError as error:
        raise InputError(f"template {name} did not produce valid JSON: {error}") from None
