"""Whole 2-D convolution layers through a verified fast algorithm (numpy): float, exact integer and quantized.

``engine`` runs a layer (NCHW, stride 1, correlation as ONNX/PyTorch Conv) through an algorithm's 2-D
transforms and bounds the widths of its exact integer form; ``quantize`` holds the transform-domain
quantization (scales per position for V, per position and output channel for U) and the int8 direct baseline.
"""

from typing import Literal

Method = Literal["max", "mse"]
"""Calibration of a scale: the largest magnitude, or the clip ratio with the least quantization MSE. Here, not in
``quantize``, so that the command line's option types need no numpy."""
METHODS: tuple[Method, ...] = ("max", "mse")
