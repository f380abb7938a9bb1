"""Hyperband's jobs per (bracket, rung) and epochs charged equal Li et al. (JMLR 2018).

The expected plan is computed here independently of ``rung.oracles.schedule`` (exact rationals
from ``fractions``), and the oracle is driven through ask/tell to count what it really runs.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

import rung
from rung.oracles import HyperbandOracle

CASES = [(9, 3), (27, 3), (81, 3), (243, 3), (100, 3), (30, 2), (50, 4)]


def li_et_al(R: int, eta: int) -> dict[tuple[int, int], tuple[int, int]]:
    """{(s, i): (n_i, r_i)} from the paper's pseudo-code, with whole epochs rounded down."""
    s_max = max(s for s in range(64) if eta**s <= R)
    plan = {}
    for s in range(s_max, -1, -1):
        n = int(-(-Fraction((s_max + 1) * eta**s, s + 1) // 1))  # ceil
        r = Fraction(R, eta**s)
        for i in range(s + 1):
            plan[(s, i)] = (int(Fraction(n, eta**i) // 1), int(r * eta**i // 1))
    return plan


def run_oracle(R: int, eta: int, iterations: int = 1) -> list:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = HyperbandOracle(objective=rung.Objective("loss", "min"), max_epochs=R, factor=eta,
                             hyperband_iterations=iterations, seed=0, hyperparameters=hp)
    rng = np.random.default_rng(1)
    jobs = []
    while (s := oracle.ask()) is not None:
        jobs.append(s)
        oracle.tell(s.trial_id, {"loss": float(rng.random())})
    assert oracle.finished
    return jobs


@pytest.mark.parametrize(("R", "eta"), CASES)
def test_jobs_and_epochs_per_bracket_and_rung_match_li_et_al(R: int, eta: int) -> None:
    expected = li_et_al(R, eta)
    jobs = run_oracle(R, eta)
    counted = Counter((j.bracket, j.rung) for j in jobs)
    assert dict(counted) == {k: n for k, (n, _) in expected.items() if n > 0}
    for j in jobs:
        n_i, r_i = expected[(j.bracket, j.rung)]
        assert j.epochs == r_i
        previous = 0 if j.rung == 0 else expected[(j.bracket, j.rung - 1)][1]
        assert j.initial_epoch == previous
        assert (j.parent_id is None) == (j.rung == 0)
    charged = sum(j.epochs - j.initial_epoch for j in jobs)
    expected_epochs = sum(
        n * (r - (expected[(s, i - 1)][1] if i else 0)) for (s, i), (n, r) in expected.items()
    )
    assert charged == expected_epochs
    budget = HyperbandOracle(objective="loss", max_epochs=R, factor=eta).budget()
    assert (budget.jobs, budget.epochs) == (len(jobs), charged)


def test_243_3_has_six_brackets_and_most_aggressive_first() -> None:
    jobs = run_oracle(243, 3)
    order = list(dict.fromkeys(j.bracket for j in jobs))
    assert order == [5, 4, 3, 2, 1, 0]


def test_paper_table_r81() -> None:
    # Li et al., Table 1 (R=81, eta=3): (n_i, r_i) per bracket.
    table = {4: [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)], 3: [(34, 3), (11, 9), (3, 27), (1, 81)],
             2: [(15, 9), (5, 27), (1, 81)], 1: [(8, 27), (2, 81)], 0: [(5, 81)]}
    plan = li_et_al(81, 3)
    assert {s: [plan[(s, i)] for i in range(s + 1)] for s in table} == table


def test_promoted_jobs_are_the_top_k_of_their_rung_and_continue_from_their_parent() -> None:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = HyperbandOracle(objective="loss", max_epochs=27, factor=3, seed=3, hyperparameters=hp)
    losses: dict[str, float] = {}
    jobs = []
    while (s := oracle.ask()) is not None:
        jobs.append(s)
        losses[s.trial_id] = s.values["x"]  # the loss is the config's x, whatever the epochs
        oracle.tell(s.trial_id, {"loss": losses[s.trial_id]})
    by_id = {j.trial_id: j for j in jobs}
    for (bracket, rung_index), group in _groups(jobs).items():
        if rung_index == 0:
            continue
        previous = _groups(jobs)[(bracket, rung_index - 1)]
        best = sorted(previous, key=lambda j: losses[j.trial_id])[: len(group)]
        assert {j.parent_id for j in group} == {j.trial_id for j in best}
        for j in group:
            assert j.values == by_id[j.parent_id].values
            assert j.initial_epoch == by_id[j.parent_id].epochs


def _groups(jobs: list) -> dict:
    out: dict = {}
    for j in jobs:
        out.setdefault((j.bracket, j.rung), []).append(j)
    return out


def test_hyperband_iterations_repeat_the_brackets() -> None:
    one = run_oracle(27, 3, iterations=1)
    two = run_oracle(27, 3, iterations=2)
    assert len(two) == 2 * len(one)
    assert {j.iteration for j in two} == {0, 1}
