"""``keras_tuner.tuners.hyperband``: ``Hyperband`` and ``HyperbandOracle``."""

from __future__ import annotations

from rung.oracles import HyperbandOracle
from rung.tuner import Hyperband

__all__ = ["HyperbandOracle", "Hyperband"]
