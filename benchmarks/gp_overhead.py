"""Cost per suggestion of rung's GP searcher against keras-tuner's BayesianOptimizationOracle.

Both are driven by hand on the same cheap objective (Branin plus an integer and a categorical
term) over a mixed space, after ``n`` random results (50, 200, 500), so only the model's cost is
measured: no training, no storage. Run::

    .venv/bin/python benchmarks/gp_overhead.py                # n = 50, 200, 500
    .venv/bin/python benchmarks/gp_overhead.py --sizes 50 200 --kt-calls 2
    .venv/bin/python benchmarks/gp_overhead.py --regret 5   # also: regret after 40 trials, 5 seeds

rung fits its kernel's hyperparameters when the number of results has grown by 10%, and
conditions on all results with the kernel fixed in between. Its row is the mean over the next
``n // 10`` suggestions (each followed by its result), with the number of kernel refits among
them: the amortised cost per trial of a long search. keras-tuner refits everything (20 optimiser restarts)
at every suggestion; its row is the mean of ``--kt-calls`` suggestions. BLAS runs on one thread
for both (small matrices gain nothing from more, and lose much on a busy machine).
"""

from __future__ import annotations

import argparse
import math
import os
import time
import warnings
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402, F401 - loaded before the thread limit applies to it
import sklearn.gaussian_process  # noqa: E402, F401
from _args import at_least  # noqa: E402
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
def time_rung(n: int, seed: int) -> tuple[float, float, int]:
    """(mean ms per suggestion over n // 10 steps, ms of the slowest one, kernel refits)."""
    space = define(HyperParameters())
    searcher, rng = GPSearcher(), np.random.default_rng(seed)
    for i, values in enumerate(random_history(n, seed)):
        searcher.observe(Observation(f"{i:05d}", values, 1, objective(values),
                                     TrialStatus.COMPLETED))
    searcher.suggest(space, rng, set())  # the first fit, as after the initial random points
    times, refits = [], 0
    for step in range(max(1, n // 10)):
        fitted = searcher.kernel_fits
        start = time.process_time()
        values = searcher.suggest(space, rng, set())
        times.append(time.process_time() - start)
        refits += searcher.kernel_fits - fitted
        assert values is not None
        searcher.observe(Observation(f"{n + step:05d}", values, 1, objective(values),
                                     TrialStatus.COMPLETED))
    return 1000 * float(np.mean(times)), 1000 * max(times), refits


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


# --- regret at equal trials --------------------------------------------------------------------
OPTIMUM = 0.397887  # Branin's minimum; units=64 and relu add nothing


def regret_rung(trials: int, seed: int) -> float:
    from rung.oracles import BayesianOptimizationOracle

    oracle = BayesianOptimizationOracle(objective="loss", max_trials=trials, seed=seed,
                                        hyperparameters=define(HyperParameters()))
    best = math.inf
    while (s := oracle.ask()) is not None:
        loss = objective(s.values)
        best = min(best, loss)
        oracle.tell(s.trial_id, {"loss": loss})
    return best - OPTIMUM


def regret_keras_tuner(trials: int, seed: int) -> float:
    import keras_tuner as kt

    space = define(kt.HyperParameters())
    oracle = kt.oracles.BayesianOptimizationOracle(
        objective=kt.Objective("loss", "min"), max_trials=trials, seed=seed,
        hyperparameters=space)
    best = math.inf
    for i in range(trials):
        values = oracle.populate_space(f"{i:05d}")["values"]
        hps = space.copy()
        hps.values = dict(values)
        trial = kt.engine.trial.Trial(hps, trial_id=f"{i:05d}", status="COMPLETED")
        trial.score = objective(values)
        oracle.trials[trial.trial_id] = trial
        best = min(best, trial.score)
    return best - OPTIMUM


def regret_table(seeds: int, trials: int = 40) -> None:
    ours = [regret_rung(trials, seed) for seed in range(seeds)]
    theirs = [regret_keras_tuner(trials, seed) for seed in range(seeds)]
    print(f"\nregret after {trials} trials over {seeds} seeds (median [quartiles]):")
    for name, r in (("rung GP", ours), ("keras-tuner", theirs)):
        q1, med, q3 = np.percentile(r, [25, 50, 75])
        print(f"  {name:<12} {med:.4f} [{q1:.4f}, {q3:.4f}]")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=at_least(1), nargs="+", default=[50, 200, 500],
                        metavar="N", help="random results before timing (default 50 200 500)")
    parser.add_argument("--kt-calls", type=at_least(1), default=3,
                        help="keras-tuner suggestions timed per size (default 3)")
    parser.add_argument("--seed", type=at_least(0), default=0,
                        help="seed of the random results (default 0)")
    parser.add_argument("--regret", type=at_least(0), default=0, metavar="SEEDS",
                        help="also compare the regret after 40 trials over this many seeds")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", module="sklearn")  # keras-tuner's GP at its bounds
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        for n in args.sizes:
            ours, ours_max, refits = time_rung(n, args.seed)
            theirs, theirs_max = time_keras_tuner(n, args.seed, args.kt_calls)
            rows.append((n, ours, ours_max, refits, theirs, theirs_max))
            print(f"... n={n} done", flush=True)
    print()
    print("CPU ms per suggestion after n results (rung: mean over the next n/10 suggestions, "
          "with its kernel refits among them; keras-tuner: every call refits)")
    print(f"{'n':>5} {'rung mean':>10} {'rung max':>9} {'refits':>7} {'keras-tuner':>12} "
          f"{'kt max':>9} {'kt/rung':>8}")
    for n, ours, ours_max, refits, theirs, theirs_max in rows:
        print(f"{n:>5} {ours:>10.1f} {ours_max:>9.1f} {refits:>7} {theirs:>12.1f} "
              f"{theirs_max:>9.1f} {theirs / ours:>7.1f}x")
    if args.regret:
        with threadpool_limits(limits=1, user_api="blas"):
            regret_table(args.regret)


if __name__ == "__main__":
    main()
