"""The checks of ``HyperbandSearchCV``'s arguments, run first thing in ``fit``.

scikit-learn's convention: ``__init__`` only stores its arguments (``clone``, ``get_params`` and
``set_params`` see them as given), and ``fit`` validates them before any work. Each error names
the ``HyperbandSearchCV`` argument, the value and what is expected (``rung.validation``'s style),
instead of a message from deep inside scikit-learn or joblib that names neither.

:func:`check_plan` refuses a Hyperband plan too large to run: see :data:`MAX_JOBS`.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters
from rung.oracles.schedule import hyperband_plan
from rung.searchers._space import Grid
from rung.validation import (
    check_bool,
    check_int,
    fail_type,
    fail_value,
    nearest,
)

__all__ = ["MAX_JOBS", "RESOURCES", "check_cv", "check_estimator", "check_params", "check_plan",
           "check_scorer_name", "check_space_names", "count_configurations", "planned_jobs",
           "smallest_epochs"]

RESOURCES = ("n_samples", "n_iter")

MAX_JOBS = 1_000_000
"""The most jobs (configuration x rung, each cross-validated on every fold) one
``HyperbandSearchCV.fit`` plans. Every job is a row of ``cv_results_``; a rung's jobs are asked
for at once and, with a continued resource (``n_iter``, warm-started ``n_estimators``), keep
their fitted estimators of every fold in memory until the next rung. Hyperband's most aggressive
bracket starts about ``max_resource / min_resource`` configurations, and all brackets together
run about ``log_factor(max_resource / min_resource)`` times that many jobs:
``max_resource=10**9`` with ``resource="n_iter"`` (``min_resource=1``, ``factor=3``) plans
897,489,745 jobs, 387,420,489 of them in the first rung, which no memory holds and no lifetime
trains. Beyond this limit ``fit`` raises before any fit; ``max_resource / min_resource`` up to
about 3**11 (``factor=3``) or 2**17 (``factor=2``) stays below it. A space of few
configurations (no continuous distribution) counts the jobs it runs (:func:`planned_jobs`), far
fewer than the full plan."""

_COUNT_LIMIT = 10_000  # grid points counted at most (RandomSearcher enumerates up to as many)

_SEED_MAX = 2**32 - 1  # numpy.random.RandomState's seeds


def check_estimator(estimator: Any) -> None:
    """An estimator instance: ``get_params`` (for ``clone``) and ``fit``."""
    expected = "a scikit-learn estimator (an object with get_params and fit)"
    if isinstance(estimator, type):
        raise fail_type("estimator", expected, estimator,
                        f"pass an instance, e.g. {estimator.__name__}(), not the class")
    if not (callable(getattr(estimator, "get_params", None))
            and callable(getattr(estimator, "fit", None))):
        raise fail_type("estimator", expected, estimator,
                        "e.g. HyperbandSearchCV(SGDClassifier(), {'alpha': [1e-4, 1e-3]})")


def check_params(search: Any) -> None:
    """Every argument of ``search`` that can be checked before the data is looked at."""
    check_estimator(search.estimator)
    resource = search.resource
    if not isinstance(resource, str) or not resource:
        raise fail_type("resource", f"{' or '.join(map(repr, RESOURCES))} or an integer "
                        "parameter of the estimator", resource)
    _check_resource(search.estimator, resource)
    check_int("factor", search.factor, 2)
    check_int("hyperband_iterations", search.hyperband_iterations, 1)
    _check_scoring(search.scoring)  # first: a multi-metric scoring explains refit='<metric>'
    _check_refit(search.refit)
    check_bool("return_train_score", search.return_train_score)
    error_score = search.error_score
    if not ((isinstance(error_score, numbers.Real) and not isinstance(error_score, bool))
            or (isinstance(error_score, str) and error_score == "raise")):
        raise fail_value("error_score", "a real number or 'raise'", error_score,
                         "np.nan (the default) scores a failed fit as missing")
    check_cv(search.cv)
    _check_random_state(search.random_state)
    _check_n_jobs(search.n_jobs)
    if not isinstance(search.verbose, (bool, np.bool_)):
        check_int("verbose", search.verbose, 0, hint="0: silent, 1: one line per rung")


def _check_resource(estimator: Any, resource: str) -> None:
    """``'n_samples'``; ``'n_iter'`` for an estimator with ``partial_fit``; or an integer
    parameter of the estimator (one whose value is an integer, or None: ``max_depth``)."""
    params = estimator.get_params()
    owner = type(estimator).__name__
    expected = f"'n_samples', 'n_iter' or an integer parameter of {owner}"
    if resource not in RESOURCES and resource not in params:
        steps = [name for name in params if name.endswith(f"__{resource}")]  # a Pipeline's
        near = steps[0] if len(steps) == 1 else nearest(resource, [*RESOURCES, *params])
        raise fail_value("resource", expected, resource,
                         (f"did you mean {near!r}? " if near else "")
                         + f"{owner}'s parameters: {sorted(params)}")
    if resource == "n_iter" and not callable(getattr(estimator, "partial_fit", None)):
        raise fail_value(
            "resource", f"'n_samples' or an integer parameter of {owner} ('n_iter' needs an "
            f"estimator with partial_fit, and {owner} has none)", resource,
            "use resource='n_samples' (any estimator), or an integer parameter such as "
            "'max_iter' or 'n_estimators' (refit at each budget)"
            + ("; a Pipeline has no partial_fit, even around one that has"
               if hasattr(estimator, "steps") else ""))
    value = params.get(resource)
    if resource not in RESOURCES and value is not None and (
            isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        raise fail_value(
            "resource", expected, resource,
            f"{owner}'s {resource} is {value!r}, not an integer: a budget of 1, 3, 9, ... "
            f"{resource} would not mean more training")


def check_space_names(search: Any, names: list[str]) -> None:
    """The names of ``param_space`` (converted to ``names``): parameters of the estimator, and
    none the resource sets itself. A parameter the resource overrides or ignores would give every
    value the same score, and ``best_params_`` an arbitrary one."""
    estimator = search.estimator
    known = estimator.get_params()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigurationError(f"param_space names {unknown} are not parameters of "
                                 f"{type(estimator).__name__}; valid: {sorted(known)}")
    resource = search.resource
    if resource in names:
        raise ConfigurationError(f"resource={resource!r} is tuned by Hyperband; remove it from "
                                 "param_space")
    if resource == "n_iter":
        name = "max_iter"
        why = ("each job trains by partial_fit passes (n_iter, from min_resource to "
               "max_resource), and partial_fit ignores max_iter")
        fix = ("set the passes with max_resource, or use resource='max_iter' to refit with fit "
               "at each budget")
    elif resource == "n_estimators" and "warm_start" in known:
        name = "warm_start"
        why = ("a promoted job grows its parent's ensemble with warm_start=True whatever "
               "param_space says, and the refit starts from scratch")
        fix = "nothing is lost: warm starting changes no score here"
    else:
        return
    if name in names:
        given = search.param_space
        value = (given[name] if isinstance(given, Mapping)
                 else next(p for p in given.space if p.name == name))  # a rung.HyperParameters
        raise ConfigurationError(
            f"param_space[{name!r}]={value!r} tunes nothing with resource={resource!r}: {why}, "
            f"so every value would score the same and best_params_ would report an arbitrary "
            f"one; remove {name!r} from param_space ({fix})")


def _check_refit(refit: Any) -> None:
    """A bool: scikit-learn's other forms choose the best job in ways rung does not."""
    if isinstance(refit, str):
        raise fail_type("refit", "True or False", refit,
                        "HyperbandSearchCV optimises one metric, scoring, and takes no multi-metric "
                        "scoring, so there is no metric for refit to name (scikit-learn's "
                        "refit='<metric>' picks one of several); use refit=True")
    if callable(refit):
        raise fail_type("refit", "True or False", refit,
                        "a callable that chooses best_index_ from cv_results_ (scikit-learn's "
                        "form) is not taken: the best is the top-ranked job at max_resource. Use "
                        "refit=False, choose a row of cv_results_ and fit its params yourself")
    check_bool("refit", refit)


def _check_scoring(scoring: Any) -> None:
    if scoring is None or callable(scoring):
        return
    expected = "a scorer name, a callable or None"
    if isinstance(scoring, (list, tuple, set, dict)):
        raise fail_value("scoring", expected, scoring,
                         "HyperbandSearchCV optimises one metric and takes no multi-metric "
                         "scoring (a list or dict, with refit naming the metric that picks the "
                         "best); pass that one metric, e.g. scoring='accuracy'")
    if not isinstance(scoring, str):
        raise fail_type("scoring", expected, scoring)
    check_scorer_name(scoring, expected)


def check_scorer_name(scoring: str, expected: str) -> None:
    """``scoring`` must be one of ``sklearn.metrics.get_scorer_names()``; a misspelt name gets
    the closest one (not scikit-learn's list of every name)."""
    from sklearn.metrics import get_scorer_names

    names = get_scorer_names()
    if scoring not in names:
        close = nearest(scoring, names)
        hint = (f"did you mean {close!r}? " if close else "") + (
            "sklearn.metrics.get_scorer_names() lists the names")
        raise fail_value("scoring", expected, scoring, hint)


def check_cv(cv: Any) -> None:
    """``cv`` as ``GridSearchCV`` takes it: None, a number of folds (>= 2), a splitter or an
    iterable of ``(train, test)`` pairs (whose indices ``fit`` checks against the data)."""
    expected = ("None, an integer >= 2, a scikit-learn splitter (an object with split) or an "
                "iterable of (train, test) index arrays")
    if cv is None or (hasattr(cv, "split") and not isinstance(cv, (str, bytes))):
        return
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        check_int("cv", cv, 2, hint="cv=n splits into n folds")
        return
    if isinstance(cv, (str, bytes, bool)) or not hasattr(cv, "__iter__"):
        raise fail_type("cv", expected, cv, "e.g. cv=5 or cv=StratifiedKFold(5)")


def _check_random_state(random_state: Any) -> None:
    if random_state is None or isinstance(random_state, np.random.RandomState):
        return
    expected = f"None, an integer in [0, {_SEED_MAX}] or a numpy.random.RandomState"
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        check_int("random_state", random_state, 0, _SEED_MAX, hint="2**32 - 1 is numpy's "
                  "largest seed")
        return
    raise fail_type("random_state", expected, random_state)


def _check_n_jobs(n_jobs: Any) -> None:
    if n_jobs is None:
        return
    expected = "None (1 worker), a positive integer, or -1 for all cores (-2: all but one, ...)"
    if not isinstance(n_jobs, numbers.Integral) or isinstance(n_jobs, bool):
        raise fail_type("n_jobs", expected, n_jobs)
    if n_jobs == 0:
        raise fail_value("n_jobs", expected, n_jobs)


def count_configurations(space: HyperParameters) -> int | None:
    """The distinct configurations of ``space``, or None when it has a continuous entry or more
    than :data:`_COUNT_LIMIT` grid points (then the plan is not cut short, or hardly)."""
    grid = Grid.from_space(space, limit=_COUNT_LIMIT)
    return None if grid is None else sum(1 for _ in grid.iter_from(0))


def planned_jobs(epochs: int, factor: int, configurations: int | None = None) -> list[int]:
    """The jobs of each bracket of one Hyperband iteration. A space of fewer ``configurations``
    than a bracket plans to start starts them all, and rung ``i`` keeps
    ``max(1, configurations // factor**i)`` of them (``HyperbandOracle``'s rule for a bracket
    cut short), so a 3-value grid with ``R = 81`` runs 25 jobs, not 206."""
    jobs = []
    for bracket in hyperband_plan(epochs, factor):
        if configurations is None or configurations >= bracket.n:
            jobs.append(bracket.jobs)
        else:
            jobs.append(sum(min(r.jobs, max(1, configurations // factor**r.index))
                            for r in bracket.rungs))
    return jobs


def smallest_epochs(epochs: int, factor: int) -> int:
    """The fewest epochs a job of the plan trains: Hyperband's ``R / factor**s_max``, rounded.
    It is at least 1 epoch, so its amount is at least ``min_resource``, and more where
    ``max_resource / min_resource`` is not a power of ``factor``."""
    return min(r.epochs for bracket in hyperband_plan(epochs, factor) for r in bracket.rungs)


def check_plan(epochs: int, search: Any, max_resource: int, min_resource: int,
               configurations: int | None = None) -> int:
    """The number of jobs Hyperband plans for ``epochs = max_resource // min_resource`` (with a
    space of only ``configurations``, the jobs it runs: :func:`planned_jobs`); more than
    :data:`MAX_JOBS` is a :class:`ConfigurationError` naming the arguments to change. One
    iteration's brackets are planned (cheap: one entry per bracket and rung)."""
    per_iteration = sum(planned_jobs(epochs, search.factor, configurations))
    jobs = per_iteration * search.hyperband_iterations
    if jobs <= MAX_JOBS:
        return jobs
    first = hyperband_plan(epochs, search.factor)[0].n
    if configurations is not None:
        first = min(first, configurations)
    settings = (f"min_resource={min_resource} and factor={search.factor} "
                f"(resource={search.resource!r})")
    limit = (f"HyperbandSearchCV runs at most {MAX_JOBS:,} jobs (each is a row of cv_results_, "
             "and a rung's jobs are held in memory at once)")
    if per_iteration <= MAX_JOBS:
        raise fail_value(
            "hyperband_iterations", f"an integer <= {MAX_JOBS // per_iteration} with "
            f"max_resource={max_resource}, {settings}", search.hyperband_iterations,
            f"each iteration runs {per_iteration:,} jobs; {limit}")
    raise ConfigurationError(
        f"max_resource={max_resource} is too large for {settings}: the Hyperband plan has "
        f"{jobs:,} jobs, {first:,} of them in its first rung, each cross-validated on every "
        f"fold; {limit}. Lower max_resource, raise min_resource (the plan grows with "
        "max_resource / min_resource) or raise factor")
