"""``synchronized``: keras-tuner's decorator that runs an oracle's methods one call at a time."""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["synchronized"]

F = TypeVar("F", bound=Callable[..., Any])

# One re-entrant lock per oracle, kept outside the object so that oracles still pickle and
# deep-copy (tuners send them to worker processes); a synchronized method may call another.
_LOCKS: weakref.WeakKeyDictionary[Any, threading.RLock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def _lock_of(obj: Any) -> threading.RLock:
    with _LOCKS_GUARD:
        lock = _LOCKS.get(obj)
        if lock is None:
            lock = _LOCKS[obj] = threading.RLock()
        return lock


def synchronized(method: F) -> F:
    """Decorate an oracle method so that threads call the decorated methods of one oracle one at
    a time; other oracles are not blocked.

    Example::

        class MyOracle(rung.Oracle):
            @rung.synchronized
            def populate_space(self, trial_id):
                ...
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _lock_of(self):
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
