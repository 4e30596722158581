"""``sfc export --format onnx``: the whole layer as an ONNX model (the graph is ``models.fast_conv_graph``'s, the
one the model rewrite uses), with the export's header lines as the model's doc string."""

from __future__ import annotations

from ..algorithm import Algorithm
from ..errors import InputError
from .content import ExportRequest, command_line, generator, summary_lines


def onnx_bytes(algorithm: Algorithm, request: ExportRequest) -> bytes:
    """The serialised model: inputs X (N, C_in, H, W) and W (C_out, C_in, r, r), output Y (N, C_out, Ho, Wo);
    f32, or exact integers for i8/i16 (int32/int64 output as proved). InputError without a layer."""
    from ..models.fast_conv_graph import layer_model

    if request.layer is None:
        raise InputError("--format onnx exports a whole layer: it needs --channels C_IN,C_OUT and --size H,W")
    if algorithm.two_d is None:
        raise InputError("--format onnx exports a 2-D layer: drop --dims 1")
    model = layer_model(algorithm, request.layer)
    model.doc_string = "\n".join([generator(), command_line(algorithm, request), *summary_lines(algorithm)])
    return model.SerializeToString()
