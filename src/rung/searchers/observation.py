"""``Observation``: one result a searcher learns from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rung.trial_record import TrialStatus

__all__ = ["Observation"]


@dataclass(frozen=True)
class Observation:
    """What a searcher sees of a job: its values and its loss at the budget it really reached.

    ``status`` tells what the loss means:

    * ``RUNNING``: an intermediate report of a job still training (its loss after ``budget``
      epochs; the job goes on);
    * ``COMPLETED``: the job trained to its planned epochs (``budget``);
    * ``PRUNED``: a stopping scheduler stopped it after ``budget`` epochs;
    * ``FAILED``: it raised, or its objective was not a finite number (``loss`` is ``None``).

    ``loss`` is the objective turned into "lower is better".
    """

    trial_id: str
    values: dict[str, Any]
    budget: int
    loss: float | None
    status: TrialStatus

    @property
    def final(self) -> bool:
        """True for the last observation of a job (anything but an intermediate report)."""
        return self.status is not TrialStatus.RUNNING
