"""Shared data for the keras-tuner guide tests: scikit-learn's digits (no download).

Keras runs on the torch backend unless KERAS_BACKEND says otherwise (`make test` runs these
tests on torch, tensorflow and jax).
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def digits() -> dict[str, np.ndarray]:
    """Train / validation / test splits of digits, pixels scaled to [0, 1]."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=0,
                                                        stratify=y)
    x_train, x_val, y_train, y_val = train_test_split(x_train, y_train, test_size=0.2,
                                                      random_state=0, stratify=y_train)
    return {"x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val,
            "x_test": x_test, "y_test": y_test}


def pytest_configure(config: pytest.Config) -> None:
    """One torch thread: tiny models gain nothing from more, and lose much when the 2 cores are
    shared with other processes (OpenMP threads spin while waiting)."""
    if os.environ["KERAS_BACKEND"] != "torch":  # make test also runs these on tensorflow, jax
        return
    import torch

    torch.set_num_threads(1)
