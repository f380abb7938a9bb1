"""What "more budget" means for an estimator: ``partial_fit`` passes, estimators, or samples.

Hyperband hands out jobs in epochs ``1 .. R``; a :class:`Resource` turns epoch ``e`` into an amount
of its resource (``round(max_resource * e / R)``) and trains one fold for it:

* :class:`PartialFitPasses` (``resource="n_iter"``): passes of ``partial_fit`` over the training
  fold; a promoted job continues its parent's fitted estimator (checkpoint continuation).
* :class:`WarmStartParam` (``resource="n_estimators"`` on an estimator with ``warm_start``): the
  parent's fitted ensemble grows to the new number of estimators.
* :class:`RefitParam` (any other integer parameter, e.g. ``max_iter``): refit from scratch.
* :class:`TrainingSamples` (``resource="n_samples"``): refit from scratch on the first ``n`` samples
  of a fixed, class-stratified order of the training fold (as ``HalvingRandomSearchCV`` does).

Example:
    >>> res = make_resource("n_iter", estimator=None, max_resource=9, min_resource=1)
    >>> res.epochs, [res.amount(e) for e in (1, 3, 9)]
    (9, [1, 3, 9])
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from rung.validation import check_int

__all__ = [
    "PartialFitPasses",
    "RefitParam",
    "Resource",
    "TrainingSamples",
    "WarmStartParam",
    "make_resource",
]


class Resource:
    """Base class: ``epochs`` (Hyperband's R), ``amount(e)``, and ``train`` for one fold."""

    name: str = ""
    continues: bool = False  # True: a promoted job continues its parent's fitted estimator

    def __init__(self, max_resource: int, min_resource: int) -> None:
        self.max_resource = check_int("max_resource", max_resource, 1)
        self.min_resource = check_int("min_resource", min_resource, 1, self.max_resource)
        self.epochs = max(1, self.max_resource // self.min_resource)

    def amount(self, epoch: int) -> int:
        """The resource of a job trained to Hyperband epoch ``epoch`` (0 -> 0)."""
        if epoch <= 0:
            return 0
        return max(1, round(self.max_resource * epoch / self.epochs))

    def train(self, estimator: Any, X: Any, y: Any, fit_params: dict[str, Any], amount: int,
              done: int, continued: bool) -> Any:
        """Fit ``estimator`` (a fresh clone, or the parent's fitted one when ``continued``)."""
        raise NotImplementedError

    def refit(self, estimator: Any, X: Any, y: Any, fit_params: dict[str, Any]) -> Any:
        """The final fit on all the data with the full resource."""
        return self.train(estimator, X, y, fit_params, self.max_resource, 0, False)


class PartialFitPasses(Resource):
    name = "n_iter"
    continues = True

    def __init__(self, max_resource: int, min_resource: int, classes: Any = None) -> None:
        super().__init__(max_resource, min_resource)
        self.classes = classes

    def train(self, estimator: Any, X: Any, y: Any, fit_params: dict[str, Any], amount: int,
              done: int, continued: bool) -> Any:
        extra = dict(fit_params)
        if self.classes is not None and "classes" in inspect.signature(
                estimator.partial_fit).parameters:
            extra["classes"] = self.classes
        for _ in range(amount - (done if continued else 0)):
            estimator.partial_fit(X, y, **extra)
        return estimator


class WarmStartParam(Resource):
    continues = True

    def __init__(self, name: str, max_resource: int, min_resource: int) -> None:
        super().__init__(max_resource, min_resource)
        self.name = name

    def train(self, estimator: Any, X: Any, y: Any, fit_params: dict[str, Any], amount: int,
              done: int, continued: bool) -> Any:
        estimator.set_params(**{"warm_start": True, self.name: amount})
        return estimator.fit(X, y, **fit_params)

    def refit(self, estimator: Any, X: Any, y: Any, fit_params: dict[str, Any]) -> Any:
        estimator.set_params(**{self.name: self.max_resource})
        return estimator.fit(X, y, **fit_params)


class RefitParam(Resource):
    def __init__(self, name: str, max_resource: int, min_resource: int) -> None:
        super().__init__(max_resource, min_resource)
        self.name = name

    def train(self, estimator: Any, X: Any, y: Any, fit_params: dict[str, Any], amount: int,
              done: int, continued: bool) -> Any:
        estimator.set_params(**{self.name: amount})
        return estimator.fit(X, y, **fit_params)


class TrainingSamples(Resource):
    """Training-set size; the fold's samples are taken in :meth:`order`, a prefix per job."""

    name = "n_samples"

    def train(self, estimator: Any, X: Any, y: Any, fit_params: dict[str, Any], amount: int,
              done: int, continued: bool) -> Any:
        return estimator.fit(X, y, **fit_params)  # X, y are already the first `amount` samples

    def refit(self, estimator: Any, X: Any, y: Any, fit_params: dict[str, Any]) -> Any:
        return estimator.fit(X, y, **fit_params)  # all the data

    @staticmethod
    def order(train: np.ndarray, y: Any, rng: np.random.RandomState, stratify: bool) -> np.ndarray:
        """A random order of ``train`` whose every prefix keeps the class proportions."""
        shuffled = train[rng.permutation(len(train))]
        if not stratify or y is None:
            return shuffled
        labels = np.asarray(y)[shuffled]
        if labels.ndim != 1:
            return shuffled
        _, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
        rank = np.zeros(len(labels))
        seen = np.zeros(len(counts), dtype=int)
        for i, c in enumerate(inverse):  # position of each sample within its class
            rank[i] = (seen[c] + 0.5) / counts[c]
            seen[c] += 1
        return shuffled[np.argsort(rank, kind="stable")]


def make_resource(name: str, estimator: Any, max_resource: int, min_resource: int,
                  classes: Any = None) -> Resource:
    """The :class:`Resource` for ``resource=name`` (``estimator`` decides warm start or refit)."""
    if name == "n_iter":
        return PartialFitPasses(max_resource, min_resource, classes)
    if name == "n_samples":
        return TrainingSamples(max_resource, min_resource)
    params = estimator.get_params() if estimator is not None else {}
    if name == "n_estimators" and "warm_start" in params:
        return WarmStartParam(name, max_resource, min_resource)
    return RefitParam(name, max_resource, min_resource)
