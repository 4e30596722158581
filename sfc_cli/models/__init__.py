"""ONNX models: loading and checking, BatchNormalization folding, the fast-convolution subgraph, the rewrite
of a model's eligible Convs into it (float or quantized in the transform domain) and its calibration.

Conventions: tensors are NCHW float32; a Conv is a correlation; a fast layer computes
``Y = AT2 ((G2 w) (BT2 d))`` per tile, with the product summed over input channels per position.
"""
