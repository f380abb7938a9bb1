"""``Ranking``: the completed trials of a search, kept sorted best first as results arrive.

Only COMPLETED trials rank, as in keras-tuner: a PRUNED job (stopped early by a stopping
scheduler, ASHA ``mode="stopping"``, or by ``rung.TrialPruned``) was stopped because it looked
worse than its peers; its loss is that of fewer epochs, and it is never recommended. ``rung best``
ranks the same trials.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterable

from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["TOP", "Ranking", "rank_key"]


def rank_key(record: TrialRecord) -> tuple[float, int, int, str]:
    """Best first: lowest loss, then most epochs reached, then earliest (``creation_order``:
    "100000" comes after "99999"); the id is last."""
    reached = record.epochs if record.epochs_reached is None else record.epochs_reached
    return (float(record.loss if record.loss is not None else math.inf), -reached,
            len(record.trial_id), record.trial_id)


TOP = 1024
"""How many of the best results ``Ranking`` keeps sorted."""


class Ranking:
    """Trial ids of completed results, best first.

    The ``TOP`` best are kept in a sorted list, the others in a heap. A sorted list of every result
    would make each insertion move O(n) entries (a million-job search spent most of its time
    there, ``benchmarks/scale.py``); here adding costs O(log n) and moves at most ``TOP`` entries,
    ``best(k)`` costs O(k) for ``k <= TOP`` and a sort of the history beyond.
    """

    def __init__(self, records: Iterable[TrialRecord] = ()) -> None:
        # rank_key inlined: opening a large project ranks every result at once
        keys = sorted([(float(r.loss), -(r.epochs if r.epochs_reached is None
                                        else r.epochs_reached), len(r.trial_id), r.trial_id)
                       for r in records
                       if r.loss is not None and r.status is TrialStatus.COMPLETED])
        self._top = keys[:TOP]  # sorted; every key here ranks before every key of _rest
        self._rest = keys[TOP:]  # a heap (a sorted list is one)

    def add(self, record: TrialRecord) -> None:
        """Rank a completed result with a loss (others are ignored: they are never best)."""
        if record.loss is None or record.status is not TrialStatus.COMPLETED:
            return
        key = rank_key(record)
        if len(self._top) < TOP:
            bisect.insort(self._top, key)
        elif key < self._top[-1]:
            bisect.insort(self._top, key)
            heapq.heappush(self._rest, self._top.pop())
        else:
            heapq.heappush(self._rest, key)

    def best(self, k: int) -> list[str]:
        """The ids of the ``k`` best results, best first."""
        keys = self._top[:k] if k <= TOP else self._top + heapq.nsmallest(k - TOP, self._rest)
        return [key[-1] for key in keys]

    def __len__(self) -> int:
        return len(self._top) + len(self._rest)
