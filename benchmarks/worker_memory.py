"""Memory over a long Keras search: a worker process per search against workers replaced every N jobs.

TensorFlow's Keras keeps some memory of every model a process builds, even after
``keras.backend.clear_session()``. This runs the same random search (a digits MLP, 2 epochs per
trial, ``clear_session`` before each build) four ways and prints the resident memory (RSS) of the
process that ran each trial:

* keras-tuner ``RandomSearch`` (its ``run_trial`` trains the model): in the script's process;
* rung in the script's process (``search()``, no workers);
* rung with one worker process for the whole search (``ProcessExecutor(1)``);
* rung with a worker process replaced every ``--every`` jobs
  (``ProcessExecutor(1, max_jobs_per_worker=EVERY)``).

Printed per way: the RSS after the first and the last trial, the peak, the growth per trial
(least squares over the trials of each process, the first ``--every`` excluded as warm-up), the
wall time, and ratios against keras-tuner.

    .venv/bin/python benchmarks/worker_memory.py                # 60 trials each
    .venv/bin/python benchmarks/worker_memory.py --quick        # 12 trials, --every 4
    .venv/bin/python benchmarks/worker_memory.py --backend jax  # another Keras backend

Not a test: the figures depend on the machine and the backend's version
(``tests/benchmarks`` runs ``--quick`` for what it prints).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # before Keras is imported here or in the workers this spawns
    _backend = sys.argv[sys.argv.index("--backend") + 1] if "--backend" in sys.argv[:-1] else None
    os.environ["KERAS_BACKEND"] = _backend or "tensorflow"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _args import at_least  # noqa: E402

WAYS = {"keras-tuner": "keras-tuner, in process", "in-process": "rung, in process",
        "one-worker": "rung, 1 worker", "replaced": "rung, worker replaced"}
"""``--ways`` keys and the row each prints."""


def rss_mb() -> float:
    """This process's resident memory, in MB (Linux ``/proc/self/statm``)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return (x / 16.0).astype("float32"), y.astype("int32")


def train(hp: Any, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """One trial: build, fit 2 epochs, and the memory of the process after it."""
    import keras

    keras.backend.clear_session(free_memory=False)
    units = hp.Int("units", 16, 128, step=16)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(hp.Float("lr", 1e-3, 1e-2, sampling="log")),
                  "sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=64, validation_split=0.2, verbose=0)
    return {"val_loss": float(history.history["val_loss"][-1]), "rss_mb": rss_mb(),
            "pid": float(os.getpid())}


def rung_trial(trial: Any, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    return train(trial.hyperparameters, x, y)


def run_rung(trials: int, every: int | None, workers: bool, tmp: str) -> list[tuple[int, float]]:
    import rung
    from rung.executors import ProcessExecutor

    x, y = digits()
    tuner = rung.RandomSearch(run_trial=rung_trial, objective="val_loss", max_trials=trials,
                              seed=0, directory=tmp, project_name=f"w{every}{workers}",
                              verbose=0)
    executor = ProcessExecutor(1, max_jobs_per_worker=every) if workers else None
    try:
        tuner.search(x, y, executor=executor) if executor else tuner.search(x, y)
    finally:
        if executor is not None:
            executor.shutdown()
    metrics = [tuner.storage.get_trial(t.trial_id).metrics for t in tuner.oracle.records]
    return [(int(m["pid"]), m["rss_mb"]) for m in metrics]


def run_keras_tuner(trials: int, tmp: str) -> list[tuple[int, float]]:
    import keras_tuner

    x, y = digits()

    class Tuner(keras_tuner.RandomSearch):
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> dict[str, float]:
            return train(trial.hyperparameters, x, y)

    tuner = Tuner(objective="val_loss", max_trials=trials, seed=0, directory=tmp,
                  project_name="kt", overwrite=True)
    tuner.search(verbose=0)
    rows = [t.metrics.get_last_value("rss_mb") for t in
            sorted(tuner.oracle.trials.values(), key=lambda t: int(t.trial_id))]
    return [(os.getpid(), rss) for rss in rows]


def growth(rows: list[tuple[int, float]], warm_up: int) -> float:
    """MB per trial: the least-squares slope within each process, over its trials after the
    first ``warm_up`` of the search, averaged by the trials each covers."""
    slopes, weights = [], []
    seen: dict[int, list[float]] = {}
    for i, (pid, rss) in enumerate(rows):
        if i >= warm_up:
            seen.setdefault(pid, []).append(rss)
    for values in seen.values():
        if len(values) >= 3:
            slopes.append(float(np.polyfit(np.arange(len(values)), values, 1)[0]))
            weights.append(len(values))
    return float(np.average(slopes, weights=weights)) if slopes else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=at_least(3), default=None,
                        help="trials per way (default 60; --quick: 12)")
    parser.add_argument("--every", type=at_least(1), default=None,
                        help="max_jobs_per_worker of the last way (default 20; --quick: 4)")
    parser.add_argument("--backend", choices=("tensorflow", "jax", "torch"), default="tensorflow",
                        help="Keras backend (default tensorflow, the one that keeps memory)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 12 trials, --every 4")
    parser.add_argument("--no-peers", action="store_true", help="leave keras-tuner out")
    parser.add_argument("--ways", nargs="+", choices=list(WAYS), default=list(WAYS),
                        help="which ways to run (default all four)")
    args = parser.parse_args(argv)
    trials = args.trials or (12 if args.quick else 60)
    every = args.every or (4 if args.quick else 20)
    if os.environ.get("KERAS_BACKEND") != args.backend:
        parser.error(f"--backend {args.backend}: run this script as the main program (Keras "
                     f"must see KERAS_BACKEND={args.backend} before it is imported)")
    print(f"Keras backend {args.backend}; {trials} trials per way; the last way replaces its "
          f"worker every {every} jobs")
    results: dict[str, tuple[list[tuple[int, float]], float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for key in args.ways:
            way = WAYS[key]
            if key == "keras-tuner" and args.no_peers:
                continue
            started = time.perf_counter()
            if way.startswith("keras-tuner"):
                rows = run_keras_tuner(trials, tmp)
            else:
                rows = run_rung(trials, every if "replaced" in way else None,
                                "worker" in way, tmp)
            results[way] = rows, time.perf_counter() - started
    print(f"\n{'way':<26} {'processes':>9} {'RSS first':>10} {'RSS last':>9} {'peak':>7} "
          f"{'MB/trial':>9} {'wall s':>7}")
    for way, (rows, wall) in results.items():
        rss = [r for _, r in rows]
        print(f"{way:<26} {len({p for p, _ in rows}):>9} {rss[0]:>10.0f} {rss[-1]:>9.0f} "
              f"{max(rss):>7.0f} {growth(rows, min(every, trials // 3)):>9.2f} {wall:>7.1f}")
    peer = results.get(WAYS["keras-tuner"])
    if peer is not None:
        peak = max(r for _, r in peer[0])
        print("\nagainst keras-tuner (peak RSS, wall time):")
        for way, (rows, wall) in results.items():
            if way != WAYS["keras-tuner"]:
                print(f"  {way:<24} peak {max(r for _, r in rows) / peak:.2f}x, "
                      f"wall {wall / peer[1]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
