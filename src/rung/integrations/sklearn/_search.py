"""``HyperbandSearchCV``: rung's Hyperband as a scikit-learn estimator."""

from __future__ import annotations

import numbers
import time
import warnings
from copy import deepcopy
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import indexable

from rung.integrations.sklearn._delegation import BestEstimatorDelegation
from rung.integrations.sklearn._folds import (
    check_fit_data,
    check_folds,
    check_n_splits,
    num_samples,
    split_folds,
)
from rung.integrations.sklearn._halving_attributes import HalvingAttributes
from rung.integrations.sklearn._jobs import JobRow, fit_fold, results_table
from rung.integrations.sklearn._keywords import KeywordHints
from rung.integrations.sklearn._params import (
    check_params,
    check_plan,
    check_space_names,
    count_configurations,
    planned_jobs,
    smallest_epochs,
)
from rung.integrations.sklearn._resources import TrainingSamples, checked_resource
from rung.integrations.sklearn._space import ParamSpace
from rung.objective import Objective
from rung.oracles import HyperbandOracle

__all__ = ["HyperbandSearchCV"]


class HyperbandSearchCV(BestEstimatorDelegation, HalvingAttributes, MetaEstimatorMixin,
                        BaseEstimator, KeywordHints):
    """Hyperband with cross-validation, following the scikit-learn estimator contract.

    Li, Jamieson, DeSalvo, Rostamizadeh, Talwalkar. "Hyperband: A Novel Bandit-Based Approach to
    Hyperparameter Optimization", JMLR 18(185), 2018. The brackets are rung's ``HyperbandOracle``;
    every job is cross-validated on the same folds, and its mean test score is the objective.

    Args:
        estimator: the estimator to tune (cloned; never fitted itself).
        param_space: ``{name: list | scipy.stats distribution}`` or a ``rung.HyperParameters``
            (see ``rung.integrations.sklearn._space``).
        resource: what a larger budget means: ``"n_samples"`` (training samples, refit from
            scratch; works with any estimator), ``"n_iter"`` (``partial_fit`` passes; promoted jobs
            continue their parent's fitted estimator), ``"n_estimators"`` (continued with
            ``warm_start`` when the estimator has it), or any other integer parameter of the
            estimator (refit from scratch). ``param_space`` must not hold the resource, nor what
            it overrides: ``max_iter`` with ``"n_iter"`` (``partial_fit`` ignores it),
            ``warm_start`` with a warm-started ``"n_estimators"``.
        max_resource: the largest amount (Hyperband's R in resource units). ``"auto"``: the
            training-fold size for ``n_samples``, else the estimator's own value of that
            parameter (``max_iter`` for ``n_iter``). For ``n_samples`` at most the size of the
            smallest training fold (``fit`` raises ``ValueError`` otherwise).
        min_resource: the least amount a job may get, at most ``max_resource`` (``fit`` raises
            ``ValueError`` otherwise, before any fit). ``"auto"``: 1, or for ``n_samples``
            ``2 * n_splits`` (times the number of classes for a classifier), lowered to
            ``max_resource`` when larger. A bound: the smallest job gets
            ``max_resource / factor**s`` (rounded; ``min_resources_``), which is more than
            ``min_resource`` unless ``max_resource / min_resource`` is a power of ``factor``.
        factor: Hyperband's eta (>= 2); hyperband_iterations: repetitions of all brackets.
        scoring: a scorer name, callable or None (the estimator's ``score``); one metric
            (scikit-learn's multi-metric list or dict is refused: ``multimetric_`` is False).
        cv: int, splitter or iterable, as in ``GridSearchCV`` (stratified for classifiers).
        refit: True or False: refit the best configuration on all the data with
            ``max_resource``. scikit-learn's metric name or callable is refused.
        error_score: score of a failing fit (``"raise"`` to raise); if every fit fails, raises.
        return_train_score: also score the training folds.
        random_state: seeds the sampling of configurations and of ``n_samples`` subsets.
        n_jobs: joblib workers for the folds x jobs of one rung (None: 1, -1: all cores). The
            results do not depend on it.
        verbose: 1 prints the plan, then one line per rung. The plan counts the jobs that
            run: a space of fewer configurations than a bracket starts (a short list) runs
            fewer jobs than Hyperband's full plan, and the plan line says so.

    ``fit`` checks every argument before any fit, as scikit-learn's searches do (``__init__``
    only stores them), and raises ``rung.errors.ConfigurationError`` (a ``ValueError``; for a
    wrong type ``ArgumentTypeError``, also a ``TypeError``) naming the argument: e.g. an
    ``estimator`` without ``get_params``/``fit``, a ``resource`` that is no integer parameter
    (or ``"n_iter"`` without ``partial_fit``), ``scoring="accuracyy"`` (with the closest
    scorer name), ``cv=1``, ``cv`` index pairs outside the data, ``n_jobs=0``, a plan of more
    than ``MAX_JOBS`` (1,000,000) jobs (``max_resource`` far beyond ``min_resource``, see
    ``rung.integrations.sklearn._params.MAX_JOBS``).

    scikit-learn's own argument names that this class does not take (``max_resources``,
    ``min_resources``, ``param_distributions``, ``n_candidates``, ...) raise a ``TypeError`` that
    says what to write instead (``rung.integrations.sklearn._keywords``); none is an alias.

    Attributes:
        cv_results_, best_index_, best_score_, best_params_, best_estimator_, refit_time_,
        scorer_, n_splits_, max_resource_ (also ``max_resources_``), min_resource_ (the
        bound), min_resources_ (``HalvingRandomSearchCV``'s meaning: the smallest amount a job
        got), n_resources_, n_candidates_, n_iterations_ (an iteration is a resource amount, over
        all brackets: ``rung.integrations.sklearn._halving_attributes``), multimetric_ (False),
        oracle_ (the finished oracle).
        A row of ``cv_results_`` is one job: ``trial_id``, ``parent_id``, ``bracket``, ``rung``,
        ``n_resources``, ``param_*``, ``split*_test_score``, ... ``rank_test_score`` ranks the jobs
        trained with ``max_resource`` first; ``best_index_`` is rank 1.

    Example:
        >>> from scipy.stats import loguniform
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import SGDClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> search = HyperbandSearchCV(SGDClassifier(random_state=0),
        ...                            {"alpha": loguniform(1e-5, 1e-1)}, resource="n_iter",
        ...                            max_resource=9, random_state=0).fit(X, y)
        >>> sorted(search.best_params_)
        ['alpha']
    """

    def __init__(self, estimator: Any, param_space: Any, *, resource: str = "n_samples",
                 max_resource: int | str = "auto", min_resource: int | str = "auto",
                 factor: int = 3, hyperband_iterations: int = 1, scoring: Any = None,
                 cv: Any = 5, refit: bool = True, error_score: Any = np.nan,
                 return_train_score: bool = False, random_state: Any = None,
                 n_jobs: int | None = None, verbose: int = 0) -> None:
        self.estimator = estimator
        self.param_space = param_space
        self.resource = resource
        self.max_resource = max_resource
        self.min_resource = min_resource
        self.factor = factor
        self.hyperband_iterations = hyperband_iterations
        self.scoring = scoring
        self.cv = cv
        self.refit = refit
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        if not hasattr(self.estimator, "__sklearn_tags__"):
            return tags  # not an estimator: fit says so, naming `estimator`
        sub = self.estimator.__sklearn_tags__()
        tags.estimator_type = sub.estimator_type
        tags.classifier_tags = deepcopy(sub.classifier_tags)
        tags.regressor_tags = deepcopy(sub.regressor_tags)
        tags.transformer_tags = deepcopy(sub.transformer_tags)
        tags.target_tags = deepcopy(sub.target_tags)
        tags.input_tags = deepcopy(sub.input_tags)
        return tags

    # --- fit ------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None, *, groups: Any = None, **fit_params: Any
            ) -> HyperbandSearchCV:
        """Run Hyperband; ``fit_params`` (e.g. ``sample_weight``) go to every fit, per fold."""
        check_params(self)
        check_fit_data(X, y, groups, fit_params)
        X, y, groups = indexable(X, y, groups)
        space = ParamSpace(self.param_space)
        check_space_names(self, space.names)
        n_samples = num_samples(X)
        given = self.cv
        if not (given is None or isinstance(given, numbers.Integral) or hasattr(given, "split")):
            given = check_folds("cv", list(given), n_samples)  # index pairs (once: an iterator)
        check_n_splits(given, n_samples)
        cv = check_cv(given, y, classifier=is_classifier(self.estimator))
        splits = split_folds(cv, X, y, groups, n_samples)
        self.n_splits_ = len(splits)
        self.scorer_ = check_scoring(self.estimator, scoring=self.scoring)
        rng = check_random_state(self.random_state)
        classes = np.unique(y) if is_classifier(self.estimator) and y is not None else None
        resource = checked_resource(self, splits, classes)
        self.max_resource_, self.min_resource_ = resource.max_resource, resource.min_resource
        configurations = count_configurations(space.hyperparameters)
        jobs = check_plan(resource.epochs, self, resource.max_resource, resource.min_resource,
                          configurations)
        if self.verbose:
            full = sum(planned_jobs(resource.epochs, self.factor)) * self.hyperband_iterations
            few = (f"; param_space has {configurations} configuration(s), fewer than the plan "
                   "starts" if jobs < full else "")
            smallest = resource.amount(smallest_epochs(resource.epochs, self.factor))
            print(f"[HyperbandSearchCV] {jobs} job(s) x {self.n_splits_} folds, "
                  f"{self.resource} from {smallest} to {resource.max_resource}"
                  f"{few}")
        if isinstance(resource, TrainingSamples):
            stratify = classes is not None
            splits = [(TrainingSamples.order(tr, y, rng, stratify), te) for tr, te in splits]
        oracle = HyperbandOracle(
            objective=Objective("score", "max"), max_epochs=resource.epochs, factor=self.factor,
            hyperband_iterations=self.hyperband_iterations, seed=int(rng.randint(2**31 - 1)),
            hyperparameters=space.hyperparameters, parallel_brackets=False)
        rows = self._run(oracle, space, resource, splits, X, y, fit_params)
        self.oracle_ = oracle
        self._check_failures(rows)
        self.cv_results_ = results_table(rows, space.names, self.n_splits_, self.max_resource_,
                                         self.return_train_score)
        self.best_index_ = int(np.argmin(self.cv_results_["rank_test_score"]))
        self.best_score_ = float(self.cv_results_["mean_test_score"][self.best_index_])
        self.best_params_ = dict(self.cv_results_["params"][self.best_index_])
        self.multimetric_ = False  # one metric, always (scikit-learn's searches set it too)
        if self.refit:
            start = time.perf_counter()
            best = clone(self.estimator).set_params(**self.best_params_)
            self.best_estimator_ = resource.refit(best, X, y, fit_params)
            self.refit_time_ = time.perf_counter() - start
            if hasattr(self.best_estimator_, "n_features_in_"):
                self.n_features_in_ = self.best_estimator_.n_features_in_
            if hasattr(self.best_estimator_, "feature_names_in_"):
                self.feature_names_in_ = self.best_estimator_.feature_names_in_
        return self

    def _run(self, oracle: HyperbandOracle, space: ParamSpace, resource: Any, splits: list,
             X: Any, y: Any, fit_params: dict[str, Any]) -> list[JobRow]:
        checkpoints: dict[str, list[bytes | None]] = {}
        rows: list[JobRow] = []
        parallel = Parallel(n_jobs=self.n_jobs)
        while not oracle.finished:
            batch = []
            while (suggestion := oracle.ask()) is not None:
                batch.append(suggestion)
            if not batch:
                if oracle.finished:
                    break
                raise RuntimeError(  # pragma: no cover - every job is told before asking again
                    "the Hyperband oracle is waiting on jobs that are not running")
            if self.verbose:
                s = batch[0]
                print(f"[HyperbandSearchCV] bracket {s.bracket}, rung {s.rung}: {len(batch)} "
                      f"job(s) x {len(splits)} folds, {self.resource}="
                      f"{resource.amount(s.epochs)}")
            results = parallel(
                delayed(fit_fold)(
                    clone(self.estimator).set_params(**space.decode(s.values)),
                    checkpoints.get(s.parent_id or "", [None] * len(splits))[k],
                    resource, X, y, train, test, fit_params, resource.amount(s.epochs),
                    resource.amount(s.initial_epoch), self.scorer_, self.return_train_score,
                    self.error_score)
                for s in batch for k, (train, test) in enumerate(splits))
            for j, s in enumerate(batch):
                folds = results[j * len(splits):(j + 1) * len(splits)]
                row = JobRow(s.trial_id, s.parent_id, int(s.bracket or 0), int(s.rung or 0),
                             resource.amount(s.epochs), space.decode(s.values), folds)
                rows.append(row)
                if resource.continues:  # a failed fold has none: its child starts afresh
                    checkpoints[s.trial_id] = [f.checkpoint for f in folds]
                score = row.mean_test_score
                if np.isfinite(score):
                    oracle.tell(s.trial_id, {"score": score})
                else:
                    oracle.tell_failed(s.trial_id, next((f.error for f in folds if f.error), ""))
            in_use = oracle.checkpoints_in_use()
            for trial_id in [t for t in checkpoints if t not in in_use]:
                del checkpoints[trial_id]
        return rows

    def _check_failures(self, rows: list[JobRow]) -> None:
        errors = [f.error for r in rows for f in r.folds if f.error]
        total = sum(len(r.folds) for r in rows)
        if errors and len(errors) == total:
            first = next(f.exception for r in rows for f in r.folds if f.error)
            message = f"All the {total} fits of HyperbandSearchCV failed; the first error was:"
            if first is not None and hasattr(first, "add_note"):
                first.add_note(message[:-1] + " this one.")  # same type: callers can catch it
                raise first
            raise ValueError(f"{message}\n{errors[0]}")
        if errors:
            warnings.warn(f"{len(errors)} fits failed out of a total of {total}; their score is "
                          f"error_score={self.error_score!r}. The first error:\n{errors[0]}",
                          FitFailedWarning, stacklevel=3)
