"""Turning what ``HyperModel.fit`` returned into the metrics a trial is scored by.

As keras-tuner does, a Keras ``History`` is scored by its *best epoch* of the objective, and the
trial's metrics are every metric at that epoch (plus ``epoch``, the 1-based epoch it was, which
``trial.best_step`` reads). A float is the objective's value; a dict is taken as the metrics;
a list holds one result per execution. Results of several executions are averaged metric by
metric (``executions_per_trial``).

Example:
    >>> from rung.objective import Objective
    >>> best_epoch_metrics({"val_loss": [0.5, 0.2, 0.3]}, [0, 1, 2], Objective("val_loss", "min"))
    {'val_loss': 0.2, 'epoch': 2.0}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rung.errors import FatalTypeError, FatalValueError
from rung.trial import metric_number

__all__ = ["average_metrics", "best_epoch_metrics", "fit_result_metrics", "metric_value"]


def metric_value(value: Any) -> float:
    """One logged metric as a float: a metric with a value per class (``keras.metrics.F1Score()``
    with its default ``average=None``) counts as the mean of its values, as in keras-tuner."""
    try:
        return float(value)
    except TypeError:
        array = np.asarray(value, dtype=float)  # a TypeError/ValueError here: not a number
        if array.size == 0:
            raise
        return float(array.mean())


def _loss(objective: Any, metrics: Mapping[str, float]) -> float:
    loss = objective.loss(metrics)
    return loss if math.isfinite(loss) else math.inf


def best_epoch_metrics(
    history: Mapping[str, Sequence[float]], epochs: Sequence[int], objective: Any
) -> dict[str, float]:
    """All metrics at the epoch where the objective is best (``epochs`` are 0-based, Keras')."""
    names = list(history)
    count = min((len(history[n]) for n in names), default=0)
    if count == 0:
        raise ValueError("the Keras History holds no epoch: fit trained nothing")
    rows = [{n: metric_value(history[n][i]) for n in names} for i in range(count)]
    try:
        objective.value(rows[0])
    except ValueError as exc:  # the objective is not logged: every trial would fail the same way
        raise FatalValueError(f"{exc} (the metrics Keras logged in fit)") from None
    best = min(range(count), key=lambda i: (_loss(objective, rows[i]), i))
    metrics = rows[best]
    if not epochs:  # a History built by hand: its epochs are the rows' positions
        epochs = range(count)
    if len(epochs) == count:
        metrics["epoch"] = float(epochs[best] + 1)
    return metrics


def _is_history(result: Any) -> bool:
    return hasattr(result, "history") and isinstance(getattr(result, "history", None), Mapping)


def fit_result_metrics(
    result: Any, objective: Any, reported: Any = None, source: str = "HyperModel.fit()",
    plain: bool = False,
) -> dict[str, float]:
    """Metrics from one result (History, number, dict, or a list of them: one per execution).

    ``reported`` is the ``TrialCallback`` used as a fallback when ``fit`` returned None;
    ``source`` names the function in error messages (``"Tuner.run_trial()"``). ``plain``: the
    source is a plain training function (``run_trial=train``), whose messages speak of what such a
    function may return (a number, a dict of metric numbers, None after ``trial.report`` calls)
    rather than of keras-tuner's types.
    """
    if _is_history(result):
        return best_epoch_metrics(result.history, list(getattr(result, "epoch", [])), objective)
    if plain and isinstance(result, (list, tuple)):  # `return loss, acc` is not averaged
        raise FatalTypeError(_plain_message(result, objective, source))
    if isinstance(result, (list, tuple)) and result:
        return average_metrics([fit_result_metrics(r, objective, None, source, plain)
                                for r in result])
    if isinstance(result, (int, float)) and not isinstance(result, bool):
        return {objective.name: float(result)}
    if hasattr(result, "item") and not isinstance(result, Mapping):  # numpy / tensor scalars
        try:  # and one-element arrays and tensors, as trial.report takes them
            return {objective.name: metric_number(result)}
        except (TypeError, ValueError):
            pass  # more than one element, or a bool: the error below
    if isinstance(result, Mapping):
        return _dict_metrics(result, objective, source)
    if result is None and reported is not None and reported.best_metrics is not None:
        metrics = dict(reported.best_metrics)
        metrics["epoch"] = float(reported.best_epoch)
        return metrics
    if plain:
        raise FatalTypeError(_plain_message(result, objective, source))
    if result is None:
        raise FatalTypeError(
            f"The return value of {source} is None. Did you forget to return the metrics? "
            f"Return a float (the objective {objective.name!r}), a dict of metrics holding it, "
            "a keras History, or a list of these (one per execution).")
    raise FatalTypeError(
        f"Expected the return value of {source} to be one of float, dict, "
        f"keras.callbacks.History, or a list of one of these types; received "
        f"{type(result).__name__} {result!r}")


def _plain_message(result: Any, objective: Any, source: str) -> str:
    """The error for a plain training function's return value of the wrong type."""
    allowed = (f"Return a number (the objective {objective.name!r}), a dict of metric numbers "
               f"holding it (e.g. {{{objective.name!r}: value}}), or None after "
               "trial.report(epoch, ...) calls (the best reported epoch counts).")
    shown = f"{source[:1].upper()}{source[1:]}"
    if result is None:
        return (f"{shown} returned None and reported no epoch. Did you forget to return the "
                f"metrics? {allowed}")
    return f"{shown} returned {type(result).__name__} {result!r}. {allowed}"


def _dict_metrics(result: Mapping[Any, Any], objective: Any, source: str) -> dict[str, float]:
    if objective.name == "default_objective" and "default_objective" not in result:
        raise FatalTypeError(
            f"Expected the return value of {source} to be a single float when `objective` is "
            f"left unspecified (or a dict with the key 'default_objective'); received {result!r}. "
            "Pass objective=<metric name> to the tuner to pick one of these metrics.")
    out = {}
    for k, v in result.items():
        try:
            out[str(k)] = metric_number(v)  # as trial.report takes it: no text, no bool
        except (TypeError, ValueError, OverflowError):
            raise FatalTypeError(
                f"{source[:1].upper()}{source[1:]} returned a dict whose value for {k!r} is not "
                f"a number: {type(v).__name__} {v!r}") from None
    try:
        objective.value(out)
    except ValueError as exc:
        raise FatalValueError(f"{exc} (the dict {source} returned)") from None
    return out


def average_metrics(results: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The mean of each metric over executions (a metric missing from one is left out).

    ``epoch`` is not averaged as a metric: when every execution has one, it is keras-tuner's
    ``best_step`` of the lot, the mean of the 0-based best epochs rounded down (1-based here).
    """
    if len(results) == 1:
        return dict(results[0])
    common = [k for k in results[0] if all(k in r for r in results[1:])]
    out = {k: sum(float(r[k]) for r in results) / len(results) for k in common if k != "epoch"}
    if "epoch" in common:
        out["epoch"] = float(int(sum(float(r["epoch"]) - 1 for r in results) / len(results)) + 1)
    return out
