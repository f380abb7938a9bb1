"""``Suggestion``: one job an oracle hands out."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from rung.trial_record import TrialRecord

__all__ = ["Suggestion"]


@dataclass(frozen=True)
class Suggestion:
    """One job: train ``values`` from ``initial_epoch`` to ``epochs`` (Keras convention).

    ``parent_id`` is the trial whose checkpoint this job continues from (``None``: from scratch);
    ``bracket`` is Hyperband's ``s`` (``s_max`` is the most aggressive) and ``rung`` the index ``i``
    within the bracket (0 for its first rung). ``epochs`` is ``None`` for single-fidelity oracles
    that leave the number of epochs to the training function.
    """

    trial_id: str
    values: dict[str, Any]
    epochs: int | None = None
    initial_epoch: int = 0
    parent_id: str | None = None
    bracket: int | None = None
    rung: int | None = None
    iteration: int = 0

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in _SUGGESTION_FIELDS}

    def to_record(self, created_at: float = 0.0) -> TrialRecord:
        return TrialRecord(
            trial_id=self.trial_id, values=dict(self.values), epochs=self.epochs or 0,
            initial_epoch=self.initial_epoch, parent_id=self.parent_id, bracket=self.bracket,
            rung=self.rung, iteration=self.iteration, created_at=created_at,
        )

    @classmethod
    def from_record(cls, record: TrialRecord) -> Suggestion:
        return cls(
            trial_id=record.trial_id, values=dict(record.values), epochs=record.epochs or None,
            initial_epoch=record.initial_epoch, parent_id=record.parent_id,
            bracket=record.bracket, rung=record.rung, iteration=record.iteration,
        )


_SUGGESTION_FIELDS = fields(Suggestion)
