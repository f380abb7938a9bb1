"""Whether a training function can take the call ``search`` will make, checked in the driver
before the first job (and, for the trial alone, when the tuner is constructed).

``search(*args, **kwargs)`` passes the arguments that are not its own options to ``run_trial``
as ``run_trial(trial, *args, **kwargs)``. A call the function cannot take (a misspelt option,
``search(worker=2)``; an argument it has no parameter for; a required one not given) would
otherwise fail every trial with the same ``TypeError`` and leave the project with failed trials
(``max_consecutive_failed_trials`` of them, then ``TooManyFailedTrialsError``). Binding the call
to the function's signature (``inspect.Signature.bind``) finds it at once, without running
anything. A function whose signature cannot be read (some builtins and C callables) is not
checked; one that takes ``*args`` / ``**kwargs`` accepts what they catch.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
from typing import Any

from rung.errors import ArgumentTypeError
from rung.validation import fail_type, nearest

__all__ = ["check_takes_trial", "check_training_call"]

_TRIAL = object()  # stands for the trial: binding looks at the number of arguments, not types


def _signature(function: Callable[..., Any]) -> inspect.Signature | None:
    try:
        # the signature it is called with: a decorator's wrapper (functools.wraps) may supply
        # arguments itself, so the wrapped function's own signature would refuse valid calls
        return inspect.signature(function, follow_wrapped=False)
    except (TypeError, ValueError):  # a builtin or C callable without a readable signature
        return None


def _shown(function: Callable[..., Any], signature: inspect.Signature) -> str:
    """``train(trial, data)``, ``Custom.run_trial(trial, x, y)``: the function as users wrote it."""
    name = getattr(function, "__qualname__", None) or type(function).__name__
    name = name.rpartition(".<locals>.")[2]  # a function defined in a function: its own name
    empty = inspect.Parameter.empty
    bare = signature.replace(  # without annotations: what the call must match is the names
        parameters=[p.replace(annotation=empty) for p in signature.parameters.values()],
        return_annotation=inspect.Signature.empty)
    return f"{name}{bare}"


def _takes_trial(signature: inspect.Signature) -> bool:
    try:
        signature.bind_partial(_TRIAL)
    except TypeError:
        return False
    return True


def check_takes_trial(name: str, function: Callable[..., Any]) -> None:
    """Refuse a training function with no positional parameter for the trial (``lambda: 1.0``),
    or one whose call only makes a coroutine or a generator (``async def``, ``yield``: rung calls
    it and uses what it returns, so no trial would train), with an ``ArgumentTypeError`` naming
    ``name`` (the argument) and the function."""
    signature = _signature(function)
    kind = _deferred_kind(function)
    if kind is not None:
        shown = _shown(function, signature) if signature is not None else repr(function)
        raise fail_type(name, "a function train(trial, *args, **kwargs) that trains when called "
                        "and returns its metrics", function,
                        f"{shown} is {kind}, whose call returns {_DEFERRED[kind]} without "
                        "training; define it with a plain def (an async one can be run "
                        "inside it: asyncio.run(...))")
    if signature is not None and not _takes_trial(signature):
        raise fail_type(name, "a function train(trial, *args, **kwargs) that takes the trial as "
                        "its first positional argument", function,
                        f"{_shown(function, signature)} has no positional parameter for it")


_DEFERRED = {"an async def function": "a coroutine", "an async generator function":
             "an async generator", "a generator function": "a generator"}


def _deferred_kind(function: Callable[..., Any]) -> str | None:
    """What ``function`` is when calling it trains nothing (its body runs later, if ever)."""
    if inspect.iscoroutinefunction(function):
        return "an async def function"
    if inspect.isasyncgenfunction(function):
        return "an async generator function"
    if inspect.isgeneratorfunction(function):
        return "a generator function"
    return None


def check_training_call(function: Callable[..., Any], args: tuple[Any, ...],
                        kwargs: dict[str, Any], options: Collection[str]) -> None:
    """Raise an ``ArgumentTypeError`` when ``function(trial, *args, **kwargs)`` cannot bind;
    ``options`` are ``search``'s own (a misspelt one is named: "did you mean 'workers'?")."""
    signature = _signature(function)
    if signature is None:
        return
    shown = _shown(function, signature)
    if not _takes_trial(signature):
        raise ArgumentTypeError(
            f"run_trial must take the trial as its first positional argument, but {shown} has "
            "no positional parameter for it; define it as train(trial, ...) (a method: "
            "run_trial(self, trial, ...))")
    try:
        signature.bind(_TRIAL, *args, **kwargs)
    except TypeError as exc:
        problem = _explain(signature, args, kwargs, options, exc)
        end = "" if problem.endswith("?") else "."
        raise ArgumentTypeError(
            f"search() cannot call run_trial {shown}: {problem}{end} search() passes the "
            "arguments that are not its own options on as run_trial(trial, *args, **kwargs); "
            "no trial ran") from None


_EPOCHS = {"epochs": "trial.epochs", "initial_epoch": "trial.initial_epoch"}  # Keras' fit's


def _explain(signature: inspect.Signature, args: tuple[Any, ...],
             kwargs: dict[str, Any], options: Collection[str], exc: TypeError) -> str:
    params = signature.parameters
    kinds = {p.kind for p in params.values()}
    if inspect.Parameter.VAR_KEYWORD not in kinds:
        takes = {n for n, p in params.items() if p.kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)}
        unknown = [k for k in kwargs if k not in takes]
        if unknown:
            hints = []
            for key in unknown:
                if key in options:  # an option that reaches it all the same: keras-tuner's
                    # verbose, which a subclass's run_trial method gets as in keras-tuner
                    hints.append(f"search() passes its option {key!r} on to a run_trial "
                                 f"method too, as keras-tuner does: give run_trial a {key!r} "
                                 "parameter (or **kwargs)")
                    continue
                option = nearest(key, options)
                own = nearest(key, sorted(takes))
                if option is not None:
                    hints.append(f"did you mean {option!r} (an option of search())?")
                elif own is not None:
                    hints.append(f"did you mean {own!r}?")
                elif key in _EPOCHS:  # keras-tuner's fit argument
                    hints.append(f"{key} is not passed to run_trial: read {_EPOCHS[key]}")
            names = ", ".join(repr(k) for k in unknown)
            hint = "; ".join(hints) or ("to pass it on, give run_trial a parameter of that "
                                        "name (or **kwargs)")
            return f"it takes no keyword argument {names}; {hint}"
    positional = [p for p in params.values() if p.kind in (
        inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    if inspect.Parameter.VAR_POSITIONAL not in kinds and 1 + len(args) > len(positional):
        return (f"it takes {len(positional) - 1} positional argument(s) after the trial, "
                f"search() got {len(args)}: {_values(args)}")
    empty = inspect.Parameter.empty
    missing = [p.name for p in positional[1 + len(args):]
               if p.default is empty and p.name not in kwargs]
    missing += [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
                and p.default is empty and n not in kwargs]
    kept = [n for n in missing if n in options]
    if kept:
        names = ", ".join(repr(n) for n in kept)
        return (f"it needs {names}, an option of search() itself, which search() keeps and "
                "never passes on: rename the parameter, or give it a default")
    if missing:
        names = ", ".join(repr(n) for n in missing)
        return (f"it needs {names}, which search() did not get: pass "
                f"search(..., {missing[0]}=...), or give the parameter a default")
    return str(exc)


def _values(args: tuple[Any, ...]) -> str:
    shown = ", ".join(repr(a) if len(repr(a)) <= 40 else f"<{type(a).__name__}>" for a in args)
    return f"({shown})"
