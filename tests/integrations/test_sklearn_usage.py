"""HyperbandSearchCV used as scikit-learn users use HalvingRandomSearchCV: what refit=False
says, which resources the plural attributes report, and data of the wrong length."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from scipy import stats  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression, SGDClassifier  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from rung.errors import ConfigurationError  # noqa: E402
from rung.integrations.sklearn import HyperbandSearchCV  # noqa: E402

X, y = make_classification(n_samples=240, n_features=8, n_informative=5, n_classes=3,
                           random_state=0)


def _never_fits(monkeypatch: pytest.MonkeyPatch) -> list:
    from rung.integrations.sklearn import _search

    fits: list[object] = []
    monkeypatch.setattr(_search, "fit_fold", lambda *args: fits.append(args))
    return fits


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function", "score"])
def test_refit_false_says_why_there_is_no_predict(method: str) -> None:
    search = HyperbandSearchCV(SGDClassifier(loss="log_loss", random_state=0),
                               {"alpha": [1e-4, 1e-3]}, resource="n_iter", max_resource=3,
                               cv=3, random_state=0, refit=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    assert not hasattr(search, method)
    with pytest.raises(AttributeError) as info:
        getattr(search, method)(X)
    # as scikit-learn's searches: the reason is the cause, shown in the traceback
    assert isinstance(info.value.__cause__, AttributeError)
    assert f"refit=False: {method} needs best_estimator_" in str(info.value.__cause__)
    assert "best_params_" in str(info.value.__cause__)


def test_min_resources_is_the_smallest_resource_a_job_got() -> None:
    """scikit-learn's ``min_resources_`` is what the first iteration's candidates got. Hyperband's
    smallest budget is ``max_resource / factor**s`` (at least ``min_resource``): with 160
    samples, ``min_resource=20`` and ``factor=3`` (8 epochs of 20 samples, so brackets of 8 and
    of 8 / 3 epochs, rounded to 2), the smallest job trains on 40 samples, none on 20."""
    search = HyperbandSearchCV(LogisticRegression(), {"C": stats.loguniform(1e-2, 1e2)}, cv=3,
                               min_resource=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    assert search.min_resource_ == 20  # the bound, as given
    assert search.min_resources_ == min(search.cv_results_["n_resources"]) == 40
    assert search.n_resources_[0] == search.min_resources_


def test_verbose_announces_the_smallest_resource_a_job_gets(capsys) -> None:
    search = HyperbandSearchCV(LogisticRegression(), {"C": stats.loguniform(1e-2, 1e2)}, cv=3,
                               min_resource=20, random_state=0, verbose=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    head = capsys.readouterr().out.splitlines()[0]
    assert "n_samples from 40 to 160" in head, head


@pytest.mark.parametrize("kwargs, match", [
    ({"y": y[:-3]}, r"y must have one entry per sample of X \(240 samples\), got 237 entries"),
    ({"y": y, "groups": np.zeros(4)}, r"groups must have one entry per sample of X \(240 "
                                      r"samples\), got 4"),
    ({"y": y, "sample_weight": np.ones(5)}, r"sample_weight must have one entry per sample of "
                                            r"X \(240 samples\), got 5"),
])
def test_data_of_the_wrong_length_is_named_before_any_fit(kwargs, match: str,
                                                          monkeypatch) -> None:
    fits = _never_fits(monkeypatch)
    search = HyperbandSearchCV(SGDClassifier(), {"alpha": [1e-4, 1e-3]}, resource="n_iter",
                               max_resource=3, cv=3)
    with pytest.raises(ValueError, match=match):
        search.fit(X, **kwargs)
    assert fits == []


def test_a_pipeline_steps_sample_weight_of_the_wrong_length_is_named(monkeypatch) -> None:
    fits = _never_fits(monkeypatch)
    search = HyperbandSearchCV(make_pipeline(StandardScaler(), LogisticRegression()),
                               {"logisticregression__C": [0.1, 1.0]}, cv=3)
    with pytest.raises(ValueError, match=r"logisticregression__sample_weight must have one "
                                         r"entry per sample of X \(240 samples\), got 7"):
        search.fit(X, y, logisticregression__sample_weight=np.ones(7))
    assert fits == []


def test_a_resource_of_a_pipeline_step_is_suggested(monkeypatch) -> None:
    fits = _never_fits(monkeypatch)
    pipe = make_pipeline(StandardScaler(), GradientBoostingClassifier())
    search = HyperbandSearchCV(pipe, {"gradientboostingclassifier__learning_rate": [0.1, 0.3]},
                               resource="n_estimators", max_resource=9, cv=3)
    with pytest.raises(ConfigurationError, match=r"got 'n_estimators'; did you mean "
                                                 r"'gradientboostingclassifier__n_estimators'\?"):
        search.fit(X, y)
    assert fits == []


def test_n_iter_without_partial_fit_mentions_a_pipeline_only_for_one() -> None:
    search = HyperbandSearchCV(KNeighborsClassifier(), {"n_neighbors": [1, 3]}, resource="n_iter")
    with pytest.raises(ConfigurationError, match="KNeighborsClassifier has none") as info:
        search.fit(X, y)
    assert "Pipeline" not in str(info.value)


def test_error_score_must_be_a_real_number(monkeypatch) -> None:
    fits = _never_fits(monkeypatch)
    search = HyperbandSearchCV(SGDClassifier(), {"alpha": [1e-4, 1e-3]}, resource="n_iter",
                               max_resource=3, cv=3, error_score=1j)
    with pytest.raises(ConfigurationError, match=r"error_score must be a real number .*got 1j"):
        search.fit(X, y)
    assert fits == []


@pytest.mark.parametrize(("dist", "shown"), [
    (stats.loguniform(0, 1), r"loguniform\(0, 1\), whose support is \[nan, nan\]: its parameters are "
                       r"invalid \(loguniform\(a, b\) needs 0 < a < b\)"),
    (stats.uniform(0, float("inf")), r"uniform\(0, inf\), whose support is \[nan, inf\]"),
])
def test_a_distribution_without_finite_values_is_refused_before_any_fit(dist: object,
                                                                         shown: str) -> None:
    # scipy builds it without complaint and samples nan: every fit would fail
    search = HyperbandSearchCV(SGDClassifier(), {"alpha": dist}, resource="n_iter",
                               max_resource=3, cv=3)
    with pytest.raises(ValueError, match=r"param_space\['alpha'\] must be a distribution with "
                                         r"finite values, got " + shown):
        search.fit(*make_classification(n_samples=60, random_state=0))


def test_an_n_iter_refit_is_max_resource_partial_fit_passes_and_keeps_max_iter() -> None:
    """docs/training-functions.md: with resource="n_iter" the refitted best_estimator_ got
    max_resource passes of partial_fit; its max_iter (which partial_fit ignores) is unchanged."""
    search = HyperbandSearchCV(SGDClassifier(random_state=0), {"alpha": [1e-4, 1e-3]},
                               resource="n_iter", max_resource=9, cv=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    best = search.best_estimator_
    assert (best.t_ - 1) / len(X) == 9 and best.max_iter == 1000
