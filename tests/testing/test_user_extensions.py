"""A user's own searcher, storage and executor, written from the docs and checked with the kits
in their pytest form (``*_rules()`` parametrised); the searcher's state survives a killed search."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from _user_extensions import CountingPerturb, PerturbBest, Threads  # importable by conftest.py

import rung
from rung.hyperparameters import HyperParameters
from rung.searchers import Searcher
from rung.storage import InMemoryStorage
from rung.testing import (
    Rule,
    check_oracle,
    executor_rules,
    searcher_rules,
    storage_rules,
)


class Wrapped(InMemoryStorage):
    """A thin wrapper, as a user would start a storage of their own."""


@pytest.mark.parametrize("searcher", [PerturbBest, CountingPerturb], ids=lambda s: s.__name__)
@pytest.mark.parametrize("rule", searcher_rules(), ids=lambda rule: rule.name)
def test_my_searcher(rule: Rule, searcher: type[Searcher]) -> None:
    rule.check(searcher)


@pytest.mark.parametrize("rule", storage_rules(), ids=lambda rule: rule.name)
def test_my_storage(rule: Rule) -> None:
    rule.check(Wrapped)


@pytest.mark.parametrize("rule", executor_rules(), ids=lambda rule: rule.name)
def test_my_executor(rule: Rule) -> None:
    rule.check(Threads)


def _space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 16, 128, step=16)
    return hp


def test_my_searcher_under_hyperband_and_asha_oracles() -> None:
    check_oracle(lambda: rung.oracles.HyperbandOracle(
        objective="loss", max_epochs=9, factor=3, seed=0, hyperparameters=_space(),
        searcher=CountingPerturb()))
    check_oracle(lambda: rung.oracles.ASHAOracle(
        objective="loss", max_epochs=9, factor=3, max_trials=15, seed=0,
        hyperparameters=_space(), searcher=CountingPerturb()))


SCRIPT = '''
import json, os, sys
import rung
from _user_extensions import CountingPerturb

def train(trial):
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    units = trial.hyperparameters.Int("units", 16, 128, step=16)
    if trial.trial_id == os.environ.get("RUNG_TEST_KILL_AT"):
        trial.report(trial.initial_epoch + 1, val_loss=0.5)
        os._exit(9)  # killed mid-job, with one report stored
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        loss = (x - 0.3) ** 2 + abs(units - 64) / 640 + 1 / epoch
        trial.report(epoch, val_loss=loss)
    return {"val_loss": loss}

tuner = getattr(rung, sys.argv[2])(
    run_trial=train, objective="val_loss", max_epochs=9, factor=3, seed=1, verbose=0,
    directory=sys.argv[1], project_name="p", searcher=CountingPerturb(),
    **({"max_trials": 20} if sys.argv[2] == "ASHA" else {}))
tuner.search()
print(json.dumps([(t.trial_id, t.values, t.status.name, t.loss, t.parent_id)
                  for t in tuner.storage.trials()]))
'''


@pytest.mark.parametrize("front_end", ["Hyperband", "ASHA"])
def test_my_searchers_state_survives_a_killed_search(tmp_path: Path, front_end: str) -> None:
    (tmp_path / "script.py").write_text(textwrap.dedent(SCRIPT))

    def run(directory: str, kill_at: str = "") -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "RUNG_TEST_KILL_AT": kill_at,
               "PYTHONPATH": str(Path(__file__).parent)}  # for _user_extensions
        return subprocess.run([sys.executable, "script.py", directory, front_end], cwd=tmp_path,
                              text=True, capture_output=True, env=env, check=False)

    uninterrupted = run("whole")
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    killed = run("killed", kill_at="00008")
    assert killed.returncode == 9, killed.stderr
    resumed = run("killed")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout) == json.loads(uninterrupted.stdout)
