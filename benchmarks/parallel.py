"""Parallel scaling: real worker processes (rung, Optuna, keras-tuner), and schedulers on a
simulated cluster of 8-128 workers.

Run::

    .venv/bin/python benchmarks/parallel.py            # full
    .venv/bin/python benchmarks/parallel.py --quick    # smaller (a smoke run, targets not judged)
    .venv/bin/python benchmarks/parallel.py --part real --jobs 4 --work 1000000   # (a), small

(a) Real: the same CPU-bound random search (every job burns the CPU in pure Python for a fixed
    amount of work, ``--jobs`` jobs of ``--work`` iterations) with 1 and 2 local worker processes;
    throughput ratio (target >= 1.8x on 2 cores). The peers run the same job, as many jobs, in
    the same run, with their own parallel modes (``_parallel_peers.py``; ``--no-peers`` skips
    them): Optuna with 1 and 2 processes sharing one SQLite study (``create_study(...,
    load_if_exists=True)`` and ``study.optimize`` in each, as its documentation gives for
    CPU-bound work) and with ``n_jobs=2`` threads in one process (the GIL); keras-tuner in its
    distributed mode (a gRPC chief and 1 or 2 workers, ``KERASTUNER_*`` variables: it has no
    local worker mode). Every run starts fresh worker processes; printed for each: jobs/s from
    launch to the last worker's exit (start-up included) and from the first job's start to the
    last job's end (start-up excluded), the cores obtained, and the ratios rung / peer at 1 and
    2 workers. ``--rounds N`` repeats everything N times in alternating order, keeping each
    run's best (default 2): on a shared machine the load moves between runs.
(b) Simulated clock (``rung.executors.SimulatedExecutor``): the full tuner loop, with scripted
    learning curves and heterogeneous epoch times (0.5-1.5 s per epoch, by configuration), for
    sequential-bracket Hyperband, parallel-bracket Hyperband and ASHA (promotion), at 8, 32 and
    128 workers (max_epochs=27, factor=3). Reported: time until a job trained to max_epochs
    reaches the target regret, worker utilisation until then, and the speed-up from 8 workers
    against ideal linear scaling. Targets: ASHA >= 95% utilisation at 128 workers and
    time-to-target within 1.3x of ideal linear scaling from 8 to 128 workers.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import rung
from rung.executors import SimulatedExecutor
from rung.oracles import ASHAOracle, HyperbandOracle, RandomSearchOracle
from rung.storage import InMemoryStorage

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _args import at_least  # noqa: E402
from _parallel_peers import (  # noqa: E402
    INSTALL_HINT,
    cpu_seconds,
    figures,
    keras_tuner_distributed,
    optuna_processes,
    optuna_threads,
    spin,
    stamp,
)

R, ETA = 27, 3


# --- (a) real processes ----------------------------------------------------------------------
def burn(trial: rung.Trial, work: int, log: str | None = None) -> float:
    """The CPU-bound job (``_parallel_peers.spin``: ``work`` iterations of integer arithmetic),
    its start and end appended to ``log``; the peers run the same function."""
    started = time.monotonic()
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    result = (x - 0.3) ** 2 + spin(work) * 0.0
    stamp(log, started)
    return result


def rung_real(jobs: int, work: int, workers: int) -> dict[str, float]:
    """One random search of ``jobs`` jobs with ``workers`` local worker processes: the figures of
    ``_parallel_peers.figures`` (the tuner's construction and the workers' start-up included in
    the wall time), and ``worker_cores``, the workers' CPU seconds / wall seconds."""
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "stamps"
        start, cpu, before = time.perf_counter(), cpu_seconds(), os.times()
        tuner = rung.Tuner(RandomSearchOracle(objective="loss", max_trials=jobs, seed=0,
                                              hyperparameters=hp),
                           run_trial=burn, directory=Path(tmp) / "project", verbose=0)
        tuner.search(work, str(log), workers=workers, executor="processes")
        wall = time.perf_counter() - start
        out = figures(jobs, wall, cpu_seconds() - cpu, log)
        out["worker_cores"] = (os.times().children_user - before.children_user) / wall
        tuner.storage.close()
    return out


# --- (c) threads per worker ------------------------------------------------------------------
def torch_job(trial: rung.Trial) -> float:
    """A small torch MLP on digits, trained for the job's epochs (no checkpoint: each job starts
    afresh, so every run does the same work)."""
    return train_mlp(trial.hyperparameters.Int("units", 64, 256, step=64), trial.epochs)


def train_mlp(units: int, epochs: int) -> float:
    import torch
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x_t, y_t = torch.tensor(x / 16.0, dtype=torch.float32), torch.tensor(y)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, units), torch.nn.ReLU(),
                                torch.nn.Linear(units, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss = torch.tensor(0.0)
    for _ in range(epochs):
        for i in range(0, len(x_t), 32):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x_t[i:i + 32]), y_t[i:i + 32])
            loss.backward()
            optimizer.step()
    return float(loss.detach())


def threads(max_epochs: int) -> dict[str, float]:
    """Wall seconds of the same Hyperband search in one process and with 2 workers, each worker
    with torch's default threads or with its share of the cores."""
    from rung.executors import ProcessExecutor

    hp = rung.HyperParameters()
    hp.Int("units", 64, 256, step=64)
    runs: dict[str, Any] = {"1 process": None, "1 process, 1 thread": None,
                            "2 workers, a thread per core each": ProcessExecutor(
                                2, threads_per_worker=None),
                            "2 workers, their share (default)": ProcessExecutor(2)}
    seconds = {}
    import torch

    default_threads = torch.get_num_threads()
    # Not timed: importing scikit-learn and torch's first backward pass (about 1 s) would
    # otherwise be charged to the first row alone (the workers' own start-up stays in theirs)
    train_mlp(64, 1)
    for name, executor in runs.items():
        torch.set_num_threads(1 if name.endswith("1 thread") else default_threads)
        with tempfile.TemporaryDirectory() as tmp:
            tuner = rung.Tuner(HyperbandOracle(objective="loss", max_epochs=max_epochs,
                                               factor=ETA, seed=0, hyperparameters=hp),
                               run_trial=torch_job, directory=tmp, verbose=0)
            start = time.perf_counter()
            tuner.search(**({} if executor is None else {"executor": executor}))
            seconds[name] = time.perf_counter() - start
    torch.set_num_threads(default_threads)
    return seconds


# --- (b) simulated cluster ---------------------------------------------------------------------
def curve(values: dict[str, Any], epoch: int) -> float:
    """Validation loss after ``epoch`` epochs: an asymptote plus a decaying term."""
    x, y = values["x"], values["y"]
    final = (x - 0.33) ** 2 + (y - 0.71) ** 2
    return final + (0.4 + 0.6 * x) * epoch ** -0.7


def epoch_seconds(values: dict[str, Any]) -> float:
    return 0.5 + values["y"]


def target_regret(quantile: float) -> tuple[float, float]:
    """(best possible final loss, the regret that a random configuration beats with
    probability ``quantile``)."""
    rng = np.random.default_rng(0)
    xs, ys = rng.random(400_000), rng.random(400_000)
    finals = np.array([curve({"x": x, "y": y}, R)
                       for x, y in zip(xs[:200_000], ys[:200_000], strict=True)])
    grid = np.linspace(0, 1, 401)
    best = min(curve({"x": x, "y": 0.71}, R) for x in grid)
    return best, float(np.quantile(finals - best, quantile))


class SimStorage(InMemoryStorage):
    """In-memory storage that skips the scheduler snapshots. The simulated clock does not count
    the driver's own time, so they change no figure; skipping them only makes the run faster."""

    def create_trial(self, record: Any, oracle_state: Any = None) -> None:
        super().create_trial(record, None)

    def finish_trial(self, trial_id: str, status: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["oracle_state"] = None
        super().finish_trial(trial_id, status, *args, **kwargs)


class Reached(Exception):
    """The target was reached: stop the simulated search."""


def simulate(kind: str, workers: int, best: float, target: float, seed: int) -> dict[str, float]:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    hp.Float("y", 0.0, 1.0)
    if kind == "asha":
        oracle: Any = ASHAOracle(objective="loss", max_epochs=R, factor=ETA, max_trials=100_000,
                                 seed=seed, hyperparameters=hp)
    else:
        oracle = HyperbandOracle(objective="loss", max_epochs=R, factor=ETA, seed=seed,
                                 hyperband_iterations=2000, hyperparameters=hp,
                                 parallel_brackets=kind == "hyperband-parallel")
    sim = SimulatedExecutor(workers, curve=curve, epoch_seconds=epoch_seconds)

    class Until(rung.Tuner):
        def on_trial_end(self, trial: rung.Trial) -> None:
            if trial.record.epochs == R and trial.record.loss is not None \
                    and curve(trial.record.values, R) - best <= target:
                raise Reached

    tuner = Until(oracle, run_trial=lambda trial: None, storage=SimStorage(),
                  directory=tempfile.gettempdir(), project_name="rung-sim", verbose=0)
    started = time.perf_counter()
    try:
        tuner.search(executor=sim)
        reached = False
    except Reached:
        reached = True
    return {"time": sim.now if reached else float("nan"), "util": sim.utilisation(until=sim.now),
            "jobs": float(len(sim.trace)), "wall": time.perf_counter() - started}


def averaged(kind: str, workers: int, best: float, target: float,
             seeds: range) -> dict[str, float]:
    """Means over ``seeds`` (utilisation: worker-seconds over capacity, pooled)."""
    runs = [simulate(kind, workers, best, target, seed) for seed in seeds]
    mean = {key: float(np.mean([r[key] for r in runs])) for key in ("time", "jobs")}
    mean["util"] = float(sum(r["util"] * r["time"] for r in runs) / sum(r["time"] for r in runs))
    mean["wall"] = float(sum(r["wall"] for r in runs))
    return mean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    parser.add_argument("--part", choices=("all", "real", "simulated", "threads"),
                        default="all", help="(a) real worker processes, (b) the simulated "
                        "cluster, (c) threads per worker, or all three (default)")
    parser.add_argument("--jobs", type=at_least(1), default=None, metavar="N",
                        help="(a): jobs per run, for every tool (default 24; --quick 8)")
    parser.add_argument("--work", type=at_least(1), default=None, metavar="N",
                        help="(a): iterations of arithmetic per job (default 8,000,000, about "
                             "0.5 s on a free core; --quick 4,000,000)")
    parser.add_argument("--rounds", type=at_least(1), default=None, metavar="N",
                        help="(a): run everything N times, alternating the order, and keep "
                             "each run's best (default 2; --quick 1)")
    parser.add_argument("--no-peers", action="store_true",
                        help="(a): rung only: no Optuna, no keras-tuner, no ratios")
    args = parser.parse_args(argv)
    ok = True
    if args.part in ("all", "real"):
        ok &= run_real(args.quick, args.jobs, args.work, peers=not args.no_peers,
                        rounds=args.rounds)
    if args.part in ("all", "simulated"):
        ok &= run_simulated(args.quick)
    if args.part in ("all", "threads"):
        run_threads(args.quick)
    if args.quick:  # a smoke run: too small for the targets to mean anything
        print("\n(--quick: targets not judged)")
        return 0
    print("\nall targets met" if ok else "\nsome targets missed")
    return 0 if ok else 1


PEERS = {"optuna": "optuna", "keras-tuner": "keras_tuner"}  # the name, the module


def missing_peers() -> list[str]:
    import importlib.util

    return [name for name, module in PEERS.items() if importlib.util.find_spec(module) is None]


def real_rows(jobs: int, work: int, peers: bool,
              rounds: int = 1) -> dict[str, dict[str, float] | str]:
    """Every run of (a): label -> figures, or why it did not run. With several ``rounds`` every
    run is repeated, in the reverse order every other round (so that no tool always runs first
    or last while other processes load the machine), and its best round (jobs/s, start-up
    included) is kept."""
    runs: list[tuple[str, Any]] = [
        (f"rung, {w} worker process{'es' * (w > 1)}", lambda w=w: rung_real(jobs, work, w))
        for w in (1, 2)]
    if peers:
        runs += [(f"optuna, {w} process{'es' * (w > 1)} on one SQLite study",
                  lambda w=w: optuna_processes(jobs, work, w)) for w in (1, 2)]
        runs.append(("optuna, n_jobs=2 threads in 1 process", lambda: optuna_threads(jobs, work, 2)))
        runs += [(f"keras-tuner distributed, chief + {w} worker{'s' * (w > 1)}",
                  lambda w=w: keras_tuner_distributed(jobs, work, w)) for w in (1, 2)]
    absent = missing_peers()
    rows: dict[str, dict[str, float] | str] = {
        label: f"not installed: {INSTALL_HINT}, or --no-peers"
        for label, _ in runs if any(label.startswith(name) for name in absent)}
    for turn in range(rounds):
        for label, fn in runs if turn % 2 == 0 else runs[::-1]:
            if label in rows and isinstance(rows[label], str):
                continue  # not installed, or failed in an earlier round
            try:
                r = fn()
            except RuntimeError as error:  # a peer's worker failed: say so, run the others
                rows[label] = f"failed: {error}"
                continue
            old = rows.get(label)
            if old is None or isinstance(old, str) or r["rate"] > old["rate"]:
                rows[label] = r
    for label, _ in runs:
        print(real_row(label, rows[label]), flush=True)
    return rows


def real_row(label: str, r: dict[str, float] | str) -> str:
    if isinstance(r, str):
        return f"    {label:<44} {r}"
    return (f"    {label:<44}{int(r['jobs']):>5}{r['wall']:>8.1f}{r['rate']:>10.2f}"
            f"{r['rate_jobs']:>10.2f}{r['cores']:>7.2f}")


def real_ratios(rows: dict[str, dict[str, float] | str]) -> list[str]:
    """rung's jobs/s over each peer's at the same number of workers (start-up included; excluded),
    and each tool's 2-worker throughput over its 1-worker throughput."""
    def rate(label: str, key: str) -> float | None:
        r = rows.get(label)
        return None if r is None or isinstance(r, str) else r[key]

    pairs = [("optuna processes", "optuna, 1 process on one SQLite study",
              "optuna, 2 processes on one SQLite study"),
             ("optuna n_jobs=2 threads", None, "optuna, n_jobs=2 threads in 1 process"),
             ("keras-tuner distributed", "keras-tuner distributed, chief + 1 worker",
              "keras-tuner distributed, chief + 2 workers")]
    rung_rows = {1: "rung, 1 worker process", 2: "rung, 2 worker processes"}
    lines = ["    ratios rung / peer, jobs/s (start-up included; excluded), >1: rung faster:"]
    for name, *labels in pairs:
        cells = []
        for workers, label in zip((1, 2), labels, strict=True):
            if label is None or rate(label, "rate") is None:
                continue
            ours = [rate(rung_rows[workers], k) for k in ("rate", "rate_jobs")]
            theirs = [rate(label, k) for k in ("rate", "rate_jobs")]
            cells.append(f"{workers} worker{'s' * (workers > 1)}: " + "; ".join(
                f"{a / b:.2f}x" for a, b in zip(ours, theirs, strict=True)))
        if cells:
            lines.append(f"      vs {name:<26}" + "   ".join(cells))
    scaling = []
    for name, one, two in [("rung", *rung_rows.values()), *pairs]:
        if one and rate(one, "rate") and rate(two, "rate"):
            scaling.append(f"{name} {rate(two, 'rate') / rate(one, 'rate'):.2f}x")
    lines.append("    2 workers / 1 worker, jobs/s start-up included: " + ", ".join(scaling))
    return lines


def run_real(quick: bool, jobs: int | None = None, work: int | None = None,
             peers: bool = True, rounds: int | None = None) -> bool:
    jobs = jobs or (8 if quick else 24)
    work = work or (4_000_000 if quick else 8_000_000)
    rounds = rounds or (1 if quick else 2)
    load = os.getloadavg()[0]
    print(f"(a) real: {jobs} CPU-bound jobs ({work:,} iterations of pure-Python arithmetic each), "
          f"1 and 2 local workers, {os.cpu_count()} cores, load average {load:.1f} before the run"
          f"; best of {rounds} round{'s' * (rounds > 1)}")
    print(f"    {'run':<44}{'jobs':>5}{'wall s':>8}{'jobs/s':>10}{'jobs/s':>10}{'cores':>7}")
    print(f"    {'':<44}{'':>5}{'':>8}{'start-up':>10}{'jobs':>10}")
    rows = real_rows(jobs, work, peers, rounds)
    one, two = rows["rung, 1 worker process"], rows["rung, 2 worker processes"]
    assert not isinstance(one, str) and not isinstance(two, str)
    ratio = two["rate"] / one["rate"]
    print("    (jobs/s start-up: jobs / wall seconds from launch to the last worker's exit; "
          "jobs/s jobs: from the first job's start to the last job's end)")
    print(f"    load average {os.getloadavg()[0]:.1f} after the run")
    print(f"    rung 1 worker: {one['rate']:.2f} jobs/s   2 workers: {two['rate']:.2f} jobs/s   "
          f"ratio {ratio:.2f}x (target >= 1.8x)")
    c1, c2 = one["worker_cores"], two["worker_cores"]
    print(f"    cores obtained by rung's workers: {c1:.2f} with 1 worker, {c2:.2f} with 2 "
          f"(below 2.0: other processes hold the CPUs); per core obtained: "
          f"{one['rate'] / max(c1, 1e-9):.2f} vs {two['rate'] / max(c2, 1e-9):.2f} jobs/s")
    if peers:
        print("\n".join(real_ratios(rows)))
    return ratio >= 1.8


def run_threads(quick: bool) -> None:
    max_epochs = 3 if quick else 27
    seconds = threads(max_epochs)
    one = seconds["1 process"]
    print(f"\n(c) threads: Hyperband (max_epochs={max_epochs}) of a torch MLP on digits, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for name, wall in seconds.items():
        print(f"    {name:<36}{wall:>8.1f} s   {one / wall:>5.2f}x the speed of 1 process")


def run_simulated(quick: bool) -> bool:
    ok = True

    quantile, seeds = (1 / 500, range(1)) if quick else (1 / 10000, range(5))
    best, target = target_regret(quantile)
    print(f"\n(b) simulated: max_epochs={R}, factor={ETA}, epochs take 0.5-1.5 s by configuration;"
          f" target regret {target:.2e} (a random configuration beats it with p={quantile:.2g});"
          f" means over {len(seeds)} seeds")
    print(f"    {'scheduler':<20}{'workers':>8}{'time-to-target':>16}{'utilisation':>13}"
          f"{'jobs':>8}{'speed-up':>10}{'vs ideal':>10}{'wall s':>8}")
    for kind in ("hyperband-sequential", "hyperband-parallel", "asha"):
        base = None
        for workers in (8, 32, 128):
            r = averaged(kind, workers, best, target, seeds)
            base = base or r["time"]
            speedup = base / r["time"]
            vs_ideal = (workers / 8) / speedup  # 1.0 = linear scaling from 8 workers
            print(f"    {kind:<20}{workers:>8}{r['time']:>16.1f}{r['util']:>12.1%}"
                  f"{int(r['jobs']):>8}{speedup:>9.1f}x{vs_ideal:>9.2f}x{r['wall']:>8.1f}")
            if kind == "asha" and workers == 128:
                ok &= r["util"] >= 0.95 and vs_ideal <= 1.3
                print(f"    ASHA at 128 workers: utilisation {r['util']:.1%} (target >= 95%), "
                      f"time-to-target {vs_ideal:.2f}x ideal linear scaling (target <= 1.3x)")
    return ok


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
