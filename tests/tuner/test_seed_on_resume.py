"""docs/training-functions.md: ``seed`` is not compared on resume, and another seed changes
nothing in an existing project (the search goes on from its stored random state)."""

from __future__ import annotations

from pathlib import Path

import rung


def _train(trial: rung.Trial) -> None:
    lr = trial.hyperparameters.Float("lr", 1e-4, 1.0, sampling="log")
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, loss=lr / epoch)


def _values(tmp_path: Path, name: str, resumed_seed: int) -> list[dict[str, object]]:
    def tuner(seed: int) -> rung.Hyperband:
        return rung.Hyperband(run_trial=_train, objective="loss", max_epochs=9, factor=3,
                              seed=seed, directory=tmp_path, project_name=name, verbose=0)

    tuner(5).search(max_epochs_total=10)  # stops part-way
    resumed = tuner(resumed_seed)
    resumed.search()
    return [t.values for t in resumed.storage.trials()]


def test_another_seed_on_resume_draws_what_the_stored_search_would_have(tmp_path: Path) -> None:
    same, other = _values(tmp_path, "same", 5), _values(tmp_path, "other", 6)
    assert len(same) == 22 and same == other
