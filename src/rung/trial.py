"""``Trial``: what a training function sees, and what the best-trial queries return.

A live trial (handed to ``run_trial``) can report metrics per epoch and save or load checkpoints;
a finished one (from ``oracle.get_best_trials``) is read-only. Both have keras-tuner's attributes:
``trial_id``, ``hyperparameters``, ``score``, ``status``, ``metrics``.
"""

from __future__ import annotations

import math
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rung._trial_hints import missing_attribute, missing_checkpoint, positional_metrics
from rung._trial_results import TrialResults
from rung.errors import TrialPruned
from rung.hyperparameters import HyperParameters
from rung.metrics_tracking import MetricsTracker
from rung.trial_record import TrialRecord, TrialStatus
from rung.validation import check_int

if TYPE_CHECKING:
    from rung.checkpoints import CheckpointStore
    from rung.objective import MultiObjective, Objective

__all__ = ["Trial", "TrialRecord", "TrialStatus", "metric_number"]

_MAX_EPOCH = 2**63 - 1  # what SQLite's INTEGER (the storage of every report) holds

Reporter = Callable[[str, int, dict[str, float]], bool]
"""``reporter(trial_id, epoch, metrics) -> keep_going``: records one epoch; False means stop."""


class Trial(TrialResults):
    """One job: a configuration trained from ``initial_epoch`` to ``epochs``.

    Attributes:
        trial_id: unique id within the project.
        hyperparameters: a ``rung.HyperParameters`` holding this trial's values; define-by-run code
            may declare more (they take their default value in this trial).
        initial_epoch, epochs: Keras convention — train epochs ``initial_epoch + 1 .. epochs``
            (``epochs`` is None when the algorithm leaves it to the training function).
        parent_id: the trial whose checkpoint this one continues from (None: from scratch).
        bracket, rung, iteration: where Hyperband scheduled it (None for single-fidelity).
        checkpoint_dir: a directory of this trial's own for framework-native checkpoint files.
    """

    def __init__(
        self,
        record: TrialRecord | HyperParameters | None = None,
        hyperparameters: HyperParameters | str | None = None,
        objective: Objective | MultiObjective | str | None = None,
        reporter: Reporter | None = None,
        checkpoints: CheckpointStore | None = None,
        *,
        trial_id: str | None = None,
        status: TrialStatus | str | None = None,
        message: str | None = None,
    ) -> None:
        if record is None and isinstance(hyperparameters, HyperParameters):
            record, hyperparameters = hyperparameters, None  # Trial(hyperparameters=hp, ...)
        if isinstance(record, HyperParameters):  # keras-tuner's Trial(hp, trial_id, status)
            record, hyperparameters, objective = _kt_record(
                record, hyperparameters, objective, trial_id, status)
        if not isinstance(record, TrialRecord):
            raise TypeError(f"Trial: the first argument must be HyperParameters (or a "
                            f"TrialRecord); received {type(record).__name__} {record!r}")
        if not isinstance(hyperparameters, HyperParameters):
            raise TypeError(f"Trial: `hyperparameters` must be HyperParameters; received "
                            f"{type(hyperparameters).__name__} {hyperparameters!r}")
        self.record = record
        self.hyperparameters = hyperparameters
        self._objective = objective if not isinstance(objective, str) else None
        self._reporter = reporter
        self._checkpoints = checkpoints
        self.reported: list[tuple[int, dict[str, float]]] = []
        self._overrides: dict[str, Any] = {}
        self._warned_epoch = False  # an epoch outside the job's range was reported (warned once)
        self._stopped_at: int | None = None  # the epoch whose report raised TrialPruned
        self._warned_stop = False  # reported again after that (warned once)
        self._tracker: MetricsTracker | None = None
        self.message = message if message is not None else record.error

    # --- identity (immutable) ------------------------------------------------------------
    @property
    def trial_id(self) -> str:
        return self.record.trial_id

    @property
    def initial_epoch(self) -> int:
        return self.record.initial_epoch

    @property
    def epochs(self) -> int | None:
        return self.record.epochs or None

    @property
    def parent_id(self) -> str | None:
        return self.record.parent_id

    @property
    def bracket(self) -> int | None:
        return self.record.bracket

    @property
    def rung(self) -> int | None:
        return self.record.rung

    @property
    def iteration(self) -> int:
        return self.record.iteration

    # --- live trial API ----------------------------------------------------------------------
    def report(self, epoch: int, *values: Any, **metrics: float) -> None:
        """Record the metrics of ``epoch`` (1-based, Keras convention: the epochs just finished),
        given as keywords (``values``: a ``TypeError`` saying so, e.g. Optuna's ``(value, step)``).

        Raises ``rung.TrialPruned`` when a stopping scheduler decides the trial should stop.
        """
        if values:
            raise positional_metrics(epoch, values)
        if type(epoch) is not int or not 0 <= epoch <= _MAX_EPOCH:  # a call per epoch otherwise
            check_int("epoch", epoch, 0, _MAX_EPOCH, hint="the 1-based epoch just finished")
        if self._stopped_at is not None:
            self._report_after_stop(epoch)
        clean = {}
        for name, value in metrics.items():
            try:
                clean[name] = metric_number(value)
            except (TypeError, ValueError, OverflowError):
                raise TypeError(
                    f"metric {name!r} must be a number, got {type(value).__name__} {value!r}"
                ) from None
        end = self.record.epochs
        if not self._warned_epoch and end and not self.initial_epoch < epoch <= end:
            self._warned_epoch = True  # once per job
            warnings.warn(
                f"trial {self.trial_id} reported epoch {epoch}, outside the epochs this job was "
                f"asked to train ({self.initial_epoch + 1} to {end}: "
                f"range(trial.initial_epoch + 1, trial.epochs + 1)); it is stored as reported, "
                "but the budget counts the job's planned epochs, and a promoted child continues "
                f"from epoch {end}", RuntimeWarning, stacklevel=2)
        self.reported.append((epoch, clean))
        if self._reporter is not None and not self._reporter(self.trial_id, epoch, clean):
            self._stopped_at = epoch
            raise TrialPruned(f"trial {self.trial_id} stopped at epoch {epoch}")

    def _report_after_stop(self, epoch: int) -> None:
        """The training function caught the ``TrialPruned`` of an earlier report (an ``except
        Exception`` around ``trial.report``) and trained on: warn once, store nothing more and
        raise it again; the job is recorded PRUNED at the epoch it was stopped, whatever it
        returns, instead of a full-length job that nobody asked for."""
        if not self._warned_stop:
            self._warned_stop = True
            warnings.warn(
                f"trial {self.trial_id} was stopped at epoch {self._stopped_at} (trial.report "
                f"raised rung.TrialPruned) but went on to report epoch {epoch}: the training "
                "function caught TrialPruned (an `except Exception` around trial.report?). "
                "Let it propagate, or re-raise it; the job is recorded PRUNED at epoch "
                f"{self._stopped_at} and its later reports are not stored",
                RuntimeWarning, stacklevel=3)
        raise TrialPruned(f"trial {self.trial_id} stopped at epoch {self._stopped_at}")

    def __getattr__(self, name: str) -> Any:  # only for names that are not found
        raise missing_attribute(self, name)

    def last_reported(self) -> dict[str, float] | None:
        """The metrics of the last ``report`` call, or None."""
        return dict(self.reported[-1][1]) if self.reported else None

    @property
    def checkpoint_dir(self) -> Path:
        """This trial's own directory for framework-native checkpoint files (created on use)."""
        return self._store().directory(self.trial_id)

    @property
    def parent_checkpoint_dir(self) -> Path | None:
        """The parent's checkpoint directory, or None for a trial that starts from scratch."""
        if self.parent_id is None:
            return None
        return self._store().directory(self.parent_id, create=False)

    def save_checkpoint(self, obj: Any) -> None:
        """Save a picklable object (model state, optimizer state, ...) for promoted children."""
        self._store().save(self.trial_id, obj)

    def load_checkpoint(self) -> Any:
        """The parent's checkpoint, or None when this trial starts from scratch."""
        if self.parent_id is None:
            return None
        state = self._store().load(self.parent_id)
        why = None if state is not None else missing_checkpoint(
            self._store().directory(self.parent_id, create=False))
        if why is not None:
            warnings.warn(
                f"trial {self.trial_id} continues trial {self.parent_id} from epoch "
                f"{self.initial_epoch}, but load_checkpoint() returns None: trial "
                f"{self.parent_id} {why}", RuntimeWarning, stacklevel=2)
        return state

    def _store(self) -> CheckpointStore:
        if self._checkpoints is None:
            raise RuntimeError(f"trial {self.trial_id} is not running: it has no checkpoint store")
        return self._checkpoints

    def __repr__(self) -> str:
        score = self.score
        shown = "None" if score is None or not math.isfinite(score) else f"{score:.6g}"
        return (
            f"Trial(trial_id={self.trial_id!r}, status={self.status.value}, score={shown}, "
            f"values={self.hyperparameters.values})"
        )


def _kt_record(
    hyperparameters: HyperParameters, trial_id: object, status: object,
    given_id: str | None, given_status: TrialStatus | str | None,
) -> tuple[TrialRecord, HyperParameters, None]:
    """keras-tuner's positional ``Trial(hyperparameters, trial_id=None, status=RUNNING)``."""
    trial_id = given_id if given_id is not None else trial_id
    status = given_status if given_status is not None else status
    if trial_id is None:
        trial_id = uuid.uuid4().hex[:16]
    record = TrialRecord(
        trial_id=str(trial_id), values=dict(hyperparameters.values),
        status=TrialStatus(status) if status is not None else TrialStatus.RUNNING)
    return record, hyperparameters, None


def metric_number(value: Any) -> float:
    """A reported or returned metric as a float (a ``TypeError`` when it is none). A tensor or array of one element gives its element
    (``.item()``: no autograd warning for a tensor that requires grad, and a one-element NumPy
    array, which NumPy 2 no longer turns into a float); text is refused (``float("0.1")``
    would pass, but text where a metric is due is a mistake), and so is a bool (``True`` is
    no score, as a training function returning one is told)."""
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, (int, float)):
        try:
            value = item()
        except (TypeError, ValueError, RuntimeError):  # more than one element (torch: Runtime)
            raise TypeError from None
    if isinstance(value, (str, bytes, bool)):  # a bool is no metric (returning one is refused)
        raise TypeError
    return float(value)

