"""SklearnTuner: keras-tuner's cross-validating tuner for scikit-learn models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import metrics, model_selection, pipeline, preprocessing  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor  # noqa: E402

import rung  # noqa: E402
from rung.errors import ConfigurationError, FatalTypeError, SearchDataError  # noqa: E402
from rung.integrations.sklearn import SklearnTuner  # noqa: E402

X, y = make_classification(n_samples=120, n_features=6, random_state=0)


def build(hp: rung.HyperParameters) -> DecisionTreeClassifier:
    return DecisionTreeClassifier(max_depth=hp.Int("max_depth", 1, 6),
                                  min_samples_leaf=hp.Choice("leaf", [1, 5, 10]), random_state=0)


def tuner(tmp_path: Path, oracle=None, **kwargs) -> SklearnTuner:
    oracle = oracle or rung.oracles.RandomSearchOracle(
        objective=rung.Objective("score", "max"), max_trials=4, seed=0)
    return SklearnTuner(oracle, build, directory=tmp_path, project_name="sk", verbose=0, **kwargs)


def test_search_reports_the_mean_cv_score_and_returns_models(tmp_path: Path) -> None:
    t = tuner(tmp_path)
    t.search(X, y)
    (best,) = t.oracle.get_best_trials(1)
    cv = model_selection.KFold(5, shuffle=True, random_state=1)  # keras-tuner's default
    expected = np.mean([build(best.hyperparameters).fit(X[tr], y[tr]).score(X[te], y[te])
                        for tr, te in cv.split(X)])
    assert best.score == pytest.approx(expected)
    model = t.get_best_models(1)[0]
    assert model.max_depth == best.hyperparameters["max_depth"]
    assert model.predict(X).shape == y.shape


def test_default_objective_is_score_max_and_metrics_are_reported(tmp_path: Path) -> None:
    oracle = rung.oracles.RandomSearchOracle(max_trials=2, seed=0)
    t = tuner(tmp_path, oracle, metrics=[metrics.balanced_accuracy_score],
              scoring=metrics.make_scorer(metrics.f1_score))
    t.search(X, y)
    assert t.oracle.objective.name == "score" and t.oracle.objective.direction == "max"
    trial = t.oracle.get_best_trials(1)[0]
    assert set(trial.metrics.metrics) == {"score", "balanced_accuracy_score"}


def test_pipeline_sample_weight_and_groups(tmp_path: Path) -> None:
    def build_pipe(hp):
        return pipeline.Pipeline([("scale", preprocessing.StandardScaler()),
                                  ("clf", LogisticRegression(C=hp.Float("C", 0.01, 10.0)))])

    oracle = rung.oracles.RandomSearchOracle(max_trials=2, seed=0)
    t = SklearnTuner(oracle, build_pipe, cv=model_selection.GroupKFold(3), directory=tmp_path,
                     project_name="pipe", verbose=0, scoring="accuracy")
    groups = np.arange(len(y)) % 3
    t.search(X, y, sample_weight=np.ones(len(y)), groups=groups)
    assert len(t.oracle.get_best_trials(2)) == 2


@pytest.mark.parametrize("estimator, splitter", [
    (DecisionTreeClassifier, model_selection.StratifiedKFold),
    (DecisionTreeRegressor, model_selection.KFold),
])
def test_an_integer_cv_splits_as_scikit_learn_does(tmp_path: Path, estimator, splitter) -> None:
    def build_tree(hp):
        return estimator(max_depth=hp.Int("max_depth", 1, 6), random_state=0)

    oracle = rung.oracles.RandomSearchOracle(max_trials=2, seed=0)
    t = SklearnTuner(oracle, build_tree, cv=3, directory=tmp_path, project_name="int_cv",
                     verbose=0)
    t.search(X, y)
    assert t.cv == 3
    folds = list(splitter(3).split(X, y))  # check_cv: stratified for classifiers, not shuffled
    for trial in t.oracle.get_best_trials(2):
        expected = np.mean([build_tree(trial.hyperparameters).fit(X[tr], y[tr])
                            .score(X[te], y[te]) for tr, te in folds])
        assert trial.score == pytest.approx(expected)


def test_explicit_folds_even_from_a_generator_serve_every_trial(tmp_path: Path) -> None:
    """scikit-learn's iterable ``cv``: (train, test) pairs; a generator is kept as a list, so
    the second trial is scored on the same folds as the first (not on none)."""
    folds = list(model_selection.KFold(3, shuffle=True, random_state=4).split(X))
    oracle = rung.oracles.RandomSearchOracle(max_trials=3, seed=0)
    t = SklearnTuner(oracle, build, cv=(pair for pair in folds), directory=tmp_path,
                     project_name="folds", verbose=0)
    t.search(X, y)
    trials = t.oracle.get_best_trials(3)
    assert len(trials) == 3
    for trial in trials:
        expected = np.mean([build(trial.hyperparameters).fit(X[tr], y[tr]).score(X[te], y[te])
                            for tr, te in folds])
        assert trial.score == pytest.approx(expected)


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"hypermodel must be .*; got 3 \(int\)"):
        tuner(tmp_path).__class__(rung.oracles.RandomSearchOracle(), 3)
    with pytest.raises(TypeError, match=r"cv must be an integer >= 2, a scikit-learn "
                                        r"splitter .* or an iterable of \(train, test\) .*got 'five'"):
        tuner(tmp_path, cv="five")
    with pytest.raises(TypeError, match=r"cv must be .*got \[\(1, 2, 3\)\]"):
        tuner(tmp_path, cv=[(1, 2, 3)])
    with pytest.raises(ValueError, match="cv must be an integer >= 2, got 1"):
        tuner(tmp_path, cv=1)
    with pytest.raises(TypeError, match="metrics must be metric functions"):
        tuner(tmp_path, metrics=["f1"])


@pytest.mark.parametrize("oracle", [
    rung.oracles.HyperbandOracle(max_epochs=3),
    rung.oracles.BOHBOracle(max_epochs=3),
    rung.oracles.ASHAOracle(max_epochs=3, max_trials=4),
    rung.oracles.SuccessiveHalvingOracle(max_epochs=3),
], ids=lambda o: type(o).__name__)
def test_a_multi_fidelity_oracle_is_refused(tmp_path: Path, oracle) -> None:
    """Every trial is a full cross-validation: Hyperband's budgets would only repeat fits."""
    with pytest.raises(ConfigurationError, match=rf"oracle must be a single-fidelity oracle .*got "
                                                 rf"{type(oracle).__name__}.*HyperbandSearchCV"):
        tuner(tmp_path, oracle)
    assert not (tmp_path / "sk").exists()


def test_a_build_that_returns_no_estimator_is_fatal_at_once(tmp_path: Path) -> None:
    with pytest.raises(FatalTypeError, match=r"to return a scikit-learn estimator instance with "
                                             r"fit, score; got NoneType None; did the function "
                                             r"forget to `return`"):
        SklearnTuner(rung.oracles.RandomSearchOracle(max_trials=4), lambda hp: None,
                     directory=tmp_path, project_name="none", verbose=0)
    with pytest.raises(FatalTypeError, match=r"got the class"):
        SklearnTuner(rung.oracles.RandomSearchOracle(max_trials=4), lambda hp: LogisticRegression,
                     directory=tmp_path, project_name="class", verbose=0)
    with pytest.raises(FatalTypeError, match=r"with fit, predict; got StandardScaler.*predict"):
        SklearnTuner(rung.oracles.RandomSearchOracle(max_trials=4),
                     lambda hp: preprocessing.StandardScaler(), scoring="accuracy",
                     metrics=[metrics.accuracy_score], directory=tmp_path, project_name="tf",
                     verbose=0)

    builds = []

    def sometimes(hp):  # the constructor's dry build works, the trials' do not
        builds.append(hp)
        return build(hp) if len(builds) == 1 else None

    t = SklearnTuner(rung.oracles.RandomSearchOracle(max_trials=4, seed=0), sometimes,
                     directory=tmp_path, project_name="later", verbose=0)
    with pytest.raises(FatalTypeError, match="got NoneType None"):
        t.search(X, y)
    assert len(builds) == 2  # the search stopped at the first trial's build, retried nothing
    assert t.storage.count_trials() == 1


@pytest.mark.parametrize("call, error, match", [
    (lambda t: t.search(X, y[:5]), SearchDataError,
     r"SklearnTuner.search: y must have one entry per sample of X \(120 samples\), got 5"),
    (lambda t: t.search(X, y, sample_weight=np.ones(7)), SearchDataError,
     r"sample_weight must have one entry per sample of X \(120 samples\), got 7"),
    (lambda t: t.search(X, y, groups=[0, 1]), SearchDataError, r"groups must have one entry"),
])
def test_data_of_different_lengths_is_refused_before_any_trial(tmp_path: Path, call, error,
                                                               match: str) -> None:
    t = tuner(tmp_path)
    with pytest.raises(error, match=match):
        call(t)
    assert t.storage.count_trials() == 0


@pytest.mark.parametrize("cv, match", [
    ([([0, 1, 2], [118, 119, 120])],
     r"cv\[0\]\[1\] must be the test indices of fold 0: a non-empty array of sample indices in "
     r"\[0, 120\) \(the data has 120 samples\).*got \[118, 119, 120\]"),
    ([(np.arange(60), np.arange(60, 120)), (np.arange(60), [])],
     r"cv\[1\]\[1\] must be the test indices of fold 1.*got \[\]"),
    ([(np.array([0.5, 1.5]), [3])], r"cv\[0\]\[0\] must be the train indices of fold 0"),
    (200, r"cv must be at most 120 folds \(the data has 120 samples\), got 200"),
    (model_selection.KFold(121), r"cv must be a splitter that can split the data \(120 samples\), "
     r"got KFold.*its split raised ValueError: Cannot have number of splits n_splits=121"),
    (model_selection.GroupKFold(3), r"cv must be a splitter .*its split raised ValueError: .*groups"),
])
def test_folds_that_do_not_fit_the_data_are_refused_before_any_trial(tmp_path: Path, cv,
                                                                     match: str) -> None:
    t = tuner(tmp_path, cv=cv)
    with pytest.raises(ConfigurationError, match=match):
        t.search(X, y)
    assert t.storage.count_trials() == 0


@pytest.mark.parametrize("cv", [
    model_selection.ShuffleSplit(n_splits=10, test_size=0.25, random_state=0),
    model_selection.StratifiedShuffleSplit(n_splits=10, test_size=0.5, random_state=0),
])
def test_a_random_splitter_may_make_more_splits_than_samples(tmp_path: Path, cv) -> None:
    """Only an integer cv (K folds) is bounded by the number of samples: a ShuffleSplit of 10
    splits on 8 samples is valid, as in GridSearchCV."""
    X8, y8 = X[:8], np.array([0, 1] * 4)
    t = tuner(tmp_path, oracle=rung.oracles.RandomSearchOracle(
        objective=rung.Objective("score", "max"), max_trials=2, seed=0), cv=cv)
    t.search(X8, y8)
    assert [r.status.name for r in t.storage.trials()] == ["COMPLETED", "COMPLETED"]


def test_a_misspelt_scorer_name_gets_the_closest_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"scoring must be .*got 'accuracyy'; did you "
                                                 r"mean 'accuracy'\?"):
        tuner(tmp_path, scoring="accuracyy")


@pytest.mark.parametrize(("objective", "message"), [
    ("val_loss", r"the oracle's objective 'val_loss' is not among the metrics "
                     r"SklearnTuner reports, \['score', 'balanced_accuracy_score'\]"),
    (rung.Objective("balanced_acuracy_score", "max"),
     r"'balanced_acuracy_score' \(did you mean 'balanced_accuracy_score'\?\)"),
    ([rung.Objective("score", "max"), "f1"], r"objective 'f1' is not among"),
])
def test_an_objective_no_trial_reports_is_refused_before_any_trial(tmp_path: Path, objective,
                                                                   message: str) -> None:
    oracle = rung.oracles.RandomSearchOracle(objective=objective, max_trials=2)
    with pytest.raises(ConfigurationError, match=message):
        tuner(tmp_path, oracle, metrics=[metrics.balanced_accuracy_score])
    assert not (tmp_path / "sk").exists()
    reported = rung.oracles.RandomSearchOracle(
        objective=rung.Objective("balanced_accuracy_score", "max"), max_trials=2)
    t = tuner(tmp_path, reported, metrics=[metrics.balanced_accuracy_score])
    t.search(X, y)  # a metric function's name is an objective the trials report
    assert t.oracle.get_best_trials(1)[0].score == pytest.approx(
        t.oracle.get_best_trials(1)[0].metrics.get_best_value("balanced_accuracy_score"))


def test_a_metric_without_a_name_is_refused(tmp_path: Path) -> None:
    import functools

    unnamed = functools.partial(metrics.fbeta_score, beta=2.0)
    with pytest.raises(TypeError, match=r"metrics are reported under their __name__, and "
                                        r"functools.partial\(.*\) has none"):
        tuner(tmp_path, metrics=[unnamed])


def test_search_takes_the_search_options_its_own_errors_suggest(tmp_path: Path) -> None:
    """A failed project's message says "run search(retry_failed=True)": SklearnTuner.search
    refused it (and workers=, max_time=, verbose=) with a TypeError before the fix."""
    broken = {"on": True}

    def build_maybe_broken(hp: rung.HyperParameters) -> LogisticRegression:
        c = hp.Float("C", 1e-2, 1e2, sampling="log")
        return LogisticRegression(C=-c if broken["on"] else c)

    t = SklearnTuner(rung.oracles.RandomSearchOracle(max_trials=3, seed=0), build_maybe_broken,
                     directory=tmp_path, project_name="sk", verbose=0)
    with pytest.raises(rung.errors.TooManyFailedTrialsError, match=r"retry_failed=True"):
        t.search(X, y)
    broken["on"] = False
    t.search(X, y, retry_failed=True, max_time=600, verbose=0)
    assert [str(r.status) for r in t.storage.trials()] == ["COMPLETED"] * 3


def test_an_unknown_search_option_is_named_before_any_trial(tmp_path: Path) -> None:
    t = tuner(tmp_path)
    with pytest.raises(rung.errors.ArgumentTypeError,
                       match=r"SklearnTuner.search got an unexpected keyword argument 'worker': "
                             r"did you mean 'workers'\?"):
        t.search(X, y, worker=2)
    assert t.storage.trials() == []


def test_an_estimator_class_as_hypermodel_is_refused(tmp_path: Path) -> None:
    """The class is callable: LogisticRegression(hp) built an estimator whose penalty was the
    HyperParameters, and every trial failed in fit, far from the mistake."""
    with pytest.raises(rung.errors.ArgumentTypeError,
                       match=r"hypermodel must be a function build\(hp\) -> estimator.*"
                             r"def build\(hp\): return LogisticRegression\(\.\.\.\)"):
        SklearnTuner(rung.oracles.RandomSearchOracle(max_trials=2), LogisticRegression,
                     directory=tmp_path, project_name="sk")
    assert not (tmp_path / "sk").exists()
