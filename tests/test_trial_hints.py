"""A rung ``Trial`` used the way an Optuna user would (``trial.report(value, step)``,
``trial.suggest_float``) says what rung expects, instead of Python's bare errors."""

from __future__ import annotations

import copy
import pickle
import warnings
from pathlib import Path

import pytest

import rung
from rung.trial import Trial, TrialRecord


def _trial() -> Trial:
    return Trial(TrialRecord("00001", {}, initial_epoch=0, epochs=3), rung.HyperParameters())


def test_metrics_given_by_position_are_named_with_the_keyword_form() -> None:
    trial = _trial()
    with pytest.raises(TypeError, match=(
            r"trial.report\(epoch, \*\*metrics\) takes the metrics as keywords named after "
            r"them, got trial.report\(0.25, 1\).*Optuna's trial.report\(value, step\) is "
            r"trial.report\(step, <metric name>=value\)")):
        trial.report(0.25, 1)  # type: ignore[arg-type]  # Optuna's order
    with pytest.raises(TypeError, match=r"unpack the dict: trial.report\(2, \*\*metrics\)"):
        trial.report(2, {"loss": 0.5})
    assert trial.reported == []  # nothing stored
    trial.report(1, loss=0.5)
    assert trial.reported == [(1, {"loss": 0.5})]


def test_an_optuna_method_points_to_rungs_way_and_other_names_fail_as_before() -> None:
    trial = _trial()
    with pytest.raises(AttributeError, match=(
            r"'Trial' object has no attribute 'suggest_float': rung declares hyperparameters "
            r"define-by-run with trial.hyperparameters.Float\(name, min_value, max_value, "
            r"sampling='log'\)")):
        trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    with pytest.raises(AttributeError, match="should_prune.*raises rung.TrialPruned itself"):
        trial.should_prune()
    with pytest.raises(AttributeError, match=r"^'Trial' object has no attribute 'nope'$"):
        trial.nope  # noqa: B018
    assert not hasattr(trial, "suggest_int") and getattr(trial, "nope", None) is None
    assert pickle.loads(pickle.dumps(trial)).trial_id == copy.copy(trial).trial_id == "00001"


def test_a_search_reports_the_hint_as_the_failure_of_the_trial(tmp_path: Path) -> None:
    def train(trial: rung.Trial) -> None:
        lr = trial.hyperparameters.Float("lr", 1e-4, 1e-1)
        trial.report(lr, 1)  # type: ignore[arg-type]

    tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=3, factor=3,
                           directory=tmp_path, project_name="p", verbose=0)
    with pytest.raises(rung.errors.TooManyFailedTrialsError, match="takes the metrics as keywords"):
        tuner.search()


def test_load_checkpoint_of_a_parent_that_wrote_only_its_own_files_warns_naming_them(
        tmp_path: Path) -> None:
    """A parent saved with rung.integrations.torch.save (or its own files) and the child calls
    trial.load_checkpoint(): None, which trained the child from scratch without a word (only a
    missing directory warned)."""
    from rung.checkpoints import CheckpointStore

    store = CheckpointStore(tmp_path)
    (store.directory("a") / "torch_checkpoint.pt").write_bytes(b"weights")
    (store.directory("a") / "torch_checkpoint.pt.sha256").write_text("0" * 64)
    store.directory("b")  # a parent whose directory exists and is empty: nothing to say
    record = TrialRecord("c", {}, initial_epoch=1, epochs=3, parent_id="a")
    child = Trial(record, rung.HyperParameters(), checkpoints=store)
    with pytest.warns(RuntimeWarning, match=(
            r"trial c continues trial a from epoch 1, but load_checkpoint\(\) returns None: "
            r"trial a saved nothing with trial.save_checkpoint\(obj\), only files of its own "
            r"\(torch_checkpoint.pt\): read them from trial.parent_checkpoint_dir; "
            r"rung.integrations.torch.restore")):
        assert child.load_checkpoint() is None
    quiet = Trial(TrialRecord("d", {}, initial_epoch=1, epochs=3, parent_id="b"),
                  rung.HyperParameters(), checkpoints=store)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert quiet.load_checkpoint() is None
