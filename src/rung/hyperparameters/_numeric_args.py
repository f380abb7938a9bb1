"""The checks of ``Int`` and ``Float``'s arguments, and the size of a stepped range (for
``rung.hyperparameters.numeric``). ``where`` names the hyperparameter in messages, as
``"Int 'units'"``."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from rung.errors import SearchSpaceError, SearchSpaceTypeError
from rung.hyperparameters._warp import EPS, log_ratio
from rung.validation import INT64_MAX, INT64_MIN  # the range of Int bounds

__all__ = ["INT64_MAX", "INT64_MIN", "SAMPLINGS", "check_bounds", "check_number",
           "check_sampling", "check_step", "count_values"]

SAMPLINGS: tuple[str, ...] = ("linear", "log", "reverse_log")
_MAX_GRID = 2**64  # the most grid values an index can address (see numeric's _sample)


def check_number(value: Any, arg: str, where: str, integer: bool) -> Any:
    """Validate and convert one numeric argument (int for ``Int``, float for ``Float``).

    A value that is not a number (a str, a bool, None), or for ``Int`` not a whole number
    (1.5, inf), raises ``SearchSpaceTypeError`` (a ``TypeError`` and a ``ValueError``); a
    ``Float`` argument that is NaN or infinite raises ``SearchSpaceError``."""
    if isinstance(value, np.generic):
        value = value.item()
    number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if integer:
        if number and isinstance(value, numbers.Integral):
            return int(value)
        if number and math.isfinite(value) and float(value).is_integer():
            return int(value)
        raise SearchSpaceTypeError(
            f"{where}: {arg} must be an int, got {value!r} of type "
            f"{type(value).__name__}."
        )
    if not number:
        raise SearchSpaceTypeError(
            f"{where}: {arg} must be a finite number (int or float), got {value!r} of "
            f"type {type(value).__name__}."
        )
    if not math.isfinite(value):
        raise SearchSpaceError(f"{where}: {arg} must be a finite number, got {value!r}.")
    return float(value)


def check_bounds(lo: Any, hi: Any, where: str, integer: bool) -> None:
    """``Int`` bounds fit in int64, and ``lo <= hi``."""
    if integer:
        for arg, bound in (("min_value", lo), ("max_value", hi)):
            if not INT64_MIN <= bound <= INT64_MAX:
                raise SearchSpaceError(
                    f"{where}: {arg}={bound!r} is outside the int64 range "
                    f"[{INT64_MIN}, {INT64_MAX}] (-2**63 to 2**63 - 1) that rung can sample "
                    "and store; use bounds inside it."
                )
    if lo > hi:
        raise SearchSpaceError(
            f"{where}: the min_value {lo!r} is greater than the max_value {hi!r}; "
            "expected min_value <= max_value."
        )


def check_sampling(sampling: object, lo: float, where: str) -> str:
    """``sampling`` in lower case (None: ``"linear"``, keras-tuner's older spelling); log
    samplings need ``lo > 0``."""
    if sampling is None:  # keras-tuner's older spelling of "linear"
        sampling = "linear"
    if not isinstance(sampling, str):
        raise SearchSpaceTypeError(
            f"{where}: sampling must be a str, one of {list(SAMPLINGS)}, got "
            f"sampling={sampling!r} of type {type(sampling).__name__}."
        )
    if sampling.lower() not in SAMPLINGS:
        raise SearchSpaceError(
            f"{where}: sampling must be one of {list(SAMPLINGS)}, got sampling={sampling!r}."
        )
    sampling = sampling.lower()
    if sampling != "linear" and lo <= 0:
        raise SearchSpaceError(
            f"{where}: sampling={sampling!r} does not support negative values or zero: "
            f"it needs min_value > 0, got min_value={lo!r}. Use a positive min_value or "
            "sampling='linear'."
        )
    return sampling


def check_step(step: float | None, sampling: str, where: str, integer: bool, kind: str,
               name: str) -> Any:
    """The step (``Int`` under linear sampling: 1 by default): a distance > 0, or a multiplier
    > 1 under log sampling; ``kind`` and ``name`` are the class's name and the
    hyperparameter's."""
    if step is None:
        return 1 if integer and sampling == "linear" else None
    step = check_number(step, "step", where, integer)
    if sampling == "linear" and step <= 0:
        raise SearchSpaceError(
            f"{where}: step={step!r} must be > 0 (the distance between values)."
        )
    if sampling != "linear" and step <= 1:
        raise SearchSpaceError(
            f"For HyperParameters.{kind}(name={name!r}), expected "
            f"step > 1 with sampling={sampling!r} (the step is a multiplier between "
            f"neighbouring values), got step={step!r}."
        )
    return step


def count_values(lo: float, hi: float, step: float | None, sampling: str, where: str,
              integer: bool) -> int | None:
    """How many values a stepped range holds (None: continuous); more than 2**64, or a step
    that leaves a single value of a wider range, is a ``SearchSpaceError``."""
    if step is None:
        return None
    if integer and sampling == "linear":
        n = int(hi - lo) // int(step) + 1  # exact: int64 is wider than a float's mantissa
    else:
        if sampling != "linear":
            span = log_ratio(hi, lo) / math.log(step)
        elif math.isfinite(hi - lo):
            span = (hi - lo) / step
        else:  # wider than the largest float
            span = (hi / 2 - lo / 2) / (step / 2)
        if not span + EPS < _MAX_GRID:
            raise SearchSpaceError(
                f"{where}: step={step!r} makes more than 2**64 values in "
                f"[{lo!r}, {hi!r}]; use a larger step, or no step (a continuous range)."
            )
        n = int(math.floor(span + EPS)) + 1
    if n == 1 and hi > lo:
        kind = "distance" if sampling == "linear" else "multiplier"
        raise SearchSpaceError(
            f"{where}: step={step!r} does not fit in [{lo!r}, {hi!r}]: the only "
            f"value would be {lo!r}. Use a smaller step ({kind} between values), or "
            f"Fixed({where.split(' ')[-1]}, {lo!r}) for a single value."
        )
    return n
