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

``torch`` is imported on first use; without it the error says ``pip install "rung[torch]"``.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rung.optional import import_optional
from rung.trial import Trial
from rung.validation import check_bool, check_instance, check_int, fail_type, fail_value

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["FILENAME", "SEED_MAX", "get_rng_state", "restore", "save", "seed_all", "set_rng_state"]

FILENAME = "torch_checkpoint.pt"
"""The file :func:`save` writes in ``trial.checkpoint_dir``."""

FORMAT = 1

SEED_MAX = 2**64 - 1
"""The largest seed :func:`seed_all` takes (``torch.manual_seed`` takes 64-bit seeds)."""

_RNG_KEYS = ("torch", "numpy", "python")


def _torch() -> ModuleType:
    return import_optional("torch", "torch", "rung.integrations.torch")


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


def seed_all(seed: int) -> None:
    """Seed torch (CPU and CUDA), numpy's global generator and Python's ``random``.

    ``seed`` is an integer in ``[0, 2**64 - 1]`` (torch's range; numpy gets ``seed % 2**32``).

    >>> seed_all(0)
    """
    check_int("seed", seed, 0, SEED_MAX, hint="2**64 - 1 is torch's largest seed")
    torch = _torch()
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    torch.manual_seed(int(seed))  # also seeds every CUDA device


def get_rng_state() -> dict[str, Any]:
    """The states of torch's CPU (and CUDA, if initialised) generators, numpy's and Python's."""
    torch = _torch()
    legacy = np.random.get_state(legacy=True)
    assert isinstance(legacy, tuple)  # legacy=True: (name, keys, pos, has_gauss, cached)
    name, keys, pos, has_gauss, cached = legacy
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": (name, keys.tolist(), int(pos), int(has_gauss), float(cached)),
        "python": random.getstate(),
        "cuda": None,
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`get_rng_state` returned: all the generators, or none of them (a state
    one of them refuses is a ``ConfigurationError`` naming its key, and every generator is set
    back to where it was)."""
    torch = _torch()
    _check_rng_state(state, torch)
    before = get_rng_state()
    key = ""
    try:
        for key in (*_RNG_KEYS, "cuda"):
            _set_one(key, state.get(key), torch)
    except (TypeError, ValueError, IndexError, KeyError, RuntimeError, OverflowError) as error:
        for undo in (*_RNG_KEYS, "cuda"):
            _set_one(undo, before.get(undo), torch)
        raise fail_value(f"state[{key!r}]", f"the {key!r} state get_rng_state() returned",
                         state.get(key), f"it was refused ({type(error).__name__}: {error}); no "
                         "generator was changed") from error


def _set_one(key: str, value: Any, torch: ModuleType) -> None:
    """Set one generator of :func:`set_rng_state` (``cuda``: only when given and available)."""
    if key == "torch":
        torch.set_rng_state(value)
    elif key == "numpy":
        name, keys, pos, has_gauss, cached = value
        np.random.set_state((name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    elif key == "python":
        version, internal, gauss_next = value
        random.setstate((version, tuple(internal), gauss_next))
    elif value is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(value[: torch.cuda.device_count()])


def _check_rng_state(state: Any, torch: ModuleType) -> None:
    expected = ("a dict returned by get_rng_state(), with the keys 'torch' (a ByteTensor), "
                "'numpy' (5 items), 'python' (3 items) and optionally 'cuda'")
    if not isinstance(state, dict):
        raise fail_type("state", expected, state)
    missing = [key for key in _RNG_KEYS if key not in state]
    if missing:
        raise fail_value("state", expected, state, f"it lacks {', '.join(map(repr, missing))}")
    if not isinstance(state["torch"], torch.Tensor):
        raise fail_type("state['torch']", "a torch.ByteTensor (torch.get_rng_state())",
                        state["torch"])
    for key, size in (("numpy", 5), ("python", 3)):
        if not isinstance(state[key], (tuple, list)) or len(state[key]) != size:
            raise fail_value(f"state[{key!r}]", f"a sequence of {size} items, as "
                             "get_rng_state() returns", state[key])


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
    checkpoint or the new one, never half of one. Returns the path written.

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
    directory = trial.checkpoint_dir
    target = directory / filename
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".pt")
    os.close(fd)
    try:
        torch.save(payload, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
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
        FileNotFoundError: the trial has a parent but the parent saved no such checkpoint.
        ArgumentTypeError, ConfigurationError: a bad argument (named, as in :func:`save`).
    """
    torch = _torch()
    _check_call(trial, model, optimizer, scheduler, rng, filename)
    directory = trial.parent_checkpoint_dir
    if directory is None:
        return None
    path = directory / filename
    if not path.exists():
        raise FileNotFoundError(
            f"trial {trial.trial_id} continues trial {trial.parent_id}, but {str(path)!r} does not "
            "exist: call rung.integrations.torch.save(trial, ...) at the end of every trial "
            "(with the same filename)"
        )
    payload = torch.load(path, map_location=map_location, weights_only=False)  # our own file
    for name, obj in (("model", model), ("optimizer", optimizer), ("scheduler", scheduler)):
        if obj is None:
            continue
        if payload[name] is None:
            raise ValueError(
                f"{name} was given, but trial {trial.parent_id} saved no {name} state; pass "
                f"{name}=... to save() too, or {name}=None to restore()"
            )
        obj.load_state_dict(payload[name])
    if rng and payload["rng"] is not None:
        set_rng_state(payload["rng"])
    return {} if payload["extra"] is None else payload["extra"]
