"""``Ranking``: the best results in order, whichever order they arrive in."""

from __future__ import annotations

import random

import pytest

from rung.oracles import _ranking
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
