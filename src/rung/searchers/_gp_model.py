"""The Gaussian process of ``GPSearcher`` and the optimisation of its acquisition.

scikit-learn's ``GaussianProcessRegressor`` does the numerics. The kernel is a constant times a
Matern 5/2 with one length scale for all feature columns or one per column, whichever the
Bayesian information criterion prefers (see ``_gp_encoding`` for the columns). Its
hyperparameters are fitted by maximum likelihood only now and then (``select_kernel``); in between,
every suggestion refits the process with the kernel fixed (``condition``: one Cholesky
factorisation), which keeps the cost per suggestion low as observations accumulate.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Container
from contextlib import AbstractContextManager
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from rung.hyperparameters import values_key
from rung.optional import import_optional

if TYPE_CHECKING:
    from rung.searchers._gp_encoding import Encoding

__all__ = [
    "condition",
    "fit_kernel",
    "lower_confidence_bound",
    "minimise_locally",
    "one_blas_thread",
    "propose",
    "select_kernel",
]

_LENGTH_SCALE_BOUNDS = (1e-2, 1e2)
_AMPLITUDE_BOUNDS = (1e-3, 1e3)
_FD_STEP = 1e-4
_LOCAL_ITERATIONS = 15


_PURPOSE = "GPSearcher (searcher='gp')"
_controller: list[Any] = []  # the threadpoolctl controller, made once


def _sklearn() -> ModuleType:
    return import_optional("sklearn.gaussian_process", "sklearn", _PURPOSE)


def one_blas_thread() -> AbstractContextManager[Any]:
    """A context in which BLAS runs on one thread. The matrices here are small (a few hundred
    rows), so more threads gain little, and they lose much when the cores are busy training
    models, as they are during a search."""
    if not _controller:
        _sklearn()
        import_optional("scipy.linalg", "sklearn", _PURPOSE)  # loaded before the limit is set
        _controller.append(import_optional("threadpoolctl", "sklearn", _PURPOSE)
                           .ThreadpoolController())
    limit: AbstractContextManager[Any] = _controller[0].limit(limits=1, user_api="blas")
    return limit


def _kernel(n_features: int, theta: np.ndarray | None, ard: bool = True) -> Any:
    """Constant times Matern 5/2: one length scale per feature (``ard``) or one for all. A
    ``theta`` of two entries (amplitude, length scale) is an isotropic kernel's."""
    kernels = _sklearn().kernels
    if theta is not None:
        ard = len(theta) != 2 or n_features == 1
    scale: Any = np.full(n_features, 0.5) if ard else 0.5
    kernel = kernels.ConstantKernel(1.0, _AMPLITUDE_BOUNDS) * kernels.Matern(
        length_scale=scale, length_scale_bounds=_LENGTH_SCALE_BOUNDS, nu=2.5)
    return kernel if theta is None else kernel.clone_with_theta(theta)


def _regressor(kernel: Any, alpha: float, **kwargs: Any) -> Any:
    return _sklearn().GaussianProcessRegressor(
        kernel=kernel, alpha=alpha, normalize_y=True, copy_X_train=False, **kwargs)


def select_kernel(x: np.ndarray, y: np.ndarray, alpha: float, restarts: int, seed: int,
                  allow_ard: bool) -> np.ndarray:
    """The kernel hyperparameters of one length scale for all columns or, when ``allow_ard``,
    of one per column if the data support them: of the two maximum-likelihood fits, the one
    with the higher Bayesian information criterion, ``log L - k/2 log n`` (Schwarz, 1978), where
    ``k`` counts the kernel's hyperparameters and ``n`` the results. A length scale per column
    must raise the likelihood by more than its price, so few or uninformative results keep the
    single one (which does not overfit)."""
    single, single_log_l = fit_kernel(x, y, alpha, restarts, seed, ard=False)
    if not allow_ard or x.shape[1] == 1:
        return single
    per_column, per_column_log_l = fit_kernel(x, y, alpha, restarts, seed, ard=True)
    price = 0.5 * math.log(len(y))
    if per_column_log_l - price * len(per_column) > single_log_l - price * len(single):
        return per_column
    return single


def fit_kernel(x: np.ndarray, y: np.ndarray, alpha: float, restarts: int, seed: int,
               ard: bool) -> tuple[np.ndarray, float]:
    """The kernel hyperparameters (log scale, ``kernel.theta``) that maximise the marginal
    likelihood of ``y`` at ``x``, searched from the default plus ``restarts`` random starts
    drawn with ``seed``, and the log marginal likelihood there."""
    gp = _regressor(_kernel(x.shape[1], None, ard), alpha, n_restarts_optimizer=restarts,
                    random_state=seed)
    with warnings.catch_warnings():
        # a length scale at its bound just means that feature barely matters
        warnings.simplefilter("ignore", category=UserWarning)
        warnings.simplefilter("ignore", category=RuntimeWarning)
        gp.fit(x, y)
    theta: np.ndarray = np.asarray(gp.kernel_.theta, dtype=float)
    return theta, float(gp.log_marginal_likelihood_value_)


def condition(x: np.ndarray, y: np.ndarray, alpha: float, theta: np.ndarray) -> Any:
    """The process conditioned on ``(x, y)`` with the kernel hyperparameters fixed."""
    gp = _regressor(_kernel(x.shape[1], theta), alpha, optimizer=None)
    gp.fit(x, y)
    return gp


def lower_confidence_bound(gp: Any, features: np.ndarray, beta: float) -> np.ndarray:
    """``mean - beta * std`` at each row (lower is more promising for a minimisation)."""
    mean, std = gp.predict(features, return_std=True)
    result: np.ndarray = mean - beta * std
    return result


def minimise_locally(
    acquisition: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    movable: np.ndarray,
    max_iterations: int,
) -> tuple[np.ndarray, float]:
    """L-BFGS-B on ``acquisition`` (a batch function of unit points) from ``start`` within the
    unit cube, moving only the ``movable`` coordinates (categorical ones stay: the acquisition
    is flat between their bins). Gradients are forward differences evaluated in one batch."""
    optimize = import_optional("scipy.optimize", "sklearn", _PURPOSE)
    index = np.flatnonzero(movable)
    if index.size == 0:
        return start, float(acquisition(start[None, :])[0])

    def value_and_gradient(z: np.ndarray) -> tuple[float, np.ndarray]:
        points = np.repeat(start[None, :], index.size + 1, axis=0)
        points[:, index] = z
        steps = np.where(z + _FD_STEP <= 1.0, _FD_STEP, -_FD_STEP)
        points[np.arange(1, index.size + 1), index] += steps
        values = acquisition(points)
        return float(values[0]), (values[1:] - values[0]) / steps

    result = optimize.minimize(
        value_and_gradient, start[index], jac=True, method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * index.size, options={"maxiter": max_iterations})
    best = start.copy()
    best[index] = np.clip(result.x, 0.0, 1.0)
    return best, float(acquisition(best[None, :])[0])


def propose(encoding: Encoding, gp: Any, units: np.ndarray, y: np.ndarray,
            rng: np.random.Generator, avoid: Container[str], beta: float, num_candidates: int,
            num_restarts: int) -> dict[str, Any] | None:
    """The configuration not in ``avoid`` with the lowest ``mean - beta * std`` found, or None:
    ``num_candidates`` random points of the unit cube and perturbations of the five best
    results (``units``, ``y``), then ``minimise_locally`` from the ``num_restarts`` best."""
    d = encoding.n_units
    best = units[np.argsort(y, kind="stable")[:5]]
    local = np.clip(np.repeat(best, 20, axis=0) + rng.normal(0.0, 0.05, (len(best) * 20, d)),
                    0.0, 1.0)
    points = np.vstack([rng.random((num_candidates, d)), local])

    def acquisition(batch: np.ndarray) -> np.ndarray:
        return lower_confidence_bound(gp, encoding.features_of_units(batch), beta)

    scores = acquisition(points)
    order = np.argsort(scores, kind="stable")
    found = [minimise_locally(acquisition, points[i], encoding.numeric_units, _LOCAL_ITERATIONS)
             for i in order[:num_restarts]]
    ranked = sorted([(s, k, u) for k, (u, s) in enumerate(found)]
                    + [(float(scores[i]), len(found) + r, points[i])
                       for r, i in enumerate(order)], key=lambda t: (t[0], t[1]))
    for _, _, u in ranked:
        values = encoding.decode(u)
        if values_key(values) not in avoid:
            return values
    return None
