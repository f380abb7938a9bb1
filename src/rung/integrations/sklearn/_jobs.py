"""One fold of one Hyperband job, and the ``cv_results_`` table built from all of them."""

from __future__ import annotations

import pickle
import time
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from rung.integrations.sklearn._folds import num_samples

__all__ = ["FoldResult", "JobRow", "fit_fold", "num_samples", "results_table", "slice_params"]


def slice_params(fit_params: dict[str, Any], indices: np.ndarray, n: int) -> dict[str, Any]:
    """Per-sample fit parameters (``sample_weight``, ...) restricted to ``indices``."""
    from sklearn.utils import _safe_indexing

    out = {}
    for key, value in fit_params.items():
        if value is not None and not np.isscalar(value) and hasattr(value, "__len__") \
                and num_samples(value) == n:
            out[key] = _safe_indexing(value, indices)
        else:
            out[key] = value
    return out


@dataclass
class FoldResult:
    test_score: float
    train_score: float
    fit_time: float
    score_time: float
    checkpoint: bytes | None = None  # the fitted estimator, when the resource continues
    error: str | None = None  # the traceback of a failed fit or score
    exception: Exception | None = None


def fit_fold(estimator: Any, parent: bytes | None, resource: Any, X: Any, y: Any,
             train: np.ndarray, test: np.ndarray, fit_params: dict[str, Any], amount: int,
             done: int, scorer: Any, return_train_score: bool, error_score: Any) -> FoldResult:
    """Train one fold (continuing ``parent`` when given) and score it on the test fold."""
    from sklearn.base import clone
    from sklearn.utils import _safe_indexing

    n = num_samples(X)
    if resource.name == "n_samples":
        train = train[:amount]
    X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
    y_train = None if y is None else _safe_indexing(y, train)
    y_test = None if y is None else _safe_indexing(y, test)
    start = time.perf_counter()
    try:
        model = pickle.loads(parent) if parent is not None else clone(estimator)  # noqa: S301
        model = resource.train(model, X_train, y_train, slice_params(fit_params, train, n),
                               amount, done, parent is not None)
    except Exception as exc:
        if isinstance(error_score, str) and error_score == "raise":
            raise
        return FoldResult(error_score, error_score, time.perf_counter() - start, 0.0,
                          error=traceback.format_exc(), exception=exc)
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    try:
        test_score = float(scorer(model, X_test, y_test))
        train_score = float(scorer(model, X_train, y_train)) if return_train_score else np.nan
    except Exception as exc:
        if isinstance(error_score, str) and error_score == "raise":
            raise
        return FoldResult(error_score, error_score, fit_time, time.perf_counter() - start,
                          error=traceback.format_exc(), exception=exc)
    score_time = time.perf_counter() - start
    checkpoint = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL) if resource.continues \
        else None
    return FoldResult(test_score, train_score, fit_time, score_time, checkpoint)


@dataclass
class JobRow:
    """One job of the search (a configuration at one rung): a row of ``cv_results_``."""

    trial_id: str
    parent_id: str | None
    bracket: int
    rung: int
    n_resources: int
    params: dict[str, Any]
    folds: list[FoldResult]

    @property
    def mean_test_score(self) -> float:
        return float(np.mean([f.test_score for f in self.folds]))


def _rank(rows: list[JobRow], max_resource: int) -> np.ndarray:
    """Rank 1 is the best score among the jobs trained with the most resources (then the
    others): a score reached on a fraction of the budget is not comparable."""
    def key(i: int) -> tuple[int, float]:
        score = rows[i].mean_test_score
        return (-rows[i].n_resources, -score if np.isfinite(score) else np.inf)

    order = sorted(range(len(rows)), key=key)
    ranks = np.empty(len(rows), dtype=np.int32)
    for position, i in enumerate(order):
        tied = position > 0 and key(order[position - 1]) == key(i)
        ranks[i] = ranks[order[position - 1]] if tied else position + 1
    return ranks


def results_table(rows: list[JobRow], names: list[str], n_splits: int, max_resource: int,
                  return_train_score: bool) -> dict[str, Any]:
    """``cv_results_``: a dict of arrays, one entry per job, like scikit-learn's searches."""
    out: dict[str, Any] = {
        "trial_id": np.array([r.trial_id for r in rows], dtype=object),
        "parent_id": np.array([r.parent_id for r in rows], dtype=object),
        "bracket": np.array([r.bracket for r in rows], dtype=int),
        "rung": np.array([r.rung for r in rows], dtype=int),
        "n_resources": np.array([r.n_resources for r in rows], dtype=int),
    }
    for kind in ("fit", "score"):
        times = np.array([[getattr(f, f"{kind}_time") for f in r.folds] for r in rows])
        out[f"mean_{kind}_time"] = times.mean(axis=1)
        out[f"std_{kind}_time"] = times.std(axis=1)
    for name in names:
        column = np.ma.MaskedArray(np.empty(len(rows), dtype=object), mask=True)
        for i, r in enumerate(rows):
            if name in r.params:
                column[i] = r.params[name]
        out[f"param_{name}"] = column
    out["params"] = [dict(r.params) for r in rows]
    sets = ("test", "train") if return_train_score else ("test",)
    for which in sets:
        scores = np.array([[getattr(f, f"{which}_score") for f in r.folds] for r in rows],
                          dtype=float).reshape(len(rows), n_splits)
        for k in range(n_splits):
            out[f"split{k}_{which}_score"] = scores[:, k]
        out[f"mean_{which}_score"] = scores.mean(axis=1)
        out[f"std_{which}_score"] = scores.std(axis=1)
    out["rank_test_score"] = _rank(rows, max_resource)
    return out
