"""What reproducible mode costs: wall time of parallel searches with and without it.

``search(reproducible=True)`` hands results to the oracle in the order the jobs started, so a
worker whose job ended stays idle while an earlier job still runs. Measured two ways::

    python benchmarks/reproducible_cost.py            # both parts
    python benchmarks/reproducible_cost.py --quick    # smaller

(a) Real: ASHA (promotion and stopping) on 4 local worker processes, a toy training function whose
    epochs take 10-90 ms by configuration (it sleeps: the figure is about scheduling, not about
    the 2 cores the machine has). Reported: wall time, epochs trained, epochs per second.
(b) Simulated clock (``SimulatedExecutor``): the same searches, and BOHB, at 4 and 32 workers,
    1-9 s per epoch by configuration: the simulated wall time and the workers' utilisation.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from typing import Any

import rung
from rung.executors import SimulatedExecutor
from rung.storage import InMemoryStorage


def loss(values: dict[str, Any], epoch: int) -> float:
    return (values["x"] - 0.3) ** 2 + 1.0 / epoch


def epoch_seconds(values: dict[str, Any]) -> float:
    """1 to 9 (simulated) seconds per epoch: slow configurations are many times slower."""
    return 1.0 + 8.0 * values["x"]


def train(trial: rung.Trial) -> dict[str, float]:
    """A toy job: each epoch sleeps ``epoch_seconds / 100`` (10-90 ms)."""
    values = {"x": trial.hyperparameters.Float("x", 0.0, 1.0)}
    for epoch in range(trial.initial_epoch + 1, (trial.epochs or 1) + 1):
        time.sleep(epoch_seconds(values) / 100)
        trial.report(epoch, loss=loss(values, epoch))
    return {"loss": loss(values, trial.epochs or 1)}


def tuner(algorithm: str, trials: int, directory: str, **kwargs: Any) -> rung.tuner.BaseTuner:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    common: dict[str, Any] = dict(run_trial=train, objective="loss", max_epochs=27, seed=3,
                                  hyperparameters=hp, directory=directory, verbose=0, **kwargs)
    if algorithm == "bohb":
        return rung.BOHB(factor=3, hyperband_iterations=max(1, trials // 40), **common)
    mode = algorithm.split("-")[1]
    return rung.ASHA(factor=3, max_trials=trials, mode=mode, **common)


def epochs_trained(t: rung.tuner.BaseTuner) -> int:
    return sum((r.epochs_reached or r.epochs) - r.initial_epoch for r in t.storage.trials())


def real(algorithm: str, trials: int) -> dict[bool, tuple[float, int]]:
    """(wall seconds, epochs trained) with 4 worker processes, without and with the mode."""
    out = {}
    for reproducible in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            t = tuner(algorithm, trials, tmp, project_name="p")
            start = time.perf_counter()
            t.search(workers=4, reproducible=reproducible)
            out[reproducible] = (time.perf_counter() - start, epochs_trained(t))
    return out


def simulated(algorithm: str, trials: int, workers: int) -> dict[bool, tuple[float, float, int]]:
    """(simulated wall seconds, utilisation, epochs trained), without and with the mode."""
    out = {}
    for reproducible in (False, True):
        t = tuner(algorithm, trials, ".", storage=InMemoryStorage(), project_name="sim")
        sim = SimulatedExecutor(workers, curve=loss, epoch_seconds=epoch_seconds)
        t.search(executor=sim, reproducible=reproducible)
        out[reproducible] = (sim.now, sim.utilisation(), epochs_trained(t))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller searches")
    args = parser.parse_args(argv)
    trials = 27 if args.quick else 81
    print("(a) 4 local worker processes, 10-90 ms per epoch")
    print(f"{'algorithm':<15} {'mode':<12} {'wall s':>7} {'epochs':>7} {'epochs/s':>9}")
    for algorithm in ("asha-promotion", "asha-stopping"):
        for reproducible, (wall, epochs) in real(algorithm, trials).items():
            mode = "reproducible" if reproducible else "async"
            print(f"{algorithm:<15} {mode:<12} {wall:>7.2f} {epochs:>7} {epochs / wall:>9.1f}")
    print("\n(b) simulated clock, 1-9 s per epoch")
    print(f"{'algorithm':<15} {'workers':>7} {'mode':<12} {'sim s':>8} {'util':>6} {'epochs':>7}")
    for algorithm in ("asha-promotion", "asha-stopping", "bohb"):
        for workers in (4, 32):
            runs = simulated(algorithm, trials * (4 if workers > 4 else 1), workers)
            for reproducible, (now, used, epochs) in runs.items():
                mode = "reproducible" if reproducible else "async"
                print(f"{algorithm:<15} {workers:>7} {mode:<12} {now:>8.0f} {used:>6.0%} "
                      f"{epochs:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
