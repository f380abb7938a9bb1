"""What every kit shares: a named rule, running a list of them, and small assertion helpers.

A rule is a function ``rule(factory)`` that builds what it needs with ``factory`` (a zero-argument
callable returning a fresh object) and raises ``AssertionError`` when the contract is broken. The
kits wrap each rule so that whatever goes wrong (a failed assertion or an unexpected exception)
comes out as one ``AssertionError`` naming the kit, the rule and the class under test. The kits do
not use pytest: a library user may call them from any test framework.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from rung.testing._explain import explain, raised_at

__all__ = ["Check", "Rule", "make_rules", "raises", "run_rules"]

Factory = Callable[[], Any]
Check = Callable[[Factory], None]


class _Recorder:
    """A factory that keeps what it made: its class names the failure, and the kit cleans up."""

    def __init__(self, factory: Factory) -> None:
        self.factory = factory
        self.made: list[Any] = []

    def __call__(self) -> Any:
        obj = self.factory()
        self.made.append(obj)
        return obj

    def subject(self) -> str:
        if self.made:
            return type(self.made[0]).__name__
        return getattr(self.factory, "__qualname__", None) or repr(self.factory)


class Rule(NamedTuple):
    """One named rule of a kit: ``rule.check(factory)`` raises ``AssertionError`` naming it."""

    name: str
    check: Check


def _wrap(kit: str, name: str, check: Check, cleanup: Callable[[Any], None] | None) -> Check:
    def run(factory: Factory) -> None:
        if not callable(factory):
            raise TypeError(
                f"{kit}: factory must be a zero-argument callable returning a fresh object; "
                f"got {type(factory).__name__} {factory!r}"
            )
        recorder = _Recorder(factory)
        try:
            check(recorder)
        except Exception as exc:  # an unexpected error breaks the rule too
            what = explain(exc) if isinstance(exc, AssertionError) else \
                f"{type(exc).__name__}: {raised_at(exc)}"
            raise AssertionError(
                f"{kit} rule {name!r} failed for {recorder.subject()}: {what}"
            ) from exc
        finally:
            if cleanup is not None:
                for obj in recorder.made:
                    cleanup(obj)

    run.__name__ = run.__qualname__ = f"{kit}[{name}]"
    run.__doc__ = check.__doc__
    return run


def make_rules(
    kit: str, checks: Sequence[Check], cleanup: Callable[[Any], None] | None = None
) -> list[Rule]:
    """Name each check by its function name (without its leading ``_rule_``) and wrap it."""
    rules = []
    for check in checks:
        name = check.__name__.removeprefix("_rule_")
        rules.append(Rule(name, _wrap(kit, name, check, cleanup)))
    return rules


def run_rules(rules: Sequence[Rule], factory: Factory) -> None:
    """Run every rule in order; the first broken one raises."""
    for rule in rules:
        rule.check(factory)


@contextmanager
def raises(expected: type[BaseException] | tuple[type[BaseException], ...],
           match: str | None = None) -> Iterator[None]:
    """Like ``pytest.raises``: the block must raise ``expected`` (whose text matches ``match``)."""
    try:
        yield
    except expected as exc:
        if match is not None and not re.search(match, str(exc)):
            raise AssertionError(
                f"raised {type(exc).__name__} {str(exc)!r}, which does not match {match!r}"
            ) from exc
        return
    names = expected.__name__ if isinstance(expected, type) else \
        " or ".join(e.__name__ for e in expected)
    raise AssertionError(f"expected {names} to be raised, nothing was")
