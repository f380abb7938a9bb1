"""``Ranking``: the completed trials of a search, kept sorted best first as results arrive."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable

from rung.trial_record import TrialRecord

__all__ = ["Ranking", "rank_key"]


def rank_key(record: TrialRecord) -> tuple[float, int, str]:
    """Best first: lowest loss, then most epochs reached, then earliest."""
    reached = record.epochs if record.epochs_reached is None else record.epochs_reached
    return (float(record.loss if record.loss is not None else math.inf), -reached,
            record.trial_id)


class Ranking:
    """Trial ids of completed results, best first. Adding costs O(log n) comparisons (and a list
    insert), ``best(k)`` O(k): a search never sorts its history to answer "the best trials"."""

    def __init__(self, records: Iterable[TrialRecord] = ()) -> None:
        self._keys = sorted(rank_key(r) for r in records if r.loss is not None)

    def add(self, record: TrialRecord) -> None:
        """Rank a result with a loss (others are ignored: they are never best)."""
        if record.loss is not None:
            bisect.insort(self._keys, rank_key(record))

    def best(self, k: int) -> list[str]:
        """The ids of the ``k`` best results, best first."""
        return [key[-1] for key in self._keys[:k]]

    def __len__(self) -> int:
        return len(self._keys)
