"""``search(reproducible=True)``: with 4 workers, the same seed gives the same search, whatever
the order in which jobs end, and a killed search resumes into the uninterrupted one.

Results reach the driver out of order because the tests make them (``reproducible_jobs``: a
job waits on a FIFO until the driver has received another's result); the order they arrived in
is recorded by the executor and checked, so each comparison is between runs whose results
provably arrived in different orders.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import reproducible_jobs as jobs

import rung
from rung.errors import ArgumentTypeError
from rung.executors import SimulatedExecutor
from rung.oracles import ASHAOracle, BOHBOracle, HyperbandOracle

HERE = Path(__file__).parent


def trials(tuner: rung.tuner.BaseTuner) -> list[tuple[Any, ...]]:
    """What the search decided and found, trial by trial, with every epoch reported."""
    storage = tuner.storage
    return [(t.trial_id, t.parent_id, json.dumps(t.values, sort_keys=True), t.epochs,
             t.initial_epoch, t.status.value, t.loss, t.epochs_reached, t.metrics,
             storage.epoch_metrics(t.trial_id)) for t in storage.trials()]


def search(tmp: Path, algorithm: str, gates: dict[str, str], *, reproducible: bool = True,
           fail: tuple[str, ...] = (), **kwargs: Any) -> tuple[list[tuple], list[str], list[str]]:
    """One search on 4 worker processes in ``tmp``: (its trials, the order results arrived in,
    the order the tuner recorded them in). ``gates``: job -> the job whose result it waits for
    (see ``reproducible_jobs``)."""
    flags = tmp / "flags"
    flags.mkdir(parents=True)
    for waiter in gates:
        os.mkfifo(flags / f"gate-{waiter}.fifo")
    for trial_id in fail:
        (flags / f"fail-{trial_id}").touch()
    tuner = jobs.make_tuner(algorithm, tmp, "p", **kwargs)
    told: list[str] = []
    tuner.on_trial_end = lambda trial: told.append(trial.trial_id)  # type: ignore[method-assign]
    executor = jobs.GatedExecutor(4, flags, gates)
    try:
        tuner.search(str(flags), executor=executor, reproducible=reproducible)
    finally:
        executor.shutdown()
    return trials(tuner), executor.arrived, told


FAST_X = ("fast-x", lambda values: 1.0 + 10.0 * values["x"])  # simulated seconds per epoch
SLOW_X = ("slow-x", lambda values: 11.0 - 10.0 * values["x"])  # the other way round


def simulated(tmp: Path, algorithm: str, reproducible: bool, seconds: tuple[str, Any]
              ) -> list[tuple]:
    """The same search on a simulated cluster of 4 workers, ``seconds`` per epoch."""
    name, per_epoch = seconds
    tuner = jobs.make_tuner(algorithm, tmp, f"simulated-{name}-{reproducible}")
    sim = SimulatedExecutor(4, curve=jobs.loss_of, epoch_seconds=per_epoch)
    tuner.search(executor=sim, reproducible=reproducible)
    return trials(tuner)


@pytest.mark.parametrize("algorithm", jobs.ALGORITHMS)
def test_the_same_seed_gives_the_same_search_whatever_order_jobs_end_in(
        tmp_path: Path, algorithm: str) -> None:
    first, arrived_first, told_first = search(tmp_path / "a", algorithm, {"00000": "00003"})
    second, arrived_second, told_second = search(tmp_path / "b", algorithm, {"00003": "00000",
                                                                             "00002": "00001"})
    started = sorted(arrived_first)  # trial ids are handed out in the order jobs are asked
    assert arrived_first.index("00003") < arrived_first.index("00000")  # out of order...
    assert arrived_second.index("00000") < arrived_second.index("00003")  # ...the other way
    assert arrived_first != started and arrived_first != arrived_second
    assert told_first == told_second == started  # recorded in the order the jobs started
    assert first == second
    statuses = {t[5] for t in first}
    assert "PRUNED" in statuses if algorithm == "asha-stopping" else any(t[1] for t in first)
    # a pure function of the seed and the number of workers: the simulated cluster, whose jobs
    # end in another order again, gives the very same search
    assert simulated(tmp_path, algorithm, True, SLOW_X) == first


@pytest.mark.parametrize("algorithm", jobs.ALGORITHMS)
def test_without_the_option_results_count_in_the_order_jobs_end(tmp_path: Path,
                                                               algorithm: str) -> None:
    _, arrived, told = search(tmp_path, algorithm, {"00000": "00003"}, reproducible=False)
    assert arrived.index("00003") < arrived.index("00000")
    assert told.index("00003") < told.index("00000")  # the oracle heard of 00003 first
    # and the search depends on that order (on the simulated cluster, exactly)
    assert simulated(tmp_path, algorithm, False, FAST_X) != simulated(
        tmp_path, algorithm, False, SLOW_X)
    assert simulated(tmp_path, algorithm, True, FAST_X) == simulated(
        tmp_path, algorithm, True, SLOW_X)


@pytest.mark.parametrize("algorithm", jobs.ALGORITHMS)
def test_one_worker_is_the_sequential_search(tmp_path: Path, algorithm: str) -> None:
    def run(reproducible: bool) -> list[tuple]:
        tuner = jobs.make_tuner(algorithm, tmp_path, f"one-{reproducible}")
        flags = tmp_path / f"flags-{reproducible}"
        flags.mkdir()
        tuner.search(str(flags), reproducible=reproducible)
        return trials(tuner)

    assert run(True) == run(False)


def test_a_retried_job_keeps_its_place(tmp_path: Path) -> None:
    algorithm = "asha-stopping"
    clean, _, _ = search(tmp_path / "clean", algorithm, {})
    # 00001's first attempt fails after reporting its epochs, while 00002 and 00003 end first
    retried, arrived, told = search(tmp_path / "retried", algorithm, {"00001": "00003"},
                                    fail=("00001",), max_retries_per_trial=1)
    assert arrived.count("00001") == 2 and arrived.index("00003") < arrived.index("00001")
    assert told == sorted(told)
    assert retried == clean
    with sqlite3.connect(tmp_path / "retried" / "p" / "rung.db") as conn:
        assert conn.execute("SELECT trial_id, attempt FROM failures").fetchall() == [("00001", 1)]


def _read_fifo(path: Path, proc: subprocess.Popen[bytes]) -> str:
    """What a job writes to the FIFO ``path``; fails (instead of hanging) if the driver exits."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    data = b""
    try:
        while not data and proc.poll() is None:
            ready, _, _ = select.select([fd], [], [], 1.0)  # wakes to check that proc still runs
            if ready:
                data = os.read(fd, 64)
    finally:
        os.close(fd)
    assert proc.poll() is None, "the driver exited before the job reached the kill point"
    return data.decode().strip()


@pytest.mark.parametrize("algorithm", jobs.ALGORITHMS)
def test_a_killed_search_resumes_into_the_uninterrupted_one(tmp_path: Path,
                                                             algorithm: str) -> None:
    reference, _, _ = search(tmp_path / "reference", algorithm, {jobs.KILL_AT: "00006"})
    flags = tmp_path / "flags"
    flags.mkdir()
    for name in (f"gate-{jobs.KILL_AT}.fifo", "kill.fifo", "block.fifo"):
        os.mkfifo(flags / name)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(HERE), str(Path(rung.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, str(HERE / "reproducible_jobs.py"), str(tmp_path), algorithm,
               str(flags)]
    proc = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        # 00005 waits for 00006's result, then ends and blocks: the driver holds that result
        assert _read_fifo(flags / "kill.fifo", proc).isdigit()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, as a crash would
        proc.wait()
    db = tmp_path / "p" / "rung.db"
    with sqlite3.connect(db) as conn:
        status = dict(conn.execute("SELECT trial_id, status FROM trials").fetchall())
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ended = (flags / "ends.log").read_text().split()
    assert "00006" in ended and status["00006"] == "RUNNING"  # ended, not handled: re-run
    assert status[jobs.KILL_AT] == "RUNNING"
    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    tuner = jobs.make_tuner(algorithm, tmp_path, "p")
    assert trials(tuner) == reference
    tuner.storage.close()


ORACLES = {
    "asha-stopping": lambda: ASHAOracle(objective="loss", max_epochs=9, mode="stopping",
                                        max_trials=20, seed=1),
    "asha-promotion": lambda: ASHAOracle(objective="loss", max_epochs=9, max_trials=20, seed=1),
    "hyperband": lambda: HyperbandOracle(objective="loss", max_epochs=9, seed=1),
    "bohb": lambda: BOHBOracle(objective="loss", max_epochs=9, seed=1),
}


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_pending_jobs_keep_their_ask_order_through_the_state(name: str) -> None:
    oracle = ORACLES[name]()
    oracle.hyperparameters.Float("x", 0.0, 1.0)
    asked = [oracle.ask() for _ in range(6)]
    for s in (asked[4], asked[1]):  # told out of order
        oracle.tell(s.trial_id, s.values["x"])
    expected = [s.trial_id for s in asked if s.trial_id not in (asked[1].trial_id,
                                                                 asked[4].trial_id)]
    assert list(oracle.pending) == expected
    state = json.loads(json.dumps(oracle.state_dict()))
    state["pending"].reverse()  # the stored list, not the ids, carries the order...
    reversed_order = ORACLES[name]()
    reversed_order.load_state_dict(state, oracle.records)
    assert list(reversed_order.pending) == expected[::-1]
    state["pending"].reverse()  # ...and the state as stored gives the ask order back
    resumed = ORACLES[name]()
    resumed.load_state_dict(state, oracle.records)
    assert list(resumed.pending) == expected


def test_asha_stopping_rules_as_asked_survive_the_state() -> None:
    oracle = ASHAOracle(objective="loss", max_epochs=9, mode="stopping", max_trials=20, seed=1)
    oracle.hyperparameters.Float("x", 0.0, 1.0)
    early = oracle.ask()  # asked while the rungs are empty: nothing stops it
    for loss in (0.1, 0.2, 0.3):
        s = oracle.ask()
        oracle.on_report(s.trial_id, 1, {"loss": loss})
        oracle.tell(s.trial_id, loss, epochs_reached=1, status=rung.TrialStatus.PRUNED)
    assert not oracle.stop_rule(early.trial_id)(1, {"loss": 0.5})  # the rungs as they are now
    assert oracle.stop_rule(early.trial_id, as_asked=True)(1, {"loss": 0.5})  # as when asked
    resumed = ASHAOracle(objective="loss", max_epochs=9, mode="stopping", max_trials=20, seed=1)
    resumed.load_state_dict(json.loads(json.dumps(oracle.state_dict())), oracle.records)
    assert resumed.stop_rule(early.trial_id, as_asked=True)(1, {"loss": 0.5})
    oracle.tell(early.trial_id, 0.5)
    assert "asked_cutoffs" in oracle.state_dict()["scheduler"]
    assert early.trial_id not in oracle.state_dict()["scheduler"]["asked_cutoffs"]


def test_reproducible_must_be_true_or_false(tmp_path: Path) -> None:
    tuner = jobs.make_tuner("asha-stopping", tmp_path, "p")
    with pytest.raises(ArgumentTypeError, match=r"reproducible must be True or False, got 1"):
        tuner.search(str(tmp_path), workers=4, reproducible=1)
    assert tuner.storage.count_trials() == 0
