"""A declaring method called with arguments it does not take, as a ``SearchSpaceTypeError``.

``hp.Float("lr", 1e-4, 1e-1, log=True)`` (Optuna's keyword) or ``hp.Int("units", low=32,
high=512)`` fail in Python's own argument binding, with a plain ``TypeError`` that names the
keyword but not rung's. Such a call fails in every trial the same way, so it is a mistake in
the declaration: raised as ``SearchSpaceTypeError`` (still a ``TypeError``), the search loop
stops at the first trial that hits it (``rung.tuner.failures.bad_declaration_error``) and the
message says which parameter is meant.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from rung.errors import SearchSpaceTypeError

__all__ = ["declaration"]

P = ParamSpec("P")
R = TypeVar("R")

# keywords of other libraries (Optuna's suggest_*, scikit-learn's and scipy's distributions,
# and the obvious short forms) and what rung's declaring methods call them
_MEANT = {
    "log": "sampling='log'",
    "low": "min_value=",
    "high": "max_value=",
    "min": "min_value=",
    "max": "max_value=",
    "lower": "min_value=",
    "upper": "max_value=",
    "choices": "values=",
    "options": "values=",
    "q": "step=",
}


def declaration(method: Callable[P, R]) -> Callable[P, R]:
    """``method``, raising ``SearchSpaceTypeError`` where its call does not bind (an unknown
    keyword, a missing or extra argument). Errors raised inside the method are untouched."""

    parameters = ", ".join(
        p.name if p.default is p.empty else f"{p.name}={p.default!r}"
        for p in inspect.signature(method).parameters.values() if p.name != "self")

    @functools.wraps(method)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except TypeError as exc:
            # the call did not bind: the method's own frame never started, so the traceback
            # holds this frame only
            if isinstance(exc, SearchSpaceTypeError) or exc.__traceback__ is None or \
                    exc.__traceback__.tb_next is not None:
                raise
            name = args[1] if len(args) > 1 else kwargs.get("name")
            raise SearchSpaceTypeError(_message(method.__name__, name, kwargs, exc,
                                                parameters)) from None

    return checked


def _message(method: str, name: object, kwargs: dict[str, object], exc: TypeError,
             parameters: str) -> str:
    where = f"hp.{method}({name!r}, ...)" if isinstance(name, str) else f"hp.{method}(...)"
    meant = [f"{_MEANT[key]} for {key}=" for key in kwargs if key in _MEANT]
    hint = f" Did you mean {' and '.join(meant)}? (rung's names are keras-tuner's.)" if meant else ""
    detail = str(exc).split("() ", 1)[-1]
    return f"{where}: {detail}.{hint} Its parameters: ({parameters})."

