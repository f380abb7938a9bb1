"""One description of a search space, written out for rung, keras-tuner and Optuna.

rung's and keras-tuner's ``HyperParameters`` share their API (``Float``/``Int``/``Choice`` with
``parent_name``/``parent_values``), so ``declare`` serves both; Optuna gets the same space
define-by-run (``suggest``): an inactive hyperparameter is simply not asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Param", "declare", "suggest"]


@dataclass(frozen=True)
class Param:
    """A hyperparameter: ``kind`` is ``"float"``, ``"int"`` or ``"choice"``; it is active only
    when ``parent`` (if any) takes one of ``parent_values``."""

    kind: str
    name: str
    low: float = 0.0
    high: float = 1.0
    log: bool = False
    values: tuple[Any, ...] = ()
    parent: str | None = None
    parent_values: tuple[Any, ...] = ()

    def active(self, values: dict[str, Any]) -> bool:
        return self.parent is None or values.get(self.parent) in self.parent_values


def Float(name: str, low: float, high: float, log: bool = False, **cond: Any) -> Param:  # noqa: N802
    return Param("float", name, low, high, log, **cond)


def Int(name: str, low: int, high: int, log: bool = False, **cond: Any) -> Param:  # noqa: N802
    return Param("int", name, low, high, log, **cond)


def Choice(name: str, values: tuple[Any, ...], **cond: Any) -> Param:  # noqa: N802
    return Param("choice", name, values=tuple(values), **cond)


def declare(hp: Any, space: tuple[Param, ...]) -> Any:
    """Declare ``space`` on a rung or keras-tuner ``HyperParameters``; returns ``hp``."""
    for p in space:
        cond: dict[str, Any] = {}
        if p.parent is not None:
            cond = {"parent_name": p.parent, "parent_values": list(p.parent_values)}
        sampling = "log" if p.log else "linear"
        if p.kind == "float":
            hp.Float(p.name, p.low, p.high, sampling=sampling, **cond)
        elif p.kind == "int":
            hp.Int(p.name, int(p.low), int(p.high), sampling=sampling, **cond)
        else:
            hp.Choice(p.name, list(p.values), **cond)
    return hp


def suggest(trial: Any, space: tuple[Param, ...]) -> dict[str, Any]:
    """Ask an Optuna trial for the active hyperparameters of ``space``, in order."""
    values: dict[str, Any] = {}
    for p in space:
        if not p.active(values):
            continue
        if p.kind == "float":
            values[p.name] = trial.suggest_float(p.name, p.low, p.high, log=p.log)
        elif p.kind == "int":
            values[p.name] = trial.suggest_int(p.name, int(p.low), int(p.high), log=p.log)
        else:
            values[p.name] = trial.suggest_categorical(p.name, list(p.values))
    return values
