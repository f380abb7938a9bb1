"""``Trial``: what a training function sees, and what the best-trial queries return.

A live trial (handed to ``run_trial``) can report metrics per epoch and save or load checkpoints;
a finished one (from ``oracle.get_best_trials``) is read-only. Both have keras-tuner's attributes:
``trial_id``, ``hyperparameters``, ``score``, ``status``, ``metrics``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rung.errors import TrialPruned
from rung.hyperparameters import HyperParameters
from rung.trial_record import TrialRecord, TrialStatus
from rung.validation import check_int

if TYPE_CHECKING:
    from rung.checkpoints import CheckpointStore
    from rung.objective import MultiObjective, Objective

__all__ = ["Trial", "TrialRecord", "TrialStatus"]

Reporter = Callable[[str, int, dict[str, float]], bool]
"""``reporter(trial_id, epoch, metrics) -> keep_going``: records one epoch; False means stop."""


class Trial:
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
        record: TrialRecord,
        hyperparameters: HyperParameters,
        objective: Objective | MultiObjective | None = None,
        reporter: Reporter | None = None,
        checkpoints: CheckpointStore | None = None,
    ) -> None:
        self.record = record
        self.hyperparameters = hyperparameters
        self._objective = objective
        self._reporter = reporter
        self._checkpoints = checkpoints
        self.reported: list[tuple[int, dict[str, float]]] = []

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

    # --- results ---------------------------------------------------------------------------
    @property
    def status(self) -> TrialStatus:
        return self.record.status

    @property
    def metrics(self) -> dict[str, float]:
        """The final metrics the objective was computed from."""
        return dict(self.record.metrics)

    @property
    def score(self) -> float | None:
        """The objective's value (in its own direction: an accuracy is high), None if failed."""
        if self.record.loss is None or self._objective is None:
            return None
        return self._objective.value(self.record.metrics)

    @property
    def best_step(self) -> int | None:
        """The epoch whose metrics gave the score (keras-tuner's ``best_step``)."""
        return self.record.metrics.get("epoch")  # type: ignore[return-value]

    # --- live trial API ----------------------------------------------------------------------
    def report(self, epoch: int, **metrics: float) -> None:
        """Record the metrics of ``epoch`` (1-based, Keras convention: the epochs just finished).

        Raises ``rung.TrialPruned`` when a stopping scheduler decides the trial should stop.
        """
        if type(epoch) is not int or epoch < 0:  # the check costs a call per epoch otherwise
            check_int("epoch", epoch, 0, hint="the 1-based epoch just finished")
        clean = {}
        for name, value in metrics.items():
            try:
                clean[name] = float(value)
            except (TypeError, ValueError):
                raise TypeError(
                    f"metric {name!r} must be a number, got {type(value).__name__} {value!r}"
                ) from None
        self.reported.append((epoch, clean))
        if self._reporter is not None and not self._reporter(self.trial_id, epoch, clean):
            raise TrialPruned(f"trial {self.trial_id} stopped at epoch {epoch}")

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
        return self._store().load(self.parent_id)

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

    def summary(self) -> Mapping[str, Any]:
        return {
            "trial_id": self.trial_id,
            "status": self.status.value,
            "score": self.score,
            "values": self.hyperparameters.values,
            "epochs": self.epochs,
            "bracket": self.bracket,
            "rung": self.rung,
        }
