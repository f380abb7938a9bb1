from __future__ import annotations

from rung.report.params import param_plots
from rung.report.snapshot import ParamSpec
from rung.trial_record import TrialStatus

from .helpers import job, snapshot

SPACE = (ParamSpec("lr", "numeric", log=True), ParamSpec("act", "categorical",
                                                          categories=("relu", "tanh")),
         ParamSpec("bn", "categorical", categories=(False, True)))


def test_numeric_and_categorical_points() -> None:
    snap = snapshot(
        job("0", value=1.0, values={"lr": 0.1, "act": "tanh", "bn": True}),
        job("1", value=2.0, epochs=3, values={"lr": 0.01, "act": "relu", "bn": False}),
        job("2", value=3.0, values={"lr": 0.0, "act": "elu"}),  # lr <= 0 on a log axis, no bn
        job("3", status=TrialStatus.FAILED, values={"lr": 0.5, "act": "relu", "bn": True}),
        space=SPACE)
    lr, act, bn = param_plots(snap)
    assert (lr.kind, lr.log) == ("numeric", True)
    assert [(p.trial_id, p.x, p.y, p.epochs) for p in lr.points] == [
        ("0", 0.1, 1.0, 1), ("1", 0.01, 2.0, 3)]
    assert act.categories == ("relu", "tanh", "elu")  # declared first, then as met
    assert [(p.trial_id, p.x) for p in act.points] == [("0", 1.0), ("1", 0.0), ("2", 2.0)]
    assert bn.categories == ("False", "True") and [p.x for p in bn.points] == [1.0, 0.0]
    assert (lr.total, act.total, bn.total) == (2, 3, 2)


def test_thinning_keeps_the_longest_trained_jobs() -> None:
    trials = [job(str(i), value=float(i), epochs=9 if i % 50 == 0 else 1,
                  values={"lr": 0.01 + i / 1000}) for i in range(1000)]
    (plot,) = param_plots(snapshot(*trials, space=(ParamSpec("lr", "numeric"),)),
                          max_points=100)
    assert len(plot.points) <= 100 and plot.total == 1000
    assert sum(p.epochs == 9 for p in plot.points) == 20
