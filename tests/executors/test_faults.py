"""Workers killed mid-job, hung jobs, and arguments refused before any work."""

from __future__ import annotations

import math
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
import rung_test_jobs as jobs

import rung
from rung.errors import ConfigurationError, NewEntriesError, SearchSpaceConflictError
from rung.executors import ProcessExecutor
from rung.trial_record import TrialStatus


def hyperband(tmp_path: Path, run_trial: Any, **kwargs: Any) -> rung.Hyperband:
    return rung.Hyperband(run_trial=run_trial, objective="val_loss", max_epochs=9, factor=3,
                          seed=0, directory=tmp_path / "project", project_name="p", verbose=0,
                          **kwargs)


def kill_when_started(flags: Path) -> threading.Thread:
    """Kill (SIGKILL) the process that writes its pid into ``flags/pid.fifo``: the job blocks on
    the FIFO until this thread opens it, so nothing waits on a clock."""
    os.mkfifo(flags / "pid.fifo")
    os.mkfifo(flags / "block.fifo")

    def killer() -> None:
        with open(flags / "pid.fifo") as fifo:
            pid = int(fifo.read())
        os.kill(pid, signal.SIGKILL)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("kind", ["processes", "dask", "ray"])
def test_a_worker_killed_mid_job_loses_no_result(tmp_path: Path, kind: str,
                                                 request: pytest.FixtureRequest) -> None:
    where: dict[str, Any] = {"workers": 2}
    if kind == "dask":
        where = {"executor": request.getfixturevalue("dask_client")}
    elif kind == "ray":
        request.getfixturevalue("ray_session")
        where = {"executor": "ray"}
    killer = kill_when_started(tmp_path)
    tuner = hyperband(tmp_path, jobs.killed_once, max_retries_per_trial=1)
    tuner.search(str(tmp_path), **where)
    killer.join()
    trials = tuner.storage.trials()
    assert len(trials) == tuner.oracle.budget().jobs
    assert all(t.status is TrialStatus.COMPLETED for t in trials), tuner.storage.failures()
    failures = tuner.storage.failures("00003")
    if kind == "processes":
        assert len(failures) == 1 and "worker died (signal 9)" in failures[0][2]
        assert tuner.storage.get_trial("00003").attempts == 1
    elif kind == "ray":
        assert len(failures) == 1 and "worker lost" in failures[0][2]
    # Dask re-runs a lost worker's task itself: no attempt is lost, nothing to count


@pytest.mark.parametrize("kind", ["in the driver", "processes", "dask", "ray"])
def test_sys_exit_in_a_trial_is_an_error_of_its_attempt_not_the_end_of_the_search(
        tmp_path: Path, kind: str, request: pytest.FixtureRequest) -> None:
    where: dict[str, Any] = {"workers": 2} if kind == "processes" else {}
    if kind == "dask":
        where = {"executor": request.getfixturevalue("dask_client")}
    elif kind == "ray":
        request.getfixturevalue("ray_session")
        where = {"executor": "ray"}
    tuner = hyperband(tmp_path, jobs.exits_once, max_retries_per_trial=1)
    tuner.search(str(tmp_path), **where)
    trials = tuner.storage.trials()
    assert len(trials) == tuner.oracle.budget().jobs
    assert all(t.status is TrialStatus.COMPLETED for t in trials), tuner.storage.failures()
    failures = tuner.storage.failures("00002")
    assert len(failures) == 1 and "called sys.exit(3)" in failures[0][2], failures
    assert tuner.storage.get_trial("00002").attempts == 1  # as for a killed worker, above


def test_a_killed_worker_without_retries_fails_only_its_job(tmp_path: Path) -> None:
    killer = kill_when_started(tmp_path)
    tuner = hyperband(tmp_path, jobs.killed_once, max_retries_per_trial=0)
    tuner.search(str(tmp_path), workers=2)
    killer.join()
    failed = [t for t in tuner.storage.trials() if t.status is TrialStatus.FAILED]
    assert [t.trial_id for t in failed] == ["00003"]
    assert "worker died (signal 9)" in failed[0].error
    assert tuner.oracle.finished


def test_a_hung_job_is_killed_at_its_timeout_and_retried(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "block.fifo")
    tuner = hyperband(tmp_path, jobs.hang_once, max_retries_per_trial=1)
    tuner.search(str(tmp_path), workers=2, job_timeout=5)
    assert all(t.status is TrialStatus.COMPLETED for t in tuner.storage.trials())
    failures = tuner.storage.failures("00001")
    assert len(failures) == 1
    assert "JobTimeoutError" in failures[0][2] or "timed out after 5 s" in failures[0][2]


def test_a_hung_dask_task_times_out_and_its_retry_completes_the_search(
        tmp_path: Path, dask_client: Any) -> None:
    """A task that never returns, on a real Dask cluster: its attempt fails with
    ``JobTimeoutError`` (4 jobs in flight on 2 threads, so the queued ones also check that the
    timeout runs from when a job can start), and the search completes. Whether the hung task's
    worker could be restarted depends on how fast its nanny kills it (see the next test)."""
    os.mkfifo(tmp_path / "block.fifo")
    tuner = hyperband(tmp_path, jobs.hang_once, max_retries_per_trial=2)
    tuner.search(str(tmp_path), executor=dask_client, workers=4, job_timeout=5)
    assert all(t.status is TrialStatus.COMPLETED for t in tuner.storage.trials())
    failures = tuner.storage.failures()
    assert failures and failures[0][0] == "00001"
    assert "timed out after 5 s" in failures[0][2]


def test_a_call_that_fails_on_a_cluster_after_the_drivers_check_points_to_stale_workers(
        tmp_path: Path, dask_client: Any) -> None:
    """The call is checked against the driver's copy of run_trial; a cluster's workers may run
    the module they imported for an earlier search. When every job then fails with a TypeError
    about its arguments, the error says so (the same failure in local processes does not)."""
    def old_code(trial: rung.Trial, cfg: int = 0) -> float:
        raise TypeError("train() got an unexpected keyword argument 'cfg'")  # as stale code would

    def tuner(name: str) -> rung.RandomSearch:
        return rung.RandomSearch(run_trial=old_code, objective="loss", max_trials=4, seed=0,
                                 max_retries_per_trial=0, directory=tmp_path, project_name=name,
                                 verbose=0)

    with pytest.raises(rung.errors.TooManyFailedTrialsError, match=r"(?s)unexpected keyword "
                                                                   r"argument.*client\.restart"):
        tuner("cluster").search(cfg=1, executor=dask_client)
    with pytest.raises(rung.errors.TooManyFailedTrialsError) as local:
        tuner("here").search(cfg=1)
    assert "restart" not in str(local.value)


class _Client:
    """What ``DaskExecutor._expire`` asks of a client: who runs a task, and a restart."""

    def __init__(self, restarts: bool) -> None:
        self.restarts = restarts
        self.restarted: list[str] = []

    def processing(self) -> dict[str, list[str]]:
        return {"tcp://a": ["other"], "tcp://b": ["hung"]}

    def restart_workers(self, workers: list[str], **kwargs: Any) -> None:
        if not self.restarts:
            raise TimeoutError("the worker did not come back")
        self.restarted += workers


class _Future:
    key = "hung"
    cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


@pytest.mark.parametrize("restarts", [True, False])
def test_a_timed_out_dask_task_restarts_its_worker_or_costs_a_place(restarts: bool) -> None:
    """Dask cannot cancel a running task; left running, it keeps its thread, and jobs queued
    behind it time out in turn. ``_expire`` restarts the worker running it (only that one); if
    that fails, the cluster counts one place fewer from then on, and the error says why."""
    pytest.importorskip("distributed")
    from rung.executors import DaskExecutor

    executor = DaskExecutor.__new__(DaskExecutor)
    executor.client, executor.capacity = _Client(restarts), 2
    executor._distributed = __import__("distributed")
    future = _Future()
    note = executor._expire(future)
    assert future.cancelled
    if restarts:
        assert executor.client.restarted == ["tcp://b"] and executor.capacity == 2
        assert note == "its worker tcp://b was restarted to stop it"
    else:
        assert executor.capacity == 1
        assert "restarting tcp://b failed: TimeoutError: the worker did not come back" in note


def test_live_stopping_decisions_reach_worker_processes(tmp_path: Path) -> None:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    tuner = rung.ASHA(run_trial=jobs.stopping, objective="val_loss", max_epochs=27, factor=3,
                      max_trials=20, mode="stopping", seed=1, hyperparameters=hp,
                      directory=tmp_path, verbose=0)
    tuner.search(workers=2)
    pruned = [t for t in tuner.storage.trials() if t.status is TrialStatus.PRUNED]
    assert pruned
    for t in pruned:  # stopped exactly at the milestone where the driver said so
        assert tuner.storage.epoch_metrics(t.trial_id)[-1][0] in (1, 3, 9)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"workers": 0}, ValueError, "workers must be an integer >= 1, got 0"),
        ({"workers": 2.5}, ValueError, "workers must be an integer >= 1, got 2.5"),
        ({"job_timeout": -1}, ValueError, "job_timeout must be None or a finite number > 0, got -1"),
        ({"job_timeout": math.inf}, ValueError, "job_timeout must be None or a finite number"),
        ({"job_timeout": math.nan}, ValueError, "job_timeout must be None or a finite number"),
        ({"executor": "bogus"}, ValueError, "executor must be None, 'processes'"),
        ({"executor": 3}, TypeError, "got int 3"),
        ({"executor": "inprocess", "workers": 2}, ValueError, "executor='processes' instead"),
        ({"executor": ProcessExecutor(2), "workers": 2}, ValueError, "set them on the executor"),
    ],
)
def test_bad_executor_arguments_fail_before_any_work(tmp_path: Path, kwargs: dict,
                                                     error: type, message: str) -> None:
    tuner = hyperband(tmp_path, jobs.train)
    with pytest.raises(error, match=message.replace("(", r"\(")):
        tuner.search(**kwargs)
    assert tuner.storage.count_trials() == 0


def test_an_unpicklable_function_is_refused_with_the_fix(tmp_path: Path) -> None:
    tuner = hyperband(tmp_path, lambda trial: jobs.train(trial))
    with pytest.raises(ConfigurationError, match="define run_trial at module level"):
        tuner.search(workers=2)
    assert tuner.storage.count_trials() == 0
    tuner.search()  # in-process, a lambda is fine
    assert tuner.oracle.finished


def test_a_tuner_subclass_overriding_run_trial_runs_in_workers(tmp_path: Path) -> None:
    oracle = rung.oracles.HyperbandOracle(objective="val_loss", max_epochs=9, factor=3, seed=0)
    tuner = jobs.SubclassTuner(oracle, directory=tmp_path, verbose=0)
    tuner.search(workers=2)
    trials = tuner.storage.trials()
    assert len(trials) == 22 and all(t.status is TrialStatus.COMPLETED for t in trials)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_hyperparameter_declared_outside_a_closed_space_stops_the_search_before_training(
        tmp_path: Path, workers: int) -> None:
    """``allow_new_entries=False``: declaring ``y``, which the given space lacks, raises
    ``NewEntriesError`` at the declaration (keras-tuner's ``RuntimeError``), in the driver or in
    a worker process, so no job trains with a value the search never chose, and the search
    stops at once (every trial would declare it): it is not a failed trial to retry."""
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    tuner = hyperband(tmp_path, jobs.declares_y, hyperparameters=hp, allow_new_entries=False,
                      max_retries_per_trial=2)
    with pytest.raises(NewEntriesError, match=r"allow_new_entries.*Int\(name: 'y'") as caught:
        tuner.search(str(tmp_path), workers=workers)
    assert isinstance(caught.value, RuntimeError)
    assert not list(tmp_path.glob("trained-*"))  # nothing trained
    assert tuner.storage.count_trials(status=TrialStatus.FAILED) == 0
    assert all(t.attempts <= 1 for t in tuner.storage.trials())  # not retried
    assert [p.name for p in tuner.oracle.hyperparameters.space] == ["x"]


def test_a_declaration_conflicting_in_some_trials_stops_the_search_and_fails_none(
        tmp_path: Path) -> None:
    """A keras-tuner idiom in a plain training function: a range that depends on another value,
    with no conditional scope. keras-tuner trains the first range for every trial; rung refuses
    the second definition (``SearchSpaceConflictError``, naming both and the fix), and stops
    the search there rather than failing those trials one by one and ending with a "best" that
    never tried ``model="b"``: the code is wrong, not the configuration. The trials done stay;
    the stopped one runs again once the code is fixed (a Keras build function keeps the first
    definition instead, as keras-tuner: ``tests/compat/test_first_definition_wins.py``)."""
    def train(trial: rung.Trial) -> float:
        hp = trial.hyperparameters
        model = hp.Choice("model", ["a", "b"])
        units = hp.Int("units", 1, 10) if model == "a" else hp.Int("units", 1, 100)
        return float(units) + (0.5 if model == "b" else 0.0)

    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=8, seed=1,
                              max_consecutive_failed_trials=8, directory=tmp_path,
                              project_name="p", verbose=0)
    with pytest.raises(SearchSpaceConflictError, match="conditional_scope") as caught:
        tuner.search()
    assert "max_value: 10" in str(caught.value) and "max_value: 100" in str(caught.value)
    trials = tuner.storage.trials()
    assert tuner.storage.count_trials(status=TrialStatus.FAILED) == 0
    running = [t for t in trials if t.status is TrialStatus.RUNNING]
    assert len(running) == 1 and running[0].values["model"] == "b"
    assert all(t.values["model"] == "a" for t in trials if t.status is TrialStatus.COMPLETED)


def test_a_refused_ray_executor_leaves_no_ray_session_behind() -> None:
    """A job asking for a GPU of a Ray cluster without one is refused before any work; the
    local Ray session rung started for it is shut down, so a later ``ray.init`` (or another
    search on Ray) in the same process still works."""
    pytest.importorskip("ray")
    code = (
        "import ray\n"
        "from rung.errors import ConfigurationError\n"
        "from rung.executors import RayExecutor\n"
        "try:\n"
        "    RayExecutor(num_gpus=1, num_cpus=1, include_dashboard=False)\n"
        "except ConfigurationError as exc:\n"
        "    print('refused:', 'GPU' in str(exc))\n"
        "print('initialised after:', ray.is_initialized())\n"
    )
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert "refused: True" in done.stdout, done.stderr[-2000:]
    assert "initialised after: False" in done.stdout


def test_an_unreachable_ray_cluster_is_named_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ray's own error for a cluster it cannot reach ("ray client connection timeout", after
    30 s) names neither the address nor what to check; rung's names both."""
    ray = pytest.importorskip("ray")

    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("ray client connection timeout")

    monkeypatch.setattr(ray, "init", unreachable)
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    from rung.executors import RayExecutor
    monkeypatch.setattr("rung.executors.ray._reach", lambda address: None)  # "head" answers
    with pytest.raises(ConnectionError, match=r"address='ray://head:10001' \(ray client "
                                              r"connection timeout\): check that its head node"):
        RayExecutor(address="ray://head:10001")


def test_a_closed_dask_client_is_refused_before_any_work(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                       dashboard_address=":0", silence_logs=40)
    client = distributed.Client(cluster)
    client.close()
    cluster.close()
    tuner = hyperband(tmp_path, jobs.train)
    for workers in (None, 2):
        with pytest.raises(ConfigurationError, match="executor must be a connected "
                                                     "dask.distributed.Client.*closed"):
            tuner.search(executor=client, workers=workers)
    assert tuner.storage.count_trials() == 0


def test_a_search_argument_that_cannot_travel_to_dask_is_named_before_any_work(
        tmp_path: Path, dask_client: Any) -> None:
    tuner = hyperband(tmp_path, jobs.killed_once)
    with pytest.raises(ConfigurationError, match=r"argument 1 of search\(\) \(lock\) cannot be "
                                                 r"sent to the cluster's workers"):
        tuner.search(threading.Lock(), executor=dask_client)
    assert tuner.storage.count_trials() == 0


def _disrupt_when_started(flags: Path, action: Any) -> threading.Thread:
    """Runs ``action()`` once trial 00003 has started (it hands over its pid, then blocks)."""
    os.mkfifo(flags / "pid.fifo")
    os.mkfifo(flags / "block.fifo")

    def wait_then_act() -> None:
        with open(flags / "pid.fifo") as fifo:
            fifo.read()
        action()

    thread = threading.Thread(target=wait_then_act)
    thread.start()
    return thread


def test_dask_tasks_cancelled_by_a_restart_are_lost_attempts_and_retried(tmp_path: Path) -> None:
    """``client.restart()`` mid-search cancels every task in flight: each counts as a lost
    attempt (retried), not as an exception that ends the search."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        thread = _disrupt_when_started(tmp_path, client.restart)
        tuner = hyperband(tmp_path, jobs.killed_once, max_retries_per_trial=1)
        tuner.search(str(tmp_path), executor=client)
        thread.join()
    assert all(t.status is TrialStatus.COMPLETED for t in tuner.storage.trials())
    assert tuner.storage.count_trials() == 22
    failures = tuner.storage.failures()
    assert "00003" in [f[0] for f in failures]
    assert all("CancelledError" in f[2] for f in failures)


def test_a_dask_client_closed_mid_search_ends_it_with_a_clear_error_and_it_resumes(
        tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=40)
    client = distributed.Client(cluster)
    thread = _disrupt_when_started(tmp_path, client.close)
    tuner = hyperband(tmp_path, jobs.killed_once)
    with pytest.raises(rung.errors.WorkerLostError, match="the Dask client was closed during "
                                                          "the search.*run the same search again"):
        tuner.search(str(tmp_path), executor=client)
    thread.join()
    cluster.close()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=40) as cluster2, \
            distributed.Client(cluster2) as client2:
        again = hyperband(tmp_path, jobs.killed_once)
        again.search(str(tmp_path), executor=client2)
    assert again.storage.count_trials(TrialStatus.COMPLETED) == 22


def test_a_dask_cluster_without_workers_is_said_to_wait() -> None:
    distributed = pytest.importorskip("distributed")
    from rung.executors import DaskExecutor

    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0",
                                  silence_logs=40) as cluster, distributed.Client(cluster) as c, \
            pytest.warns(RuntimeWarning, match="has no workers yet: the search waits"):
        DaskExecutor(c)
