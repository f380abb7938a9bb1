"""Per-trial checkpoint files: ``<root>/<trial_id>/``.

``save`` pickles an object atomically (write to a temporary file, then ``os.replace``), so a killed
process never leaves a half-written checkpoint behind: a reader sees the old file or the new one.
Framework-native files (Keras ``.weights.h5``, ``torch.save``) go in ``directory(trial_id)``.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["CheckpointStore"]

FILENAME = "checkpoint.pkl"


class CheckpointStore:
    """Checkpoints of a project, one directory per trial."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def directory(self, trial_id: str, create: bool = True) -> Path:
        path = self.root / trial_id
        if create:
            path.mkdir(parents=True, exist_ok=True)
        return path

    def save(self, trial_id: str, obj: Any) -> Path:
        directory = self.directory(trial_id)
        target = directory / FILENAME
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".pkl")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def exists(self, trial_id: str) -> bool:
        return (self.root / trial_id / FILENAME).exists()

    def load(self, trial_id: str) -> Any:
        """The object saved for ``trial_id``, or None when it saved none."""
        path = self.root / trial_id / FILENAME
        if not path.exists():
            return None
        with path.open("rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own files

    def delete(self, trial_id: str) -> None:
        shutil.rmtree(self.root / trial_id, ignore_errors=True)
