"""The job bookkeeping an oracle's scheduler uses (a base of ``rung.oracles.Oracle``).

What a subclass may call from its hooks (``_next``, ``_on_result``...): ``rng``,
``new_trial_id()``, ``end_search()``, ``pending``, ``pending_parents()`` and
``reached_planned_epochs()``; and what callers read: ``finished``, ``stop_reason``,
``checkpoints_in_use()``. See docs/architecture.md, "Writing an oracle".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rung.hyperparameters import values_key
from rung.oracles.stop import Stop, StopKind
from rung.oracles.suggestion import Suggestion
from rung.trial_record import TrialRecord, TrialStatus, creation_order

if TYPE_CHECKING:
    import numpy as np

__all__ = ["OracleJobs", "unknown_values"]


def unknown_values(record: TrialRecord) -> bool:
    """A failed job whose values never reached the driver: its worker died (or timed out) before
    a define-by-run training function's hyperparameters came back, so ``{}`` (what it was given
    while the space was still empty) does not name a configuration that was tried."""
    return record.status is TrialStatus.FAILED and not record.values


class OracleJobs:
    """Pending jobs, trial ids, the random number generator and the end of the search."""

    stop: Stop | None
    _rng: np.random.Generator
    _next_id: int
    _pending: dict[str, Suggestion]
    _finished_trials: dict[str, TrialRecord]

    @property
    def rng(self) -> np.random.Generator:
        """For subclasses: the oracle's only random number generator, seeded by ``seed``; its
        state is saved in ``state_dict``, so a resumed search draws what an uninterrupted one
        would. Draw every random choice from it (pass it to ``searcher.suggest``)."""
        return self._rng

    @property
    def finished(self) -> bool:
        """True once the search is over (see ``stop``)."""
        return self.stop is not None and not self._pending

    @property
    def stop_reason(self) -> str | None:
        """Why the search ended, in words (``stop.message``), or None while it runs."""
        return None if self.stop is None else self.stop.message

    def end_search(self, kind: StopKind, message: str) -> None:
        """For subclasses: the search is over (no job will be asked for any more); ``message``
        says why, for people (``stop_reason``). The first call wins; ``finished`` turns True
        once the pending jobs are told."""
        if self.stop is None:
            self.stop = Stop(kind, message)

    def _exhausted_after(self) -> str:
        """``"search space exhausted after N distinct configuration(s)"``, once no job is pending:
        N counts the values of the finished jobs, as they came back. A define-by-run search's
        first job, asked with ``{}`` before any hyperparameter was declared, counts as the values
        it declared, and a job lost before its values came back (``unknown_values``) not at all."""
        n = len({values_key(r.values) for r in self._finished_trials.values()
                 if not unknown_values(r)})
        return f"search space exhausted after {n} distinct configuration{'' if n == 1 else 's'}"

    @property
    def pending(self) -> dict[str, Suggestion]:
        """Jobs handed out and not yet told, by trial id."""
        return dict(self._pending)

    @staticmethod
    def reached_planned_epochs(suggestion: Suggestion, record: TrialRecord) -> bool:
        """For subclasses: whether ``record``'s loss was measured at the job's planned epochs, so
        that it may be promoted: not for a job that stopped before its ``epochs`` (told
        ``PRUNED`` there, or ``COMPLETED`` with a smaller ``epochs_reached``): its child would
        continue from ``epochs`` a checkpoint that never got there."""
        return record.loss is not None and not (
            suggestion.epochs is not None and record.epochs_reached is not None
            and record.epochs_reached < suggestion.epochs)

    def _pending_job(self, trial_id: str) -> Suggestion:
        try:
            return self._pending[trial_id]
        except (KeyError, TypeError):
            pending = sorted(self._pending, key=creation_order)[:10]
            done = self._finished_trials.get(trial_id) if isinstance(trial_id, str) else None
            told = f" (it was told already: {done.status})" if done is not None else ""
            raise KeyError(f"trial_id {trial_id!r} is not pending{told}; pending: "
                           f"{pending}") from None

    def new_trial_id(self) -> str:
        """For subclasses: the id of a new job (``"00000"``, ``"00001"``...; the counter is in
        ``state_dict``, so ids continue after a resume)."""
        trial_id = f"{self._next_id:05d}"
        self._next_id += 1
        return trial_id

    # --- checkpoints ----------------------------------------------------------------------------
    def checkpoints_in_use(self) -> set[str] | None:
        """Finished trials whose checkpoints a job may still load, or None when unknown.

        A tuner may delete the checkpoint of any other finished trial (``keep_checkpoints``). The
        set is computed from the live state only, so it is the same after a resume, and deleting
        is safe at any time after the finishing transaction commits. The base class does not
        know its subclass's promotion rule and answers None (keep everything); oracles that do
        override it.
        """
        return None

    def pending_parents(self) -> set[str]:
        """Parents of pending jobs: a retry or a resumed run re-loads them until the job ends."""
        return {s.parent_id for s in self._pending.values() if s.parent_id is not None}
