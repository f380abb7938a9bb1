"""Helpers shared by the storage backends (argument checks, JSON, record normalisation)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from rung.trial_record import TrialRecord, TrialStatus

__all__ = [
    "check_finish",
    "clone_json",
    "dumps",
    "normalise_record",
    "normalise_statuses",
]


def _json_default(obj: Any) -> Any:
    # numpy scalars and arrays (e.g. Keras metrics as float32) become plain Python values.
    tolist = getattr(obj, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serialisable")


_ENCODER = json.JSONEncoder(allow_nan=True, separators=(",", ":"), default=_json_default)


def dumps(obj: Any) -> str:
    """Compact JSON; NaN and +/-inf are kept (as ``NaN``/``Infinity`` tokens) so they round-trip."""
    return _ENCODER.encode(obj)


def clone_json(obj: Any) -> Any:
    """A deep copy of ``obj`` as it would come back from storage (tuples -> lists, keys -> str)."""
    return json.loads(dumps(obj))


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def normalise_record(record: TrialRecord) -> TrialRecord:
    """Check a record passed to ``create_trial`` and return it with plain JSON/Python values."""
    if not isinstance(record, TrialRecord):
        raise TypeError(
            f"create_trial: `record` must be a TrialRecord, got {type(record).__name__}: {record!r}."
        )
    if not isinstance(record.trial_id, str) or not record.trial_id:
        raise ValueError(
            f"create_trial: `record.trial_id` must be a non-empty str, got {record.trial_id!r}."
        )
    if TrialStatus(record.status) is not TrialStatus.RUNNING:
        raise ValueError(
            f"create_trial: a new trial must be RUNNING, got status {record.status!r} for trial "
            f"{record.trial_id!r}; create it RUNNING and then call finish_trial()."
        )
    return TrialRecord(
        trial_id=record.trial_id,
        values=clone_json(dict(record.values)),
        status=TrialStatus.RUNNING,
        epochs=int(record.epochs),
        initial_epoch=int(record.initial_epoch),
        parent_id=None if record.parent_id is None else str(record.parent_id),
        bracket=_opt_int(record.bracket),
        rung=_opt_int(record.rung),
        iteration=int(record.iteration),
        metrics=clone_json(dict(record.metrics)),
        loss=None if record.loss is None else float(record.loss),
        attempts=int(record.attempts),
        error=record.error,
        created_at=float(record.created_at),
        finished_at=None,
    )


def check_finish(
    trial_id: str, status: TrialStatus | str, loss: float | None
) -> tuple[TrialStatus, float | None]:
    """Validate the arguments of ``finish_trial``; return the status enum and the loss as float."""
    status = TrialStatus(status)
    if status is TrialStatus.RUNNING:
        raise ValueError(
            f"finish_trial: `status` must be a finished status (COMPLETED, FAILED or PRUNED), "
            f"got RUNNING for trial {trial_id!r}."
        )
    if loss is not None:
        loss = float(loss)
        if math.isnan(loss):
            raise ValueError(
                f"finish_trial: `loss` must be a number or None, got NaN for trial {trial_id!r}; "
                "a trial whose objective is NaN is FAILED with loss=None."
            )
    return status, loss


def normalise_statuses(
    status: TrialStatus | str | Sequence[TrialStatus | str] | None,
) -> tuple[TrialStatus, ...] | None:
    """``None`` (all), one status, or a sequence of statuses -> a tuple of statuses (or ``None``)."""
    if status is None:
        return None
    if isinstance(status, str):  # TrialStatus is a str too: check before Sequence
        return (TrialStatus(status),)
    if isinstance(status, (Sequence, set, frozenset)) and not isinstance(status, Mapping):
        return tuple(TrialStatus(s) for s in status)
    raise TypeError(
        "`status` must be None, a TrialStatus or a sequence of TrialStatus, "
        f"got {type(status).__name__}: {status!r}."
    )
