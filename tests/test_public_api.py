"""The public namespace is complete and every name in ``__all__`` resolves."""

from __future__ import annotations

import importlib

import pytest

import rung

MODULES = ["rung", "rung.oracles", "rung.searchers", "rung.storage", "rung.hyperparameters",
           "rung.errors", "rung.objective", "rung.tuner", "rung.trial", "rung.executors",
           "rung.report", "rung.report.dashboard", "rung.report.snapshot", "rung.report.plan",
           "rung.report.brackets", "rung.report.curves", "rung.report.progress",
           "rung.report.params", "rung.report.table", "rung.report.summary", "rung.report.render"]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_resolve(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__, name
    for attr in module.__all__:
        assert hasattr(module, attr), f"{name}.{attr}"


def test_keras_tuner_names_are_at_the_top_level() -> None:
    for attr in ["Hyperband", "RandomSearch", "GridSearch", "BayesianOptimization",
                 "HyperParameters", "HyperModel", "Objective", "Tuner", "SklearnTuner", "errors",
                 "oracles"]:
        assert attr in rung.__all__


def test_importing_rung_does_not_import_heavy_frameworks() -> None:
    import subprocess
    import sys

    code = ("import sys, rung; heavy = [m for m in ('keras', 'torch', 'sklearn', 'dask', 'ray') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert rung.SklearnTuner.__name__ == "SklearnTuner"


def test_oracle_names_match_keras_tuner() -> None:
    for attr in ["HyperbandOracle", "RandomSearchOracle", "GridSearchOracle",
                 "BayesianOptimizationOracle"]:
        assert attr in rung.oracles.__all__
    for attr in ["FailedTrialError", "FatalError", "FatalValueError", "FatalTypeError",
                 "FatalRuntimeError"]:
        assert attr in rung.errors.__all__


def test_a_bare_import_rung_reaches_every_name_and_submodule() -> None:
    """The package imports its names on first use (``rung._lazy``): in a fresh process, a bare
    ``import rung`` still reaches the names, the submodules an eager import made visible, and
    ``from rung import *``; an unknown name is an AttributeError."""
    import subprocess
    import sys

    code = ("import rung, sys; assert 'rung.tuner' not in sys.modules; "
            "print(rung.Hyperband.__name__, rung.oracles.HyperbandOracle.__name__, "
            "rung.checkpoints.CheckpointStore.__name__, rung.trial_record.TrialRecord.__name__, "
            "rung.engine.tuner.__name__, rung.Oracle.__name__, 'Hyperband' in dir(rung)); "
            "from rung import *; print(Tuner.__name__, hasattr(rung, 'nope'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["Hyperband", "HyperbandOracle", "CheckpointStore", "TrialRecord",
                                  "rung.engine.tuner", "CustomOracle", "True", "Tuner", "False"]


def test_trial_status_prints_as_keras_tuners_constants() -> None:
    """keras-tuner's ``TrialStatus`` members are plain strings: printing or logging a status
    shows ``COMPLETED``, not ``TrialStatus.COMPLETED``."""
    status = rung.TrialStatus.COMPLETED
    assert str(status) == f"{status}" == "COMPLETED" == status
    assert f"[{rung.TrialStatus.FAILED:>8}]" == "[  FAILED]"
    assert "status %s" % (rung.TrialStatus.PRUNED,) == "status PRUNED"  # noqa: UP031 - logging's way
