"""Where a project lives and what ``overwrite=True`` may delete (``rung.tuner.project``): a
``project_name`` that is not one plain folder, or a directory that holds no project, is refused
before anything is written or deleted."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import rung
from rung.errors import ConfigurationError, ProjectError
from rung.storage import InMemoryStorage


def train(trial: rung.Trial) -> float:
    return trial.hyperparameters.Float("x", 0.0, 1.0)


def build(hp: rung.HyperParameters) -> Any:  # a hypermodel: never built, the name is refused first
    raise AssertionError("not reached")


TUNERS: dict[str, Callable[..., Any]] = {
    "hyperband": lambda **kw: rung.Hyperband(run_trial=train, objective="loss", max_epochs=3,
                                             **kw),
    "random": lambda **kw: rung.RandomSearch(run_trial=train, objective="loss", max_trials=2,
                                             **kw),
    "grid": lambda **kw: rung.GridSearch(run_trial=train, objective="loss", **kw),
    "asha": lambda **kw: rung.ASHA(run_trial=train, objective="loss", max_epochs=3, **kw),
    "bohb": lambda **kw: rung.BOHB(run_trial=train, objective="loss", max_epochs=3, **kw),
    "bayesian": lambda **kw: rung.BayesianOptimization(run_trial=train, objective="loss",
                                                       max_trials=2, **kw),
    "tuner": lambda **kw: rung.Tuner(rung.oracles.RandomSearchOracle(objective="loss"),
                                     run_trial=train, **kw),
    "keras-hypermodel": lambda **kw: rung.RandomSearch(build, objective="loss", max_trials=2,
                                                       **kw),
}


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def nest(tmp_path: Path) -> Path:
    """``tmp/a/b`` with files in ``a`` and ``b``: ``project_name="."`` names ``b``, ``".."``
    names ``a``."""
    inner = tmp_path / "a" / "b"
    (inner / "stuff").mkdir(parents=True)
    (tmp_path / "a" / "precious.txt").write_text("keep")
    (inner / "mine.py").write_text("print('mine')")
    (inner / "stuff" / "keep.txt").write_text("keep")
    return inner


@pytest.mark.parametrize("name", [".", "..", "", "a/b", "../escape", f"x{os.sep}y", "x\0y"])
@pytest.mark.parametrize("make", TUNERS.values(), ids=TUNERS.keys())
def test_a_project_name_that_is_not_one_folder_is_refused_before_anything_is_touched(
        nest: Path, name: str, make: Callable[..., Any]) -> None:
    before = tree(nest.parents[1])
    with pytest.raises(ConfigurationError) as caught:
        make(directory=nest, project_name=name, overwrite=True, verbose=0)
    message = str(caught.value)
    assert "project_name must be a plain folder name: non-empty, not '.' or '..'" in message
    assert f"got {name!r}" in message
    assert tree(nest.parents[1]) == before  # nothing deleted, nothing written


def test_a_hand_driven_oracle_checks_the_project_name_and_what_it_deletes(nest: Path) -> None:
    """keras-tuner's ``oracle._set_project_dir(directory, project_name, overwrite)``."""
    before = tree(nest.parents[1])
    oracle = rung.oracles.RandomSearchOracle(objective="loss", max_trials=2)
    with pytest.raises(ConfigurationError, match=r"project_name must be .*got '\.\.'"):
        oracle._set_project_dir(nest, "..", overwrite=True)
    with pytest.raises(ProjectError, match="holds no rung project"):
        oracle._set_project_dir(nest.parent, "b", overwrite=True)
    assert tree(nest.parents[1]) == before


def test_overwrite_refuses_a_directory_that_holds_no_project(tmp_path: Path) -> None:
    """The reviewer's case: ``project_name="src"`` names a source folder."""
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "code.py").write_text("x = 1")
    before = tree(tmp_path)
    with pytest.raises(ProjectError) as caught:
        rung.Hyperband(run_trial=train, objective="loss", max_epochs=3, verbose=0,
                       directory=tmp_path, project_name="src", overwrite=True)
    message = str(caught.value)
    assert str(tmp_path / "src") in message
    assert "holds no rung project (no rung.db) nor keras-tuner project (no oracle.json)" in message
    assert "'code.py', 'pkg'" in message and "nothing was deleted" in message
    assert tree(tmp_path) == before


@pytest.mark.parametrize("kind", ["file", "link"])
def test_overwrite_refuses_a_file_or_a_link_in_the_projects_place(tmp_path: Path,
                                                                  kind: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    rung.RandomSearch(run_trial=train, objective="loss", max_trials=1, verbose=0,
                      directory=tmp_path, project_name="elsewhere").search()
    if kind == "file":
        (tmp_path / "p").write_text("notes")
    else:
        (tmp_path / "p").symlink_to(elsewhere, target_is_directory=True)
    before = tree(tmp_path)
    why = "is a file" if kind == "file" else "is a symbolic link"
    with pytest.raises(ProjectError, match=f"{why}.*nothing was deleted"):
        rung.RandomSearch(run_trial=train, objective="loss", max_trials=1, verbose=0,
                          directory=tmp_path, project_name="p", overwrite=True)
    assert tree(tmp_path) == before
    assert (elsewhere / "rung.db").is_file()


def _keras_tuner_project(folder: Path) -> None:
    (folder / "trial_0").mkdir(parents=True)
    (folder / "oracle.json").write_text("{}")
    (folder / "trial_0" / "trial.json").write_text("{}")


@pytest.mark.parametrize("holds", ["rung", "keras-tuner", "nothing", "checkpoints only"])
def test_overwrite_deletes_a_project_and_starts_afresh(tmp_path: Path, holds: str) -> None:
    project = tmp_path / "p"
    storage = None
    if holds == "rung":
        first = rung.RandomSearch(run_trial=train, objective="loss", max_trials=2, verbose=0,
                                  directory=tmp_path, project_name="p")
        first.search()
        first.storage.close()
        (project / "notes.txt").write_text("a project directory is rung's")
    elif holds == "keras-tuner":
        _keras_tuner_project(project)  # keras-tuner's own overwrite deletes it too
    elif holds == "nothing":
        project.mkdir()
    else:  # a project whose storage is elsewhere leaves only its checkpoints here
        (project / "trials" / "00000").mkdir(parents=True)
        storage = InMemoryStorage()
    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=2, verbose=0,
                              directory=tmp_path, project_name="p", overwrite=True,
                              storage=storage)
    assert tuner.storage.count_trials() == 0
    assert not (project / "notes.txt").exists() and not (project / "oracle.json").exists()
    assert not (project / "trials" / "00000").exists()
    tuner.search()
    assert tuner.storage.count_trials() == 2


def _lr_from(trial: rung.Trial, low: float) -> float:
    return trial.hyperparameters.Float("lr", low, 0.1, sampling="log")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_range_changed_in_the_training_function_on_resume_stops_at_once_and_loses_nothing(
        tmp_path: Path, workers: int) -> None:
    def tuner(trials: int) -> rung.RandomSearch:
        return rung.RandomSearch(run_trial=_lr_from, objective="loss", max_trials=trials,
                                 seed=0, directory=tmp_path, project_name="p", verbose=0)

    tuner(6).search(1e-4, workers=workers)
    wider = tuner(12)
    with pytest.raises(rung.errors.SearchSpaceConflictError) as error:
        wider.search(1e-6, workers=workers)  # the range widened in the code, search resumed
    text = str(error.value)
    assert "already defined as" in text and "earlier run of the same project" in text
    assert "overwrite=True" in text
    # the code's mistake is not the configurations': no trial is failed for it
    assert wider.storage.count_trials(rung.TrialStatus.FAILED) == 0
    assert wider.storage.count_trials(rung.TrialStatus.COMPLETED) == 6
    wider.storage.close()
    fixed = tuner(12)  # the range as before: the stopped job runs, nothing is repeated
    fixed.search(1e-4, workers=workers)
    assert fixed.storage.count_trials(rung.TrialStatus.COMPLETED) == 12
    assert fixed.storage.count_trials() == 12


def test_a_hyperparameter_added_on_resume_is_not_written_into_earlier_trials(
        tmp_path: Path) -> None:
    def train(extra: bool) -> Any:
        def run(trial: rung.Trial) -> float:
            hp = trial.hyperparameters
            units = hp.Int("units", 8, 64, step=8)
            if extra and hp.Boolean("extra_layer", default=True):
                units += 1
            return 1.0 / units
        return run

    def tuner(extra: bool, trials: int) -> rung.RandomSearch:
        return rung.RandomSearch(run_trial=train(extra), objective="loss", max_trials=trials,
                                 seed=1, directory=tmp_path, project_name="p", verbose=0)

    tuner(False, 3).search()
    later = tuner(True, 6)  # the code gained a hyperparameter; the search resumed
    later.search()
    trials = sorted(later.oracle.trials.values(), key=lambda t: t.trial_id)
    assert [sorted(t.hyperparameters.values) for t in trials] == (
        [["units"]] * 3 + [["extra_layer", "units"]] * 3)
    best_old = min(trials[:3], key=lambda t: t.score)
    shown = {t.trial_id: t.hyperparameters.values for t in later.oracle.get_best_trials(6)}
    assert shown[best_old.trial_id] == {"units": best_old.hyperparameters["units"]}


def test_rebuilding_an_earlier_trial_with_code_that_gained_hyperparameters(
        tmp_path: Path) -> None:
    def declare(hp: rung.HyperParameters, extra: bool) -> dict[str, Any]:
        used = {"units": hp.Int("units", 8, 64, step=8)}
        if extra:
            used["extra"] = hp.Boolean("extra", default=True)
            with hp.conditional_scope("extra", [True]):
                if used["extra"]:
                    used["k"] = hp.Int("k", 8, 32, step=8)
        return used

    def tuner(extra: bool, trials: int) -> rung.RandomSearch:
        return rung.RandomSearch(
            run_trial=lambda trial: 1.0 / declare(trial.hyperparameters, extra)["units"],
            objective="loss", max_trials=trials, seed=1, directory=tmp_path,
            project_name="p", verbose=0)

    tuner(False, 3).search()
    later = tuner(True, 5)
    later.search()
    old = min((t for t in later.oracle.trials.values() if "extra" not in t.hyperparameters.values),
              key=lambda t: t.score)
    hp = old.hyperparameters  # as it ran: no extra, no k
    rebuilt = declare(hp, extra=True)  # tuner.hypermodel.build(best_hp) with the new code
    assert rebuilt == {"units": old.hyperparameters["units"], "extra": True, "k": 8}
    assert hp["extra"] is True and hp.values == rebuilt


def wander(trial: rung.Trial, elsewhere: str) -> float:
    """Changes the working directory, as some training code does, then continues from the
    parent's checkpoint and saves its own."""
    os.chdir(elsewhere)
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    done = trial.load_checkpoint() or 0
    assert done == trial.initial_epoch
    trial.save_checkpoint(trial.epochs)
    return x + 1.0 / trial.epochs


def test_a_relative_directory_is_fixed_when_the_tuner_is_made(tmp_path: Path,
                                                              monkeypatch) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(home)
    tuner = rung.Hyperband(run_trial=wander, objective="loss", max_epochs=9, factor=3, seed=0,
                           directory="runs", project_name="p", verbose=0)
    assert tuner.project_dir == Path.cwd() / "runs" / "p"
    monkeypatch.chdir(tmp_path)  # the script moves after making the tuner
    tuner.search(str(elsewhere))  # each job moves to elsewhere; promoted ones find their parent
    assert Path.cwd() == tmp_path.resolve()  # each job's chdir is undone when it ends
    trials = tuner.storage.trials()
    assert any(t.parent_id for t in trials) and all(t.status.value == "COMPLETED" for t in trials)
    assert (home / "runs" / "p" / "rung.db").exists()
    assert not (elsewhere / "runs").exists() and not (tmp_path / "runs").exists()
    assert rung.Hyperband(run_trial=wander, objective="loss", max_epochs=9, factor=3, seed=0,
                          directory=home / "runs", project_name="p",
                          verbose=0).storage.count_trials() == len(trials)  # resumed


def test_a_directory_with_a_tilde_is_in_the_home_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    monkeypatch.chdir(tmp_path)
    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=1,
                              directory="~/runs", project_name="p", verbose=0)
    assert tuner.project_dir == tmp_path / "me" / "runs" / "p"
    assert (tmp_path / "me" / "runs" / "p" / "rung.db").exists()
    assert not (tmp_path / "~").exists()
    storage = tmp_path / "elsewhere.db"
    monkeypatch.chdir(tmp_path / "me")
    other = rung.RandomSearch(run_trial=train, objective="loss", max_trials=1,
                              directory="runs", project_name="q", storage="../elsewhere.db",
                              verbose=0)
    monkeypatch.chdir(tmp_path / "me" / "runs")
    other.search()
    assert storage.exists() and other.storage.count_trials() == 1
