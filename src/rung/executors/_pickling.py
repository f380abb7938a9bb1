"""What travels to worker processes by pickle, checked before any trial is created: the training
function and the search's arguments (``Executor.check_function``, ``Executor.check_arguments``,
called by ``BaseTuner.search``).

A search argument is pickled into a sink that keeps nothing (``unpicklable_argument``): a data
set of gigabytes is not copied in memory only to be checked. The advice of the errors names the
reason jobs leave the driver at all (``process_hint``): ``workers=N``, or ``job_timeout``, which
needs a process it can kill even with ``workers=1``.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from multiprocessing.process import ORIGINAL_DIR  # type: ignore[attr-defined]
from typing import Any

from rung.errors import ConfigurationError

__all__ = ["main_module_problem", "process_hint", "refuse_unsendable_arguments",
           "refuse_unsendable_function", "unpicklable_argument"]


class _Discard:
    """A file that counts what is written to it and keeps nothing."""

    def write(self, data: Any) -> int:  # bytes, or a pickle.PickleBuffer (protocol 5)
        return memoryview(data).nbytes


def unpicklable_argument(args: tuple[Any, ...], kwargs: dict[str, Any],
                         pickler: Callable[[Any], Any]) -> tuple[str, Any, Exception] | None:
    """``(name, value, error)`` for the first search argument that cannot be pickled (named as
    ``"argument 2 of search()"`` or ``"search argument data="``), or None when all can.
    ``pickler(file)`` is a ``Pickler`` class (``pickle``'s or cloudpickle's)."""
    named = [(f"argument {i + 1} of search()", a) for i, a in enumerate(args)]
    named += [(f"search argument {k}=", v) for k, v in kwargs.items()]
    for name, value in named:
        try:
            pickler(_Discard()).dump(value)
        except Exception as exc:  # pickle raises TypeError, AttributeError, PicklingError...
            return name, value, exc
    return None


def main_module_problem(function: Any) -> str | None:
    """Why ``spawn`` workers cannot use ``function``, or None. A worker re-imports the driver's
    ``__main__`` from its file: a script read from stdin (``python - < search.py``) names a file
    that does not exist, and every worker dies at start; without a file (a notebook, the REPL,
    ``python -c``), a function defined there cannot be found in the workers."""
    main = sys.modules.get("__main__")
    if main is None or getattr(getattr(main, "__spec__", None), "name", None):
        return None  # python -m package.module: workers import it by name
    path = getattr(main, "__file__", None)
    if path is not None and not os.path.isfile(os.path.join(ORIGINAL_DIR or "", path)):
        return (f"the main script {path!r} is not a file that worker processes can re-import "
                "(read from stdin?): save it to a file and run python search.py")
    if path is None and getattr(function, "__module__", None) == "__main__":
        return (f"{getattr(function, '__qualname__', function)!r} is defined in __main__ of a "
                "session without a script file (a notebook, the REPL, python -c), which worker "
                "processes cannot import: define it in a module file and import it from there")
    return None


_FIXES = {
    "function": "define run_trial at module level of an importable module or script (not a "
                "lambda, a nested function or a notebook cell)",
    "arguments": "pass search arguments that pickle (arrays, paths, plain data) and open "
                 "connections or locks inside run_trial",
}
_FIXES["job"] = f"{_FIXES['function']}, {_FIXES['arguments']}"


def process_hint(slots: int, job_timeout: float | None, part: str = "job") -> str:
    """Why jobs run in worker processes, how to make ``part`` (``"function"``, ``"arguments"``
    or the whole ``"job"``) pickle for them, and how to run the jobs in the driver instead."""
    if job_timeout is not None and slots == 1:
        why = (f"job_timeout={job_timeout:g} runs each job in a worker process (one it can stop "
               "at the timeout), which receives")
        instead = "or drop job_timeout (jobs then run in this process, without a time limit)"
    else:
        why = f"Jobs run in {slots} worker processes, which receive"
        instead = "or run with workers=1" + (
            " and no job_timeout" if job_timeout is not None else "") + " (in-process)"
    return (f"{why} run_trial and the search arguments by pickle: {_FIXES[part]}; {instead}.")


def refuse_unsendable_function(function: Any, hint: str) -> None:
    """``ConfigurationError`` (ending with ``hint``) when ``run_trial`` cannot reach a worker
    process by pickle: a lambda, a closure, or a function of a script without its main guard."""
    try:
        pickle.dumps(function)
        problem = main_module_problem(function)
    except Exception as exc:
        problem = str(exc)
    if problem is not None:
        raise ConfigurationError(
            f"run_trial {function!r} cannot be sent to worker processes ({problem}). {hint}")


def refuse_unsendable_arguments(args: tuple[Any, ...], kwargs: dict[str, Any], hint: str) -> None:
    """``ConfigurationError`` (ending with ``hint``) naming the first search argument that
    cannot be pickled to worker processes."""
    found = unpicklable_argument(args, kwargs, pickle.Pickler)
    if found is not None:
        name, value, exc = found
        raise ConfigurationError(
            f"{name} ({type(value).__name__}) cannot be sent to worker processes "
            f"({type(exc).__name__}: {exc}). {hint}")
