"""A file of finished runs (JSON lines): an interrupted benchmark resumes where it stopped, and
a change to one optimiser is re-measured without re-running the others."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from _se.registry import Result, Task

__all__ = ["RunStore"]


class RunStore:
    """Finished runs keyed by their task, appended to ``path`` as they finish.

    Example::

        store = RunStore(Path("runs.jsonl"), rerun={"rung BOHB"})
        todo = [t for t in tasks if t not in store]
    """

    def __init__(self, path: Path, rerun: Iterable[str] = ()) -> None:
        self.path = path
        self.rerun = set(rerun)
        self._runs: dict[Task, Result] = {}
        if path.exists():
            text = path.read_text()
            if not text.endswith("\n"):  # a run cut short while it was written: run it again
                text = text[:text.rfind("\n") + 1]
                path.write_text(text)
            for number, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    result = _load(json.loads(line))
                except (ValueError, KeyError, TypeError) as exc:
                    raise SystemExit(f"{path}:{number}: not a run of this benchmark ({exc}); "
                                     "pass another --runs file") from exc
                if result.task.optimizer not in self.rerun and not result.error:
                    self._runs[result.task] = result  # the newest line for a task wins

    def __contains__(self, task: object) -> bool:
        return task in self._runs

    def get(self, task: Task) -> Result:
        return self._runs[task]

    def compact(self, drop: Iterable[Task] = ()) -> None:
        """Rewrites the file with one line per task, the newest (the one that counts when the
        file is read), leaving out the tasks in ``drop``: a ``--rerun`` drops the old runs of
        what it re-measures before it starts (so a rerun cut short and resumed without
        ``--rerun`` does not mix old and new runs), and the superseded lines at the end. Lines
        of other tasks not read this time (errors, other problems) are kept as they are; the
        file is replaced in one step, so a kill leaves the old file or the new one."""
        if not self.path.exists():
            return
        dropped = {_key(asdict(task)) for task in drop}
        newest: dict[str, str] = {}
        for line in self.path.read_text().splitlines():
            if line.strip():
                key = _key(json.loads(line)["task"])
                newest.pop(key, None)  # re-inserted: the file keeps the order of the newest lines
                if key not in dropped:
                    newest[key] = line
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text("".join(line + "\n" for line in newest.values()))
        os.replace(partial, self.path)

    def add(self, result: Result) -> None:
        self._runs[result.task] = result
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as f:
            f.write(json.dumps(asdict(result)) + "\n")


def _key(task: dict[str, Any]) -> str:
    return json.dumps(task, sort_keys=True)


def _load(row: dict[str, Any]) -> Result:
    return Result(**{**row, "task": Task(**row["task"]), "epochs": tuple(row["epochs"]),
                     "regrets": tuple(row["regrets"])})
