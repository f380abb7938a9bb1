"""The plan and the stop reason count brackets in words that agree with the number."""

from __future__ import annotations

from rung.oracles import HyperbandOracle, SuccessiveHalvingOracle


def test_one_bracket_is_singular() -> None:
    oracle = SuccessiveHalvingOracle(objective="loss", max_epochs=9, factor=3, seed=0)
    assert oracle.budget().describe().splitlines()[0].endswith(", 1 bracket")
    while (s := oracle.ask()) is not None:
        oracle.tell(s.trial_id, 1.0)
    assert oracle.stop_reason is not None
    assert oracle.stop_reason.startswith("1 bracket complete")


def test_several_brackets_are_plural() -> None:
    oracle = HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0)
    assert oracle.budget().describe().splitlines()[0].endswith(", 3 brackets")
    while (s := oracle.ask()) is not None:
        oracle.tell(s.trial_id, 1.0)
    assert oracle.stop_reason is not None
    assert oracle.stop_reason.startswith("all 3 brackets complete")
