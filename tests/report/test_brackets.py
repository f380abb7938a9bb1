from __future__ import annotations

from rung.report.brackets import bracket_picture
from rung.report.plan import search_plan
from rung.trial_record import TrialStatus

from .helpers import HB_SETTINGS, job, snapshot

PLAN = search_plan(HB_SETTINGS)  # R=9, eta=3: s=2: 9x1 3x3 1x9; s=1: 5x3 1x9; s=0: 3x9


def test_a_bracket_ranks_its_jobs_and_marks_promotions() -> None:
    snap = snapshot(
        job("0", value=3.0), job("1", value=1.0), job("2", status=TrialStatus.FAILED),
        job("3", status=TrialStatus.RUNNING), job("4", value=2.0),
        job("5", rung=1, epochs=3, initial_epoch=1, parent_id="1", value=0.5),
        job("6", rung=1, epochs=3, initial_epoch=1, parent_id="4", status=TrialStatus.RUNNING))
    picture = bracket_picture(snap, PLAN)
    first = picture.brackets[0]
    assert (first.iteration, first.s, first.best) == (0, 2, 0.5)
    rung0, rung1, rung2 = first.rungs
    assert [j.trial_id for j in rung0.jobs] == ["1", "4", "0", "3", "2"]  # by value, running, failed
    assert [j.trial_id for j in rung0.jobs if j.promoted] == ["1", "4"]
    assert (rung0.planned, rung0.epochs, rung1.planned, rung1.epochs) == (9, 1, 3, 3)
    assert [j.trial_id for j in rung1.jobs] == ["5", "6"] and rung1.jobs[0].parent_id == "1"
    assert (rung2.planned, rung2.epochs, rung2.jobs) == (1, 9, ())
    # the brackets not started yet are shown empty, as planned
    assert [(b.s, b.jobs) for b in picture.brackets] == [(2, 7), (1, 0), (0, 0)]
    assert [r.planned for r in picture.brackets[1].rungs] == [5, 1]
    assert picture.total == 3 and picture.note == ""


def test_maximised_objective_ranks_the_largest_first() -> None:
    snap = snapshot(job("0", value=0.7), job("1", value=0.9), direction="max")
    rung0 = bracket_picture(snap, PLAN).brackets[0].rungs[0]
    assert [j.trial_id for j in rung0.jobs] == ["1", "0"]


def test_many_brackets_keep_the_best_and_the_most_recent() -> None:
    jobs = [job(str(i), bracket=0, epochs=9, iteration=i, value=float(100 - i if i != 3 else 0))
            for i in range(40)]
    settings = {**HB_SETTINGS, "hyperband_iterations": 41}
    picture = bracket_picture(snapshot(*jobs, settings=settings), search_plan(settings),
                              max_brackets=6)
    kept = [(b.iteration, b.s) for b in picture.brackets]
    # the 3 best before the 3 most recent (values 0, 64, 65), in the order they ran; then the
    # plan's next brackets, not started yet
    assert kept[:6] == [(3, 0), (35, 0), (36, 0), (37, 0), (38, 0), (39, 0)]
    assert kept[6:] == [(0, 2), (0, 1), (1, 2)] and all(b.jobs == 0 for b in picture.brackets[6:])
    assert picture.total == 43
    assert picture.note == ("showing 6 of 40 brackets: the 3 with the best results and the 3 "
                            "most recent")


def test_a_search_without_brackets_is_one_group_per_iteration() -> None:
    settings = {"oracle": "RandomSearchOracle", "max_trials": 3}
    snap = snapshot(job("0", bracket=None, rung=None, value=1.0),
                    job("1", bracket=None, rung=None, value=0.5), settings=settings)
    (view,) = bracket_picture(snap, search_plan(settings)).brackets
    assert view.s is None and [j.trial_id for j in view.rungs[0].jobs] == ["1", "0"]
    assert view.rungs[0].planned is None


def test_a_bracket_bohb_ran_as_full_budget_jobs_is_not_drawn_as_waiting() -> None:
    """BOHB (R=9, eta=3; brackets run s=2, s=0, s=1) ran bracket s=1 as 2 full-budget jobs
    (its 21 epochs // 9), stored in bracket s=0: s=1 is not drawn as a bracket to come."""
    settings = {**HB_SETTINGS, "oracle": "BOHBOracle", "full_budget_jobs": None}
    first = [job(str(i), value=float(i)) for i in range(9)]
    promoted = [job(str(9 + i), rung=1, epochs=3, initial_epoch=1, parent_id=str(i), value=1.0)
                for i in range(3)]
    last = [job("12", rung=2, epochs=9, initial_epoch=3, parent_id="9", value=0.5)]
    full = [job(str(13 + i), bracket=0, epochs=9, value=0.1 * i) for i in range(5)]
    picture = bracket_picture(snapshot(*first, *promoted, *last, *full, settings=settings),
                              search_plan(settings))
    assert [(b.iteration, b.s, b.jobs) for b in picture.brackets] == [(0, 2, 13), (0, 0, 5)]
    assert [(r.planned, len(r.jobs)) for r in picture.brackets[1].rungs] == [(3 + 2, 5)]
    assert picture.total == 3
    assert picture.note.startswith("BOHB ran bracket s=1 of iteration 0 as full-budget jobs")
    hyperband = bracket_picture(snapshot(*first, *promoted, *last, *full), PLAN)
    assert [(b.s, b.jobs) for b in hyperband.brackets] == [(2, 13), (0, 5), (1, 0)]  # no BOHB
