"""Per-trial checkpoint files: ``<root>/<trial_id>/``.

``save`` pickles an object atomically (write to a temporary file, then ``os.replace``), so a killed
process never leaves a half-written checkpoint behind: a reader sees the old file or the new one.
Framework-native files (Keras ``.weights.h5``, ``torch.save``) go in ``directory(trial_id)``.

What ``load`` finds is checked before anything is unpickled. The file starts with a header and
the SHA-256 of the pickle, so a file truncated or replaced afterwards (a full disk, a copy gone
wrong, a stray write) raises ``CheckpointCorruptError`` naming it, instead of a pickle error or
a wrong model. ``save`` also leaves a marker (``checkpoint.saved``) beside the file: a checkpoint
deleted later raises ``CheckpointMissingError``, where a trial that never saved one gets None.
Files from before the header (plain pickles) still load.

``pack``/``unpack`` turn a trial's directory into ``{relative path: bytes}`` and back, so that a
checkpoint can travel with a job to a worker that does not see the project directory (Dask, Ray).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from rung.errors import CheckpointCorruptError, CheckpointMissingError
from rung.validation import fail_type, fail_value

__all__ = ["CheckpointStore", "check_trial_id"]

FILENAME = "checkpoint.pkl"
MARKER = "checkpoint.saved"
MAGIC = b"rung-checkpoint-1\n"  # then the SHA-256 of the pickle (32 bytes), then the pickle


_TRIAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


def check_trial_id(trial_id: object, name: str = "trial_id") -> str:
    """``trial_id`` if it is a trial id: one name of letters, digits, ``_`` and ``-`` (rung's
    are ``"00042"``), so that ``<root>/<trial_id>`` stays a folder of the trials directory; a
    path (``"../../etc"``, ``"/tmp"``), an empty string or another type is refused."""
    expected = "a trial id (a string of letters, digits, '_' and '-', such as '00042')"
    if not isinstance(trial_id, str):
        raise fail_type(name, expected, trial_id)
    if not _TRIAL_ID.fullmatch(trial_id):
        raise fail_value(name, expected, trial_id,
                         "it names a folder of the project's trials directory, never a path")
    return trial_id


def _decode(data: bytes, trial_id: str, path: Path) -> Any:
    """Unpickle a checkpoint file's bytes once its header and checksum match."""
    if data.startswith(MAGIC):
        digest, payload = data[len(MAGIC):len(MAGIC) + 32], data[len(MAGIC) + 32:]
        if hashlib.sha256(payload).digest() != digest:
            raise CheckpointCorruptError(
                f"the checkpoint of trial {trial_id} ({str(path)!r}, {len(data)} bytes) does not "
                "match its checksum: it was truncated or overwritten after it was saved. The job "
                "that continues it fails rather than train from a damaged state.")
        return pickle.loads(payload)  # noqa: S301 - our own file, checksum verified
    try:
        return pickle.loads(data)  # noqa: S301 - a checkpoint written before the header
    except Exception as exc:
        raise CheckpointCorruptError(
            f"the checkpoint of trial {trial_id} ({str(path)!r}, {len(data)} bytes) is not a rung "
            f"checkpoint: it was replaced or damaged ({type(exc).__name__}: {exc}). The job that "
            "continues it fails rather than train from a damaged state.") from None


class CheckpointStore:
    """Checkpoints of a project, one directory per trial."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _folder(self, trial_id: str) -> Path:
        return self.root / check_trial_id(trial_id)

    def directory(self, trial_id: str, create: bool = True) -> Path:
        """The trial's folder (``<root>/<trial_id>``), created unless ``create`` is False."""
        path = self._folder(trial_id)
        if create:
            path.mkdir(parents=True, exist_ok=True)
        return path

    def save(self, trial_id: str, obj: Any) -> Path:
        directory = self.directory(trial_id)
        target = directory / FILENAME
        payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        (directory / MARKER).touch()  # first: a child loads only after this save completed
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".pkl")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def exists(self, trial_id: str) -> bool:
        return (self._folder(trial_id) / FILENAME).exists()

    def load(self, trial_id: str) -> Any:
        """The object saved for ``trial_id``, or None when it saved none."""
        path = self._folder(trial_id) / FILENAME
        if not path.exists():
            if (path.parent / MARKER).exists():
                raise CheckpointMissingError(
                    f"the checkpoint of trial {trial_id} is gone: the trial saved one, but "
                    f"{str(path)!r} was deleted since. A job that continues that trial cannot "
                    "start from its state, so it fails (the search goes on without it). Leave "
                    "a project's files alone while its search runs.")
            return None
        return _decode(path.read_bytes(), trial_id, path)

    def pack(self, trial_id: str) -> dict[str, bytes]:
        """Every file of the trial's directory as ``{posix relative path: bytes}`` ({} if none)."""
        directory = self._folder(trial_id)
        if not directory.is_dir():
            return {}
        files: dict[str, bytes] = {}
        for path in sorted(directory.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                files[path.relative_to(directory).as_posix()] = path.read_bytes()
        return files

    def unpack(self, trial_id: str, files: dict[str, bytes]) -> Path:
        """Replace the trial's directory by ``files`` (what ``pack`` returned), atomically."""
        final = self._folder(trial_id)
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
            shutil.rmtree(final, ignore_errors=True)
            os.replace(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return final

    def delete(self, trial_id: str) -> None:
        shutil.rmtree(self._folder(trial_id), ignore_errors=True)
