"""Bugs a user's own storage or executor typically has, which the kits passed before: a storage
that never writes its project out (or reads it back wrong), that drops ``epochs_reached`` of a
COMPLETED job, wipes the oracle state on a finish without one, loses a FAILED job's reports,
merges reports, or keeps its first settings; an executor that loses a result (the kit waited
forever) or calls the report callback after a job's result."""

from __future__ import annotations

import contextlib
import itertools
import math
import pickle
import queue
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from _user_extensions import Threads

from rung.executors import JobResult, JobSpec, execute
from rung.executors.base import ReportCallback
from rung.hyperparameters import HyperParameters
from rung.oracles import (
    HyperbandOracle,
    RandomSearchOracle,
    StopKind,
    SuccessiveHalvingOracle,
    Suggestion,
)
from rung.storage import InMemoryStorage, SQLiteStorage, Storage
from rung.testing import (
    check_executor,
    check_storage,
    executor_rules,
    oracle_rules,
    storage_rules,
)
from rung.trial_record import TrialStatus


# --- storages -------------------------------------------------------------------------------
class FileStorage(InMemoryStorage):
    """A user's storage on one file: the in-memory one, pickled after every change."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        if self.path.exists():
            self.__dict__.update(self._load())

    def _load(self) -> dict[str, Any]:
        loaded: dict[str, Any] = pickle.loads(self.path.read_bytes())
        return loaded

    def _save(self) -> None:
        self.path.write_bytes(pickle.dumps(
            {k: v for k, v in self.__dict__.items() if k not in ("_lock", "path")}))


def _saving(name: str) -> Callable[..., None]:
    def method(self: FileStorage, *args: Any, **kwargs: Any) -> None:
        getattr(InMemoryStorage, name)(self, *args, **kwargs)
        self._save()

    return method


for _name in ("set_settings", "set_oracle_state", "create_trial", "report", "clear_reports",
              "record_failure", "finish_trial"):
    setattr(FileStorage, _name, _saving(_name))


class NeverSaves(FileStorage):
    def _save(self) -> None:
        pass  # everything stays in memory: a killed search resumes from nothing


class ReadsStatusesBackAsText(FileStorage):
    def _load(self) -> dict[str, Any]:
        data = super()._load()
        data["_trials"] = {k: r.replace(status=r.status.value) for k, r in data["_trials"].items()}
        return data


def _files(cls: type[FileStorage], tmp_path: Path) -> Callable[[], FileStorage]:
    counter = itertools.count()
    return lambda: cls(tmp_path / f"project-{next(counter)}.pickle")


def _reopen(storage: Storage) -> Storage:
    assert isinstance(storage, FileStorage)
    return type(storage)(storage.path)


def test_a_file_storage_passes_with_reopen(tmp_path: Path) -> None:
    check_storage(_files(FileStorage, tmp_path), reopen=_reopen)


def test_rungs_sqlite_storage_passes_with_reopen(tmp_path: Path) -> None:
    counter = itertools.count()
    check_storage(lambda: SQLiteStorage(tmp_path / f"r{next(counter)}.db", create=True),
                  reopen=lambda old: SQLiteStorage(old.path))  # type: ignore[attr-defined]


def test_a_storage_that_never_writes_its_project_out_fails_with_reopen(tmp_path: Path) -> None:
    check_storage(_files(NeverSaves, tmp_path))  # nothing else can tell
    with pytest.raises(AssertionError, match=r"'a_reopened_storage_holds_what_was_committed' "
                                             r"failed for NeverSaves: reopened without closing "
                                             r"the first \(a kill\), trials\(\) does not list"):
        check_storage(_files(NeverSaves, tmp_path), reopen=_reopen)


def test_a_storage_reading_a_status_back_wrong_fails_naming_the_trial(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=r"get_trial\('00001'\) is .*status='COMPLETED'.*, "
                                             r"not .*status=<TrialStatus.COMPLETED"):
        check_storage(_files(ReadsStatusesBackAsText, tmp_path), reopen=_reopen)


def test_reopen_must_be_callable_and_make_a_new_object(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="reopen must be a callable"):
        storage_rules(reopen="again")  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="reopen returned the same object"):
        check_storage(_files(FileStorage, tmp_path), reopen=lambda old: old)


class DropsEpochsReachedOfCompletedJobs(InMemoryStorage):
    def finish_trial(self, trial_id: str, status: TrialStatus, *args: Any, **kwargs: Any) -> None:
        if status is TrialStatus.COMPLETED:
            kwargs["epochs_reached"] = None
        super().finish_trial(trial_id, status, *args, **kwargs)


class WipesTheStateOnAFinishWithoutOne(InMemoryStorage):
    def finish_trial(self, trial_id: str, status: TrialStatus, *args: Any, **kwargs: Any) -> None:
        super().finish_trial(trial_id, status, *args, **kwargs)
        if kwargs.get("oracle_state") is None:
            self._oracle_state = None


class ForgetsTheReportsOfFailedJobs(InMemoryStorage):
    def finish_trial(self, trial_id: str, status: TrialStatus, *args: Any, **kwargs: Any) -> None:
        super().finish_trial(trial_id, status, *args, **kwargs)
        if status is TrialStatus.FAILED:
            self._epochs[trial_id] = []


class MergesReports(InMemoryStorage):
    def report(self, trial_id: str, epoch: int, metrics: Mapping[str, float]) -> None:
        earlier = self.epoch_metrics(trial_id)
        super().report(trial_id, epoch, {**(earlier[-1][1] if earlier else {}), **metrics})


class KeepsItsFirstSettings(InMemoryStorage):
    def set_settings(self, settings: Mapping[str, Any]) -> None:
        if self.get_settings() is None:
            super().set_settings(settings)


@pytest.mark.parametrize(("storage", "message"), [
    (DropsEpochsReachedOfCompletedJobs, r"'finish_stores_the_epoch_reached' failed for "
                                        r"DropsEpochsReachedOfCompletedJobs: finished COMPLETED "
                                        r"with epochs_reached=6, stored"),
    (WipesTheStateOnAFinishWithoutOne, r"'finish_sets_fields_and_oracle_state' failed .*"
                                       r"without an oracle_state .* the state is None"),
    (ForgetsTheReportsOfFailedJobs, r"'all_epoch_metrics_lists_finished_trials_in_order' failed "
                                    r".*\('f', 1, \{'loss': 0.5\}\)\] \(a FAILED trial is "
                                    r"finished too\)"),
    (MergesReports, r"'epoch_metrics_in_report_order_with_nan_and_inf' failed .*epoch 3 "
                    r"reported \{'loss': nan\} came back as \{'loss': nan, 'acc': -inf\}"),
    (KeepsItsFirstSettings, r"'settings_and_oracle_state_round_trip' failed .*'max_trials': 20"),
])
def test_the_storage_kit_catches(storage: type[Storage], message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_storage(storage)


def test_rungs_memory_storage_still_passes_every_rule() -> None:
    for rule in storage_rules():
        rule.check(InMemoryStorage)
    assert math.isfinite(len(storage_rules()))


# --- executors ------------------------------------------------------------------------------
class QueueThreads(Threads):
    """A thread per job, results (and live reports, answered in the driver) through a queue."""

    live_reports = True

    def __init__(self) -> None:
        super().__init__()
        self.events: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self.callback: ReportCallback | None = None
        self.closed = False

    def start(self, report: ReportCallback) -> None:
        self.callback = report

    def report(self, trial_id: str, epoch: int, metrics: dict[str, float]) -> bool:
        """The worker's live channel: ask the driver (in ``wait``) and wait for its answer."""
        answer: queue.Queue[bool] = queue.Queue()
        self.events.put(("report", trial_id, epoch, metrics, answer))
        while not self.closed:  # a driver that stopped answering abandoned the job
            with contextlib.suppress(queue.Empty):
                return answer.get(timeout=0.05)
        return False

    def run(self, spec: JobSpec) -> None:
        self.events.put(("result", execute(spec, self)))

    def submit(self, spec: JobSpec) -> None:
        self.pool.submit(self.run, spec)

    def shutdown(self) -> None:
        """Abandon running jobs: a worker waiting for the driver's answer is told to stop."""
        self.closed = True
        self.pool.shutdown(wait=True, cancel_futures=True)

    def wait(self, timeout: float | None = None) -> list[JobResult]:
        while True:
            try:
                event = self.events.get(timeout=timeout)
            except queue.Empty:
                return []
            if event[0] == "result":
                return [event[1]]
            _, trial_id, epoch, metrics, answer = event
            answer.put(self.callback(trial_id, epoch, metrics) if self.callback else True)


class LosesTheFifthJob(QueueThreads):
    def __init__(self) -> None:
        super().__init__()
        self.submitted = 0

    def submit(self, spec: JobSpec) -> None:
        self.submitted += 1
        if self.submitted != 5:
            super().submit(spec)


class SendsTheLastReportLate(QueueThreads):
    """Keeps each job's last report and sends it after the job's result."""

    def run(self, spec: JobSpec) -> None:
        held: list[tuple[str, int, dict[str, float]]] = []

        class Channel:
            def report(inner, trial_id: str, epoch: int, metrics: dict[str, float]) -> bool:
                if epoch == spec.record.epochs:
                    held.append((trial_id, epoch, metrics))
                    return True
                return self.report(trial_id, epoch, metrics)

        self.events.put(("result", execute(spec, Channel())))
        for late in held:
            self.report(*late)


def test_a_queue_executor_with_live_reports_passes() -> None:
    check_executor(QueueThreads)


def test_an_executor_losing_a_result_fails_instead_of_waiting_forever(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import rung.testing._executor_watch as watch  # the kit's patience, shortened here

    monkeypatch.setattr(watch, "LOST_AFTER", 3.0)
    rule = dict(executor_rules())["hyperband_completes_with_the_planned_jobs_per_rung"]
    with pytest.raises(AssertionError, match=r"failed for LosesTheFifthJob: wait\(\) returned no "
                                             r"result in 3 s although jobs were in flight "
                                             r"\(\[\('00004', 1\)\]\): a result was lost"):
        rule(LosesTheFifthJob)


def test_an_executor_reporting_after_the_result_fails_saying_so() -> None:
    rule = dict(executor_rules())["hyperband_completes_with_the_planned_jobs_per_rung"]
    with pytest.raises(AssertionError, match=r"failed for SendsTheLastReportLate: the report "
                                             r"callback got epoch \d of trial '\d+' after wait\(\) "
                                             r"returned its result"):
        rule(SendsTheLastReportLate)


# --- oracles --------------------------------------------------------------------------------
class DrawsOnLoad(RandomSearchOracle):
    """Draws from its generator when loaded: the resumed search proposes other values."""

    def load_state_dict(self, state: Mapping[str, Any], history: Any = (),
                        reports: Any = ()) -> None:
        super().load_state_dict(state, history, reports)
        self._rng.random()


class DropsParentsItWillPromote(SuccessiveHalvingOracle):
    """Keeps only the checkpoints of running jobs' parents: a tuner would delete those of the
    first rung's results before the rung is promoted."""

    def checkpoints_in_use(self) -> set[str]:
        return self.pending_parents()


class CountsAsksInMemory(RandomSearchOracle):
    """Ends after its fifth ask, but keeps the count of asks out of its state: a resume forgets
    the decisions made since the last job began."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.asks = 0

    def _next(self) -> Suggestion | None:
        self.asks += 1
        if self.asks > 5:
            self.end_search(StopKind.PLAN_COMPLETE, "five asks")
            return None
        return super()._next()


class PromotesFromScratch(HyperbandOracle):
    """Promotes as Hyperband does, but forgets to continue from the parent's checkpoint: every
    promoted job trains again from epoch 0, beyond the epochs its budget() plans."""

    def _next(self) -> Suggestion | None:
        job = super()._next()
        return job if job is None else replace(job, initial_epoch=0, parent_id=None)


class ForgetsMultiFidelity(SuccessiveHalvingOracle):
    """Rungs of 1, 3 and 9 epochs, but declares a single fidelity: a GP would mix them."""

    multi_fidelity = False


def _x() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    return hp


@pytest.mark.parametrize(("rule", "factory", "message"), [
    ("state_round_trip_continues_identically",
     lambda: DrawsOnLoad(objective="loss", max_trials=10, seed=0, hyperparameters=_x()),
     r"handed out other jobs: job \d+ \(resumed after \d+\) was Suggestion\(trial_id='\d+', "
     r".*, not Suggestion\("),
    ("checkpoints_in_use_keep_each_parent_until_its_child_ends",
     lambda: DropsParentsItWillPromote(objective="loss", max_epochs=9, factor=3, seed=0,
                                       hyperparameters=_x()),
     r"trial \d+'s checkpoint was not in checkpoints_in_use\(\) after trial \d+ ended, but "
     r"job \d+ continues from it"),
    ("resume_before_each_job_ends_with_one_in_flight",
     lambda: CountsAsksInMemory(objective="loss", max_trials=20, seed=0, hyperparameters=_x()),
     "the resumed search handed out other jobs"),
    ("trains_no_more_epochs_than_the_budget_plans",
     lambda: PromotesFromScratch(objective="loss", max_epochs=9, factor=3, seed=0,
                                 hyperparameters=_x()),
     r"\d+ jobs trained \d+ epochs, beyond the \d+ the budget plans"),
    ("single_fidelity_jobs_train_alike",
     lambda: ForgetsMultiFidelity(objective="loss", max_epochs=9, factor=3, seed=0,
                                  hyperparameters=_x()),
     r"jobs of \[1, 3, 9\] epochs, jobs \[.*\] continuing another's, but "
     r"ForgetsMultiFidelity does not declare multi_fidelity = True"),
], ids=["draws-on-load", "drops-parents", "counts-asks-in-memory", "promotes-from-scratch",
        "forgets-multi-fidelity"])
def test_the_oracle_kit_names_what_an_extension_breaks(
        rule: str, factory: Callable[[], Any], message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        dict(oracle_rules())[rule](factory)
