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
import numbers
from typing import Any

import numpy as np

from rung.validation import check_int, fail_value

__all__ = [
    "PartialFitPasses",
    "RefitParam",
    "Resource",
    "TrainingSamples",
    "WarmStartParam",
    "checked_resource",
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


def checked_resource(search: Any, splits: list, classes: Any) -> Resource:
    """The resource of ``search`` (a ``HyperbandSearchCV``) with checked bounds (its
    ``max_resource_``, ``min_resource_``), before any fit: a plan that cannot be trained as asked
    is an error, not a silent clamp. ``check_params`` has checked ``resource`` itself."""
    estimator, resource = search.estimator, search.resource
    fold_size = min(len(tr) for tr, _ in splits)
    owner = type(estimator).__name__
    if resource == "n_samples":
        auto_max = fold_size
        auto_min = 2 * len(splits) * (len(classes) if classes is not None else 1)
        auto_text = "the size of the smallest training fold"
    else:
        param = "max_iter" if resource == "n_iter" else resource
        params = estimator.get_params()
        auto_max, auto_min = params.get(param), 1
        auto_text = f"{owner}'s {param}"
        if search.max_resource == "auto" and not _is_count(auto_max):
            which = (f"{auto_text} is {auto_max!r}" if param in params
                     else f"{owner} has no {param}")
            raise fail_value(
                "max_resource", f"an integer >= 1, or 'auto' where {auto_text} is one", "auto",
                f"{which}: pass max_resource=<the largest {resource}> (resource={resource!r})")
    max_resource = check_int(
        "max_resource", auto_max if search.max_resource == "auto" else search.max_resource, 1,
        hint=f"or 'auto' (resource={resource!r}: {auto_text})")
    min_resource = check_int(
        "min_resource", auto_min if search.min_resource == "auto" else search.min_resource, 1,
        hint=f"or 'auto' (resource={resource!r})")
    if resource == "n_samples" and max_resource > fold_size:
        # more samples than a fold has would train every larger job on the same fold
        raise fail_value(
            "max_resource", f"an integer <= {fold_size} (the samples in the smallest "
            "training fold; resource='n_samples')", max_resource,
            f"use max_resource='auto' (= {fold_size}) or a smaller value")
    if search.min_resource == "auto":
        min_resource = min(min_resource, max_resource)  # 'auto' adapts to a small maximum
    elif min_resource > max_resource:
        where = f" (max_resource='auto': {auto_text})" if search.max_resource == "auto" else ""
        fix = ("lower min_resource" if resource == "n_samples" and max_resource == fold_size
               else "lower min_resource or raise max_resource")
        raise fail_value("min_resource", f"an integer <= max_resource={max_resource}{where}",
                         min_resource, f"{fix} (resource={resource!r})")
    return make_resource(resource, estimator, max_resource, min_resource, classes)


def _is_count(value: Any) -> bool:
    """An integer >= 1, not a bool: what ``'auto'`` can take as the largest resource."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= 1
