"""One rung of ASHA (``rung.oracles.asha``): its results ranked, promotions and retirements.

Every change is O(log n) or amortised O(1) per result, however many results the rung holds:

* ``open`` is kept up to date: the results neither promoted nor retired, which a promotion may
  still reach, so ``ASHAOracle.checkpoints_in_use`` reads them instead of walking every result;
* ``candidate`` takes the best open result from a heap and checks its rank, where a walk from
  the top re-read the promoted results above every better newcomer (O(n) per result);
* ``retire(limit)`` looks at the results ranked ``limit`` or worse that it has not looked at
  before: those that joined since its last call, and those a lower ``limit`` uncovers
  (``_clean_from``), never the whole tail again;
* each change is one entry of the oracle's ``PagedLog`` (``add``, ``promote``, ``retire``), the
  rung's saved form: the state written with each job holds the new entries only, and a resumed
  oracle replays them (``apply``) into the same rungs exactly.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rung.errors import ConfigurationError
from rung.objective import MultiObjective, Objective
from rung.oracles._log import PagedLog
from rung.trial_record import creation_order

__all__ = ["Rung", "RungCutoffs", "keep_of", "legacy_entries", "rungs_from_state"]


@dataclass(frozen=True)
class RungCutoffs:
    """A stopping rule for a worker without a live line to the driver: continue at milestone
    ``epochs[k]`` while the objective's loss is at most ``cutoffs[k]``."""

    objective: Objective | MultiObjective
    epochs: tuple[int, ...]
    cutoffs: tuple[float, ...]

    def __call__(self, epoch: int, metrics: Mapping[str, float]) -> bool:
        if epoch not in self.epochs:
            return True
        try:
            loss = self.objective.loss(metrics)
        except (KeyError, TypeError, ValueError):
            return True
        return math.isfinite(loss) and loss <= self.cutoffs[self.epochs.index(epoch)]


class Rung:
    """Results of one rung, sorted best first (by loss, then creation order), which of them were
    promoted, and which were retired: ranked where no promotion can ever reach (their checkpoints
    may be deleted, so they are never promoted, even if ``max_trials`` is raised later).

    Args:
        index: the rung's index ``k`` (its log entries name it).
        log: where each change is recorded (None: not recorded, e.g. while replaying).
    """

    def __init__(self, index: int = 0, log: PagedLog | None = None) -> None:
        self.index = index
        self.log = log
        self.ids: list[str] = []
        self.losses: list[float] = []
        self.loss: dict[str, float] = {}
        self.promoted: set[str] = set()
        self.retired: set[str] = set()
        self.open: set[str] = set()  # neither promoted nor retired: may still be promoted
        # heap of open results (stale ones skipped), ties in creation order
        self._best_open: list[tuple[float, int, str]] = []
        # ids[_clean_from:] hold no open result but those in _fresh (joined since retire last ran)
        self._clean_from = 0
        self._fresh: set[str] = set()

    def _index(self, trial_id: str, loss: float) -> int:
        index = bisect.bisect_left(self.losses, loss)
        while (index < len(self.ids) and self.losses[index] == loss
               and creation_order(self.ids[index]) < creation_order(trial_id)):
            index += 1
        return index

    def _record(self, entry: list[Any]) -> None:
        if self.log is not None:
            self.log.append(entry)

    def add(self, trial_id: str, loss: float) -> int:
        """Record (or replace) ``trial_id``'s result; returns how many results are better."""
        if trial_id in self.loss:
            old = self._index(trial_id, self.loss[trial_id])
            del self.ids[old], self.losses[old]
            if old < self._clean_from:
                self._clean_from -= 1
        elif trial_id not in self.promoted and trial_id not in self.retired:
            self.open.add(trial_id)
        self.loss[trial_id] = loss
        index = self._index(trial_id, loss)
        self.ids.insert(index, trial_id)
        self.losses.insert(index, loss)
        if trial_id in self.open:
            heapq.heappush(self._best_open, (loss, len(trial_id), trial_id))
        if index < self._clean_from:
            self._clean_from += 1  # the clean tail moved down one place
        elif trial_id in self.open:
            self._fresh.add(trial_id)
        self._record(["add", self.index, trial_id, loss])
        return bisect.bisect_left(self.losses, loss)

    def promote(self, trial_id: str) -> None:
        self.promoted.add(trial_id)
        self.open.discard(trial_id)
        self._record(["promote", self.index, trial_id])

    def __len__(self) -> int:
        return len(self.ids)

    def candidate(self, factor: int, final: bool = False) -> str | None:
        """The best result in the top ``floor(n / eta)`` not yet promoted (nor retired), or None.
        Once the rung is ``final`` (no result can join it any more) the top is that of
        successive halving on its ``n`` results, ``max(1, floor(n / eta))``: the best goes on
        even where fewer than ``eta`` results came."""
        heap = self._best_open
        while heap:
            loss, _, trial_id = heap[0]
            if trial_id in self.open and self.loss[trial_id] == loss:  # the best open result
                keep = keep_of(len(self.ids), factor) if final else len(self.ids) // factor
                return trial_id if self._index(trial_id, loss) < keep else None
            heapq.heappop(heap)  # promoted, retired, or its result replaced since
        return None

    def retire(self, limit: int) -> None:
        """Retire the results ranked ``limit`` or worse that were not promoted: once this rung
        can never hold more than ``n`` results and ``limit = keep_of(n, eta)``, no promotion
        reaches them (a result's rank only grows as results join)."""
        newly = {t for t in self._fresh if t in self.open and self._index(t, self.loss[t]) >= limit}
        if limit < self._clean_from:
            newly.update(t for t in self.ids[limit:self._clean_from] if t in self.open)
        self._clean_from = limit
        self._fresh.clear()
        if newly:
            self._retire_ids(sorted(newly, key=creation_order))

    def _retire_ids(self, ids: list[str]) -> None:
        self.retired.update(ids)
        self.open.difference_update(ids)
        self._record(["retire", self.index, ids])

    @property
    def promotable(self) -> int:
        """Results that are neither promoted nor retired (they may still be promoted)."""
        return len(self.open)

    def cutoff(self, factor: int) -> float:
        """The worst loss that still continues if one more result joined (stopping mode)."""
        keep = math.ceil((len(self.ids) + 1) / factor)
        return self.losses[keep - 1] if keep - 1 < len(self.ids) else math.inf

    # --- the saved form -----------------------------------------------------------------------
    def apply(self, entry: list[Any]) -> None:
        """Replay one of this rung's log entries (its ``log`` is None while it replays)."""
        kind = entry[0]
        if kind == "add":
            self.add(str(entry[2]), float(entry[3]))
        elif kind == "promote":
            self.promote(str(entry[2]))
        elif kind == "retire":
            self._retire_ids([str(t) for t in entry[2]])
        else:
            raise ValueError(f"unknown ASHA log entry {entry!r}")

    def replayed(self, log: PagedLog) -> Rung:
        """Done replaying: record the next changes in ``log``; returns itself."""
        self.log = log
        self._clean_from = len(self.ids)  # retire looks at the whole tail once
        self._fresh.clear()
        return self


def keep_of(n: int, factor: int) -> int:
    """How many of a rung's ``n`` final results successive halving promotes:
    ``max(1, floor(n / eta))``, none of none."""
    return max(1, n // factor) if n else 0


def legacy_entries(index: int, data: Mapping[str, Any]) -> list[list[Any]]:
    """The log entries that rebuild rung ``index`` as a state without a log saved it (rung 0.1
    and state versions <= 2: ``{"ids", "losses", "promoted", "retired"}``)."""
    out: list[list[Any]] = [["add", index, str(t), float(loss)]
                            for t, loss in zip(data["ids"], data["losses"], strict=True)]
    out += [["promote", index, str(t)] for t in data["promoted"]]
    retired = sorted(str(t) for t in data.get("retired", ()))
    return out + ([["retire", index, retired]] if retired else [])


def rungs_from_state(state: Mapping[str, Any], pages: list[Any],
                     count: int) -> tuple[PagedLog, list[Rung]]:
    """The log and the ``count`` rungs that ``ASHAOracle._scheduler_state`` saved, with the
    log's ``pages`` (saved beside the state, ``LOG_KEY``)."""
    if "rungs" in state:  # saved whole, before the log (state version <= 2)
        log = PagedLog()
        rungs = [Rung(k, log) for k in range(count)]
        for k, data in enumerate(state["rungs"]):
            for entry in legacy_entries(k, data):
                rungs[k].apply(entry)
    else:
        log = PagedLog(pages)
        if len(log) != state["log_entries"]:
            raise ConfigurationError(
                f"the saved ASHA state's log holds {len(log)} entries, but the state "
                f"was saved with {state['log_entries']}: the project is damaged")
        rungs = [Rung(k) for k in range(count)]
        for entry in log:
            rungs[entry[1]].apply(entry)
    return log, [rung.replayed(log) for rung in rungs]
