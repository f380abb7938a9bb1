"""Problems and optimisers by name, and one run as a picklable task for worker processes."""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from _se import curves, functions
from _se.peer_runners import PEERS
from _se.problem import Problem, Run
from _se.rung_runners import RUNG

__all__ = ["ALL_PROBLEMS", "EXTRA_PROBLEMS", "OPTIMIZERS", "PROBLEMS", "Result", "Task", "libraries", "prepare_worker", "run_task"]

PROBLEMS: dict[str, Callable[[], Problem]] = {
    "branin": functions.branin,
    "hartmann3": functions.hartmann3,
    "hartmann6": functions.hartmann6,
    "mixed": functions.mixed,
    "lc_mixed": curves.lc_mixed,
    "lc_conditional": curves.lc_conditional,
    "lc_crossing": curves.lc_crossing,
    "digits_mlp": curves.digits,
}
"""The default suite, on which the tables of docs/sample-efficiency.md are measured."""

EXTRA_PROBLEMS: dict[str, Callable[[], Problem]] = {
    "lc_diverging": curves.lc_diverging,
}
"""Run only when named (``--problems lc_diverging``): each shows one failure mode."""

ALL_PROBLEMS = {**PROBLEMS, **EXTRA_PROBLEMS}

OPTIMIZERS: dict[str, Callable[[Run], None]] = {**RUNG, **PEERS}


@dataclass(frozen=True)
class Task:
    problem: str
    optimizer: str
    seed: int
    budget_r: float  # the budget, in multiples of the problem's R


@dataclass(frozen=True)
class Result:
    task: Task
    max_epochs: int
    epochs: tuple[int, ...]  # epochs spent after each job
    regrets: tuple[float, ...]  # the incumbent's regret after each job
    jobs: int
    seconds: float
    error: str | None = None


def run_task(task: Task) -> Result:
    """One optimiser on one problem with one seed, until ``budget_r * R`` epochs are spent."""
    problem = ALL_PROBLEMS[task.problem]()
    run = Run(problem, int(round(task.budget_r * problem.max_epochs)), task.seed)
    start = time.process_time()
    error: str | None = None
    try:
        OPTIMIZERS[task.optimizer](run)
    except Exception as exc:  # a peer that breaks is reported, not fatal to the benchmark
        error = f"{type(exc).__name__}: {exc}"
    return Result(task, problem.max_epochs, tuple(run.epochs), tuple(run.regrets), run.jobs,
                  time.process_time() - start, error)


def libraries(optimizers: Iterable[str]) -> tuple[str, ...]:
    """The libraries ``optimizers`` import (rung always): Optuna's rows need optuna,
    keras-tuner's need keras_tuner (and Keras' torch backend)."""
    names = set(optimizers)
    out = ["rung"]
    if any(o.startswith("Optuna") for o in names):
        out.append("optuna")
    if any(o.startswith("keras-tuner") for o in names):
        out += ["keras_tuner", "torch"]
    return tuple(out)


def prepare_worker(modules: tuple[str, ...]) -> None:
    """Import ``modules`` (``libraries`` of the runs) before the first run, so that no run's
    CPU time counts an import; one BLAS/torch thread per process (two processes share the two
    cores)."""
    for name in modules:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    if "torch" in modules:
        with contextlib.suppress(ImportError):
            import torch

            torch.set_num_threads(1)
