"""``HyperModel``: a model-building recipe with a search space, in keras-tuner's shape.

A hypermodel is what a Keras tuner trains: ``build(hp)`` returns a compiled model whose
architecture and optimizer depend on the hyperparameters, and ``fit(hp, model, *args, **kwargs)``
trains it (override it to tune ``fit`` arguments such as the batch size, or to run a custom loop).
This module never imports Keras; ``rung.integrations.keras`` does the Keras work.

Example::

    import rung as kt

    class MLP(kt.HyperModel):
        def build(self, hp):
            model = keras.Sequential([
                keras.layers.Dense(hp.Int("units", 32, 256, step=32), activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ])
            model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
            return model

        def fit(self, hp, model, *args, **kwargs):
            return model.fit(*args, batch_size=hp.Choice("batch_size", [16, 32, 64]), **kwargs)

    tuner = kt.Hyperband(MLP(), objective="val_accuracy", max_epochs=27)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from rung.errors import ArgumentTypeError
from rung.hyperparameters import HyperParameters

__all__ = ["DefaultHyperModel", "FunctionHyperModel", "HyperModel", "get_hypermodel"]


class HyperModel:
    """Base class of hypermodels: override ``build``; optionally ``fit`` and
    ``declare_hyperparameters``.

    Args:
        name: an optional name (shown in summaries).
        tunable: whether the hyperparameters it declares join the search space. ``False``
            (keras-tuner's meaning): ``build`` works on a copy of ``hp``, so it uses the values
            of hyperparameters the space already holds (declared in advance, e.g. with the
            tuner's ``hyperparameters=``) and the defaults of the rest, which stay out of the
            space and are not tuned.

    Example::

        class Model(rung.HyperModel):
            def build(self, hp):
                return make_compiled_model(units=hp.Int("units", 32, 512, step=32))

        tuner = rung.RandomSearch(Model(name="mlp"), objective="val_loss", max_trials=5)
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _caller_definitions_win(cls.__dict__["build"])  # type: ignore[method-assign]

    def __init__(self, name: str | None = None, tunable: bool = True) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"HyperModel name must be a str or None, got {type(name).__name__}")
        self.name = name
        self.tunable = bool(tunable)

    def build(self, hp: HyperParameters) -> Any:
        """Build and compile a model for the values in ``hp``; declare hyperparameters on it."""
        raise NotImplementedError(
            f"{type(self).__name__}.build(hp) is not implemented: override it to return a "
            "compiled model"
        )

    def declare_hyperparameters(self, hp: HyperParameters) -> None:  # noqa: B027 - optional hook
        """Declare hyperparameters up front (optional; ``build`` may declare them instead)."""

    def fit(self, hp: HyperParameters, model: Any, *args: Any, **kwargs: Any) -> Any:
        """Train ``model``; by default ``model.fit(*args, **kwargs)``.

        Return the ``History``, a float (the objective), or a dict of metrics holding the
        objective. ``kwargs`` carry what ``search`` received plus what the tuner adds (the
        reporting callback in ``callbacks``; ``epochs`` and ``initial_epoch`` under Hyperband).
        """
        return model.fit(*args, **kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def _caller_definitions_win(build: Callable[..., Any]) -> Callable[..., Any]:
    """``build`` where the definitions ``hp`` holds already win over the build's own, as in
    keras-tuner (``hp.Choice("version", ["v1"])`` then ``HyperResNet(...).build(hp)`` builds v1;
    see ``HyperParameters._caller_definitions_win``)."""
    if getattr(build, "_rung_caller_definitions_win", False):
        return build

    @functools.wraps(build)
    def wrapped(self: Any, hp: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(hp, HyperParameters):
            return build(self, hp, *args, **kwargs)
        if not getattr(self, "tunable", True):  # keras-tuner: it builds on a copy, so what it
            hp = hp.copy()                      # declares never reaches the space: defaults
            hp._closed = False
        with hp._caller_definitions_win():
            return build(self, hp, *args, **kwargs)

    wrapped._rung_caller_definitions_win = True  # type: ignore[attr-defined]
    return wrapped


class DefaultHyperModel(HyperModel):
    """A hypermodel around a build function ``build(hp) -> compiled model`` (keras-tuner's
    name for it; ``FunctionHyperModel`` is the same class)."""

    def __init__(self, build: Callable[[HyperParameters], Any]) -> None:
        super().__init__(name=getattr(build, "__name__", None))
        self._build = build

    def build(self, hp: HyperParameters) -> Any:
        return self._build(hp)



FunctionHyperModel = DefaultHyperModel

def get_hypermodel(hypermodel: Any) -> Any:
    """Turn what a tuner received as ``hypermodel`` into an object with ``build`` and ``fit``.

    Accepts a ``rung.HyperModel``, any object with callable ``build`` (a keras-tuner
    ``HyperModel`` included), a build function, or None (returned as is).

    Example:
        >>> hm = get_hypermodel(lambda hp: hp.Int("units", 8, 64))
        >>> hm.build(HyperParameters())
        8
    """
    if hypermodel is None or isinstance(hypermodel, HyperModel):
        return hypermodel
    if isinstance(hypermodel, type) and callable(getattr(hypermodel, "build", None)):
        name = hypermodel.__name__
        raise ArgumentTypeError(  # its unbound build(hp) would fail later with a bare TypeError
            f"hypermodel is the class {name}, not an instance of it; pass an instance, "
            f"{name}() (with its constructor's arguments, if any)"
        )
    if any(c.__module__.split(".")[0] == "keras" for c in type(hypermodel).__mro__):
        raise TypeError(
            f"hypermodel must build a model from hyperparameters, got a built Keras object "
            f"({type(hypermodel).__name__}); pass a function `build(hp)` that creates and "
            "compiles the model, or a rung.HyperModel"
        )
    if callable(getattr(hypermodel, "build", None)):
        if not callable(getattr(hypermodel, "fit", None)):
            raise TypeError(
                f"hypermodel {type(hypermodel).__name__} has build() but no fit(hp, model, ...); "
                "subclass rung.HyperModel to get the default fit"
            )
        return hypermodel
    if callable(hypermodel):
        return DefaultHyperModel(hypermodel)
    raise ArgumentTypeError(  # a TypeError, and keras-tuner's ValueError
        "The `hypermodel` argument should be either a build function `build(hp) -> compiled "
        f"keras.Model` or a rung.HyperModel instance; got {type(hypermodel).__name__} "
        f"{hypermodel!r}"
    )
