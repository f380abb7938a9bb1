"""Every public module's ``__all__`` is complete: each name it lists resolves, and each public
class and function the module defines itself is listed."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import rung

# modules that import frameworks at import time (their own tests cover them)
HEAVY = ("rung.integrations.keras", "rung.integrations.torch", "rung.integrations.sklearn",
         "rung.executors.dask", "rung.executors.ray", "rung.applications")


def public_modules() -> list[str]:
    names = ["rung"]
    for info in pkgutil.walk_packages(rung.__path__, "rung."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts) or info.name.startswith(HEAVY):
            continue
        names.append(info.name)
    return names


def defined_here(module: ModuleType) -> set[str]:
    """Public names whose object was defined in ``module`` (not imported into it)."""
    names = set()
    for name, obj in vars(module).items():
        if name.startswith("_") or inspect.ismodule(obj):
            continue
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and obj.__module__ == module.__name__:
            names.add(name)
    return names


@pytest.mark.parametrize("name", public_modules())
def test_all_is_complete(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    missing_objects = [n for n in exported if not hasattr(module, n)]
    assert not missing_objects, f"{name}.__all__ lists names that do not exist: {missing_objects}"
    unlisted = sorted(defined_here(module) - set(exported) - {"TYPE_CHECKING"})
    assert not unlisted, f"{name} defines public names missing from __all__: {unlisted}"
    assert len(exported) == len(set(exported)), f"{name}.__all__ repeats names"


def test_the_walk_finds_the_modules() -> None:
    found = public_modules()
    for expected in ("rung.oracles.hyperband", "rung.searchers.base", "rung.storage.sqlite",
                     "rung.validation"):
        assert expected in found
