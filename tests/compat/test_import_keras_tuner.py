"""``rung.import_keras_tuner``: a project keras-tuner 1.4 wrote becomes a rung project whose
results answer at once, and a rung search continues from it."""

from __future__ import annotations

import warnings
from pathlib import Path

import keras
import keras_tuner  # the bench extra installs keras-tuner 1.4.8 (make test)
import numpy as np
import pytest

import rung
import rung as kt

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # keras-tuner's threading


def build(hp):
    model = keras.Sequential([
        keras.layers.Input((4,)),
        keras.layers.Dense(hp.Int("units", 4, 16, step=4), activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(keras.optimizers.Adam(hp.Choice("lr", [1e-3, 1e-2])), "mse", metrics=["mae"])
    return model


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    x = np.random.default_rng(0).random((24, 4)).astype("float32")
    return x, x.sum(axis=1)


@pytest.fixture(scope="module")
def kt_random(tmp_path_factory, data) -> Path:
    """A RandomSearch project written by keras-tuner itself."""
    directory = tmp_path_factory.mktemp("kt")
    tuner = keras_tuner.RandomSearch(build, objective="val_loss", max_trials=3, seed=1,
                                     directory=directory, project_name="random")
    x, y = data
    tuner.search(x, y, validation_data=(x, y), epochs=2, batch_size=8, verbose=0)
    return directory / "random"


def test_results_answer_right_after_the_import(kt_random, tmp_path, capsys) -> None:
    original = keras_tuner.RandomSearch(build, objective="val_loss", max_trials=3,
                                        directory=kt_random.parent, project_name="random")
    original.reload()
    kt_best = original.oracle.get_best_trials(1)[0]

    imported = rung.import_keras_tuner(kt_random, directory=tmp_path, project_name="imported")
    assert imported.project_dir == tmp_path / "imported"
    assert (tmp_path / "imported" / "rung.db").exists()
    trials = imported.oracle.trials
    assert len(trials) == 3
    assert all(t.status == "COMPLETED" for t in trials.values())
    best = imported.oracle.get_best_trials(1)[0]
    assert best.score == pytest.approx(kt_best.score)
    assert imported.get_best_hyperparameters(1)[0].values == kt_best.hyperparameters.values
    assert imported.oracle.objective == kt.Objective("val_loss", "min")  # found from the scores
    imported.results_summary(1)
    shown = capsys.readouterr().out
    assert "val_loss" in shown
    printed = [float(line.split(":")[1]) for line in shown.splitlines()
               if line.startswith("Score:")]
    assert printed == [pytest.approx(kt_best.score, rel=1e-5)]


def test_a_rung_search_continues_from_the_import(kt_random, tmp_path, data) -> None:
    rung.import_keras_tuner(kt_random, directory=tmp_path, project_name="go_on")
    tuner = kt.RandomSearch(build, objective="val_loss", max_trials=5, seed=0,
                            directory=tmp_path, project_name="go_on", verbose=0)
    assert len(tuner.oracle.trials) == 3  # taken over: they count toward max_trials
    assert tuner.remaining_trials == 2
    x, y = data
    tuner.search(x, y, validation_data=(x, y), epochs=2, batch_size=8, verbose=0)
    assert sorted(tuner.oracle.trials) == ["00000", "00001", "00002", "00003", "00004"]
    imported = {tuple(sorted(t.hyperparameters.values.items()))
                for t in list(tuner.oracle.trials.values())[:3]}
    new = [tuple(sorted(t.hyperparameters.values.items()))
           for t in list(tuner.oracle.trials.values())[3:]]
    assert not imported & set(new)  # the searcher knew the imported configurations
    again = kt.RandomSearch(build, objective="val_loss", max_trials=5, directory=tmp_path,
                            project_name="go_on", verbose=0)
    assert len(again.oracle.trials) == 5 and again.remaining_trials == 0  # a plain resume now


def test_hyperband_epochs_parents_and_per_epoch_metrics(tmp_path, data) -> None:
    class Steps(keras_tuner.Tuner):  # records every epoch, as custom keras-tuner loops do
        def run_trial(self, trial, *args, **kwargs):
            units = trial.hyperparameters.Int("units", 4, 16, step=4)
            for step in range(3):
                self.oracle.update_trial(trial.trial_id, {"score": units / (step + 1)}, step=step)

    oracle = keras_tuner.oracles.RandomSearchOracle(objective=keras_tuner.Objective("score", "min"),
                                                    max_trials=2, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # keras-tuner's deprecation warning for update_trial
        Steps(oracle, directory=tmp_path, project_name="steps").search()
    imported = rung.import_keras_tuner(tmp_path / "steps", directory=tmp_path / "rung")
    trial = imported.oracle.get_best_trials(1)[0]
    units = trial.hyperparameters.values["units"]
    assert trial.score == pytest.approx(units / 3)
    history = imported.storage.epoch_metrics(trial.trial_id)
    assert history == [(1, {"score": units}), (2, {"score": units / 2}), (3, {"score": units / 3})]

    hb = keras_tuner.Hyperband(build, objective="val_loss", max_epochs=3, factor=3, seed=1,
                               directory=tmp_path, project_name="hb")
    x, y = data
    hb.search(x, y, validation_data=(x, y), batch_size=8, verbose=0)
    imported = rung.import_keras_tuner(tmp_path / "hb", directory=tmp_path / "rung")
    records = {r.trial_id: r for r in imported.oracle.records}
    assert all("tuner/epochs" not in r.values for r in records.values())
    children = [r for r in records.values() if r.parent_id is not None]
    assert children and all(records[c.parent_id].epochs == c.initial_epoch for c in children)
    assert {r.epochs for r in records.values()} <= {1, 3}


def test_import_errors_name_the_problem(kt_random, tmp_path) -> None:
    with pytest.raises(ValueError, match="keras-tuner project directory"):
        rung.import_keras_tuner(tmp_path / "nothing_here", directory=tmp_path)
    rung.import_keras_tuner(kt_random, directory=tmp_path, project_name="once")
    with pytest.raises(ValueError, match="overwrite=True"):
        rung.import_keras_tuner(kt_random, directory=tmp_path, project_name="once")
    rung.import_keras_tuner(kt_random, directory=tmp_path, project_name="once", overwrite=True)
    with pytest.raises(ValueError, match="objective"):
        kt.RandomSearch(build, objective="val_mae", max_trials=5, directory=tmp_path,
                        project_name="once", verbose=0)
    explicit = rung.import_keras_tuner(kt_random, directory=tmp_path, project_name="by_mae",
                                       objective="val_mae")
    assert explicit.oracle.objective == kt.Objective("val_mae", "min")


def test_the_rung_command_imports_and_reads_a_keras_tuner_project(kt_random, tmp_path,
                                                                   capsys) -> None:
    """``rung import-keras-tuner`` on the project keras-tuner wrote; ``rung best`` and
    ``rung status`` then read the imported project."""
    import json

    from rung.cli import main

    original = keras_tuner.RandomSearch(build, objective="val_loss", max_trials=3,
                                        directory=kt_random.parent, project_name="random")
    original.reload()
    kt_best = original.oracle.get_best_trials(1)[0]
    assert main(["import-keras-tuner", str(kt_random), "--directory", str(tmp_path),
                 "--project-name", "from_cli"]) == 0
    capsys.readouterr()
    assert main(["best", str(tmp_path / "from_cli")]) == 0
    best = json.loads(capsys.readouterr().out)
    assert best["hyperparameters"] == kt_best.hyperparameters.values
    assert best["value"] == pytest.approx(kt_best.score)
    assert main(["status", str(tmp_path / "from_cli"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"] == {"COMPLETED": 3}


def test_a_keras_tuner_project_in_the_directory_is_named_not_silently_ignored(
        kt_random, tmp_path, data) -> None:
    """The drop-in case: a keras-tuner script run again after ``import rung as kt``, on the
    directory keras-tuner wrote. rung warns with the import to run; after that import (into the
    same directory) the same script takes keras-tuner's trials over and trains nothing more."""
    import shutil
    import warnings

    here = tmp_path / "kt" / "mnist"
    shutil.copytree(kt_random, here)
    x, y = data

    def script() -> rung.RandomSearch:
        return rung.RandomSearch(build, objective="val_loss", max_trials=3, seed=0,
                                 directory=tmp_path / "kt", project_name="mnist", verbose=0)

    with pytest.warns(UserWarning, match="holds a keras-tuner project") as caught:
        script().storage.close()
    (message,) = [str(w.message) for w in caught if "keras-tuner project" in str(w.message)]
    call = message.split("run ", 1)[1].split(" once", 1)[0]
    assert call.startswith("rung.import_keras_tuner(")
    (here / "rung.db").unlink()  # start again from keras-tuner's files alone, as told
    for side in here.glob("rung.db-*"):
        side.unlink()
    eval(call, {"rung": rung})  # noqa: S307 - the call the warning prints, run as told
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        tuner = script()
    tuner.search(x, y, validation_data=(x, y), epochs=2, batch_size=8, verbose=0)
    assert len(tuner.oracle.trials) == 3  # keras-tuner's three; nothing new trained


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("name", ["a/b", "../escape", "", ".", ".."])
def test_a_project_name_that_is_not_one_folder_is_refused(kt_random, tmp_path, name) -> None:
    """The same check as a tuner's: ``"../escape"`` wrote ``sandbox/escape/rung.db``, ``""``
    wrote into ``directory`` itself."""
    (tmp_path / "dir" / "keep").mkdir(parents=True)
    (tmp_path / "dir" / "keep" / "k").write_text("keep")
    before = _tree(tmp_path)
    with pytest.raises(rung.errors.ConfigurationError,
                       match=rf"project_name must be a plain folder name.*got {name!r}"):
        rung.import_keras_tuner(kt_random, directory=tmp_path / "dir", project_name=name,
                                overwrite=True)
    assert _tree(tmp_path) == before


def test_overwrite_deletes_nothing_before_every_argument_is_checked(kt_random, tmp_path) -> None:
    """The reviewer's case: ``overwrite=True`` with a bad ``objective=`` deleted the earlier
    import, then raised."""
    rung.import_keras_tuner(kt_random, directory=tmp_path, project_name="p3")
    before = _tree(tmp_path)
    with pytest.raises(rung.errors.ConfigurationError, match="objective='weird'"):
        rung.import_keras_tuner(kt_random, directory=tmp_path, project_name="p3", overwrite=True,
                                objective="weird")
    with pytest.raises(TypeError, match="objective"):
        rung.import_keras_tuner(kt_random, directory=tmp_path, project_name="p3", overwrite=True,
                                objective=5)
    with pytest.raises(ValueError, match="keras-tuner project directory"):
        rung.import_keras_tuner(tmp_path / "nothing", directory=tmp_path, project_name="p3",
                                overwrite=True)
    assert _tree(tmp_path) == before
    kept = rung.storage.get_storage(tmp_path / "p3" / "rung.db")
    assert kept.count_trials() == 3
    kept.close()


def test_overwrite_in_a_keras_tuner_directory_deletes_only_rungs_files(kt_random,
                                                                      tmp_path) -> None:
    """An import into keras-tuner's own directory, or into one that holds the source: replacing
    it must not delete keras-tuner's project (the import's own source)."""
    import shutil

    own = tmp_path / "kt" / "random"
    shutil.copytree(kt_random, own)
    keras_tuners = _tree(own)
    for _ in range(2):
        imported = rung.import_keras_tuner(own, directory=tmp_path / "kt", project_name="random",
                                           overwrite=True)
        assert imported.storage.count_trials() == 3
        imported.storage.close()
    assert set(keras_tuners) <= set(_tree(own))
    (tmp_path / "outer").mkdir()
    shutil.copytree(kt_random, tmp_path / "outer" / "random")
    for _ in range(2):
        imported = rung.import_keras_tuner(tmp_path / "outer" / "random", directory=tmp_path,
                                           project_name="outer", overwrite=True)
        imported.storage.close()
    assert (tmp_path / "outer" / "random" / "oracle.json").is_file()
    assert _tree(tmp_path / "outer" / "random") == keras_tuners


def test_the_rung_command_checks_project_name_and_objective_before_deleting(
        kt_random, tmp_path, capsys) -> None:
    from rung.cli import main

    assert main(["import-keras-tuner", str(kt_random), "--directory", str(tmp_path),
                 "--project-name", "p"]) == 0
    before = _tree(tmp_path)
    capsys.readouterr()
    assert main(["import-keras-tuner", str(kt_random), "--directory", str(tmp_path / "p"),
                 "--project-name", "..", "--overwrite"]) == 1
    err = capsys.readouterr().err
    assert "rung import-keras-tuner: error: --project-name must be a plain folder name" in err
    assert "got '..'" in err
    assert main(["import-keras-tuner", str(kt_random), "--directory", str(tmp_path),
                 "--project-name", "p", "--overwrite", "--objective", "weird"]) == 1
    assert ("--objective must be a metric the keras-tuner trials recorded, got 'weird'"
            in capsys.readouterr().err)
    assert _tree(tmp_path) == before


def test_an_objective_the_trials_never_recorded_is_refused(kt_random, tmp_path) -> None:
    """keras-tuner's score (val_loss here) is never stored under another metric's name."""
    with pytest.raises(rung.errors.ConfigurationError,
                       match=r"objective must be a metric the keras-tuner trials recorded, got "
                             r"'val_maee'; they recorded loss, mae, val_loss, val_mae \(did you "
                             r"mean 'val_mae'\?\)"):
        rung.import_keras_tuner(kt_random, directory=tmp_path,
                                objective=rung.Objective("val_maee", "min"))
    with pytest.raises(rung.errors.ConfigurationError, match="got 'val_auc'"):
        rung.import_keras_tuner(kt_random, directory=tmp_path,
                                objective=rung.Objective("val_auc", "max"))
    assert not any(tmp_path.iterdir())  # refused before anything was written
    by_mae = rung.import_keras_tuner(kt_random, directory=tmp_path, objective="val_mae")
    assert [t.score for t in by_mae.oracle.get_best_trials(3)] == sorted(
        t.metrics.get_last_value("val_mae") for t in by_mae.oracle.get_best_trials(3))
