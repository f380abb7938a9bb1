"""HyperbandSearchCV's ``resource`` and an ``'auto'`` ``max_resource``: named before any fit."""

from __future__ import annotations

import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import make_classification  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.naive_bayes import MultinomialNB  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from rung.errors import ConfigurationError  # noqa: E402
from rung.integrations.sklearn import HyperbandSearchCV, _search  # noqa: E402

X, y = make_classification(n_samples=120, n_features=6, random_state=0)
X = abs(X)  # MultinomialNB takes no negative features


@pytest.fixture
def fits(monkeypatch) -> list:
    """Every fold fit (none may start when an argument is refused)."""
    started: list = []
    monkeypatch.setattr(_search, "fit_fold", lambda *args: started.append(args))
    return started


@pytest.mark.parametrize("estimator, space, kwargs, match", [
    # a parameter that is no count: before, "max_resource must be an integer >= 1, got 'hinge'"
    (SGDClassifier(), {"alpha": [1e-4]}, {"resource": "loss"},
     r"resource must be 'n_samples', 'n_iter' or an integer parameter of SGDClassifier, got "
     r"'loss'; SGDClassifier's loss is 'hinge', not an integer"),
    # with an explicit max_resource it was accepted: alpha=1, 3, 9 as budgets, meaning nothing
    (SGDClassifier(), {"alpha": [1e-4]}, {"resource": "alpha", "max_resource": 9},
     r"resource must be .*got 'alpha'; SGDClassifier's alpha is 0.0001, not an integer"),
    # a misspelt resource gets the closest name
    (RandomForestClassifier(), {"max_depth": [2]}, {"resource": "n_estimator"},
     r"resource must be .*got 'n_estimator'; did you mean 'n_estimators'\?"),
    # 'auto' of n_iter is max_iter, which MultinomialNB lacks: before, "got None; or 'auto'
    # where the estimator has a 'n_iter' value"
    (MultinomialNB(), {"alpha": [0.1, 1.0]}, {"resource": "n_iter"},
     r"max_resource must be an integer >= 1, or 'auto' where MultinomialNB's max_iter is "
     r"one, got 'auto'; MultinomialNB has no max_iter: pass max_resource=<the largest n_iter>"),
    # an integer parameter whose value is None: 'auto' has nothing to take
    (DecisionTreeClassifier(), {"min_samples_leaf": [1, 5]}, {"resource": "max_depth"},
     r"max_resource must be .*got 'auto'; DecisionTreeClassifier's max_depth is None: pass "
     r"max_resource=<the largest max_depth>"),
])
def test_a_resource_that_cannot_be_planned_is_named(estimator, space, kwargs, match: str,
                                                   fits: list) -> None:
    with pytest.raises(ConfigurationError, match=match):
        HyperbandSearchCV(estimator, space, cv=3, **kwargs).fit(X, y)
    assert fits == []


def test_an_integer_parameter_that_is_none_by_default_is_a_resource_with_a_max() -> None:
    search = HyperbandSearchCV(DecisionTreeClassifier(random_state=0),
                               {"min_samples_leaf": [1, 5]}, resource="max_depth",
                               max_resource=9, cv=3, random_state=0).fit(X, y)
    assert search.n_resources_ == [1, 3, 9]
    assert search.best_estimator_.max_depth == 9
