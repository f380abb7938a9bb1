"""Per-budget memory of the GP searcher: which configurations await a budget."""

from __future__ import annotations

from rung.hyperparameters import values_key
from rung.searchers import Observation
from rung.searchers._budgets import FinalResults
from rung.trial_record import TrialStatus


def _final(trial_id: str, x: float, budget: int, loss: float | None,
           status: TrialStatus = TrialStatus.COMPLETED) -> Observation:
    return Observation(trial_id=trial_id, values={"x": x}, budget=budget, loss=loss, status=status)


def test_configurations_started_since_a_budgets_newest_result_await_it() -> None:
    data = FinalResults()
    for i, x in enumerate((0.1, 0.2, 0.3)):  # a first bracket: three at 1 epoch, one reaches 3
        data.start(f"0000{i}", {"x": x})
        data.add(_final(f"0000{i}", x, 1, x), group=1)
    data.start("00003", {"x": 0.1})
    data.add(_final("00003", 0.1, 3, 0.05), group=3)
    assert data.awaiting(3, limit=10) == ([], [])  # the bracket is over: nothing waits for 3
    for i, x in enumerate((0.4, 0.5, 0.6), start=4):  # the next bracket, one job at a time
        data.start(f"0000{i}", {"x": x})
        data.add(_final(f"0000{i}", x, 1, x), group=1)
    data.start("00007", {"x": 0.7})  # running
    assert data.awaiting(3, limit=10) == ([{"x": 0.7}], [{"x": 0.4}, {"x": 0.5}, {"x": 0.6}])
    assert data.awaiting(3, limit=2) == ([{"x": 0.7}], [{"x": 0.5}, {"x": 0.6}])  # most recent
    assert data.awaiting(1, limit=10) == ([{"x": 0.7}], [])  # at 1 epoch only the running one
    data.start("00008", {"x": 0.4})  # promoted: the same configuration under a new trial id
    data.add(_final("00008", 0.4, 3, 0.2), group=3)
    assert data.awaiting(3, limit=10) == ([{"x": 0.7}], [])  # a newer result at 3: a new batch


def test_failed_configurations_await_nothing_and_count_per_group() -> None:
    data = FinalResults()
    data.start("00000", {"x": 0.1})
    data.add(_final("00000", 0.1, 2, None, TrialStatus.FAILED), group=2)
    data.start("00001", {"x": 0.2})
    data.add(_final("00001", 0.2, 2, None), group=2)  # no loss (a NaN is refused: test_observation)
    data.start("00002", {"x": 0.3})
    data.add(_final("00002", 0.3, 2, 0.3, TrialStatus.PRUNED), group=2)
    assert data.counts() == {2: 1} and list(data.failed) == [values_key({"x": 0.1})]
    assert data.awaiting(9, limit=10) == ([], [{"x": 0.2}, {"x": 0.3}])  # not the failed one
    assert data.running == {}
    assert data.failures(9) == [("00000", {"x": 0.1})]  # no result at 9: a model imputes it
    data.start("00003", {"x": 0.1})  # the failed configuration again, with a result at 2
    data.add(_final("00003", 0.1, 2, 0.5), group=2)
    assert data.failures(2) == [] and data.failures(9) == [("00000", {"x": 0.1})]


def test_trial_ids_past_their_padding_keep_their_order() -> None:
    data = FinalResults()
    data.start("99999", {"x": 0.1})
    data.add(_final("99999", 0.1, 3, 0.1), group=3)
    data.start("100000", {"x": 0.2})
    data.add(_final("100000", 0.2, 1, 0.2), group=1)
    assert data.awaiting(3, limit=10) == ([], [{"x": 0.2}])  # 100000 came after 99999
