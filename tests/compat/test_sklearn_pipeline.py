"""``kt.SklearnTuner`` on a pipeline whose final estimator takes no ``sample_weight``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import neighbors, pipeline, preprocessing  # noqa: E402

import rung as kt  # noqa: E402


def build(hp: Any) -> pipeline.Pipeline:
    knn = neighbors.KNeighborsClassifier(n_neighbors=hp.Int("k", 1, 5))
    return pipeline.Pipeline([("scale", preprocessing.StandardScaler()), ("knn", knn)])


def test_weights_weigh_the_scores_when_the_model_cannot_take_them(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x, y = rng.uniform(size=(60, 3)), rng.integers(0, 2, 60)
    tuner = kt.SklearnTuner(
        oracle=kt.oracles.RandomSearchOracle(objective=kt.Objective("score", "max"),
                                             max_trials=3, seed=0),
        hypermodel=build, directory=tmp_path, verbose=0)
    with pytest.warns(UserWarning, match="KNeighborsClassifier.fit takes no sample_weight"):
        tuner.search(x, y, sample_weight=rng.uniform(0.1, 1, size=60))
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 3 and all(0.0 <= t.score <= 1.0 for t in trials)
