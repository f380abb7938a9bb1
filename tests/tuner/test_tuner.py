"""The tuner with plain training functions: results, checkpoints, failures, resume."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import pytest

import rung
from rung.errors import ConfigurationError, ObjectiveNotReportedError, TooManyFailedTrialsError
from rung.storage import InMemoryStorage


def loss_of(x: float, epochs: int) -> float:
    return (x - 0.3) ** 2 + 1.0 / epochs


def train(trial: rung.Trial) -> dict[str, float]:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    state = trial.load_checkpoint() or {"done": 0, "history": []}
    assert state["done"] == trial.initial_epoch
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        state["history"].append(epoch)
        state["done"] = epoch
        trial.report(epoch, val_loss=loss_of(x, epoch))
    trial.save_checkpoint(state)
    return {"val_loss": loss_of(x, trial.epochs)}


def make(tmp_path: Path, **kwargs) -> rung.Hyperband:
    args = {"run_trial": train, "objective": "val_loss", "max_epochs": 9, "factor": 3, "seed": 0,
            "directory": tmp_path, "project_name": "p", "verbose": 0, **kwargs}
    return rung.Hyperband(**args)


def test_hyperband_search_on_sqlite_records_everything(tmp_path: Path) -> None:
    tuner = make(tmp_path)
    tuner.search()
    trials = tuner.storage.trials()
    assert len(trials) == tuner.oracle.budget().jobs
    assert all(t.status is rung.TrialStatus.COMPLETED for t in trials)
    assert (tmp_path / "p" / "rung.db").exists()
    best = tuner.get_best_hyperparameters(1)[0]
    assert best.values["x"] == pytest.approx(
        min(trials, key=lambda t: t.loss).values["x"])
    # per-epoch metrics are stored
    child = next(t for t in trials if t.parent_id is not None)
    epochs = [e for e, _ in tuner.storage.epoch_metrics(child.trial_id)]
    assert epochs == list(range(child.initial_epoch + 1, child.epochs + 1))
    assert tuner.remaining_trials == 0


def test_promoted_trial_continues_from_parent_checkpoint(tmp_path: Path) -> None:
    tuner = make(tmp_path)
    tuner.search()
    top = max(tuner.storage.trials(), key=lambda t: t.rung or 0)
    state = tuner.checkpoints.load(top.trial_id)
    assert state["history"] == list(range(1, top.epochs + 1))  # one uninterrupted history


def test_finished_search_reruns_nothing_and_resume_checks_settings(tmp_path: Path) -> None:
    make(tmp_path).search()
    calls = []

    def spy(trial: rung.Trial) -> dict[str, float]:
        calls.append(trial.trial_id)
        return train(trial)

    again = make(tmp_path, run_trial=spy)
    again.search()
    assert calls == []
    assert len(again.oracle.get_best_trials(3)) == 3
    with pytest.raises(ConfigurationError, match=r"max_epochs: stored 9, now 27.*overwrite=True"):
        make(tmp_path, max_epochs=27)
    with pytest.raises(ConfigurationError, match="objective"):
        make(tmp_path, objective="val_accuracy")
    with pytest.raises(ConfigurationError,
                       match="searcher: stored 'RandomSearcher', now 'KDESearcher'.*overwrite=True"):
        make(tmp_path, searcher="kde")  # before any work, not a traceback from the saved state
    fresh = make(tmp_path, max_epochs=27, overwrite=True)
    assert fresh.storage.count_trials() == 0


def test_a_project_stored_before_the_searcher_setting_resumes(tmp_path: Path) -> None:
    first = make(tmp_path, hyperband_iterations=1)
    first.search()
    settings = first.storage.get_settings()
    assert settings is not None and settings.pop("searcher") == "RandomSearcher"
    first.storage.set_settings(settings)  # as an older rung stored it
    done = first.storage.count_trials()
    again = make(tmp_path, hyperband_iterations=2)
    again.search()
    assert again.storage.count_trials() == 2 * done


def _declared() -> rung.HyperParameters:
    hp = rung.HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 8, 64, step=8)
    hp.Boolean("bias")
    hp.Fixed("batch", 32)
    hp.Choice("model", ["linear", "mlp"])
    with hp.conditional_scope("model", ["mlp"]):
        hp.Int("layers", 1, 3)
    return hp


def _uses_declared(trial: rung.Trial) -> float:
    hp = trial.hyperparameters
    return hp["lr"] + hp["units"] / 100 + (hp["layers"] if hp.is_active("layers") else 0) / 10


def test_resume_refuses_a_declared_hyperparameter_defined_otherwise(tmp_path: Path) -> None:
    def tuner(hp: rung.HyperParameters) -> rung.Hyperband:
        return rung.Hyperband(run_trial=_uses_declared, objective="loss", max_epochs=9,
                              hyperband_iterations=2, seed=0, hyperparameters=hp,
                              directory=tmp_path, project_name="p", verbose=0)

    tuner(_declared()).search(max_epochs_total=30)
    again = tuner(_declared())  # the same definitions, every type: resumes
    again.search()
    assert again.oracle.finished
    redefined = rung.HyperParameters()
    redefined.Int("units", 8, 128, step=8)
    with pytest.raises(rung.errors.ProjectMismatchError,
                       match=r"hyperparameter 'units' \(stored Int\(.*max_value: 64.*, now "
                             r"Int\(.*max_value: 128"):
        tuner(redefined)
    other_type = rung.HyperParameters()
    other_type.Choice("lr", [0.1, 0.01])
    with pytest.raises(rung.errors.ProjectMismatchError, match=r"hyperparameter 'lr' \(stored "
                                                               r"Float.*now Choice"):
        tuner(other_type)
    grown = _declared()
    grown.Int("extra", 1, 3)  # a name the project never had: accepted, as define-by-run
    tuner(grown)
    other_default = rung.HyperParameters()
    other_default.Int("units", 8, 64, step=8, default=32)  # the same range: accepted
    tuner(other_default)
    state = again.oracle.state_dict()
    oracle = rung.oracles.HyperbandOracle(objective="loss", max_epochs=9, hyperband_iterations=2,
                                          seed=0, hyperparameters=redefined)
    with pytest.raises(ConfigurationError, match="other definitions of 'units'"):
        oracle.load_state_dict(state, again.storage.trials())


def test_resume_checks_the_searchers_options_and_bohbs_own(tmp_path: Path) -> None:
    def bohb(**kwargs) -> rung.BOHB:
        args = {"run_trial": train, "objective": "val_loss", "max_epochs": 9, "seed": 0,
                "directory": tmp_path, "project_name": "b", "verbose": 0, **kwargs}
        return rung.BOHB(**args)

    bohb(hyperband_iterations=1).search()
    bohb(hyperband_iterations=2)  # resumable: more iterations
    for changed, shown in [({"top_fraction": 0.3}, "searcher_options.top_fraction: stored 0.15, now 0.3"),
                           ({"min_agreement": None}, "min_agreement: stored 0.3, now None"),
                           ({"unverified_weight": 1.0}, "unverified_weight: stored 0.2, now 1.0"),
                           ({"searcher": rung.searchers.KDESearcher(num_samples=8)},
                            "searcher_options.num_samples: stored 64, now 8")]:
        with pytest.raises(ConfigurationError, match=re.escape(shown)):
            bohb(**changed)
    # a project stored before these settings were saved resumes without comparing them
    settings = bohb().storage.get_settings()
    assert settings is not None
    for key in ("searcher_options", "min_agreement", "unverified_weight"):
        settings.pop(key)
    old = bohb()
    old.storage.set_settings(settings)
    state = old.storage.get_oracle_state()
    assert state is not None
    state.pop("settings")  # an old project's state carried no settings either
    old.storage.set_oracle_state(state)
    again = bohb(hyperband_iterations=2, top_fraction=0.3)
    again.search()
    assert again.storage.get_settings()["searcher_options"]["top_fraction"] == 0.3


def test_interrupted_search_resumes_without_repeating(tmp_path: Path) -> None:
    reference = make(tmp_path / "ref", storage=InMemoryStorage())
    reference.search()
    expected = [(t.trial_id, t.values, t.epochs, round(t.loss, 12)) for t in reference.storage.trials()]

    executed: list[str] = []

    def interrupting(trial: rung.Trial) -> dict[str, float]:
        executed.append(trial.trial_id)
        if len(executed) == 8:
            raise KeyboardInterrupt  # the user hits Ctrl-C in the middle of a job
        return train(trial)

    with pytest.raises(SystemExit) as stopped:  # one line, exit status 130 (test_interrupt.py)
        make(tmp_path, run_trial=interrupting).search()
    assert stopped.value.code == 130
    make(tmp_path, run_trial=interrupting).search()
    tuner = make(tmp_path)
    got = [(t.trial_id, t.values, t.epochs, round(t.loss, 12)) for t in tuner.storage.trials()]
    assert got == expected
    assert len(executed) == len(expected) + 1  # only the interrupted job ran twice
    for t in tuner.storage.trials():  # its epochs are stored once
        epochs = [e for e, _ in tuner.storage.epoch_metrics(t.trial_id)]
        assert epochs == list(range(t.initial_epoch + 1, t.epochs + 1))
    assert executed.count(executed[7]) == 2


def test_failing_trial_is_recorded_retried_and_never_takes_the_search_down(tmp_path: Path) -> None:
    attempts: dict[str, int] = {}

    def flaky(trial: rung.Trial) -> dict[str, float]:
        attempts[trial.trial_id] = attempts.get(trial.trial_id, 0) + 1
        if trial.trial_id == "00002" and attempts[trial.trial_id] == 1:
            raise RuntimeError("transient")
        if trial.trial_id == "00004":
            raise rung.FailedTrialError("bad config")
        return train(trial)

    tuner = make(tmp_path, run_trial=flaky, max_retries_per_trial=1)
    tuner.search()
    assert attempts["00002"] == 2 and attempts["00004"] == 1
    t2, t4 = tuner.storage.get_trial("00002"), tuner.storage.get_trial("00004")
    assert t2.status is rung.TrialStatus.COMPLETED and t2.attempts == 1
    assert t4.status is rung.TrialStatus.FAILED
    failures = tuner.storage.failures("00004")
    assert "FailedTrialError: bad config" in failures[0][2] and "Traceback" in failures[0][2]
    assert "00004" not in {t.parent_id for t in tuner.storage.trials()}


def test_consecutive_failures_stop_with_a_clear_error(tmp_path: Path) -> None:
    def broken(trial: rung.Trial) -> float:
        raise ValueError("shape mismatch in layer 3")

    tuner = make(tmp_path, run_trial=broken, max_consecutive_failed_trials=3)
    with pytest.raises(TooManyFailedTrialsError, match="3 trials failed in a row(.|\n)*shape mismatch"):
        tuner.search()
    assert [t.status for t in tuner.storage.trials()] == [rung.TrialStatus.FAILED] * 3


def test_fatal_error_stops_at_once(tmp_path: Path) -> None:
    def fatal(trial: rung.Trial) -> float:
        raise rung.errors.FatalValueError("no GPU")

    with pytest.raises(rung.errors.FatalValueError):
        make(tmp_path, run_trial=fatal, max_retries_per_trial=5).search()


def test_nan_result_counts_as_failed_and_is_never_best(tmp_path: Path) -> None:
    def sometimes_nan(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        return math.nan if x < 0.5 else x

    tuner = rung.RandomSearch(run_trial=sometimes_nan, objective="loss", max_trials=12, seed=1,
                              directory=tmp_path, verbose=0, max_consecutive_failed_trials=99)
    tuner.search()
    statuses = {t.trial_id: t for t in tuner.storage.trials()}
    assert any(t.status is rung.TrialStatus.FAILED for t in statuses.values())
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.score >= 0.5


def test_define_by_run_and_search_arguments(tmp_path: Path) -> None:
    seen = []

    def fn(trial: rung.Trial, data: list[int], scale: float = 1.0) -> float:
        hp = trial.hyperparameters
        units = hp.Int("units", 8, 64, step=8)
        if hp.Boolean("extra"):
            with hp.conditional_scope("extra", [True]):
                hp.Choice("act", ["relu", "tanh"])
        seen.append(hp.values)
        return scale * (units + sum(data))

    tuner = rung.RandomSearch(run_trial=fn, objective="loss", max_trials=8, seed=0,
                              directory=tmp_path, verbose=0)
    tuner.search([1, 2], scale=2.0)
    names = {p.name for p in tuner.oracle.hyperparameters.space}
    assert names == {"units", "extra", "act"}
    assert len({tuple(sorted(v.items())) for v in seen}) == 8  # learned space, no repeats
    assert tuner.oracle.get_best_trials(1)[0].score == 2.0 * (8 + 3)


def test_budget_is_printed_before_the_first_trial(tmp_path: Path, capsys) -> None:
    def fn(trial: rung.Trial) -> float:
        print("TRAINING")
        return trial.hyperparameters.Float("x", 0, 1)

    rung.Hyperband(run_trial=fn, objective="loss", max_epochs=9, factor=3, directory=tmp_path,
                   project_name="b").search()
    out = capsys.readouterr().out
    assert out.index("planned: 22 jobs, 69 epochs") < out.index("TRAINING")
    assert "search finished: all 3 brackets complete" in out


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_retries_per_trial": -1}, "max_retries_per_trial must be an integer >= 0, got -1"),
        ({"max_consecutive_failed_trials": 0}, "max_consecutive_failed_trials must be"),
        ({"run_trial": 3}, "run_trial must be a function train"),
        ({"objective": "my_metric"}, "my_metric"),
        ({"max_trials": 5}, "Hyperband does not take max_trials"),
    ],
)
def test_bad_input_fails_before_any_work(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        make(tmp_path, **kwargs)
    assert not (tmp_path / "p" / "rung.db").exists() or kwargs.get("objective")


@pytest.mark.parametrize("verbose", [-1, 3, "loud", None, 1.5])
def test_search_refuses_a_verbosity_keras_fit_would_not_take(tmp_path: Path, verbose) -> None:
    ran = []

    def train(trial: rung.Trial) -> float:
        ran.append(trial.trial_id)
        return trial.hyperparameters.Float("x", 0.0, 1.0)

    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=2,
                              directory=tmp_path, project_name="v", verbose=0)
    with pytest.raises(ConfigurationError, match=re.escape(f"got verbose={verbose!r}")):
        tuner.search(verbose=verbose)
    assert not ran and tuner.storage.count_trials() == 0
    tuner.search(verbose="auto")  # Keras' own values pass
    assert len(ran) == 2


@pytest.mark.parametrize(("epoch", "metrics", "error", "message"), [
    (2**63, {"loss": 0.5}, ConfigurationError, r"epoch .*\[0, 9223372036854775807\], got 9223"),
    (-1, {"loss": 0.5}, ConfigurationError, r"epoch .*\[0, 9223372036854775807\], got -1"),
    (1, {"loss": "0.5"}, TypeError, r"metric 'loss' must be a number, got str '0.5'"),
    (1, {"loss": 10**400}, TypeError, r"metric 'loss' must be a number, got int"),
])
def test_a_report_refuses_an_epoch_storage_cannot_hold_and_text_for_a_metric(
        tmp_path: Path, epoch: int, metrics: dict, error: type, message: str) -> None:
    caught: list[BaseException] = []

    def train(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        try:
            trial.report(epoch, **metrics)
        except Exception as exc:
            caught.append(exc)
        return x

    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=1,
                              directory=tmp_path, project_name="p", verbose=0)
    tuner.search()
    assert len(caught) == 1 and isinstance(caught[0], error), caught
    assert re.search(message, str(caught[0])), str(caught[0])
    assert tuner.storage.epoch_metrics(tuner.storage.trials()[0].trial_id) == []


def test_an_epoch_reported_outside_the_jobs_range_is_stored_with_one_warning_per_job(
        tmp_path: Path) -> None:
    """A job asked to train epochs initial_epoch+1..epochs that reports others (an off-by-one
    loop, an evaluation at epoch 0 of a continued job) is told so once; in-range reports are
    silent. The reports are stored as given."""
    import warnings

    def train(trial: rung.Trial) -> None:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for epoch in range(trial.initial_epoch, trial.epochs + 2):  # one too many at each end
            trial.report(epoch, loss=x + 1 / (epoch + 1))

    tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=3, factor=3, seed=0,
                           directory=tmp_path, project_name="w", verbose=0)
    with pytest.warns(RuntimeWarning) as caught:
        tuner.search()
    jobs = tuner.storage.trials()
    messages = [str(w.message) for w in caught if "outside the epochs" in str(w.message)]
    assert len(messages) == len(jobs) > 1  # once per job, not once per report
    first = next(t for t in jobs if t.initial_epoch == 0 and t.epochs == 1)
    assert f"trial {first.trial_id} reported epoch 0, outside the epochs this job was asked to " \
           "train (1 to 1" in "\n".join(messages)
    assert [e for e, _ in tuner.storage.epoch_metrics(first.trial_id)] == [0, 1, 2]

    def fine(trial: rung.Trial) -> None:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, loss=x + 1 / epoch)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rung.Hyperband(run_trial=fine, objective="loss", max_epochs=9, factor=3, seed=0,
                       directory=tmp_path, project_name="ok", verbose=0).search()


@pytest.mark.parametrize("tuner_class", [rung.RandomSearch, rung.BayesianOptimization])
def test_raising_oracle_max_trials_between_searches_runs_the_extra_trials(
        tmp_path: Path, tuner_class) -> None:
    """keras-tuner's ``tuner.oracle.max_trials = 6; tuner.search()``: the extra trials run, and
    they are the ones a project reopened with ``max_trials=6`` runs (the GP's start rule
    follows the new budget both ways)."""
    def train(trial: rung.Trial) -> float:
        hp = trial.hyperparameters
        return (hp.Float("x", 0.0, 1.0) - 0.3) ** 2 + hp.Int("n", 1, 8) / 100

    def make(name: str, max_trials: int):
        return tuner_class(run_trial=train, objective="loss", max_trials=max_trials, seed=3,
                           directory=tmp_path, project_name=name, verbose=0)

    live = make("live", 3)
    live.search()
    assert live.remaining_trials == 0
    live.oracle.max_trials = 6
    assert live.remaining_trials == 3
    live.search()
    make("reopened", 3).search()
    reopened = make("reopened", 6)
    reopened.search()
    values = [[t.values for t in tuner.storage.trials()] for tuner in (live, reopened)]
    assert len(values[0]) == 6 and values[0] == values[1]
    with pytest.raises(ValueError, match="max_trials must be"):
        live.oracle.max_trials = 0


def test_directory_and_project_name_none_mean_the_defaults(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    tuner = rung.RandomSearch(run_trial=lambda t: 1.0, objective="loss", max_trials=1,
                              directory=None, project_name=None, verbose=0)
    assert tuner.project_dir == Path.cwd() / "untitled_project"  # made absolute
    assert (tmp_path / "untitled_project" / "rung.db").exists()
    with pytest.raises(TypeError, match=r"directory must be a path \(str or pathlib.Path\), got 3"):
        rung.RandomSearch(run_trial=lambda t: 1.0, objective="loss", directory=3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"keep_checkpoints": "bset"}, "keep_checkpoints must be 'all', 'best' or an integer"),
        ({"storage": 3}, r"storage must be None \(SQLite in the project directory\), a path to a "
                         r"SQLite file, or a rung.storage.Storage .*, got 3"),
        ({"verbose": "loud"}, "verbose must be an integer"),
    ],
)
def test_bad_input_with_overwrite_leaves_the_project_alone(
    tmp_path: Path, kwargs: dict, message: str
) -> None:
    make(tmp_path).search()
    with pytest.raises((ValueError, TypeError), match=message):
        make(tmp_path, overwrite=True, **kwargs)
    assert make(tmp_path).storage.count_trials() == 22  # nothing was deleted


def test_a_failed_first_trial_does_not_end_a_define_by_run_search(tmp_path: Path) -> None:
    calls: list[str] = []

    def flaky_first(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)  # the space is declared here...
        calls.append(trial.trial_id)
        if len(calls) == 1:
            raise RuntimeError("transient")  # ...and the first trial fails
        return x

    tuner = rung.RandomSearch(run_trial=flaky_first, objective="loss", max_trials=5, seed=0,
                              directory=tmp_path, verbose=0)
    tuner.search()
    statuses = [t.status for t in tuner.storage.trials()]
    assert statuses == [rung.TrialStatus.FAILED] + [rung.TrialStatus.COMPLETED] * 4
    assert tuner.oracle.stop_reason == "max_trials=5 reached"
    assert [p.name for p in tuner.oracle.hyperparameters.space] == ["x"]


@pytest.mark.parametrize("declares", [True, False])
def test_consecutive_failures_stop_a_define_by_run_random_search(
    tmp_path: Path, declares: bool
) -> None:
    def broken(trial: rung.Trial) -> object:
        if declares:
            trial.hyperparameters.Int("units", 1, 64)
        raise ArithmeticError("diverged")  # every trial fails, before or after declaring the space

    tuner = rung.RandomSearch(run_trial=broken, objective="loss", max_trials=10, seed=0,
                              directory=tmp_path, verbose=0)
    with pytest.raises(TooManyFailedTrialsError, match="3 trials failed(.|\n)*diverged"):
        tuner.search()
    assert [t.status for t in tuner.storage.trials()] == [rung.TrialStatus.FAILED] * 3


@pytest.mark.parametrize("tuner_class", [rung.Hyperband, rung.RandomSearch])
def test_remaining_trials_is_zero_once_a_small_space_is_exhausted(
    tmp_path: Path, tuner_class: type
) -> None:
    def tiny(trial: rung.Trial) -> float:
        return float(trial.hyperparameters.Choice("c", [1, 2, 3]))

    extra = {"max_epochs": 9} if tuner_class is rung.Hyperband else {"max_trials": 10}
    tuner = tuner_class(run_trial=tiny, objective="loss", seed=0, directory=tmp_path,
                        verbose=0, **extra)
    assert tuner.remaining_trials == (22 if tuner_class is rung.Hyperband else 10)
    tuner.search()
    assert tuner.storage.count_trials() < tuner.oracle.budget().jobs  # the space ran out
    assert tuner.oracle.finished and tuner.remaining_trials == 0


def test_a_result_without_the_objective_fails_the_trial_not_the_search(tmp_path: Path) -> None:
    def sometimes_unnamed(trial: rung.Trial) -> dict[str, float]:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        if trial.trial_id == "00000":
            x = 0.25  # the first reports it: the function has shown that it can
        return {"val_loss": x} if x < 0.5 else {"loss": x}  # the second forgets the objective

    tuner = rung.RandomSearch(run_trial=sometimes_unnamed, objective="val_loss", max_trials=8,
                              seed=3, directory=tmp_path, verbose=0,
                              max_consecutive_failed_trials=8)
    tuner.search()
    trials = tuner.storage.trials()
    assert len(trials) == 8 and not tuner.oracle.pending
    failed = [t for t in trials if t.status is rung.TrialStatus.FAILED]
    assert failed and all("'val_loss' is not among the metrics" in t.error for t in failed)
    completed = [t for t in tuner.oracle.trials.values() if t.status is rung.TrialStatus.COMPLETED]
    assert completed and all(t.hyperparameters["x"] < 0.5 for t in completed)



def test_a_first_trial_without_the_objective_stops_the_search_at_once(tmp_path: Path) -> None:
    # a misspelt objective: every trial would fail the same way, each after a whole training
    trained = []

    def unnamed(trial: rung.Trial) -> dict[str, float]:
        trained.append(trial.trial_id)
        return {"val_accuracy": trial.hyperparameters.Float("x", 0.0, 1.0)}

    tuner = rung.RandomSearch(run_trial=unnamed, objective="val_acc", max_trials=8, seed=3,
                              directory=tmp_path, project_name="u", verbose=0,
                              max_retries_per_trial=2)
    with pytest.raises(ObjectiveNotReportedError,
                       match=r"first finished trial, 00000, .*'val_acc'(.|\n)*did you mean "
                             r"'val_accuracy'"):
        tuner.search()
    assert trained == ["00000"]  # not retried, no second training
    assert [t.status for t in tuner.storage.trials()] == [rung.TrialStatus.FAILED]
    # one failed attempt, stored with its error as a raised one is (`rung trials`: attempts 1)
    assert tuner.storage.get_trial("00000").attempts == 1
    assert [(a, "did you mean 'val_accuracy'" in e) for _, a, e in
            tuner.storage.failures("00000")] == [(1, True)]


def test_storage_keeps_the_values_define_by_run_code_declared(tmp_path: Path) -> None:
    def fn(trial: rung.Trial) -> float:
        hp = trial.hyperparameters
        return hp.Int("units", 8, 64, step=8) + (1 if hp.Boolean("extra") else 0)

    tuner = rung.RandomSearch(run_trial=fn, objective="loss", max_trials=4, seed=0,
                              directory=tmp_path, verbose=0)
    tuner.search()
    first = tuner.storage.get_trial("00000")
    assert first.values == {"units": 8, "extra": False}  # the defaults the first trial used
    reopened = rung.storage.SQLiteStorage(tmp_path / "untitled_project" / "rung.db")
    assert all(set(t.values) == {"units", "extra"} for t in reopened.trials())
    reopened.close()


def test_keras_tuner_positional_arguments_and_search_verbose(tmp_path: Path, capsys) -> None:
    import inspect

    for cls in (rung.RandomSearch, rung.GridSearch, rung.Hyperband):
        names = list(inspect.signature(cls).parameters)
        assert names[:2] == ["hypermodel", "objective"]
        assert "seed" in names and "hyperparameters" in names
    hp = rung.HyperParameters()
    hp.Choice("a", [1, 2, 3])
    seen = []

    def fn(trial: rung.Trial, data: int, *, scale: float = 1.0) -> float:  # takes no verbose
        seen.append((data, scale))
        return float(trial.hyperparameters.get("a"))

    tuner = rung.GridSearch(None, "loss", None, 7, hp, run_trial=fn, directory=tmp_path)
    assert tuner.oracle.seed == 7
    tuner.search(5, verbose=0, scale=2.0)
    assert [t.status for t in tuner.storage.trials()] == [rung.TrialStatus.COMPLETED] * 3
    assert seen == [(5, 2.0)] * 3  # the other arguments reach the function
    assert capsys.readouterr().out == ""  # search(verbose=0): nothing printed at all
    assert tuner.display.verbose == 1  # for that call only
    tuner.search(5, scale=2.0)
    assert "search finished" in capsys.readouterr().out


def test_search_options_never_reach_a_training_function(tmp_path: Path) -> None:
    received: list[dict] = []

    def fn(trial: rung.Trial, **kwargs: object) -> float:
        received.append(kwargs)
        return trial.hyperparameters.Float("x", 0.0, 1.0)

    tuner = rung.RandomSearch(run_trial=fn, objective="loss", max_trials=2, seed=0,
                              directory=tmp_path, verbose=0)
    tuner.search(verbose=1, workers=1, executor="inprocess", job_timeout=None,
                 reproducible=True, lr=0.1)
    assert received == [{"lr": 0.1}, {"lr": 0.1}]


def test_a_run_trial_override_gets_verbose_as_in_keras_tuner(tmp_path: Path) -> None:
    received: list[dict] = []

    class Custom(rung.RandomSearch):
        def run_trial(self, trial: rung.Trial, *args: object, **kwargs: object) -> float:
            received.append(kwargs)  # keras-tuner: these are fit's arguments, verbose included
            return trial.hyperparameters.Float("x", 0.0, 1.0)

    Custom(objective="loss", max_trials=1, directory=tmp_path, verbose=0).search(verbose=0)
    assert received == [{"verbose": 0}]


@pytest.mark.parametrize(
    "make_tuner",
    [
        lambda f, d: rung.Hyperband(run_trial=f, objective="loss", max_epochs=3, directory=d),
        lambda f, d: rung.RandomSearch(run_trial=f, objective="loss", max_trials=1, directory=d),
        lambda f, d: rung.GridSearch(run_trial=f, objective="loss", directory=d),
        lambda f, d: rung.ASHA(run_trial=f, objective="loss", max_epochs=3, max_trials=2,
                               directory=d),
    ],
    ids=["hyperband", "random", "grid", "asha"],
)
def test_a_search_without_a_completed_trial_fails_with_the_last_error(
    tmp_path: Path, make_tuner, capsys
) -> None:
    def broken(trial: rung.Trial) -> float:
        raise ValueError("the data file is missing")  # before any hyperparameter is declared

    tuner = make_tuner(broken, tmp_path)
    with pytest.raises(TooManyFailedTrialsError,
                       match="trials? failed(.|\n)*the data file is missing"):
        tuner.search()
    assert "search finished" not in capsys.readouterr().out
    assert tuner.storage.count_trials(rung.TrialStatus.COMPLETED) == 0


def test_a_hypermodel_and_a_run_trial_together_are_refused(tmp_path: Path) -> None:
    def build(hp: rung.HyperParameters) -> object:
        return object()

    def train(trial: rung.Trial) -> float:
        return trial.hyperparameters.Float("x", 0.0, 1.0)

    with pytest.raises(ConfigurationError, match="Received both hypermodel=.* and run_trial=.*"
                                                 "the hypermodel would never be built"):
        rung.RandomSearch(hypermodel=build, run_trial=train, objective="loss", max_trials=2,
                          directory=tmp_path, project_name="p", verbose=0)
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("reported", ["val_loss", "loss"])
def test_a_stopping_search_whose_reports_lack_the_objective_says_so(tmp_path: Path,
                                                                     reported: str) -> None:
    # ASHA in stopping mode decides on reports of the objective: reports of another metric only
    # would train every job to the end, silently a random search
    def train(trial: rung.Trial) -> dict[str, float]:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for epoch in range(trial.initial_epoch + 1, (trial.epochs or 1) + 1):
            trial.report(epoch, **{reported: (x - 0.3) ** 2 + 1 / epoch})
        return {"loss": (x - 0.3) ** 2}

    tuner = rung.ASHA(run_trial=train, objective="loss", max_epochs=9, factor=3, max_trials=9,
                      mode="stopping", seed=0, directory=tmp_path, verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tuner.search()
    said = [str(w.message) for w in caught if "without the objective" in str(w.message)]
    pruned = tuner.storage.count_trials(rung.TrialStatus.PRUNED)
    if reported == "loss":
        assert not said and pruned > 0
    else:
        assert said == ["trial 00000 reported 9 epochs without the objective 'loss' (keys "
                        "['val_loss']): ASHAOracle stops jobs only on reports of the objective, "
                        "so no job will be stopped early. Report 'loss' in "
                        "trial.report(epoch, ...) (did you mean objective='val_loss'?)."]
        assert pruned == 0


def test_a_misspelt_tuner_argument_names_the_nearest_one(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"Unrecognized arguments: Hyperband got unknown "
                                         r"argument\(s\) max_epoch=3 \(did you mean max_epochs=\?\); "
                                         r"it takes .*max_epochs, .*run_trial"):
        rung.Hyperband(run_trial=lambda t: 1.0, objective="loss", max_epoch=3,
                       directory=tmp_path)
    with pytest.raises(ValueError, match=r"it takes .*directory") as caught:
        rung.Tuner(rung.oracles.RandomSearchOracle(objective="loss"), run_trial=lambda t: 1.0,
                   directry=tmp_path)
    assert re.search(r"directry=\S+ \(did you mean directory=\?\)", str(caught.value))
    assert "oracle" in str(caught.value).split("it takes")[1]  # Tuner takes one; Hyperband not
    assert not any(tmp_path.iterdir())


class _Built(rung.HyperModel):
    def build(self, hp: rung.HyperParameters) -> None:
        raise AssertionError("never built")


def test_a_hypermodel_class_instead_of_an_instance_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"hypermodel is the class _Built, not an instance of it; "
                                        r"pass an instance, _Built\(\)"):
        rung.RandomSearch(_Built, objective="loss", max_trials=1, directory=tmp_path)
