"""The names the documentation's examples leave to the reader, made real and small.

``tests/test_docs.py`` runs every Python block of README.md and docs/*.md with these names
defined (``from doc_placeholders import *`` for blocks that run as scripts). Everything here is
tiny and fast: a softmax regression on 400 digits, trained one full-batch gradient step per
"epoch", so a whole Hyperband search takes well under a second of arithmetic.

Module-level functions only: blocks that run with ``workers=`` send them to worker processes.
"""

from __future__ import annotations

import importlib.util
import types
from pathlib import Path
from typing import Any

import numpy as np

from rung import HyperParameters

__all__ = [
    "data",
    "f",
    "fit_one_epoch",
    "make_model",
    "my_data",
    "new_state",
    "train_one_epoch",
    "trial",
    "x",
    "y",
]


def _first_digits(count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` images of scikit-learn's digits, read from the file scikit-learn ships
    without importing scikit-learn: that import costs 2-3 s, paid again by every worker process
    of every documentation script (each re-imports this module). ``load_digits`` where the file
    is not where scikit-learn keeps it."""
    spec = importlib.util.find_spec("sklearn")  # locates the package without importing it
    origin = spec.origin if spec is not None else None
    shipped = Path(origin).parent / "datasets" / "data" / "digits.csv.gz" if origin else None
    if shipped is not None and shipped.is_file():
        table = np.loadtxt(shipped, delimiter=",", max_rows=count)
        return table[:, :-1], table[:, -1].astype(int)
    from sklearn.datasets import load_digits

    images, labels = load_digits(return_X_y=True)
    return images[:count], labels[:count]


_X, _Y = _first_digits(400)
x: np.ndarray = (_X / 16.0).astype("float32")
"""400 digits images, 64 features in [0, 1]."""
y: np.ndarray = _Y
"""Their labels, 0-9."""
data = my_data = (x, y)
"""``(x, y)``: what the docs pass to ``tuner.search(...)``."""


def _loss_and_step(model: dict[str, Any], lr: float, x: np.ndarray, y: np.ndarray) -> float:
    """One full-batch gradient step of softmax regression on random features; the loss before it."""
    features = np.tanh(x @ model["projection"])
    logits = features @ model["w"]
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    loss = float(-np.log(probs[np.arange(len(y)), y] + 1e-12).mean())
    probs[np.arange(len(y)), y] -= 1.0
    model["w"] -= lr * features.T @ probs / len(y)
    return loss


def make_model(units: int) -> dict[str, Any]:
    """A fresh model: ``units`` fixed random features and a zero-initialised softmax layer."""
    rng = np.random.default_rng(0)
    return {"projection": rng.normal(size=(64, units)) / 8.0, "w": np.zeros((units, 10))}


def fit_one_epoch(model: dict[str, Any], lr: float) -> float:
    """Train ``model`` one epoch on the module's digits; return the loss (lower is better)."""
    return _loss_and_step(model, lr * 100.0, x, y)


def new_state(lr: float) -> dict[str, Any]:
    """A fresh training state (model and learning rate) for ``train_one_epoch``."""
    return {**make_model(32), "lr": lr}


def train_one_epoch(state: dict[str, Any], data: tuple[np.ndarray, np.ndarray]) -> float:
    """Train ``state`` one epoch on ``data = (x, y)``; return the loss."""
    return _loss_and_step(state, state["lr"] * 100.0, *data)


def f(values: dict[str, Any], initial_epoch: int, epochs: int) -> float:
    """A toy learning curve: the loss after ``epochs`` epochs with ``values["lr"]``."""
    return (np.log10(values["lr"]) + 2.0) ** 2 + 1.0 / epochs


trial = types.SimpleNamespace(hyperparameters=HyperParameters())
"""Stands in for the ``trial`` inside a training function in snippets that show only its body."""
