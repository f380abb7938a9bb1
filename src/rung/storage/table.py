"""A project's trials as flat rows, one per job: what ``rung trials`` prints and
``tuner.trials_dataframe()`` gives to pandas.

Columns, in order: ``trial_id, status, iteration, bracket, rung, initial_epoch, epochs,
epochs_trained, parent_id, objective, attempts, duration_s, created_at, finished_at, error``,
then one ``hp.<name>`` column per hyperparameter and one ``metric.<name>`` column per metric
(names sorted; a job that has no value for one gets None). ``objective`` is the value of the
objective's metric (for several objectives, the folded loss), None where the job has no finite
one (a job whose objective was NaN failed: it has no result; its ``metric.<name>`` keeps the
value as reported); ``epochs`` the epoch the job
trains to: its planned end, or for a job without one (a single-fidelity search leaves the length to
the training function) the last epoch it reported; ``epochs_trained`` the epochs the job really
trained (a pruned job stops early; a running job counts the epochs it reported); both are None
for a job without a planned length that reported no epoch (as ``rung best`` and ``rung status``
give it);
``attempts`` the job's failed attempts (0: it never failed); ``duration_s`` runs from the job's
creation to its end, failed attempts and retries included; times are Unix seconds (None where
unknown: a trial imported from keras-tuner has no creation time, so no duration, and its
``finished_at`` is the time of the import).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from rung.storage.base import Storage
from rung.storage.tally import epochs_trained, last_epoch
from rung.trial_record import TrialRecord

__all__ = ["BASE_COLUMNS", "UNRECORDED", "duration", "epochs_trained", "folded_formula",
           "last_epochs", "objective_config", "objective_label", "objective_name",
           "objective_parts", "trial_rows"]

BASE_COLUMNS = (
    "trial_id", "status", "iteration", "bracket", "rung", "initial_epoch", "epochs",
    "epochs_trained", "parent_id", "objective", "attempts", "duration_s", "created_at",
    "finished_at", "error",
)

# a project that stores no objective (written through a storage directly, with no settings):
# its jobs are ranked by the loss each stored, lowest first; what ``rung status`` and the report
# say of its objective, whose values they name "loss"
UNRECORDED = "not recorded (jobs ranked by the loss each stored, lowest first)"


def objective_config(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The stored objective (``Objective.get_config()``; a keras-tuner import keeps it under
    ``imported``), or ``{}``."""
    settings = settings or {}
    config = settings.get("objective")
    if config is None and isinstance(settings.get("imported"), Mapping):
        config = settings["imported"].get("objective")
    return dict(config) if isinstance(config, Mapping) else {}


def objective_name(settings: Mapping[str, Any] | None) -> str | None:
    """The objective's metric name from stored settings (None: several objectives, or unknown)."""
    name = objective_config(settings).get("name")
    return name if isinstance(name, str) else None


def objective_parts(config: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The ``(name, direction)`` of each objective a stored objective config holds (one for a
    single objective; () when not understood)."""
    if isinstance(config.get("objectives"), list):
        return tuple((str(c.get("name")), str(c.get("direction")))
                     for c in config["objectives"] if isinstance(c, Mapping))
    if isinstance(config.get("name"), str):
        return ((config["name"], str(config.get("direction", ""))),)
    return ()


def folded_formula(parts: Sequence[tuple[str, str]]) -> str:
    """The loss several objectives fold into (``MultiObjective``: the minimised values minus the
    maximised ones), written out: ``[("loss", "min"), ("acc", "max")]`` -> ``"loss - acc"``."""
    terms: list[str] = []
    for name, direction in parts:
        minus = direction == "max"
        terms.append(f"{'-' if minus else '+'} {name}" if terms else f"{'-' if minus else ''}{name}")
    return " ".join(terms)


def objective_label(settings: Mapping[str, Any] | None) -> str | None:
    """What the stored objective's value is, in words: its metric's name, or for several
    objectives the formula of the loss they fold into (``"loss - acc"``); None when unknown."""
    parts = objective_parts(objective_config(settings))
    if len(parts) > 1:
        return folded_formula(parts)
    return parts[0][0] if parts else None


def _objective_value(record: TrialRecord, name: str | None) -> float | None:
    """The job's objective value, None where it has no finite one (absent, NaN, infinite)."""
    value = record.metrics.get(name) if name is not None else record.loss
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _first_line(text: str | None) -> str | None:
    if not text:
        return None
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else None  # a traceback's last line says what failed


def duration(record: TrialRecord) -> float | None:
    """Seconds from ``record``'s creation to its end; None while it runs, and where its creation
    time is unknown (``created_at`` 0: a trial imported from keras-tuner, which records none)."""
    if record.finished_at is None or not record.created_at:
        return None
    return record.finished_at - record.created_at


def last_epochs(storage: Storage, records: Sequence[TrialRecord]) -> dict[str, int]:
    """The epoch each of ``records`` (jobs of ``storage``) trained to, by trial id
    (``rung.storage.tally.last_epoch``: its reports read only where its record does not say)."""
    reported = storage.last_reported_epochs(records)
    return {r.trial_id: last_epoch(r, reported.get(r.trial_id)) for r in records}


_NO_EPOCHS: dict[str, Any] = {"epochs": None, "epochs_trained": None}


def _no_epochs(record: TrialRecord, reported: int | None) -> bool:
    """True for a job with no planned length that reported no epoch (a single-fidelity job
    whose training function returned only its final metrics): its epochs are unknown, not 0."""
    return not record.epochs and not record.epochs_reached and not reported


def trial_rows(storage: Storage) -> list[dict[str, Any]]:
    """Every trial of ``storage`` as a flat dict (see the module docstring), in creation order."""
    records = storage.trials()
    name = objective_name(storage.get_settings())
    reached = storage.last_reported_epochs(records)
    hp_names = sorted({k for r in records for k in r.values})
    metric_names = sorted({k for r in records for k in r.metrics})
    rows = []
    for r in records:
        row: dict[str, Any] = {
            "trial_id": r.trial_id, "status": r.status.value, "iteration": r.iteration,
            "bracket": r.bracket, "rung": r.rung, "initial_epoch": r.initial_epoch,
            "epochs": r.epochs or last_epoch(r, reached.get(r.trial_id)),
            "epochs_trained": epochs_trained(r, reached.get(r.trial_id)),
            **(_NO_EPOCHS if _no_epochs(r, reached.get(r.trial_id)) else {}),
            "parent_id": r.parent_id, "objective": _objective_value(r, name),
            "attempts": r.attempts,
            "duration_s": duration(r),
            "created_at": r.created_at or None, "finished_at": r.finished_at,
            "error": _first_line(r.error),
        }
        for key in hp_names:
            row[f"hp.{key}"] = r.values.get(key)
        for key in metric_names:
            row[f"metric.{key}"] = r.metrics.get(key)
        rows.append(row)
    return rows
