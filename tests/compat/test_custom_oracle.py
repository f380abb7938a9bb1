"""Custom oracles written keras-tuner's way: subclass ``kt.Oracle``, override ``populate_space``.

They run inside ``kt.Tuner`` on the SQLite store like the built-in ones, and a search killed in
the middle resumes exactly where it was, the oracle's own state included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import keras
import pytest

import rung as kt
from rung.oracles.sync import _lock_of


class LocalSearch(kt.Oracle):
    """Random values first, then the best trial's ``units`` one step up or down."""

    def __init__(self, num_initial_points: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_initial_points = num_initial_points
        self.proposed = 0

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        self.proposed += 1
        best = self.get_best_trials(1)
        if len(self.trials) < self.num_initial_points or not best:
            return {"status": kt.engine.trial.TrialStatus.RUNNING,
                    "values": self._random_values()}
        values = best[0].hyperparameters.values.copy()
        values["units"] = min(64, values["units"] + 16) if self.proposed % 2 else max(
            16, values["units"] - 16)
        if self._duplicate(values):
            values = self._random_values()
        return {"status": "RUNNING", "values": values}

    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state["proposed"] = self.proposed
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        super().set_state(state)
        self.proposed = state["proposed"]


def build_model(hp: kt.HyperParameters) -> keras.Model:
    model = keras.Sequential([
        keras.layers.Input((64,)),
        keras.layers.Dense(hp.Int("units", 16, 64, step=16), activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(hp.Float("lr", 1e-3, 1e-1, sampling="log")),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_a_custom_oracle_drives_a_keras_search(tmp_path: Path, digits: dict) -> None:
    oracle = LocalSearch(objective="val_accuracy", max_trials=4, seed=3)
    tuner = kt.Tuner(oracle=oracle, hypermodel=build_model, directory=tmp_path,
                     project_name="local")
    tuner.search(digits["x_train"], digits["y_train"], epochs=1, verbose=0,
                 validation_data=(digits["x_val"], digits["y_val"]))
    trials = tuner.oracle.trials
    assert len(trials) == 4 and oracle.proposed == 4
    assert all(t.status == "COMPLETED" for t in trials.values())
    units = [trials[i].hyperparameters["units"] for i in sorted(trials)]
    assert all(u in (16, 32, 48, 64) for u in units)
    best = tuner.get_best_hyperparameters()[0]
    assert best.values == tuner.oracle.get_best_trials()[0].hyperparameters.values
    assert (tmp_path / "local" / "rung.db").exists()
    # reopened (a new process would do the same): the trials and the oracle's own state are back
    again = kt.Tuner(oracle=LocalSearch(objective="val_accuracy", max_trials=4, seed=3),
                     hypermodel=build_model, directory=tmp_path, project_name="local")
    assert again.oracle.proposed == 4
    assert sorted(again.oracle.trials) == sorted(trials)


SCRIPT = """
import json, os, sys
import rung as kt

class Halving(kt.Oracle):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.proposed = 0

    def populate_space(self, trial_id):
        self.proposed += 1
        best = self.get_best_trials(1)
        if len(self.trials) < 2 or not best:
            return {"status": "RUNNING", "values": self._random_values()}
        return {"status": "RUNNING", "values": {"x": best[0].hyperparameters["x"] / 2}}

    def get_state(self):
        return {**super().get_state(), "proposed": self.proposed}

    def set_state(self, state):
        super().set_state(state)
        self.proposed = state["proposed"]

class MyTuner(kt.Tuner):
    def run_trial(self, trial, kill_at):
        x = trial.hyperparameters.Float("x", 0.0, 8.0)
        if trial.trial_id == kill_at and not os.path.exists(trial.trial_id + ".killed"):
            open(trial.trial_id + ".killed", "w").close()
            os._exit(3)  # the process dies in the middle of a trial
        return (x - 1.0) ** 2

if __name__ == "__main__":
    tuner = MyTuner(Halving(objective="loss", max_trials=6, seed=7), directory=".",
                    project_name="halving", verbose=0)
    tuner.search(sys.argv[1])
    trials = tuner.oracle.trials
    print(json.dumps({"x": [trials[i].hyperparameters["x"] for i in sorted(trials)],
                      "proposed": tuner.oracle.proposed}))
"""


def run_script(directory: Path, kill_at: str) -> subprocess.CompletedProcess:
    directory.mkdir(exist_ok=True)
    (directory / "search.py").write_text(SCRIPT)
    return subprocess.run([sys.executable, "search.py", kill_at], cwd=directory,
                          capture_output=True, text=True, timeout=300, env=os.environ.copy())


def test_a_killed_search_resumes_with_the_oracles_state(tmp_path: Path) -> None:
    plain = run_script(tmp_path / "plain", kill_at="none")
    assert plain.returncode == 0, plain.stderr
    killed = run_script(tmp_path / "killed", kill_at="00003")
    assert killed.returncode == 3, killed.stderr
    resumed = run_script(tmp_path / "killed", kill_at="00003")
    assert resumed.returncode == 0, resumed.stderr
    expected = json.loads(plain.stdout)
    assert json.loads(resumed.stdout) == expected  # the same six trials, the same state
    assert expected["proposed"] == 6
    xs = expected["x"]
    assert xs[3] in (xs[2] / 2, xs[1] / 2, xs[0] / 2)  # halving the best after two random ones


def run_trial(trial: kt.Trial) -> float:
    return trial.hyperparameters.Float("x", 0.0, 1.0)


class Scripted(kt.Oracle):
    """Answers ``populate_space`` from a list (values or a bare status)."""

    def __init__(self, answers: list[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.answers = list(answers)

    def populate_space(self, trial_id: str) -> Any:
        answer = self.answers.pop(0)
        if isinstance(answer, dict) and "status" not in answer:
            return {"status": "RUNNING", "values": answer}
        return answer


def search(tmp_path: Path, oracle: kt.Oracle) -> kt.Tuner:
    tuner = kt.Tuner(oracle, run_trial=run_trial, directory=tmp_path, project_name="s",
                     verbose=0)
    tuner.search()
    return tuner


def test_stopped_ends_the_search(tmp_path: Path) -> None:
    stopped = kt.engine.trial.TrialStatus.STOPPED if hasattr(
        kt.engine.trial.TrialStatus, "STOPPED") else "STOPPED"
    tuner = search(tmp_path, Scripted([{"x": 0.5}, {"x": 0.25}, {"status": stopped}],
                                      objective="loss"))
    assert [t.hyperparameters["x"] for t in tuner.oracle.trials.values()] == [0.5, 0.25]
    assert tuner.oracle.stop_reason == "populate_space returned STOPPED"
    assert tuner.oracle.remaining_trials() == 0


def test_idle_with_nothing_running_ends_the_search(tmp_path: Path) -> None:
    tuner = search(tmp_path, Scripted([{"x": 0.5}, {"status": "IDLE"}], objective="loss"))
    assert len(tuner.oracle.trials) == 1
    assert "IDLE" in tuner.oracle.stop_reason


def test_max_trials_ends_the_search(tmp_path: Path) -> None:
    tuner = search(tmp_path, Scripted([{"x": 0.1}, {"x": 0.2}, {"x": 0.3}], objective="loss",
                                      max_trials=2))
    assert len(tuner.oracle.trials) == 2


@pytest.mark.parametrize("answer, match", [
    ([0.5], "populate_space's result"),
    ({"status": "RUNNING"}, "populate_space's 'values'"),
    ({"status": "DONE", "values": {}}, "populate_space's 'status'"),
])
def test_a_bad_populate_space_answer_is_a_clear_error(tmp_path: Path, answer: Any,
                                                     match: str) -> None:
    with pytest.raises(ValueError, match=match):
        search(tmp_path, Scripted([answer], objective="loss"))


def test_populate_space_must_be_written(tmp_path: Path) -> None:
    with pytest.raises(NotImplementedError, match="must override populate_space"):
        search(tmp_path, kt.Oracle(objective="loss"))


def test_fixed_spaces_need_hyperparameters() -> None:
    with pytest.raises(ValueError, match="tune_new_entries=False"):
        kt.Oracle(objective="loss", tune_new_entries=False)
    with pytest.raises(ValueError, match="allow_new_entries=False"):
        kt.Oracle(objective="loss", allow_new_entries=False)


def test_synchronized_methods_of_one_oracle_take_turns() -> None:
    """While one thread is inside a synchronized method, the oracle's lock is held (another
    thread cannot take it) and other oracles stay free; the lock is re-entrant."""

    class Locked(kt.Oracle):
        @kt.synchronized
        def probe(self, other: kt.Oracle) -> tuple[bool, bool]:
            results: list[bool] = []

            def try_both() -> None:
                for oracle in (self, other):
                    lock = _lock_of(oracle)
                    got = lock.acquire(blocking=False)
                    results.append(got)
                    if got:
                        lock.release()

            thread = threading.Thread(target=try_both)
            thread.start()
            thread.join()
            return results[0], results[1]

        @kt.synchronized
        def nested(self) -> str:
            return self.inner()

        @kt.synchronized
        def inner(self) -> str:
            return "re-entered"

    first, second = Locked(objective="loss"), Locked(objective="loss")
    assert first.probe(second) == (False, True)
    assert first.nested() == "re-entered"
    import copy
    import pickle

    assert pickle.loads(pickle.dumps(kt.Oracle(objective="loss"))).objective.name == "loss"
    assert copy.deepcopy(first).objective.name == "loss"


class CopiedFromKerasTuner(kt.Oracle):
    """``populate_space`` as keras-tuner's own oracles draw: a seed per draw, ``_seed_state``."""

    def populate_space(self, trial_id: str) -> Any:
        values = {}
        for hp in self.hyperparameters.space:
            values[hp.name] = hp.random_sample(self._seed_state)
            self._seed_state += 1
        return {"status": "RUNNING", "values": values}


def test_keras_tuner_seed_state_draws_and_resumes(tmp_path: Path) -> None:
    def space() -> kt.HyperParameters:
        hp = kt.HyperParameters()
        hp.Float("x", 0.0, 1.0)
        return hp

    whole = search(tmp_path / "whole", CopiedFromKerasTuner(
        objective="loss", max_trials=4, seed=3, hyperparameters=space()))
    xs = [t.hyperparameters["x"] for _, t in sorted(whole.oracle.trials.items())]
    assert len(set(xs)) == 4 and whole.oracle._seed_state == 3 + 4
    first = kt.Tuner(CopiedFromKerasTuner(objective="loss", max_trials=2, seed=3,
                                          hyperparameters=space()),
                     run_trial=run_trial, directory=tmp_path, project_name="cut", verbose=0)
    first.search()
    again = kt.Tuner(CopiedFromKerasTuner(objective="loss", max_trials=4, seed=3,
                                          hyperparameters=space()),
                     run_trial=run_trial, directory=tmp_path, project_name="cut", verbose=0)
    again.search()  # resumed with a larger max_trials: the draws go on where they were
    assert [t.hyperparameters["x"] for _, t in sorted(again.oracle.trials.items())] == xs
