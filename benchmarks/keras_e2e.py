"""Keras end to end: the same search under keras-tuner and rung, in one run.

The model is an MLP on scikit-learn's digits (no download), Keras 3 on the torch backend. Both
tools get the same build function, search space, data, ``max_epochs``/``factor`` and seed
(keras-tuner's mapped by ``_se.peer_runners.kt_seed``, so that its seeds are independent). For
each it measures the wall time of ``search``, the time spent inside ``keras.Model.fit`` (every call
is timed by wrapping ``fit``), hence the fraction of the wall time *outside* ``fit`` (the tuner's
overhead: building models, clearing sessions, checkpoints, bookkeeping), the epochs trained, the
best validation accuracy, and the test accuracy of ``get_best_models(1)[0]``.

Tools: keras-tuner's Hyperband and BayesianOptimization; rung's Hyperband, BOHB and
BayesianOptimization (``--tools`` picks some). Every ``fit`` call also records when it ended and
the best validation accuracy seen so far, so the run reports the wall time each tool needs to
reach keras-tuner Hyperband's final best validation accuracy ("time to target").
BayesianOptimization runs ``--bo-trials`` trials of ``max_epochs`` epochs each.

Run::

    .venv/bin/python benchmarks/keras_e2e.py            # R=27, eta=3 (several minutes on 2 cores)
    .venv/bin/python benchmarks/keras_e2e.py --quick    # R=9
    .venv/bin/python benchmarks/keras_e2e.py --tools kt-hyperband rung-hyperband
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _args import at_least  # noqa: E402
from _se.peer_runners import kt_seed  # noqa: E402  (keras-tuner's seeds made independent)

__all__ = ["Result", "build_model", "load_data", "main"]


def load_data(seed: int = 0) -> dict[str, np.ndarray]:
    """Digits split 64/16/20 into train/validation/test, pixels scaled to [0, 1]."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=seed, stratify=y)
    x_tr, x_va, y_tr, y_va = train_test_split(x_tr, y_tr, test_size=0.2, random_state=seed,
                                              stratify=y_tr)
    return {"x_train": x_tr, "y_train": y_tr, "x_val": x_va, "y_val": y_va,
            "x_test": x_te, "y_test": y_te}


def build_model(hp: Any) -> keras.Model:
    """The hypermodel both tools tune (keras-tuner and rung share the ``hp`` API)."""
    layers: list[keras.layers.Layer] = [keras.layers.Input((64,))]
    for i in range(hp.Int("layers", 1, 2)):
        layers.append(keras.layers.Dense(hp.Int(f"units_{i}", 32, 256, step=32),
                                         activation="relu"))
        layers.append(keras.layers.Dropout(hp.Float(f"dropout_{i}", 0.0, 0.4, step=0.1)))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    model = keras.Sequential(layers)  # one build (``add`` would rebuild the graph each time)
    model.compile(keras.optimizers.Adam(hp.Float("lr", 1e-4, 1e-2, sampling="log")),
                  "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class FitTimer:
    """Wraps ``keras.Model.fit`` to add up the time spent in it and the epochs it trained."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.epochs = 0
        self.started = time.perf_counter()
        self.best: list[tuple[float, float]] = []  # (seconds since start, best val acc so far)
        self._original: Callable[..., Any] | None = None

    def __enter__(self) -> FitTimer:
        self._original = original = keras.Model.fit
        timer = self

        def fit(model: keras.Model, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                history = original(model, *args, **kwargs)
            finally:
                timer.seconds += time.perf_counter() - start
            timer.epochs += len(history.epoch)
            accuracy = max(history.history.get("val_accuracy", [0.0]))
            so_far = max(accuracy, timer.best[-1][1] if timer.best else 0.0)
            timer.best.append((time.perf_counter() - timer.started, so_far))
            return history

        keras.Model.fit = fit
        return self

    def __exit__(self, *exc: object) -> None:
        keras.Model.fit = self._original


@dataclass
class Result:
    tool: str
    wall: float
    fit: float
    epochs: int
    trials: int
    best_val: float
    test_acc: float
    best_over_time: list[tuple[float, float]]

    @property
    def outside(self) -> float:
        return (self.wall - self.fit) / self.wall

    def time_to(self, target: float) -> float | None:
        """Seconds until the best validation accuracy reached ``target`` (None: never)."""
        return next((t for t, acc in self.best_over_time if acc >= target - 1e-9), None)


def _search(tool: str, make: Callable[[str], Any], data: dict[str, np.ndarray],
            max_epochs: int) -> Result:
    import warnings

    with tempfile.TemporaryDirectory() as directory, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rung's one-off notice about epochs
        tuner = make(directory)
        with FitTimer() as timer:
            start = timer.started = time.perf_counter()
            tuner.search(data["x_train"], data["y_train"], epochs=max_epochs,
                         validation_data=(data["x_val"], data["y_val"]), verbose=0)
            wall = time.perf_counter() - start
        best = tuner.oracle.get_best_trials(1)[0]
        model = tuner.get_best_models(1)[0]
        _, test_acc = model.evaluate(data["x_test"], data["y_test"], verbose=0)
        return Result(tool, wall, timer.seconds, timer.epochs, len(tuner.oracle.trials),
                      float(best.score), float(test_acc), timer.best)


def make_tuner(tool: str, directory: str, max_epochs: int, factor: int, seed: int,
               bo_trials: int) -> Any:
    """The tuner ``tool`` names, on ``build_model``, objective val_accuracy."""
    kt = tool.startswith("kt-")
    common: dict[str, Any] = {"objective": "val_accuracy", "seed": kt_seed(seed) if kt else seed,
                              "directory": directory, "project_name": tool, "overwrite": True}
    hyperband = {"max_epochs": max_epochs, "factor": factor}
    if kt:
        import keras_tuner

        if tool == "kt-hyperband":
            return keras_tuner.Hyperband(build_model, **hyperband, **common)
        return keras_tuner.BayesianOptimization(build_model, max_trials=bo_trials, **common)
    import rung

    if tool == "rung-hyperband":
        return rung.Hyperband(build_model, **hyperband, verbose=0, **common)
    if tool == "rung-bohb":
        return rung.BOHB(build_model, **hyperband, verbose=0, **common)
    if tool == "rung-bohb-gp":
        return rung.BOHB(build_model, **hyperband, searcher="gp", verbose=0, **common)
    return rung.BayesianOptimization(build_model, max_trials=bo_trials, verbose=0, **common)


TOOLS = ("kt-hyperband", "rung-hyperband", "rung-bohb", "rung-bohb-gp", "kt-bayesian",
         "rung-bayesian")


def _warm_up(data: dict[str, np.ndarray]) -> None:
    """One throwaway fit, so neither tool pays Keras' and torch's first-call costs."""
    import rung

    build_model(rung.HyperParameters()).fit(data["x_train"], data["y_train"], epochs=1,
                                            validation_data=(data["x_val"], data["y_val"]),
                                            verbose=0)


def _table(results: list[Result], target: float | None = None) -> str:
    lines = ["| tool | trials | epochs trained | wall s | in fit s | outside fit | best val acc "
             "| test acc | s to target |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        reached = None if target is None else r.time_to(target)
        shown = "-" if target is None else ("never" if reached is None else f"{reached:.1f}")
        lines.append(f"| {r.tool} | {r.trials} | {r.epochs} | {r.wall:.1f} | {r.fit:.1f} | "
                     f"{r.outside:.1%} | {r.best_val:.4f} | {r.test_acc:.4f} | {shown} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Result]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="max_epochs=9 instead of 27")
    parser.add_argument("--max-epochs", type=at_least(1), default=None, metavar="R",
                        help="Hyperband's max_epochs (default 27, with --quick 9)")
    parser.add_argument("--factor", type=at_least(2), default=3, help="Hyperband's factor")
    parser.add_argument("--seeds", type=at_least(0), nargs="+", default=[0],
                        help="one run of every tool per seed (default 0)")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--bo-trials", type=at_least(1), default=10,
                        help="trials of BayesianOptimization (each trains max_epochs)")
    parser.add_argument("--threads", type=at_least(1), default=1,
                        help="torch threads (1: tiny models run fastest on one thread)")
    args = parser.parse_args(argv)
    max_epochs = args.max_epochs or (9 if args.quick else 27)
    tools = ["kt-hyperband", *[t for t in args.tools if t != "kt-hyperband"]]

    import torch

    torch.set_num_threads(args.threads)
    data = load_data()
    _warm_up(data)
    print(f"digits MLP, max_epochs={max_epochs} factor={args.factor}, BayesianOptimization "
          f"{args.bo_trials} trials, Keras {keras.__version__} ({keras.backend.backend()}), "
          f"torch {torch.__version__}, {args.threads} torch thread(s), {os.cpu_count()} CPUs")
    by_tool: dict[str, list[Result]] = {t: [] for t in tools}
    for seed in args.seeds:
        for tool in tools:
            result = _search(tool, lambda d, t=tool, s=seed: make_tuner(  # type: ignore[misc]
                t, d, max_epochs, args.factor, s, args.bo_trials), data, max_epochs)
            result.tool += f" (seed {seed})"
            by_tool[tool].append(result)
            print(_table([result]).splitlines()[-1], flush=True)
    _summary(by_tool, args.seeds)
    return [r for rs in by_tool.values() for r in rs]


def _summary(by_tool: dict[str, list[Result]], seeds: list[int]) -> None:
    """Per seed: the time each tool needs to reach keras-tuner Hyperband's final best val acc."""
    print()
    for i, reference in enumerate(by_tool["kt-hyperband"]):
        target = reference.best_val
        print(f"seed {seeds[i]}: target = keras-tuner Hyperband's best val acc {target:.4f}")
        print(_table([rs[i] for rs in by_tool.values()], target))
        print()

    def mean(rs: list[Result], f: Callable[[Result], float]) -> float:
        return sum(map(f, rs)) / len(rs)

    kt = by_tool["kt-hyperband"]
    for tool, runs in by_tool.items():
        times = [r.time_to(k.best_val) for r, k in zip(runs, kt, strict=True)]
        reached = [t / k.wall for t, k in zip(times, kt, strict=True) if t is not None]
        shown = (f"x{sum(reached) / len(reached):.2f} of keras-tuner Hyperband's wall time "
                 f"on {len(reached)}/{len(runs)} seeds" if reached else "never")
        print(f"{tool}: wall x{mean(runs, lambda r: r.wall) / mean(kt, lambda r: r.wall):.2f}, "
              f"epochs x{mean(runs, lambda r: r.epochs) / mean(kt, lambda r: r.epochs):.2f}, "
              f"outside fit {mean(runs, lambda r: r.outside):.1%}, best val acc "
              f"{mean(runs, lambda r: r.best_val):.4f}, test acc "
              f"{mean(runs, lambda r: r.test_acc):.4f}; time to target {shown}")


if __name__ == "__main__":
    main()
