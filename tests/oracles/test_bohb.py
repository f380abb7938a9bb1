"""BOHB: Hyperband with the KDE searcher; resume, concurrent workers, crossing curves."""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import numpy as np
import pytest

import rung
from rung.errors import ArgumentTypeError, ConfigurationError
from rung.hyperparameters import HyperParameters
from rung.oracles import BOHBOracle, HyperbandOracle, Oracle, SuccessiveHalvingOracle
from rung.searchers import GPSearcher, KDESearcher, RandomSearcher
from rung.storage import InMemoryStorage


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    hp.Float("y", 0.0, 1.0)
    hp.Choice("c", ["a", "b", "c"])
    return hp


def loss_of(values: dict[str, Any], epoch: int | None) -> float:
    base = (values["x"] - 0.7) ** 2 + (values["y"] - 0.2) ** 2 + (0.0 if values.get("c", "b") == "b" else 0.1)
    return base + 1.0 / (epoch or 1)


class _Store:
    def __init__(self) -> None:
        self.records: dict[str, Any] = {}
        self.reports: list[tuple[str, int, dict[str, float]]] = []


def _drive(oracle: Oracle, jobs: int, store: _Store, proposals: list[Any],
           workers: int = 3, running: list[Any] | None = None, curve: Any = None) -> None:
    """Run ``jobs`` jobs, ``workers`` at a time, first-in first-out (jobs are pending when we
    stop; ``running``: jobs handed out before, run first)."""
    running = list(running or [])
    done = 0
    while done < jobs:
        while len(running) < workers and (s := oracle.ask()) is not None:
            proposals.append(s.values if curve is None else (s.values, s.bracket, s.epochs))
            running.append(s)
        if not running:
            return
        s = running.pop(0)
        curve_of = loss_of if curve is None else curve
        for epoch in range(s.initial_epoch + 1, s.epochs + 1):
            metrics = {"loss": curve_of(s.values, epoch)}
            store.reports.append((s.trial_id, epoch, metrics))
            oracle.on_report(s.trial_id, epoch, metrics)
        store.records[s.trial_id] = oracle.tell(s.trial_id,
                                                {"loss": curve_of(s.values, s.epochs)})
        done += 1
    for s in running:  # still pending: a resumed search runs them again
        store.reports = [r for r in store.reports if r[0] != s.trial_id]


def _bohb(searcher: str = "kde") -> BOHBOracle:
    return BOHBOracle(objective="loss", max_epochs=9, factor=3, seed=4, searcher=searcher,
                      hyperband_iterations=None, hyperparameters=space())


@pytest.mark.parametrize("searcher", ["kde", "gp"])
def test_resumed_bohb_proposes_exactly_what_an_uninterrupted_one_does(searcher: str) -> None:
    straight: list[dict[str, Any]] = []
    _drive(_bohb(searcher), 120, _Store(), straight)

    store, first = _Store(), []
    interrupted = _bohb(searcher)
    _drive(interrupted, 50, store, first)
    assert interrupted.pending
    state = json.loads(json.dumps(interrupted.state_dict()))
    # the model comes back from the replayed history (the GP keeps the seed of its restarts)
    assert set(state["searcher"]) == (set() if searcher == "kde" else {"seed"})
    resumed = _bohb(searcher)
    history = sorted(store.records.values(), key=lambda r: r.trial_id)
    resumed.load_state_dict(state, history, store.reports)
    second: list[dict[str, Any]] = []
    pending = sorted(resumed.pending.values(), key=lambda s: s.trial_id)
    # the interrupted jobs run again, as they would have run without the interruption
    _drive(resumed, 120 - 50, store, second, running=pending)
    assert len(first + second) >= 110
    assert first + second == straight[:len(first) + len(second)]
    if isinstance(resumed.searcher, KDESearcher):
        model = resumed.searcher.split(resumed.searcher.encoding(resumed.hyperparameters))
        assert model is not None and model.budget == 9  # the model ran, at the top budget
    else:
        assert isinstance(resumed.searcher, GPSearcher) and resumed.searcher.per_budget
        assert resumed.searcher._group(6, np.random.default_rng(0)) == 9


def _crossing_at_9(values: dict[str, Any], epoch: int | None) -> float:
    """Large x learns slowly and ends best: every epoch before 9 ranks x backwards."""
    e = epoch or 1
    x = values["x"]
    return (1 - x) + 4 * x * (math.exp(-e / 9) - math.exp(-1)) + 0.1 * values["y"]


def test_resumed_bohb_replaces_the_same_brackets_where_curves_cross() -> None:
    """The rank agreement comes back from the replayed history too: a search stopped before
    BOHB turns brackets into full-budget jobs makes, once resumed, exactly the same jobs."""
    straight: list[Any] = []
    _drive(_bohb(), 150, _Store(), straight, curve=_crossing_at_9)
    replaced = [job for job in straight[30:] if job[1:] == (0, 9)]
    assert len(replaced) > 2 * 5  # more full-budget jobs than the planned s=0 brackets hold
    store, first = _Store(), []
    interrupted = _bohb()
    _drive(interrupted, 25, store, first, curve=_crossing_at_9)
    state = json.loads(json.dumps(interrupted.state_dict()))
    resumed = _bohb()
    resumed.load_state_dict(state, sorted(store.records.values(), key=lambda r: r.trial_id),
                            store.reports)
    second: list[Any] = []
    pending = sorted(resumed.pending.values(), key=lambda s: s.trial_id)
    _drive(resumed, 150 - 25, store, second, running=pending, curve=_crossing_at_9)
    assert first + second == straight[:len(first) + len(second)]


class _Deaf(KDESearcher):
    """The KDE searcher, not told about pending jobs (the counterfactual)."""

    def on_start(self, trial_id: str, values: Any, budget: int | None) -> None:
        pass


def _four_concurrent(searcher: KDESearcher | GPSearcher, seed: int) -> float:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    hp.Float("y", 0.0, 1.0)
    oracle = BOHBOracle(objective="loss", max_epochs=9, factor=3, seed=seed, hyperparameters=hp,
                        hyperband_iterations=None, searcher=searcher)
    _drive(oracle, 60, _Store(), [], workers=1)  # a model at the top budget, nothing pending
    if isinstance(searcher, KDESearcher):
        assert searcher.model_budget(2) == 9
    else:
        assert searcher._group(6, np.random.default_rng(0)) == 9
    asked = [oracle.ask() for _ in range(4)]  # four idle workers
    assert all(s is not None and s.parent_id is None for s in asked)
    rows = np.array([[s.values["x"], s.values["y"]] for s in asked if s is not None])
    return min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(rows, 2))


@pytest.mark.parametrize("seed", range(4))
def test_four_concurrent_asks_get_distinct_spread_out_configurations(seed: int) -> None:
    # measured (seeds 0-3): smallest pairwise distance 0.16, 0.29, 0.22, 0.17 in the unit
    # square; 0.022, 0.036, 0.043, 0.043 when the searcher is not told about pending jobs
    assert _four_concurrent(KDESearcher(random_fraction=0.0), seed) > 0.09
    assert _four_concurrent(_Deaf(random_fraction=0.0), seed) < 0.06
    # BOHB with a GP in the KDE's place (searcher="gp"): pending jobs and the rest of the
    # bracket enter the process at a pessimistic made-up loss
    gp, deaf = GPSearcher(random_fraction=0.0), GPSearcher(random_fraction=0.0)
    deaf._data.awaiting = lambda group, limit: ([], [])  # type: ignore[method-assign]
    # measured: 0.24, 0.37, 0.23, 0.36; with the predicted mean plus one standard deviation
    # as the made-up loss (keras-tuner's) 0.0016, 0.0074, 0.0046, 0.0008; not told: < 3e-5
    assert _four_concurrent(gp, seed) > 0.09
    assert _four_concurrent(deaf, seed) < 0.001


def test_bohb_tuner_and_asynchronous_bohb() -> None:
    def train(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, loss=(x - 0.3) ** 2 + 1 / epoch)
        return (x - 0.3) ** 2 + 1 / trial.epochs

    tuner = rung.BOHB(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=0,
                      hyperband_iterations=3, top_fraction=0.2, storage=InMemoryStorage(),
                      verbose=0)
    assert isinstance(tuner.oracle, BOHBOracle) and tuner.oracle.searcher.top_fraction == 0.2
    tuner.search()
    best = tuner.oracle.get_best_trials(1)[0].hyperparameters.values["x"]
    assert abs(best - 0.3) < 0.05

    asha = rung.ASHA(run_trial=train, objective="loss", max_epochs=9, factor=3, max_trials=40,
                     seed=0, searcher="kde", storage=InMemoryStorage(), verbose=0)
    asha.search()
    searcher = asha.oracle.searcher
    assert isinstance(searcher, KDESearcher)
    assert set(searcher._results) == set(range(1, 10))  # every report reached the model
    assert searcher.model_budget(1) == 9


def test_options_and_searcher_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="searcher=.*and the KDE options"):
        BOHBOracle(objective="loss", searcher=RandomSearcher(), top_fraction=0.3)
    # a GP given as an instance has its own random_fraction: the hint names it, not the KDE
    with pytest.raises(ConfigurationError, match=r"pass them to it \(GPSearcher\(random_fraction"):
        BOHBOracle(objective="loss", searcher=GPSearcher(), random_fraction=0.5)
    with pytest.raises(ConfigurationError, match="GPSearcher has no such options"):
        BOHBOracle(objective="loss", searcher=GPSearcher(), num_samples=8)
    # both kinds at once: each named with where it goes
    with pytest.raises(ConfigurationError, match=r"\['random_fraction'\] the searcher given has "
                       r"its own: .*; \['bandwidth_factor'\] GPSearcher has not: drop them"):
        BOHBOracle(objective="loss", searcher=GPSearcher(), random_fraction=0.5,
                   bandwidth_factor=2.0)
    # unverified_weight only weighs what a budget model learns from: refused with no model
    with pytest.raises(ConfigurationError, match="unverified_weight=1.0 with searcher='random'"):
        BOHBOracle(objective="loss", searcher="random", unverified_weight=1.0)
    BOHBOracle(objective="loss", searcher="random", min_agreement=0.5)  # brackets still use it
    with pytest.raises(ConfigurationError, match="top_fraction"):
        rung.BOHB(run_trial=lambda t: 0.0, objective="loss", top_fraction=2.0,
                  storage=InMemoryStorage())
    with pytest.raises(ConfigurationError, match="full_budget_jobs"):
        BOHBOracle(objective="loss", full_budget_jobs=0)
    assert isinstance(BOHBOracle(objective="loss", searcher="random").searcher, RandomSearcher)
    plan = BOHBOracle(objective="loss", max_epochs=9, full_budget_jobs=8).budget()
    # the full-budget bracket runs second (it measures how well the lower budgets rank)
    assert [(b.s, b.n) for b in plan.brackets] == [(2, 9), (0, 8), (1, 5)]
    assert plan.brackets[1].epochs == 8 * 9
    plan = BOHBOracle(objective="loss", max_epochs=9, min_agreement=None).budget()
    assert [(b.s, b.n) for b in plan.brackets] == [(2, 9), (1, 5), (0, 3)]
    with pytest.raises(ConfigurationError, match="min_agreement"):
        BOHBOracle(objective="loss", min_agreement=1.5)
    with pytest.raises(ConfigurationError, match="unverified_weight.*between 0 and 1, got -0.1"):
        BOHBOracle(objective="loss", unverified_weight=-0.1)
    with pytest.raises(ConfigurationError, match="unverified_weight.*between 0 and 1, got 2"):
        BOHBOracle(objective="loss", unverified_weight=2)
    # every refusal states the whole range, whichever bound or type it broke
    with pytest.raises(ArgumentTypeError, match="unverified_weight.*between 0 and 1, got None"):
        BOHBOracle(objective="loss", unverified_weight=None)
    with pytest.raises(ConfigurationError, match="top_fraction.*strictly between 0 and 1, got nan"):
        BOHBOracle(objective="loss", top_fraction=math.nan)
    with pytest.raises(ConfigurationError, match="^BOHBOracle min_agreement.*between -1 and 1, got -2"):
        BOHBOracle(objective="loss", searcher="gp", min_agreement=-2)


def _late(values: dict[str, Any]) -> bool:
    return 0.8 <= values["x"] <= 0.9


def _crossing(values: dict[str, Any], epoch: int) -> float:
    """Learning curves that cross: configurations with 0.8 <= x <= 0.9 learn slowly (worse than
    the fast ones up to about epoch 12 of 27) and end best."""
    final = (values["x"] - 0.85) ** 2 + 0.05 * (values["y"] - 0.5) ** 2
    if _late(values):
        return final + math.exp(-epoch / 6.0)
    return final + 0.03 + math.exp(-float(epoch))


def _winner_found(oracle: Oracle) -> tuple[bool, int]:
    epochs = 0
    while (s := oracle.ask()) is not None:
        for epoch in range(s.initial_epoch + 1, s.epochs + 1):
            oracle.on_report(s.trial_id, epoch, {"loss": _crossing(s.values, epoch)})
        epochs += s.epochs - s.initial_epoch
        oracle.tell(s.trial_id, {"loss": _crossing(s.values, s.epochs)})
    return _late(oracle.get_best_trials(1)[0].hyperparameters.values), epochs


def test_crossing_learning_curves_bohb_finds_the_late_winner() -> None:
    """Successive halving alone halves the late bloomers away every time; Hyperband's s=0
    bracket finds one when a random draw lands there; BOHB sees that the early epochs rank
    against max_epochs' ranking, trains full-budget jobs instead of the brackets that would
    halve on them, and models only budgets that agree with max_epochs."""
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    hp.Float("y", 0.0, 1.0)
    common = {"objective": "loss", "max_epochs": 27, "factor": 3, "hyperparameters": hp}
    found: dict[str, int] = {}
    spent: dict[str, int] = {}
    for name, make in {
        "successive halving": lambda seed: SuccessiveHalvingOracle(
            seed=seed, hyperband_iterations=9, **common),  # about the same epochs
        "hyperband": lambda seed: HyperbandOracle(seed=seed, hyperband_iterations=2, **common),
        "bohb": lambda seed: BOHBOracle(seed=seed, hyperband_iterations=2, **common),
    }.items():
        results = [_winner_found(make(seed)) for seed in range(60)]
        found[name] = sum(ok for ok, _ in results)
        spent[name] = max(epochs for _, epochs in results)
    print(found, spent)
    # measured: 0/60, 34/60, 43/60 runs end with a late bloomer as the best trial (BOHB with
    # unverified_weight=1, trusting unverified budgets fully: 45/60; with 0: 44/60); BOHB
    # spends fewer epochs (a replaced bracket trains as many full-budget jobs as fit in its
    # epochs)
    assert spent["hyperband"] == 714 and spent["successive halving"] == 729
    assert spent["bohb"] <= 714
    assert found["successive halving"] == 0
    assert found["hyperband"] <= 36
    assert found["bohb"] >= 41


def _run_jobs(oracle: Oracle, curve: Any) -> list[tuple[int | None, int, int]]:
    """Drive ``oracle`` to the end with per-epoch reports; (bracket, initial_epoch, epochs)
    of every job."""
    jobs = []
    while (s := oracle.ask()) is not None:
        for epoch in range(s.initial_epoch + 1, s.epochs + 1):
            oracle.on_report(s.trial_id, epoch, {"loss": curve(s.values["x"], epoch)})
        jobs.append((s.bracket, s.initial_epoch, s.epochs))
        oracle.tell(s.trial_id, {"loss": curve(s.values["x"], s.epochs)})
    return jobs


def test_brackets_that_would_halve_on_misleading_epochs_train_full_budget_jobs() -> None:
    """Where every epoch before 27 ranks against epoch 27's order, the brackets opened after
    the full-budget one has shown it become full-budget jobs (as many as fit in their epochs);
    where the ranking holds, BOHB runs Hyperband's plan job for job."""
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)

    def crossing(x: float, epoch: int) -> float:
        return (1 - x) + 4 * x * (math.exp(-epoch / 27) - math.exp(-1))

    def consistent(x: float, epoch: int) -> float:
        return (1 - x) + 1 / epoch

    common = {"objective": "loss", "max_epochs": 27, "factor": 3, "hyperparameters": hp,
              "hyperband_iterations": 2, "seed": 3}
    plan = BOHBOracle(**common).budget()
    jobs = _run_jobs(BOHBOracle(**common), crossing)
    first_iteration = [(p.s, r.epochs) for p in plan.brackets[:2] for r in p.rungs]
    seen = [(b, e) for b, _, e in jobs[:sum(p.jobs for p in plan.brackets[:2])]]
    assert sorted(set(seen)) == sorted(set(first_iteration))  # s=3 then s=0, as planned
    later = jobs[sum(p.jobs for p in plan.brackets[:2]):]
    assert later and all((b, i, e) == (0, 0, 27) for b, i, e in later)
    spent = sum(e - i for _, i, e in jobs)
    assert spent <= plan.epochs
    # s=2 (279 epochs with continuation at R=27: 9@3, 3@9, 1@27) -> 10 jobs of 27, and so on
    plain = _run_jobs(BOHBOracle(**common), consistent)
    assert sum(e - i for _, i, e in plain) == plan.epochs
    assert len(plain) == plan.jobs


def test_bohb_with_a_gaussian_process_in_place_of_the_kde() -> None:
    oracle = BOHBOracle(objective="loss", searcher="gp", random_fraction=0.25, min_agreement=0.5)
    gp = oracle.searcher
    assert isinstance(gp, GPSearcher) and gp.per_budget is True
    assert (gp.random_fraction, gp.min_agreement) == (0.25, 0.5)
    with pytest.raises(ConfigurationError,
                       match="searcher='gp' and the KDE options.*top_fraction.*KDE only"):
        BOHBOracle(objective="loss", searcher="gp", top_fraction=0.3)
    # every multi-fidelity oracle keeps a GP's budgets apart; a single-fidelity one has one
    assert HyperbandOracle(objective="loss", searcher="gp").searcher.per_budget is True
    assert rung.oracles.ASHAOracle(objective="loss", searcher="gp").searcher.per_budget is True
    assert rung.oracles.RandomSearchOracle(objective="loss", searcher="gp").searcher.per_budget \
        is False
    mine = GPSearcher(per_budget=False)
    assert HyperbandOracle(objective="loss", searcher=mine).searcher.per_budget is False

    def train(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        y = trial.hyperparameters.Float("y", 0.0, 1.0)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, loss=(x - 0.3) ** 2 + (y - 0.6) ** 2 + 1 / epoch)
        return (x - 0.3) ** 2 + (y - 0.6) ** 2 + 1 / trial.epochs

    tuner = rung.BOHB(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=0,
                      hyperband_iterations=3, searcher="gp", storage=InMemoryStorage(),
                      verbose=0)
    tuner.search()
    best = tuner.oracle.get_best_trials(1)[0].hyperparameters.values
    assert abs(best["x"] - 0.3) < 0.05 and abs(best["y"] - 0.6) < 0.05


@pytest.mark.parametrize("searcher", [None, "kde", "gp"])
@pytest.mark.parametrize("min_agreement", [None, 0.6])
def test_min_agreement_reaches_the_searcher_whichever_way_it_is_named(
        searcher: str | None, min_agreement: float | None) -> None:
    oracle = BOHBOracle(objective="loss", max_epochs=9, searcher=searcher,
                        min_agreement=min_agreement, hyperparameters=space())
    assert oracle.min_agreement == min_agreement
    assert oracle.searcher.min_agreement == min_agreement  # type: ignore[attr-defined]


def test_kde_options_with_searcher_kde_are_the_kdes() -> None:
    oracle = BOHBOracle(objective="loss", max_epochs=9, searcher="kde", top_fraction=0.3,
                        hyperparameters=space())
    assert isinstance(oracle.searcher, KDESearcher) and oracle.searcher.top_fraction == 0.3


def test_replaced_brackets_running_at_once_each_finish() -> None:
    """With several jobs in flight, a bracket run as full-budget jobs is live next to the
    iteration's own full-budget bracket (and other replaced ones): each keeps its own jobs, and
    the search ends with every job told and every bracket finished."""
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)

    def crossing(x: float, epoch: int) -> float:
        return (x - epoch / 9) ** 2 + 0.1 / epoch

    oracle = BOHBOracle(objective="loss", max_epochs=9, factor=3, hyperband_iterations=3,
                        seed=0, hyperparameters=hp)
    rng = np.random.default_rng(0)
    pending: list[Any] = []
    told = 0
    keys: list[list[str]] = []
    while True:
        while len(pending) < 8 and (s := oracle.ask()) is not None:
            pending.append(s)
        live = [b.key for b in oracle._live]
        keys.append(live)
        if not pending:
            break
        s = pending.pop(int(rng.integers(len(pending))))  # results arrive out of order
        for epoch in range(s.initial_epoch + 1, s.epochs + 1):
            oracle.on_report(s.trial_id, epoch, {"loss": crossing(s.values["x"], epoch)})
        oracle.tell(s.trial_id, {"loss": crossing(s.values["x"], s.epochs)})
        told += 1
    assert all(len(set(k)) == len(k) for k in keys)  # no two live brackets share a key
    # the case at stake happened: two full-budget brackets of one iteration live at once
    assert any(len([k for k in live if k.startswith(f"{i}/0")]) > 1
               for live in keys for i in range(3))
    assert oracle.stop is not None and "all 9 brackets complete" in oracle.stop.message
    assert not oracle._live and not oracle.pending and told == len(oracle._finished_trials)
