"""The report of a 10,000-job project: how long ``write_report`` takes and how big the page is.

The project is made without training anything: Hyperband's plan (``max_epochs=81, factor=3``)
is followed iteration after iteration, each rung promoting its best third, every job reporting a
made-up learning curve for each epoch it trains (about 76,000 epoch reports for 10,000 jobs),
one job in a hundred failing. It is written through rung's own storage, as a search writes it.
Run::

    .venv/bin/python benchmarks/report_scale.py              # 10,000 jobs
    .venv/bin/python benchmarks/report_scale.py --jobs 2000 --keep runs/big

Reported: the time to read the project and compute the report's data, to render the page, and
to write it (``rung.report.write_report``, the three together), best of three, as wall-clock and
as CPU time (on a busy machine the CPU time is the fairer number), and the page's size in MB. Not a test: timing bounds do not belong in the suite.
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import time
from pathlib import Path

from _args import at_least

from rung.oracles.schedule import hyperband_plan
from rung.report import build_report, render_html, write_report
from rung.storage import SQLiteStorage
from rung.trial_record import TrialRecord, TrialStatus

MAX_EPOCHS, FACTOR = 81, 3
SPACE = [
    {"class_name": "Float", "config": {"name": "learning_rate", "min_value": 1e-4,
                                       "max_value": 1.0, "sampling": "log"}},
    {"class_name": "Int", "config": {"name": "units", "min_value": 16, "max_value": 512,
                                     "sampling": "log"}},
    {"class_name": "Float", "config": {"name": "dropout", "min_value": 0.0, "max_value": 0.5,
                                       "sampling": "linear"}},
    {"class_name": "Choice", "config": {"name": "optimizer", "values": ["sgd", "adam", "rmsprop"],
                                        "ordered": False}},
]


def _values(rng: random.Random) -> dict[str, object]:
    return {"learning_rate": 10 ** rng.uniform(-4, 0), "units": int(2 ** rng.uniform(4, 9)),
            "dropout": round(rng.uniform(0, 0.5), 2),
            "optimizer": rng.choice(["sgd", "adam", "rmsprop"])}


def _loss(values: dict[str, object], epoch: int) -> float:
    lr, units = float(values["learning_rate"]), float(values["units"])  # type: ignore[arg-type]
    floor = 0.05 + (math.log10(lr) + 2.5) ** 2 / 10 + (math.log2(units) - 7) ** 2 / 40
    return floor + 2.0 * math.exp(-epoch / (8 + 40 * float(values["dropout"])))  # type: ignore[arg-type]


def _job(storage: SQLiteStorage, rng: random.Random, trial_id: str, values: dict[str, object],
         where: tuple[int, int, int], start: int, end: int, parent: str | None) -> float | None:
    iteration, s, rung_index = where
    storage.create_trial(TrialRecord(trial_id, values, epochs=end, initial_epoch=start,
                                     parent_id=parent, bracket=s, rung=rung_index,
                                     iteration=iteration, created_at=time.time()))
    failing = rng.random() < 0.01
    loss = 0.0
    for epoch in range(start + 1, end + 1):
        loss = _loss(values, epoch) + rng.gauss(0, 0.01)
        storage.report(trial_id, epoch, {"val_loss": loss, "loss": loss * 0.9})
        if failing and epoch > start + (end - start) // 2:
            storage.finish_trial(trial_id, TrialStatus.FAILED, error="RuntimeError: diverged",
                                 finished_at=time.time())
            return None
    storage.finish_trial(trial_id, TrialStatus.COMPLETED, {"val_loss": loss, "loss": loss * 0.9},
                         loss=loss, finished_at=time.time(), epochs_reached=end)
    return loss


def make_project(path: Path, jobs: int, seed: int = 0) -> Path:
    """A Hyperband project of about ``jobs`` jobs at ``path/rung.db``; returns ``path``."""
    rng = random.Random(seed)
    storage = SQLiteStorage(path / "rung.db", create=True)
    storage.set_settings({"oracle": "HyperbandOracle",
                          "objective": {"name": "val_loss", "direction": "min"}, "seed": seed,
                          "max_epochs": MAX_EPOCHS, "factor": FACTOR,
                          "hyperband_iterations": None})
    storage.set_oracle_state({"space": {"space": SPACE}})
    count = 0
    iteration = 0
    while count < jobs:
        for plan in hyperband_plan(MAX_EPOCHS, FACTOR):
            entries: list[tuple[dict[str, object], str | None]] = [
                (_values(rng), None) for _ in range(plan.rungs[0].jobs)]
            for rung_plan in plan.rungs:
                results = []
                for values, parent in entries[:rung_plan.jobs]:
                    trial_id = f"{count:05d}"
                    count += 1
                    loss = _job(storage, rng, trial_id, values, (iteration, plan.s,
                                rung_plan.index), rung_plan.initial_epoch, rung_plan.epochs,
                                parent)
                    if loss is not None:
                        results.append((loss, values, trial_id))
                results.sort(key=lambda item: item[0])
                entries = [(values, trial_id) for _, values, trial_id in results]
            if count >= jobs:
                break
        iteration += 1
    storage.close()
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=at_least(1), default=10_000,
                        help="about this many jobs, whole brackets (default 10,000)")
    parser.add_argument("--keep", type=Path, help="make the project here (kept), not in /tmp")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        project = args.keep or Path(scratch) / "project"
        project.mkdir(parents=True, exist_ok=True)
        if not (project / "rung.db").exists():
            started = time.perf_counter()
            make_project(project, args.jobs)
            print(f"made {project} in {time.perf_counter() - started:.1f}s")
        storage = SQLiteStorage(project / "rung.db")
        timings: dict[str, list[tuple[float, float]]] = {
            "build_report": [], "render_html": [], "write_report": []}
        for _ in range(3):
            marks = [(time.perf_counter(), time.process_time())]
            data = build_report(storage)
            marks.append((time.perf_counter(), time.process_time()))
            render_html(data)
            marks.append((time.perf_counter(), time.process_time()))
            out = write_report(project, Path(scratch) / "report.html")
            marks.append((time.perf_counter(), time.process_time()))
            for key, (a, b) in zip(timings, zip(marks, marks[1:], strict=False), strict=True):
                timings[key].append((b[0] - a[0], b[1] - a[1]))
        storage.close()
        size = out.stat().st_size
        print(f"{data.summary.jobs:,} jobs, {data.curves.reported:,} epoch reports "
              f"({data.curves.kept:,} drawn), {len(data.brackets.brackets)} of "
              f"{data.brackets.total} brackets drawn")
        for key, values in timings.items():
            wall, cpu = min(v[0] for v in values), min(v[1] for v in values)
            print(f"{key:>13}: {wall:.2f}s wall, {cpu:.2f}s CPU (best of 3)")
        print(f"report size: {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
