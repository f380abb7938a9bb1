"""ASHA's rungs at scale: the work per job and the state written per job stay bounded, and a
resume (from a log, or from a state saved whole before the log) is exact.

No timing: the tests count what is written and what is looked at.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

import rung
from rung.oracles import ASHAOracle
from rung.oracles._asha_rung import Rung
from rung.storage import InMemoryStorage, SQLiteStorage, Storage
from rung.trial_record import TrialStatus

FINISHED = (TrialStatus.COMPLETED, TrialStatus.FAILED, TrialStatus.PRUNED)


def space() -> rung.HyperParameters:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    return hp


def asha(mode: str = "promotion", max_trials: int = 60, **kwargs: Any) -> ASHAOracle:
    return ASHAOracle(objective="loss", max_epochs=27, factor=3, max_trials=max_trials, mode=mode,
                      seed=0, hyperparameters=space(), **kwargs)


def finish(oracle: ASHAOracle, s: rung.oracles.Suggestion, rnd: random.Random) -> Any:
    """Run ``s`` on a made-up curve (stopping mode: reports every epoch); its record."""
    epoch = s.epochs
    if oracle.mode == "stopping":
        for epoch in range(s.initial_epoch + 1, s.epochs + 1):
            if not oracle.on_report(s.trial_id, epoch, {"loss": s.values["x"] + 1 / epoch}):
                return oracle.tell(s.trial_id, {"loss": s.values["x"] + 1 / epoch},
                                   epochs_reached=epoch, status=TrialStatus.PRUNED)
    if rnd.random() < 0.05:
        return oracle.tell_failed(s.trial_id, "boom")
    return oracle.tell(s.trial_id, {"loss": s.values["x"] + rnd.random() / epoch})


def drive(oracle: ASHAOracle, storage: Storage | None = None, resume_every_job: bool = False,
          workers: int = 3, seed: int = 0) -> list[Any]:
    """Run the search with ``workers`` jobs in flight, finished in a seeded random order; the
    trace of every suggestion and of ``checkpoints_in_use`` after each result. With
    ``resume_every_job`` a new oracle is loaded from ``storage`` after every result."""
    rnd = random.Random(seed)
    trace: list[Any] = []
    running: list[Any] = []
    while True:
        while len(running) < workers and (s := oracle.ask()) is not None:
            running.append(s)
            trace.append((s.trial_id, s.parent_id, s.rung, s.epochs, s.values))
            if storage is not None:
                storage.create_trial(s.to_record(), oracle.state_dict())
        if not running:
            return trace
        s = running.pop(rnd.randrange(len(running)))
        record = finish(oracle, s, rnd)
        if storage is not None:
            storage.finish_trial(s.trial_id, record.status, record.metrics, loss=record.loss,
                                 oracle_state=oracle.state_dict(),
                                 epochs_reached=record.epochs_reached)
        trace.append(sorted(oracle.checkpoints_in_use()))
        if resume_every_job:  # a new driver: the oracle from storage, the same jobs running
            assert storage is not None
            before = oracle
            oracle = asha(oracle.mode, oracle.max_trials)
            oracle.load_state_dict(storage.get_oracle_state(), storage.trials(FINISHED))
            assert oracle.checkpoints_in_use() == before.checkpoints_in_use()
            assert [(r.ids, r.losses, r.promoted, r.retired) for r in oracle._rungs] == [
                (r.ids, r.losses, r.promoted, r.retired) for r in before._rungs]
            assert sorted(oracle.pending) == sorted(r.trial_id for r in running)
            running = [oracle.pending[r.trial_id] for r in running]


@pytest.mark.parametrize("mode", ["promotion", "stopping"])
@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_reloaded_from_storage_after_every_job_the_search_is_the_same(
        tmp_path: Path, mode: str, kind: str) -> None:
    reference = drive(asha(mode))
    storage: Storage = (SQLiteStorage(tmp_path / "rung.db", create=True) if kind == "sqlite"
                        else InMemoryStorage())
    assert drive(asha(mode), storage, resume_every_job=True) == reference
    assert len(reference) > 100


@pytest.mark.parametrize("mode", ["promotion", "stopping"])
def test_a_state_saved_whole_before_the_log_resumes_the_same(mode: str) -> None:
    """A project written by an earlier rung (state version 2: every rung saved whole) resumes
    exactly where it was, then saves the log."""
    rnd = random.Random(1)
    oracle = asha(mode)
    for _ in range(25):
        finish(oracle, oracle.ask(), rnd)
    state = json.loads(json.dumps(oracle.state_dict()))
    promoted: dict[int, list[str]] = {k: [] for k in range(len(oracle.milestones))}
    for page in state.pop("log_pages"):
        for entry in page:
            if entry[0] == "promote":
                promoted[entry[1]].append(entry[2])
    state["version"] = 2
    scheduler = state["scheduler"]
    del scheduler["log_entries"]
    scheduler["rungs"] = [{"ids": r.ids, "losses": r.losses, "promoted": promoted[k],
                           "retired": sorted(r.retired)} for k, r in enumerate(oracle._rungs)]
    resumed = asha(mode)
    resumed.load_state_dict(state, oracle.records)
    assert resumed.state_dict()["scheduler"]["log_entries"] > 25  # now saved as a log
    assert drive(resumed, seed=2) == drive(oracle, seed=2)


@pytest.mark.parametrize("mode", ["promotion", "stopping"])
def test_the_state_written_with_each_job_stays_small_as_the_search_grows(
        tmp_path: Path, mode: str) -> None:
    """Each job writes its new log entries (a page or two), not every result again: the SQL
    text of each state write stays bounded while the whole state grows past it many times."""
    def train(trial: rung.Trial) -> dict[str, float]:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, loss=x + 1 / epoch)
        return {"loss": x + 1 / trial.epochs}

    tuner = rung.ASHA(run_trial=train, objective="loss", max_epochs=27, factor=3,
                      max_trials=600, mode=mode, seed=0, keep_checkpoints="all",
                      directory=tmp_path, project_name="p", verbose=0)
    written: list[int] = []  # per transaction: the text of its writes of the oracle state

    def trace(sql: str) -> None:
        if sql.startswith("BEGIN"):
            written.append(0)
        elif "oracle_" in sql and not sql.startswith("SELECT"):
            written[-1] += len(sql)

    tuner.storage._conn.set_trace_callback(trace)  # type: ignore[attr-defined]
    tuner.search()
    whole = len(json.dumps(tuner.storage.get_oracle_state()))
    tuner.storage.close()
    per_job = [n for n in written if n]  # create_trial's and finish_trial's
    tenth = len(per_job) // 10
    assert whole > 30_000 and max(per_job) < whole / 4
    assert max(per_job[-tenth:]) <= 1.5 * max(per_job[tenth:2 * tenth])


def test_a_state_snapshot_copies_no_entry_and_later_jobs_leave_it_unchanged() -> None:
    oracle = asha(max_trials=800)
    rnd = random.Random(0)
    for _ in range(600):
        finish(oracle, oracle.ask(), rnd)
    first = oracle.state_dict()
    text = json.dumps(first)
    for _ in range(50):
        finish(oracle, oracle.ask(), rnd)
    later = oracle.state_dict()
    assert json.dumps(first) == text  # the snapshot did not change under its holder
    full = len(first["log_pages"]) - 1
    assert full > 3 and all(later["log_pages"][i] is first["log_pages"][i] for i in range(full))


class CountingList(list):
    """A list that counts the items its slices hand out (what ``retire`` looks at)."""

    looked = 0

    def __getitem__(self, index: Any) -> Any:
        got = super().__getitem__(index)
        if isinstance(index, slice):
            CountingList.looked += len(got)
        return got


def test_retire_keeps_its_definition_and_looks_at_each_result_a_bounded_number_of_times() -> None:
    """``retire(limit)`` retires exactly the open results ranked ``limit`` or worse, as a walk of
    the whole tail would, but looks at each result about once over a search whose limit, as
    ASHA's, only falls (it rose only when ``max_trials`` was raised); ``candidate`` is the best
    open result of the top third, found without a walk (no slice is taken)."""
    rnd = random.Random(3)
    for limits in ("falling", "random"):
        rung_ = Rung()
        rung_.ids = CountingList()
        CountingList.looked = 0
        retired: set[str] = set()
        limit = 2000
        for n in range(3000):
            rung_.add(f"{n:05d}", rnd.random())
            ranked = list(rung_.ids)
            first_open = next((t for t in ranked[:len(ranked) // 3] if t in rung_.open), None)
            assert rung_.candidate(3) == first_open  # the best open result in the top third
            if rnd.random() < 0.2 and first_open is not None:
                rung_.promote(first_open)
            limit = (limit - (rnd.random() < 0.1) if limits == "falling" else
                     rnd.randrange(len(rung_) + 5))
            rung_.retire(limit)
            retired |= {t for t in list(rung_.ids)[limit:] if t not in rung_.promoted}
            assert rung_.retired == retired
            assert rung_.open == set(rung_.loss) - rung_.promoted - rung_.retired
        if limits == "falling":
            assert CountingList.looked < 2 * len(rung_)  # a walk of the tail: millions


def test_a_log_that_lost_entries_is_refused(tmp_path: Path) -> None:
    oracle = asha(max_trials=400)
    rnd = random.Random(0)
    with SQLiteStorage(tmp_path / "rung.db", create=True) as storage:
        for _ in range(300):
            s = oracle.ask()
            record = finish(oracle, s, rnd)
            storage.create_trial(s.to_record(), oracle.state_dict())
            storage.finish_trial(s.trial_id, record.status, record.metrics, loss=record.loss,
                                 oracle_state=oracle.state_dict())
        state = storage.get_oracle_state()
        assert len(state["log_pages"]) > 2
        storage._conn.execute("DELETE FROM oracle_log WHERE page = 1")  # type: ignore[attr-defined]
        with pytest.raises(rung.errors.ProjectError, match="damaged: its oracle state has a log"):
            storage.get_oracle_state()
    state["log_pages"] = state["log_pages"][:-1]  # a page short of what the state counted
    with pytest.raises(rung.errors.ConfigurationError, match="the project is damaged"):
        asha(max_trials=400).load_state_dict(state, oracle.records)
