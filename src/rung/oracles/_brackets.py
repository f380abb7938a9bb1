"""The live state of Hyperband brackets: typed records, saved as JSON objects (not positional
lists), so that a saved state reads the same to people and to the next version of rung."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Bracket", "Entry", "ShortBracket"]


@dataclass
class Entry:
    """A configuration in a rung: its job's trial id, values and result (``done`` False: pending)."""

    trial_id: str
    values: dict[str, Any]
    parent_id: str | None = None
    done: bool = False
    loss: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"trial_id": self.trial_id, "values": self.values, "parent_id": self.parent_id,
                "done": self.done, "loss": self.loss}

    @classmethod
    def from_json(cls, data: Any) -> Entry:
        if isinstance(data, list):  # state version 1 (rung 0.1) saved entries as lists
            return cls(*data)
        return cls(trial_id=data["trial_id"], values=dict(data["values"]),
                   parent_id=data["parent_id"], done=bool(data["done"]), loss=data["loss"])


@dataclass(frozen=True)
class ShortBracket:
    """A bracket whose first rung got fewer configurations than planned (the space ran out)."""

    iteration: int
    s: int
    got: int
    planned: int

    def to_json(self) -> dict[str, int]:
        return {"iteration": self.iteration, "s": self.s, "got": self.got,
                "planned": self.planned}

    @classmethod
    def from_json(cls, data: Any) -> ShortBracket:
        if isinstance(data, list):  # state version 1
            return cls(*data)
        return cls(**data)


@dataclass
class Bracket:
    """The live state of one bracket: the current rung, its jobs, and the promotions to start."""

    iteration: int
    s: int
    rung: int = 0
    target: int = 0  # jobs the current rung runs (the plan, less where the space ran out)
    base_size: int | None = None  # configurations rung 0 really got
    entries: list[Entry] = field(default_factory=list)  # started jobs of the current rung
    queue: list[Entry] = field(default_factory=list)  # promotions not yet started
    exclude: list[str] = field(default_factory=list)  # rung-0 configurations (de-duplication)
    finished: bool = False
    replaces: int | None = None  # BOHB: the planned bracket whose epochs it trains (s = 0 jobs)

    @property
    def key(self) -> str:
        """Unique among an iteration's brackets: a bracket run as full-budget jobs in place of
        bracket ``r`` is ``"i/0<r"``, next to the iteration's own ``"i/0"``."""
        if self.replaces is None:
            return f"{self.iteration}/{self.s}"
        return f"{self.iteration}/{self.s}<{self.replaces}"

    def to_json(self) -> dict[str, Any]:
        # by hand, not dataclasses.asdict: this runs twice per job and asdict deep-copies
        return {
            "iteration": self.iteration, "s": self.s, "rung": self.rung, "target": self.target,
            "base_size": self.base_size, "finished": self.finished, "exclude": self.exclude,
            "replaces": self.replaces,
            "entries": [e.to_json() for e in self.entries],
            "queue": [e.to_json() for e in self.queue],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Bracket:
        d = dict(data)
        d["entries"] = [Entry.from_json(e) for e in d["entries"]]
        d["queue"] = [Entry.from_json(e) for e in d["queue"]]
        d["exclude"] = list(d["exclude"])
        return cls(**d)
