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
import itertools
import os
import pickle
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from rung.errors import CheckpointCorruptError, CheckpointMissingError
from rung.validation import fail_type, fail_value

__all__ = ["CheckpointStore", "check_trial_id", "pickle_error", "write_atomically"]

FILENAME = "checkpoint.pkl"
MARKER = "checkpoint.saved"
MAGIC = b"rung-checkpoint-1\n"  # then the SHA-256 of the pickle (32 bytes), then the pickle


_PICKLE_ERRORS = (pickle.PicklingError, TypeError, AttributeError)  # what pickle raises itself
_MAX_CHILDREN = 10_000  # parts of one container tried, when looking for the unpicklable one
_MAX_DEPTH = 12


def _parts(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    """The parts of ``obj`` pickle goes into (items, elements, attributes), named by path."""
    attributes = getattr(obj, "__dict__", None)
    if isinstance(obj, dict):
        yield from ((f"{path}[{key!r}]", value) for key, value in obj.items())
    elif isinstance(obj, (list, tuple)):
        yield from ((f"{path}[{i}]", value) for i, value in enumerate(obj))
    elif isinstance(obj, (set, frozenset)):
        yield from ((f"an element of {path}", value) for value in obj)
    elif isinstance(attributes, dict):
        yield from ((f"{path}.{name}", value) for name, value in attributes.items())


def _unpicklable_part(obj: Any, path: str, depth: int = 0) -> tuple[str, Any]:
    """The innermost part of ``obj`` that pickle refuses (``obj`` itself if none of its parts,
    or if its class is refused: an instance of a class defined inside a function)."""
    if not isinstance(obj, (dict, list, tuple, set, frozenset)):
        try:
            pickle.dumps(type(obj), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - the class itself, before any attribute
            return path, obj
    if depth < _MAX_DEPTH:
        for name, part in itertools.islice(_parts(obj, path), _MAX_CHILDREN):
            try:
                pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - any refusal: look inside that part
                return _unpicklable_part(part, name, depth + 1)
    return path, obj


def pickle_error(error: BaseException, parts: dict[str, Any], call: str) -> BaseException:
    """The error to raise when pickling ``parts`` (``{name: object}``) for ``call`` failed with
    ``error``: pickle's own error (``TypeError: cannot pickle '_thread.lock' object``) names a
    type but not where it is, so the same type of error, naming the part (``obj['lock']``),
    its type and what a checkpoint should hold instead. Any other error is returned as it is."""
    if type(error) not in _PICKLE_ERRORS:
        return error
    where, what = "", None
    for name, obj in parts.items():
        try:
            pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - the part that fails
            where, what = _unpicklable_part(obj, name)
            break
    kind = type(what)
    name = kind.__qualname__ if kind.__module__ == "builtins" else (
        f"{kind.__module__}.{kind.__qualname__}")
    found = f"{where}, a {name}, cannot be pickled" if where else "it cannot be pickled"
    return type(error)(
        f"{call}: {found} ({type(error).__name__}: {error}). A checkpoint is pickled, so it "
        "holds what the next job needs to continue as plain data (a model's state_dict(), "
        "arrays, numbers, a fitted estimator), not open files, locks, threads, generators, "
        "lambdas or functions defined inside another function; framework files go in "
        "trial.checkpoint_dir. Nothing was written.")


_TRIAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


def write_atomically(target: Path, write: Callable[[BinaryIO], object], suffix: str = "") -> None:
    """``write(file)`` into a temporary file beside ``target`` (opened for binary writing), then
    rename it to ``target``: a reader sees the old file or the new one, never half of one; a
    failed write leaves no temporary file."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        try:
            payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            error = pickle_error(exc, {"obj": obj}, f"the checkpoint of trial {trial_id} "
                                 "(save_checkpoint(obj))")
            if error is exc:
                raise
            raise error from exc
        (directory / MARKER).touch()  # first: a child loads only after this save completed
        write_atomically(target, lambda fh: fh.write(
            MAGIC + hashlib.sha256(payload).digest() + payload), ".pkl")
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
