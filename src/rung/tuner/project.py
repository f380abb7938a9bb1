"""A project on disk: where it lives (``location``, ``make_project_dir``), what ``overwrite=True``
may delete (``delete_for_overwrite``), and its records as a whole: starting a failed project over
(``search(retry_failed=True)``).

``directory`` is made absolute (``~`` expanded) when the tuner is constructed, so a training
function that changes the working directory does not move the project's checkpoints.
``project_name`` names one folder of ``directory``: not ``.`` or ``..`` (the directory itself, or
its parent, which ``overwrite=True`` would delete), nothing with a path separator or a NUL.
``overwrite=True`` deletes a directory only when it holds a project: rung's (``rung.db``, or
nothing but rung's checkpoints ``trials/``), keras-tuner's (``oracle.json``, which keras-tuner's
own ``overwrite`` deletes), or nothing at all. Any other directory (a source tree, a data folder
that a ``project_name`` happens to name) is refused untouched: keras-tuner 1.4.8 ``rmtree``'s it.

When no stored trial of a project completed (every one failed, e.g. because of a bug in the
training function, now fixed), the project holds no result worth keeping. ``retry_failed=True``
then clears it (the trials, their failure records, reports and checkpoints; the settings stay) so
that the search runs again from its start: the oracle is reset to its state before the first job,
so with the same seed it proposes the same configurations in the same order.

An in-memory project is replaced by a new ``InMemoryStorage`` (the tuner's ``storage``); a SQLite
one is deleted and created again at the same path.

A project with completed trials is not cleared: its failed trials stay failed (the oracle has
already scheduled the rest of the search around them); pass ``overwrite=True`` to the tuner to
start it over completely.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from rung.errors import ConfigurationError, ProjectError
from rung.storage import InMemoryStorage, SQLiteStorage, Storage, get_storage
from rung.trial_record import TrialStatus
from rung.validation import check_instance, fail_value

__all__ = ["DB_NAME", "RUNG_ENTRIES", "absolute_path", "check_project_name",
           "clear_failed_project", "delete_for_overwrite", "keras_tuner_left_here", "location",
           "make_project_dir"]

DB_NAME = "rung.db"
# what rung writes in a project directory: the database (with SQLite's side files) and the
# trials' checkpoints
RUNG_ENTRIES = (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal", "trials")
_SEPARATORS = sorted({"/", os.sep} | ({os.altsep} if os.altsep else set()))


def check_project_name(project_name: object) -> str:
    """``project_name`` if it names one new folder of the directory, else an error (before
    anything is written or deleted): ``"."`` is the directory itself and ``".."`` its parent,
    which ``overwrite=True`` would delete."""
    check_instance("project_name", project_name, str, "a string")
    name = str(project_name)
    if name in ("", ".", "..") or "\0" in name or any(sep in name for sep in _SEPARATORS):
        seps = " or ".join(repr(sep) for sep in _SEPARATORS)
        raise fail_value("project_name", "a plain folder name: non-empty, not '.' or '..', "
                         f"without {seps} or a NUL character", name,
                         "the project lives in directory/project_name; put the path in "
                         "directory= and the last folder's name in project_name=")
    return name


def location(directory: object, project_name: object) -> tuple[Path, str]:
    """``(directory, project_name)`` checked, the directory made absolute (``absolute_path``);
    None means the default (as in keras-tuner)."""
    directory = "." if directory is None else directory
    project_name = "untitled_project" if project_name is None else project_name
    check_instance("directory", directory, (str, os.PathLike), "a path (str or pathlib.Path)")
    name = check_project_name(project_name)
    return absolute_path("directory", directory), name  # type: ignore[arg-type]


def absolute_path(name: str, path: str | os.PathLike[str]) -> Path:
    """``path`` absolute, with ``~`` expanded, as of now: the project stays where it was created
    when a training function changes the working directory (``os.chdir``), and ``"~/runs"`` is
    the home directory's ``runs``, not a folder named ``~``. Symbolic links stay as written, but
    a path with ``..`` is resolved by the file system (``link/..`` is the parent of the link's
    target, not the folder holding the link)."""
    try:
        absolute = Path(path).expanduser().absolute()
    except RuntimeError as exc:  # "~someone" who is no user here
        raise fail_value(name, "a path", str(path), f"{exc}") from None
    return absolute.resolve() if ".." in absolute.parts else absolute


def _holds_a_project(project_dir: Path) -> bool:
    """Whether ``project_dir`` (a directory) is one ``overwrite=True`` may delete: rung's
    project, keras-tuner's, rung's checkpoints alone (a project whose storage is elsewhere), or
    an empty directory."""
    if (project_dir / DB_NAME).is_file() or (project_dir / "oracle.json").is_file():
        return True
    return all(entry.name in RUNG_ENTRIES for entry in project_dir.iterdir())


def delete_for_overwrite(project_dir: Path, what: str = "overwrite=True") -> None:
    """Delete ``project_dir`` (``overwrite=True``) when it holds a project (see the module);
    refuse anything else with a ``ProjectError`` naming it, having deleted nothing. A missing
    ``project_dir`` is left to be created."""
    if not project_dir.exists() and not project_dir.is_symlink():
        return
    why = None
    if project_dir.is_symlink():
        why = "it is a symbolic link (rung deletes no directory through a link)"
    elif not project_dir.is_dir():
        why = "it is a file, not a project directory"
    elif not _holds_a_project(project_dir):
        entries = sorted(entry.name for entry in project_dir.iterdir())
        shown = ", ".join(repr(name) for name in entries[:5])
        more = f" and {len(entries) - 5} more" if len(entries) > 5 else ""
        why = (f"it holds no rung project (no {DB_NAME}) nor keras-tuner project (no "
               f"oracle.json): it holds {shown}{more}")
    if why is not None:
        raise ProjectError(
            f"{what} deletes the project directory {str(project_dir)!r} to start afresh, but "
            f"{why}; nothing was deleted. Choose another directory or project_name, or delete "
            "it yourself if it is meant to go.")
    shutil.rmtree(project_dir)


def make_project_dir(directory: Path, project_dir: Path) -> None:
    """Create ``project_dir``; a ``directory`` that is a file or not writable is the user's
    mistake, named as such (not a raw ``OSError``)."""
    try:
        project_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = ("is a file, not a directory"
               if isinstance(exc, (NotADirectoryError, FileExistsError))
               else "is not writable" if isinstance(exc, PermissionError)
               else "cannot be created")
        raise fail_value("directory", "a directory where rung can create the project "
                         f"{project_dir.name!r}", str(directory),
                         f"{str(exc.filename or project_dir)!r} {why} ({exc}); choose "
                         "another directory or project_name") from exc


def keras_tuner_left_here(directory: Path, project_dir: Path) -> str | None:
    """The warning for a project directory that holds keras-tuner's project (``oracle.json``)
    but no rung project yet: rung does not read keras-tuner's files, so without an import the
    search would start afresh beside them (a keras-tuner script rerun after ``import rung as
    kt``). None when there is nothing to say."""
    if (project_dir / DB_NAME).exists() or not (project_dir / "oracle.json").is_file():
        return None
    trials = sum(1 for p in project_dir.glob("trial_*") if p.is_dir())
    call = (f"rung.import_keras_tuner({str(project_dir)!r}, directory={str(directory)!r}, "
            f"project_name={project_dir.name!r})")
    return (f"{project_dir} holds a keras-tuner project (oracle.json, {trials} trial "
            "directories), which rung does not read: this tuner starts a new rung project beside "
            f"it and trains from scratch. To keep keras-tuner's trials, stop here, run {call} "
            f"once (or: rung import-keras-tuner {project_dir} --directory {directory} "
            f"--project-name {project_dir.name}), then run this script again: the search takes "
            "the imported trials over (docs/keras-tuner.md, \"Importing a keras-tuner project\").")


def _has_results(storage: Storage) -> int:
    return storage.count_trials(TrialStatus.COMPLETED) + storage.count_trials(TrialStatus.PRUNED)


def clear_failed_project(storage: Storage) -> Storage | None:
    """A cleared copy of ``storage`` (settings kept) when every trial in it failed, else None.

    Raises ``ConfigurationError`` when some trials failed and others completed, or when
    ``storage`` is neither SQLite nor in memory (rung cannot clear it).
    """
    failed = storage.count_trials(TrialStatus.FAILED)
    if not failed:
        return None  # nothing to retry
    completed = _has_results(storage)
    if completed:
        raise ConfigurationError(
            f"retry_failed=True starts over a project none of whose trials completed; this one "
            f"has {completed} completed and {failed} failed trials. Its failed trials stay "
            "failed (the search continues around them): run search() without retry_failed, or "
            "pass overwrite=True to the tuner to start a new project."
        )
    settings = storage.get_settings()
    if isinstance(storage, InMemoryStorage):
        fresh: Storage = InMemoryStorage()
    elif isinstance(storage, SQLiteStorage):
        path = storage.path
        storage.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        fresh = get_storage(path, create=True)
    else:
        raise ConfigurationError(
            f"retry_failed=True can clear a SQLite or in-memory storage, not a "
            f"{type(storage).__name__}; pass overwrite=True to the tuner instead."
        )
    if settings is not None:
        fresh.set_settings(settings)
    return fresh
