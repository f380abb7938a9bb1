"""``keras_tuner.tuners.randomsearch``: ``RandomSearch`` and ``RandomSearchOracle``."""

from __future__ import annotations

from rung.oracles import RandomSearchOracle
from rung.tuner import RandomSearch

__all__ = ["RandomSearchOracle", "RandomSearch"]
