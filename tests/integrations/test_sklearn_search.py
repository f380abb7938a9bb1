"""HyperbandSearchCV: resources, continuation, the estimator contract, pipelines, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from scipy import stats  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
from sklearn.exceptions import FitFailedWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression, SGDClassifier  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GroupKFold,
    KFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import rung  # noqa: E402
from rung.errors import ArgumentTypeError, ConfigurationError, SearchSpaceError  # noqa: E402
from rung.integrations.sklearn import HyperbandSearchCV, ParamSpace  # noqa: E402

X, y = make_classification(n_samples=240, n_features=8, n_informative=5, n_classes=3,
                           random_state=0)
SGD_SPACE = {"alpha": stats.loguniform(1e-5, 1e-1), "penalty": ["l2", "l1"]}


def sgd_search(**kwargs) -> HyperbandSearchCV:
    args = {"resource": "n_iter", "max_resource": 9, "cv": 3, "random_state": 0, **kwargs}
    return HyperbandSearchCV(SGDClassifier(random_state=0), SGD_SPACE, **args)


def folds() -> list:
    return list(StratifiedKFold(3).split(X, y))


def test_partial_fit_jobs_continue_their_parent_exactly() -> None:
    search = sgd_search().fit(X, y)
    res = search.cv_results_
    deep = int(np.flatnonzero(res["rung"] == 2)[0])
    assert res["parent_id"][deep] is not None and res["n_resources"][deep] == 9
    train, test = folds()[0]
    fresh = SGDClassifier(random_state=0).set_params(**res["params"][deep])
    for _ in range(9):  # nine uninterrupted passes
        fresh.partial_fit(X[train], y[train], classes=np.unique(y))
    assert res["split0_test_score"][deep] == fresh.score(X[test], y[test])


def test_warm_start_jobs_grow_their_parent_ensemble() -> None:
    search = HyperbandSearchCV(GradientBoostingClassifier(random_state=0, max_depth=2),
                               {"learning_rate": [0.05, 0.1, 0.3, 1.0]},
                               resource="n_estimators", max_resource=9, cv=3, random_state=0)
    search.fit(X, y)
    res = search.cv_results_
    deep = int(np.flatnonzero(res["rung"] == 2)[0])
    train, test = folds()[1]
    fresh = GradientBoostingClassifier(random_state=0, max_depth=2, n_estimators=9,
                                       **res["params"][deep]).fit(X[train], y[train])
    assert res["split1_test_score"][deep] == fresh.score(X[test], y[test])
    assert search.best_estimator_.n_estimators == 9
    assert "n_estimators" not in search.best_params_


def test_n_samples_budget_and_best_index_at_the_full_resource() -> None:
    search = HyperbandSearchCV(LogisticRegression(), {"C": stats.loguniform(1e-3, 1e2)},
                               cv=3, min_resource=20, random_state=0).fit(X, y)
    res = search.cv_results_
    assert search.max_resource_ == 160  # the training-fold size
    plan = search.oracle_.budget().brackets  # R = 160 // 20 = 8 Hyperband epochs
    assert search.n_resources_ == sorted({round(160 * r.epochs / 8) for p in plan for r in p.rungs})
    assert search.n_resources_[0] < 160 and search.n_resources_[-1] == 160
    assert res["n_resources"][search.best_index_] == search.max_resource_
    assert res["rank_test_score"][search.best_index_] == 1
    full = res["mean_test_score"][res["n_resources"] == 160]
    assert search.best_score_ == full.max()
    assert search.best_estimator_.get_params()["C"] == search.best_params_["C"]
    assert search.score(X, y) == search.best_estimator_.score(X, y)
    assert np.array_equal(search.classes_, np.unique(y))


def test_results_table_is_shaped_like_scikit_learns() -> None:
    search = sgd_search(return_train_score=True).fit(X, y)
    res = search.cv_results_
    n = len(res["params"])
    assert n == search.oracle_.budget().jobs
    for key in ["mean_test_score", "std_test_score", "rank_test_score", "split2_test_score",
                "mean_train_score", "mean_fit_time", "std_score_time", "param_alpha",
                "n_resources", "bracket", "rung", "trial_id", "parent_id"]:
        assert len(res[key]) == n, key
    assert isinstance(res["param_alpha"], np.ma.MaskedArray)
    assert sorted(set(res["rung"])) == [0, 1, 2]


def test_same_seed_same_search_and_n_jobs_does_not_change_results() -> None:
    a = sgd_search().fit(X, y).cv_results_
    b = sgd_search(n_jobs=2).fit(X, y).cv_results_
    assert a["params"] == b["params"]
    assert np.array_equal(a["mean_test_score"], b["mean_test_score"])
    c = sgd_search(random_state=1).fit(X, y).cv_results_
    assert a["params"] != c["params"]


def test_clone_get_set_params_and_nested_cross_validation() -> None:
    search = sgd_search()
    cloned = clone(search)
    assert cloned.get_params()["max_resource"] == 9 and cloned is not search
    search.set_params(estimator__loss="log_loss", factor=2)
    assert search.estimator.loss == "log_loss" and search.factor == 2
    scores = cross_val_score(sgd_search(max_resource=3), X, y, cv=2)
    assert scores.shape == (2,) and np.all(scores > 0.4)


def test_inside_a_pipeline_and_around_one() -> None:
    inner = make_pipeline(StandardScaler(), sgd_search(max_resource=3))
    assert inner.fit(X, y).score(X, y) > 0.5
    outer = HyperbandSearchCV(make_pipeline(StandardScaler(), LogisticRegression()),
                              {"logisticregression__C": [0.01, 1.0, 100.0]}, cv=3,
                              random_state=0).fit(X, y)
    assert set(outer.best_params_) == {"logisticregression__C"}
    assert outer.predict(X).shape == y.shape


def test_failing_fits_are_scored_error_score_and_warned() -> None:
    space = {"alpha": [1e-4, 1e-3], "l1_ratio": [0.5, 7.0]}  # l1_ratio=7 is invalid
    with pytest.warns(FitFailedWarning, match="fits failed out of a total of"):
        search = HyperbandSearchCV(SGDClassifier(penalty="elasticnet", random_state=0), space,
                                   resource="n_iter", max_resource=3, cv=3,
                                   random_state=0).fit(X, y)
    bad = np.array([p["l1_ratio"] == 7.0 for p in search.cv_results_["params"]])
    assert bad.any() and np.isnan(search.cv_results_["mean_test_score"][bad]).all()
    assert search.best_params_["l1_ratio"] == 0.5
    with pytest.raises(ValueError, match="l1_ratio"):
        HyperbandSearchCV(SGDClassifier(penalty="elasticnet"), space, resource="n_iter",
                          max_resource=3, cv=3, random_state=0, error_score="raise").fit(X, y)


def test_when_every_fit_fails_the_error_is_raised() -> None:
    with pytest.raises(ValueError, match="l1_ratio") as info:
        HyperbandSearchCV(SGDClassifier(penalty="elasticnet"), {"l1_ratio": [7.0, 8.0]},
                          resource="n_iter", max_resource=3, cv=3).fit(X, y)
    assert any("All the" in note for note in getattr(info.value, "__notes__", []))


@pytest.mark.parametrize("kwargs, match", [
    ({"resource": "bogus"}, "resource must be 'n_samples', 'n_iter' or an integer parameter of "
                            "SGDClassifier, got 'bogus'"),
    ({"factor": 1}, "factor must be an integer >= 2, got 1"),
    ({"max_resource": 0}, "max_resource must be an integer >= 1"),
    ({"scoring": ["accuracy", "f1"]}, "scoring must be"),
    ({"refit": "yes"}, "refit must be True or False"),
    ({"error_score": "ignore"}, "error_score must be a real number or 'raise'"),
])
def test_bad_arguments_are_named(kwargs, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        sgd_search(**kwargs).fit(X, y)


@pytest.mark.parametrize("kwargs, match", [
    # 160 samples per training fold (240 samples, cv=3): larger subsets would repeat the fold
    ({"max_resource": 200, "min_resource": 100},
     r"max_resource must be an integer <= 160 .*smallest training fold.*, got 200"),
    ({"min_resource": 100000}, r"min_resource must be an integer <= max_resource=160 .*"
                               r"got 100000"),
    ({"resource": "n_iter", "max_resource": 9, "min_resource": 20},
     r"min_resource must be an integer <= max_resource=9, got 20"),
    ({"resource": "n_iter", "min_resource": 2000},  # 'auto': SGDClassifier's max_iter=1000
     r"min_resource must be an integer <= max_resource=1000 \(max_resource='auto'.*got 2000"),
])
def test_resource_bounds_that_cannot_be_planned_fail_before_any_fit(kwargs, match: str,
                                                                    monkeypatch) -> None:
    from rung.integrations.sklearn import _search

    fits: list[object] = []
    monkeypatch.setattr(_search, "fit_fold", lambda *args: fits.append(args))
    search = HyperbandSearchCV(SGDClassifier(random_state=0), SGD_SPACE, cv=3, random_state=0,
                               **{"resource": "n_samples", **kwargs})
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)
    assert fits == []


def test_resource_bounds_at_the_limits_are_accepted() -> None:
    whole = HyperbandSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3, max_resource=160,
                              min_resource=160, random_state=0).fit(X, y)
    assert (whole.max_resource_, whole.min_resource_, whole.n_resources_) == (160, 160, [160])
    # an 'auto' min_resource (2 * 3 folds * 3 classes = 18) adapts to a smaller max_resource
    small = HyperbandSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3, max_resource=12,
                              random_state=0).fit(X, y)
    assert (small.max_resource_, small.min_resource_) == (12, 12)


def test_bad_spaces_are_named() -> None:
    with pytest.raises(ValueError, match=r"param_space names \['nope'\]"):
        HyperbandSearchCV(SGDClassifier(), {"nope": [1, 2]}).fit(X, y)
    with pytest.raises(ValueError, match="resource='max_iter' is tuned"):
        HyperbandSearchCV(SGDClassifier(), {"max_iter": [1, 2]}, resource="max_iter").fit(X, y)
    with pytest.raises(ValueError, match="'n_iter' needs an estimator with partial_fit, and "
                                         "LogisticRegression has none"):
        HyperbandSearchCV(LogisticRegression(), {"C": [1, 2]}, resource="n_iter").fit(X, y)
    with pytest.raises(TypeError, match=r"param_space\['C'\] must be a list"):
        ParamSpace({"C": 3})
    with pytest.raises(ValueError, match=r"param_space\['C'\] must not be an empty list"):
        ParamSpace({"C": []})


@pytest.mark.parametrize("estimator, space, resource, match", [
    # partial_fit ignores max_iter: every value would score the same (review s15, finding 1)
    (SGDClassifier(), {"alpha": [1e-3], "max_iter": [1, 5, 1000]}, "n_iter",
     r"param_space\['max_iter'\]=\[1, 5, 1000\] tunes nothing with resource='n_iter': .*"
     r"partial_fit.* ignores max_iter.*remove 'max_iter' from param_space"),
    # the warm-started ensemble is grown with warm_start=True whatever the space says
    (GradientBoostingClassifier(), {"warm_start": [True, False]}, "n_estimators",
     r"param_space\['warm_start'\]=\[True, False\] tunes nothing with "
     r"resource='n_estimators': .*remove 'warm_start' from param_space"),
])
def test_a_parameter_the_resource_overrides_is_refused_before_any_fit(
        estimator, space, resource: str, match: str, monkeypatch) -> None:
    fits = _never_fits(monkeypatch)
    search = HyperbandSearchCV(estimator, space, resource=resource, max_resource=9, cv=3)
    with pytest.raises(ConfigurationError, match=match):
        search.fit(X, y)
    assert fits == []


def test_max_iter_is_tuned_when_it_is_the_refit_resource_of_another_kind() -> None:
    """Only the parameter a resource overrides is refused: with resource='n_samples' max_iter
    changes what a job trains, so it may be tuned."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = HyperbandSearchCV(SGDClassifier(random_state=0), {"max_iter": [1, 20]}, cv=3,
                                   random_state=0).fit(X, y)
    assert "max_iter" in search.best_params_


def test_param_space_conversions() -> None:
    space = ParamSpace({"u": stats.uniform(1, 2), "lu": stats.loguniform(1e-4, 1e-1),
                        "ri": stats.randint(2, 6), "n": stats.norm(5, 1),
                        "p": stats.poisson(3), "sizes": [(10,), (20, 20)], "w": [None, "balanced"],
                        "one": ["x"]})
    kinds = {p.name: (type(p).__name__, getattr(p, "sampling", None))
             for p in space.hyperparameters.space}
    assert kinds["u"][0] == "Float" and (kinds["lu"] == ("Float", "log"))
    assert kinds["ri"][0] == "Int" and kinds["one"][0] == "Fixed"
    hp = space.hyperparameters
    assert (hp.get("ri"), hp.space[2].max_value) == (2, 5)  # randint's high is exclusive
    decoded = space.decode({"n": 0.5, "p": 0.5, "sizes": 1, "w": 0, "u": 1.5})
    assert decoded == {"n": 5.0, "p": 3, "sizes": (20, 20), "w": None, "u": 1.5}
    rng = np.random.default_rng(0)
    draws = [space.decode({"n": hp.space[3].random_sample(rng)})["n"] for _ in range(2000)]
    assert abs(np.mean(draws) - 5) < 0.1 and abs(np.std(draws) - 1) < 0.1
    given = rung.HyperParameters()
    given.Float("alpha", 1e-5, 1e-1, sampling="log")
    assert ParamSpace(given).names == ["alpha"]


def test_fit_params_reach_every_fit() -> None:
    weights = np.where(y == 0, 0.0, 1.0)  # class 0 counts for nothing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = HyperbandSearchCV(LogisticRegression(), {"C": [1.0, 10.0]}, cv=3,
                                   random_state=0).fit(X, y, sample_weight=weights)
    plain = HyperbandSearchCV(LogisticRegression(), {"C": [1.0, 10.0]}, cv=3,
                              random_state=0).fit(X, y)
    assert not np.array_equal(search.cv_results_["mean_test_score"],
                              plain.cv_results_["mean_test_score"])
    assert (search.best_estimator_.predict(X) == 0).mean() < (plain.predict(X) == 0).mean()


def _never_fits(monkeypatch) -> list:
    """Record every fold fit (none may start when an argument is refused)."""
    from rung.integrations.sklearn import _search

    fits: list[object] = []
    monkeypatch.setattr(_search, "fit_fold", lambda *args: fits.append(args))
    return fits


@pytest.mark.parametrize("kwargs, error, match", [
    ({"estimator": None}, ArgumentTypeError,
     r"estimator must be a scikit-learn estimator \(an object with get_params and fit\), got None"),
    ({"estimator": 5}, ArgumentTypeError, r"estimator must be a scikit-learn estimator.*got 5"),
    ({"estimator": SGDClassifier}, ArgumentTypeError,
     r"estimator must be .*SGDClassifier'> \(ABCMeta\); pass an instance, e.g. SGDClassifier\(\)"),
    ({"return_train_score": "x"}, ArgumentTypeError,
     "return_train_score must be True or False, got 'x'"),
    ({"n_jobs": "2"}, ArgumentTypeError, r"n_jobs must be None \(1 worker\).*got '2'"),
    ({"n_jobs": 0}, ConfigurationError, r"n_jobs must be None \(1 worker\), a positive integer, "
                                        r"or -1 for all cores .*got 0"),
    ({"verbose": -1}, ConfigurationError, "verbose must be an integer >= 0, got -1"),
    ({"cv": 1}, ConfigurationError, "cv must be an integer >= 2, got 1"),
    ({"cv": "5"}, ArgumentTypeError, "cv must be None, an integer >= 2, a scikit-learn splitter"),
    ({"cv": 500}, ConfigurationError,
     r"cv must be at most 240 folds \(the data has 240 samples\), got 500"),
    ({"random_state": -1}, ConfigurationError,
     r"random_state must be an integer in \[0, 4294967295\], got -1"),
    ({"random_state": "a"}, ArgumentTypeError,
     "random_state must be None, an integer in .* or a numpy.random.RandomState, got 'a'"),
    ({"scoring": "accuracyy"}, ConfigurationError,
     r"scoring must be a scorer name, a callable or None, got 'accuracyy'; did you mean "
     r"'accuracy'\?"),
    ({"scoring": 5}, ArgumentTypeError, "scoring must be a scorer name, a callable or None, got 5"),
    # cv as (train, test) index pairs: checked against the data, fold and side named
    ({"cv": [(np.arange(100), np.arange(100, 250))]}, ConfigurationError,
     r"cv\[0\]\[1\] must be the test indices of fold 0: a non-empty array of sample indices in "
     r"\[0, 240\)"),
    ({"cv": [(np.arange(100), [])]}, ConfigurationError, r"cv\[0\]\[1\] must be .*got \[\]"),
    ({"cv": [([], np.arange(100))]}, ConfigurationError,
     r"cv\[0\]\[0\] must be the train indices of fold 0"),
    ({"cv": [(np.arange(100), np.arange(100, 200)), (np.arange(-3, 0), [0])]},
     ConfigurationError, r"cv\[1\]\[0\] must be the train indices of fold 1"),
    ({"cv": []}, ConfigurationError, r"cv must be at least one \(train, test\) split, got \[\]"),
    ({"cv": [(1, 2, 3)]}, ConfigurationError, r"cv\[0\] must be a \(train, test\) pair"),
    # a splitter's own error (K folds of fewer samples, groups missing) names cv
    ({"cv": KFold(500)}, ConfigurationError, r"cv must be a splitter that can split the data "
     r"\(240 samples\), got KFold.*its split raised ValueError: Cannot have number of splits"),
    ({"cv": GroupKFold(3)}, ConfigurationError, r"cv must be a splitter .*ValueError.*groups"),
    # a plan that no memory holds: 10**9 partial_fit passes, 897,489,745 jobs
    ({"max_resource": 10**9}, ConfigurationError,
     r"max_resource=1000000000 is too large for min_resource=1 and factor=3 \(resource="
     r"'n_iter'\): the Hyperband plan has 897,489,745 jobs, 387,420,489 of them in its first "
     r"rung.*at most 1,000,000 jobs"),
    ({"hyperband_iterations": 10**6}, ConfigurationError,
     r"hyperband_iterations must be an integer <= 45454 with max_resource=9.*got 1000000"),
])
def test_bad_arguments_are_refused_in_fit_before_any_fit(kwargs, error, match: str,
                                                         monkeypatch) -> None:
    """scikit-learn's convention: __init__ stores, fit checks (and names the argument) first."""
    fits = _never_fits(monkeypatch)
    args = {"estimator": SGDClassifier(random_state=0), **kwargs}
    search = HyperbandSearchCV(args.pop("estimator"), SGD_SPACE,
                               **{"resource": "n_iter", "max_resource": 9, "cv": 3, **args})
    with pytest.raises(error, match=match):
        search.fit(X, y)
    assert fits == []


def test_the_largest_plan_is_accepted_and_a_boolean_mask_is_a_fold(monkeypatch) -> None:
    from rung.integrations.sklearn._params import MAX_JOBS, check_plan

    search = sgd_search(resource="n_iter")
    assert check_plan(3**11, search, 3**11, 1) == 418_902 <= MAX_JOBS  # as documented
    masks = [(np.arange(240) < 160, np.arange(240) >= 160)]
    fitted = sgd_search(cv=masks, max_resource=3).fit(X, y)
    assert fitted.n_splits_ == 1


def test_a_non_estimator_has_default_tags_until_fit_refuses_it() -> None:
    """``is_classifier`` (cross_val_score's first question) must not crash on a bad estimator:
    fit raises the error that names it."""
    from sklearn.base import is_classifier

    assert not is_classifier(HyperbandSearchCV(None, SGD_SPACE))
    assert is_classifier(HyperbandSearchCV(SGDClassifier(), SGD_SPACE))


def test_a_list_that_repeats_a_value_is_refused_as_hp_choice_refuses_one() -> None:
    with pytest.raises(SearchSpaceError, match=r"param_space\['alpha'\]: values contain 0.0001 "
                                               r"\(float\) more than once"):
        HyperbandSearchCV(SGDClassifier(), {"alpha": [1e-4, 1e-4]}, resource="n_iter",
                          max_resource=3, cv=3).fit(X, y)
    with pytest.raises(SearchSpaceError, match=r"param_space\['w'\]: values contain None"):
        ParamSpace({"w": [None, "balanced", None]})  # chosen by index: refused all the same
    with pytest.raises(SearchSpaceError, match=r"values contain \(10,\) \(tuple\) more than once"):
        ParamSpace({"sizes": [(10,), (10,)]})
    with pytest.raises(SearchSpaceError, match=r"values contain 1.0 \(float\) more than once"):
        ParamSpace({"C": [1.0, 0.5, 1.0]})
    assert ParamSpace({"flag": [True, 1]}).names == ["flag"]  # a bool is not the number 1


def test_equal_values_of_different_types_are_not_duplicates() -> None:
    """``max_features=1`` is one feature, ``1.0`` all of them: both stay, each decoded as given."""
    space = ParamSpace({"max_features": [1, 0.5, 1.0], "t": [(1,), (1.0,)]})
    (choice, _) = space.hyperparameters.space
    decoded = [space.decode({"max_features": v})["max_features"] for v in choice.values]
    assert decoded == [1, 0.5, 1.0]
    assert [type(v) for v in decoded] == [int, float, float]


@pytest.mark.parametrize("cv", [ShuffleSplit(n_splits=10, test_size=0.25, random_state=0),
                                StratifiedShuffleSplit(n_splits=10, test_size=0.5,
                                                       random_state=0)])
def test_a_random_splitter_may_make_more_splits_than_samples(cv) -> None:
    """Only an integer cv (K folds) is bounded by the number of samples, as in GridSearchCV."""
    X8, y8 = X[:8], np.array([0, 1] * 4)
    search = HyperbandSearchCV(SGDClassifier(random_state=0), {"alpha": [1e-4, 1e-3]},
                               resource="n_iter", max_resource=3, cv=cv, random_state=0)
    search.fit(X8, y8)
    assert search.n_splits_ == 10
