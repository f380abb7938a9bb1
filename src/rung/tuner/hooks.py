"""What a tuner's subclasses and framework integrations provide: ``run_trial`` (one job),
``train_hypermodel`` (a framework's training of ``hypermodel``), and optional hooks around the
search and each trial (a base of ``rung.tuner.BaseTuner``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rung.trial import Trial

__all__ = ["TunerHooks"]


class TunerHooks:
    """The training call and the hooks; each default does nothing, or says what to provide."""

    _run_trial_fn: Callable[..., Any] | None

    def run_trial(self, trial: Trial, *args: Any, **kwargs: Any) -> Any:
        """Train one job: the ``run_trial`` function given to the constructor, else
        ``train_hypermodel``. Override it to train in a subclass (keras-tuner style)."""
        if self._run_trial_fn is not None:
            return self._run_trial_fn(trial, *args, **kwargs)
        return self.train_hypermodel(trial, *args, **kwargs)

    def train_hypermodel(self, trial: Trial, *args: Any, **kwargs: Any) -> Any:
        """Hook for framework integrations: train ``self.hypermodel`` for one job."""
        raise NotImplementedError(
            "pass run_trial=<function> to the tuner, or subclass it and override run_trial")

    def check_search_arguments(self, fit_args: tuple[Any, ...],  # noqa: B027 - optional hook
                               fit_kwargs: dict[str, Any]) -> None:
        """Hook: refuse arguments of ``search`` that cannot work, before any job starts."""

    def populate_search_space(self) -> None:  # noqa: B027 - optional hook
        """Hook: declare hyperparameters before the first job (called for new projects)."""

    def on_search_begin(self) -> None:  # noqa: B027 - optional hooks
        """Called once when ``search`` starts."""

    def on_search_end(self) -> None:  # noqa: B027
        """Called once when ``search`` ends."""

    def on_trial_begin(self, trial: Trial) -> None:  # noqa: B027
        """Called before each attempt of a job."""

    def on_trial_end(self, trial: Trial) -> None:  # noqa: B027
        """Called once a job has finished (completed, pruned or failed for good)."""
