"""Export: renders verified algorithms for software and hardware backends."""
