"""A project whose stored trials all failed: a clear message on resume, and retry_failed=True."""

from __future__ import annotations

from pathlib import Path

import pytest

import rung
from rung.errors import ConfigurationError, TooManyFailedTrialsError
from rung.storage import InMemoryStorage


def broken(trial: rung.Trial) -> float:
    trial.hyperparameters.Float("x", 0.0, 1.0)
    raise ValueError("bug in the training function")


def fixed(trial: rung.Trial) -> float:
    return trial.hyperparameters.Float("x", 0.0, 1.0)


def make(tmp_path: Path, run_trial, **kwargs) -> rung.RandomSearch:
    return rung.RandomSearch(run_trial=run_trial, objective="loss", max_trials=3, seed=4,
                             directory=tmp_path, project_name="p", verbose=0, **kwargs)


def failed_project(tmp_path: Path, **kwargs) -> None:
    with pytest.raises(TooManyFailedTrialsError):
        make(tmp_path, broken, **kwargs).search()


def test_resuming_a_project_whose_trials_all_failed_says_so_and_how_to_go_on(
    tmp_path: Path, capsys
) -> None:
    failed_project(tmp_path)
    tuner = make(tmp_path, fixed)
    with pytest.raises(TooManyFailedTrialsError) as error:
        tuner.search()
    text = str(error.value)
    assert "its 3 stored trials all failed" in text
    assert "bug in the training function" in text  # the last error
    assert "retry_failed=True" in text and "overwrite=True" in text
    assert "max_trials=3 reached" not in capsys.readouterr().out


@pytest.mark.parametrize("storage", ["sqlite", "memory"])
def test_retry_failed_starts_the_search_over_with_the_same_configurations(
    tmp_path: Path, storage: str
) -> None:
    kwargs = {"storage": InMemoryStorage()} if storage == "memory" else {}
    reference = make(tmp_path / "ref", fixed, storage=InMemoryStorage())
    reference.search()
    expected = [(t.trial_id, t.values) for t in reference.storage.trials()]

    failed_project(tmp_path, **kwargs)
    tuner = make(tmp_path, fixed, **kwargs)  # the bug is fixed; the same project
    tuner.search(retry_failed=True)
    got = [(t.trial_id, t.values) for t in tuner.storage.trials()]
    assert got == expected
    assert all(t.status is rung.TrialStatus.COMPLETED for t in tuner.storage.trials())
    assert tuner.storage.failures() == []
    assert len(tuner.get_best_hyperparameters(1)) == 1


def test_retry_failed_leaves_a_project_with_completed_trials_alone(tmp_path: Path) -> None:
    calls: list[str] = []

    def first_fails(trial: rung.Trial) -> float:
        calls.append(trial.trial_id)
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        if len(calls) == 1:
            raise rung.FailedTrialError("one bad configuration")
        return x

    make(tmp_path, first_fails).search()
    tuner = make(tmp_path, fixed)
    with pytest.raises(ConfigurationError, match="2 completed and 1 failed trials"):
        tuner.search(retry_failed=True)
    assert tuner.storage.count_trials() == 3  # nothing was cleared
    with pytest.raises(TypeError, match="retry_failed must be True or False, got 'yes'"):
        tuner.search(retry_failed="yes")


def test_retry_failed_without_failures_resumes_as_usual(tmp_path: Path) -> None:
    make(tmp_path, fixed).search()
    calls: list[str] = []

    def spy(trial: rung.Trial) -> float:
        calls.append(trial.trial_id)
        return fixed(trial)

    make(tmp_path, spy).search(retry_failed=True)
    assert calls == []


def test_the_error_of_failures_in_a_row_says_how_to_go_on(tmp_path: Path) -> None:
    with pytest.raises(TooManyFailedTrialsError) as error:
        make(tmp_path / "none", broken).search()
    assert "retry_failed=True" in str(error.value)  # nothing completed: start over

    calls = []

    def breaks_after_one(trial: rung.Trial) -> float:
        calls.append(1)
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        if len(calls) > 1:
            raise ValueError("broke later")
        return x

    with pytest.raises(TooManyFailedTrialsError) as error:
        rung.RandomSearch(run_trial=breaks_after_one, objective="loss", max_trials=9, seed=4,
                          directory=tmp_path, project_name="some", verbose=0).search()
    text = str(error.value)
    assert "the search resumes" in text and "search(retry_failed" not in text


def test_the_resume_line_counts_the_failed_jobs(tmp_path: Path, capsys) -> None:
    failed_project(tmp_path)
    capsys.readouterr()
    tuner = rung.RandomSearch(run_trial=fixed, objective="loss", max_trials=3, seed=4,
                              directory=tmp_path, project_name="p", verbose=1)
    with pytest.raises(TooManyFailedTrialsError):
        tuner.search()
    out = capsys.readouterr()
    assert ("nothing left to run: 3 of 3 jobs already finished (all failed: "
            "search(retry_failed=True)") in out.out + out.err
