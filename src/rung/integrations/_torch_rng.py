"""The random generators a bit-for-bit continuation needs (``rung.integrations.torch``'s
``seed_all``, ``get_rng_state``, ``set_rng_state``): torch's (CPU and CUDA), numpy's global
generator and Python's ``random``. Imported from ``rung.integrations.torch``."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import numpy as np

from rung.optional import import_optional
from rung.validation import check_int, fail_type, fail_value

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["SEED_MAX", "get_rng_state", "seed_all", "set_rng_state"]

SEED_MAX = 2**64 - 1
"""The largest seed :func:`seed_all` takes (``torch.manual_seed`` takes 64-bit seeds)."""

_RNG_KEYS = ("torch", "numpy", "python")


def _torch() -> ModuleType:
    return import_optional("torch", "torch", "rung.integrations.torch")



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
