"""Playing a tuner with several jobs in flight for ``check_oracle``'s resume rules, and saving
and loading the oracle (``state_dict``, ``load_state_dict``) at chosen points of the search.

``Flight`` keeps up to ``width`` jobs pending (one while nothing is declared, as a tuner does):
it asks until that many are (or ``ask`` gives None), each new job at once reporting the first
half of its epochs through ``on_report`` (a job whose trial id is a multiple of 3 reports nothing
early); then it finishes the oldest (each fourth time the newest: jobs end out of order, as on
workers of different speeds): the rest of its reports, then its end, chosen by trial id
(``plan``): a success, a NaN objective, a ``tell_failed`` or a ``PRUNED`` tell after its early
reports; a job that ``on_report`` stopped is told ``PRUNED`` at that epoch. With ``declare``
(define-by-run) the oracle starts with an empty space: each job trains ``declare`` with the
values it was given (defaults for the rest) and declares it with ``update_space`` before its
tell, as a tuner does. ``seen()`` is what the current oracle passed on to its searcher, live or
replayed (through the ``Oracle._observe`` and ``_replay`` hooks: the searcher itself is left as
it is, since an oracle may depend on its type).

``run(save_at)``: when ``k`` jobs have been told, for each ``k`` in ``save_at``, before the next
one finishes, the state goes through JSON into a fresh oracle with the finished trials and their
reports (what a storage gives back), and the pending jobs' reports are sent again with
``on_report``, in the order they came, as docs/architecture.md says a user must.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from typing import Any

from rung.hyperparameters import HyperParameters, values_key
from rung.oracles import Oracle, Suggestion
from rung.searchers import Observation
from rung.testing._oracle_drive import loss_of
from rung.trial_record import TrialRecord, TrialStatus, creation_order

__all__ = ["Flight", "Resume", "plan"]

Report = tuple[str, int, dict[str, float]]  # (trial_id, epoch, metrics), as a storage keeps them
_ENDS = {2: "failed", 4: "nan", 6: "pruned"}  # trial id % 7 -> how the job ends; else "ok"


def plan(s: Suggestion) -> tuple[str, bool]:
    """How job ``s`` ends ("ok", "nan", "failed", "pruned") and whether it reports early."""
    n = int(s.trial_id)
    return _ENDS.get(n % 7, "ok"), n % 3 != 0


def _shown(ids: set[str] | None) -> str:
    return "None" if ids is None else str(sorted(ids, key=creation_order))


@dataclass(frozen=True)
class Resume:
    """One save and load: after ``told`` jobs were told, with ``pending`` in flight, before the
    ``asked``-th job was handed out."""

    told: int
    asked: int
    pending: tuple[str, ...]


@dataclass
class Flight:
    """Runs oracles made by ``factory`` to the end of the search (see the module docstring)."""

    factory: Callable[[], Oracle]
    width: int = 3
    declare: HyperParameters | None = None
    oracle: Oracle = field(init=False)
    jobs: list[Suggestion] = field(default_factory=list)
    told: dict[str, TrialRecord] = field(default_factory=dict)
    sent: list[Report] = field(default_factory=list)  # every report, in the order it was sent
    resumes: list[Resume] = field(default_factory=list)
    replayed: bool = False  # the current oracle replayed a history into its searcher
    _flying: list[Suggestion] = field(default_factory=list)  # pending, in the order asked
    _stopped: dict[str, int] = field(default_factory=dict)  # on_report said stop at this epoch
    _observed: list[Observation] = field(default_factory=list)
    in_use: list[tuple[str, set[str] | None]] = field(default_factory=list)
    """After each tell: the trial told, and ``checkpoints_in_use()`` then."""

    def __post_init__(self) -> None:
        self.oracle = self._make()

    def _make(self) -> Oracle:
        oracle = self.factory()
        assert isinstance(oracle, Oracle), f"the factory returned {type(oracle).__name__}"
        if self.declare is not None:
            oracle.hyperparameters = HyperParameters()  # nothing declared before the first job
        self._observed, self.replayed = [], False
        live, replay = oracle._observe, oracle._replay

        def observe(observation: Observation) -> None:
            self._observed.append(observation)
            live(observation)

        def replayed(observations: Iterable[Observation]) -> None:
            observations = list(observations)
            self._observed.extend(observations)
            self.replayed = True
            replay(observations)

        oracle._observe = observe  # type: ignore[method-assign]
        oracle._replay = replayed  # type: ignore[method-assign]
        return oracle

    def seen(self) -> list[tuple[str, int, str, str, str]]:
        """What the current oracle passed on to its searcher (replayed or live), sorted."""
        return sorted((o.trial_id, -1 if o.budget is None else o.budget, o.status.value,
                       repr(o.loss), values_key(o.values)) for o in self._observed)

    def run(self, save_at: Container[int] = ()) -> Flight:
        while True:
            while len(self._flying) < self._width() and (s := self.oracle.ask()) is not None:
                self.jobs.append(s)
                self._flying.append(s)
                if plan(s)[1]:
                    self._report(s, s.initial_epoch + max(1, self._span(s) // 2))
            if not self._flying:
                return self
            if len(self.told) in save_at:
                self.resume()
            self._finish(self._flying.pop(-1 if len(self.told) % 4 == 3 else 0))  # out of order

    def resume(self) -> None:
        """Save the state as JSON and load it into a fresh oracle with the history and the
        finished trials' reports; then send the pending jobs' reports again."""
        state = json.loads(json.dumps(self.oracle.state_dict(), allow_nan=False))
        finished = sorted(self.told, key=creation_order)
        reports = sorted((r for r in self.sent if r[0] in self.told),
                         key=lambda r: (creation_order(r[0]), r[1]))
        flying = tuple(s.trial_id for s in self._flying)
        self.resumes.append(Resume(len(self.told), len(self.jobs), flying))
        oracle = self._make()
        before = self.oracle.checkpoints_in_use()
        oracle.load_state_dict(state, [self.told[k] for k in finished], reports)
        assert tuple(oracle.pending) == flying, (
            f"pending after a resume with {len(finished)} jobs told: {list(oracle.pending)}, "
            f"not {list(flying)} (in the order they were asked)")
        assert {r.trial_id for r in oracle.records} == set(self.told), (
            f"lost a result in a resume with {list(flying)} pending")
        for trial_id, epoch, metrics in [r for r in self.sent if r[0] in flying]:
            oracle.on_report(trial_id, epoch, dict(metrics))  # it went on live: not stopped now
        after = oracle.checkpoints_in_use()
        assert after == before, (
            f"checkpoints_in_use() was {_shown(before)} before a resume with "
            f"{len(finished)} jobs told, {_shown(after)} after it: it must be computed from the "
            "saved state only")
        self.oracle = oracle

    def _width(self) -> int:
        """As a tuner: one job at a time while the space is empty and no job has a result, so
        that the first one declares the space before others are asked."""
        oracle = self.oracle
        if oracle.hyperparameters.space or any(r.loss is not None for r in oracle.records):
            return self.width
        return 1

    @staticmethod
    def _span(s: Suggestion) -> int:
        return (s.epochs or 1) - s.initial_epoch

    def _values(self, s: Suggestion) -> dict[str, Any]:
        """The values job ``s`` trains: its own, or with ``declare`` what its code declares."""
        if self.declare is None:
            return dict(s.values)
        return dict(self.declare.clone_with_values(s.values).values)

    def _report(self, s: Suggestion, upto: int) -> None:
        """Report the epochs of ``s`` not reported yet, up to ``upto``, until one is stopped."""
        done = max([e for t, e, _ in self.sent if t == s.trial_id], default=s.initial_epoch)
        for epoch in range(done + 1, upto + 1):
            if s.trial_id in self._stopped:
                return
            metrics = {"loss": loss_of(self._values(s), epoch)}
            self.sent.append((s.trial_id, epoch, metrics))
            if not self.oracle.on_report(s.trial_id, epoch, dict(metrics)):
                self._stopped[s.trial_id] = epoch

    def _finish(self, s: Suggestion) -> None:
        end, _ = plan(s)
        values = self._values(s)
        if end == "ok":
            self._report(s, s.initial_epoch + self._span(s))
        if self.declare is not None:
            self.oracle.update_space(self.declare.clone_with_values(values))
        used = values if self.declare is not None else None
        stopped = self._stopped.pop(s.trial_id, None)
        if end == "failed":
            record = self.oracle.tell_failed(s.trial_id, "boom", values=used)
        elif end == "nan":
            record = self.oracle.tell(s.trial_id, {"loss": math.nan}, values=used)
        elif end == "pruned" or stopped is not None:
            last = max([e for t, e, _ in self.sent if t == s.trial_id], default=s.initial_epoch)
            record = self.oracle.tell(s.trial_id, {"loss": loss_of(values, last or 1)},
                                      values=used, status=TrialStatus.PRUNED)
        else:
            record = self.oracle.tell(s.trial_id, {"loss": loss_of(values, s.epochs)},
                                      values=used)
        self.told[s.trial_id] = record
        self.in_use.append((s.trial_id, self.oracle.checkpoints_in_use()))
