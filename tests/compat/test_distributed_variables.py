"""keras.io's "Distributed hyperparameter tuning" guide run unchanged: the same script started as
keras-tuner's chief and workers, told apart by ``KERASTUNER_TUNER_ID``,
``KERASTUNER_ORACLE_IP`` and ``KERASTUNER_ORACLE_PORT``. rung does not distribute that way, and
says so when the tuner is made (docs/keras-tuner.md, "Multi-GPU machines")."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import rung as kt
from rung.integrations.keras import DistributionNotice


class QuadraticTuner(kt.RandomSearch):
    """The guide's "tune anything" tuner: no model, a number per trial."""

    def run_trial(self, trial, *args, **kwargs):
        return (trial.hyperparameters.Float("x", -1.0, 1.0) - 0.5) ** 2


def _make(tmp_path: Path, **kwargs) -> QuadraticTuner:
    return QuadraticTuner(max_trials=2, directory=tmp_path, project_name="dist", verbose=0,
                          **kwargs)


@pytest.mark.parametrize("tuner_id", ["chief", "tuner0"])
def test_keras_tuner_chief_worker_variables_are_explained(tmp_path, monkeypatch, tuner_id):
    monkeypatch.setenv("KERASTUNER_TUNER_ID", tuner_id)
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "127.0.0.1")
    monkeypatch.setenv("KERASTUNER_ORACLE_PORT", "8000")
    with pytest.warns(DistributionNotice) as caught:
        tuner = _make(tmp_path)
    (notice,) = caught.list
    message = str(notice.message)
    assert "KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT set" in message
    assert f"tuner_id {tuner_id!r}" in message
    assert "ProjectInUseError" in message and "workers=N" in message
    assert notice.filename == __file__  # points at the line that made the tuner
    assert tuner.tuner_id == tuner_id  # keras-tuner's default: KERASTUNER_TUNER_ID
    tuner.search()  # this process runs the whole search, as the notice says
    assert len(tuner.oracle.trials) == 2


def test_no_notice_without_the_oracle_variables(tmp_path, monkeypatch):
    for name in ("KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KERASTUNER_TUNER_ID", "tuner3")  # names the tuner, nothing more
    with warnings.catch_warnings():
        warnings.simplefilter("error", DistributionNotice)
        tuner = _make(tmp_path)
    assert tuner.tuner_id == "tuner3"
    assert _make(tmp_path, tuner_id="mine", overwrite=True).tuner_id == "mine"


def test_sklearn_tuner_takes_the_tuner_id_and_explains_the_variables(tmp_path, monkeypatch):
    # SklearnTuner had no tuner_id (keras-tuner's BaseTuner sets it from KERASTUNER_TUNER_ID)
    # and ran silently as every "worker" of the guide's script; nor did it take `logger`
    from sklearn.linear_model import LogisticRegression

    monkeypatch.setenv("KERASTUNER_TUNER_ID", "tuner1")
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "127.0.0.1")
    monkeypatch.setenv("KERASTUNER_ORACLE_PORT", "8000")
    oracle = kt.oracles.RandomSearchOracle(objective=kt.Objective("score", "max"), max_trials=2)
    build = lambda hp: LogisticRegression(C=hp.Float("C", 0.1, 1))  # noqa: E731
    with (pytest.warns(DistributionNotice, match="tuner_id 'tuner1'") as caught,
          pytest.warns(DeprecationWarning, match="logger")):
        tuner = kt.SklearnTuner(oracle, build, directory=tmp_path, logger=object())
    assert caught.list[0].filename == __file__
    assert tuner.tuner_id == "tuner1"
