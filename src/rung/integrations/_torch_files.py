"""Writing and reading ``rung.integrations.torch``'s checkpoint files, with a checksum.

``torch.save`` writes a zip archive, and ``torch.load`` takes a damaged one without a word where
the damage is in the tensors' bytes (a flipped byte loads as a wrong weight), or fails with an
error that does not name the file (a truncated one: ``OSError: [Errno 22] Invalid argument``).
So beside ``<name>.pt`` goes ``<name>.pt.sha256``, the SHA-256 of the file as written, and
reading checks it first: a damaged file raises ``CheckpointCorruptError`` naming it, as rung's
own checkpoints do (``rung.checkpoints``). A file without the checksum (written by rung before
it, or by hand) is read as it is.

The file is written under a temporary name and renamed, then its checksum likewise: a process
killed between the two leaves a new file with the old checksum, which only the job that was
writing it could have read, and that job runs again on resume and writes both.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

from rung.checkpoints import write_atomically
from rung.errors import CheckpointCorruptError

__all__ = ["SUFFIX", "read_checked", "write_checked"]

SUFFIX = ".sha256"
_CHUNK = 1 << 20


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def write_checked(torch: Any, payload: Any, target: Path) -> None:
    """``torch.save(payload)`` to ``target``, then its checksum beside it."""
    write_atomically(target, lambda fh: torch.save(payload, fh), ".pt")
    digest = _digest(target)
    write_atomically(target.with_name(target.name + SUFFIX),
                     lambda fh: fh.write(f"{digest}\n".encode()), SUFFIX)


def read_checked(torch: Any, path: Path, owner: str, map_location: Any) -> Any:
    """``torch.load(path)``, after checking the file against its checksum where it has one."""
    checksum = path.with_name(path.name + SUFFIX)
    if checksum.exists():
        expected = checksum.read_text().strip()
        if _digest(path) != expected:
            raise CheckpointCorruptError(
                f"{str(path)!r} (saved by {owner}) does not match its checksum "
                f"({checksum.name}): it was truncated or overwritten after it was saved")
        return torch.load(path, map_location=map_location, weights_only=False)  # our own
    try:
        return torch.load(path, map_location=map_location, weights_only=False)
    except (OSError, EOFError, pickle.UnpicklingError) as exc:  # no checksum to tell: say so
        raise CheckpointCorruptError(
            f"{str(path)!r} (saved by {owner}) could not be read ({type(exc).__name__}: "
            f"{exc}): it is damaged or not a torch checkpoint") from exc
    except RuntimeError as exc:
        if "zip" not in str(exc) and "PytorchStreamReader" not in str(exc):
            raise
        raise CheckpointCorruptError(
            f"{str(path)!r} (saved by {owner}) could not be read ({exc}): it is damaged or "
            "not a torch checkpoint") from exc
