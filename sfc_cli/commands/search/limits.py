"""The ranges ``sfc search`` accepts (read by its help and its checks; nothing to import here)."""

MIN_TILE = 2
MIN_KERNEL, MAX_KERNEL = 2, 7
