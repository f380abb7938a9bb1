"""Keyword arguments ``HyperbandSearchCV`` does not take: scikit-learn's names, with rung's
equivalent.

Someone switching from ``HalvingRandomSearchCV``, ``HalvingGridSearchCV``,
``RandomizedSearchCV`` or ``GridSearchCV`` writes their argument names. None is accepted as an
alias: the near-synonyms differ in meaning (``max_resources="auto"`` with ``resource="n_samples"``
is the whole data set there, the smallest training fold here; ``param_distributions`` may be a
list of dicts), and two names for one argument would show twice in ``get_params``. Instead the
constructor raises ``rung.errors.ArgumentTypeError`` (a ``TypeError``, as Python's own) naming the
argument and what to write instead; a misspelt name of rung's own gets "did you mean".

The check runs in ``__new__`` (:class:`KeywordHints`), so ``__init__`` keeps the exact signature
scikit-learn's ``get_params`` and ``help()`` read, with no ``**kwargs``.
"""

from __future__ import annotations

import inspect
from typing import Any

from rung.errors import ArgumentTypeError
from rung.validation import nearest

__all__ = ["SKLEARN_NAMES", "KeywordHints", "unknown_keywords"]

_NO_CANDIDATES = ("Hyperband's brackets decide how many configurations start at each budget "
                  "(set by max_resource / min_resource and factor; hyperband_iterations repeats "
                  "them)")

SKLEARN_NAMES: dict[str, str] = {
    "param_distributions": "use param_space (a dict of lists and scipy.stats distributions; a "
                           "list of dicts is not taken)",
    "param_grid": "use param_space (a dict of lists; a list of dicts is not taken)",
    "max_resources": "use max_resource (with resource='n_samples', counted in samples of the "
                     "smallest training fold, not of the whole data set)",
    "min_resources": "use min_resource ('auto' is like min_resources='smallest'; 'exhaust' has "
                     "no equivalent)",
    "n_candidates": f"there is no equivalent: {_NO_CANDIDATES}",
    "n_iter": f"there is no equivalent: {_NO_CANDIDATES}; resource='n_iter' makes the budget "
              "partial_fit passes",
    "aggressive_elimination": "there is no equivalent: Hyperband runs brackets from the most "
                              "aggressive (many configurations, min_resource) to none",
    "pre_dispatch": "there is no equivalent: n_jobs runs the folds x jobs of one rung at once",
}
"""scikit-learn's argument names of its searches that ``HyperbandSearchCV`` does not take, with
what to write instead. The names both take (``estimator``, ``factor``, ``resource``, ``cv``,
``scoring``, ``refit``, ``error_score``, ``return_train_score``, ``random_state``, ``n_jobs``,
``verbose``) are not listed."""


def _parameters(cls: type) -> list[inspect.Parameter]:
    init = next(vars(klass)["__init__"] for klass in cls.__mro__ if "__init__" in vars(klass))
    return [p for name, p in inspect.signature(init).parameters.items() if name != "self"]


def _accepted(cls: type) -> list[str]:
    return [p.name for p in _parameters(cls)
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def unknown_keywords(cls: type, unknown: list[str]) -> ArgumentTypeError:
    """The error for keyword arguments ``cls.__init__`` does not take."""
    accepted = _accepted(cls)
    hints = []
    for name in unknown:
        if name in SKLEARN_NAMES:
            hints.append(f"{name}= is scikit-learn's: {SKLEARN_NAMES[name]}")
        elif (near := nearest(name, accepted)) is not None:
            hints.append(f"{name}= (did you mean {near}=?)")
        else:
            hints.append(f"{name}=")
    return ArgumentTypeError(f"{cls.__name__} got unexpected keyword argument(s) "
                             f"{'; '.join(hints)}. It takes {', '.join(accepted)}")


class KeywordHints:
    """Mixin: an unknown keyword argument raises :func:`unknown_keywords`'s error before
    ``__init__`` (whose own ``TypeError`` would say only "unexpected keyword argument")."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # a subclass whose __init__ passes **kwargs on leaves the check to its parent's call
        if kwargs and not any(p.kind is p.VAR_KEYWORD for p in _parameters(cls)):
            accepted = set(_accepted(cls))
            unknown = [name for name in kwargs if name not in accepted]
            if unknown:
                raise unknown_keywords(cls, unknown)
        return super().__new__(cls)
