"""``rung.import_keras_tuner``: a keras-tuner project's trials, as a rung project.

The import writes every finished trial (hyperparameters, status, the metrics of its best step as
its result, each recorded epoch's metrics) into ``directory/project_name/rung.db`` and marks the
project as imported. What it returns answers ``results_summary()``,
``get_best_hyperparameters()`` and ``oracle.get_best_trials()`` at once. A rung tuner opened on
the project afterwards (same ``directory`` and ``project_name``, any algorithm, the same
objective) takes the trials over as its own: they count toward ``max_trials``, its searcher
learns from them, and new trials follow them. Model checkpoints are not imported (keras-tuner's
weights files have another layout): ``get_best_models`` works for trials the rung search trains.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from typing import Any

from rung.hyperparameters import HyperParameters
from rung.importers.keras_tuner_files import KerasTunerProject, KerasTunerTrial, read_project
from rung.importers.takeover import FINISHED, MARK
from rung.objective import MultiObjective, Objective, create_objective, infer_direction
from rung.oracles.base import Oracle
from rung.oracles.single import RandomSearchOracle
from rung.storage import Storage, get_storage
from rung.trial_record import TrialRecord, TrialStatus
from rung.tuner.driver import refuse_if_driven
from rung.tuner.project import RUNG_ENTRIES, check_project_name, delete_for_overwrite
from rung.tuner.results import TunerResults
from rung.validation import check_bool, check_instance, fail_value, nearest

__all__ = ["ImportedProject", "import_keras_tuner", "import_target"]

DB_NAME = "rung.db"
_STATUSES = {"COMPLETED": TrialStatus.COMPLETED, "STOPPED": TrialStatus.PRUNED,
             "FAILED": TrialStatus.FAILED, "INVALID": TrialStatus.FAILED}


class ImportedProject(TunerResults):
    """The results of an imported project (what ``import_keras_tuner`` returns).

    ``oracle`` holds the imported trials; ``storage`` is the project's SQLite store.
    """

    def __init__(self, storage: Storage, directory: Path, project_name: str) -> None:
        self.storage = storage
        self.directory = directory
        self.project_name = project_name
        imported = (storage.get_settings() or {})[MARK]
        self.oracle: Oracle = RandomSearchOracle(
            max_trials=None, objective=create_objective(_objective_from(imported["objective"])),
            hyperparameters=HyperParameters.from_config(imported["space"]))
        self.oracle.adopt(storage.trials(FINISHED), storage.all_epoch_metrics())


def import_keras_tuner(path: str | os.PathLike[str], directory: str | os.PathLike[str] = ".",
                       project_name: str | None = None, objective: Any = None,
                       overwrite: bool = False) -> ImportedProject:
    """Read the keras-tuner project in ``path`` into the rung project ``directory/project_name``.

    Args:
        path: the keras-tuner project directory (its ``directory/project_name``).
        directory, project_name: where the rung project goes (``project_name`` defaults to the
            keras-tuner project's folder name).
        objective: the search's objective (a name or ``rung.Objective``). By default, the metric
            whose best value is each trial's score, with the direction keras-tuner recorded.
        overwrite: replace an existing rung project there, once ``path``, the objective and
            every other argument have been checked and read: its directory is deleted as a
            tuner's ``overwrite`` deletes it, except in a keras-tuner project (an import into
            keras-tuner's own directory, or one holding ``path``), where only rung's files go.

    Trials keras-tuner left unfinished (RUNNING, IDLE) are skipped; INVALID trials (a NaN
    objective) are FAILED, STOPPED ones PRUNED. Trial ids become rung's (``00000``, ...), in the
    order keras-tuner started them; Hyperband's ``tuner/*`` values become the trials' ``epochs``,
    ``initial_epoch`` and ``parent_id``.

    Example::

        imported = rung.import_keras_tuner("kt_runs/mnist", directory="runs")
        imported.results_summary()
        tuner = kt.BayesianOptimization(build, objective="val_accuracy", max_trials=30,
                                        directory="runs", project_name="mnist")
        tuner.search(x, y, validation_split=0.2)   # continues after the imported trials
    """
    check_instance("path", path, (str, os.PathLike), "a path (str or pathlib.Path)")
    check_instance("directory", directory, (str, os.PathLike), "a path (str or pathlib.Path)")
    check_bool("overwrite", overwrite)
    source = Path(path)
    if project_name is not None:
        check_project_name(project_name)
    # everything is checked and read before anything is deleted: the source project, the
    # objective, the target
    project = read_project(source)
    target = import_target(source, directory, project_name)
    name = target.name
    if objective is None:  # the metric keras-tuner scored by
        goal, scored = _infer(project), True
    else:
        goal = _single(create_objective(objective))
        scored = _check_recorded(project, goal)
    if (target / DB_NAME).exists():
        if not overwrite:
            raise fail_value("project_name", "a new rung project", name,
                             f"{target} exists already: pass overwrite=True to replace it")
        _replace(target, source)
    target.mkdir(parents=True, exist_ok=True)
    storage = get_storage(target / DB_NAME, create=True)
    _write(storage, project, goal, scored)
    storage.set_settings({MARK: {"from": "keras-tuner", "source": str(source.resolve()),
                                 "objective": goal.get_config(), "space": project.space}})
    return ImportedProject(storage, Path(directory), name)


def import_target(path: str | os.PathLike[str], directory: str | os.PathLike[str] = ".",
                  project_name: str | None = None) -> Path:
    """The rung project directory ``import_keras_tuner(path, directory, project_name)`` writes:
    ``directory/project_name``, the name defaulting to the keras-tuner project's folder name."""
    source = Path(path)
    return Path(directory) / check_project_name(
        source.resolve().name if project_name is None else project_name)


def _replace(target: Path, source: Path) -> None:
    """Delete the rung project in ``target`` (``overwrite=True``). Where ``target`` is also a
    keras-tuner project (an import into keras-tuner's own directory) or holds the source, only
    rung's entries go; otherwise ``target`` as a tuner's ``overwrite`` deletes it."""
    refuse_if_driven(target / DB_NAME)  # a search running on it keeps it
    inside = target.resolve() == source.resolve() or target.resolve() in source.resolve().parents
    if not inside and not (target / "oracle.json").is_file():
        delete_for_overwrite(target)
        return
    for entry in RUNG_ENTRIES:
        found = target / entry
        if found.is_dir() and not found.is_symlink():
            shutil.rmtree(found)
        elif found.exists() or found.is_symlink():
            found.unlink()


def _single(objective: Objective | MultiObjective) -> Objective:
    if isinstance(objective, MultiObjective):
        raise fail_value("objective", "one metric", objective, "import with a single objective")
    return objective


def _objective_from(config: dict[str, Any]) -> Objective:
    return Objective.from_config(config)


def _infer(project: KerasTunerProject) -> Objective:
    """The metric whose best-step value is every scored trial's score."""
    candidates: set[str] | None = None
    directions: dict[str, str] = {}
    for trial in project.trials:
        if trial.score is None or not math.isfinite(trial.score) or not trial.history:
            continue
        best = trial.best_metrics()
        matching = {k for k, v in best.items() if math.isclose(v, trial.score, rel_tol=1e-6)}
        candidates = matching if candidates is None else candidates & matching
        directions.update(trial.directions)
    names = sorted(candidates or (), key=lambda n: (not n.startswith("val_"), n))
    direction = directions.get(names[0]) or infer_direction(names[0]) if names else None
    if not names or direction is None:
        raise fail_value("objective", "given", None,
                         "the keras-tuner project does not show which metric it optimised: pass "
                         "objective=<metric name> or rung.Objective(name, direction)")
    return Objective(names[0], direction)


def _check_recorded(project: KerasTunerProject, goal: Objective) -> bool:
    """Whether ``goal`` is the metric keras-tuner scored the trials by (so a trial's score is
    its value where the trial recorded no metrics); an objective that is neither that metric
    nor one any trial recorded is refused, naming those recorded: keras-tuner's score is not
    stored under another metric's name."""
    recorded = sorted({name for trial in project.trials for name in trial.best_metrics()})
    try:
        scored = _infer(project).name == goal.name
    except ValueError:  # no score matches a metric: the project does not say
        scored = not recorded  # trials with a score and no metrics at all: the score is it
    if scored or goal.name in recorded:
        return scored
    near = nearest(goal.name, recorded)
    hint = f" (did you mean {near!r}?)" if near else ""
    raise fail_value("objective", "a metric the keras-tuner trials recorded", goal.name,
                     f"they recorded {', '.join(recorded)}{hint}")


def _record(index: int, trial: KerasTunerTrial, ids: dict[str, str]) -> TrialRecord:
    history = trial.history
    # keras-tuner's Keras tuners record only the best epoch: the number trained is known from
    # Hyperband's values or a full per-epoch history, else left unknown (0)
    epochs = trial.reserved.get("tuner/epochs", max(history) + 1 if len(history) > 1 else 0)
    parent = trial.reserved.get("tuner/trial_id")
    # keras-tuner records no start time: created_at 0 is rung's "unknown" (no duration is shown)
    return TrialRecord(trial_id=f"{index:05d}", values=trial.values, epochs=int(epochs),
                       initial_epoch=int(trial.reserved.get("tuner/initial_epoch", 0)),
                       parent_id=ids.get(str(parent)) if parent is not None else None,
                       created_at=0.0)


def _write(storage: Storage, project: KerasTunerProject, objective: Objective,
           scored: bool) -> None:
    """Each finished trial, its result the metrics of its best step; where those lack the
    objective, keras-tuner's score stands for it only when the objective is what it scored."""
    ids: dict[str, str] = {}
    for trial in project.trials:
        status = _STATUSES.get(trial.status)
        if status is None:
            continue  # RUNNING or IDLE: keras-tuner never finished it
        record = _record(len(ids), trial, ids)
        ids[trial.trial_id] = record.trial_id
        storage.create_trial(record)
        for step, metrics in trial.history.items():
            storage.report(record.trial_id, step + 1, metrics)
        metrics = trial.best_metrics()
        if scored and objective.name not in metrics and trial.score is not None:
            metrics[objective.name] = trial.score
        loss = None
        if status is not TrialStatus.FAILED:
            loss = objective.loss(metrics) if objective.name in metrics else math.inf
            if not math.isfinite(loss):
                status, loss = TrialStatus.FAILED, None
        error = None if status is not TrialStatus.FAILED else (
            trial.message or f"keras-tuner status {trial.status}")
        storage.finish_trial(record.trial_id, status, metrics=metrics, loss=loss, error=error,
                             epochs_reached=record.epochs)
