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
                                           declare: HyperParameters | None = None) -> None:
    """Run the search once without a break, once saved and loaded at several points (right
    after the first asks, after the first tell, at a third and two thirds of it, with its last
    job in flight), each time with the jobs then pending in flight; compare."""
    uninterrupted = Flight(factory, _WIDTH, declare).run()
    reference, n = uninterrupted.jobs, len(uninterrupted.told)
    assert n >= 4, f"the search ran {n} jobs: the rule needs one of at least 4"
    resumed = Flight(factory, _WIDTH, declare).run(save_at={0, 1, n // 3, 2 * n // 3, n - 1})
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


def _rule_define_by_run_resume_continues_identically(factory: OracleFactory) -> None:
    """The same with the factory's oracle started on an empty space: its first job, asked with
    ``{}``, declares the whole space (the factory's) with ``update_space`` before its tell, as a
    training function run by a tuner does; the first save is made with that job in flight."""
    space = factory().hyperparameters
    declare = HyperParameters.from_config(space.get_config())  # not pinned, as a trial's
    _resumes_like_the_uninterrupted_search(factory, declare)


RESUME_RULES = [
    _rule_resume_with_jobs_in_flight_continues_identically,
    _rule_define_by_run_resume_continues_identically,
]
