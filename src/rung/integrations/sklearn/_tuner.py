"""``SklearnTuner``: keras-tuner's cross-validating tuner for scikit-learn models, on rung."""

from __future__ import annotations

import numbers
import os
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rung.errors import ArgumentTypeError, ConfigurationError, FatalTypeError
from rung.integrations.keras.api import explain_distribution
from rung.integrations.sklearn._folds import (
    check_folds,
    check_lengths,
    check_n_splits,
    check_samples,
    listed_folds,
    split_folds,
)
from rung.integrations.sklearn._params import check_scorer_name
from rung.objective import MultiObjective, Objective
from rung.optional import import_optional
from rung.oracles.base import Oracle
from rung.trial import Trial
from rung.tuner.base import _SEARCH_OPTIONS, BaseTuner
from rung.validation import check_instance, check_int, fail_type, nearest

__all__ = ["SklearnTuner"]


def _build(hypermodel: Any, hp: Any, needs: tuple[str, ...] = ("fit",)) -> Any:
    """Build the estimator for ``hp``. Anything but an estimator with the methods ``needs``
    (``fit``; ``score`` without ``scoring``; ``predict`` with ``metrics``) is a
    ``FatalTypeError``: every trial would fail the same way, so the search stops at once (as a
    Keras build that returns no ``keras.Model``)."""
    model = hypermodel.build(hp) if hasattr(hypermodel, "build") else hypermodel(hp)
    missing = [m for m in needs if not callable(getattr(model, m, None))]
    if isinstance(model, type) or missing:
        what = "the class" if isinstance(model, type) else (
            f"{type(model).__name__} {model!r:.80}")
        hint = {
            "fit": "did the function forget to `return` the estimator?" if model is None else
                   "return a scikit-learn estimator instance, e.g. LogisticRegression(C=...)",
            "score": "pass scoring=... to SklearnTuner, or return an estimator with score",
            "predict": "metrics score model.predict(X): return an estimator with predict",
        }[missing[0] if missing else "fit"]
        raise FatalTypeError(
            "Expected the model-building function (or HyperModel.build) to return a scikit-learn "
            f"estimator instance with {', '.join(needs)}; got {what}; {hint}")
    return model


def _fits_with_weights(model: Any) -> bool:
    """Whether ``model`` (a pipeline: its final step) takes ``sample_weight`` in ``fit``; when
    not, it is fitted unweighted (as keras-tuner does) and the weights still weigh the scores."""
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import has_fit_parameter

    final = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if final == "passthrough" or has_fit_parameter(final, "sample_weight"):
        return True
    warnings.warn(f"{type(final).__name__}.fit takes no sample_weight: it is fitted unweighted "
                  "(the weights still weigh the scores)", UserWarning, stacklevel=3)
    return False


class SklearnTuner(BaseTuner):
    """Tune a scikit-learn model by cross-validation (keras-tuner's ``SklearnTuner``).

    Each trial builds a model from its hyperparameters, fits it on every training fold, scores
    it on the test fold, and reports the mean ``"score"`` (and of each of ``metrics``). Every
    trial trains in full: the oracle must be single-fidelity (random, grid, Bayesian, a custom
    ``rung.Oracle``); use ``HyperbandSearchCV`` for Hyperband over partial fits, estimators or
    samples.

    Args:
        oracle: a single-fidelity ``rung.oracles.Oracle`` (a multi-fidelity one, Hyperband,
            BOHB, ASHA, successive halving, is refused: its budgets would mean nothing here).
            If it has no objective of its own, the objective is ``Objective("score", "max")``;
            one that is none of the metrics reported (``"score"`` and the names of ``metrics``)
            is refused (``ConfigurationError``).
        hypermodel: ``build(hp) -> estimator`` (a function, or an object with ``build``; a
            class, such as an estimator class, is an ``ArgumentTypeError``). A build that
            returns no estimator (``None``, say) stops the search with a ``FatalTypeError``
            (raised by the constructor already, which builds once).
        scoring: ``scoring(model, X, y, sample_weight=None) -> float`` (a scorer, e.g.
            ``sklearn.metrics.make_scorer(...)``) or a scorer name; None: ``model.score``.
        metrics: more metric functions ``metric(y_true, y_pred, sample_weight=None)``, reported
            under their ``__name__``.
        cv: a splitter (an object with ``split``), an iterable of ``(train, test)`` index
            arrays (kept as a list: every trial uses the same folds), or a number of folds
            (>= 2) resolved as scikit-learn's ``check_cv`` does: ``StratifiedKFold`` when the built model is a
            classifier and ``y`` binary or multiclass, else ``KFold`` (neither shuffled).
            None: ``KFold(5, shuffle=True, random_state=1)``, keras-tuner's default.
        **kwargs: ``directory``, ``project_name``, ``overwrite``, ``keep_checkpoints``, ... (see
            ``rung.tuner.BaseTuner``).

    ``search`` checks the data before the first trial: ``X`` 2-D, ``y``, ``sample_weight`` and
    ``groups`` one entry per sample (``SearchDataError``), and ``cv``'s folds against it (index
    pairs inside the data, an integer ``cv`` no more folds than samples, a splitter's folds made
    once and checked alike; ``ConfigurationError`` naming ``cv``).

    The model fitted on the last fold is saved; ``get_best_models`` loads it (as keras-tuner does).

    Example::

        def build(hp):
            return RandomForestClassifier(n_estimators=hp.Int("n_estimators", 10, 50),
                                          max_depth=hp.Int("max_depth", 3, 10))

        tuner = SklearnTuner(rung.oracles.RandomSearchOracle(
                                 objective=rung.Objective("score", "max"), max_trials=10),
                             build, directory="runs", project_name="rf")
        tuner.search(X, y)
        model = tuner.get_best_models(1)[0]
    """

    def __init__(self, oracle: Oracle, hypermodel: Any, scoring: Any = None,
                 metrics: Callable[..., float] | Sequence[Callable[..., float]] | None = None,
                 cv: Any = None, logger: Any = None, **kwargs: Any) -> None:
        model_selection = import_optional("sklearn.model_selection", "sklearn", "SklearnTuner")
        if logger is not None:  # keras-tuner's BaseTuner takes it too, with this warning
            warnings.warn("The `logger` argument is deprecated (as in keras-tuner) and unused: "
                          "rung records every trial in its project", DeprecationWarning,
                          stacklevel=2)
        self.tuner_id = os.environ.get("KERASTUNER_TUNER_ID", "tuner0")  # as keras-tuner's
        explain_distribution(os.environ, self.tuner_id)
        if not (callable(hypermodel) or hasattr(hypermodel, "build")):
            raise TypeError(f"hypermodel must be a function build(hp) -> estimator or have a "
                            f"build method; got {hypermodel!r} ({type(hypermodel).__name__})")
        if isinstance(hypermodel, type):  # LogisticRegression(hp) would build, then never fit
            raise fail_type(
                "hypermodel", "a function build(hp) -> estimator, or a HyperModel instance",
                hypermodel, f"not a class: write e.g. `def build(hp): return "
                f"{hypermodel.__name__}(...)` with hp.Float/hp.Int/hp.Choice values (or pass "
                "an instance of a HyperModel class)")
        if isinstance(oracle, Oracle) and oracle.multi_fidelity:
            raise ConfigurationError(
                f"oracle must be a single-fidelity oracle (RandomSearchOracle, GridSearchOracle, "
                f"BayesianOptimizationOracle, a custom rung.Oracle), got "
                f"{type(oracle).__name__}: every SklearnTuner trial is a full cross-validation, "
                "so its budgets (epochs) would change nothing; for Hyperband on scikit-learn "
                "use rung.integrations.sklearn.HyperbandSearchCV (budget: partial_fit passes, "
                "estimators or training samples)")
        if isinstance(oracle, Oracle) and oracle.objective.name == "default_objective":
            oracle.objective = Objective("score", "max")
        if isinstance(scoring, str):
            check_scorer_name(scoring, "a scorer callable, a scorer name or None")
            scoring = import_optional("sklearn.metrics", "sklearn", "SklearnTuner").get_scorer(
                scoring)
        if scoring is not None and not callable(scoring):
            raise TypeError(f"scoring must be a scorer callable, a scorer name or None; got "
                            f"{scoring!r}")
        functions: list[Any] = [] if metrics is None else (
            list(metrics) if isinstance(metrics, (list, tuple)) else [metrics])
        for metric in functions:
            if not callable(metric):
                raise TypeError(f"metrics must be metric functions, got {metric!r}")
            if not isinstance(getattr(metric, "__name__", None), str):
                raise ArgumentTypeError(f"metrics are reported under their __name__, and "
                                        f"{metric!r} has none: wrap it in a def, or set its "
                                        "__name__")
        if isinstance(oracle, Oracle) and type(self).run_trial is SklearnTuner.run_trial:
            # else every trial would cross-validate, then fail (a subclass may report more)
            _check_objective(oracle.objective, ["score"] + [m.__name__ for m in functions])
        if cv is None:
            cv = model_selection.KFold(5, shuffle=True, random_state=1)
        elif isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
            check_int("cv", cv, 2, hint="cv=n splits into n folds")
        elif isinstance(cv, str) or not hasattr(cv, "split"):  # str has a split method too
            cv = listed_folds(cv)
        self.scoring = scoring
        self.metrics = functions  # keras-tuner's name
        self.cv = cv
        super().__init__(oracle, hypermodel=hypermodel, **kwargs)

    def populate_search_space(self) -> None:
        """Build once to declare the space up front (``search_space_summary`` before search)."""
        hp = self.oracle.hyperparameters.copy()
        self._build(hp)
        self.oracle.update_space(hp)

    def _build(self, hp: Any) -> Any:
        needs = ("fit",) + (("score",) if self.scoring is None else ()) + (
            ("predict",) if self.metrics else ())
        return _build(self.hypermodel, hp, needs)

    # keras-tuner's SklearnTuner.search signature (the data), plus the search's own options
    def search(  # type: ignore[override]
        self, X: Any, y: Any, sample_weight: Any = None, groups: Any = None, **options: Any
    ) -> None:
        """Run the search on ``X, y`` (``groups`` go to the splitter).

        ``options`` are the search's own keyword options, as for every tuner (``workers``,
        ``executor``, ``job_timeout``, ``max_time``, ``max_epochs_total``, ``retry_failed``,
        ``reproducible``, ``resources_per_job``, ``verbose``; see ``BaseTuner.search``); any
        other name is an ``ArgumentTypeError`` naming it, before the data is looked at.
        """
        unknown = [name for name in options if name not in _SEARCH_OPTIONS]
        if unknown:
            near = nearest(unknown[0], _SEARCH_OPTIONS)
            hint = f"did you mean {near!r}? " if near else ""
            raise ArgumentTypeError(
                f"SklearnTuner.search got an unexpected keyword argument {unknown[0]!r}: "
                f"{hint}it takes the data (X, y, sample_weight=None, groups=None) and the "
                f"search's options {', '.join(_SEARCH_OPTIONS)}")
        check_samples(X)
        n = check_lengths("SklearnTuner.search", X, y=y, sample_weight=sample_weight,
                          groups=groups)
        self._check_cv(X, y, groups, n)
        super().search(X, y, sample_weight=sample_weight, groups=groups, **options)

    def _check_cv(self, X: Any, y: Any, groups: Any, n_samples: int) -> None:
        """``cv`` against the data: index pairs inside it; a number of folds no more than the
        samples; a splitter's splits made once (its own error names ``cv``) and checked."""
        if isinstance(self.cv, list):
            check_folds("cv", self.cv, n_samples)
        elif hasattr(self.cv, "split"):
            split_folds(self.cv, X, y, groups, n_samples)
        else:
            check_n_splits(self.cv, n_samples)

    def run_trial(self, trial: Trial, X: Any, y: Any, sample_weight: Any = None,
                  groups: Any = None, verbose: Any = None) -> dict[str, float]:
        """Cross-validate the model ``trial``'s hyperparameters build; ``verbose`` (what
        ``search(verbose=...)`` passes on, keras-tuner's ``fit`` verbosity) is not used."""
        from sklearn.base import is_classifier
        from sklearn.model_selection import check_cv
        from sklearn.pipeline import Pipeline
        from sklearn.utils import _safe_indexing

        results: dict[str, list[float]] = defaultdict(list)
        weights = None if sample_weight is None else np.asarray(sample_weight)
        split_kwargs = {} if groups is None else {"groups": groups}
        first = self._build(trial.hyperparameters)  # also decides what cv=int is
        splitter = check_cv(self.cv, y, classifier=is_classifier(first))  # a splitter: as is
        model = None
        for train, test in splitter.split(X, y, **split_kwargs):
            model = first if model is None else self._build(trial.hyperparameters)
            X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
            X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
            fit_kwargs: dict[str, Any] = {}
            if weights is not None and _fits_with_weights(model):
                key = "sample_weight"
                if isinstance(model, Pipeline):  # route to the final step
                    key = f"{model.steps[-1][0]}__sample_weight"
                fit_kwargs[key] = weights[train]
            model.fit(X_train, y_train, **fit_kwargs)
            test_kwargs = {} if weights is None else {"sample_weight": weights[test]}
            if self.scoring is None:
                score = model.score(X_test, y_test, **test_kwargs)
            else:
                score = self.scoring(model, X_test, y_test, **test_kwargs)
            results["score"].append(float(score))
            if self.metrics:
                predicted = model.predict(X_test)
                for metric in self.metrics:
                    value = metric(y_test, predicted, **test_kwargs)
                    results[metric.__name__].append(float(value))
        if model is None:
            raise ValueError(f"cv={self.cv!r} produced no splits")
        trial.save_checkpoint(model)
        return {name: float(np.mean(values)) for name, values in results.items()}

    def save_model(self, trial_id: str, model: Any, step: int = 0) -> None:
        """Save ``model`` as the checkpoint of trial ``trial_id`` (what ``load_model`` returns),
        for a ``run_trial`` override, as keras-tuner's ``SklearnTuner.save_model``; ``step`` is
        accepted and unused."""
        check_int("step", step, 0)
        self.checkpoints.save(trial_id, model)

    def load_model(self, trial: Trial) -> Any:
        """The model a trial saved (fitted on its last training fold)."""
        check_instance("trial", trial, Trial, "a rung.Trial, e.g. one of "
                       "tuner.oracle.get_best_trials()")
        model = self.checkpoints.load(trial.trial_id)
        if model is None:
            raise self.checkpoint_cleanup.missing_error(trial)
        return model


def _check_objective(objective: Objective | MultiObjective, reported: list[str]) -> None:
    """Refuse an objective that is none of the metrics a trial reports: ``"score"`` and the
    names of ``metrics``."""
    names = [o.name for o in objective.objectives] if isinstance(
        objective, MultiObjective) else [objective.name]
    missing = [name for name in names if name not in reported]
    if missing:
        near = nearest(missing[0], reported)
        hint = f" (did you mean {near!r}?)" if near else ""
        raise ConfigurationError(
            f"the oracle's objective {missing[0]!r}{hint} is not among the metrics SklearnTuner "
            f"reports, {reported}: 'score' (scoring's mean over the folds) and each function of "
            "metrics= under its __name__. Pass the oracle objective=rung.Objective('score', "
            f"'max') (or a name above), or a metric function named {missing[0]!r} in metrics=")

