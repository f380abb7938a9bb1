"""Hyperband's bracket arithmetic (Li et al., JMLR 2018), in exact integer arithmetic.

With ``R = max_epochs`` and ``eta = factor``:

* ``s_max = floor(log_eta(R))`` — computed by repeated multiplication, never with float ``log``
  (``log(243) / log(3)`` is ``4.999…`` in floating point, which loses a bracket).
* bracket ``s`` (``s_max`` is the most aggressive) starts ``n = ceil((s_max + 1) * eta**s / (s + 1))``
  configurations at ``r = R * eta**-s`` epochs;
* rung ``i`` (``0 <= i <= s``) keeps ``floor(n / eta**i)`` configurations and trains them to
  ``floor(R * eta**i / eta**s)`` epochs, so the last rung trains exactly ``R`` epochs.

Li et al. treat the resource as a real number; epochs are whole, so rung epochs are rounded down
(never up past the plan; ``R / eta**s_max >= 1`` so no rung gets zero epochs). A promoted
configuration continues from its parent's checkpoint, so a job of rung ``i > 0`` is charged only
``epochs_i - epochs_{i-1}`` new epochs.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BracketPlan", "Budget", "RungPlan", "asha_budget", "bracket_plan", "hyperband_plan",
           "integer_log", "milestones"]

ASHA_OPEN_ENDED = ("max_trials=None: new configurations until the space is exhausted, or "
                   "search(max_time=..., max_epochs_total=...) or Ctrl-C stops it")


def integer_log(value: int, base: int) -> int:
    """The largest ``s`` with ``base**s <= value`` (``floor(log_base(value))``), exactly."""
    if base < 2:
        raise ValueError(f"base must be an integer >= 2, got {base!r}")
    if value < 1:
        raise ValueError(f"value must be an integer >= 1, got {value!r}")
    s, power = 0, base
    while power <= value:
        s += 1
        power *= base
    return s


def milestones(max_epochs: int, factor: int, min_epochs: int = 1) -> tuple[int, ...]:
    """ASHA's rungs in epochs, lowest first: ``max_epochs / factor**k`` (integer division) for
    ``k = top, ..., 0``, where ``top`` is the largest with ``factor**top <= max_epochs //
    min_epochs``; ``milestones(81, 3)`` is ``(1, 3, 9, 27, 81)``."""
    top = integer_log(max_epochs // min_epochs, factor)
    return tuple(max_epochs * factor**k // factor**top for k in range(top + 1))


@dataclass(frozen=True)
class RungPlan:
    """Rung ``index`` of a bracket: ``jobs`` configurations trained from ``initial_epoch`` to ``epochs``."""

    index: int
    jobs: int
    epochs: int
    initial_epoch: int

    @property
    def charged_epochs(self) -> int:
        """Epochs this rung trains in total, counting checkpoint continuation."""
        return self.jobs * (self.epochs - self.initial_epoch)


@dataclass(frozen=True)
class BracketPlan:
    """One successive-halving bracket ``s`` of Hyperband iteration ``iteration``."""

    iteration: int
    s: int
    rungs: tuple[RungPlan, ...]

    @property
    def n(self) -> int:
        return self.rungs[0].jobs

    @property
    def jobs(self) -> int:
        return sum(r.jobs for r in self.rungs)

    @property
    def epochs(self) -> int:
        return sum(r.charged_epochs for r in self.rungs)

    @property
    def full_budget_jobs(self) -> int:
        """How many jobs of the top rung's epochs (``max_epochs``) this bracket's epochs pay for,
        at least one: what BOHB runs in its place where its first rung misleads."""
        return max(1, self.epochs // self.rungs[-1].epochs)


def bracket_plan(max_epochs: int, factor: int, s: int, iteration: int = 0) -> BracketPlan:
    """The plan of bracket ``s`` for ``R = max_epochs`` and ``eta = factor``."""
    s_max = integer_log(max_epochs, factor)
    if not 0 <= s <= s_max:
        raise ValueError(f"bracket s must be in [0, {s_max}] for R={max_epochs}, eta={factor}; got {s}")
    top = (s_max + 1) * factor**s
    n = -(-top // (s + 1))  # ceil without floats
    rungs = []
    previous = 0
    for i in range(s + 1):
        epochs = max_epochs * factor**i // factor**s
        rungs.append(RungPlan(index=i, jobs=n // factor**i, epochs=epochs, initial_epoch=previous))
        previous = epochs
    return BracketPlan(iteration=iteration, s=s, rungs=tuple(rungs))


def hyperband_plan(
    max_epochs: int, factor: int, iterations: int = 1, brackets: tuple[int, ...] | None = None
) -> list[BracketPlan]:
    """Every bracket of the search, in run order: most aggressive first, iteration by iteration."""
    s_max = integer_log(max_epochs, factor)
    chosen = tuple(range(s_max, -1, -1)) if brackets is None else brackets
    return [
        bracket_plan(max_epochs, factor, s, iteration)
        for iteration in range(iterations)
        for s in chosen
    ]


@dataclass(frozen=True)
class Budget:
    """What a search will cost, known before it starts.

    ``jobs`` is the number of training jobs, ``epochs`` the epochs trained in total (promoted jobs
    continue from their parent's checkpoint), ``epochs_without_continuation`` what the same plan
    costs when every job trains from scratch. ``jobs`` is 0 and ``epochs`` None where not known
    in advance (ASHA's promotions, define-by-run epochs, a search that runs until stopped).

    ``brackets`` are the brackets of one Hyperband iteration, repeated ``iterations`` times
    (``None``: until the search is stopped).
    """

    jobs: int
    epochs: int | None = None
    brackets: tuple[BracketPlan, ...] = ()
    epochs_without_continuation: int | None = None
    iterations: int | None = 1
    open_ended: str = ""  # why jobs is 0, where the general reason would mislead
    bounds: str = ""  # what is known where the totals are not (ASHA's rungs and upper bounds)

    def describe(self) -> str:
        """A human-readable table of the plan."""
        if self.iterations is None:
            per_jobs = sum(b.jobs for b in self.brackets)
            per_epochs = sum(b.epochs for b in self.brackets)
            head = (f"planned: no end (hyperband_iterations=None): {per_jobs} jobs, "
                    f"{per_epochs} epochs per iteration of {len(self.brackets)} brackets; "
                    "stopped by search(max_time=..., max_epochs_total=...) or Ctrl-C")
        elif not self.jobs and not self.brackets and self.open_ended:
            head = f"planned: no end ({self.open_ended})"
        elif not self.jobs and not self.brackets and self.bounds:  # ASHA's promotions
            head = ("planned: not known in advance (ASHA promotes as results arrive; "
                    f"search(max_time=..., max_epochs_total=...) or Ctrl-C end it sooner): "
                    f"{self.bounds}")
        elif not self.jobs and not self.brackets:  # an open-ended search
            head = ("planned: not known in advance (how many jobs run depends on the results, "
                    "e.g. ASHA's promotions; max_trials, search(max_time=..., "
                    "max_epochs_total=...) or Ctrl-C end it)")
        else:
            head = ("planned:" + _count(self.jobs, "job")[1:]
                    + (_count(self.epochs, "epoch") if self.epochs is not None else "")
                    + (f" ({self.epochs_without_continuation} without checkpoint continuation)"
                       if self.epochs_without_continuation is not None and self.brackets else "")
                    + (_count(len(self.brackets) * self.iterations, "bracket")
                       if self.brackets else "")
                    + (f"; {self.bounds}" if self.bounds else ""))
        lines = [head]
        repeat = "" if self.iterations == 1 else (
            " (each iteration)" if self.iterations is None else
            f" (each of {self.iterations} iterations)")
        for b in self.brackets:
            rungs = "  ".join(f"{r.jobs}x{r.epochs}" for r in b.rungs)
            lines.append(f"  bracket s={b.s}: {b.jobs:>4} jobs {b.epochs:>6} epochs   "
                         f"rungs (jobs x epochs): {rungs}{repeat}")
        return "\n".join(lines)


def asha_budget(max_epochs: int, factor: int, min_epochs: int, mode: str,
                max_trials: int | None) -> Budget:
    """ASHA's plan: with ``max_trials`` its rungs and upper bounds (each configuration trains
    at most to ``max_epochs``, one job per rung in the promotion mode); the totals themselves
    depend on the results."""
    if max_trials is None:
        return Budget(jobs=0, epochs=None, open_ended=ASHA_OPEN_ENDED)
    rungs = milestones(max_epochs, factor, min_epochs)
    at = ", ".join(map(str, rungs))
    if mode == "stopping":
        return Budget(jobs=max_trials, epochs=None, bounds=(
            f"each stopped at a rung ({at} epochs) or trained to {max_epochs}: "
            f"at most {max_trials * max_epochs} epochs"))
    return Budget(jobs=0, epochs=None, bounds=(
        f"{max_trials} configurations, rungs at {at} epochs: at most "
        f"{max_trials * len(rungs)} jobs and {max_trials * max_epochs} epochs"))


def _count(n: int, noun: str) -> str:
    """``", 1 bracket"``, ``", 4 brackets"``."""
    return f", {n} {noun}{'' if n == 1 else 's'}"
