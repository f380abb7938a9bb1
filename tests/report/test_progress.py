from __future__ import annotations

from rung.report.progress import best_by_epochs
from rung.trial_record import TrialStatus

from .helpers import job, snapshot


def test_best_by_epochs_charges_promoted_jobs_only_new_epochs() -> None:
    snap = snapshot(
        job("0", value=3.0, finished_at=10), job("1", value=2.0, finished_at=11),
        job("2", value=4.0, finished_at=12), job("3", status=TrialStatus.FAILED, finished_at=13),
        job("4", rung=1, epochs=3, initial_epoch=1, parent_id="1", value=1.0, finished_at=14),
        job("5", status=TrialStatus.RUNNING),
        curves={"3": [(1, None)]})
    progress = best_by_epochs(snap, planned_epochs=20)
    assert progress.steps == ((1, 3.0), (2, 2.0), (6, 1.0))
    assert [(p.trial_id, p.epochs_spent, p.value) for p in progress.points] == [
        ("0", 1, 3.0), ("1", 2, 2.0), ("2", 3, 4.0), ("3", 4, None), ("4", 6, 1.0)]
    assert (progress.epochs_spent, progress.planned_epochs, progress.jobs) == (6, 20, 5)


def test_jobs_are_taken_in_the_order_they_finished() -> None:
    snap = snapshot(job("0", value=1.0, finished_at=20), job("1", value=2.0, finished_at=10))
    assert best_by_epochs(snap).steps == ((1, 2.0), (2, 1.0))


def test_points_are_thinned_but_every_improvement_is_kept() -> None:
    trials = [job(str(i), value=float(1000 - i) if i % 97 == 0 else 2000.0)
              for i in range(1000)]
    progress = best_by_epochs(snapshot(*trials), max_points=50)
    assert len(progress.points) <= 50 + len(progress.steps)
    improving = {p.trial_id for p in progress.points if p.value is not None and p.value < 2000}
    assert improving == {str(i) for i in range(0, 1000, 97)}
