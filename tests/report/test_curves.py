from __future__ import annotations

import pytest

from rung.report.curves import learning_curves, robust_range, thin
from rung.trial_record import TrialStatus

from .helpers import job, snapshot


def test_a_promoted_job_continues_its_parents_curve() -> None:
    snap = snapshot(job("0", bracket=2, value=2.0), job("1", bracket=2, value=3.0),
                    job("2", bracket=2, rung=1, epochs=3, initial_epoch=1, parent_id="0",
                        value=1.0),
                    job("3", bracket=0, epochs=3, value=1.5))
    curves = learning_curves(snap)
    by_id = {s.trial_id: s for s in curves.segments}
    assert by_id["2"].joined and by_id["2"].points == ((1, 2.0), (2, 1.0), (3, 1.0))
    assert not by_id["0"].joined and by_id["0"].points == ((1, 2.0),)
    assert curves.brackets == (2, 0) and curves.max_epoch == 3
    assert curves.reported == curves.kept == 1 + 1 + 2 + 3


def test_jobs_without_reports_have_no_curve_and_none_values_are_dropped() -> None:
    snap = snapshot(job("0", status=TrialStatus.FAILED), job("1", value=1.0),
                    curves={"0": [(1, None)], "1": [(1, None), (2, 1.0)]})
    curves = learning_curves(snap)
    assert [(s.trial_id, s.points) for s in curves.segments] == [("1", ((2, 1.0),))]


def test_thin_keeps_first_last_and_best() -> None:
    points = [(e, float((e - 37) ** 2)) for e in range(1, 101)]
    kept = thin(points, 10)
    assert len(kept) <= 11 and kept[0] == points[0] and kept[-1] == points[-1]
    assert (37, 0.0) in kept and kept == sorted(kept)
    assert thin(points[:5], 10) == points[:5]
    assert (1, 1296.0) in thin(points, 3, lower_is_better=False)


def test_many_points_are_thinned_to_the_budget() -> None:
    trials = [job(str(i), epochs=50, value=1.0) for i in range(100)]
    curves = learning_curves(snapshot(*trials), max_points=1000)
    assert curves.reported == 5000 and curves.kept <= 1000 + 100
    assert all(s.points[0][0] == 1 and s.points[-1][0] == 50 for s in curves.segments)


def test_robust_range_clips_a_diverged_run() -> None:
    values = [1.0 + i / 100 for i in range(100)] + [1e6]
    lo, hi = robust_range(values)
    assert lo == 1.0 and hi < 3
    assert robust_range([1.0, 2.0]) == (1.0, 2.0)
    assert robust_range([2.0, 2.0]) == pytest.approx((1.9, 2.1))
    assert robust_range([]) is None
