"""``HalvingRandomSearchCV``'s fitted attributes on ``HyperbandSearchCV``, where Hyperband has them.

scikit-learn's successive halving runs one sequence of iterations, each with fewer candidates and
more resource. Hyperband runs several such sequences (brackets) that share resource amounts, so
here an "iteration" is one resource amount that jobs ran with, over all brackets:

* ``n_resources_``: the distinct amounts, ascending;
* ``n_candidates_``: how many jobs ran with each of them (a configuration promoted twice counts
  at each of its three amounts, as a candidate kept by halving counts in each iteration);
* ``n_iterations_``: how many amounts ran, ``len(n_resources_)``;
* ``min_resources_``, ``max_resources_``: the smallest amount a job got and the largest one.

``n_possible_iterations_`` and ``n_required_iterations_`` describe one halving sequence's length;
Hyperband has one per bracket, so they raise an ``AttributeError`` that says where to look.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sklearn.utils.validation import check_is_fitted

__all__ = ["HalvingAttributes"]

_PER_BRACKET = ("{name} is not set: it is the length of one successive-halving sequence, and "
                "Hyperband runs one per bracket. oracle_.budget().brackets lists each bracket's "
                "rungs (jobs and epochs); n_iterations_ counts the resource amounts that ran.")


class HalvingAttributes:
    """Read-only fitted attributes under ``HalvingRandomSearchCV``'s names (mixin)."""

    cv_results_: dict[str, Any]
    max_resource_: int

    @property
    def max_resources_(self) -> int:
        """``max_resource_`` under ``HalvingRandomSearchCV``'s plural name (read-only)."""
        check_is_fitted(self)
        return int(self.max_resource_)

    @property
    def min_resources_(self) -> int:
        """The smallest resource a job got, ``n_resources_[0]`` (read-only): scikit-learn's
        meaning (the first iteration's), which can exceed ``min_resource_``, the lower bound."""
        return self.n_resources_[0]

    def _jobs_per_amount(self) -> Counter[int]:
        check_is_fitted(self)
        return Counter(int(v) for v in self.cv_results_["n_resources"])

    @property
    def n_resources_(self) -> list[int]:
        """The distinct resource amounts of the jobs, ascending."""
        return sorted(self._jobs_per_amount())

    @property
    def n_candidates_(self) -> list[int]:
        """How many jobs ran with each amount of ``n_resources_``, in its order (every bracket's)."""
        counts = self._jobs_per_amount()
        return [counts[amount] for amount in sorted(counts)]

    @property
    def n_iterations_(self) -> int:
        """How many distinct resource amounts ran: ``len(n_resources_)``."""
        return len(self.n_resources_)

    @property
    def n_possible_iterations_(self) -> int:
        """Not set (an ``AttributeError`` that says why): one per bracket under Hyperband."""
        raise AttributeError(_PER_BRACKET.format(name="n_possible_iterations_"))

    @property
    def n_required_iterations_(self) -> int:
        """Not set (an ``AttributeError`` that says why): one per bracket under Hyperband."""
        raise AttributeError(_PER_BRACKET.format(name="n_required_iterations_"))
