"""What ``tell`` and ``tell_failed`` accept: their arguments checked, and turned into what the
record stores. Each check raises before the oracle changes anything, so a refused call leaves
the job pending (plain functions, used by ``rung.oracles.base``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rung.oracles.suggestion import Suggestion
from rung.validation import fail_type, fail_value

__all__ = ["metrics_dict", "pruned_at", "values_dict"]


def metrics_dict(metrics: float | Mapping[str, float], objective_name: str) -> dict[str, float]:
    """``metrics`` as a dict of floats (a bare number is the objective's); a value that is not
    a number is an error."""
    items = metrics.items() if isinstance(metrics, Mapping) else [(objective_name, metrics)]
    found = {}
    for key, value in items:
        name = f"metrics[{key!r}]" if isinstance(metrics, Mapping) else "metrics"
        if isinstance(value, (str, bytes)):
            raise fail_type(name, "a number, not text", value)
        try:
            found[str(key)] = float(value)
        except OverflowError:
            raise fail_value(name, "a number a float can hold", value) from None
        except (TypeError, ValueError):
            raise fail_type(name, "a number", value) from None
    return found


def values_dict(values: Mapping[str, Any] | None, planned: Suggestion) -> dict[str, Any]:
    """The values the job used: ``values``, or where None those it was given."""
    if values is None:
        return dict(planned.values)
    if not isinstance(values, Mapping):
        raise fail_type("values", "a mapping of hyperparameter names to values, or None", values)
    return dict(values)


def pruned_at(suggestion: Suggestion, last_report: int | None) -> int:
    """The epoch a job told ``PRUNED`` without ``epochs_reached`` stopped at: its last report,
    within its range (``initial_epoch`` where it reported none)."""
    if last_report is None:
        return suggestion.initial_epoch
    reached = max(last_report, suggestion.initial_epoch)
    return reached if suggestion.epochs is None else min(reached, suggestion.epochs)
