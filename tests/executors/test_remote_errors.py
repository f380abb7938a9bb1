"""What a search on a cluster says when the cluster cannot run its jobs at all."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from rung.executors._remote import FutureExecutor
from rung.executors.base import JobResult, JobSpec, Outcome


class _Unrunnable(FutureExecutor):
    """A cluster whose every task fails before the training function runs, as Dask's does when
    the scheduler cannot unpickle a function imported from a module only the driver has."""

    def _submit(self, spec: JobSpec) -> Any:
        return spec

    def _wait_any(self, futures: list[Any], timeout: float | None) -> list[Any]:
        return futures

    def _outcome(self, future: Any) -> JobResult:
        try:
            raise ModuleNotFoundError("No module named 'mytraining'", name="mytraining")
        except ModuleNotFoundError as exc:
            raise RuntimeError(  # distributed.protocol's own words (Dask 2026.8)
                "Error during deserialization of the task graph. This frequently\noccurs if "
                "the Scheduler and Client have different environments.\n") from exc

    def _cancel(self, future: Any) -> None:
        pass


def test_a_module_the_workers_cannot_import_is_named_with_the_fix() -> None:
    """Dask's text ("Error during deserialization of the task graph ... different
    environments") hides the ModuleNotFoundError it chained: the attempt's error names the
    module and how to make it reach the workers. Seen with `from mytraining import train` and a
    scheduler started in another directory: every job failed, and the search ended with only
    Dask's text and "Fix the training function"."""
    result = _Unrunnable()._collect(object(), _spec("00003"))
    assert result.outcome is Outcome.ERROR
    assert result.error is not None
    assert result.error.startswith("RuntimeError: Error during deserialization of the task graph")
    assert "caused by ModuleNotFoundError: No module named 'mytraining'" in result.error
    assert "workers could not import mytraining" in result.error
    assert "PYTHONPATH" in result.error
    assert "cloudpickle.register_pickle_by_value(mytraining)" in result.error


def test_a_task_failure_without_an_import_error_keeps_the_frameworks_text() -> None:
    class Other(_Unrunnable):
        def _outcome(self, future: Any) -> JobResult:
            raise RuntimeError("the scheduler refused the task")

    result = Other()._collect(object(), _spec("00001"))
    assert result.error == "RuntimeError: the scheduler refused the task"


def _spec(trial_id: str) -> Any:
    class Spec:  # what _collect reads of a JobSpec
        attempt = 0

    spec = Spec()
    spec.trial_id = trial_id  # type: ignore[attr-defined]
    return spec


def test_a_ray_address_where_nothing_listens_is_refused_before_ray_waits_on_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``ray.init(address="host:port")`` with no Ray there waited over 6 minutes (measured,
    printing "Failed to connect to GCS" every 5 s) before failing; rung tries the port first
    and names the address at once. Nothing listens on a port bound but not listening."""
    ray = pytest.importorskip("ray")
    from rung.executors.ray import RayExecutor

    def hangs(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("ray.init was called: it would wait for minutes")

    monkeypatch.setattr(ray, "init", hangs)
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        for address in (f"127.0.0.1:{port}", f"ray://127.0.0.1:{port}"):
            with pytest.raises(ConnectionError, match=(
                    rf"address='{address}' \(.*refused.*\): check that its head node is "
                    "running")):
                RayExecutor(address=address)


def test_the_search_error_asks_to_make_the_module_reach_the_workers(tmp_path: Any) -> None:
    """Every job failing to import the training module ends the search with the fix for that,
    not "Fix the training function" (nothing is wrong with it)."""
    import rung
    from rung.errors import TooManyFailedTrialsError
    from rung.executors import InProcessExecutor

    class CannotImport(InProcessExecutor):
        def wait(self, timeout: float | None = None) -> list[JobResult]:
            return [JobResult(r.trial_id, r.attempt, Outcome.ERROR,
                              error=_Unrunnable()._collect(object(), _spec(r.trial_id)).error)
                    for r in super().wait(timeout)]

    tuner = rung.RandomSearch(run_trial=lambda trial: 0.0, objective="loss", max_trials=5,
                              directory=str(tmp_path), project_name="p", verbose=0)
    with pytest.raises(TooManyFailedTrialsError) as caught:
        tuner.search(executor=CannotImport())
    message = str(caught.value)
    assert "workers could not import mytraining" in message
    assert "Make its module importable by the workers (above)" in message
    assert "Fix the training function" not in message
