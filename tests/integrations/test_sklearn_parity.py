"""HyperbandSearchCV next to scikit-learn's searches: their argument names, refit, the plural
fitted attributes, and the plan announced with verbose=1."""

from __future__ import annotations

import inspect
import pickle
import warnings
from typing import Any

import pytest

pytest.importorskip("sklearn")

from scipy import stats  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402

from rung.errors import ArgumentTypeError, ConfigurationError  # noqa: E402
from rung.integrations.sklearn import HyperbandSearchCV  # noqa: E402

X, y = make_classification(n_samples=120, n_features=6, n_informative=4, n_classes=3,
                           random_state=0)
SPACE = {"alpha": stats.loguniform(1e-5, 1e-1)}


@pytest.mark.parametrize("kwargs, match", [
    ({"max_resources": 9}, r"max_resources= is scikit-learn's: use max_resource \(with "
                           r"resource='n_samples', counted in samples of the smallest training"),
    ({"min_resources": "exhaust"}, r"min_resources= is scikit-learn's: use min_resource \('auto' "
                                   r"is like min_resources='smallest'; 'exhaust' has no equivalent"),
    ({"n_candidates": 20}, r"n_candidates= is scikit-learn's: there is no equivalent: "
                           r"Hyperband's brackets decide"),
    ({"n_iter": 20}, r"n_iter= is scikit-learn's: there is no equivalent.*resource='n_iter' "
                     r"makes the budget partial_fit passes"),
    ({"aggressive_elimination": True}, r"aggressive_elimination= is scikit-learn's: there is no "
                                       r"equivalent"),
    ({"pre_dispatch": 4}, r"pre_dispatch= is scikit-learn's: there is no equivalent"),
    ({"max_resouce": 9}, r"max_resouce= \(did you mean max_resource=\?\)"),
    ({"max_resources": 9, "bogus": 1}, r"max_resources= is scikit-learn's: .*; bogus=\. It takes "
                                       r"estimator, param_space, resource, max_resource"),
])
def test_scikit_learns_argument_names_say_what_to_write(kwargs, match: str) -> None:
    with pytest.raises(ArgumentTypeError, match=match) as raised:
        HyperbandSearchCV(SGDClassifier(), SPACE, **kwargs)
    assert isinstance(raised.value, TypeError)  # what Python raises for an unknown keyword
    assert str(raised.value).startswith("HyperbandSearchCV got unexpected keyword argument(s) ")


@pytest.mark.parametrize("name", ["param_distributions", "param_grid"])
def test_the_space_under_scikit_learns_name_points_to_param_space(name: str) -> None:
    with pytest.raises(TypeError, match=f"{name}= is scikit-learn's: use param_space"):
        HyperbandSearchCV(SGDClassifier(), **{name: {"alpha": [1e-4, 1e-3]}})


def test_the_signature_stays_exact_for_get_params_clone_and_pickle() -> None:
    """The check lives in __new__: __init__ has no **kwargs, so get_params and help() list the
    real arguments, and clone, pickle and copies (which call __new__ bare) still work."""
    parameters = inspect.signature(HyperbandSearchCV).parameters
    assert list(parameters)[:3] == ["estimator", "param_space", "resource"]
    assert all(p.kind is not p.VAR_KEYWORD for p in parameters.values())
    search = HyperbandSearchCV(SGDClassifier(), SPACE, resource="n_iter", max_resource=3)
    assert sorted(search.get_params(deep=False)) == sorted(parameters)
    assert clone(search).get_params()["max_resource"] == 3
    assert pickle.loads(pickle.dumps(search)).resource == "n_iter"


@pytest.mark.parametrize("refit, match", [
    ("accuracy", r"refit must be True or False, got 'accuracy'; HyperbandSearchCV optimises one "
                 r"metric, scoring, and takes no multi-metric scoring.*use refit=True"),
    (lambda results: 0, r"refit must be True or False, got <function .*a callable that chooses "
                        r"best_index_ from cv_results_ .*is not taken.*Use refit=False"),
])
def test_refit_as_scikit_learns_metric_name_or_callable_is_refused_with_the_reason(
        refit, match: str) -> None:
    search = HyperbandSearchCV(SGDClassifier(), SPACE, resource="n_iter", max_resource=3,
                               refit=refit)
    with pytest.raises(ArgumentTypeError, match=match):
        search.fit(X, y)


@pytest.mark.parametrize("scoring", [["accuracy", "f1_macro"], {"acc": "accuracy"}])
def test_multi_metric_scoring_is_refused_as_such(scoring) -> None:
    search = HyperbandSearchCV(SGDClassifier(), SPACE, resource="n_iter", max_resource=3,
                               scoring=scoring, refit="acc")
    with pytest.raises(ConfigurationError, match=r"scoring must be a scorer name.*takes no "
                                                 r"multi-metric scoring"):
        search.fit(X, y)


def test_plural_attribute_names_and_multimetric_as_scikit_learns() -> None:
    search = HyperbandSearchCV(SGDClassifier(random_state=0), SPACE, resource="n_iter",
                               max_resource=9, min_resource=3, cv=3, random_state=0)
    with pytest.raises(NotFittedError):
        _ = search.max_resources_
    assert not hasattr(search, "min_resources_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    assert (search.max_resources_, search.min_resources_) == (9, 3)
    assert (search.max_resource_, search.min_resource_) == (9, 3)
    assert search.multimetric_ is False
    with pytest.raises(AttributeError):
        search.max_resources_ = 5  # read-only: max_resource_ is the stored one


def test_halving_iteration_attributes_count_the_jobs_at_each_resource_amount() -> None:
    """``HalvingRandomSearchCV``'s ``n_candidates_[i]`` candidates ran with ``n_resources_[i]``;
    under Hyperband an iteration is a resource amount, counted over every bracket."""
    search = HyperbandSearchCV(SGDClassifier(random_state=0), SPACE, resource="n_iter",
                               max_resource=9, min_resource=1, factor=3, cv=3, random_state=0)
    with pytest.raises(NotFittedError):
        _ = search.n_candidates_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    planned: dict[int, int] = {}  # R = 9 epochs of 1 pass: an amount is a rung's epochs
    for bracket in search.oracle_.budget().brackets:
        for rung in bracket.rungs:
            planned[rung.epochs] = planned.get(rung.epochs, 0) + rung.jobs
    assert search.n_resources_ == sorted(planned) == [1, 3, 9]
    assert search.n_candidates_ == [planned[a] for a in (1, 3, 9)] == [9, 8, 5]
    assert sum(search.n_candidates_) == len(search.cv_results_["params"])
    assert search.n_iterations_ == 3
    for name in ("n_possible_iterations_", "n_required_iterations_"):
        assert not hasattr(search, name)
        with pytest.raises(AttributeError, match=rf"{name} is not set: .* one per bracket\. "
                                                 r"oracle_\.budget\(\)\.brackets"):
            getattr(search, name)


@pytest.mark.parametrize("space, max_resource, jobs", [
    # the review's case: 3 values, R = 81: 25 jobs, not the 206 a continuous space gets
    ({"alpha": [1e-4, 1e-3, 1e-2]}, 81, 25),
    ({"alpha": [1e-4, 1e-3], "penalty": ["l2", "l1"]}, 27, 7 + 6 + 5 + 4),
    ({"alpha": [1e-4, 1e-3], "average": [False]}, 9, 4 + 3 + 2),
    ({"alpha": stats.loguniform(1e-5, 1e-1)}, 9, 9 + 3 + 1 + 5 + 1 + 3),  # the whole plan
    ({"eta0": stats.randint(1, 4)}, 9, 3 + 1 + 1 + 3 + 1 + 3),  # an Int of 3 values is finite
])
def test_verbose_announces_the_jobs_a_finite_space_runs(space, max_resource: int, jobs: int,
                                                        capsys) -> None:
    search = HyperbandSearchCV(SGDClassifier(random_state=0), space, resource="n_iter",
                               max_resource=max_resource, cv=2, random_state=0, verbose=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    head = capsys.readouterr().out.splitlines()[0]
    assert head.startswith(f"[HyperbandSearchCV] {jobs} job(s) x 2 folds, n_iter from 1 to "
                           f"{max_resource}"), head
    assert len(search.cv_results_["params"]) == jobs


def test_a_finite_space_counts_its_real_jobs_against_the_limit() -> None:
    """MAX_JOBS bounds the jobs that run: with 2 configurations, a plan that would start 3**13
    of them in a bracket runs a few dozen jobs."""
    from rung.integrations.sklearn._params import check_plan

    search = HyperbandSearchCV(SGDClassifier(), {"alpha": [1e-4, 1e-3]}, resource="n_iter")
    assert check_plan(3**13, search, 3**13, 1, configurations=2) == 2 * 14 + 13 * 14 // 2
    with pytest.raises(ConfigurationError, match="too large"):
        check_plan(3**13, search, 3**13, 1)


def test_a_subclass_passing_keyword_arguments_on_is_built() -> None:
    """The keyword check reads the subclass's __init__: one that takes **kwargs and passes them
    to HyperbandSearchCV's is not refused for the parent's arguments."""
    class MySearch(HyperbandSearchCV):
        def __init__(self, estimator: Any, param_space: Any, *, extra: int = 1,
                     **kwargs: Any) -> None:
            super().__init__(estimator, param_space, **kwargs)
            self.extra = extra

    search = MySearch(SGDClassifier(), {"alpha": [1e-4, 1e-3]}, extra=2, cv=3,
                      resource="n_iter", max_resource=9)
    assert (search.cv, search.extra, search.max_resource) == (3, 2, 9)
