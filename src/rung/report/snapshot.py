"""One read of a project, everything the report's plots are computed from.

:func:`read_snapshot` reads a storage once (settings, trials, per-epoch metrics, the declared
search space) and turns each stored metric dict into the one number the plots show: the
objective's value, in the user's terms (``val_accuracy`` stays an accuracy, to maximise). The
plots' pure functions take a :class:`Snapshot`, so tests build one by hand, without a storage.

Only JSON is read: nothing from the project is unpickled or executed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rung.cli.status import SearchState, search_state
from rung.objective import MultiObjective, Objective
from rung.storage import Storage
from rung.storage.table import UNRECORDED, folded_formula, objective_config
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["ObjectiveInfo", "ParamSpec", "Snapshot", "infer_space", "read_snapshot", "space_from_state"]


@dataclass(frozen=True)
class ObjectiveInfo:
    """What the plots call the objective: a metric ``name`` and its ``direction`` ("min"/"max").

    A multi-objective is shown as the loss rung folds it into, named by its formula
    (``"val_loss - val_acc"``, "min"). A project that stores no objective (written through a
    storage directly) is ranked by the loss each job stored: ``stored``, named "loss", "min"
    (``rung status`` says it the same way); no metric is its objective, so no curve is drawn.
    """

    name: str
    direction: str
    parts: tuple[tuple[str, str], ...] = ()  # (name, direction) of each folded objective
    stored: bool = False  # no objective recorded: a job's value is its stored loss

    def value(self, metrics: Mapping[str, Any]) -> float | None:
        """The objective's finite value in ``metrics``, or None (absent, NaN, not a number)."""
        try:
            if self.parts:
                number = self._folded.loss(dict(metrics))
            else:
                raw = metrics.get(self.name)
                if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                    return None
                number = float(raw)
        except (ValueError, TypeError):
            return None
        return number if math.isfinite(number) else None

    @cached_property
    def _folded(self) -> MultiObjective:
        return MultiObjective([Objective(n, d) for n, d in self.parts])

    def better(self, a: float, b: float) -> bool:
        """``a`` is strictly better than ``b``."""
        return a < b if self.direction == "min" else a > b

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> ObjectiveInfo:
        config = objective_config(settings)  # a keras-tuner import keeps it under "imported"
        if config:
            if isinstance(config.get("objectives"), list):
                parts = tuple((str(c["name"]), str(c["direction"])) for c in config["objectives"])
                if len(parts) == 1:
                    return cls(*parts[0])
                return cls(folded_formula(parts), "min", parts)
            if isinstance(config.get("name"), str) and config.get("direction") in ("min", "max"):
                return cls(config["name"], config["direction"])
        return cls("loss", "min", stored=True)

    @property
    def said(self) -> str:
        """The objective in words, as the page's header and ``rung status`` give it."""
        return UNRECORDED if self.stored else f"{self.name} ({self.direction})"


@dataclass(frozen=True)
class ParamSpec:
    """A hyperparameter as the plots need it: ``kind`` "numeric" or "categorical", ``log``
    scale, and the declared ``categories`` (in declaration order) of a categorical one."""

    name: str
    kind: str
    log: bool = False
    categories: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """A project as read at one moment.

    ``curves`` maps a trial id to its ``(epoch, objective value)`` reports in order (the value
    None where the report lacked the objective); ``settings`` is the stored settings dict.
    """

    objective: ObjectiveInfo
    trials: tuple[TrialRecord, ...]
    curves: Mapping[str, Sequence[tuple[int, float | None]]] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    space: tuple[ParamSpec, ...] = ()
    failures: Mapping[str, str] = field(default_factory=dict)  # trial id -> last error
    # whether a search is writing the project (as ``rung status`` tells it); None: not read
    search: SearchState | None = None

    def value(self, record: TrialRecord) -> float | None:
        """The objective value of a job that produced one (completed or pruned), else None."""
        return self._values.get(record.trial_id)

    @cached_property
    def _values(self) -> dict[str, float | None]:  # every plot asks: computed once
        scored = (TrialStatus.COMPLETED, TrialStatus.PRUNED)
        if self.objective.stored:  # no objective recorded: the loss each job stored
            return {r.trial_id: _finite(r.loss) if r.status in scored else None
                    for r in self.trials}
        return {r.trial_id: self.objective.value(r.metrics) if r.status in scored else None
                for r in self.trials}


def _spec(item: Mapping[str, Any]) -> ParamSpec | None:
    kind = item.get("class_name")
    config = item.get("config")
    if not isinstance(config, Mapping) or not isinstance(config.get("name"), str):
        return None
    name = config["name"]
    if kind in ("Int", "Float"):
        return ParamSpec(name, "numeric", log=config.get("sampling") == "log")
    if kind == "Choice":
        values = tuple(config.get("values") or ())
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        if numeric and config.get("ordered", True) and len(values) > 2:
            return ParamSpec(name, "numeric")
        return ParamSpec(name, "categorical", categories=values)
    if kind == "Boolean":
        return ParamSpec(name, "categorical", categories=(False, True))
    if kind == "Fixed":
        return ParamSpec(name, "categorical", categories=(config.get("value"),))
    return None


def space_from_state(state: Mapping[str, Any] | None) -> tuple[ParamSpec, ...]:
    """The declared hyperparameters in a saved oracle state (its ``space``), first definition
    of each name; unknown entries are left out."""
    space = (state or {}).get("space")
    items = space.get("space") if isinstance(space, Mapping) else None
    specs: dict[str, ParamSpec] = {}
    for item in items if isinstance(items, list) else ():
        spec = _spec(item) if isinstance(item, Mapping) else None
        if spec is not None and spec.name not in specs:
            specs[spec.name] = spec
    return tuple(specs.values())


def infer_space(trials: Sequence[TrialRecord], known: Sequence[ParamSpec]) -> tuple[ParamSpec, ...]:
    """``known`` plus a spec for every other name the trials' values hold: numeric when every
    value is a number, else categorical (categories in order of first appearance)."""
    specs = {s.name: s for s in known}
    seen: dict[str, list[Any]] = {}
    for record in trials:
        for name, value in record.values.items():
            if name not in specs and not name.startswith("tuner/"):
                seen.setdefault(name, []).append(value)
    for name, values in seen.items():
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            specs[name] = ParamSpec(name, "numeric")
        else:
            specs[name] = ParamSpec(name, "categorical", categories=tuple(dict.fromkeys(values)))
    return tuple(specs.values())


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def read_snapshot(storage: Storage) -> Snapshot:
    """Read ``storage`` once: settings, trials, every job's reported objective values (running
    jobs' too), the declared space, each failed job's last error and whether a search is
    writing it (``rung.cli.status.search_state``: a job left running by a killed search is
    told apart from one running now)."""
    settings = storage.get_settings() or {}
    objective = ObjectiveInfo.from_settings(settings)
    trials = tuple(storage.trials())
    curves: dict[str, list[tuple[int, float | None]]] = {}
    if objective.parts:  # a multi-objective folds several metrics of each report
        for record in trials:
            curves[record.trial_id] = [(epoch, objective.value(metrics)) for epoch, metrics
                                       in storage.epoch_metrics(record.trial_id)]
    elif not objective.stored:  # one metric: the storage reads it without decoding whole reports
        for trial_id, epoch, raw in storage.metric_history(objective.name):
            if raw.__class__ is not float:  # the common case inlined: 100,000s of reports
                raw = _finite(raw)
            elif raw - raw != 0.0:  # inf or NaN
                raw = None
            curves.setdefault(trial_id, []).append((epoch, raw))
    failures = {r.trial_id: r.error for r in trials
                if r.status is TrialStatus.FAILED and r.error}
    state = storage.get_oracle_state()
    if state is None and isinstance(settings.get("imported"), Mapping):
        state = settings["imported"]  # a keras-tuner import keeps keras-tuner's space there
    space = infer_space(trials, space_from_state(state))
    running = sum(1 for r in trials if r.status is TrialStatus.RUNNING)
    return Snapshot(objective, trials, curves, dict(settings), space, failures,
                    search_state(storage, running))
