"""Per-trial checkpoint files: ``<root>/<trial_id>/``.

``save`` pickles an object atomically (write to a temporary file, then ``os.replace``), so a killed
process never leaves a half-written checkpoint behind: a reader sees the old file or the new one.
Framework-native files (Keras ``.weights.h5``, ``torch.save``) go in ``directory(trial_id)``.

``pack``/``unpack`` turn a trial's directory into ``{relative path: bytes}`` and back, so that a
checkpoint can travel with a job to a worker that does not see the project directory (Dask, Ray).
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

    def pack(self, trial_id: str) -> dict[str, bytes]:
        """Every file of the trial's directory as ``{posix relative path: bytes}`` ({} if none)."""
        directory = self.root / trial_id
        if not directory.is_dir():
            return {}
        files: dict[str, bytes] = {}
        for path in sorted(directory.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                files[path.relative_to(directory).as_posix()] = path.read_bytes()
        return files

    def unpack(self, trial_id: str, files: dict[str, bytes]) -> Path:
        """Replace the trial's directory by ``files`` (what ``pack`` returned), atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix=f".tmp-{trial_id}-"))
        try:
            for name, data in files.items():
                relative = Path(name)
                if relative.is_absolute() or ".." in relative.parts:
                    raise ValueError(f"checkpoint file name {name!r} leaves the trial directory")
                target = staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            final = self.root / trial_id
            shutil.rmtree(final, ignore_errors=True)
            os.replace(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return final

    def delete(self, trial_id: str) -> None:
        shutil.rmtree(self.root / trial_id, ignore_errors=True)
