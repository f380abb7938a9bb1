"""What a search prints: the plan before it starts, one line per job, and a closing summary."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rung.oracles.base import Oracle
    from rung.oracles.schedule import Budget
    from rung.trial import Trial

__all__ = ["Display"]


def _fmt(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.6g}"


class Display:
    """Prints progress when ``verbose >= 1``; silent at 0."""

    def __init__(self, verbose: int = 1, stream: TextIO | None = None) -> None:
        self.verbose = verbose
        self.per_job = True  # one line per finished job (search(verbose=0) turns it off)
        self.stream = stream
        self._done = 0
        self._planned = 0

    def _print(self, text: str) -> None:
        if self.verbose >= 1:
            print(text, file=self.stream or sys.stdout, flush=True)

    def message(self, text: str) -> None:
        self._print(text)

    def plan(self, budget: Budget, project_dir: Path, oracle: Oracle) -> None:
        self._planned = budget.jobs
        self._done = len(oracle.trials)
        self._print(f"rung: {type(oracle).__name__} on {project_dir}")
        self._print(budget.describe())
        if self._done:
            self._print(f"resuming: {self._done} jobs already finished")

    def job(self, trial: Trial, oracle: Oracle, seconds: float) -> None:
        self._done += 1
        if self.verbose < 1 or not self.per_job:
            return
        best = oracle.get_best_trials(1)
        total = f"/{self._planned}" if self._planned else ""
        where = ""
        if trial.bracket is not None:
            where = f" s={trial.bracket} rung={trial.rung} epochs {trial.initial_epoch}->{trial.epochs}"
        name = oracle.objective.name
        self._print(
            f"[{self._done}{total}] trial {trial.trial_id}{where} {trial.status.value.lower()} "
            f"{name}={_fmt(trial.score)} best={_fmt(best[0].score if best else None)} "
            f"({seconds:.2f}s)"
        )

    def failure(self, trial: Trial, attempt: int, exc: BaseException, retry: bool) -> None:
        then = "retrying" if retry else "giving up"
        self._print(f"trial {trial.trial_id} attempt {attempt} failed: "
                    f"{type(exc).__name__}: {exc} ({then})")

    def done(self, oracle: Oracle, stopped: str | None = None) -> None:
        """The closing summary; ``stopped`` says why a search budget ended the call early."""
        best = oracle.get_best_trials(1)
        if stopped is not None:
            self._print(f"search stopped: {stopped}")
        else:
            self._print(f"search finished: {oracle.stop_reason}")
        if best:
            self._print(f"best trial {best[0].trial_id}: {oracle.objective.name}="
                        f"{_fmt(best[0].score)} {best[0].hyperparameters.values}")
