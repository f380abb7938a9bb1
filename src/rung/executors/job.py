"""Running one attempt of a job where a worker is: ``execute(spec) -> JobResult``.

``execute`` is what every executor calls (in the driver, in a worker process, as a Dask or Ray
task). It builds the ``Trial`` the training function sees, runs it, and catches whatever the
function raises, so that the result always comes back as data. When the worker does not share the
driver's file system, it trains in a private scratch directory: the parent's checkpoint files are
unpacked there first, and the job's own files are packed into the result.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import os
import pickle
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from rung.checkpoints import CheckpointStore
from rung.errors import (
    ConfigurationError,
    FailedTrialError,
    FatalError,
    NewEntriesError,
    ProjectInUseError,
    ProjectWriteError,
    SearchSpaceConflictError,
    TrialPruned,
)
from rung.executors.base import JobResult, JobSpec, Outcome
from rung.executors.running import running
from rung.hyperparameters import HyperParameters
from rung.integrations.keras.results import fit_result_metrics
from rung.trial import Trial

__all__ = ["ReportChannel", "best_reported", "execute", "result_metrics"]


class ReportChannel(Protocol):
    """A live line from a worker to the driver (see ``rung.executors.processes``)."""

    def report(self, trial_id: str, epoch: int, metrics: dict[str, float]) -> bool: ...


def result_metrics(result: Any, trial: Trial, objective: Any,
                   function: Callable[..., Any] | None = None) -> dict[str, float]:
    """Turn what ``run_trial`` returned into the metrics dict the objective reads.

    ``function`` is what returned it: errors name a plain training function (``run_trial=train``)
    as ``the training function train(trial)``, and a tuner's ``run_trial`` method (a subclass's
    override, or a Keras hypermodel's training) or an unknown one as keras-tuner does.

    keras-tuner's return types: a number (NumPy scalars too), a dict of metrics, a Keras
    ``History`` (its best epoch), or a list of those (one per execution, averaged). ``None`` is
    allowed when the trial reported its epochs (``trial.report``); otherwise it is keras-tuner's
    ``FatalTypeError``, as is a result of another type: every trial would fail the same way. A
    dict without the objective fails this trial only (the search goes on; keras-tuner stops).
    """
    if result is None and trial.reported:  # keras-tuner: the best step of the reports
        return best_reported(trial.reported, objective)
    if isinstance(result, Mapping) and not _names_objective(result, objective):
        return {str(k): float(v) for k, v in result.items()}  # the recorder fails the trial
    plain = function is not None and not _is_run_trial_method(function)
    source = _training_function_name(function) if plain else "Tuner.run_trial()"
    return fit_result_metrics(result, objective, source=source, plain=plain)


def _is_run_trial_method(function: Callable[..., Any]) -> bool:
    """A tuner's own ``run_trial`` (bound method): keras-tuner's wording fits it."""
    return inspect.ismethod(function) and function.__name__ == "run_trial"


def _training_function_name(function: Callable[..., Any] | None) -> str:
    """``the training function train(trial)``, as error messages name a plain function."""
    name = getattr(function, "__qualname__", None) or getattr(function, "__name__", None)
    if not isinstance(name, str):  # a functools.partial, a callable object
        name = getattr(getattr(function, "func", None), "__name__", None) or type(function).__name__
    return f"the training function {name.rpartition('.<locals>.')[2]}(trial)"


def best_reported(reported: list[tuple[int, dict[str, float]]], objective: Any
                  ) -> dict[str, float]:
    """The metrics of the reported epoch where the objective is best (the earliest of ties), with
    their ``"epoch"``; the last epoch when none holds the objective.

    A curve whose last objective is NaN or infinite ended diverged: its last epoch's metrics are
    returned, so the job fails. Scoring it by an earlier, finite epoch would promote (and could
    recommend) a configuration whose model, and the checkpoint its children continue from, is
    broken. NaN epochs before a finite last one are passed over."""
    scored = [(epoch, m) for epoch, m in reported if _holds(objective, m)]
    if not scored:
        epoch, metrics = reported[-1]
        return dict(metrics)
    finite = [(epoch, m) for epoch, m in scored if math.isfinite(objective.loss(m))]
    if not finite or not math.isfinite(objective.loss(scored[-1][1])):
        epoch, metrics = scored[-1]
    else:
        epoch, metrics = min(finite, key=lambda row: objective.loss(row[1]))
    return {**metrics, "epoch": float(epoch)}


def _holds(objective: Any, metrics: Mapping[str, float]) -> bool:
    try:
        objective.value(metrics)
    except (ValueError, TypeError):
        return False
    return True


def _names_objective(result: Mapping[Any, Any], objective: Any) -> bool:
    """True when ``result`` holds the objective, or the objective is keras-tuner's default (a
    dict is then only accepted with the key ``default_objective``: fatal otherwise)."""
    return objective.name in result or objective.name == "default_objective"


class _Reporter:
    """The reporter of a trial running in a worker: live through a channel (whose answer is
    the driver's decision), or kept for the result; the job's stop rule, when it has one,
    decides whether it goes on (a reproducible search sends both)."""

    def __init__(self, spec: JobSpec, channel: ReportChannel | None) -> None:
        self.spec = spec
        self.channel = channel
        self.finished = False  # set once run_trial has returned: the job's result is built

    def __call__(self, trial_id: str, epoch: int, metrics: dict[str, float]) -> bool:
        if self.finished:
            # a thread of the training function reporting after it returned: the result has
            # left (its reports with it), and a worker process's pipe now carries other jobs
            raise ValueError(
                f"report: trial {trial_id!r} is already finished: trial.report({epoch}, ...) "
                "was called after run_trial returned (from a thread it started?); report every "
                "epoch before run_trial returns")
        keep = True
        if self.channel is not None:
            keep = self.channel.report(trial_id, epoch, metrics)
        if self.spec.stop_rule is not None:
            keep = keep and bool(self.spec.stop_rule(epoch, metrics))
        return keep


def _transportable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _worker_trial(spec: JobSpec, channel: ReportChannel | None
                  ) -> tuple[Trial, _Reporter, str | None]:
    """A new ``Trial`` for ``spec`` away from the driver, its reporter and its scratch directory
    (or None)."""
    root = spec.checkpoint_root
    scratch = None
    if root is None:  # no shared file system: the parent's checkpoint came with the job
        scratch = root = tempfile.mkdtemp(prefix="rung-job-")
        if spec.record.parent_id and spec.parent_checkpoint:
            CheckpointStore(root).unpack(spec.record.parent_id, spec.parent_checkpoint)
    hp = HyperParameters.from_config(spec.space).clone_with_values(spec.record.values)
    if not spec.allow_new_entries:
        hp._close()
    reporter = _Reporter(spec, channel)
    trial = Trial(spec.record, hp, spec.objective, reporter, CheckpointStore(root))
    return trial, reporter, scratch


def _call(spec: JobSpec, trial: Trial) -> tuple[Outcome, dict[str, float] | None,
                                                BaseException | None, str | None]:
    """Run the training function: ``(outcome, metrics, exception, traceback text)``."""
    try:
        with running(trial):  # oracle.update_trial(trial_id, ...) inside reaches trial.report
            value = spec.function(trial, *spec.args, **spec.kwargs)
        if trial._stopped_at is not None:  # it caught TrialPruned and returned (Trial warned)
            return Outcome.PRUNED, trial.last_reported() or {}, None, None
        return Outcome.COMPLETED, result_metrics(value, trial, spec.objective, spec.function), None, None
    except TrialPruned:
        return Outcome.PRUNED, trial.last_reported() or {}, None, None
    except (FatalError, ConfigurationError, NewEntriesError, SearchSpaceConflictError,
            ProjectInUseError, ProjectWriteError) as exc:
        return Outcome.FATAL, None, exc, traceback.format_exc()
    except FailedTrialError as exc:
        return Outcome.FAILED, None, exc, traceback.format_exc()
    except Exception as exc:  # a failing trial never takes the search down
        return Outcome.ERROR, None, exc, traceback.format_exc()
    except SystemExit as exc:  # sys.exit() in training code (argparse, a script's main)
        if isinstance(exc, KeyboardInterrupt):  # rung's own SearchInterrupted: Ctrl-C
            raise
        note = f"the training function called sys.exit({exc.code!r}): an error of this attempt\n"
        return Outcome.ERROR, None, exc, traceback.format_exc() + note


def execute(spec: JobSpec, channel: ReportChannel | None = None) -> JobResult:
    """Run one attempt of ``spec``. In the driver (in-process executor) the function gets the
    spec's ``live_trial``, whose reporter already writes to storage; elsewhere a new ``Trial``
    whose reports go through ``channel`` or back with the result."""
    started = time.perf_counter()
    local = spec.live_trial is not None
    scratch: str | None = None
    reporter: _Reporter | None = None
    cwd = _working_directory()
    try:
        if spec.live_trial is not None:
            trial = spec.live_trial
        else:
            trial, reporter, scratch = _worker_trial(spec, channel)
        outcome, metrics, exception, error = _call(spec, trial)
        if reporter is not None:
            reporter.finished = True
        checkpoint = None
        if scratch is not None and outcome in (Outcome.COMPLETED, Outcome.PRUNED):
            checkpoint = CheckpointStore(scratch).pack(spec.trial_id)
        live = local or channel is not None
        return JobResult(
            trial_id=spec.trial_id, attempt=spec.attempt, outcome=outcome, metrics=metrics,
            values=dict(trial.hyperparameters.values),
            space=None if local else trial.hyperparameters.get_config(),
            reports=[] if live else list(trial.reported), error=error,
            exception=exception if (local or exception is None) else _transportable(exception),
            checkpoint=checkpoint, duration=time.perf_counter() - started,
        )
    finally:
        if reporter is not None:
            reporter.finished = True
        if cwd is not None:
            _restore_working_directory(cwd)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _working_directory() -> str | None:
    try:
        return os.getcwd()
    except OSError:  # it was deleted under this process already
        return None


def _restore_working_directory(cwd: str) -> None:
    """Undo an ``os.chdir`` of the training function (``os.chdir(trial.checkpoint_dir)``, so
    that a framework writes its files there): the next job, or the driver's own script after
    ``search``, would start in that directory, deleted by then (a scratch directory, or a
    checkpoint directory ``keep_checkpoints`` removed)."""
    with contextlib.suppress(OSError):  # the directory it started in is gone: nowhere to go
        os.chdir(cwd)
