"""A scikit-learn parameter space (lists and ``scipy.stats`` distributions) as rung hyperparameters.

* a list (or tuple, array) -> ``Choice`` of its values (``Fixed`` for one value); values that are
  not JSON scalars of one kind (``None``, tuples, estimators, a mix of str and numbers) are chosen
  by index, and decoded back; a list that repeats a value (equal and of the same type: ``1`` and
  ``1.0`` differ) is refused (``SearchSpaceError``), as ``hp.Choice`` refuses one;
* ``scipy.stats.uniform`` -> ``Float`` (linear), ``loguniform`` / ``reciprocal`` -> ``Float``
  (log), ``randint`` -> ``Int``;
* any other distribution with ``ppf`` (``norm``, ``expon``, ``poisson``, ...) -> a quantile
  ``u ~ Float(0, 1)`` decoded through ``ppf(u)``: the same distribution, expressed in a unit
  range every rung searcher understands;
* a ``rung.HyperParameters`` -> used as is (its names must be estimator parameters).

Example:
    >>> from scipy.stats import loguniform
    >>> space = ParamSpace({"alpha": loguniform(1e-5, 1e-1), "penalty": ["l2", None]})
    >>> [type(p).__name__ for p in space.hyperparameters.space]
    ['Float', 'Choice']
    >>> space.decode({"alpha": 0.001, "penalty": 1})
    {'alpha': 0.001, 'penalty': None}
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from rung.errors import SearchSpaceError
from rung.hyperparameters import HyperParameters

__all__ = ["ParamSpace"]

_EPS = 1e-12  # keeps quantiles off 0 and 1, where ppf is infinite for unbounded distributions


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


class ParamSpace:
    """Maps a scikit-learn style parameter space onto ``rung.HyperParameters`` and back.

    Args:
        param_space: ``{name: list | distribution}`` or a ``rung.HyperParameters``.
    """

    def __init__(self, param_space: Mapping[str, Any] | HyperParameters) -> None:
        self._decoders: dict[str, Callable[[Any], Any]] = {}
        if isinstance(param_space, HyperParameters):
            self.hyperparameters = param_space.copy()
            return
        if not isinstance(param_space, Mapping) or not param_space:
            raise TypeError(
                f"param_space must be a non-empty dict {{parameter name: list of values or "
                f"scipy.stats distribution}} or a rung.HyperParameters; got {param_space!r}"
            )
        self.hyperparameters = HyperParameters()
        for name, spec in param_space.items():
            if not isinstance(name, str) or not name:
                raise TypeError(f"param_space keys must be parameter names (str), got {name!r}")
            self._add(name, spec)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.hyperparameters.space]

    def decode(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Estimator parameters for the rung values of a trial."""
        return {k: self._decoders.get(k, _plain)(v) for k, v in values.items()}

    # --- conversion ---------------------------------------------------------------------------
    def _add(self, name: str, spec: Any) -> None:
        where = f"param_space[{name!r}]"
        if hasattr(spec, "rvs"):
            self._add_distribution(name, spec, where)
            return
        if isinstance(spec, (str, bytes)) or not isinstance(spec, (list, tuple, np.ndarray)):
            raise TypeError(
                f"{where} must be a list of values or a scipy.stats distribution (with rvs and "
                f"ppf), got {type(spec).__name__} {spec!r}"
            )
        values = [_plain(v) for v in spec]
        if not values:
            raise ValueError(f"{where} must not be an empty list")
        _refuse_duplicates(where, values)
        hp = self.hyperparameters
        try:
            if len(values) == 1:
                hp.Fixed(name, values[0])
            else:
                hp.Choice(name, values)
            return
        except (SearchSpaceError, TypeError, ValueError):
            pass  # None, tuples, objects, mixed kinds: choose by index
        if len(values) == 1:
            hp.Fixed(name, 0)
        else:
            hp.Choice(name, list(range(len(values))), ordered=False)
        self._decoders[name] = functools.partial(_pick, values)

    def _add_distribution(self, name: str, dist: Any, where: str) -> None:
        if not hasattr(dist, "ppf"):
            raise TypeError(
                f"{where} is a distribution without ppf (inverse CDF); use a scipy.stats "
                f"distribution or a list of values, got {type(dist).__name__}"
            )
        with np.errstate(invalid="ignore"):  # loguniform(0, 1): scipy warns, then gives nan
            low, high = (float(b) for b in dist.support())
            inner = np.asarray(dist.ppf([_EPS, 0.5, 1.0 - _EPS]), dtype=float)
        if math.isnan(low) or math.isnan(high) or not np.isfinite(inner).all():
            log = _shown(dist).startswith(("loguniform(", "reciprocal("))
            raise ValueError(
                f"{where} must be a distribution with finite values, got {_shown(dist)}, whose "
                f"support is [{low}, {high}]: its parameters are invalid"
                + (" (loguniform(a, b) needs 0 < a < b)" if log else ""))
        kind = getattr(getattr(dist, "dist", None), "name", None)
        hp = self.hyperparameters
        if kind == "uniform" and low < high:
            hp.Float(name, low, high)
        elif kind in ("loguniform", "reciprocal") and 0 < low < high and self._is_log(dist):
            hp.Float(name, low, high, sampling="log")
        elif kind == "randint" and math.isfinite(low) and low <= high:
            if low == high:
                hp.Fixed(name, int(low))
            else:
                hp.Int(name, int(low), int(high))
        else:
            discrete = _is_discrete(dist)
            hp.Float(name, 0.0, 1.0)

            def decode(u: Any, dist: Any = dist, discrete: bool = discrete) -> Any:
                value = dist.ppf(min(max(float(u), _EPS), 1.0 - _EPS))
                return int(value) if discrete else float(value)

            self._decoders[name] = decode

    @staticmethod
    def _is_log(dist: Any) -> bool:
        """True when ``dist`` is log-uniform on its support (a shifted ``loc`` makes it not)."""
        low, high = (float(b) for b in dist.support())
        qs = np.array([0.1, 0.5, 0.9])
        return bool(np.allclose(dist.ppf(qs), low * (high / low) ** qs, rtol=1e-6))


def _shown(dist: Any) -> str:
    """``loguniform(0, 1)``: a frozen scipy distribution with its arguments."""
    name = getattr(getattr(dist, "dist", None), "name", type(dist).__name__)
    args = [repr(a) for a in getattr(dist, "args", ())]
    args += [f"{k}={v!r}" for k, v in getattr(dist, "kwds", {}).items()]
    return f"{name}({', '.join(args)})"


def _is_discrete(dist: Any) -> bool:
    try:
        from scipy import stats
    except ImportError:  # pragma: no cover - scikit-learn depends on scipy
        return False
    return isinstance(getattr(dist, "dist", dist), stats.rv_discrete)


def _refuse_duplicates(where: str, values: Sequence[Any]) -> None:
    """A value listed twice would be sampled twice as often (and, as ``hp.Choice`` refuses
    duplicates, the list would otherwise fall back to a choice by index silently). Values count
    as repeated when they are equal and of the same type: ``1`` and ``1.0`` differ (for
    ``max_features``, one feature or all of them), as do ``True`` and ``1``; unhashable values
    (lists, arrays) are not compared."""
    seen: set[Any] = set()
    for value in values:
        key = _typed(value)
        try:
            repeated = key in seen
            seen.add(key)
        except TypeError:  # unhashable: not compared
            continue
        if repeated:
            raise SearchSpaceError(
                f"{where}: values contain {value!r} ({type(value).__name__}) more than once; "
                "list each value once (a repeated value is sampled more often)")


def _typed(value: Any) -> Any:
    """``value`` with its type (and its items' types, for a tuple): ``1`` and ``1.0`` differ."""
    if isinstance(value, tuple):
        return (tuple, tuple(_typed(item) for item in value))
    return (type(value), value)


def _pick(values: Sequence[Any], index: Any) -> Any:
    """The value at ``index`` (a Choice of positions stands for a list of arbitrary objects)."""
    return values[int(index)]
