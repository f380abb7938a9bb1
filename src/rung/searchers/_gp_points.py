"""The points ``GPSearcher``'s Gaussian process is conditioned on, and its kernel-fit schedule.

For one group of results (a budget, or every result when the searcher is not per budget) the
process is conditioned on, in trial order:

* every final result with a loss (COMPLETED or PRUNED) in the group;
* every failed configuration with no result there, at the worst loss of the group's results
  (outliers, below, left out of that worst), as
  the KDE ranks failed jobs last: its neighbourhood looks bad, so the search leaves a region that
  diverges instead of extrapolating a falling loss into it. (Left out, they did not stop that:
  with a learning rate whose upper range returns NaN, 94% of ``BayesianOptimization``'s trials
  after the random start failed, 8 seeds, against 9% now and 15% for random search; under
  ``BOHB(searcher="gp")``, 50% of the second half's new configurations against 10%.);
* a result far above the rest (above a gap of more than ``OUTLIER_GAP`` times the range below
  it: a diverged job's 1e6 among losses near 1) at the worst of the other results, as a failed
  configuration: its cliff would be all the process models;
* pending jobs at a made-up result. Jobs still running take the worst loss so far, or the
  predicted mean plus one standard deviation if that is worse ("constant liar", Ginsbourger et
  al. 2010), so concurrent workers are sent to different points. keras-tuner uses the mean plus
  one standard deviation alone, which hardly moves a confident model: measured in a BOHB search,
  four concurrent proposals landed 0.001 to 0.007 apart in the unit square, against 0.23 to 0.37
  with the worst loss. Per budget, configurations started since that budget's newest result and
  not seen there take the mean plus one standard deviation (with the worst loss there, a bracket
  spreads too far: median regret at 30x R on lc_mixed 0.0051 against 0.0034,
  docs/sample-efficiency.md).

The kernel's hyperparameters are fitted by maximum likelihood only when the number of points has
grown by 10% (``schedule_point``), on those of the smallest trial ids up to that point (at most
``max_fit_points``, evenly spread in trial order), so a resumed search, which replays results in
trial order, fits the same kernel; in between, one Cholesky factorisation per suggestion
conditions the process on all points with the kernel fixed.
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from rung.searchers import _gp_model as model
from rung.searchers._space import space_fingerprint
from rung.trial_record import creation_order

if TYPE_CHECKING:
    from rung.hyperparameters import HyperParameters
    from rung.searchers._budgets import FinalResults
    from rung.searchers._gp_encoding import Encoding

__all__ = ["SEED_RANGE", "GPPoints", "conditioning_points", "schedule_point"]

_LARGE = 1e100
"""Losses above this (in magnitude) are scaled down by a power of two before the process sees
them: its ``normalize_y`` squares them (above about 1e154 that overflows to inf, and every
proposal would fall back to random). The process is invariant to the scale of the losses."""

SEED_RANGE = 2**31 - 1
OUTLIER_GAP = 100.0
"""Losses above a gap more than this many times the range of the losses below it are modelled
as failed configurations are, at the worst of the others (``ordinary_losses``): a diverged
job's 1e6 among losses near 1. Fitted as they are, the process models the cliff and nothing
else."""
_ARD_FROM = 3
"""Results per feature column from which a length scale per column is a candidate kernel."""
_FAILED = "failed:"  # a failed configuration's key in the encoding cache, before a trial id


def schedule_point(n: int) -> int:
    """The last point of 1, 2, 3, ..., 10, 11, 12, 13, 14, ... (each point 10% above the one
    before, at least 1) that is not above ``n``."""
    point = 1
    while (step := point + max(1, point // 10)) <= n:
        point = step
    return point


def conditioning_points(data: FinalResults, group: int) -> tuple[
        list[str], list[dict[str, Any]], np.ndarray, np.ndarray]:
    """The points the process is conditioned on, in trial order: the group's results and the
    failed configurations with no result there, which take the worst loss of the results (see the
    module). Their cache keys (a result's trial id; ``_FAILED`` and the trial id of a
    configuration's first failure), values, losses, and which ones failed."""
    results = data.groups[group]
    ordinary = ordinary_losses(results)
    worst = max(loss for _, loss in results.values() if loss in ordinary)
    points = [(creation_order(t), t, v, loss if loss in ordinary else worst, False)
              for t, (v, loss) in results.items()]
    points += [(creation_order(t), _FAILED + t, v, worst, True)
               for t, v in data.failures(group)]
    points.sort(key=lambda p: p[0])
    losses = np.array([p[3] for p in points], dtype=float)
    largest = float(np.max(np.abs(losses)))
    if largest > _LARGE:  # the process's normalisation squares them: they would overflow
        losses = np.ldexp(losses, -math.frexp(largest)[1])  # a power of two: ratios kept exactly
    return ([p[1] for p in points], [p[2] for p in points], losses,
            np.array([p[4] for p in points], dtype=bool))


def ordinary_losses(results: dict[str, tuple[Any, float]]) -> set[float]:
    """The losses of ``results`` below the lowest gap more than ``OUTLIER_GAP`` times the range
    of the losses below it, where at least half of the losses, and half of the first half in
    trial order, lie below it (a diverged job's 1e6 over losses between 0.1 and 2). Every loss
    when there are fewer than 5 or no such gap. The first half decides because it is the least
    crowded: a converged search has its later results close together, far below its random
    start, and that start is not an outlier."""
    in_order = [results[t][1] for t in sorted(results, key=creation_order)]
    n = len(in_order)
    if n < 5:
        return set(in_order)
    losses, early = sorted(in_order), sorted(in_order[:(n + 1) // 2])
    for i in range((n + 1) // 2 - 1, n - 1):
        below = losses[i] - losses[0]
        if below > 0 and losses[i + 1] - losses[i] > OUTLIER_GAP * below:
            if 2 * bisect.bisect_right(early, losses[i]) >= len(early):
                return set(losses[:i + 1])
            break  # the first half lies above the gap: the search converged below it
    return set(in_order)


class GPPoints:
    """Builds the process for a suggestion from the results, caching what does not change: each
    configuration's encoding (per space), the kernel fitted per group, and the process on the
    results and failures."""

    def __init__(self) -> None:
        self.theta: dict[int, tuple[Any, np.ndarray]] = {}  # group -> (fitted on, theta)
        self.kernel_fits = 0  # kernel hyperparameter fits so far (GPSearcher.kernel_fits)
        self._cache: tuple[Any, ...] | None = None  # (key, units, x, y, gp)
        self._encoded: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # per result: units, x
        self._encoded_space: str | None = None

    def forget(self, trial_id: str) -> None:
        """A new final result for ``trial_id``: its cached encoding may be stale."""
        self._encoded.pop(trial_id, None)

    def process(self, data: FinalResults, space: HyperParameters, encoding: Encoding,
                group: int, *, noise: float, seed: int, max_fit_points: int,
                per_budget: bool | None) -> tuple[Any, np.ndarray, np.ndarray]:
        """The process on the group's results, its failed configurations (at the worst loss of
        the results) and the pending jobs' made-up results; and the unit points and losses of
        the results."""
        keys, values, y, failed = conditioning_points(data, group)
        fingerprint = space_fingerprint(space)
        if self._encoded_space != fingerprint:
            self._encoded, self._encoded_space = {}, fingerprint
        theta = self._kernel_theta(encoding, fingerprint, group, keys, values, y,
                                   noise=noise, seed=seed, max_fit_points=max_fit_points)
        key = (fingerprint, group, tuple(keys), y.tobytes(), theta.tobytes())
        if self._cache is None or self._cache[0] != key:
            units, x = self._encode(encoding, keys, values)
            self._cache = (key, units[~failed], x, y[~failed],
                           model.condition(x, y, noise, theta))
        _, units, x, y_results, gp = self._cache
        if per_budget:
            running, awaiting = data.awaiting(group, max_fit_points)
        else:
            running, awaiting = data.running_values(), []
        if running or awaiting:
            xp = np.array([encoding.features(v) for v in running + awaiting])
            mean, std = gp.predict(xp, return_std=True)
            lie = mean + std
            lie[:len(running)] = np.maximum(lie[:len(running)], y.max())
            gp = model.condition(np.vstack([x, xp]), np.concatenate([y, lie]), noise, theta)
        return gp, units, y_results

    def _kernel_theta(self, encoding: Encoding, fingerprint: str, group: int, keys: list[str],
                      values: list[dict[str, Any]], y: np.ndarray, *, noise: float, seed: int,
                      max_fit_points: int) -> np.ndarray:
        """The kernel hyperparameters, fitted by maximum likelihood on the first ``m`` points in
        trial order, ``m`` being the last point of the refit schedule (1, 2, 3, ... then
        growing by 10%) not above the number of points: a pure function of the results,
        refitted only when that set (or a failed configuration's imputed loss) changes
        (cached)."""
        m = schedule_point(len(keys))
        chosen = list(range(m))
        if m > max_fit_points:  # evenly spread in trial order: early and recent results
            chosen = np.linspace(0, m - 1, max_fit_points).round().astype(int).tolist()
        chosen_keys = [keys[i] for i in chosen]
        chosen_y = y[chosen]
        key = (fingerprint, tuple(chosen_keys), chosen_y.tobytes())
        if group not in self.theta or self.theta[group][0] != key:
            _, x = self._encode(encoding, chosen_keys, [values[i] for i in chosen])
            # A length scale per feature is a candidate from _ARD_FROM results per feature, and
            # is used when the information criterion prefers it (docs/sample-efficiency.md,
            # "Reading the results": with one per feature from the start, hartmann6's median
            # regret was 0.90 against 0.43; always from 5 results per feature, lc_crossing's
            # 0.0041 against 0.0019 with the criterion from 3).
            allow_ard = len(chosen) >= _ARD_FROM * x.shape[1]
            self.kernel_fits += 1
            self.theta[group] = (key, model.select_kernel(
                x, chosen_y, noise, restarts=2, seed=(seed + m) % SEED_RANGE,
                allow_ard=allow_ard))
        return self.theta[group][1]

    def _encode(self, encoding: Encoding, keys: list[str],
                values: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        """Unit points and feature rows of configurations (cached per key and space)."""
        for k, v in zip(keys, values, strict=True):
            if k not in self._encoded:
                self._encoded[k] = (encoding.to_unit(v), encoding.features(v))
        n = len(keys)
        units = np.array([self._encoded[k][0] for k in keys]).reshape(n, encoding.n_units)
        x = np.array([self._encoded[k][1] for k in keys]).reshape(n, encoding.n_features)
        return units, x
