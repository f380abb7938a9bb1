"""Successive halving (Jamieson & Talwalkar, AISTATS 2016): one bracket of Hyperband, repeated.

The scheduling is Hyperband's (``rung.oracles.hyperband``) with a cycle of one bracket.
"""

from __future__ import annotations

from typing import Any

from rung.oracles.hyperband import HyperbandOracle
from rung.oracles.schedule import BracketPlan, bracket_plan
from rung.validation import check_int

__all__ = ["SuccessiveHalvingOracle"]


class SuccessiveHalvingOracle(HyperbandOracle):
    """Successive halving: one Hyperband bracket, repeated ``hyperband_iterations`` times.

    Jamieson & Talwalkar, "Non-stochastic Best Arm Identification and Hyperparameter
    Optimization", AISTATS 2016; the bracket arithmetic of Li et al. (JMLR 2018).

    Args:
        bracket: which bracket ``s`` to run (default: ``s_max``, the most aggressive: ``R`` is
            reached after ``floor(log_eta R)`` halvings starting from ``R / eta^s`` epochs).
    """

    def __init__(self, *args: Any, bracket: int | None = None, **kwargs: Any) -> None:
        self._bracket_choice = bracket
        super().__init__(*args, **kwargs)

    def _make_cycle(self) -> list[BracketPlan]:
        s = self.s_max if self._bracket_choice is None else self._bracket_choice
        s = check_int("bracket", s, 0, self.s_max,
                      f"max_epochs={self.max_epochs}, factor={self.factor} have brackets "
                      f"0..{self.s_max}")
        return [bracket_plan(self.max_epochs, self.factor, s)]

    def _settings(self) -> dict[str, Any]:
        return {**super()._settings(), "bracket": self._cycle[0].s}
