"""Keras end to end: the same Hyperband search under keras-tuner and rung, in one run.

The model is an MLP on scikit-learn's digits (no download), Keras 3 on the torch backend. Both
tools get the same build function, search space, data, ``max_epochs``/``factor`` and seed. For
each it measures the wall time of ``search``, the time spent inside ``keras.Model.fit`` (every call
is timed by wrapping ``fit``), hence the fraction of the wall time *outside* ``fit`` (the tuner's
overhead: building models, clearing sessions, checkpoints, bookkeeping), the epochs trained, the
best validation accuracy, and the test accuracy of ``get_best_models(1)[0]``.

Run::

    .venv/bin/python benchmarks/keras_e2e.py            # R=27, eta=3 (about 3 minutes on 2 cores)
    .venv/bin/python benchmarks/keras_e2e.py --quick    # R=9 (under a minute)
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

    @property
    def outside(self) -> float:
        return (self.wall - self.fit) / self.wall


def _search(tool: str, make: Callable[[str], Any], data: dict[str, np.ndarray],
            max_epochs: int) -> Result:
    with tempfile.TemporaryDirectory() as directory:
        tuner = make(directory)
        with FitTimer() as timer:
            start = time.perf_counter()
            tuner.search(data["x_train"], data["y_train"], epochs=max_epochs,
                         validation_data=(data["x_val"], data["y_val"]), verbose=0)
            wall = time.perf_counter() - start
        best = tuner.oracle.get_best_trials(1)[0]
        model = tuner.get_best_models(1)[0]
        _, test_acc = model.evaluate(data["x_test"], data["y_test"], verbose=0)
        return Result(tool, wall, timer.seconds, timer.epochs, len(tuner.oracle.trials),
                      float(best.score), float(test_acc))


def run_keras_tuner(data: dict[str, np.ndarray], max_epochs: int, factor: int, seed: int) -> Result:
    import keras_tuner

    def make(directory: str) -> Any:
        return keras_tuner.Hyperband(build_model, objective="val_accuracy", max_epochs=max_epochs,
                                     factor=factor, seed=seed, directory=directory,
                                     project_name="kt", overwrite=True)

    return _search("keras-tuner", make, data, max_epochs)


def run_rung(data: dict[str, np.ndarray], max_epochs: int, factor: int, seed: int) -> Result:
    import warnings

    import rung

    def make(directory: str) -> Any:
        return rung.Hyperband(build_model, objective="val_accuracy", max_epochs=max_epochs,
                              factor=factor, seed=seed, directory=directory,
                              project_name="rung", overwrite=True, verbose=0)

    with warnings.catch_warnings():  # the one-off notice that Hyperband sets the epochs
        warnings.simplefilter("ignore", UserWarning)
        return _search("rung", make, data, max_epochs)


def _warm_up(data: dict[str, np.ndarray]) -> None:
    """One throwaway fit, so neither tool pays Keras' and torch's first-call costs."""
    import rung

    build_model(rung.HyperParameters()).fit(data["x_train"], data["y_train"], epochs=1,
                                            validation_data=(data["x_val"], data["y_val"]),
                                            verbose=0)


def _table(results: list[Result]) -> str:
    lines = ["| tool | trials | epochs trained | wall s | in fit s | outside fit | best val acc "
             "| test acc |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r.tool} | {r.trials} | {r.epochs} | {r.wall:.1f} | {r.fit:.1f} | "
                     f"{r.outside:.1%} | {r.best_val:.4f} | {r.test_acc:.4f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Result]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="max_epochs=9 instead of 27")
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--factor", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (1: tiny models run fastest on one thread)")
    args = parser.parse_args(argv)
    max_epochs = args.max_epochs or (9 if args.quick else 27)

    import torch

    torch.set_num_threads(args.threads)
    data = load_data()
    _warm_up(data)
    print(f"digits MLP, Hyperband max_epochs={max_epochs} factor={args.factor}, Keras "
          f"{keras.__version__} ({keras.backend.backend()}), torch {torch.__version__}, "
          f"{args.threads} torch thread(s), {os.cpu_count()} CPUs")
    results: list[Result] = []
    for seed in args.seeds:
        for run in (run_keras_tuner, run_rung):
            result = run(data, max_epochs, args.factor, seed)
            result.tool += f" (seed {seed})"
            results.append(result)
            print(_table([result]).splitlines()[-1], flush=True)
    print()
    print(_table(results))
    kt_runs, rung_runs = results[0::2], results[1::2]

    def mean(rs: list[Result], f: Callable[[Result], float]) -> float:
        return sum(map(f, rs)) / len(rs)

    print()
    print(f"rung / keras-tuner: wall time x{mean(rung_runs, lambda r: r.wall) / mean(kt_runs, lambda r: r.wall):.2f}, "
          f"epochs x{mean(rung_runs, lambda r: r.epochs) / mean(kt_runs, lambda r: r.epochs):.2f}, "
          f"outside fit {mean(rung_runs, lambda r: r.outside):.1%} vs "
          f"{mean(kt_runs, lambda r: r.outside):.1%}, "
          f"best val acc {mean(rung_runs, lambda r: r.best_val):.4f} vs "
          f"{mean(kt_runs, lambda r: r.best_val):.4f}, "
          f"test acc {mean(rung_runs, lambda r: r.test_acc):.4f} vs "
          f"{mean(kt_runs, lambda r: r.test_acc):.4f}")
    return results


if __name__ == "__main__":
    main()
