"""Analysis: reads verified algorithms (costs, conditioning, error bounds, measurements)."""
