"""How long the ``rung`` command takes on a 10,000-job project (issue 11: under 2 s each).

Builds a Hyperband project (``max_epochs=81, factor=3``, 49 iterations of its 5 brackets cut at
``--jobs`` jobs) straight through the storage API, as a search would write it: every job with its
bracket, rung, parent and per-epoch metrics (four metrics an epoch), promotions chosen by loss,
1% of the jobs failed and the last two still running. Then times ``rung status``, ``rung best``,
``rung trials`` (and ``rung report`` once ``rung.report`` exists, with the report's size), each
as a subprocess (what a user waits for, Python's start-up and ``import rung`` included) and in
process (the command's own work).

    python benchmarks/cli_scale.py [--jobs 10000] [--keep DIR]

Not a test: the figures depend on the machine. ``--keep DIR`` keeps (and reuses) the project.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _args import at_least

from rung.cli import main as rung_main
from rung.oracles import HyperbandOracle
from rung.storage import SQLiteStorage
from rung.trial_record import TrialRecord, TrialStatus

MAX_EPOCHS, FACTOR, ITERATIONS = 81, 3, 49
SRC = Path(__file__).resolve().parents[1] / "src"
MIN_JOBS = 3


def _curve(quality: float, epoch: int, rng: random.Random) -> dict[str, float]:
    loss = quality + 2.0 / (1 + epoch) + rng.gauss(0, 0.01)
    return {"loss": loss, "val_loss": loss * 1.1, "accuracy": 1 - loss / 4,
            "val_accuracy": 1 - loss / 3.6}


def build(path: Path, jobs: int, seed: int = 0) -> int:
    """Write a Hyperband project of ``jobs`` jobs to ``path``; the number of epoch reports."""
    rng = random.Random(seed)
    oracle = HyperbandOracle(objective="val_loss", max_epochs=MAX_EPOCHS, factor=FACTOR,
                             hyperband_iterations=ITERATIONS, seed=seed)
    storage = SQLiteStorage(path, create=True)
    storage.set_settings(oracle.settings())
    made = reports = 0
    for iteration in range(ITERATIONS):
        for bracket in oracle.budget().brackets:
            survivors: list[tuple[float, str, dict]] = []
            for plan in bracket.rungs:
                if plan.index == 0:
                    chosen = [(0.0, "", {"lr": 10 ** rng.uniform(-4, -1),
                                         "units": rng.choice([32, 64, 128, 256]),
                                         "layers": rng.randint(1, 4),
                                         "dropout": round(rng.uniform(0, 0.5), 2),
                                         "optimizer": rng.choice(["adam", "sgd"])})
                              for _ in range(plan.jobs)]
                else:
                    chosen = sorted(survivors, key=lambda t: t[0])[:plan.jobs]
                survivors = []
                for _, parent, values in chosen:
                    if made == jobs:
                        storage.close()
                        return reports
                    trial_id = f"{made:05d}"
                    running = made >= jobs - 2
                    record = TrialRecord(
                        trial_id, values, epochs=plan.epochs, initial_epoch=plan.initial_epoch,
                        parent_id=parent or None, bracket=bracket.s, rung=plan.index,
                        iteration=iteration, created_at=time.time())
                    storage.create_trial(record)
                    quality = abs(values["lr"] - 0.003) * 30 + values["dropout"] / 4
                    last = plan.initial_epoch + 1 if running else plan.epochs
                    metrics: dict[str, float] = {}
                    for epoch in range(plan.initial_epoch + 1, last + 1):
                        metrics = _curve(quality, epoch, rng)
                        storage.report(trial_id, epoch, metrics)
                        reports += 1
                    made += 1
                    if running:
                        continue
                    if rng.random() < 0.01:
                        storage.finish_trial(trial_id, TrialStatus.FAILED, error="Traceback...\n"
                                             "ValueError: the loss became NaN")
                        continue
                    loss = metrics["val_loss"]
                    storage.finish_trial(trial_id, TrialStatus.COMPLETED, metrics=metrics,
                                         loss=loss, epochs_reached=plan.epochs)
                    survivors.append((loss, trial_id, values))
    storage.close()
    return reports


def _in_process(argv: list[str]) -> float:
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = rung_main(argv)
    assert code == 0, argv
    return time.perf_counter() - started


def _subprocess(argv: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rung", *argv], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _has_report() -> bool:
    import importlib.util

    return importlib.util.find_spec("rung.report") is not None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=at_least(MIN_JOBS), default=10_000,
                        help=f"jobs in the project (default 10,000; at least {MIN_JOBS}: "
                             "the last two are left running, `rung best` needs a finished one)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the project in DIR (reused if there)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        project = args.keep or Path(scratch) / "scale"
        database = project / "rung.db"
        if not database.exists():
            started = time.perf_counter()
            reports = build(database, args.jobs)
            print(f"built {args.jobs} jobs, {reports} epoch reports in "
                  f"{time.perf_counter() - started:.1f}s "
                  f"({database.stat().st_size / 1e6:.1f} MB)")
        commands = [["status", str(project)], ["best", str(project)],
                    ["trials", str(project), "--format", "csv"],
                    ["trials", str(project), "--format", "json"]]
        report = Path(scratch) / "report.html"
        if _has_report():
            commands.append(["report", str(project), "-o", str(report)])
        else:
            print("rung.report is not in this build: `rung report` not timed")
        print(f"{'command':<34} {'subprocess':>11} {'in process':>11}")
        for argv in commands:
            shown = " ".join([argv[0], "DIR", *(argv[2:] if argv[0] != "report" else ["-o", "FILE"])])
            print(f"rung {shown:<29} {_subprocess(argv):>10.2f}s {_in_process(argv):>10.2f}s")
        if report.exists():
            print(f"report size: {report.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
