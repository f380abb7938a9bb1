"""Define-by-run: the search space grows as trials declare hyperparameters (a base of
``rung.oracles.Oracle``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rung.errors import NewEntriesError
from rung.hyperparameters import HyperParameters, values_key
from rung.searchers import Searcher

__all__ = ["OracleSpace", "with_pending_defaults"]

_NOTHING_DECLARED = values_key({})  # the values of a job asked before the space was known


def with_pending_defaults(space: HyperParameters, exclude: set[str],
                          pending: Iterable[Mapping[str, Any]]) -> set[str]:
    """``exclude`` (``values_key``s used in a stream), plus the space's defaults where a job of
    the stream is pending with ``{}`` (``pending``: the values its pending jobs were given).

    Such a job was asked before any hyperparameter was declared: it trains the defaults of what
    it declares, but the oracle learns them only when it is told. Until then no other job of its
    stream may be given them, once the space is known (another job's values, ``update_space``).
    Where no such job is pending, ``exclude`` itself: what the oracle proposes is unchanged.
    Computed from the pending jobs and the space only, so a resumed search excludes the same.
    """
    if _NOTHING_DECLARED not in exclude or not space.space:  # O(1) for most searches
        return exclude
    if all(values for values in pending):
        return exclude
    return exclude | {values_key(space.clone_with_values({}).values)}


class OracleSpace:
    """``update_space`` (keras-tuner's rules for new entries) and the ``_check_space`` hook."""

    hyperparameters: HyperParameters
    searcher: Searcher
    tune_new_entries: bool
    allow_new_entries: bool

    def update_space(self, hyperparameters: HyperParameters) -> None:
        """Learn hyperparameters a trial declared that the space does not hold yet.

        As in keras-tuner, an entry is new when its name is not in the space under the same
        conditions. ``allow_new_entries=False``: new entries are a ``NewEntriesError`` (a
        ``RuntimeError``, as keras-tuner's). ``tune_new_entries=False``: they stay out of the
        space, so every trial uses their defaults (its own values still record them).
        """
        known = {(p.name, p.conditions) for p in self.hyperparameters.space}
        new = [p for p in hyperparameters.space if (p.name, p.conditions) not in known]
        if not new:
            return
        if not self.allow_new_entries:
            raise NewEntriesError(
                f"`allow_new_entries` is `False`, but the trial declared new hyperparameters "
                f"{[p.name for p in new]}; declare them in the `hyperparameters` given to the "
                "tuner or oracle, or pass allow_new_entries=True"
            )
        if self.tune_new_entries:
            grown = self.hyperparameters.copy()
            grown.merge(new)
            self._check_space(grown)  # the searcher may refuse what a trial declared, too
            self.hyperparameters.merge(new)

    def _check_space(self, space: HyperParameters) -> None:
        """Let the searcher refuse ``space`` before it has to search it (``Searcher.check_space``:
        a grid of a continuous ``Float``), at construction and as trials declare more."""
        self.searcher.check_space(space)
