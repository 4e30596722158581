"""sfc: exact SFC and Winograd fast-convolution transforms, their accuracy, and their export."""

__version__ = "0.1.0"
