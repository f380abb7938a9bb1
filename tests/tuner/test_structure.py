"""The core tuner knows no framework; the loop talks to it through JobRecorder; one submit."""

from __future__ import annotations

import ast
import inspect
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import rung
from rung.checkpoints import CheckpointStore
from rung.errors import ArgumentTypeError, ConfigurationError
from rung.executors import (
    Executor,
    InProcessExecutor,
    JobSpec,
    ProcessExecutor,
    SimulatedExecutor,
)
from rung.executors._remote import FutureExecutor
from rung.oracles import HyperbandOracle
from rung.storage import InMemoryStorage
from rung.trial_record import TrialRecord, TrialStatus
from rung.tuner.base import BaseTuner
from rung.tuner.cleanup import CheckpointCleanup
from rung.tuner.display import Display
from rung.tuner.loop import Job, SearchLoop
from rung.tuner.recorder import JobRecorder

TUNER = Path(rung.__file__).parent / "tuner"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("module", sorted(p.name for p in TUNER.glob("*.py")))
def test_the_core_tuner_imports_no_framework(module: str) -> None:
    names = imported_modules(TUNER / module)
    assert not {n for n in names if n.split(".")[0] in ("keras", "torch", "sklearn")}
    allowed = {"rung.integrations.keras.api"} if module == "frontends.py" else set()
    assert {n for n in names if n.startswith("rung.integrations")} <= allowed, names


def test_keras_arguments_live_in_the_integration() -> None:
    core = inspect.signature(BaseTuner).parameters
    for name in ("max_model_size", "optimizer", "loss", "metrics", "distribution_strategy",
                 "executions_per_trial", "tuner_id", "logger"):
        assert name not in core
        assert name in inspect.signature(rung.Tuner).parameters  # keras-tuner's signature
    with pytest.raises(ConfigurationError, match="Unrecognized arguments: BaseTuner got unknown argument.*optimizer='adam'"):
        BaseTuner(HyperbandOracle(objective="loss", max_epochs=3), optimizer="adam",
                  storage=InMemoryStorage(), verbose=0)
    with pytest.raises(ConfigurationError, match="executions_per_trial must be an integer >= 1"):
        rung.Hyperband(run_trial=lambda t: 1.0, objective="loss", executions_per_trial=0,
                       storage=InMemoryStorage(), verbose=0)
    with pytest.raises(ArgumentTypeError, match="max_model_size must be None or an integer"):
        rung.Hyperband(run_trial=lambda t: 1.0, objective="loss", max_model_size="1M",
                       storage=InMemoryStorage(), verbose=0)
    tuner = rung.Hyperband(run_trial=lambda t: 1.0, objective="loss", executions_per_trial=2,
                           storage=InMemoryStorage(), verbose=0)
    assert tuner.executions_per_trial == tuner.keras.executions_per_trial == 2


def test_a_plain_search_never_imports_keras(tmp_path: Path) -> None:
    code = (
        "import sys, rung\n"
        "def train(trial):\n"
        "    return trial.hyperparameters.Float('x', 0.0, 1.0)\n"
        f"rung.Hyperband(run_trial=train, objective='loss', max_epochs=3, directory={str(tmp_path)!r},"
        " verbose=0).search()\n"
        "print(sorted(m for m in ('keras', 'rung.integrations.keras.runner') if m in sys.modules))\n"
    )
    env_path = str(Path(rung.__file__).parents[1])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": env_path, "PATH": ""})
    assert out.stdout.strip() == "[]"


def test_the_sklearn_tuner_keeps_keras_tuners_metrics_name(tmp_path: Path) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score

    tuner = rung.SklearnTuner(
        rung.oracles.RandomSearchOracle(max_trials=1),
        lambda hp: LogisticRegression(C=hp.Float("C", 0.1, 1.0)), metrics=accuracy_score,
        directory=tmp_path, verbose=0)
    assert tuner.metrics == [accuracy_score]
    assert not isinstance(tuner, rung.Tuner)  # a BaseTuner: no Keras arguments


def test_every_executor_has_the_same_submit_signature() -> None:
    base = inspect.signature(Executor.submit)
    for cls in (InProcessExecutor, ProcessExecutor, SimulatedExecutor, FutureExecutor):
        assert inspect.signature(cls.submit) == base, cls


def test_a_job_spec_travels_without_the_drivers_live_trial() -> None:
    record = TrialRecord("00000", {"x": 1})
    live = rung.Trial(record, rung.HyperParameters(), reporter=lambda *a: True)
    spec = JobSpec(record=record, attempt=1, function=len, live_trial=live)
    assert pickle.loads(pickle.dumps(spec)).live_trial is None
    assert spec.live_trial is live


class Hooks:
    """What the loop's recorder needs besides the project: two hooks (no tuner)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def on_trial_begin(self, trial: rung.Trial) -> None:
        self.events.append(("begin", trial.trial_id))

    def on_trial_end(self, trial: rung.Trial) -> None:
        self.events.append(("end", trial.trial_id))


def test_the_search_loop_needs_only_a_job_recorder(tmp_path: Path) -> None:
    oracle = HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0)
    oracle.hyperparameters.Float("x", 0.0, 1.0)
    storage = InMemoryStorage()
    checkpoints = CheckpointStore(tmp_path)
    hooks = Hooks()
    recorder = JobRecorder(oracle, storage, checkpoints, CheckpointCleanup(checkpoints, oracle),
                           Display(0), hooks)
    executor = SimulatedExecutor(3, curve=lambda v, e: (v["x"] - 0.3) ** 2 + 1 / e)
    loop = SearchLoop(recorder, executor, Job(function=len))
    loop.run()
    assert oracle.finished and loop.finished_jobs == oracle.budget().jobs
    assert storage.count_trials(TrialStatus.COMPLETED) == oracle.budget().jobs
    assert sorted(hooks.events) == sorted(
        [(e, t.trial_id) for t in storage.trials() for e in ("begin", "end")])
