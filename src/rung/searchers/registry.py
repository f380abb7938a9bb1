"""``get_searcher``: a searcher from its short name (``searcher="random"``) or an instance."""

from __future__ import annotations

import importlib

from rung.searchers.base import Searcher
from rung.validation import fail_type, fail_value, nearest

__all__ = ["SEARCHERS", "get_searcher"]

SEARCHERS: dict[str, str] = {
    "random": "rung.searchers.random:RandomSearcher",
    "grid": "rung.searchers.grid:GridSearcher",
    "gp": "rung.searchers.gp:GPSearcher",
    "kde": "rung.searchers.kde:KDESearcher",
}
"""Short name -> ``module:class`` of each built-in searcher (imported on first use)."""

_ELSEWHERE = {"tpe": "kde", "bayesian": "gp", "bo": "gp", "gaussian_process": "gp"}
"""What other libraries call a built-in searcher (Optuna's TPE is a density model, as BOHB's
``"kde"`` is)."""


def get_searcher(searcher: Searcher | str | None, default: str = "random") -> Searcher:
    """``searcher`` as a :class:`Searcher`: an instance passes through, a name builds the
    built-in searcher with its default options (``None``: ``default``)."""
    if searcher is None:
        searcher = default
    if isinstance(searcher, Searcher):
        return searcher
    if isinstance(searcher, type) and issubclass(searcher, Searcher):
        raise fail_type("searcher", "a Searcher instance or a name", searcher,
                        f"pass {searcher.__name__}() (an instance), not the class")
    if not isinstance(searcher, str):
        raise fail_type("searcher", f"a rung.searchers.Searcher or one of {sorted(SEARCHERS)}",
                        searcher)
    if searcher not in SEARCHERS:
        close = _ELSEWHERE.get(searcher.lower()) or nearest(searcher.lower(), SEARCHERS)
        raise fail_value("searcher", f"one of {sorted(SEARCHERS)} or a Searcher instance",
                         searcher, f"did you mean {close!r}?" if close else "")
    module, _, name = SEARCHERS[searcher].partition(":")
    cls = getattr(importlib.import_module(module), name)
    instance: Searcher = cls()
    return instance
