"""Bayesian optimisation with a Gaussian process: keras-tuner's ``BayesianOptimization`` searcher."""

from __future__ import annotations

import math
from collections.abc import Container, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from rung.hyperparameters import values_key
from rung.searchers import _gp_model as model
from rung.searchers._gp_encoding import Encoding
from rung.searchers._space import space_fingerprint
from rung.searchers.base import Searcher
from rung.searchers.observation import Observation
from rung.searchers.random import RandomSearcher
from rung.trial_record import TrialStatus
from rung.validation import check_int, check_number, check_optional_int, fail_value

if TYPE_CHECKING:
    from rung.hyperparameters import HyperParameters

__all__ = ["GPSearcher"]

_FINAL_WITH_LOSS = (TrialStatus.COMPLETED, TrialStatus.PRUNED)
_LOCAL_ITERATIONS = 15
_SEED_RANGE = 2**31 - 1
_ARD_FROM = 3
"""Results per feature column from which a length scale per column is a candidate kernel."""
MAX_DEFAULT_INITIAL_POINTS = 10
"""The default random start's cap. On the sample-efficiency problems (40 seeds, 30 trials;
docs/benchmarks.md, "Reading the results"), against keras-tuner's uncapped three per
hyperparameter: lower median regret on hartmann6 (0.35 against 0.40), mixed, lc_mixed (0.0088
against 0.0125) and lc_conditional (0.0129 against 0.0154); lc_crossing and digits_mlp as before."""


def _schedule_point(n: int) -> int:
    """The last point of 1, 2, 3, ..., 10, 11, 12, 13, 14, ... (each point 10% above the one
    before, at least 1) that is not above ``n``."""
    point = 1
    while (step := point + max(1, point // 10)) <= n:
        point = step
    return point


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
    intermediate reports are ignored), with ``y`` normalised and ``alpha`` added to the kernel's
    diagonal, and minimises ``mean - beta * std`` over the unit cube: ``num_candidates`` random points and perturbations of the best
    configurations so far, then L-BFGS-B from the ``num_restarts`` best of them. The best
    candidate that is not in ``exclude`` (tried in this stream), never failed and is not pending
    is proposed; when there is none, a random one (``RandomSearcher``, which also finds the last
    untried points of a small space).

    Jobs still running are *pending*: they enter the process with a pessimistic made-up result
    (the predicted mean plus one standard deviation, as keras-tuner does), so concurrent workers
    are sent to different points. Failed configurations are not modelled but never proposed again.

    Cost: the kernel's hyperparameters are fitted by maximum likelihood (on at most
    ``max_fit_points`` results, evenly spread in trial order) only when the number of results has
    grown by 10%; in between, one Cholesky factorisation per suggestion conditions the process on
    all results with the kernel fixed.

    BLAS runs on one thread while the searcher works: its matrices are small, and the cores are
    busy training models.

    The model is a pure function of the results: the kernel is fitted on the results of the
    smallest trial ids up to the last refit point (so a resumed search, which replays results in
    trial order, fits the same kernel). Every random draw comes from the oracle's ``rng``; the
    likelihood optimiser's restarts from a seed drawn at the first suggestion, the searcher's
    whole saved state. A resumed search proposes exactly what an uninterrupted one does.

    Args:
        num_initial_points: random configurations before the model is used (None: three times
            the number of hyperparameters, at least 3, at most ``MAX_DEFAULT_INITIAL_POINTS`` and
            at most half of ``max_trials``).
        alpha: added to the kernel's diagonal: the expected noise of the (normalised) results.
        beta: weight of the standard deviation in the acquisition (more: more exploration).
        num_candidates: random points scored per suggestion.
        num_restarts: local optimisations of the acquisition per suggestion.
        max_fit_points: at most this many results when fitting the kernel's hyperparameters.
        max_trials: the search's number of trials, when known (``BayesianOptimizationOracle``
            passes its own): the default random start then takes at most half of them.

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
    ) -> None:
        self.num_initial_points = check_optional_int("num_initial_points", num_initial_points, 1)
        self.max_trials = check_optional_int("max_trials", max_trials, 1)
        self.alpha = float(check_number("alpha", alpha, 0.0, exclusive_minimum=True))  # type: ignore[arg-type]
        self.beta = float(check_number("beta", beta, 0.0))  # type: ignore[arg-type]
        self.num_candidates = check_int("num_candidates", num_candidates, 1)
        self.num_restarts = check_int("num_restarts", num_restarts, 0)
        self.max_fit_points = check_int("max_fit_points", max_fit_points, 2)
        self._results: dict[str, tuple[dict[str, Any], float]] = {}
        self._pending: dict[str, dict[str, Any]] = {}
        self._failed: set[str] = set()  # values of failed jobs
        self._seed: int | None = None
        self._theta: tuple[Any, np.ndarray] | None = None  # (what it was fitted on, theta)
        self._cache: tuple[Any, ...] | None = None  # (key, units, x, y, gp)
        self._encoded: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # per result: units, x
        self._encoded_space: str | None = None

    # --- hooks --------------------------------------------------------------------------------
    def on_start(self, trial_id: str, values: Mapping[str, Any], budget: int | None) -> None:
        self._pending[trial_id] = dict(values)

    def observe(self, observation: Observation) -> None:
        if not observation.final:
            return  # a single-fidelity model: only final results count
        self._pending.pop(observation.trial_id, None)
        if observation.status is TrialStatus.FAILED:
            self._failed.add(values_key(observation.values))
        if observation.status in _FINAL_WITH_LOSS and observation.loss is not None \
                and math.isfinite(observation.loss):
            self._results[observation.trial_id] = (dict(observation.values), observation.loss)
            self._encoded.pop(observation.trial_id, None)

    def state_dict(self) -> dict[str, Any]:
        return {"seed": self._seed}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        if not isinstance(state, Mapping) or set(state) != {"seed"}:
            raise fail_value("the saved searcher state", "a GPSearcher state ({'seed': ...})",
                             state, "the project was probably created with another searcher")
        self._seed = None if state["seed"] is None else int(state["seed"])

    # --- suggestions --------------------------------------------------------------------------
    def initial_points(self, space: HyperParameters) -> int:
        """Random configurations before the model is used, for this space."""
        if self.num_initial_points is not None:
            return self.num_initial_points
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
            self._seed = int(rng.integers(_SEED_RANGE))
        avoid = _Union(exclude, self._failed, {values_key(v) for v in self._pending.values()})
        encoding = Encoding(space)
        if len(self._results) < self.initial_points(space) or encoding.n_units == 0:
            return RandomSearcher().suggest(space, rng, avoid, stream)
        with model.one_blas_thread():
            gp, x_units, y = self._model(space, encoding)
            values = self._optimise(encoding, gp, x_units, y, rng, avoid)
        if values is None:
            return RandomSearcher().suggest(space, rng, avoid, stream)
        return values

    def _model(self, space: HyperParameters,
               encoding: Encoding) -> tuple[Any, np.ndarray, np.ndarray]:
        """The process on the results plus the pending jobs' made-up results, and the unit
        points and losses of the results."""
        ids = sorted(self._results)
        fingerprint = space_fingerprint(space)
        if self._encoded_space != fingerprint:
            self._encoded, self._encoded_space = {}, fingerprint
        theta = self._kernel_theta(encoding, fingerprint, ids)
        key = (fingerprint, tuple(ids), theta.tobytes())
        if self._cache is None or self._cache[0] != key:
            units, x = self._encode(encoding, ids)
            y = np.array([self._results[i][1] for i in ids])
            self._cache = (key, units, x, y, model.condition(x, y, self.alpha, theta))
        _, units, x, y, gp = self._cache
        pending = [self._pending[i] for i in sorted(self._pending)]
        if pending:
            xp = np.array([encoding.features(v) for v in pending])
            mean, std = gp.predict(xp, return_std=True)
            gp = model.condition(np.vstack([x, xp]), np.concatenate([y, mean + std]),
                                 self.alpha, theta)
        return gp, units, y

    def _kernel_theta(self, encoding: Encoding, fingerprint: str, ids: list[str]) -> np.ndarray:
        """The kernel hyperparameters, fitted by maximum likelihood on the results of the ``m``
        smallest trial ids, ``m`` being the last point of the refit schedule (1, 2, 3, ... then
        growing by 10%) not above the number of results: a pure function of the results, refitted
        only when that set changes (cached)."""
        m = _schedule_point(len(ids))
        chosen = ids[:m]
        if m > self.max_fit_points:  # evenly spread in trial order: early and recent results
            picks = np.linspace(0, m - 1, self.max_fit_points).round().astype(int)
            chosen = [chosen[i] for i in picks]
        key = (fingerprint, tuple(chosen))
        if self._theta is None or self._theta[0] != key:
            _, x = self._encode(encoding, chosen)
            y = np.array([self._results[i][1] for i in chosen])
            assert self._seed is not None
            seed = (self._seed + m) % _SEED_RANGE
            # A length scale per feature is a candidate from _ARD_FROM results per feature, and
            # is used when the information criterion prefers it (docs/benchmarks.md, "Reading
            # the results": with one per feature from the start, hartmann6's median regret was
            # 0.90 against 0.43; always from 5 results per feature, lc_crossing's 0.0041 against
            # 0.0019 with the criterion from 3).
            allow_ard = len(chosen) >= _ARD_FROM * x.shape[1]
            self._theta = (key, model.select_kernel(x, y, self.alpha, restarts=2, seed=seed,
                                                    allow_ard=allow_ard))
        return self._theta[1]

    def _encode(self, encoding: Encoding, ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Unit points and feature rows of results (cached per result and space)."""
        for i in ids:
            if i not in self._encoded:
                values = self._results[i][0]
                self._encoded[i] = (encoding.to_unit(values), encoding.features(values))
        units = np.array([self._encoded[i][0] for i in ids]).reshape(len(ids), encoding.n_units)
        x = np.array([self._encoded[i][1] for i in ids]).reshape(len(ids), encoding.n_features)
        return units, x

    def _optimise(self, encoding: Encoding, gp: Any, units: np.ndarray, y: np.ndarray,
                  rng: np.random.Generator, avoid: Container[str]) -> dict[str, Any] | None:
        """The untried configuration with the lowest acquisition found, or None."""
        d = encoding.n_units
        best = units[np.argsort(y, kind="stable")[:5]]
        local = np.clip(np.repeat(best, 20, axis=0) + rng.normal(0.0, 0.05, (len(best) * 20, d)),
                        0.0, 1.0)
        points = np.vstack([rng.random((self.num_candidates, d)), local])

        def acquisition(batch: np.ndarray) -> np.ndarray:
            return model.lower_confidence_bound(gp, encoding.features_of_units(batch), self.beta)

        scores = acquisition(points)
        order = np.argsort(scores, kind="stable")
        found = [model.minimise_locally(acquisition, points[i], encoding.numeric_units,
                                        _LOCAL_ITERATIONS)
                 for i in order[:self.num_restarts]]
        ranked = sorted([(s, k, u) for k, (u, s) in enumerate(found)]
                        + [(float(scores[i]), len(found) + r, points[i])
                           for r, i in enumerate(order)], key=lambda t: (t[0], t[1]))
        for _, _, u in ranked:
            values = encoding.decode(u)
            if values_key(values) not in avoid:
                return values
        return None

    def __repr__(self) -> str:
        return (f"GPSearcher(num_initial_points={self.num_initial_points}, alpha={self.alpha}, "
                f"beta={self.beta}, max_trials={self.max_trials})")


class _Union:
    """Membership in any of several containers, without copying them."""

    def __init__(self, *parts: Container[str]) -> None:
        self.parts = parts

    def __contains__(self, key: object) -> bool:
        return any(key in part for part in self.parts)
