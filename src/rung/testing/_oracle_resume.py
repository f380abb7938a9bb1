"""``check_oracle``'s rules for a search saved and loaded at several points with several jobs in
flight (``rung.testing._oracle_flight``): the resumed search hands out exactly the jobs of the
uninterrupted one, and ends with the same results and the same best trials."""

from __future__ import annotations

from collections.abc import Callable

from rung.hyperparameters import HyperParameters
from rung.oracles import Oracle
from rung.testing._oracle_flight import Flight

__all__ = ["RESUME_RULES"]

OracleFactory = Callable[[], Oracle]
_WIDTH = 3  # jobs in flight


def _outcome(flight: Flight) -> dict[str, tuple[object, ...]]:
    return {k: (r.status, r.loss, r.epochs_reached, r.values) for k, r in flight.told.items()}


def _resumes_like_the_uninterrupted_search(factory: OracleFactory,
                                           declare: HyperParameters | None = None,
                                           width: int = _WIDTH, everywhere: bool = False) -> None:
    """Run the search once without a break, once saved and loaded at several points (right
    after the first asks, after the first tell, at a third and two thirds of it, with its last
    job in flight; or, ``everywhere``, before each job ends), each time with the jobs then
    pending in flight; compare."""
    uninterrupted = Flight(factory, width, declare).run()
    reference, n = uninterrupted.jobs, len(uninterrupted.told)
    assert n >= 4, f"the search ran {n} jobs: the rule needs one of at least 4"
    points = set(range(n)) if everywhere else {0, 1, n // 3, 2 * n // 3, n - 1}
    resumed = Flight(factory, width, declare).run(save_at=points)
    if resumed.jobs != reference:
        i = next((i for i, (a, b) in enumerate(zip(resumed.jobs, reference, strict=False))
                  if a != b), min(len(resumed.jobs), len(reference)))
        before = [r for r in resumed.resumes if r.asked <= i][-1:]
        where = (f"after the resume with {before[0].told} jobs told and "
                 f"{list(before[0].pending)} pending" if before else "before any resume")
        job = resumed.jobs[i] if i < len(resumed.jobs) else "nothing"
        expected_job = reference[i] if i < len(reference) else "nothing"
        raise AssertionError(f"the resumed search handed out other jobs: job {i}, {where}, "
                             f"was {job}, not {expected_job}")
    got, wanted = _outcome(resumed), _outcome(uninterrupted)
    other = [k for k in sorted(wanted) if got.get(k) != wanted[k]][:1]
    assert not other, (f"trial {other[0]} ended otherwise after a resume: (status, loss, "
                       f"epochs_reached, values) {got.get(other[0])}, not {wanted[other[0]]}"
                       if other else "")
    assert resumed.oracle.finished, "the resumed search did not finish"
    best = [t.trial_id for t in resumed.oracle.get_best_trials(3)]
    expected = [t.trial_id for t in uninterrupted.oracle.get_best_trials(3)]
    assert best == expected, f"best trials {best} after the resumes, {expected} without any"
    seen, live = resumed.seen(), uninterrupted.seen()  # the last resume replayed all but one job
    if resumed.replayed and seen != live:
        diff = sorted(set(seen) ^ set(live))[:2] or "the same observations, other counts"
        raise AssertionError(
            "the searcher of the search last resumed with its last job in flight observed other "
            f"results (replayed, then live) than the uninterrupted one's (live): {diff}")


def _rule_resume_with_jobs_in_flight_continues_identically(factory: OracleFactory) -> None:
    """Saved and loaded at several points, each time with up to 3 jobs pending (some have
    reported epochs, some will fail, end with a NaN, or be told PRUNED), whose reports are sent
    again after the load: the search goes on exactly as the uninterrupted one."""
    _resumes_like_the_uninterrupted_search(factory)


def _rule_resume_before_each_job_ends_with_one_in_flight(factory: OracleFactory) -> None:
    """One job at a time, as with one worker, saved and loaded before each job ends: the
    search goes on exactly as the uninterrupted one. (With several jobs in flight an oracle
    often decides its next step, or its end, before the save: this catches a state that forgets
    what the oracle decided since its last job began.)"""
    _resumes_like_the_uninterrupted_search(factory, width=1, everywhere=True)


def _rule_checkpoints_in_use_keep_each_parent_until_its_child_ends(
        factory: OracleFactory) -> None:
    """Where ``checkpoints_in_use()`` is not None, a trial that a job continues from is in it
    from the parent's end until that job ends (a tuner deletes the other checkpoints), and
    every resume leaves it unchanged (``Flight.resume`` checks that)."""
    n = len(Flight(factory, _WIDTH).run().told)
    flight = Flight(factory, _WIDTH).run(save_at={1, n // 2})
    told_at = {trial_id: i for i, (trial_id, _) in enumerate(flight.in_use)}
    for job in flight.jobs:
        parent = job.parent_id
        if parent is None or parent not in told_at:
            continue
        for told, in_use in flight.in_use[told_at[parent]:told_at[job.trial_id]]:
            assert in_use is None or parent in in_use, (
                f"trial {parent}'s checkpoint was not in checkpoints_in_use() after trial "
                f"{told} ended, but job {job.trial_id} continues from it and ended later: a "
                "tuner would have deleted it")


def _rule_define_by_run_resume_continues_identically(factory: OracleFactory) -> None:
    """The same with the factory's oracle started on an empty space: its first job, asked with
    ``{}``, declares the whole space (the factory's) with ``update_space`` before its tell, as a
    training function run by a tuner does; the first save is made with that job in flight."""
    space = factory().hyperparameters
    declare = HyperParameters.from_config(space.get_config())  # not pinned, as a trial's
    _resumes_like_the_uninterrupted_search(factory, declare)


RESUME_RULES = [
    _rule_resume_with_jobs_in_flight_continues_identically,
    _rule_resume_before_each_job_ends_with_one_in_flight,
    _rule_checkpoints_in_use_keep_each_parent_until_its_child_ends,
    _rule_define_by_run_resume_continues_identically,
]
