"""``Ranking``: the best results in order, whichever order they arrive in."""

from __future__ import annotations

import random

import pytest

from rung.oracles import _ranking
from rung.oracles._asha_rung import Rung
from rung.oracles._ranking import Ranking, rank_key
from rung.trial_record import TrialRecord, TrialStatus


def _records(n: int, seed: int) -> list[TrialRecord]:
    rng = random.Random(seed)
    return [TrialRecord(f"{i:05d}", {}, TrialStatus.COMPLETED, epochs=rng.choice([1, 3, 9]),
                        loss=rng.choice([None, round(rng.random(), 2)]))  # ties and no-loss ones
            for i in range(n)]


@pytest.mark.parametrize("top", [1, 4, 1024])
def test_best_matches_a_full_sort_as_results_arrive(monkeypatch, top: int) -> None:
    monkeypatch.setattr(_ranking, "TOP", top)
    records = _records(300, seed=top)
    ranked = [r for r in records if r.loss is not None]
    ranking = Ranking()
    for i, record in enumerate(records, 1):
        ranking.add(record)
        if i % 37 == 0 or i == len(records):
            expected = [r.trial_id for r in sorted(
                (r for r in ranked if int(r.trial_id) < i), key=rank_key)]
            for k in (1, 3, top, top + 2, len(expected), len(expected) + 5):
                assert ranking.best(k) == expected[:k], (i, k)
            assert len(ranking) == len(expected)


def test_built_from_a_history_it_ranks_like_one_fed_result_by_result(monkeypatch) -> None:
    monkeypatch.setattr(_ranking, "TOP", 5)
    records = _records(100, seed=1)
    fed = Ranking()
    for record in records[:60]:
        fed.add(record)
    built = Ranking(records[:60])
    for record in records[60:]:
        fed.add(record)
        built.add(record)
    assert built.best(100) == fed.best(100) == [
        r.trial_id for r in sorted((r for r in records if r.loss is not None), key=rank_key)]


def test_a_pruned_job_is_never_ranked_however_low_its_loss() -> None:
    done = TrialRecord("00001", {}, TrialStatus.COMPLETED, epochs=9, loss=0.64)
    pruned = TrialRecord("00002", {}, TrialStatus.PRUNED, epochs=9, loss=0.38, epochs_reached=3)
    fed = Ranking()
    fed.add(pruned)
    fed.add(done)
    assert fed.best(5) == Ranking([pruned, done]).best(5) == ["00001"]


def test_asha_stopping_recommends_only_configurations_it_trained_to_the_end() -> None:
    from rung.hyperparameters import HyperParameters
    from rung.oracles import ASHAOracle

    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = ASHAOracle(objective="loss", max_epochs=9, factor=3, mode="stopping", seed=0,
                        hyperparameters=hp, max_trials=6)
    told = {}
    for i in range(6):
        job = oracle.ask()
        assert job is not None
        if i % 2:  # stopped at 3 epochs with a lower loss than any completed job
            oracle.tell(job.trial_id, {"loss": 0.1 * i}, epochs_reached=3,
                        status=TrialStatus.PRUNED)
        else:
            oracle.tell(job.trial_id, {"loss": 1.0 + i})
        told[job.trial_id] = i % 2
    best = oracle.get_best_trials(6)
    assert [told[t.trial_id] for t in best] == [0, 0, 0]
    assert [t.score for t in best] == [1.0, 3.0, 5.0]


def test_a_tie_goes_to_the_earlier_trial_past_99999_trials() -> None:
    """Ids outgrow their five digits: "100000" was made after "99999", so it loses a tie
    (as ``rung status``, which orders by creation, has it)."""
    records = [TrialRecord(trial_id, {}, TrialStatus.COMPLETED, epochs=3, loss=0.5)
               for trial_id in ("100000", "99999")]
    fed = Ranking()
    for record in records:
        fed.add(record)
    assert Ranking(records).best(2) == fed.best(2) == ["99999", "100000"]


def test_an_asha_rung_breaks_ties_in_creation_order_past_99999_trials() -> None:
    rung = Rung()
    for trial_id in ("100000", "99999", "100001"):
        rung.add(trial_id, 0.5)
    assert rung.ids == ["99999", "100000", "100001"]
    assert rung.candidate(factor=3) == "99999"
