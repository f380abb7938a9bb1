"""Define-by-run: the search space grows as trials declare hyperparameters (a base of
``rung.oracles.Oracle``)."""

from __future__ import annotations

from rung.errors import NewEntriesError
from rung.hyperparameters import HyperParameters
from rung.searchers import Searcher

__all__ = ["OracleSpace"]


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
