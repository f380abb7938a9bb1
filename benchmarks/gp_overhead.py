"""Cost per suggestion of rung's GP searcher against keras-tuner's BayesianOptimizationOracle.

Both are driven by hand on the same cheap objective (Branin plus an integer and a categorical
term) over a mixed space, after ``n`` random results (50, 200, 500), so only the model's cost is
measured: no training, no storage. Run::

    .venv/bin/python benchmarks/gp_overhead.py                # n = 50, 200, 500
    .venv/bin/python benchmarks/gp_overhead.py --sizes 50 200 --kt-calls 2

rung fits its kernel's hyperparameters when the number of results has grown by 10%, and
conditions on all results with the kernel fixed in between. Its row is the mean over the next
``n // 10`` suggestions (each followed by its result), which contains exactly one refit: the
amortised cost per trial of a long search. keras-tuner refits everything (20 optimiser restarts)
at every suggestion; its row is the mean of ``--kt-calls`` suggestions. BLAS runs on one thread
for both (small matrices gain nothing from more, and lose much on a busy machine).
"""

from __future__ import annotations

import argparse
import math
import os
import time
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402, F401 - loaded before the thread limit applies to it
import sklearn.gaussian_process  # noqa: E402, F401
from threadpoolctl import threadpool_limits  # noqa: E402

from rung.hyperparameters import HyperParameters  # noqa: E402
from rung.searchers import GPSearcher, Observation  # noqa: E402
from rung.searchers._space import sample_active  # noqa: E402
from rung.trial_record import TrialStatus  # noqa: E402

_ACTIVATION = {"relu": 0.0, "tanh": 0.5, "elu": 0.2}


def objective(values: dict[str, Any]) -> float:
    """Branin in (x1, x2), plus a bowl in log2(units) and a cost per activation."""
    x1, x2 = values["x1"], values["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    branin = (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10
    return branin + 0.1 * (math.log2(values["units"]) - 6) ** 2 + _ACTIVATION[values["act"]]


def define(hp: Any) -> Any:
    hp.Float("x1", -5.0, 10.0)
    hp.Float("x2", 0.0, 15.0)
    hp.Int("units", 16, 256, sampling="log")
    hp.Choice("act", list(_ACTIVATION))
    return hp


def random_history(n: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    space = define(HyperParameters())
    return [sample_active(space, rng) for _ in range(n)]


# --- rung ---------------------------------------------------------------------------------
def time_rung(n: int, seed: int) -> tuple[float, float]:
    """(mean ms per suggestion over n // 10 steps, ms of the slowest one)."""
    space = define(HyperParameters())
    searcher, rng = GPSearcher(), np.random.default_rng(seed)
    for i, values in enumerate(random_history(n, seed)):
        searcher.observe(Observation(f"{i:05d}", values, 1, objective(values),
                                     TrialStatus.COMPLETED))
    searcher.suggest(space, rng, set())  # the first fit, as after the initial random points
    times = []
    for step in range(max(1, n // 10)):
        start = time.process_time()
        values = searcher.suggest(space, rng, set())
        times.append(time.process_time() - start)
        assert values is not None
        searcher.observe(Observation(f"{n + step:05d}", values, 1, objective(values),
                                     TrialStatus.COMPLETED))
    return 1000 * float(np.mean(times)), 1000 * max(times)


# --- keras-tuner --------------------------------------------------------------------------
def time_keras_tuner(n: int, seed: int, calls: int) -> tuple[float, float]:
    """(mean ms per suggestion over ``calls`` suggestions, ms of the slowest one)."""
    import keras_tuner as kt

    space = define(kt.HyperParameters())
    oracle = kt.oracles.BayesianOptimizationOracle(
        objective=kt.Objective("loss", "min"), max_trials=100_000, seed=seed,
        hyperparameters=space)

    def add(trial_id: str, values: dict[str, Any]) -> None:
        hps = space.copy()
        hps.values = dict(values)
        trial = kt.engine.trial.Trial(hps, trial_id=trial_id, status="COMPLETED")
        trial.score = objective(values)
        oracle.trials[trial_id] = trial

    for i, values in enumerate(random_history(n, seed)):
        add(f"{i:05d}", values)
    times = []
    for step in range(calls):
        trial_id = f"{n + step:05d}"
        start = time.process_time()
        response = oracle.populate_space(trial_id)
        times.append(time.process_time() - start)
        add(trial_id, response["values"])
    return 1000 * float(np.mean(times)), 1000 * max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--kt-calls", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        for n in args.sizes:
            ours, ours_max = time_rung(n, args.seed)
            theirs, theirs_max = time_keras_tuner(n, args.seed, args.kt_calls)
            rows.append((n, ours, ours_max, theirs, theirs_max))
            print(f"... n={n} done", flush=True)
    print()
    print("ms per suggestion after n results (rung: amortised over n/10 suggestions incl. "
          "one kernel refit; keras-tuner: every call refits)")
    print(f"{'n':>5} {'rung mean':>10} {'rung max':>9} {'keras-tuner':>12} {'kt max':>9} "
          f"{'kt/rung':>8}")
    for n, ours, ours_max, theirs, theirs_max in rows:
        print(f"{n:>5} {ours:>10.1f} {ours_max:>9.1f} {theirs:>12.1f} {theirs_max:>9.1f} "
              f"{theirs / ours:>7.1f}x")


if __name__ == "__main__":
    main()
