"""sfc as a Python library: derive, verify, measure, search and export fast-convolution algorithms.

The functions behind the ``sfc`` commands (``sfc_cli.api``), for notebooks and other tools::

    import sfc
    alg = sfc.derive("sfc", tile=6, kernel=3)          # SFC-6(6x6,3x3), verified exactly
    print(alg.two_d.products)                          # 88
    header = sfc.export(alg, "c", name="sfc6")         # the C header as text
    report = sfc.error_report([alg], samples=1024)     # conditioning, bounds, measured errors
    images = sfc.load_images("digits-test", channels=1)
    quantized = sfc.quantize_model("model.onnx", alg, bits=8, images=images)   # an onnx.ModelProto
    table = sfc.evaluate_model("model.onnx", images, [alg], bits=(8, 6))     # as error-report --model
"""

from sfc_cli import __version__
from sfc_cli.algorithm import Algorithm
from sfc_cli.api import derive, error_report, evaluate_model, export, load_images, quantize_model, search, verify
from sfc_cli.errors import InputError
from sfc_cli.export.layer import LayerShape

__all__ = [
    "Algorithm",
    "InputError",
    "LayerShape",
    "__version__",
    "derive",
    "error_report",
    "evaluate_model",
    "export",
    "load_images",
    "quantize_model",
    "search",
    "verify",
]
