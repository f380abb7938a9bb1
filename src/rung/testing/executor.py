"""``check_executor``: the executor contract of ``rung.executors.base``, shown by whole searches.

Each rule runs one small search (Hyperband, random search or ASHA on a one-dimensional space,
each job a few milliseconds) with ``search(executor=factory())`` in a temporary directory, and
compares what storage holds with what the schedule plans, or with the same search run in the
driver. The training functions are in ``rung.testing._jobs``, so a worker needs only ``rung``
importable. Every executor the factory made is shut down after its rule.

While a rule runs, the executor is watched (``rung.testing._executor_watch``): an executor that
loses a result fails the rule instead of leaving the search waiting forever, and one that returns
a result twice, or for an attempt not in flight, or calls the report callback for a job not in
flight (after its result, or never submitted), fails it saying so.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rung.executors import Executor
from rung.hyperparameters import HyperParameters
from rung.storage import InMemoryStorage
from rung.testing import _jobs as jobs
from rung.testing._executor_watch import watched
from rung.testing._rules import Rule, make_rules, run_rules
from rung.trial_record import TrialRecord, TrialStatus, creation_order
from rung.tuner import ASHA, Hyperband, RandomSearch, Tuner

__all__ = ["check_executor", "executor_rules"]

ExecutorFactory = Callable[[], Executor]


def _space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    return hp


@contextmanager
def _project() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="rung-check-executor-") as directory:
        yield Path(directory)


def _hyperband(directory: Path, run_trial: Any = jobs.train, **kwargs: Any) -> Hyperband:
    return Hyperband(run_trial=run_trial, objective="val_loss", max_epochs=9, factor=3, seed=0,
                     directory=directory, project_name="p", verbose=0, **kwargs)  # fmt: skip


def _promoted_from_top_k(trials: list[TrialRecord]) -> bool:
    """Every promoted job's parent is in the top floor(n / eta) of its own rung and bracket."""
    by_rung: dict[tuple[Any, ...], list[TrialRecord]] = {}
    for t in trials:
        by_rung.setdefault((t.iteration, t.bracket, t.rung), []).append(t)
    for t in trials:
        if t.parent_id is None:
            continue
        parent = next(p for p in trials if p.trial_id == t.parent_id)
        peers = sorted((p for p in by_rung[(parent.iteration, parent.bracket, parent.rung)]
                        if p.loss is not None), key=lambda p: (p.loss, creation_order(p.trial_id)))  # fmt: skip
        keep = len(by_rung[(t.iteration, t.bracket, t.rung)])
        if parent.trial_id not in {p.trial_id for p in peers[:keep]}:
            return False
    return True


def _reported_epochs(tuner: Tuner, trial_id: str) -> list[int]:
    return [epoch for epoch, _ in tuner.storage.epoch_metrics(trial_id)]


def _rule_hyperband_completes_with_the_planned_jobs_per_rung(factory: ExecutorFactory) -> None:
    with _project() as directory:
        reference = _hyperband(directory / "ref", storage=InMemoryStorage())
        reference.search()
        tuner = _hyperband(directory / "run")
        tuner.search(executor=watched(factory))
        trials = tuner.storage.trials()
        assert all(t.status is TrialStatus.COMPLETED for t in trials), tuner.storage.failures()
        assert tuner.oracle.finished and not tuner.oracle.pending

        def per_rung(ts: list[TrialRecord]) -> Counter[tuple[Any, ...]]:
            return Counter((t.iteration, t.bracket, t.rung, t.initial_epoch, t.epochs) for t in ts)

        assert per_rung(trials) == per_rung(reference.storage.trials())
        assert _promoted_from_top_k(trials), "a job was promoted from outside the top k"
        for t in trials:  # every epoch reported, recorded by the driver
            expected = list(range(t.initial_epoch + 1, t.epochs + 1))
            got = _reported_epochs(tuner, t.trial_id)
            assert got == expected, f"trial {t.trial_id} reported epochs {got}, not {expected}"


def _rule_random_search_gives_the_sequential_results(factory: ExecutorFactory) -> None:
    def make(directory: Path) -> RandomSearch:
        return RandomSearch(run_trial=jobs.train, objective="val_loss", max_trials=8, seed=3,
                            hyperparameters=_space(), directory=directory, verbose=0)

    def results(tuner: Tuner) -> set[tuple[Any, ...]]:
        return {(t.trial_id, t.values["x"], t.status, t.loss) for t in tuner.storage.trials()}

    with _project() as directory:
        sequential = make(directory / "seq")
        sequential.search()
        parallel = make(directory / "par")
        parallel.search(executor=watched(factory))
        assert results(parallel) == results(sequential)
        assert len(results(parallel)) == 8


def _rule_promoted_jobs_continue_from_the_parent_checkpoint(factory: ExecutorFactory) -> None:
    with _project() as directory:
        tuner = _hyperband(directory, run_trial=jobs.promoted_state)
        executor = watched(factory)
        # workers without the driver's file system get checkpoints with the job: they must
        # not train in the project directory
        travels = not executor.shares_filesystem
        marker = str(tuner.project_dir.resolve()) if travels else "/nonexistent"
        tuner.search(marker, executor=executor)
        trials = tuner.storage.trials()
        assert all(t.status is TrialStatus.COMPLETED for t in trials), tuner.storage.failures()
        last = [t for t in trials
                if t.rung == max(x.rung for x in trials if x.bracket == t.bracket)]
        assert last, "no trial reached the last rung of its bracket"
        for t in last:
            state = tuner.checkpoints.load(t.trial_id)
            history = list(range(1, t.epochs + 1))
            assert state["history"] == history, f"trial {t.trial_id}: broken history {state}"
            native = tuner.checkpoints.directory(t.trial_id) / "native.txt"
            assert native.read_text() == f"{t.trial_id}:{t.epochs}"


def _rule_a_failing_attempt_is_recorded_and_retried(factory: ExecutorFactory) -> None:
    with _project() as directory:
        tuner = _hyperband(directory, run_trial=jobs.flaky, max_retries_per_trial=1)
        tuner.search(executor=watched(factory))
        t2 = tuner.storage.get_trial("00002")
        assert t2.status is TrialStatus.COMPLETED and t2.attempts == 1, (
            f"trial 00002's first attempt raised RuntimeError('transient') and "
            f"max_retries_per_trial=1: it must end ERROR (retried) and its retry COMPLETED; the "
            f"trial is {t2.status.value} after {t2.attempts} failed attempt(s), "
            f"error {str(t2.error)[-200:]!r}")
        failures = tuner.storage.failures("00002")
        assert len(failures) == 1 and "RuntimeError: transient" in failures[0][2], failures
        assert all(t.status is TrialStatus.COMPLETED for t in tuner.storage.trials())


def _rule_asha_stopping_prunes_with_every_report_recorded(factory: ExecutorFactory) -> None:
    with _project() as directory:
        tuner = ASHA(run_trial=jobs.stopping, objective="val_loss", max_epochs=9, factor=3,
                     max_trials=12, mode="stopping", seed=0, hyperparameters=_space(),
                     directory=directory, verbose=0)  # fmt: skip
        tuner.search(executor=watched(factory))
        trials = tuner.storage.trials()
        assert len(trials) == 12 and all(t.status.is_finished for t in trials)
        statuses = Counter(t.status.value for t in trials)
        assert statuses["PRUNED"] >= 1 and statuses["COMPLETED"] >= 1, (
            f"ASHA's stopping mode stopped {statuses['PRUNED']} of 12 jobs and let "
            f"{statuses['COMPLETED']} run to the end ({dict(statuses)}): an executor without "
            "live reports runs spec.stop_rule where the job runs (rung.executors.execute does); "
            "one with them returns the report callback's answer to trial.report")
        for t in trials:
            epochs = _reported_epochs(tuner, t.trial_id)
            assert epochs == list(range(1, len(epochs) + 1)), (
                f"trial {t.trial_id} reported epochs {epochs}: each epoch once, in order")
            if t.status is TrialStatus.PRUNED:
                assert epochs[-1] in (1, 3), f"{t.trial_id} not stopped at a milestone: {epochs}"
            else:
                assert epochs[-1] == 9, (
                    f"trial {t.trial_id} COMPLETED with epochs {epochs} reported before its "
                    "result: all 9, each reaching the driver before wait() returns the result")


def _rule_asha_promotion_runs_to_the_end(factory: ExecutorFactory) -> None:
    with _project() as directory:
        tuner = ASHA(run_trial=jobs.train, objective="val_loss", max_epochs=9, factor=3,
                     max_trials=12, seed=0, hyperparameters=_space(), directory=directory,
                     verbose=0)  # fmt: skip
        tuner.search(executor=watched(factory))
        trials = tuner.storage.trials()
        assert tuner.oracle.finished
        assert all(t.status is TrialStatus.COMPLETED for t in trials), tuner.storage.failures()
        assert sum(t.rung == 0 for t in trials) == 12
        promoted = [t for t in trials if t.parent_id is not None]
        assert promoted and any(t.epochs == 9 for t in trials), "nothing was promoted to the end"
        for t in promoted:
            parent = tuner.storage.get_trial(t.parent_id or "")
            assert parent.rung is not None, parent
            assert (parent.epochs, parent.rung + 1) == (t.initial_epoch, t.rung), (parent, t)


def _shutdown(executor: Any) -> None:
    if isinstance(executor, Executor):
        executor.shutdown()


_RULES = make_rules("check_executor", [
    _rule_hyperband_completes_with_the_planned_jobs_per_rung,
    _rule_random_search_gives_the_sequential_results,
    _rule_promoted_jobs_continue_from_the_parent_checkpoint,
    _rule_a_failing_attempt_is_recorded_and_retried,
    _rule_asha_stopping_prunes_with_every_report_recorded,
    _rule_asha_promotion_runs_to_the_end,
], cleanup=_shutdown)


def executor_rules() -> list[Rule]:
    """The ``(name, check)`` rules of :func:`check_executor`, e.g. to parametrise a test over."""
    return list(_RULES)


def check_executor(factory: ExecutorFactory) -> None:
    """Check that the executors ``factory()`` makes run rung's searches as the driver would.

    Every rule gets a fresh executor from ``factory`` (a zero-argument callable), runs a small
    search on it and shuts it down. Raises ``AssertionError`` naming the first broken rule.

    Example::

        check_executor(lambda: MyClusterExecutor(workers=2))
    """
    run_rules(_RULES, factory)
