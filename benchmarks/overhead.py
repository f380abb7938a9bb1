"""Per-job overhead of the tuner itself: rung vs Optuna vs keras-tuner, in one run.

The training function does nothing but report 10 epochs of metrics, so every millisecond measured
is the library's: scheduling, bookkeeping and storage. Run::

    .venv/bin/python benchmarks/overhead.py            # rung at 1,000 and 10,000 jobs, peers at 1,000
    .venv/bin/python benchmarks/overhead.py --quick    # rung at 1,000 jobs only (peers: 1,000)
    .venv/bin/python benchmarks/overhead.py --peer-jobs 10000

Reported per configuration: ms per job overall, for the first and the last 1,000 jobs, and the
growth ratio last/first (flat is 1.0). Ratios against rung (SQLite) at the same job count close it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

from _args import at_least  # noqa: E402

import rung  # noqa: E402
from rung.storage import InMemoryStorage  # noqa: E402

EPOCHS = 10


def space() -> rung.HyperParameters:
    hp = rung.HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 16, 512, step=16)
    hp.Choice("activation", ["relu", "tanh", "gelu"])
    return hp


class Clock:
    """Timestamps of finished jobs, to compute per-job cost over windows."""

    def __init__(self) -> None:
        self.stamps: list[float] = []

    def tick(self) -> None:
        self.stamps.append(time.perf_counter())

    def summary(self, start: float) -> dict[str, float]:
        s = [start, *self.stamps]
        n = len(self.stamps)
        window = min(1000, max(1, n // 2))
        first = (s[window] - s[0]) / window
        last = (s[n] - s[n - window]) / window
        return {"jobs": n, "ms": 1000 * (s[n] - s[0]) / n, "first": 1000 * first,
                "last": 1000 * last, "growth": last / first}


# --- rung ---------------------------------------------------------------------------------
def rung_run(algorithm: str, jobs: int, sqlite: bool, workdir: Path) -> dict[str, float]:
    clock = Clock()

    def train(trial: rung.Trial) -> dict[str, float]:
        for epoch in range(1, EPOCHS + 1):
            trial.report(epoch, loss=1.0 / epoch, val_loss=1.0 / epoch)
        clock.tick()
        return {"val_loss": trial.hyperparameters.values["lr"]}

    # Every tool's jobs report EPOCHS epochs whatever their range (the same report cost for
    # all); rung warns once per job that a Hyperband job reported epochs it was not asked to
    # train: expected here, so silenced (the filter costs the same for every job)
    warnings.filterwarnings("ignore", message="trial .* reported epoch", category=RuntimeWarning)
    storage = None if sqlite else InMemoryStorage()
    common = {"run_trial": train, "objective": "val_loss", "hyperparameters": space(), "seed": 0,
              "directory": workdir, "project_name": f"{algorithm}-{jobs}-{sqlite}",
              "overwrite": True, "storage": storage, "verbose": 0}
    if algorithm == "random":
        tuner = rung.RandomSearch(max_trials=jobs, **common)
    else:
        per_iteration = rung.oracles.HyperbandOracle(objective="loss", max_epochs=27,
                                                     factor=3).budget().jobs
        iterations = -(-jobs // per_iteration)
        tuner = rung.Hyperband(max_epochs=27, factor=3, hyperband_iterations=iterations, **common)
    start = time.perf_counter()
    tuner.search()
    tuner.storage.close()
    return clock.summary(start)


def rung_ask_tell(algorithm: str, jobs: int) -> float:
    """Pure oracle cost: ms per ask + tell, no tuner, no storage."""
    if algorithm == "random":
        oracle = rung.oracles.RandomSearchOracle(objective="loss", max_trials=jobs, seed=0,
                                                 hyperparameters=space())
    else:
        oracle = rung.oracles.HyperbandOracle(objective="loss", max_epochs=27, factor=3,
                                              hyperband_iterations=-(-jobs // 70), seed=0,
                                              hyperparameters=space())
    start = time.perf_counter()
    n = 0
    while n < jobs and (s := oracle.ask()) is not None:
        oracle.tell(s.trial_id, {"loss": s.values["lr"]})
        n += 1
    return 1000 * (time.perf_counter() - start) / n


# --- Optuna -------------------------------------------------------------------------------
def optuna_run(jobs: int, sqlite: bool, workdir: Path) -> dict[str, float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    clock = Clock()
    url = f"sqlite:///{workdir / f'optuna-{jobs}.db'}" if sqlite else None
    study = optuna.create_study(
        storage=url, sampler=optuna.samplers.RandomSampler(seed=0),
        pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=EPOCHS,
                                              reduction_factor=3),
    )

    def objective(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        trial.suggest_int("units", 16, 512, step=16)
        trial.suggest_categorical("activation", ["relu", "tanh", "gelu"])
        for epoch in range(1, EPOCHS + 1):
            trial.report(1.0 / epoch, epoch)  # the pruner is asked, as a real loop would
            if trial.should_prune():
                break
        clock.tick()
        return lr

    start = time.perf_counter()
    study.optimize(objective, n_trials=jobs)
    return clock.summary(start)


# --- keras-tuner ----------------------------------------------------------------------------
def keras_tuner_run(jobs: int, workdir: Path) -> dict[str, float]:
    import keras_tuner

    clock = Clock()

    class NoOp(keras_tuner.Tuner):
        def run_trial(self, trial, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
            hp = trial.hyperparameters
            lr = hp.Float("lr", 1e-4, 1e-1, sampling="log")
            hp.Int("units", 16, 512, step=16)
            hp.Choice("activation", ["relu", "tanh", "gelu"])
            clock.tick()
            return {"val_loss": lr}

    oracle = keras_tuner.oracles.RandomSearchOracle(objective="val_loss", max_trials=jobs, seed=0)
    tuner = NoOp(oracle=oracle, directory=str(workdir), project_name=f"kt-{jobs}",
                 overwrite=True)
    devnull = open(os.devnull, "w")  # noqa: SIM115 - keras-tuner prints per trial
    saved, sys.stdout = sys.stdout, devnull
    try:
        start = time.perf_counter()
        tuner.search()
    finally:
        sys.stdout = saved
        devnull.close()
    return clock.summary(start)


def row(name: str, r: dict[str, float]) -> str:
    return (f"{name:<44} {r['jobs']:>6} {r['ms']:>9.3f} {r['first']:>9.3f} {r['last']:>9.3f} "
            f"{r['growth']:>7.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="rung at 1,000 jobs only (default: 1,000 and 10,000)")
    parser.add_argument("--peer-jobs", type=at_least(1), default=1000,
                        help="jobs for Optuna/keras-tuner (default 1,000)")
    parser.add_argument("--no-peers", action="store_true",
                        help="rung only: no Optuna, no keras-tuner, no ratios")
    args = parser.parse_args(argv)
    sizes = [1000] if args.quick else [1000, 10000]
    workdir = Path(tempfile.mkdtemp(prefix="rung-bench-"))
    results: dict[str, dict[str, float]] = {}
    runs: list[tuple[str, Callable[[], dict[str, float]]]] = []
    for n in sizes:
        for algorithm in ("random", "hyperband"):
            for sqlite in (False, True):
                label = f"rung {algorithm} {'sqlite' if sqlite else 'memory'} n={n}"
                runs.append((label, lambda a=algorithm, n=n, s=sqlite: rung_run(a, n, s, workdir)))
    if not args.no_peers:
        peer = args.peer_jobs
        runs.append((f"optuna random+hyperband-pruner memory n={peer}",
                     lambda: optuna_run(peer, False, workdir)))
        runs.append((f"optuna random+hyperband-pruner sqlite n={peer}",
                     lambda: optuna_run(peer, True, workdir)))
        runs.append((f"keras-tuner random (no-op run_trial) n={peer}",
                     lambda: keras_tuner_run(peer, workdir)))
    print(f"{'configuration':<44} {'jobs':>6} {'ms/job':>9} {'first1k':>9} {'last1k':>9} "
          f"{'growth':>7}")
    try:
        for label, fn in runs:
            results[label] = fn()
            print(row(label, results[label]), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print("\nPure oracle ask+tell (no tuner, no storage):")
    for algorithm in ("random", "hyperband"):
        print(f"  {algorithm:<10} {rung_ask_tell(algorithm, 10000):.4f} ms per ask+tell")

    if args.no_peers:
        return
    print("\n" + "\n".join(ratios(results, args.peer_jobs, sizes)))


def ratios(results: dict[str, dict[str, float]], peer_jobs: int, sizes: list[int]) -> list[str]:
    """The ratio lines: each peer against rung at the peers' job count where rung ran there,
    else at 1,000 jobs, which the heading then says."""
    n = peer_jobs if peer_jobs in sizes else 1000
    lines = [f"Ratios (peer ms/job divided by rung ms/job; rung at {n:,} jobs, the peers at "
             f"{peer_jobs:,}; >1 means rung is faster):"]
    base = results[f"rung random sqlite n={n}"]
    base_mem = results[f"rung random memory n={n}"]
    hb = results[f"rung hyperband sqlite n={n}"]
    for label, r in results.items():
        if label.startswith("optuna") or label.startswith("keras-tuner"):
            lines.append(f"  {label:<44} vs rung random sqlite: {r['ms'] / base['ms']:7.1f}x   "
                         f"vs rung random memory: {r['ms'] / base_mem['ms']:7.1f}x   "
                         f"vs rung hyperband sqlite: {r['ms'] / hb['ms']:7.1f}x")
    return lines


if __name__ == "__main__":
    main()
