"""``check_oracle``: the ask/tell contract of ``rung.oracles.base.Oracle`` as named rules.

The kit plays the tuner (``rung.testing._oracle_drive``): it asks for jobs, reports every epoch
through ``on_report`` (a stopping oracle may stop the job there: it is then told PRUNED at that
epoch), and tells each result. The factory must make an oracle with its search space declared
(``hyperparameters=``), a fixed ``seed`` and a finite search of at least a few jobs.

The resume rules (``rung.testing._oracle_resume``) save and load the state at several points of a
search run with up to 3 jobs in flight, some of which reported epochs before the save (their
reports are sent again after the load), failed, ended with a NaN or were told PRUNED; the
define-by-run one empties a fresh oracle's space (``oracle.hyperparameters = HyperParameters()``)
before its first ask, and its first job, asked with ``{}``, declares the factory's whole space.

Which rules apply depends on what the oracle declares:

* ``bounded_state`` (class attribute, default True): the state is bounded by the live work, so a
  finished search's state is about as small as a fresh one's (rule ``state_is_bounded``). ASHA
  declares False: its rungs rank every result they received.
* ``budget().jobs``: when not 0 (known in advance), the search runs exactly that many jobs;
  ``budget().epochs``: when known, the jobs train no more epochs than that.
* ``multi_fidelity`` (class attribute, default False): unless True, every job trains the same
  epochs from scratch.

``oracle_rules(factory)`` returns the rules that apply to the oracles ``factory`` makes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from rung.errors import ConfigurationError
from rung.oracles import Oracle
from rung.testing._drive import value_in_space
from rung.testing._oracle_drive import Drive, RecordingSearcher
from rung.testing._oracle_plan import PLAN_RULES
from rung.testing._oracle_resume import RESUME_RULES
from rung.testing._rules import Rule, make_rules, raises, run_rules
from rung.trial_record import TrialStatus

__all__ = ["check_oracle", "oracle_rules"]

OracleFactory = Callable[[], Oracle]
_STATE_SLACK = 400  # characters a finished search's state may hold beyond a fresh one's


def _fresh(factory: OracleFactory) -> Oracle:
    oracle = factory()
    assert isinstance(oracle, Oracle), f"the factory returned {type(oracle).__name__}"
    return oracle


def _rule_runs_to_completion_with_unique_ids_and_the_planned_jobs(factory: OracleFactory) -> None:
    oracle = _fresh(factory)
    planned = oracle.budget().jobs
    jobs = Drive(oracle).run().jobs
    assert oracle.finished and oracle.stop_reason, "the search did not end with a reason"
    assert oracle.ask() is None, "ask() gave a job after the search finished"
    assert len({j.trial_id for j in jobs}) == len(jobs), "a trial id was handed out twice"
    assert not oracle.pending, f"jobs still pending: {sorted(oracle.pending)}"
    if planned:  # 0: not known in advance
        assert len(jobs) == planned, f"{len(jobs)} jobs ran, the budget planned {planned}"


def _rule_same_seed_same_jobs(factory: OracleFactory) -> None:
    first, second = Drive(_fresh(factory)).run(), Drive(_fresh(factory)).run()
    assert first.jobs == second.jobs, "two oracles made alike handed out different jobs"


def _rule_state_round_trip_continues_identically(factory: OracleFactory) -> None:
    """Save the JSON state mid-search with a job in flight, load it with the stored history
    and reports into a fresh oracle: the rest of the search is the uninterrupted one."""
    uninterrupted = Drive(_fresh(factory)).run()
    reference = uninterrupted.jobs
    drive = Drive(_fresh(factory)).run(stop_after=min(7, len(reference) - 1))
    pending = drive.oracle.ask()  # a job in flight when the process dies
    assert pending is not None, "the search cannot be interrupted with a job in flight"
    state = json.loads(json.dumps(drive.oracle.state_dict(), allow_nan=False))
    resumed = Drive(_fresh(factory), jobs=list(drive.jobs), told=dict(drive.told))
    resumed.oracle.load_state_dict(state, drive.history(), drive.stored_reports())
    assert set(resumed.oracle.pending) == {pending.trial_id}, (
        f"pending after the resume: {sorted(resumed.oracle.pending)}, not {[pending.trial_id]}")
    assert {r.trial_id for r in resumed.oracle.records} == set(drive.told), "lost a result"
    resumed.jobs.append(pending)
    resumed.finish(pending)
    rest = resumed.run()
    i = next((i for i, (a, b) in enumerate(zip(rest.jobs, reference, strict=False)) if a != b),
             min(len(rest.jobs), len(reference)))
    assert rest.jobs == reference, (
        f"the resumed search handed out other jobs: job {i} (resumed after {len(drive.jobs)}) was "
        f"{rest.jobs[i] if i < len(rest.jobs) else 'nothing'}, not "
        f"{reference[i] if i < len(reference) else 'nothing'}")
    best = [t.trial_id for t in resumed.oracle.get_best_trials(3)]
    expected = [t.trial_id for t in uninterrupted.oracle.get_best_trials(3)]
    assert best == expected, f"best trials {best} after the resume, {expected} without one"


def _rule_state_is_json_from_the_first_ask(factory: OracleFactory) -> None:
    """The state is plain JSON at every point (no NaN or infinity), even with the first job in
    flight and nothing told: the moment a search is most often interrupted."""
    oracle = _fresh(factory)
    json.dumps(oracle.state_dict(), allow_nan=False)
    first = oracle.ask()
    assert first is not None, "the first ask handed out nothing"
    json.dumps(oracle.state_dict(), allow_nan=False)


def _rule_jobs_lie_inside_the_space(factory: OracleFactory) -> None:
    """Every job's values are values of the oracle's space: no name it lacks, no value outside
    a range or a list (what a searcher or ``populate_space`` returns is handed out as is)."""
    drive = Drive(_fresh(factory)).run()
    space = drive.oracle.hyperparameters
    known = {p.name for p in space.space}
    for job in drive.jobs:
        extra = set(job.values) - known
        assert not extra or not known, (
            f"job {job.trial_id} has {sorted(extra)}, which the space {sorted(known)} lacks")
        for hp in space.space:
            if hp.name in job.values:
                assert value_in_space(hp, job.values[hp.name]), (
                    f"job {job.trial_id}: {hp.name}={job.values[hp.name]!r} is not a value of "
                    f"{hp!r}")


def _rule_unknown_state_version_is_refused(factory: OracleFactory) -> None:
    state = _fresh(factory).state_dict()
    assert "version" in state, "state_dict() has no 'version'"
    future = {**state, "version": 10_000}
    with raises(ConfigurationError, match="10000"):
        _fresh(factory).load_state_dict(future)
    _fresh(factory).load_state_dict(json.loads(json.dumps(state)))  # its own version loads


def _rule_state_is_bounded(factory: OracleFactory) -> None:
    """Finished trials come back through ``load_state_dict(state, history)``, so the state of a
    finished search holds nothing of them: it is about the size of a fresh oracle's."""
    oracle = _fresh(factory)
    fresh = len(json.dumps(oracle.state_dict()))
    drive = Drive(oracle).run()
    done = len(json.dumps(oracle.state_dict()))
    assert done <= fresh + _STATE_SLACK, (
        f"the state grew from {fresh} to {done} characters over {len(drive.jobs)} jobs; "
        "declare bounded_state = False if it must")


def _rule_best_trials_are_sorted_by_loss(factory: OracleFactory) -> None:
    oracle = _fresh(factory)
    Drive(oracle).run()
    best = oracle.get_best_trials(5)
    assert best, "no best trial after a search without failures"
    losses = [t.record.loss for t in best]
    assert None not in losses, f"a best trial without a loss: {losses}"
    assert losses == sorted(losses), f"best trials not sorted by loss: {losses}"  # type: ignore[type-var]
    all_losses = [t.loss for t in oracle.records if t.loss is not None]
    assert losses[0] == min(all_losses), f"best {losses[0]}, but {min(all_losses)} was seen"
    score = best[0].score
    assert score is not None and math.isclose(score, losses[0]), (score, losses[0])


def _bad_outcome(s: object) -> str:
    roll = int(getattr(s, "trial_id", "0")) % 10
    return "nan" if roll in (1, 5) else "failed" if roll == 3 else "ok"


def _rule_nan_and_failures_are_never_best_nor_promoted(factory: OracleFactory) -> None:
    oracle = _fresh(factory)
    drive = Drive(oracle, outcome=_bad_outcome).run()
    assert oracle.finished, "the search did not finish"
    bad = {k for k, r in drive.told.items() if _bad_outcome(r) != "ok"}
    assert bad, "no job failed: the rule needs a search of at least 4 jobs"
    for trial_id in bad:
        record = drive.told[trial_id]
        assert record.status is TrialStatus.FAILED and record.loss is None, record
    promoted = [j for j in drive.jobs if j.parent_id in bad]
    assert not promoted, f"promoted from failed trials: {[j.trial_id for j in promoted]}"
    best = {t.trial_id for t in oracle.get_best_trials(1000)}
    assert not best & bad, f"failed trials among the best: {sorted(best & bad)}"


def _rule_tell_unknown_trial_raises(factory: OracleFactory) -> None:
    oracle = _fresh(factory)
    with raises(KeyError, match="not pending"):
        oracle.tell("nope", 1.0)
    with raises(KeyError, match="not pending"):
        oracle.tell_failed("nope", "boom")


def _rule_a_refused_tell_leaves_the_job_pending(factory: OracleFactory) -> None:
    """A ``tell`` refused for its arguments (no objective, text, a bad ``values``) keeps the
    job pending: the caller can tell it again, right, or ``tell_failed`` it."""
    oracle = _fresh(factory)
    job = oracle.ask()
    assert job is not None, "the first ask gave no job"
    good = {o.name: 0.5 for o in getattr(oracle.objective, "objectives", [oracle.objective])}
    name = next(iter(good))
    for bad in ({"not_" + name: 1.0}, {**good, name: "0.5"}, {**good, name: None},
                {**good, "note": "text"}, [0.5], None):
        with raises((TypeError, ValueError)):
            oracle.tell(job.trial_id, bad)  # type: ignore[arg-type]
        assert job.trial_id in oracle.pending, f"tell({bad!r}) was refused but lost the job"
    with raises(TypeError):
        oracle.tell(job.trial_id, good, values=5)  # type: ignore[arg-type]
    assert job.trial_id in oracle.pending, "a refused tell(values=5) lost the job"
    record = oracle.tell(job.trial_id, good)
    assert record.trial_id == job.trial_id and job.trial_id not in oracle.pending


def _pruned_outcome(s: object) -> str:
    return "pruned" if int(getattr(s, "trial_id", "0")) % 4 == 1 else _bad_outcome(s)


def _rule_searcher_observes_the_budget_reached(factory: OracleFactory) -> None:
    """Every job's final Observation has the epoch it really reached and its record's status
    (a job pruned at a milestone: that epoch, PRUNED); reports come at their own epoch."""
    oracle = _fresh(factory)
    spy = RecordingSearcher(oracle.searcher)
    oracle.searcher = spy
    drive = Drive(oracle, outcome=_pruned_outcome).run()
    pruned = [r for r in drive.told.values() if r.status is TrialStatus.PRUNED]
    assert pruned, "no job ended PRUNED: the rule needs a search of at least 2 jobs"
    finals = [o for o in spy.observations if o.status is not TrialStatus.RUNNING]
    assert sorted(o.trial_id for o in finals) == sorted(drive.told), (
        "not exactly one final observation per job")
    records = {r.trial_id: r for r in oracle.records}
    for o in finals:
        told, reached = drive.told[o.trial_id], drive.reached[o.trial_id]
        assert records[o.trial_id].status is told.status, (records[o.trial_id], told)
        assert (o.status, o.loss) == (told.status, told.loss), (o, told)
        if _pruned_outcome(told) == "failed":
            continue  # tell_failed: no epoch is known to have been reached
        assert told.epochs_reached == reached, (
            f"trial {o.trial_id} reached epoch {reached}; its record says {told.epochs_reached}")
        expected = told.epochs if reached is None else reached
        assert o.budget == expected, (
            f"trial {o.trial_id} ({o.status.value}) reached epoch {expected}; "
            f"the searcher observed it at budget {o.budget}")
    reported = {(k, e): m["loss"] for k, ms in drive.epoch_metrics.items() for e, m in ms}
    for o in spy.observations:
        if o.status is TrialStatus.RUNNING:
            assert reported.get((o.trial_id, o.budget)) == o.loss, f"no such report: {o}"
    started = [trial_id for trial_id, _ in spy.started]
    assert started == [j.trial_id for j in drive.jobs], "on_start not called once per job"


_ALL = make_rules("check_oracle", [
    _rule_runs_to_completion_with_unique_ids_and_the_planned_jobs,
    *PLAN_RULES,
    _rule_same_seed_same_jobs,
    _rule_state_round_trip_continues_identically,
    *RESUME_RULES,
    _rule_state_is_json_from_the_first_ask,
    _rule_jobs_lie_inside_the_space,
    _rule_unknown_state_version_is_refused,
    _rule_state_is_bounded,
    _rule_best_trials_are_sorted_by_loss,
    _rule_nan_and_failures_are_never_best_nor_promoted,
    _rule_tell_unknown_trial_raises,
    _rule_a_refused_tell_leaves_the_job_pending,
    _rule_searcher_observes_the_budget_reached,
])


def oracle_rules(factory: OracleFactory | None = None) -> list[Rule]:
    """The ``(name, check)`` rules of :func:`check_oracle`; with ``factory``, only those that
    apply to the oracles it makes (see the module docstring)."""
    if factory is None:
        return list(_ALL)
    if not callable(factory):
        raise TypeError("check_oracle: factory must be a zero-argument callable returning a "
                        f"fresh oracle; got {type(factory).__name__} {factory!r} (write "
                        "lambda: MyOracle(...))")
    bounded = bool(getattr(factory(), "bounded_state", True))
    return [rule for rule in _ALL if bounded or rule.name != "state_is_bounded"]


def check_oracle(factory: OracleFactory) -> None:
    """Check that the oracles ``factory()`` makes keep the ask/tell contract.

    ``factory`` is a zero-argument callable returning a fresh oracle, always made alike (same
    space, seed and budget). Raises ``AssertionError`` naming the first broken rule.

    Example::

        check_oracle(lambda: MyOracle(objective="loss", max_epochs=9, seed=0, hyperparameters=hp))
    """
    run_rules(oracle_rules(factory), factory)
