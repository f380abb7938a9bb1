"""Shared set-up for the framework integration tests."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread(request: pytest.FixtureRequest):
    """Tiny models: one torch thread is faster, and immune to other processes on the cores.
    Only modules that use torch (directly or as the Keras backend) pay for importing it."""
    names = ("keras", "torch")
    if not any(name in request.module.__name__ for name in names):
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
