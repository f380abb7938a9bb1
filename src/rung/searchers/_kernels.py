"""The one-dimensional kernels of the KDE searcher, each on the unit-cube encoding of one
hyperparameter (see ``rung.searchers._encoding``).

* ``GaussianKernel``: a Gaussian truncated to ``[0, 1]`` (continuous ``Float``, ``Int`` with many
  values), renormalised per centre so that each kernel integrates to 1 on the interval.
* ``OrdinalKernel``: a Gaussian over the positions of a few ordered values (an ``Int`` or stepped
  ``Float`` with a short grid, an ordered ``Choice``), normalised over those values. As its
  bandwidth grows it tends to the uniform distribution; as it shrinks, to the centre's value.
* ``CategoricalKernel``: Aitchison & Aitken (Biometrika, 1976): the centre's category keeps
  ``1 - lambda``, every other category gets ``lambda / (c - 1)``; ``lambda = (c - 1) / c`` is
  uniform.

Every kernel works on arrays: ``log_kernel(x, centres, h)`` is the ``(len(x), len(centres))``
matrix of log densities, ``sample(centres, h, u)`` turns uniforms ``u`` (one per draw, from the
oracle's generator) into draws by inverting the kernel's CDF, so a draw costs exactly one
uniform whatever the kernel. scipy is imported on first use (``scipy.special``'s normal CDF, its
inverse and ``logsumexp``), so ``import rung`` stays light. The bandwidth follows the normal reference rule (``1.06 sigma
n^(-1/(4 + d))``, Scott's factor scaled, as statsmodels' ``normal_reference`` does for every
variable type, which BOHB used), never below ``min_bandwidth``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CategoricalKernel", "GaussianKernel", "Kernel", "OrdinalKernel", "normal_reference"]

NORMAL_REFERENCE = 1.06  # Silverman's constant for a Gaussian kernel on Gaussian data
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def special() -> Any:
    """``scipy.special`` (a dependency of rung), imported on first use: it is slow to import."""
    import scipy.special  # type: ignore[import-untyped]

    return scipy.special


def normal_reference(points: np.ndarray, n: int, dims: int, min_bandwidth: float) -> float:
    """``1.06 * std(points) * n ** (-1 / (4 + dims))`` (the normal reference rule with Scott's
    factor), at least ``min_bandwidth``; ``min_bandwidth`` when fewer than two points or no
    spread (one point says nothing about the width of the good region)."""
    if len(points) < 2:
        return min_bandwidth
    sigma = float(np.std(points, ddof=1))
    return float(max(NORMAL_REFERENCE * sigma * n ** (-1.0 / (4 + dims)), min_bandwidth))


class Kernel:
    """A kernel on the encoding of one hyperparameter (see the module docstring)."""

    levels: int = 0
    """How many values the encoding takes (0: continuous on ``[0, 1]``)."""

    def log_kernel(self, x: np.ndarray, centres: np.ndarray, h: float) -> np.ndarray:
        raise NotImplementedError

    def sample(self, centres: np.ndarray, h: float, u: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def bandwidth(self, points: np.ndarray, n: int, dims: int, min_bandwidth: float) -> float:
        return normal_reference(points, n, dims, min_bandwidth)

    def widen(self, h: float, factor: float) -> float:
        """The bandwidth candidates are sampled with (BOHB widens it to explore more)."""
        return h * factor

    def uniform(self, u: np.ndarray) -> np.ndarray:
        """``u`` (uniforms) as draws from the uniform distribution over the encoding."""
        if self.levels:
            return np.asarray(np.minimum(np.floor(u * self.levels), self.levels - 1))
        return u

    @property
    def log_uniform_density(self) -> float:
        return -math.log(self.levels) if self.levels else 0.0


class GaussianKernel(Kernel):
    """A Gaussian truncated to ``[0, 1]`` around each centre (density on the interval)."""

    def log_kernel(self, x: np.ndarray, centres: np.ndarray, h: float) -> np.ndarray:
        mass = _mass(centres, h)  # the share of each untruncated Gaussian inside [0, 1]
        z = (x[:, None] - centres[None, :]) / h
        return np.asarray(-0.5 * z * z - _LOG_SQRT_2PI - math.log(h) - np.log(mass)[None, :])

    def sample(self, centres: np.ndarray, h: float, u: np.ndarray) -> np.ndarray:
        low = special().ndtr(-centres / h)
        high = special().ndtr((1.0 - centres) / h)
        z = special().ndtri(low + u * (high - low))
        return np.asarray(np.clip(centres + h * z, 0.0, 1.0))


def _mass(centres: np.ndarray, h: float) -> np.ndarray:
    mass = special().ndtr((1.0 - centres) / h) - special().ndtr(-centres / h)
    return np.asarray(np.maximum(mass, 1e-300))


@dataclass(frozen=True)
class OrdinalKernel(Kernel):
    """A Gaussian over the unit positions of ``len(positions)`` ordered values; the encoding is
    the value's index."""

    positions: tuple[float, ...]

    @property
    def levels(self) -> int:  # type: ignore[override]
        return len(self.positions)

    def _log_table(self, h: float) -> np.ndarray:
        """``table[c, j]``: log probability of value ``j`` around centre ``c``."""
        pos = np.asarray(self.positions)
        logits = -0.5 * ((pos[None, :] - pos[:, None]) / h) ** 2
        return np.asarray(logits - special().logsumexp(logits, axis=1, keepdims=True))

    def log_kernel(self, x: np.ndarray, centres: np.ndarray, h: float) -> np.ndarray:
        table = self._log_table(h)
        return np.asarray(table[centres.astype(int)][:, x.astype(int)].T)

    def sample(self, centres: np.ndarray, h: float, u: np.ndarray) -> np.ndarray:
        return _invert(np.exp(self._log_table(h))[centres.astype(int)], u)

    def bandwidth(self, points: np.ndarray, n: int, dims: int, min_bandwidth: float) -> float:
        pos = np.asarray(self.positions)[points.astype(int)]
        return normal_reference(pos, n, dims, min_bandwidth)


@dataclass(frozen=True)
class CategoricalKernel(Kernel):
    """Aitchison-Aitken over ``levels`` unordered categories; ``h`` is lambda, the probability
    of leaving the centre's category (at most ``(c - 1) / c``, uniform)."""

    levels: int

    def _lam(self, h: float) -> float:
        return min(h, (self.levels - 1) / self.levels)

    def log_kernel(self, x: np.ndarray, centres: np.ndarray, h: float) -> np.ndarray:
        lam = self._lam(h)
        same = x[:, None].astype(int) == centres[None, :].astype(int)
        other = lam / (self.levels - 1)
        return np.where(same, math.log1p(-lam), math.log(other))

    def sample(self, centres: np.ndarray, h: float, u: np.ndarray) -> np.ndarray:
        lam = self._lam(h)
        probs = np.full((len(centres), self.levels), lam / (self.levels - 1))
        probs[np.arange(len(centres)), centres.astype(int)] = 1.0 - lam
        return _invert(probs, u)

    def bandwidth(self, points: np.ndarray, n: int, dims: int, min_bandwidth: float) -> float:
        # statsmodels-style normal reference on the category codes, as BOHB does
        return self._lam(normal_reference(points, n, dims, min_bandwidth))

    def widen(self, h: float, factor: float) -> float:
        return self._lam(h * factor)


def _invert(probs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row ``i``'s value whose cumulative probability first exceeds ``u[i]`` (inverse CDF)."""
    cumulative = np.cumsum(probs, axis=1)
    index = (cumulative < (u * cumulative[:, -1])[:, None]).sum(axis=1)
    return np.asarray(np.minimum(index, probs.shape[1] - 1), dtype=float)
