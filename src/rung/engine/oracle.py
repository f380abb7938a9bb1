"""``keras_tuner.engine.oracle``: the base of your own oracles, ``synchronized`` and ``Objective``.

``Oracle`` here is ``rung.Oracle`` (``rung.oracles.CustomOracle``): subclass it and override
``populate_space(trial_id)``.
"""

from __future__ import annotations

from rung.objective import Objective
from rung.oracles.custom import CustomOracle as Oracle
from rung.oracles.sync import synchronized

__all__ = ["Objective", "Oracle", "synchronized"]
