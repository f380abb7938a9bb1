"""keras-tuner's printed summaries: the search space, and the best trials."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rung.trial_record import TrialStatus, creation_order

if TYPE_CHECKING:
    from rung.oracles.base import Oracle

__all__ = ["print_results", "print_search_space"]


def print_search_space(oracle: Oracle) -> None:
    """Print every hyperparameter of the oracle's space with its settings."""
    space = oracle.hyperparameters.space
    print(f"Search space summary\nDefault search space size: {len(space)}")
    for p in space:
        print(f"{p.name} ({type(p).__name__})")
        config = p.get_config()
        shown = {k: v for k, v in config.items() if k not in ("name", "class")}
        print("{" + ", ".join(f"{k!r}: {v!r}" for k, v in shown.items()) + "}")


def print_results(oracle: Oracle, project_dir: Path, num_trials: int) -> None:
    """Print the ``num_trials`` best trials, best first."""
    print(f"Results summary\nResults in {project_dir}\n"
          f"Showing {num_trials} best trials\n{oracle.objective!r}")
    best = oracle.get_best_trials(num_trials)
    # as keras-tuner: fewer completed trials than asked for are followed by the failed ones,
    # with their error (get_best_trials itself returns scored trials only)
    records = sorted(oracle.records, key=lambda r: creation_order(r.trial_id))
    failed = [oracle.get_trial(r.trial_id) for r in records
              if r.status is TrialStatus.FAILED][:max(0, num_trials - len(best))]
    for trial in [*best, *failed]:
        print(f"\nTrial {trial.trial_id} summary")
        print("Hyperparameters:")
        for name, value in trial.hyperparameters.values.items():
            print(f"{name}: {value}")
        if trial.epochs:
            print(f"epochs: {trial.epochs} (from {trial.initial_epoch})")
        if trial.score is not None:  # in full, as keras-tuner prints it
            print(f"Score: {trial.score}")
        if trial.status is TrialStatus.FAILED:
            print(f"Status: FAILED\n{trial.message or '(no error message)'}")
