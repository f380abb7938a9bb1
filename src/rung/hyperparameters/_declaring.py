"""The define-by-run side of ``HyperParameters``: keras-tuner's declaring methods and the scopes.

``hp.Int(...)``, ``hp.Float(...)``, ``hp.Choice(...)``, ``hp.Boolean(...)`` and ``hp.Fixed(...)``
build a hyperparameter under the open scopes and hand it to ``_retrieve`` (the rules for a name
declared again: ``rung.hyperparameters._registry``), which returns its value. ``name_scope``
prefixes names; ``conditional_scope`` (or ``parent_name``/``parent_values``) adds conditions.

``conditional_scope`` warns when its block can never be active: when every definition of the
parent the scope can apply to (not one declared under a condition the enclosing scopes exclude)
is a ``Choice``, ``Boolean`` or ``Fixed`` and none of the values given is one of theirs
(compared with ``==``, as ``Condition.is_active`` does, so ``1`` matches ``True``): a typo
(``"zzz"``). A warning, not an error: a parent narrowed for a run (a ``Choice`` reduced to
``Fixed("model", "cnn")`` while the code keeps its ``"mlp"`` block) is a valid search, and
keras-tuner takes it. Definitions that lost to an earlier one (a pin, ``hyperparameters=``,
"first definition wins") count too: the code opening the scope declared them. Ranges
(``Int``, ``Float``) are not checked.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from rung.errors import SearchSpaceError, SearchSpaceTypeError
from rung.hyperparameters._call_errors import declaration
from rung.hyperparameters.base import Condition, HyperParameter, JSONScalar
from rung.hyperparameters.discrete import Boolean, Choice, Fixed
from rung.hyperparameters.numeric import Float, Int

__all__ = ["DeclaringMethods"]


class DeclaringMethods:
    """Declaring methods, ``name_scope`` and ``conditional_scope`` (a base of
    ``rung.hyperparameters.HyperParameters``)."""

    _by_name: dict[str, list[HyperParameter]]
    _values: dict[str, Any]
    _scopes: list[str]
    _conditions: list[Condition]

    if TYPE_CHECKING:  # implemented by rung.hyperparameters._registry.DefinitionRegistry
        def _retrieve(self, new: HyperParameter) -> Any: ...
        def definitions_of(self, name: str) -> list[HyperParameter]: ...

    # --- declaring ---------------------------------------------------------------------------
    @declaration
    def Int(  # noqa: N802 - keras-tuner's public name
        self,
        name: str,
        min_value: int,
        max_value: int,
        step: int | None = None,
        sampling: str = "linear",
        default: int | None = None,
        parent_name: str | None = None,
        parent_values: Any = None,
    ) -> int | None:
        """Declare an integer in ``[min_value, max_value]``; return its value (None if inactive)."""
        with self._maybe_conditional_scope(parent_name, parent_values):
            full = self._full_name(name, "Int")
            return cast("int | None", self._retrieve(
                Int(full, min_value, max_value, step, sampling, default, self._conditions)
            ))

    @declaration
    def Float(  # noqa: N802 - keras-tuner's public name
        self,
        name: str,
        min_value: float,
        max_value: float,
        step: float | None = None,
        sampling: str = "linear",
        default: float | None = None,
        parent_name: str | None = None,
        parent_values: Any = None,
    ) -> float | None:
        """Declare a float in ``[min_value, max_value]``; return its value (None if inactive)."""
        with self._maybe_conditional_scope(parent_name, parent_values):
            full = self._full_name(name, "Float")
            return cast("float | None", self._retrieve(
                Float(full, min_value, max_value, step, sampling, default, self._conditions)
            ))

    @declaration
    def Choice(  # noqa: N802 - keras-tuner's public name
        self,
        name: str,
        values: Sequence[JSONScalar],
        ordered: bool | None = None,
        default: JSONScalar = None,
        parent_name: str | None = None,
        parent_values: Any = None,
    ) -> Any:
        """Declare a choice among ``values``; return its value (None if inactive)."""
        with self._maybe_conditional_scope(parent_name, parent_values):
            full = self._full_name(name, "Choice")
            return self._retrieve(Choice(full, values, ordered, default, self._conditions))

    @declaration
    def Boolean(  # noqa: N802 - keras-tuner's public name
        self,
        name: str,
        default: bool = False,
        parent_name: str | None = None,
        parent_values: Any = None,
    ) -> bool | None:
        """Declare a boolean; return its value (None if inactive)."""
        with self._maybe_conditional_scope(parent_name, parent_values):
            return cast("bool | None", self._retrieve(
                Boolean(self._full_name(name, "Boolean"), default, self._conditions)))

    @declaration
    def Fixed(  # noqa: N802 - keras-tuner's public name
        self,
        name: str,
        value: JSONScalar,
        parent_name: str | None = None,
        parent_values: Any = None,
    ) -> Any:
        """Declare a value that is never tuned; return it (None if inactive)."""
        with self._maybe_conditional_scope(parent_name, parent_values):
            return self._retrieve(Fixed(self._full_name(name, "Fixed"), value, self._conditions))

    # --- scopes ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def name_scope(self, name: str) -> Iterator[None]:
        """Prefix the names declared inside with ``name + "/"`` (nestable)."""
        if not isinstance(name, str) or not name:
            error = SearchSpaceError if isinstance(name, str) else SearchSpaceTypeError
            raise error(f"name_scope: name must be a non-empty str, got {name!r}.")
        self._scopes.append(name)
        try:
            yield
        finally:
            self._scopes.pop()

    @contextlib.contextmanager
    def conditional_scope(self, parent_name: str, parent_values: Any) -> Iterator[None]:
        """Make the hyperparameters declared inside active only when ``parent_name`` has one of
        ``parent_values`` (a value or a list). Nestable: all enclosing conditions apply."""
        if not isinstance(parent_name, str) or not parent_name:
            error = SearchSpaceError if isinstance(parent_name, str) else SearchSpaceTypeError
            raise error(
                "conditional_scope: parent_name must be the name (a non-empty str) of a "
                f"hyperparameter declared before, got {parent_name!r} of type "
                f"{type(parent_name).__name__}."
            )
        parent = self._lookup(parent_name)
        if parent not in self._by_name:
            raise SearchSpaceError(
                f"conditional_scope: parent hyperparameter {'/'.join([*self._scopes, parent])!r} is "
                "not defined; declare it before opening a scope that depends on it."
            )
        condition = Condition(parent, parent_values)
        self._warn_if_unreachable(condition)
        self._conditions.append(condition)
        try:
            yield
        finally:
            self._conditions.pop()

    def _warn_if_unreachable(self, condition: Condition) -> None:
        """Warn when no value given is one a definition of the parent can take (module docstring)."""
        candidates = [d for d in self.definitions_of(condition.parent_name)
                      if _compatible(d.conditions, self._conditions)]
        if not candidates or not all(isinstance(d, (Choice, Boolean, Fixed))
                                     for d in candidates):
            return
        allowed: list[JSONScalar] = []
        for d in candidates:
            allowed += [v for v in d.grid_values() or () if v not in allowed]
        if not any(v in allowed for v in condition.values):
            kinds = sorted({type(d).__name__ for d in candidates})
            warnings.warn(
                f"conditional_scope: parent {condition.parent_name!r} ({' / '.join(kinds)}) "
                f"takes none of the values {list(condition.values)!r} (its values are "
                f"{allowed!r}), so the hyperparameters declared in this scope are never active",
                UserWarning, stacklevel=4)

    @contextlib.contextmanager
    def _maybe_conditional_scope(
        self, parent_name: str | None, parent_values: Any
    ) -> Iterator[None]:
        if parent_name is None and parent_values is None:
            yield
            return
        if parent_name is None or parent_values is None:
            raise SearchSpaceError(
                "parent_name and parent_values must be given together, got "
                f"parent_name={parent_name!r}, parent_values={parent_values!r}."
            )
        with self.conditional_scope(parent_name, parent_values):
            yield

    def _full_name(self, name: str, method: str) -> str:
        """``name`` under the open name scopes; ``method`` (``"Int"``) names the call in errors."""
        if not isinstance(name, str) or not name:
            error = SearchSpaceError if isinstance(name, str) else SearchSpaceTypeError
            raise error(f"HyperParameters.{method}: name must be a non-empty str, got {name!r} "
                        f"of type {type(name).__name__}.")
        return "/".join([*self._scopes, name])

    def _lookup(self, name: str) -> str:
        """The scoped name if it is known, else ``name`` as given."""
        if not self._scopes or not isinstance(name, str):
            return name
        full = "/".join([*self._scopes, name])
        return full if (full in self._by_name or full in self._values) else name


def _compatible(conditions: Sequence[Condition], enclosing: Sequence[Condition]) -> bool:
    """Whether a definition under ``conditions`` can be active inside the ``enclosing`` scopes:
    not when both constrain one parent to values with none in common."""
    return not any(c.parent_name == o.parent_name and not any(v in o.values for v in c.values)
                   for c in conditions for o in enclosing)
