"""keras-tuner's result attributes of a ``rung.Trial``: ``status``, ``score``, ``best_step``,
``metrics`` (a ``MetricsTracker``), ``get_state()`` and ``summary()``, read from the trial's
stored record; a custom oracle may set ``status``, ``score`` and ``best_step`` (kept on the
trial, never stored)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rung.metrics_tracking import MetricsTracker
from rung.trial_record import TrialRecord, TrialStatus

if TYPE_CHECKING:
    from rung.hyperparameters import HyperParameters
    from rung.objective import MultiObjective, Objective

__all__ = ["TrialResults"]


class TrialResults:
    """The result side of ``rung.Trial`` (its base class)."""

    if TYPE_CHECKING:  # set by rung.Trial
        record: TrialRecord
        hyperparameters: HyperParameters
        message: str | None
        _objective: Objective | MultiObjective | None
        _overrides: dict[str, Any]
        _tracker: MetricsTracker | None

        @property
        def trial_id(self) -> str: ...

    @property
    def status(self) -> TrialStatus:
        """keras-tuner's ``TrialStatus``; a custom oracle may set it (``trial.status = "STOPPED"``)."""
        if "status" in self._overrides:
            return self._overrides["status"]
        if self.record.status is TrialStatus.FAILED and self.record.metrics:
            return TrialStatus.INVALID  # it returned metrics, but a NaN or infinite objective
        return self.record.status

    @status.setter
    def status(self, value: TrialStatus | str) -> None:
        self._overrides["status"] = TrialStatus(value)

    @property
    def metrics(self) -> MetricsTracker:
        """keras-tuner's metrics tracker: ``trial.metrics.get_best_value("val_loss")``, ...

        Every metric the score was computed from is recorded at ``best_step``; the objective's
        metrics are registered with the objective's direction.
        """
        if self._tracker is None:
            self._tracker = self._build_tracker()
        return self._tracker

    def _build_tracker(self) -> MetricsTracker:
        tracker = MetricsTracker()
        objectives = getattr(self._objective, "objectives", (self._objective,))
        for objective in objectives:
            if objective is not None and objective.name not in ("", "multi_objective"):
                tracker.register(objective.name, objective.direction)
        step = self.best_step if self.best_step is not None else 0
        for name, value in self.record.metrics.items():
            if name != "epoch":
                tracker.update(name, value, step=step)
        return tracker

    @property
    def score(self) -> float | None:
        """The objective's value (in its own direction: an accuracy is high); None when the
        trial has no valid result."""
        if "score" in self._overrides:
            return self._overrides["score"]
        if self.record.loss is None or self._objective is None:
            return None
        return self._objective.value(self.record.metrics)

    @score.setter
    def score(self, value: float | None) -> None:
        self._overrides["score"] = value

    @property
    def best_step(self) -> int | None:
        """keras-tuner's ``best_step``: the 0-based epoch whose metrics gave the score (0 when
        the result was a number or a dict without ``"epoch"``; None while running). Counted
        from the start of training: a promoted trial that continued from epoch 3 and was best
        at its 5th epoch has ``best_step`` 4 (keras-tuner counts from the trial's own start: 1)."""
        if "best_step" in self._overrides:
            return self._overrides["best_step"]
        if not self.record.metrics:
            return None
        epoch = self.record.metrics.get("epoch")
        return 0 if epoch is None else max(int(epoch) - 1, 0)

    @best_step.setter
    def best_step(self, value: int | None) -> None:
        self._overrides["best_step"] = value

    def get_state(self) -> dict[str, Any]:
        """keras-tuner's ``Trial.get_state()``: the trial as a dict (``trial_id``, the
        ``hyperparameters``' and ``metrics``' configs, ``score``, ``best_step``, ``status``,
        ``message``)."""
        return {"trial_id": self.trial_id, "hyperparameters": self.hyperparameters.get_config(),
                "metrics": self.metrics.get_config(), "score": self.score,
                "best_step": self.best_step, "status": self.status, "message": self.message}

    def summary(self) -> None:
        """Print the trial as keras-tuner does: id, hyperparameter values, score, error."""
        print(f"Trial {self.trial_id} summary")
        print("Hyperparameters:")
        for name, value in self.hyperparameters.values.items():
            print(f"{name}: {value}")
        if self.score is not None:
            print(f"Score: {self.score}")
        if self.message:
            print(self.message)
