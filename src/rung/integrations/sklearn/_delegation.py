"""What a fitted ``HyperbandSearchCV`` hands on to its best estimator (``predict``, ``score``,
``classes_``, ...), as scikit-learn's own searches do: a method is there (``hasattr``) only
where the best estimator (before ``fit``, the estimator) has it and ``refit=True`` fitted one;
with ``refit=False`` calling it says why it is missing."""

from __future__ import annotations

from typing import Any

from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

__all__ = ["BestEstimatorDelegation"]


def _delegates(attr: str) -> Any:
    def check(self: Any) -> bool:
        if not self.refit:  # say why, not only "has no attribute" (hasattr stays False)
            raise AttributeError(_no_refit(attr))
        if hasattr(self, "best_estimator_"):
            return hasattr(self.best_estimator_, attr)
        return hasattr(self.estimator, attr)
    return check


def _no_refit(what: str) -> str:
    return (f"this HyperbandSearchCV was created with refit=False: {what} needs "
            "best_estimator_, which only refit=True fits; fit clone(estimator).set_params("
            "**best_params_) yourself")


class BestEstimatorDelegation:
    """Mixin of ``HyperbandSearchCV``: the methods of its ``best_estimator_``."""

    refit: Any
    best_estimator_: Any
    scorer_: Any

    def _best(self) -> Any:
        check_is_fitted(self)
        if not self.refit:
            raise AttributeError(_no_refit("predicting and scoring"))
        return self.best_estimator_

    @available_if(_delegates("predict"))
    def predict(self, X: Any) -> Any:
        return self._best().predict(X)

    @available_if(_delegates("predict_proba"))
    def predict_proba(self, X: Any) -> Any:
        return self._best().predict_proba(X)

    @available_if(_delegates("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> Any:
        return self._best().predict_log_proba(X)

    @available_if(_delegates("decision_function"))
    def decision_function(self, X: Any) -> Any:
        return self._best().decision_function(X)

    @available_if(_delegates("score_samples"))
    def score_samples(self, X: Any) -> Any:
        return self._best().score_samples(X)

    @available_if(_delegates("transform"))
    def transform(self, X: Any) -> Any:
        return self._best().transform(X)

    @available_if(_delegates("inverse_transform"))
    def inverse_transform(self, X: Any) -> Any:
        return self._best().inverse_transform(X)

    @available_if(_delegates("score"))
    def score(self, X: Any, y: Any = None) -> float:
        """The ``scoring`` metric of the best estimator on ``(X, y)``."""
        return float(self.scorer_(self._best(), X, y))

    @property
    def classes_(self) -> Any:
        return self._best().classes_
