"""A scheduler of one's own (docs/architecture.md, "Writing an oracle"): the documented
example, taken from the docs, passes the kit and runs in a tuner that is interrupted and rerun,
ending with the uninterrupted search's trials; and the helpers the docs offer subclasses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import rung
from native_oracle_example import DOC, documented_oracle
from rung.oracles import Oracle, RandomSearchOracle, StopKind
from rung.testing import check_oracle


def space() -> rung.HyperParameters:
    hp = rung.HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 8, 64)
    return hp


def test_the_documented_oracle_passes_the_kit() -> None:
    short_then_long = documented_oracle()
    check_oracle(lambda: short_then_long(objective="loss", hyperparameters=space(), seed=0))


class Interrupt(Exception):
    pass


def search(directory: Path, interrupt_at: int | None, loaded: list[tuple[str, int]]) -> bool:
    """Run the documented oracle's search; with ``interrupt_at``, Ctrl-C in the middle of that
    call of the training function (counted over this run). True if it ran to the end."""
    calls = 0

    def train(trial: rung.Trial) -> dict[str, float]:
        nonlocal calls
        calls += 1
        lr = trial.hyperparameters.Float("lr", 1e-4, 1e-1, sampling="log")
        units = trial.hyperparameters.Int("units", 8, 64)
        state = trial.load_checkpoint() or {"epochs": 0}
        loaded.append((trial.trial_id, state["epochs"]))
        loss = 0.0
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            if calls == interrupt_at and epoch == trial.initial_epoch + 2:
                raise KeyboardInterrupt
            loss = abs(lr - 0.01) * 100 + units / 64 + 1 / epoch
            trial.report(epoch, loss=loss)
            state["epochs"] = epoch
        trial.save_checkpoint(state)
        return {"loss": loss}

    short_then_long = documented_oracle()
    tuner = rung.Tuner(short_then_long(objective="loss", hyperparameters=space(), seed=3),
                       run_trial=train, directory=str(directory), project_name="p", verbose=0,
                       keep_checkpoints=1)
    try:
        tuner.search()
    except KeyboardInterrupt:
        return False
    return True


def table(directory: Path) -> list[tuple[Any, ...]]:
    storage = rung.storage.SQLiteStorage(directory / "p" / "rung.db")
    try:
        return sorted((t.trial_id, tuple(sorted(t.values.items())), t.initial_epoch, t.epochs,
                       t.parent_id, t.status.value, t.loss) for t in storage.trials())
    finally:
        storage.close()


def test_the_documented_oracle_resumes_in_a_tuner_after_interrupts(tmp_path: Path) -> None:
    loaded: list[tuple[str, int]] = []
    assert search(tmp_path / "whole", None, loaded)
    whole = table(tmp_path / "whole")
    assert len(whole) == 10 and {row[5] for row in whole} == {"COMPLETED"}
    promoted = [row for row in whole if row[4] is not None]
    assert [row[2:4] for row in promoted] == [(3, 9), (3, 9)]

    loaded = []
    runs = [search(tmp_path / "cut", at, loaded) for at in (2, 7, 1, 1, None)]
    assert runs == [False, False, False, False, True]
    assert table(tmp_path / "cut") == whole  # nothing lost, nothing repeated
    # every job began from its parent's checkpoint, at the epoch it continues from, although
    # keep_checkpoints=1 deleted the checkpoints no job could use any more
    assert all(epochs == (3 if trial_id in {r[0] for r in promoted} else 0)
               for trial_id, epochs in loaded)


def test_the_helpers_for_subclasses() -> None:
    hp = space()
    oracle = RandomSearchOracle(objective="loss", max_trials=5, seed=0, hyperparameters=hp)
    first, second = oracle.new_trial_id(), oracle.new_trial_id()
    assert (first, second) == ("00000", "00001")
    state = oracle.state_dict()
    draws = oracle.rng.random(3)
    resumed = RandomSearchOracle(objective="loss", max_trials=5, seed=0, hyperparameters=hp)
    resumed.load_state_dict(state)
    assert resumed.new_trial_id() == "00002"  # the counter is in the state
    assert list(resumed.rng.random(3)) == list(draws)  # so is the generator

    s = oracle.ask()
    assert s is not None
    oracle.end_search(StopKind.PLAN_COMPLETE, "first reason")
    oracle.end_search(StopKind.EXHAUSTED, "second reason")
    assert oracle.ask() is None and not oracle.finished  # a job is still pending
    assert oracle.stop_reason == "first reason"
    record = oracle.tell(s.trial_id, {"loss": 1.0})
    assert oracle.finished and oracle.stop.kind is StopKind.PLAN_COMPLETE
    assert Oracle.reached_planned_epochs(s, record)


@pytest.mark.parametrize("name", ["rng", "new_trial_id", "end_search", "pending_parents",
                                  "reached_planned_epochs", "pending"])
def test_the_helpers_are_documented_for_subclasses(name: str) -> None:
    assert f"`{name}" in DOC.read_text().split("## Writing an oracle")[1].split("\n## ")[0]
    assert not name.startswith("_") and hasattr(Oracle, name)


class StopsAtEpochTwo(RandomSearchOracle):
    """Overrides ``_decide`` only, as the docs' table says, without setting ``stops_trials``."""

    def _decide(self, trial_id: str, epoch: int, loss: float) -> bool:
        return epoch < 2


def test_overriding_decide_is_enough_for_it_to_be_called(tmp_path: Path) -> None:
    """``_decide`` used to be skipped without a word unless the class also set
    ``stops_trials = True`` (a median-stopping scheduler written from the docs pruned nothing)."""
    assert StopsAtEpochTwo.stops_trials and not RandomSearchOracle.stops_trials

    def train(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for epoch in range(1, 5):
            trial.report(epoch, loss=x + 1 / epoch)
        return x

    tuner = rung.Tuner(StopsAtEpochTwo(objective="loss", max_trials=3, seed=0),
                       run_trial=train, directory=str(tmp_path), project_name="p", verbose=0)
    tuner.search()
    records = tuner.storage.trials()
    assert [r.status for r in records] == [rung.TrialStatus.PRUNED] * 3
    assert [r.epochs_reached for r in records] == [2, 2, 2]


@pytest.mark.parametrize("trial_id", ["x00000", "00000"])
def test_a_job_id_not_from_new_trial_id_is_named(trial_id: str) -> None:
    class OwnIds(RandomSearchOracle):
        def _next(self) -> rung.oracles.Suggestion | None:
            job = super()._next()
            return None if job is None else rung.oracles.Suggestion(trial_id, job.values)

    oracle = OwnIds(objective="loss", max_trials=3, seed=0, hyperparameters=space())
    if trial_id == "00000":  # a valid id, but taken by the first job
        first = oracle.ask()
        assert first is not None and first.trial_id == "00000"
    what = "is already in use" if trial_id == "00000" else "is not a trial id"
    with pytest.raises(rung.errors.ConfigurationError,
                       match=rf"OwnIds._next returned a job whose trial_id '{trial_id}' {what}: "
                             r"take each new job's id from self.new_trial_id\(\)"):
        oracle.ask()
