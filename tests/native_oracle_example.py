"""``ShortThenLong``, the scheduler of one's own that docs/architecture.md ("Writing an oracle")
writes, taken from the docs, and a training function for it: shared by the tests of such
oracles (``pythonpath = ["tests"]`` in pyproject.toml makes this importable)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import rung
from rung.oracles import Oracle

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


def documented_oracle() -> type[Oracle]:
    """``ShortThenLong`` as docs/architecture.md writes it (defaults: 8 jobs of 3 epochs, then
    the best 2 go on to 9 epochs: 10 jobs, 36 epochs)."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    code = next(b for b in blocks if "class ShortThenLong(Oracle)" in b)
    namespace: dict[str, Any] = {}
    exec(compile(code, f"{DOC}:ShortThenLong", "exec"), namespace)  # noqa: S102
    return namespace["ShortThenLong"]


def lr_space() -> rung.HyperParameters:
    hp = rung.HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    return hp


def train(trial: rung.Trial) -> dict[str, float]:
    """Reports every epoch from its parent's checkpoint on, and saves its own."""
    lr = trial.hyperparameters.Float("lr", 1e-4, 1e-1, sampling="log")
    state = trial.load_checkpoint() or {"epochs": 0}
    loss = 0.0
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        loss = abs(lr - 0.01) * 100 + 1 / epoch
        trial.report(epoch, loss=loss)
        state["epochs"] = epoch
    trial.save_checkpoint(state)
    return {"loss": loss}
