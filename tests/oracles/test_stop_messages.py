"""The stop reasons count what the search tried, in words that agree with the count."""

from __future__ import annotations

import pytest

import rung
from rung.storage import InMemoryStorage


def _bool_train(trial: rung.Trial) -> float:
    b = trial.hyperparameters.Boolean("b")
    for epoch in range(trial.initial_epoch + 1, (trial.epochs or 0) + 1):
        trial.report(epoch, loss=float(b) + 1 / epoch)
    return float(b) + 1 / (trial.epochs or 1)


def _fixed_train(trial: rung.Trial) -> float:
    trial.hyperparameters.Choice("only", ["one"])
    for epoch in range(trial.initial_epoch + 1, (trial.epochs or 0) + 1):
        trial.report(epoch, loss=1 / epoch)
    return 1.0


def _search(cls: type, train, tmp_path, declared: bool, **kwargs) -> str:
    hp = None
    if declared:
        hp = rung.HyperParameters()
        hp.Boolean("b")
    tuner = cls(run_trial=train, objective="loss", seed=0, hyperparameters=hp,
                directory=tmp_path, storage=InMemoryStorage(), verbose=0, **kwargs)
    tuner.search()
    return tuner.oracle.stop_reason


@pytest.mark.parametrize("declared", [False, True], ids=["define-by-run", "declared"])
@pytest.mark.parametrize("cls", [rung.RandomSearch, rung.BayesianOptimization])
def test_an_exhausted_space_counts_its_configurations_once(tmp_path, cls, declared) -> None:
    # define-by-run: the first job is asked with {} and comes back as {"b": ...}; {} is not a
    # third configuration
    reason = _search(cls, _bool_train, tmp_path, declared, max_trials=5)
    assert reason == "search space exhausted after 2 distinct configurations"


@pytest.mark.parametrize("mode", ["promotion", "stopping"])
def test_asha_counts_distinct_configurations_in_the_singular_too(tmp_path, mode) -> None:
    reason = _search(rung.ASHA, _fixed_train, tmp_path, False, max_epochs=3, max_trials=5,
                     mode=mode)
    assert reason.startswith("search space exhausted after 1 distinct configuration")
    assert "configurations" not in reason
    two = _search(rung.ASHA, _bool_train, tmp_path / "two", False, max_epochs=3, max_trials=5,
                  mode=mode)
    assert two.startswith("search space exhausted after 2 distinct configurations")


def test_asha_says_max_trials_in_the_singular_too(tmp_path) -> None:
    reason = _search(rung.ASHA, _bool_train, tmp_path, True, max_epochs=3, max_trials=1)
    assert reason == "1 configuration started (max_trials=1); no promotion left"


def test_asha_resumed_with_a_lower_max_trials_counts_what_started() -> None:
    import json

    from rung.oracles import ASHAOracle

    def make(max_trials: int) -> ASHAOracle:
        hp = rung.HyperParameters()
        hp.Float("x", 0.0, 1.0)
        return ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=max_trials,
                          seed=0, hyperparameters=hp)

    oracle = make(30)
    started = 0
    while started < 30:  # all 30 configurations started, some promoted
        s = oracle.ask()
        started += s.parent_id is None
        oracle.tell(s.trial_id, s.values["x"] + 1 / s.epochs)
    resumed = make(10)
    resumed.load_state_dict(json.loads(json.dumps(oracle.state_dict())), oracle.records)
    while (s := resumed.ask()) is not None:
        resumed.tell(s.trial_id, s.values["x"] + 1 / s.epochs)
    assert resumed.stop_reason == "30 configurations started (max_trials=10); no promotion left"


def test_a_grid_of_one_point_says_one_trial(tmp_path) -> None:
    reason = _search(rung.GridSearch, _fixed_train, tmp_path, False)
    assert reason == "grid exhausted after 1 trial"
