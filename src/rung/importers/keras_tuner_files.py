"""Reading a keras-tuner project's files: ``oracle.json`` and ``trial_*/trial.json``.

keras-tuner (1.x) keeps, per trial, the hyperparameter space and values, a metrics tracker
(``{"metrics": {name: {"direction", "observations": [{"value": [...], "step": n}]}}}``, one
value per execution at each recorded step, steps counted from 0), the ``score``, the
``best_step`` and the ``status``. Hyperband adds ``tuner/epochs``, ``tuner/initial_epoch``,
``tuner/trial_id``, ``tuner/bracket`` and ``tuner/round`` to the values. This module turns those
files into typed records; ``rung.importers.keras_tuner`` writes them into a rung project.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rung.validation import fail_value

__all__ = ["KerasTunerProject", "KerasTunerTrial", "read_project", "read_trial"]

RESERVED_PREFIX = "tuner/"


@dataclass(frozen=True)
class KerasTunerTrial:
    """One trial as keras-tuner saved it; ``history`` maps each recorded step (0-based epoch)
    to its metrics, averaged over executions."""

    trial_id: str
    values: dict[str, Any]
    reserved: dict[str, Any]
    history: dict[int, dict[str, float]]
    directions: dict[str, str]
    score: float | None
    best_step: int | None
    status: str
    message: str | None

    def best_metrics(self) -> dict[str, float]:
        """The metrics at ``best_step`` (the last recorded step when it is unknown)."""
        if not self.history:
            return {}
        step = self.best_step if self.best_step in self.history else max(self.history)
        return dict(self.history[step])


@dataclass(frozen=True)
class KerasTunerProject:
    """A keras-tuner project: its trials in the order they started, and the search space."""

    path: Path
    trials: list[KerasTunerTrial]
    space: dict[str, Any]


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise fail_value("path", "a readable keras-tuner project", str(path),
                         f"{path.name} could not be read: {exc}") from exc
    if not isinstance(data, dict):
        raise fail_value("path", "a keras-tuner project", str(path), f"{path} is not a JSON object")
    return data


def _history(metrics: dict[str, Any]) -> tuple[dict[int, dict[str, float]], dict[str, str]]:
    history: dict[int, dict[str, float]] = {}
    directions: dict[str, str] = {}
    for name, tracked in metrics.get("metrics", {}).items():
        if tracked.get("direction") in ("min", "max"):
            directions[name] = tracked["direction"]
        for observation in tracked.get("observations", ()):
            values = [float(v) for v in observation.get("value", ())]
            if values:
                history.setdefault(int(observation.get("step", 0)), {})[name] = (
                    math.fsum(values) / len(values))
    return dict(sorted(history.items())), directions


def read_trial(path: Path) -> KerasTunerTrial:
    """One ``trial.json``."""
    data = _load_json(path)
    values = dict(data.get("hyperparameters", {}).get("values", {}))
    reserved = {k: values.pop(k) for k in list(values) if k.startswith(RESERVED_PREFIX)}
    history, directions = _history(data.get("metrics") or {})
    score = data.get("score")
    best_step = data.get("best_step")
    return KerasTunerTrial(
        trial_id=str(data.get("trial_id", path.parent.name.removeprefix("trial_"))),
        values=values, reserved=reserved, history=history, directions=directions,
        score=None if score is None else float(score),
        best_step=None if best_step is None else int(best_step),
        status=str(data.get("status", "COMPLETED")), message=data.get("message"))


def read_project(path: Path) -> KerasTunerProject:
    """Every trial of the keras-tuner project in ``path``, in the order they started."""
    files = sorted(path.glob("trial_*/trial.json"))
    oracle_file = path / "oracle.json"
    if not path.is_dir() or not (files or oracle_file.exists()):
        raise fail_value("path", "a keras-tuner project directory (oracle.json, "
                         "trial_*/trial.json)", str(path),
                         "pass the directory keras-tuner wrote: directory/project_name")
    oracle = _load_json(oracle_file) if oracle_file.exists() else {}
    trials = {trial.trial_id: trial for trial in map(read_trial, files)}
    order = [t for t in oracle.get("start_order", ()) if t in trials]
    order += [t for t in trials if t not in order]
    space = oracle.get("hyperparameters") or (
        _load_json(files[0]).get("hyperparameters", {}) if files else {})
    return KerasTunerProject(path=path, trials=[trials[t] for t in order],
                             space={"space": list(space.get("space", ())), "values": {}})
