"""``search(reproducible=True)`` on Dask and Ray: the very search of the simulated cluster with
the same number of slots (reports come back with results there, and stop rules travel with the
job; local processes: ``tests/tuner/test_reproducible.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import rung_test_jobs as jobs

import rung
from rung.executors import DaskExecutor, RayExecutor, SimulatedExecutor


def tuner(tmp_path: Path, algorithm: str, name: str) -> rung.tuner.BaseTuner:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)  # declared up front: every slot starts at once
    run_trial = jobs.stopping if algorithm == "asha-stopping" else jobs.train
    common: dict[str, Any] = dict(run_trial=run_trial, objective="val_loss", max_epochs=9,
                                  seed=4, hyperparameters=hp, directory=tmp_path,
                                  project_name=name, verbose=0)
    if algorithm == "bohb":
        return rung.BOHB(factor=3, hyperband_iterations=1, min_points=3, **common)
    return rung.ASHA(factor=3, max_trials=12, mode=algorithm.split("-")[1], **common)


def trials(t: rung.tuner.BaseTuner) -> list[tuple[Any, ...]]:
    return [(r.trial_id, r.parent_id, r.values, r.status, r.loss, r.epochs_reached,
             t.storage.epoch_metrics(r.trial_id)) for r in t.storage.trials()]


@pytest.mark.parametrize("kind", ["dask", "ray"])
@pytest.mark.parametrize("algorithm", ["asha-promotion", "asha-stopping", "bohb"])
def test_a_reproducible_search_is_the_simulated_one(tmp_path: Path, kind: str, algorithm: str,
                                                    request: pytest.FixtureRequest) -> None:
    if kind == "dask":
        executor: Any = DaskExecutor(request.getfixturevalue("dask_client"), slots=4)
    else:
        request.getfixturevalue("ray_session")
        executor = RayExecutor(slots=4)
    remote = tuner(tmp_path, algorithm, kind)
    remote.search(executor=executor, reproducible=True)
    simulated = tuner(tmp_path, algorithm, "simulated")
    sim = SimulatedExecutor(4, curve=jobs.curve, epoch_seconds=lambda v: 1.0 + 10.0 * v["x"])
    simulated.search(executor=sim, reproducible=True)
    assert trials(remote) == trials(simulated)
    assert any(r.parent_id for r in remote.storage.trials()) or any(
        r.status is rung.TrialStatus.PRUNED for r in remote.storage.trials())
