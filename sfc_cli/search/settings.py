"""Checked search settings and the candidates to try (``sfc search`` and ``sfc.search``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import InputError
from ..families.common import MAX_INPUT
from ..request import MAX_SAMPLES
from .candidates import Candidate, all_candidates, literature_candidates
from .limits import MAX_KERNEL, MIN_KERNEL, MIN_TILE


@dataclass(frozen=True)
class SearchSettings:
    """The candidates and the literature to place against the front; ``workers`` capped at the core count."""

    candidates: list[Candidate]
    literature: list[Candidate]
    workers: int


def search_settings(
    kernel: int,
    dims: int,
    max_tile: int,
    samples: int,
    budget: float | None,
    seed: int,
    workers: int | None,
) -> SearchSettings:
    """Raises InputError (one line) for anything the user must change. A budget of
    inf is no budget; more workers than cores are as many as the cores (more only compete for them)."""
    if not MIN_KERNEL <= kernel <= MAX_KERNEL:
        raise InputError(f"--kernel must be between {MIN_KERNEL} and {MAX_KERNEL}, got {kernel}")
    if dims not in (1, 2):
        raise InputError(f"--dims must be 1 or 2, got {dims}")
    largest = MAX_INPUT[dims] - kernel + 1
    if not MIN_TILE <= max_tile <= largest:
        raise InputError(
            f"--max-tile must be between {MIN_TILE} and {largest} for kernel {kernel} in {dims}-D "
            f"(tile + kernel - 1 <= {MAX_INPUT[dims]}), got {max_tile}"
        )
    if not 1 <= samples <= MAX_SAMPLES:
        raise InputError(f"--samples must be between 1 and {MAX_SAMPLES}, got {samples}")
    if budget is not None and not budget > 0:
        raise InputError(f"--budget must be a positive number of seconds, got {budget}")
    if seed < 0:
        raise InputError(f"--seed must be at least 0, got {seed}")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    cores = os.cpu_count() or 1
    return SearchSettings(
        all_candidates(kernel, dims, max_tile), literature_candidates(kernel, dims), min(workers or cores, cores)
    )
