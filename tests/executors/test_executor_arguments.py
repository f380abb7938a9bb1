"""Executor arguments a user gets wrong, refused before any work with the argument named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import ray
import rung_test_jobs as jobs

import rung
from rung.errors import ArgumentTypeError, ConfigurationError
from rung.executors import InProcessExecutor, RayExecutor


def test_a_dask_scheduler_address_is_refused_with_the_client_to_pass(tmp_path: Path) -> None:
    """``Client("tcp://scheduler:8786")`` is how a Dask cluster is reached; its address alone,
    passed as ``executor=``, used to be taken for a Ray address (Ray's own error followed)."""
    tuner = rung.RandomSearch(run_trial=jobs.train, objective="loss", max_trials=1,
                              directory=tmp_path, project_name="p", verbose=0)
    with pytest.raises(ConfigurationError, match=(
            r"executor='tcp://scheduler:8786' is a Dask scheduler address.*"
            r"executor=dask.distributed.Client\('tcp://scheduler:8786'\)")):
        tuner.search(executor="tcp://scheduler:8786")
    assert tuner.storage.count_trials() == 0


@pytest.mark.parametrize(("executor", "hint"), [
    ("scheduler:8786", r"reads as a Ray address, but 8786 is a Dask scheduler's port: for Dask "
                       r"pass executor=dask.distributed.Client\('tcp://scheduler:8786'\)"),
    ("dask", r"for Dask pass a connected client, executor=dask.distributed.Client\(address\)"),
])
@pytest.mark.usefixtures("no_ray_start")
def test_dask_spellings_that_are_not_a_client_say_how_to_give_one(
        tmp_path: Path, executor: str, hint: str) -> None:
    """``"scheduler:8786"`` (Dask's port, no ``tcp://``) used to start Ray on that address,
    which then waited for minutes; ``"dask"`` got the generic list of accepted values."""
    tuner = rung.RandomSearch(run_trial=jobs.train, objective="loss", max_trials=1,
                              directory=tmp_path, project_name="p", verbose=0)
    with pytest.raises(ConfigurationError, match=hint):
        tuner.search(executor=executor)
    assert tuner.storage.count_trials() == 0


def test_a_dask_cluster_object_is_refused_with_the_client_to_make(tmp_path: Path) -> None:
    class LocalCluster:  # what a Dask cluster object has and a client has not
        scheduler_address = "tcp://127.0.0.1:8786"

    tuner = rung.RandomSearch(run_trial=jobs.train, objective="loss", max_trials=1,
                              directory=tmp_path, project_name="p", verbose=0)
    with pytest.raises(ArgumentTypeError, match=r"is a Dask cluster, and executor takes a client "
                                                r"connected to one: executor=dask.distributed."
                                                r"Client\(cluster\)"):
        tuner.search(executor=LocalCluster())


@pytest.mark.parametrize(("executor", "hint"), [
    ("processes:4", "executor='processes', workers=4"),
    ("ray:8", "executor='ray', workers=8"),
    ("processes:many", "executor='processes' and the number of workers as workers=N"),
])
@pytest.mark.usefixtures("no_ray_start")
def test_a_worker_count_glued_to_the_executor_name_is_refused_with_the_form_to_use(
        tmp_path: Path, executor: str, hint: str) -> None:
    """``executor="processes:4"`` has the shape of a Ray ``host:port`` address and used to start
    (or fail to reach) a Ray cluster on a host named ``processes``."""
    tuner = rung.RandomSearch(run_trial=jobs.train, objective="loss", max_trials=1,
                              directory=tmp_path, project_name="p", verbose=0)
    with pytest.raises(ConfigurationError, match=(
            rf"executor={executor!r} is not a form rung takes.*{hint}")):
        tuner.search(executor=executor)
    assert tuner.storage.count_trials() == 0


@pytest.fixture
def no_ray_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """These arguments must be refused before Ray starts: starting it fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("ray.init was called before the arguments were checked")

    monkeypatch.setattr(ray, "init", refuse)
    monkeypatch.setattr(ray, "is_initialized", lambda: False)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"resources": "TPU"}, ArgumentTypeError,
     "resources must be a dict of Ray custom resources to amounts"),
    ({"resources": {"TPU": -1}}, ConfigurationError,
     r"resources\['TPU'\] must be a finite number >= 0, got -1"),
    ({"shared_directory": "no"}, ArgumentTypeError,
     "shared_directory must be True or False, got 'no'"),
])
@pytest.mark.usefixtures("no_ray_start")
def test_bad_ray_executor_arguments_are_refused_before_ray_starts(
        kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        RayExecutor(**kwargs)


def test_search_arguments_an_executor_instance_takes_itself_are_named(tmp_path: Path) -> None:
    tuner = rung.RandomSearch(run_trial=jobs.train, objective="loss", max_trials=1,
                              directory=tmp_path, project_name="p", verbose=0)
    with pytest.raises(ConfigurationError, match=(
            r"^workers=4, job_timeout=60 cannot be combined with an executor instance "
            r"\(InProcessExecutor\(slots=1\)\).*take slots= for workers")):
        tuner.search(executor=InProcessExecutor(), workers=4, job_timeout=60)
    assert tuner.storage.count_trials() == 0
