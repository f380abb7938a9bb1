"""Why a search ended: a typed record, not a sentence to parse."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

__all__ = ["Stop", "StopKind"]


class StopKind(str, enum.Enum):
    """The kinds of end an oracle reaches on its own."""

    PLAN_COMPLETE = "plan_complete"  # every planned job ran (Hyperband's brackets)
    MAX_TRIALS = "max_trials"  # max_trials configurations ran (a larger max_trials resumes)
    EXHAUSTED = "exhausted"  # the search space has no new configuration left


@dataclass(frozen=True)
class Stop:
    """The end of a search: its ``kind`` and a sentence for people."""

    kind: StopKind
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "message": self.message}

    @classmethod
    def from_json(cls, data: Any) -> Stop | None:
        if data is None:
            return None
        if isinstance(data, str):  # state version 1 kept only the sentence
            kind = (StopKind.MAX_TRIALS if data.startswith("max_trials=")
                    else StopKind.EXHAUSTED if "exhausted" in data else StopKind.PLAN_COMPLETE)
            return cls(kind, data)
        return cls(StopKind(data["kind"]), str(data["message"]))
