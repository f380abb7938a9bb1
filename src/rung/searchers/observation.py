"""``Observation``: one result a searcher learns from."""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rung.trial_record import TrialStatus
from rung.validation import fail_type, fail_value

__all__ = ["Observation"]

_STATUSES = (TrialStatus.RUNNING, TrialStatus.COMPLETED, TrialStatus.PRUNED, TrialStatus.FAILED)
_STATUS_NAMES = ", ".join(s.name for s in _STATUSES)


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

    The fields are checked when it is made, so a searcher never learns from a malformed one:
    ``trial_id`` a str, ``values`` a mapping (kept as given, not copied), ``budget`` an integer
    >= 0, ``loss`` a finite number or None (None for ``FAILED``), ``status`` one of the four
    members above or its name (``"RUNNING"`` becomes ``TrialStatus.RUNNING``). A mistake is an
    ``ArgumentTypeError`` (wrong type) or a ``ConfigurationError`` naming the field and value.
    """

    trial_id: str
    values: dict[str, Any]
    budget: int
    loss: float | None
    status: TrialStatus

    def __post_init__(self) -> None:
        if not isinstance(self.trial_id, str):
            raise fail_type("Observation trial_id", "a str", self.trial_id)
        if not isinstance(self.values, Mapping):
            raise fail_type("Observation values", "a mapping of names to values", self.values)
        object.__setattr__(self, "budget", _budget(self.budget))
        object.__setattr__(self, "status", _status(self.status))
        object.__setattr__(self, "loss", _loss(self.loss, self.status))

    @property
    def final(self) -> bool:
        """True for the last observation of a job (anything but an intermediate report)."""
        return self.status is not TrialStatus.RUNNING


def _budget(budget: object) -> int:
    expected = "an integer >= 0 (the epochs trained; 0 if unknown)"
    if isinstance(budget, bool) or not isinstance(budget, numbers.Integral):
        raise fail_type("Observation budget", expected, budget)
    number = operator.index(budget)
    if number < 0:
        raise fail_value("Observation budget", expected, budget)
    return number


def _status(status: object) -> TrialStatus:
    expected = f"a TrialStatus ({_STATUS_NAMES}) or its name"
    if not isinstance(status, str):
        raise fail_type("Observation status", expected, status)
    for member in _STATUSES:
        if status == member:
            return member
    raise fail_value("Observation status", expected, status)


def _loss(loss: object, status: TrialStatus) -> float | None:
    if loss is None:
        return None
    expected = "a finite number or None (a failed job, or an objective that is not finite)"
    if isinstance(loss, bool) or not isinstance(loss, numbers.Real):
        raise fail_type("Observation loss", expected, loss)
    number = float(loss)
    if not math.isfinite(number):
        raise fail_value("Observation loss", expected, loss)
    if status is TrialStatus.FAILED:
        raise fail_value("Observation loss", "None for a FAILED observation", loss)
    return number
