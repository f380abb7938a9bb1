"""Cross-validation folds and sample counts, checked against the data before any fit.

scikit-learn takes ``cv`` as ``(train, test)`` index pairs, but checks them only where a fold is
indexed: an index past the end or an empty fold fails every fit (every trial of a
``SklearnTuner``) with an ``IndexError`` or a deep estimator error. These checks run once, in
``HyperbandSearchCV.fit`` and ``SklearnTuner.search``, and name the fold and what is wrong.

Example:
    >>> import numpy as np
    >>> [(tr.tolist(), te.tolist()) for tr, te in check_folds("cv", [([0, 1], [2])], 3)]
    [([0, 1], [2])]
    >>> check_folds("cv", [([0, 1], [3])], 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    rung.errors.ConfigurationError: cv[0][1] must be the test indices of fold 0: ..., got [3] (list)
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from rung.errors import SearchDataError
from rung.validation import fail_type, fail_value

__all__ = ["check_fit_data", "check_folds", "check_lengths", "check_n_splits", "check_samples", "listed_folds",
           "num_samples", "split_folds"]


def num_samples(X: Any) -> int:
    """The number of samples (rows) of an array, a data frame, a sparse matrix or a list."""
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) else len(X)


def _indices(indices: Any, n_samples: int) -> np.ndarray | None:
    """``indices`` as integer positions, or None when they are not valid for ``n_samples``."""
    try:
        array = np.asarray(indices)
    except ValueError:  # ragged nested lists
        return None
    if array.ndim != 1 or array.size == 0:
        return None
    if array.dtype == bool:
        return np.flatnonzero(array) if len(array) == n_samples and array.any() else None
    if not np.issubdtype(array.dtype, np.integer):
        return None
    if array.min() < 0 or array.max() >= n_samples:
        return None
    return array


def check_folds(name: str, folds: Sequence[tuple[Any, Any]],
                n_samples: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ``(train, test)`` pairs of ``folds`` as integer index arrays; an empty list of folds,
    an empty side, an index outside ``[0, n_samples)`` or a mask of another length is an error
    naming ``name`` (the argument, e.g. ``cv``), the fold and the side."""
    if not folds:
        raise fail_value(name, "at least one (train, test) split", list(folds))
    checked = []
    for k, fold in enumerate(folds):
        try:
            train, test = fold
        except (TypeError, ValueError):
            raise fail_value(f"{name}[{k}]", f"a (train, test) pair of index arrays (fold {k})",
                             _shown(fold)) from None
        pair = []
        for side, (which, indices) in enumerate((("train", train), ("test", test))):
            positions = _indices(indices, n_samples)
            if positions is None:
                raise fail_value(
                    f"{name}[{k}][{side}]",
                    f"the {which} indices of fold {k}: a non-empty array of sample indices in "
                    f"[0, {n_samples}) (the data has {n_samples} samples) or a boolean mask of "
                    f"{n_samples} values", _shown(indices))
            pair.append(positions)
        checked.append((pair[0], pair[1]))
    return checked


def check_n_splits(cv: Any, n_samples: int) -> None:
    """An integer ``cv`` (``KFold`` or ``StratifiedKFold`` of that many folds) makes at most
    ``n_samples`` folds (scikit-learn raises only when it splits, without naming ``cv``).
    A splitter object is not judged by its ``n_splits``: a random splitter (``ShuffleSplit``)
    makes any number of splits; :func:`split_folds` runs it on the data instead."""
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool) and int(cv) > n_samples:
        raise fail_value("cv", f"at most {n_samples} folds (the data has {n_samples} samples)",
                         cv, "use fewer folds, or more data")


def split_folds(cv: Any, X: Any, y: Any, groups: Any,
                n_samples: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The folds a splitter ``cv`` makes of the data, checked as :func:`check_folds` does; an
    error raised by the splitter itself (``KFold(10)`` on 8 samples, ``GroupKFold`` without
    ``groups``) is a ``ConfigurationError`` naming ``cv``."""
    try:
        folds = list(cv.split(X, y, groups))
    except (ValueError, TypeError, IndexError, KeyError) as error:
        raise fail_value("cv", f"a splitter that can split the data ({n_samples} samples)", cv,
                         f"its split raised {type(error).__name__}: {error}") from error
    return check_folds("cv", folds, n_samples)


def _shown(indices: Any) -> Any:
    """Index arrays shown as lists (``[3]``, not ``array([3])``)."""
    return indices.tolist() if isinstance(indices, np.ndarray) else indices


def check_lengths(where: str, X: Any, **others: Any) -> int:
    """The number of samples of ``X``; every one of ``others`` that is not None must have as
    many entries (``y``, ``sample_weight``, ``groups``), else a :class:`SearchDataError`."""
    n = num_samples(X)
    for name, value in others.items():
        if value is None:
            continue
        length = num_samples(value)
        if length != n:
            raise SearchDataError(
                f"{where}: {name} must have one entry per sample of X ({n} samples), got "
                f"{length} entries; pass the {name} of the same samples as X")
    return n


def check_fit_data(X: Any, y: Any, groups: Any, fit_params: dict[str, Any]) -> None:
    """``y``, ``groups`` and the sample weights of ``HyperbandSearchCV.fit`` (``sample_weight``,
    or a Pipeline step's ``<step>__sample_weight``) have one entry per sample of ``X``, checked
    before any fit: otherwise every fit fails, each with an error that names no argument."""
    weights = {name: value for name, value in fit_params.items()
               if (name == "sample_weight" or name.endswith("__sample_weight"))
               and getattr(value, "ndim", 1) > 0 and hasattr(value, "__len__")
               and not isinstance(value, (str, bytes))}
    data = {"X": X, "y": y, "groups": groups, **weights}
    for name, value in data.items():  # an array-like with only __array__ has no len
        if value is not None and not (hasattr(value, "shape") or hasattr(value, "__len__")):
            data[name] = np.asarray(value)
    check_lengths("HyperbandSearchCV.fit", data.pop("X"), **data)


def check_samples(X: Any) -> None:
    """``X`` must be 2-D (samples by features) before any trial runs: keras-tuner's error
    (a ``RuntimeError``), raised up front instead of after failed trials."""
    ndim = getattr(X, "ndim", None)
    if not isinstance(ndim, int):
        ndim = np.asarray(X, dtype=object).ndim  # lists of rows
    if ndim != 2:
        raise SearchDataError(
            f"SklearnTuner.search: Expected the data to be numpy arrays or pandas DataFrames "
            f"of shape (n_samples, n_features) (lists of rows work too); X has {ndim} "
            f"dimension(s): {X!r:.200}. Reshape a single feature with np.reshape(X, (-1, 1))."
        )


def listed_folds(cv: Any) -> list[tuple[Any, Any]]:
    """``cv`` given as ``(train, test)`` index pairs (scikit-learn's iterable ``cv``), as a list
    so that every trial gets the same folds (a generator would be used up by the first)."""
    wrong = fail_type("cv", "an integer >= 2, a scikit-learn splitter (an object with split) "
                      "or an iterable of (train, test) index arrays", cv,
                      "e.g. cv=5 or cv=sklearn.model_selection.KFold(5)")
    if isinstance(cv, (str, bytes)) or not isinstance(cv, Iterable):
        raise wrong
    pairs = list(cv)
    if not pairs or not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs):
        raise wrong
    return [(train, test) for train, test in pairs]
