"""The ranges ``sfc search`` accepts (read by its help and its checks; nothing imported here, so that the
command line's help stays light)."""

MIN_TILE = 2
MIN_KERNEL, MAX_KERNEL = 2, 7
