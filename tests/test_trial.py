"""``Trial.report`` after a stopping scheduler stopped the job: a training function that caught
``rung.TrialPruned`` (an ``except Exception`` around ``trial.report``) and trained on is told
so, its later reports are refused, and the job is recorded PRUNED where it was stopped, not as a
full-length COMPLETED job that the scheduler never asked for."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

import rung
from rung.trial import Trial, TrialRecord


def _swallows(trial: rung.Trial) -> float:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        with contextlib.suppress(Exception):  # the mistake: TrialPruned is an Exception too
            trial.report(epoch, loss=x + 1 / epoch)
    return x


def test_a_report_after_the_stop_raises_again_and_is_not_stored() -> None:
    sent: list[int] = []

    def reporter(trial_id: str, epoch: int, metrics: dict[str, float]) -> bool:
        sent.append(epoch)
        return epoch < 2  # the scheduler stops the job at epoch 2

    record = TrialRecord("00003", {}, initial_epoch=0, epochs=5)
    trial = Trial(record, rung.HyperParameters(), reporter=reporter)
    trial.report(1, loss=1.0)
    with pytest.raises(rung.TrialPruned):
        trial.report(2, loss=0.9)
    with pytest.warns(RuntimeWarning, match=r"trial 00003 was stopped at epoch 2 .* epoch 3"), \
            pytest.raises(rung.TrialPruned, match="stopped at epoch 2"):
        trial.report(3, loss=0.8)
    with pytest.raises(rung.TrialPruned):
        trial.report(4, loss=0.7)
    assert sent == [1, 2] and [e for e, _ in trial.reported] == [1, 2]
    assert trial.last_reported() == {"loss": 0.9}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_job_that_swallowed_its_stop_is_recorded_pruned(tmp_path: Path, workers: int) -> None:
    tuner = rung.ASHA(run_trial=_swallows, objective="loss", max_epochs=9, factor=3,
                      max_trials=6, mode="stopping", seed=0, directory=str(tmp_path),
                      project_name="swallow", verbose=0)
    # worker processes print their warning on their own stderr
    caught = pytest.warns(RuntimeWarning, match="caught TrialPruned")
    with caught if workers == 1 else contextlib.nullcontext():
        tuner.search(workers=workers)
    records = list(tuner.storage.trials())
    pruned = [r for r in records if r.status is rung.TrialStatus.PRUNED]
    assert pruned, "the seed stops some jobs"
    for r in pruned:  # stopped at a milestone, nothing stored past it
        reported = [e for e, _ in tuner.storage.epoch_metrics(r.trial_id)]
        assert r.epochs_reached in (1, 3) and reported == list(range(1, r.epochs_reached + 1))



def test_a_reported_one_element_tensor_or_array_is_its_element_without_a_warning() -> None:
    import warnings

    import numpy as np
    import torch
    trial = Trial(TrialRecord(trial_id="00000", values={}, epochs=3), rung.HyperParameters())
    loss = torch.tensor(0.5, requires_grad=True) * 2  # a loss still attached to its graph
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch warns when float() converts such a tensor
        trial.report(1, loss=loss, acc=np.array([0.25]), n=np.int64(3))
    assert trial.reported == [(1, {"loss": 1.0, "acc": 0.25, "n": 3.0})]
    for bad in (np.array([1.0, 2.0]), torch.ones(2), "0.5", None, True, np.bool_(False)):
        with pytest.raises(TypeError, match="metric 'loss' must be a number"):
            trial.report(2, loss=bad)
