"""PyTorch: save and restore everything a promoted trial needs to continue, in one call.

A Hyperband child trial continues its parent's training from ``trial.initial_epoch``. To continue
*exactly* like an uninterrupted run it needs the parent's model, optimizer and LR-scheduler states
and the random number generators (dropout masks, ``DataLoader`` shuffling): :func:`save` writes
them all into ``trial.checkpoint_dir``, atomically, and :func:`restore` loads them from
``trial.parent_checkpoint_dir``. On CPU the continuation is bit-for-bit identical to an
uninterrupted run (``tests/integrations/test_torch.py`` checks it); on GPU it is as deterministic
as the kernels are (see ``torch.use_deterministic_algorithms``).

Example::

    import rung
    from rung.integrations import torch as rung_torch

    def train(trial, data):
        lr = trial.hyperparameters.Float("lr", 1e-4, 1e-1, sampling="log")
        if trial.parent_id is None:
            rung_torch.seed_all(0)   # a new configuration: seeded before its weights are drawn
        model, optimizer = make_model(), torch.optim.Adam(...)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)
        rung_torch.restore(trial, model=model, optimizer=optimizer, scheduler=scheduler)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            ...one epoch...
            trial.report(epoch, val_loss=val_loss)
        rung_torch.save(trial, model=model, optimizer=optimizer, scheduler=scheduler)

    tuner.search(data)                              # then the best model, in a fresh one:
    rung_torch.load(tuner, model=make_model())      # (tuner.get_best_models() returns what
                                                    # trial.save_checkpoint saved)

``torch`` is imported on first use; without it the error says ``pip install "rung[torch]"``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rung.checkpoints import pickle_error
from rung.errors import CheckpointMissingError
from rung.integrations._torch_files import read_checked, write_checked
from rung.integrations._torch_rng import (
    SEED_MAX,
    _torch,
    get_rng_state,
    seed_all,
    set_rng_state,
)
from rung.trial import Trial
from rung.validation import check_bool, check_instance, fail_type, fail_value

__all__ = ["FILENAME", "SEED_MAX", "get_rng_state", "load", "restore", "save", "seed_all",
           "set_rng_state"]

FILENAME = "torch_checkpoint.pt"
"""The file :func:`save` writes in ``trial.checkpoint_dir``."""

FORMAT = 1


def _check_stateful(name: str, obj: Any) -> None:
    expected = "None or an object with state_dict() and load_state_dict()"
    if isinstance(obj, type):  # the class has both methods, unbound: state_dict() needs `self`
        raise fail_type(name, expected, obj, f"pass an instance, e.g. {name}={obj.__name__}(...), "
                        "not the class")
    if obj is not None and not (hasattr(obj, "state_dict") and hasattr(obj, "load_state_dict")):
        raise fail_type(name, expected, obj,
                        "a torch.nn.Module, optimizer, LR scheduler, GradScaler, ...")


def _check_call(trial: Any, model: Any, optimizer: Any, scheduler: Any, rng: Any,
                filename: Any) -> None:
    """The checks :func:`save` and :func:`restore` share, before any file is touched."""
    check_instance("trial", trial, Trial, "a rung.Trial",
                   "pass the trial your run_trial function receives")
    for name, obj in (("model", model), ("optimizer", optimizer), ("scheduler", scheduler)):
        _check_stateful(name, obj)
    check_bool("rng", rng)
    _check_filename(filename)


def _check_filename(filename: Any) -> None:
    """A plain file name (a ``str``, or an ``os.PathLike`` such as ``pathlib.Path("best.pt")``
    whose ``str`` is one): the checkpoint stays inside the trial's directory, where the
    checkpoint cleanup (``keep_checkpoints``) finds it and where a child looks for it."""
    expected = "a plain file name (no directory part), e.g. 'torch_checkpoint.pt'"
    given = filename
    if isinstance(filename, os.PathLike):
        filename = os.fspath(filename)
    if not isinstance(filename, str):
        raise fail_type("filename", expected, given)
    separators = {"/", os.sep, os.altsep or "/"}
    if filename in ("", ".", "..") or any(sep in filename for sep in separators) \
            or "\0" in filename:
        raise fail_value("filename", expected, given,
                         "the file is written in trial.checkpoint_dir; several checkpoints per "
                         "trial need different names, not sub-directories")


def save(
    trial: Trial,
    *,
    model: Any = None,
    optimizer: Any = None,
    scheduler: Any = None,
    extra: Any = None,
    rng: bool = True,
    filename: str | os.PathLike[str] = FILENAME,
) -> Path:
    """Save the states a child trial needs into ``trial.checkpoint_dir / filename``.

    Args:
        trial: the running trial.
        model, optimizer, scheduler: anything with ``state_dict()`` (None: not saved).
        extra: any picklable object of yours (a step counter, the best metric, ...);
            :func:`restore` returns it.
        rng: also save the random generators (needed for a bit-for-bit continuation); a
            ``bool`` or ``numpy.bool_``.
        filename: a plain file name inside ``trial.checkpoint_dir`` (several checkpoints per
            trial need different names), a ``str`` or an ``os.PathLike`` such as
            ``pathlib.Path("best.pt")``; ``""``, ``"."``, ``".."`` and names with a path
            separator are refused, so no checkpoint lands outside the trial's directory.

    The file is written to a temporary name and renamed, so a killed process leaves the old
    checkpoint or the new one, never half of one; its SHA-256 goes beside it
    (``<filename>.sha256``), so that :func:`restore` and :func:`load` refuse a file damaged
    since (``CheckpointCorruptError``) rather than load wrong weights. Returns the path written.

    Raises:
        ArgumentTypeError, ConfigurationError: a bad argument (named), before anything is written.
    """
    torch = _torch()
    _check_call(trial, model, optimizer, scheduler, rng, filename)
    payload = {
        "format": FORMAT,
        "epoch": trial.epochs,
        "model": None if model is None else model.state_dict(),
        "optimizer": None if optimizer is None else optimizer.state_dict(),
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "rng": get_rng_state() if rng else None,
        "extra": extra,
    }
    target = trial.checkpoint_dir / filename
    try:
        write_checked(torch, payload, target)
    except BaseException as exc:
        parts = {key: payload[key] for key in ("model", "optimizer", "scheduler", "extra")}
        error = pickle_error(exc, parts, f"rung.integrations.torch.save(trial {trial.trial_id})")
        if error is exc:
            raise
        raise error from exc
    return target


def restore(
    trial: Trial,
    *,
    model: Any = None,
    optimizer: Any = None,
    scheduler: Any = None,
    rng: bool = True,
    map_location: Any = "cpu",
    filename: str | os.PathLike[str] = FILENAME,
) -> Any:
    """Load the parent's checkpoint into ``model``, ``optimizer`` and ``scheduler``.

    Returns None when the trial starts from scratch (it has no parent), otherwise the ``extra``
    the parent saved (``{}`` when it saved none), so ``if restore(...) is None:`` tells a new
    configuration from a continued one. Objects passed as None are not restored; states saved
    as None (the parent did not save that object) are an error when asked for.

    Raises:
        CheckpointMissingError: (a ``FileNotFoundError``) the trial has a parent but the parent
            saved no such checkpoint.
        ArgumentTypeError, ConfigurationError: a bad argument (named, as in :func:`save`).
    """
    _check_call(trial, model, optimizer, scheduler, rng, filename)
    directory = trial.parent_checkpoint_dir
    if directory is None:
        return None
    path = directory / filename
    if not path.exists():
        raise CheckpointMissingError(
            f"trial {trial.trial_id} continues trial {trial.parent_id}, but {str(path)!r} does not "
            "exist: call rung.integrations.torch.save(trial, ...) at the end of every trial "
            "(with the same filename)"
        )
    return _load_into(path, f"trial {trial.parent_id}", model, optimizer, scheduler,
                      rng, map_location, "restore()")


def load(
    tuner: Any,
    trial: Trial | None = None,
    *,
    model: Any = None,
    optimizer: Any = None,
    scheduler: Any = None,
    rng: bool = False,
    map_location: Any = "cpu",
    filename: str | os.PathLike[str] = FILENAME,
) -> Any:
    """Load what a finished trial saved with :func:`save` into fresh objects, after a search:
    the torch counterpart of ``tuner.get_best_models()`` (which returns what
    ``trial.save_checkpoint`` saved, not these files).

    Args:
        tuner: the tuner that ran the search (or one opened on its project).
        trial: one of ``tuner.oracle.get_best_trials(n)`` (by id: ``tuner.oracle.get_trial(id)``);
            None: the best trial.
        model, optimizer, scheduler: fresh objects to load the saved states into (None: not
            loaded); built from ``trial.hyperparameters`` as the training function builds them.
        rng: also set the random generators to where the trial left them (default False: a
            script's generators are left alone).
        map_location, filename: as for :func:`restore`.

    Returns the ``extra`` the trial saved (``{}`` when none).

    Raises:
        CheckpointMissingError: no trial has completed, ``keep_checkpoints`` deleted the trial's
            directory (ask for one of the kept best trials), or the trial saved no such file.
        ArgumentTypeError, ConfigurationError: a bad argument (named, as in :func:`save`).
    """
    if not (hasattr(tuner, "checkpoints") and hasattr(tuner, "oracle")):
        raise fail_type("tuner", "a rung tuner (rung.Hyperband(...), ...)", tuner,
                        "pass the tuner whose search saved the checkpoints")
    if trial is None:
        best = tuner.oracle.get_best_trials(1)
        if not best:
            raise CheckpointMissingError("rung.integrations.torch.load: no trial of this "
                                         "project has completed, so there is no best model")
        trial = best[0]
    check_instance("trial", trial, Trial, "None (the best trial) or a rung.Trial",
                   f"for a trial id pass tuner.oracle.get_trial({trial!r})"
                   if isinstance(trial, str) else "e.g. one of tuner.oracle.get_best_trials(n)")
    _check_call(trial, model, optimizer, scheduler, rng, filename)
    directory = tuner.checkpoints.directory(trial.trial_id, create=False)
    path = directory / filename
    if not path.exists():
        cleanup = getattr(tuner, "checkpoint_cleanup", None)
        if not directory.exists() and cleanup is not None:
            raise cleanup.missing_error(trial)  # says whether keep_checkpoints deleted it
        raise CheckpointMissingError(
            f"trial {trial.trial_id} saved no {os.fspath(filename)!r} in {str(directory)!r}: "
            "its training function did not call rung.integrations.torch.save(trial, ...) "
            "(with this filename)")
    return _load_into(path, f"trial {trial.trial_id}", model, optimizer, scheduler, rng,
                      map_location, "load()")


def _load_into(path: Path, owner: str, model: Any, optimizer: Any, scheduler: Any, rng: bool,
               map_location: Any, call: str) -> Any:
    """Load the checkpoint at ``path`` (saved by ``owner``) into the objects given; the
    ``extra`` it holds (``{}`` when none)."""
    payload = read_checked(_torch(), path, owner, map_location)
    for name, obj in (("model", model), ("optimizer", optimizer), ("scheduler", scheduler)):
        if obj is None:
            continue
        if payload[name] is None:
            raise ValueError(
                f"{name} was given, but {owner} saved no {name} state; pass "
                f"{name}=... to save() too, or {name}=None to {call}"
            )
        try:
            obj.load_state_dict(payload[name])
        except Exception as exc:  # torch's message names neither the file nor the trial
            if hasattr(exc, "add_note"):  # Python >= 3.11; the type is kept for callers
                exc.add_note(f"rung: {call} loading the {name} state that {owner} saved in "
                             f"{str(path)!r}: build the {name} as the training function did, "
                             "from that trial's hyperparameters")
            raise
    if rng and payload["rng"] is not None:
        set_rng_state(payload["rng"])
    return {} if payload["extra"] is None else payload["extra"]
