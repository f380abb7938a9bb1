"""Bayesian optimisation with a Gaussian process: keras-tuner's ``BayesianOptimization`` searcher."""

from __future__ import annotations

import warnings
from collections.abc import Container, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from rung.errors import RungError
from rung.hyperparameters import values_key
from rung.searchers import _gp_model as model
from rung.searchers._budgets import BudgetFocus, FinalResults
from rung.searchers._gp_encoding import Encoding
from rung.searchers._gp_points import SEED_RANGE, GPPoints
from rung.searchers.agreement import check_threshold
from rung.searchers.base import Searcher
from rung.searchers.observation import Observation
from rung.searchers.random import RandomSearcher
from rung.validation import (
    check_fraction,
    check_int,
    check_number,
    check_optional_int,
    fail_type,
    fail_value,
    unknown_arguments,
)

if TYPE_CHECKING:
    from rung.hyperparameters import HyperParameters

__all__ = ["GPSearcher"]

_ONE_GROUP = 0  # the group of every result when the searcher is not per budget
_JITTER = 1e-8
"""The least noise on the kernel's diagonal, whatever ``alpha`` (0 included): the jitter that
keeps the Cholesky factorisation of nearly equal configurations safe (the results are
normalised, so it is 1e-8 of their variance)."""
_FEWEST_RESULTS = 1
"""The fewest results the model is used from (``num_initial_points=0``)."""
MAX_DEFAULT_INITIAL_POINTS = 10
"""The default random start's cap. On the sample-efficiency problems (40 seeds, 30 trials;
docs/sample-efficiency.md, "Reading the results"), against keras-tuner's uncapped three per
hyperparameter: lower median regret on hartmann6 (0.35 against 0.40), mixed, lc_mixed (0.0088
against 0.0125) and lc_conditional (0.0129 against 0.0154); lc_crossing and digits_mlp as before."""


class GPSearcher(Searcher):
    """Gaussian-process Bayesian optimisation with an upper-confidence-bound acquisition.

    Srinivas et al., "Gaussian Process Optimization in the Bandit Setting", ICML 2010; the
    searcher of keras-tuner's ``BayesianOptimization``, with the same ``num_initial_points``,
    ``alpha`` and ``beta``, but for mixed spaces:

    * ``Int`` and ``Float`` (linear, log or reverse_log: the warp of ``to_unit``) and ordered
      ``Choice`` are coordinates of the unit cube under a Matern 5/2 kernel with one length
      scale for all columns or, from 3 results per column, one per column when the Bayesian
      information criterion prefers it;
      integers and stepped values are rounded by ``from_unit``;
    * unordered ``Choice`` and ``Boolean`` are one-hot columns: two different values are always
      at the same distance, whatever their order in the list;
    * a conditional hyperparameter that is inactive takes a fixed value (numeric: 0.5, one-hot:
      zeros), so it adds nothing to the distance between two configurations where it is inactive.

    The first ``num_initial_points`` configurations are random; the default is three per
    hyperparameter, at least 3, **at most 10 and at most half of** ``max_trials`` (keras-tuner's
    has no cap: ``max(3 * len(space), 3)``, so a 9-hyperparameter space spends 27 trials at
    random, and its default of 10 trials never reaches the model with 4 or more). Then each
    suggestion conditions the process on every final result with a loss (COMPLETED or PRUNED;
    intermediate reports are ignored) and every failed configuration (below), with ``y``
    normalised and ``alpha`` added to the kernel's diagonal, and minimises
    ``mean - beta * std`` over the unit cube: ``num_candidates`` random points and
    perturbations of the best configurations so far, then L-BFGS-B from the ``num_restarts``
    best of them. The best candidate that is not in ``exclude`` (tried in this stream), never
    failed and is not pending is proposed; when there is none, a random one
    (``RandomSearcher``, which also finds the last untried points of a small space); random
    too while every result has the same loss (a flat process sends each proposal to a corner
    of the cube, near the one before: ``test_gp.py``). If the model fails numerically (a
    ``ValueError`` or ``ArithmeticError`` from scikit-learn or NumPy), that proposal is random
    too, with a ``RuntimeWarning`` that says why: one bad model does not stop the search.

    Jobs still running are *pending*: they enter the process with a pessimistic made-up result,
    the worst loss so far or the predicted mean plus one standard deviation if that is worse
    ("constant liar", Ginsbourger et al. 2010), so concurrent workers are sent to different
    points (keras-tuner uses the mean plus one standard deviation alone, which hardly moves a
    confident model; measured in ``rung.searchers._gp_points``).

    A *failed* configuration (``FAILED``: it raised, or its objective was NaN or infinite)
    enters the process at the worst loss of the results it is modelled with, as the KDE ranks
    failed jobs last: its neighbourhood looks bad, so the search leaves a region that diverges
    instead of extrapolating a falling loss into it (left out, they did not stop that: measured
    in ``rung.searchers._gp_points``). Each failed
    configuration counts once, from its first failure; one with a result (a retry that
    succeeded, or under ``per_budget`` a result at the modelled budget) is modelled by that
    result. Failures do not count towards ``num_initial_points`` (the model needs losses to
    impute from): while every result so far failed, proposals stay random. The exact values
    of a failed job are not proposed again by this searcher (a transient error is retried by
    the oracle's ``max_retries_per_trial``, not here), but a region is avoided only as far as
    the model has learnt it: a configuration near a failed one can still be proposed.

    A loss far above the others (a diverged job's 1e6 or 1e30 among losses near 1: above a gap,
    in the upper half of the sorted losses, more than ``OUTLIER_GAP`` = 100 times the range of
    the losses below it; from 5 results) enters the process as a failed configuration does, at
    the worst of the other losses. Fitted as it is, it leaves a cliff that a stationary process
    models at the expense of everything else: every ordinary loss collapses onto one value
    (docs/sample-efficiency.md, "Diverged jobs").

    Cost: the kernel's hyperparameters are fitted by maximum likelihood (on at most
    ``max_fit_points`` results, evenly spread in trial order) only when the number of results has
    grown by 10%; in between, one Cholesky factorisation per suggestion (``_gp_points``).

    **Under a multi-fidelity oracle** (Hyperband, BOHB, successive halving, ASHA: ``per_budget``),
    results after different numbers of epochs are not mixed: the searcher keeps them per budget
    and models one, as BOHB's KDE does (``rung.searchers._budgets``): the largest budget with at
    least ``num_initial_points`` results (failures not counted, but modelled there, whatever
    budget they failed at) whose ranking is not shown to disagree with the top
    budget's (``min_agreement``; inside ``for_budget(b)``, as ``KDESearcher``). Configurations
    started since that budget's newest result and not seen there (the rest of a bracket, mostly
    stopped at lower budgets) enter the process at the predicted mean plus one standard
    deviation, so a bracket's proposals spread out even when they run one at a time (with the
    worst loss there, it spreads too far: ``_gp_points``). A share ``random_fraction`` of the
    proposals is random, as in BOHB.

    BLAS runs on one thread while the searcher works: its matrices are small, and the cores are
    busy training models.

    The model is a pure function of the results and failures: the kernel is fitted on those of
    the smallest trial ids up to the last refit point (so a resumed search, which replays results in
    trial order, fits the same kernel). Every random draw comes from the oracle's ``rng``; the
    likelihood optimiser's restarts from a seed drawn at the first suggestion, the searcher's
    whole saved state. A resumed search proposes exactly what an uninterrupted one does.

    Args:
        num_initial_points: random configurations before the model is used (None: three times
            the number of hyperparameters, at least 3, at most ``MAX_DEFAULT_INITIAL_POINTS`` and
            at most half of ``max_trials``; 0: the model is used from the first result, as
            with 1, since it needs one to condition on).
        alpha: added to the kernel's diagonal: the expected noise of the (normalised) results;
            0 for noise-free results (at least ``_JITTER``, 1e-8, is added all the same, so the
            factorisation stays numerically safe).
        beta: weight of the standard deviation in the acquisition (more: more exploration).
        num_candidates: random points scored per suggestion.
        num_restarts: local optimisations of the acquisition per suggestion.
        max_fit_points: at most this many results when fitting the kernel's hyperparameters.
        max_trials: the search's number of trials, when known: the default random start then
            takes at most half of them. None: a single-fidelity oracle given this searcher
            (``BayesianOptimizationOracle``, ``RandomSearchOracle``) sets it to its own.
        per_budget: model one budget at a time (above); None: as the oracle says (True under
            Hyperband, BOHB, successive halving and ASHA, False otherwise).
        random_fraction: the share of proposals drawn at random (0 to 1; BOHB passes 1/3).
        min_agreement: with ``per_budget``, the Kendall tau (-1 to 1) below which a lower
            budget's ranking misleads (None: the largest budget with enough results).

    Example::

        oracle = rung.oracles.RandomSearchOracle(objective="val_loss", max_trials=50,
                                                 searcher=GPSearcher(beta=2.0))
    """

    name = "gp"

    def __init__(
        self,
        num_initial_points: int | None = None,
        alpha: float = 1e-4,
        beta: float = 2.6,
        num_candidates: int = 1000,
        num_restarts: int = 3,
        max_fit_points: int = 200,
        max_trials: int | None = None,
        per_budget: bool | None = None,
        random_fraction: float = 0.0,
        min_agreement: float | None = 0.3,
        **unknown: Any,
    ) -> None:
        if unknown:  # a misspelt argument: the nearest one and the list, not a bare TypeError
            raise unknown_arguments(type(self), unknown)
        self.num_initial_points = check_optional_int("num_initial_points", num_initial_points, 0)
        self.max_trials = check_optional_int("max_trials", max_trials, 1)
        self.alpha = float(check_number("alpha", alpha, 0.0))  # type: ignore[arg-type]
        self.beta = float(check_number("beta", beta, 0.0))  # type: ignore[arg-type]
        self.num_candidates = check_int("num_candidates", num_candidates, 1)
        self.num_restarts = check_int("num_restarts", num_restarts, 0)
        self.max_fit_points = check_int("max_fit_points", max_fit_points, 2)
        if per_budget is not None and not isinstance(per_budget, bool):
            raise fail_type("GPSearcher per_budget", "True, False or None", per_budget)
        self.per_budget = per_budget
        self.random_fraction = check_fraction("GPSearcher random_fraction", random_fraction)
        self.min_agreement = check_threshold("GPSearcher min_agreement", min_agreement,
                                             allow_none=True)
        self._focus = BudgetFocus(self.min_agreement)
        self._data = FinalResults()
        self._seed: int | None = None
        self._points = GPPoints()  # the process's points, encodings and kernel, cached

    # --- hooks --------------------------------------------------------------------------------
    def on_start(self, trial_id: str, values: Mapping[str, Any], budget: int | None) -> None:
        self._data.start(trial_id, values)

    def observe(self, observation: Observation) -> None:
        self._focus.observe(observation)  # every report: how well budgets rank alike
        if not observation.final:
            return  # the model learns from final results only
        group = int(observation.budget) if self.per_budget else _ONE_GROUP
        self._data.add(observation, group)
        self._points.forget(observation.trial_id)

    @contextmanager
    def for_budget(self, budget: int, unverified_weight: float = 0.0) -> Iterator[None]:
        """With ``per_budget``, proposals made inside are for configurations meant to reach
        ``budget`` (see ``KDESearcher.for_budget``); otherwise no effect."""
        with self._focus.for_budget(budget, unverified_weight):
            yield

    def state_dict(self) -> dict[str, Any]:
        return {"seed": self._seed}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        if not isinstance(state, Mapping) or set(state) != {"seed"}:
            raise fail_value("the saved searcher state", "a GPSearcher state ({'seed': ...})",
                             state, "the project was probably created with another searcher")
        self._seed = None if state["seed"] is None else int(state["seed"])

    @property
    def kernel_fits(self) -> int:
        """How many times this searcher fitted its kernel's hyperparameters (the costly step,
        made when the results have grown by 10%; ``benchmarks/gp_overhead.py`` counts them)."""
        return self._points.kernel_fits

    @property
    def _noise(self) -> float:
        """The diagonal term of the kernel matrix: ``alpha``, at least ``_JITTER``."""
        return max(self.alpha, _JITTER)

    # --- suggestions --------------------------------------------------------------------------
    def initial_points(self, space: HyperParameters) -> int:
        """Random configurations before the model is used, for this space."""
        if self.num_initial_points is not None:
            return max(self.num_initial_points, _FEWEST_RESULTS)
        n = min(max(3 * len(space.space), 3), MAX_DEFAULT_INITIAL_POINTS)
        if self.max_trials is not None:  # the model gets at least half of a short search
            n = min(n, (self.max_trials + 1) // 2)
        return n

    def suggest(
        self,
        space: HyperParameters,
        rng: np.random.Generator,
        exclude: Container[str],
        stream: str = "",
    ) -> dict[str, Any] | None:
        if self._seed is None:  # seeds the likelihood optimiser's restarts, from the oracle's rng
            self._seed = int(rng.integers(SEED_RANGE))
        data = self._data
        avoid = _Union(exclude, data.failed, {values_key(v) for v in data.running.values()})
        encoding = Encoding(space)
        group = None
        if encoding.n_units and not (self.random_fraction and rng.random() < self.random_fraction):
            group = self._group(self.initial_points(space), rng)
        if group is None or not data.varied(group):  # all losses equal: nothing to model
            return RandomSearcher().suggest(space, rng, avoid, stream)
        try:
            with model.one_blas_thread():
                gp, x_units, y = self._points.process(
                    data, space, encoding, group, noise=self._noise, seed=self._seed,
                    max_fit_points=self.max_fit_points, per_budget=self.per_budget)
                values = model.propose(encoding, gp, x_units, y, rng, avoid, self.beta,
                                       self.num_candidates, self.num_restarts)
        except (ValueError, ArithmeticError) as error:  # numerics (LinAlgError is a ValueError)
            if isinstance(error, RungError):
                raise
            # One failed model must not stop the search: this proposal is random instead.
            warnings.warn(
                f"GPSearcher: the Gaussian process failed ({type(error).__name__}: {error}); "
                "this configuration is drawn at random instead.", RuntimeWarning, stacklevel=2)
            values = None
        if values is None:
            return RandomSearcher().suggest(space, rng, avoid, stream)
        return values

    def _group(self, needed: int, rng: np.random.Generator) -> int | None:
        """The results the model learns from (a budget, or the one group), or None while too
        few: at least ``needed`` results."""
        counts = self._data.counts()
        if not self.per_budget:
            return _ONE_GROUP if counts.get(_ONE_GROUP, 0) >= needed else None
        reference = self._focus.draw_reference(counts, needed - 1, rng)
        return self._focus.choose(counts, needed - 1, reference)

    def settings(self) -> dict[str, Any]:
        # not max_trials: the oracle's, which a resumed search may raise
        return {"num_initial_points": self.num_initial_points, "alpha": self.alpha,
                "beta": self.beta, "num_candidates": self.num_candidates,
                "num_restarts": self.num_restarts, "max_fit_points": self.max_fit_points,
                "per_budget": self.per_budget, "random_fraction": self.random_fraction,
                "min_agreement": self.min_agreement}

    def __repr__(self) -> str:
        return (f"GPSearcher(num_initial_points={self.num_initial_points}, alpha={self.alpha}, "
                f"beta={self.beta}, max_trials={self.max_trials}, per_budget={self.per_budget}, "
                f"random_fraction={self.random_fraction:.4g}, min_agreement={self.min_agreement})")


class _Union:
    """Membership in any of several containers, without copying them."""

    def __init__(self, *parts: Container[str]) -> None:
        self.parts = parts

    def __contains__(self, key: object) -> bool:
        return any(key in part for part in self.parts)
