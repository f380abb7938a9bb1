"""Precompute the digits tabular benchmark used by ``benchmarks/sample_efficiency.py``.

Every configuration of a small grid is really trained: scikit-learn's ``MLPClassifier`` on
``sklearn.datasets.load_digits`` (pixels scaled to [0, 1]; 1,000 training images, 797 held out,
stratified, split seed 0), one ``partial_fit`` pass over the training set per epoch, up to
``--epochs`` (81) epochs. After each epoch the held-out error (a count of misclassified images)
and log loss are recorded. The grid (360 configurations)::

    units       16, 64, 256          (neurons per hidden layer)
    layers      1, 2
    lr          3e-4, 1e-3, 3e-3, 1e-2, 3e-2   (learning_rate_init)
    alpha       1e-5, 1e-3, 1e-1     (L2 penalty)
    batch_size  32, 128
    solver      adam, sgd            (sgd: Nesterov momentum 0.9, constant rate)

Each configuration trains with ``random_state=0``; the table is deterministic for a given
scikit-learn version. Written to ``benchmarks/data/digits_mlp.npz`` (``np.savez_compressed``).
Run (about 6 minutes on 2 cores)::

    .venv/bin/python benchmarks/make_digits_table.py
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # small matrices: one BLAS thread per process

import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "digits_mlp.npz"
GRID: dict[str, tuple[object, ...]] = {
    "units": (16, 64, 256),
    "layers": (1, 2),
    "lr": (3e-4, 1e-3, 3e-3, 1e-2, 3e-2),
    "alpha": (1e-5, 1e-3, 1e-1),
    "batch_size": (32, 128),
    "solver": ("adam", "sgd"),
}


def _split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(
        x / 16.0, y, train_size=1000, random_state=0, stratify=y)
    return x_train, x_val, y_train, y_val


def train_one(args: tuple[dict[str, object], int]) -> tuple[np.ndarray, np.ndarray]:
    """(misclassified validation images, validation log loss) after each epoch."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import log_loss
    from sklearn.neural_network import MLPClassifier

    config, epochs = args
    x_train, x_val, y_train, y_val = _split()
    model = MLPClassifier(
        hidden_layer_sizes=(int(config["units"]),) * int(config["layers"]),  # type: ignore[call-overload]
        learning_rate_init=float(config["lr"]), alpha=float(config["alpha"]),  # type: ignore[arg-type]
        batch_size=int(config["batch_size"]), solver=str(config["solver"]),  # type: ignore[call-overload]
        momentum=0.9, nesterovs_momentum=True, random_state=0)
    errors = np.zeros(epochs, dtype=np.int16)
    losses = np.zeros(epochs, dtype=np.float32)
    classes = np.arange(10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for epoch in range(epochs):
            model.partial_fit(x_train, y_train, classes=classes)
            proba = np.clip(model.predict_proba(x_val), 1e-12, 1.0)
            errors[epoch] = int(np.sum(proba.argmax(axis=1) != y_val))
            losses[epoch] = log_loss(y_val, proba, labels=classes)
    return errors, losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=81)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    names = list(GRID)
    configs = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*GRID.values())]
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        results = pool.map(train_one, [(c, args.epochs) for c in configs], chunksize=4)
    n_val = len(_split()[3])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        errors=np.stack([r[0] for r in results]), log_loss=np.stack([r[1] for r in results]),
        n_val=np.int64(n_val), names=np.array(names),
        **{f"values_{name}": np.array([c[name] for c in configs]) for name in names})
    best = min(int(r[0][-1]) for r in results)
    print(f"{len(configs)} configurations x {args.epochs} epochs in "
          f"{time.perf_counter() - start:.0f} s; best final error {best / n_val:.4f}; "
          f"wrote {args.out} ({args.out.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
