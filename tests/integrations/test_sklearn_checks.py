"""HyperbandSearchCV against scikit-learn's own estimator checks.

Skipped checks, each with its reason, are in ``EXPECTED_FAILED`` (empty when every check passes).
"""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import ConvergenceWarning, FitFailedWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from rung.integrations.sklearn import HyperbandSearchCV  # noqa: E402

ESTIMATORS = [
    # any estimator, budget = training samples (refit from scratch)
    HyperbandSearchCV(LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, cv=3, max_resource="auto",
                      random_state=0),
    HyperbandSearchCV(Ridge(), {"alpha": [0.1, 1.0, 10.0]}, cv=3, random_state=0),
    # budget = partial_fit passes, continued from the parent's fitted estimator
    HyperbandSearchCV(SGDClassifier(random_state=0), {"alpha": [1e-4, 1e-3, 1e-2]},
                      resource="n_iter", max_resource=3, cv=3, random_state=0),
]

EXPECTED_FAILED: dict[str, str] = {}


def expected_failed(estimator):
    return EXPECTED_FAILED


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed)
def test_sklearn_estimator_checks(estimator, check) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, FitFailedWarning, UserWarning))
        check(estimator)
