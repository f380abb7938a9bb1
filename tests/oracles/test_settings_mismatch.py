"""A project resumed with other settings: the error names what changed, and only that."""

from __future__ import annotations

import json
import re

import pytest

import rung
from rung.errors import ConfigurationError, ProjectMismatchError
from rung.oracles import ASHAOracle, BOHBOracle


def _train(trial: rung.Trial) -> float:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, loss=x + 1 / epoch)
    return x + 1 / trial.epochs


def _asha(tmp_path, **kwargs) -> rung.ASHA:
    args = {"max_epochs": 3, "max_trials": 3, "seed": 0, "searcher": "kde", **kwargs}
    return rung.ASHA(run_trial=_train, objective="loss", directory=tmp_path, project_name="p",
                     verbose=0, **args)


@pytest.mark.parametrize(("searcher", "name"), [("gp", "GPSearcher"),
                                                ("random", "RandomSearcher")])
def test_another_searcher_is_named_without_either_searchers_options(
        tmp_path, searcher: str, name: str) -> None:
    _asha(tmp_path).search()
    with pytest.raises(ProjectMismatchError) as caught:
        _asha(tmp_path, searcher=searcher)
    message = str(caught.value)
    assert f"(searcher: stored 'KDESearcher', now '{name}')" in message
    assert "searcher_options" not in message


def test_an_option_of_the_same_searcher_is_named_alone(tmp_path) -> None:
    _asha(tmp_path).search()
    with pytest.raises(ProjectMismatchError,
                       match=re.escape("(searcher_options.top_fraction: stored 0.15, now 0.3)")):
        _asha(tmp_path, searcher=rung.searchers.KDESearcher(top_fraction=0.3))


def test_an_oracle_option_its_searcher_also_holds_is_named_once() -> None:
    # BOHB passes min_agreement on to its KDE: one change, one entry
    state = json.loads(json.dumps(BOHBOracle(objective="loss", max_epochs=9, seed=0).state_dict()))
    other = BOHBOracle(objective="loss", max_epochs=9, seed=0, min_agreement=None)
    with pytest.raises(ConfigurationError) as caught:
        other.load_state_dict(state)
    assert "(min_agreement: state 0.3, this oracle None)" in str(caught.value)


def test_a_state_loaded_into_an_oracle_with_another_searcher_names_the_searcher() -> None:
    state = json.loads(json.dumps(ASHAOracle(objective="loss", max_epochs=9, seed=0,
                                             searcher="kde").state_dict()))
    with pytest.raises(ConfigurationError) as caught:
        ASHAOracle(objective="loss", max_epochs=9, seed=0, searcher="gp").load_state_dict(state)
    assert "(searcher: state 'KDESearcher', this oracle 'GPSearcher')" in str(caught.value)
