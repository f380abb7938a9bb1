"""The training functions of ``test_bad_declaration.py``, importable by worker processes
(``conftest.py`` puts this directory on the path)."""

from __future__ import annotations

import rung


def upside_down(trial: rung.Trial) -> float:
    return trial.hyperparameters.Float("lr", 0.1, 1e-4, sampling="log")


def misspelt(trial: rung.Trial) -> float:
    return trial.hyperparameters.Float("lr", 1e-4, 0.1, sampling="logarithmic")


def optuna_keyword(trial: rung.Trial) -> float:
    return trial.hyperparameters.Float("lr", 1e-4, 0.1, log=True)  # type: ignore[call-arg]


def bad_after_the_first(trial: rung.Trial) -> float:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    if trial.trial_id != "00000":  # a range computed from other values, wrong for these
        trial.hyperparameters.Int("units", 8, 4)
    return x
