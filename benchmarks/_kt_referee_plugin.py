"""pytest plugin for ``benchmarks/keras_tuner_suite.py``: the ``keras_tuner`` alias and the record.

Loaded with ``-p _kt_referee_plugin`` before any test module, so the alias is in place when
keras-tuner's tests run ``import keras_tuner``. Environment variables (set by the driver):

- ``KT_REFEREE_TARGET``: ``rung`` (``keras_tuner.X`` is ``rung.X``) or ``keras-tuner``
  (``keras_tuner.X`` is the installed wheel's ``keras_tuner.src.X``, the layout the tests were
  written for).
- ``KT_REFEREE_SCAFFOLD``: the extracted ``keras_tuner`` source folder. Under ``rung`` the test
  scaffolding (``backend``, ``utils``, ``test_utils``, ``protos``, and ``engine.tuner_utils`` and
  ``distribute``, which test files import at module level) is loaded from there: it is
  keras-tuner's, not part of what is measured. ``test_utils`` is not in the wheel, so the
  baseline takes it from there too.
- ``KT_REFEREE_OUT``: where the outcome of every test is written (JSON).
- ``KT_REFEREE_TIMEOUT``: seconds one test may run (a search that never ends fails its test).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import signal
import sys
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

__all__ = ["AliasFinder"]

_ALIAS = "keras_tuner"
_SCAFFOLDING = frozenset({"backend", "utils", "test_utils", "protos"})
# keras-tuner internals that test files import at module level (``from keras_tuner.engine import
# tuner_utils`` in hyperband_test.py, ``from keras_tuner.distribute import oracle_client`` in
# base_tuner_test.py): loaded from keras-tuner's source so that the files collect; the tests that
# use them call private APIs or gRPC distribution and are excluded (keras_tuner_suite.EXCLUDED).
_INTERNALS = frozenset({"engine.tuner_utils", "distribute"})


class _AliasLoader(importlib.abc.Loader):
    """Hands out an already imported module under a second name, leaving its own spec intact."""

    def __init__(self, module: types.ModuleType) -> None:
        self._module = module
        self._spec = module.__spec__

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self._module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self._spec  # the import machinery set the alias's spec on it


class AliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``keras_tuner`` and its submodules to the implementation under test."""

    def __init__(self, target: str, scaffold: Path | None) -> None:
        self.target = target
        self.scaffold = scaffold

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _ALIAS and not fullname.startswith(_ALIAS + "."):
            return None
        rest = fullname[len(_ALIAS) + 1 :]
        if self.target == "keras-tuner":
            if rest.split(".")[0] == "test_utils" and self.scaffold is not None:
                return self._scaffolding(fullname, rest)  # not shipped in the wheel
            if not rest or rest == "src" or rest.startswith("src."):
                return None  # the installed wheel itself
            return self._alias(fullname, f"{_ALIAS}.src.{rest}")
        if _is_scaffolding(rest) and self.scaffold is not None:
            return self._scaffolding(fullname, rest)
        return self._alias(fullname, "rung" + (f".{rest}" if rest else ""))

    @staticmethod
    def _alias(fullname: str, real: str) -> importlib.machinery.ModuleSpec | None:
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as error:
            if error.name is not None and real.startswith(error.name):
                return None  # reported as "No module named 'keras_tuner...'"
            raise
        is_package = hasattr(module, "__path__")
        spec = importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(module), is_package=is_package
        )
        if is_package:
            spec.submodule_search_locations = list(module.__path__)
        return spec

    def _scaffolding(self, fullname: str, rest: str) -> importlib.machinery.ModuleSpec | None:
        base = Path(str(self.scaffold)).joinpath(*rest.split("."))
        if (base / "__init__.py").is_file():
            return importlib.util.spec_from_file_location(
                fullname, base / "__init__.py", submodule_search_locations=[str(base)]
            )
        if base.with_suffix(".py").is_file():
            return importlib.util.spec_from_file_location(fullname, base.with_suffix(".py"))
        return None


def _is_scaffolding(rest: str) -> bool:
    if rest.split(".")[0] in _SCAFFOLDING:
        return True
    return any(rest == name or rest.startswith(name + ".") for name in _INTERNALS)


def _install() -> None:
    target = os.environ.get("KT_REFEREE_TARGET", "rung")
    scaffold = os.environ.get("KT_REFEREE_SCAFFOLD")
    sys.meta_path.insert(0, AliasFinder(target, Path(scaffold) if scaffold else None))
    _stub_tensorboard()
    _stub_portpicker()
    if target == "rung" and scaffold:
        # `from keras_tuner import utils` looks for `rung.utils` (the module's own name) once the
        # attribute is missing, and finds none: import the scaffolding up front, so that the
        # attribute is set on rung's module (`rung.engine.tuner_utils` likewise).
        for name in [*sorted(_SCAFFOLDING), *sorted(_INTERNALS)]:
            with contextlib.suppress(ImportError):  # absent: the tests that need it fail
                importlib.import_module(f"{_ALIAS}.{name}")


def _stub_tensorboard() -> None:
    """tuner_test.py imports TensorBoard's HParams API at the top; only an excluded test uses it."""
    if importlib.util.find_spec("tensorboard") is not None:
        return
    for name in ("tensorboard", "tensorboard.plugins", "tensorboard.plugins.hparams"):
        sys.modules[name] = types.ModuleType(name)
    api = types.ModuleType("tensorboard.plugins.hparams.api")
    sys.modules[api.__name__] = api
    sys.modules["tensorboard.plugins.hparams"].api = api  # type: ignore[attr-defined]


def _stub_portpicker() -> None:
    """test_utils/mock_distribute.py imports portpicker at the top; only the excluded
    distribution tests pick ports. A stand-in that asks the OS for a free port."""
    if importlib.util.find_spec("portpicker") is not None:
        return
    import socket

    def pick_unused_port() -> int:
        with socket.socket() as probe:
            probe.bind(("localhost", 0))
            return int(probe.getsockname()[1])

    module = types.ModuleType("portpicker")
    module.pick_unused_port = pick_unused_port  # type: ignore[attr-defined]
    sys.modules["portpicker"] = module


_install()

_OUTCOMES: dict[str, dict[str, str]] = {}
_COLLECT_ERRORS: dict[str, str] = {}


def _message(report: Any) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return text.strip().splitlines()[0][:300] if text.strip() else ""


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    entry = _OUTCOMES.setdefault(report.nodeid, {"outcome": "passed", "message": ""})
    if report.failed and entry["outcome"] != "failed":
        entry["outcome"] = "failed"
        entry["message"] = f"[{report.when}] {_message(report)}"
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"
        entry["message"] = _message(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        lines = [line for line in str(report.longrepr).splitlines() if line.startswith("E ")]
        _COLLECT_ERRORS[report.nodeid] = lines[-1][1:].strip() if lines else _message(report)


class _Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: object) -> None:
    raise _Timeout(f"test ran over KT_REFEREE_TIMEOUT={os.environ.get('KT_REFEREE_TIMEOUT')}s")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    seconds = int(os.environ.get("KT_REFEREE_TIMEOUT", "0"))
    if seconds > 0:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(seconds)
    try:
        yield
    finally:
        if seconds > 0:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("KT_REFEREE_OUT")
    if out:
        record = {"tests": _OUTCOMES, "collect_errors": _COLLECT_ERRORS}
        Path(out).write_text(json.dumps(record, indent=1, sort_keys=True))
