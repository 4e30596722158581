"""Exact algebra: rational matrices, polynomials, CRT blocks, bilinear algorithms, verification.

Nothing here knows about the command line; everything is exact (integers and Fractions).
"""
