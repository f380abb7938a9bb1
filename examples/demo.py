"""``make demo``: a keras-tuner script run on rung — Hyperband tunes a Keras MLP on digits.

Keras 3 on the torch backend, scikit-learn's digits (bundled with scikit-learn, no download),
Hyperband with ``max_epochs=27, factor=3`` on rung's SQLite store in ``./runs``. The script is
written the keras-tuner way (``import rung as kt``); promoted configurations continue from their
parent's last epoch with the optimizer state. In a terminal the search draws a live panel (the
bar against the planned epochs, best so far, time left, the bracket and rung being filled); in
a log it prints plain lines. Run it again and it resumes: a finished search re-runs nothing.
Afterwards, ``rung status runs/keras_demo`` and ``rung report runs/keras_demo -o report.html``
show the search without running any of this code. A plain-Python training function is in
``examples/plain_python.py``.

    python examples/demo.py [--directory runs] [--overwrite] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

import rung as kt  # noqa: E402


def build_model(hp: kt.HyperParameters) -> keras.Model:
    layers: list[keras.layers.Layer] = [keras.layers.Input((64,))]
    for i in range(hp.Int("layers", 1, 2)):
        layers.append(keras.layers.Dense(hp.Int(f"units_{i}", 32, 256, step=32),
                                         activation="relu"))
        layers.append(keras.layers.Dropout(hp.Float(f"dropout_{i}", 0.0, 0.4, step=0.1)))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(hp.Float("lr", 1e-4, 1e-2, sampling="log")),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class Digits(kt.HyperModel):
    """``build_model`` as a keras-tuner ``HyperModel`` whose ``fit`` is quiet (no Keras epoch bars),
    so that the search's own progress is what shows: ``search(verbose=0)`` would silence both,
    as in keras-tuner."""

    def build(self, hp: kt.HyperParameters) -> keras.Model:
        return build_model(hp)

    def fit(self, hp: kt.HyperParameters, model: keras.Model, *args: object,
            **kwargs: object) -> object:
        return model.fit(*args, **{**kwargs, "verbose": 0})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directory", default="runs")
    parser.add_argument("--overwrite", action="store_true", help="start a new search")
    parser.add_argument("--seed", type=int, default=0,
                        help="seeds the configurations and Keras (initial weights, dropout, the "
                             "order of the batches): a run in one go is the same again")
    args = parser.parse_args()

    keras.utils.set_random_seed(args.seed)  # the weights too: the same run with the same seed
    if keras.backend.backend() == "torch":
        import torch

        torch.set_num_threads(1)  # a small MLP trains fastest on one thread
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, stratify=y,
                                                        random_state=0)

    started = time.perf_counter()
    tuner = kt.Hyperband(Digits(), objective="val_accuracy", max_epochs=27, factor=3,
                         seed=args.seed, directory=args.directory, project_name="keras_demo",
                         overwrite=args.overwrite)
    tuner.search_space_summary()
    tuner.search(x_train, y_train, validation_split=0.2)  # the live panel, or plain lines
    elapsed = time.perf_counter() - started

    best_hps = tuner.get_best_hyperparameters(1)[0]
    best_model = tuner.get_best_models(1)[0]
    _, test_accuracy = best_model.evaluate(x_test, y_test, verbose=0)
    print()
    print(f"best hyperparameters: {best_hps.values}")
    print(f"test accuracy of the best model: {test_accuracy:.4f}")
    print(f"search time: {elapsed:.1f}s; project: {tuner.project_dir.resolve()} "
          f"(SQLite: {tuner.project_dir / 'rung.db'}, checkpoints: {tuner.project_dir / 'trials'})")
    print(f"look at it: rung status {tuner.project_dir}; "
          f"rung report {tuner.project_dir} -o report.html")
    if test_accuracy < 0.95:
        print("test accuracy below 0.95", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
