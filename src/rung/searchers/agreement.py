"""Does a low budget rank configurations as the full budget does? Kendall's tau between budgets.

Successive halving and every model of low-fidelity results assume that a configuration good
after few epochs is good after many. Where learning curves cross (a small learning rate is bad
early and best late), that assumption misleads both: the halving drops the late winners and the
model learns to propose fast starters. ``RankAgreement`` measures it on the configurations seen
at both budgets: a configuration's intermediate reports and its final result are all kept (a
promoted job continues its parent's curve under the same values), so every configuration
trained to ``max_epochs`` gives a pair for every budget it reported on the way.

This is the test of rank consistency between fidelities that Hyper-Tune (Li et al., "Hyper-Tune:
Towards Efficient Hyper-parameter Tuning at Scale", VLDB 2022) uses to weigh its brackets,
simplified to a threshold on Kendall's tau.
"""

from __future__ import annotations

import math

from rung.hyperparameters import values_key
from rung.searchers.observation import Observation
from rung.validation import check_int, check_number, fail_value

__all__ = ["RankAgreement", "check_threshold"]


def check_threshold(name: str, value: object, allow_none: bool = False) -> float | None:
    """``value`` as a Kendall-tau threshold: a number in [-1, 1] (or None when allowed)."""
    expected = ("None or " if allow_none else "") + "a number between -1 and 1"
    hint = "None turns the check off" if allow_none else ""
    number = check_number(name, value, -1.0, allow_none=allow_none, hint=hint, expected=expected)
    if number is not None and number > 1.0:
        raise fail_value(name, expected, value, hint)
    return number


class RankAgreement:
    """The losses of every configuration at every budget it was observed at, and the rank
    agreement between two budgets.

    Args:
        min_pairs: the fewest configurations seen at both budgets before ``misleads`` judges.
        threshold: a budget whose Kendall tau with the higher budget is below this misleads.

    Example::

        agreement = RankAgreement(min_pairs=5, threshold=0.3)
        for observation in observations:
            agreement.observe(observation)
        agreement.misleads(3, 81)   # True when ranking after 3 epochs disagrees with 81's
    """

    def __init__(self, min_pairs: int = 5, threshold: float = 0.3) -> None:
        self.min_pairs = check_int("RankAgreement min_pairs", min_pairs, 3)
        self.threshold = float(check_threshold(  # type: ignore[arg-type]
            "RankAgreement threshold", threshold))
        self._losses: dict[str, dict[int, float]] = {}
        self._keys: dict[str, str] = {}  # trial id -> the values_key its points are kept under
        self._owners: dict[tuple[str, int], str] = {}  # (values_key, budget) -> trial id
        self._cache: dict[tuple[int, int], tuple[int, tuple[float, int]]] = {}
        self._count = 0
        self._top: tuple[int, int | None] = (-1, None)

    def observe(self, observation: Observation) -> None:
        """Keep ``observation``'s loss at its budget (failed jobs carry no loss: ignored)."""
        if observation.loss is None or not math.isfinite(observation.loss):
            return
        key = values_key(observation.values)
        moved = self._keys.get(observation.trial_id)
        if moved is not None and moved != key:
            self._move(observation.trial_id, moved, key)
        self._keys[observation.trial_id] = key
        curve = self._losses.setdefault(key, {})
        curve[int(observation.budget)] = float(observation.loss)
        self._owners[(key, int(observation.budget))] = observation.trial_id
        self._count += 1

    def _move(self, trial_id: str, old: str, new: str) -> None:
        """A trial observed again with other values (define-by-run: it declared a
        hyperparameter after it was asked): its points leave the curve of the values it was
        asked with for the one of those it used, as a resume replays them."""
        curve = self._losses.get(old, {})
        for budget in [b for b in curve if self._owners.get((old, b)) == trial_id]:
            self._losses.setdefault(new, {})[budget] = curve.pop(budget)
            self._owners[(new, budget)] = self._owners.pop((old, budget))
        if not curve:
            self._losses.pop(old, None)

    def pairs(self, low: int, high: int) -> list[tuple[float, float]]:
        """(loss at ``low``, loss at ``high``) of every configuration seen at both."""
        return [(curve[low], curve[high]) for curve in self._losses.values()
                if low in curve and high in curve]

    def tau(self, low: int, high: int) -> tuple[float, int]:
        """Kendall's tau-b between the losses at ``low`` and at ``high``, and the number of
        configurations it is computed on (tau is nan below 2, or when one side is constant)."""
        cached = self._cache.get((low, high))
        if cached is not None and cached[0] == self._count:
            return cached[1]
        pairs = self.pairs(low, high)
        result = (_kendall(pairs), len(pairs))
        self._cache[(low, high)] = (self._count, result)
        return result

    def misleads(self, low: int, high: int) -> bool:
        """True when at least ``min_pairs`` configurations were seen at both budgets and their
        ranking at ``low`` agrees with the one at ``high`` less than ``threshold`` (a constant
        side counts as no agreement). False while there is too little evidence."""
        if low >= high:
            return False
        tau, n = self.tau(low, high)
        if n < self.min_pairs:
            return False
        return not (tau >= self.threshold)  # nan: no agreement

    def agrees(self, low: int, high: int) -> bool:
        """True when at least ``min_pairs`` configurations were seen at both budgets and their
        rankings agree at least ``threshold`` (the evidence ``misleads`` lacks)."""
        if low >= high:
            return True
        tau, n = self.tau(low, high)
        return n >= self.min_pairs and tau >= self.threshold

    def top_budget(self) -> int | None:
        """The largest budget at which at least ``min_pairs`` configurations were observed."""
        if self._top[0] == self._count:
            return self._top[1]
        counts: dict[int, int] = {}
        for curve in self._losses.values():
            for budget in curve:
                counts[budget] = counts.get(budget, 0) + 1
        enough = [b for b, n in counts.items() if n >= self.min_pairs]
        self._top = (self._count, max(enough) if enough else None)
        return self._top[1]


def _kendall(pairs: list[tuple[float, float]]) -> float:
    if len(pairs) < 2:
        return math.nan
    from scipy.stats import kendalltau

    x, y = zip(*pairs, strict=True)
    return float(kendalltau(x, y).statistic)
