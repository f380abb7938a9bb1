"""rung at scale: a 100,000-job search on SQLite and 1,000,000 jobs on the in-memory path.

1. **SQLite, the real search loop.** ``rung.Hyperband(max_epochs=27, factor=3,
   hyperband_iterations=None)`` with ``keep_checkpoints=10`` runs in this process (the in-process
   executor) until ``search(max_epochs_total=...)`` stops it after about ``--jobs`` jobs. The
   training function is plain Python: it loads its parent's checkpoint, reports one metric per
   epoch and saves a small checkpoint, so the per-job checkpoint sweep (``keep_checkpoints``)
   has real directories to delete. Printed: the cost per job by decile of the run, in CPU time
   (the process's own: what rung costs, whatever else runs on the machine) and in wall-clock time,
   the ratio last decile / first, the SQLite file size per job, then how long a user waits
   for ``results_summary``, ``get_best_hyperparameters``, ``rung status`` (in process and as a
   subprocess) and for opening the project to resume it (constructing the tuner on it).
2. **ASHA** (``--asha N``): ``rung.ASHA`` with ``N`` configurations, promotion and stopping
   mode, same training function, on SQLite: the CPU per job by decile.
3. **In memory, the oracle alone.** ``HyperbandOracle.ask`` / ``tell`` directly (no tuner, no
   storage) for ``--memory-jobs`` jobs, by decile.

    python benchmarks/scale.py                 # 100,000 jobs on SQLite, 1,000,000 in memory
    python benchmarks/scale.py --quick         # 5,000 and 50,000 (ASHA: 500): a minute
    python benchmarks/scale.py --jobs 20000 --memory-jobs 0 --keep DIR
    python benchmarks/scale.py --jobs 0 --memory-jobs 0 --asha 10000   # ASHA alone

Not a test: the figures depend on the machine (``tests/benchmarks`` runs ``--quick`` for its
behaviour only). The targets: last decile no slower than 1.5x the first, each wait under 1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import rung
from rung.cli import main as rung_main
from rung.oracles import HyperbandOracle

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _args import at_least  # noqa: E402
from overhead import space  # noqa: E402  (the overhead benchmark's search space)

MAX_EPOCHS, FACTOR = 27, 3
SRC = Path(__file__).resolve().parents[1] / "src"
DB_NAME = "rung.db"


def deciles(stamps: list[float], start: float) -> list[float]:
    """Milliseconds per job in each tenth of the run (jobs finished at ``stamps``)."""
    edges = [start, *stamps]
    n = len(stamps)
    out = []
    for k in range(10):
        lo, hi = k * n // 10, (k + 1) * n // 10
        out.append(1000 * (edges[hi] - edges[lo]) / max(1, hi - lo))
    return out


def show_deciles(label: str, per_job: list[float], clock: str = "CPU") -> float:
    ratio = per_job[-1] / per_job[0]
    cells = " ".join(f"{v:.3f}" for v in per_job)
    print(f"{label}: {clock} ms/job by decile: {cells}")
    print(f"{label}: {clock} last/first decile = {ratio:.2f} (target <= 1.5)")
    return ratio


def epochs_for(jobs: int) -> tuple[int, int]:
    """(max_epochs_total, jobs it buys): whole Hyperband iterations, at least ``jobs`` jobs."""
    one = HyperbandOracle(objective="loss", max_epochs=MAX_EPOCHS, factor=FACTOR).budget()
    iterations = -(-jobs // one.jobs)
    return iterations * one.epochs, iterations * one.jobs


def make_tuner(project: Path, train: Callable[[rung.Trial], dict[str, float]],
               overwrite: bool) -> rung.Hyperband:
    return rung.Hyperband(run_trial=train, objective="val_loss", hyperparameters=space(),
                          max_epochs=MAX_EPOCHS, factor=FACTOR, hyperband_iterations=None,
                          keep_checkpoints=10, seed=0, directory=project.parent,
                          project_name=project.name, overwrite=overwrite, verbose=0)


def sqlite_search(project: Path, jobs: int) -> dict[str, object]:
    stamps: list[float] = []
    cpu: list[float] = []

    def train(trial: rung.Trial) -> dict[str, float]:
        trial.load_checkpoint()
        lr = trial.hyperparameters.values["lr"]
        loss = 1.0
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            loss = abs(lr - 0.003) + 1.0 / epoch
            trial.report(epoch, val_loss=loss)
        trial.save_checkpoint({"epoch": trial.epochs, "loss": loss})
        stamps.append(time.perf_counter())
        cpu.append(time.process_time())
        return {"val_loss": loss}

    total, planned = epochs_for(jobs)
    tuner = make_tuner(project, train, overwrite=True)
    start, cpu_start = time.perf_counter(), time.process_time()
    tuner.search(max_epochs_total=total)
    elapsed = time.perf_counter() - start
    tuner.storage.close()
    n = len(stamps)
    print(f"sqlite: {n} jobs ({planned} planned) in {elapsed:.1f}s, "
          f"{1000 * elapsed / n:.3f} ms/job overall")
    show_deciles("sqlite", deciles(stamps, start), "wall")
    ratio = show_deciles("sqlite", deciles(cpu, cpu_start))
    size = (project / DB_NAME).stat().st_size
    left = sum(1 for p in (project / "trials").iterdir() if p.is_dir())
    print(f"sqlite: file {size / 1e6:.1f} MB, {size / n:.0f} bytes/job; "
          f"{left} checkpoint directories left (keep_checkpoints=10)")
    return {"jobs": n, "ratio": ratio, "ms_per_job": 1000 * elapsed / n,
            "deciles": deciles(cpu, cpu_start), "wall_deciles": deciles(stamps, start),
            "bytes_per_job": size / n,
            "checkpoint_dirs_left": left}


def asha_search(project: Path, trials: int, mode: str) -> dict[str, object]:
    """``rung.ASHA`` on SQLite for ``trials`` configurations: the CPU per job by decile, and
    the size of the scheduler state it writes with every job (its rungs rank every result)."""
    stamps: list[float] = []

    def train(trial: rung.Trial) -> dict[str, float]:
        trial.load_checkpoint()
        lr = trial.hyperparameters.values["lr"]
        loss = 1.0
        try:
            for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
                loss = abs(lr - 0.003) + 1.0 / epoch
                trial.report(epoch, val_loss=loss)  # stopping mode: may raise TrialPruned
            trial.save_checkpoint({"epoch": trial.epochs, "loss": loss})
        finally:
            stamps.append(time.process_time())
        return {"val_loss": loss}

    tuner = rung.ASHA(run_trial=train, objective="val_loss", hyperparameters=space(),
                      max_epochs=MAX_EPOCHS, factor=FACTOR, max_trials=trials, mode=mode,
                      keep_checkpoints=10, seed=0, directory=project.parent,
                      project_name=project.name, overwrite=True, verbose=0)
    start, cpu_start = time.perf_counter(), time.process_time()
    tuner.search()
    elapsed = time.perf_counter() - start
    state = tuner.storage.get_oracle_state() or {}
    tuner.storage.close()
    n = len(stamps)
    label = f"asha-{mode}"
    print(f"{label}: {trials} configurations, {n} jobs in {elapsed:.1f}s, "
          f"{1000 * elapsed / max(1, n):.3f} ms/job overall")
    per_job = deciles(stamps, cpu_start)
    ratio = show_deciles(label, per_job)
    size = len(json.dumps(state))
    print(f"{label}: the scheduler state read back: {size / 1e3:.0f} kB of JSON; "
          f"{(project / DB_NAME).stat().st_size / n:.0f} bytes/job in the file")
    return {"configurations": trials, "jobs": n, "ratio": ratio, "deciles": per_job,
            "ms_per_job": 1000 * elapsed / n, "state_bytes": size}


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``fn()``, its output swallowed."""
    wall, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _status_subprocess(project: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rung", "status", str(project)], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def waits(project: Path) -> dict[str, tuple[float, float]]:
    """What a user waits for on the finished project: (wall, CPU) seconds. On a loaded machine
    the wall time is the CPU time stretched by the other processes; the CPU time is rung's."""
    def no_training(trial: rung.Trial) -> dict[str, float]:
        raise AssertionError("opening a project trains nothing")

    holder: dict[str, rung.Hyperband] = {}
    out = {"open the project to resume (Hyperband(...))":
           _timed(lambda: holder.setdefault("t", make_tuner(project, no_training, False)))}
    tuner = holder["t"]
    out["tuner.results_summary()"] = _timed(tuner.results_summary)
    out["tuner.get_best_hyperparameters(10)"] = _timed(lambda: tuner.get_best_hyperparameters(10))
    tuner.storage.close()
    out["rung status DIR (in process)"] = _timed(lambda: rung_main(["status", str(project)]))
    out["rung status DIR (subprocess)"] = _status_subprocess(project)
    print(f"  {'(seconds)':<46} {'wall':>7} {'CPU':>7}")
    for label, (wall, cpu) in out.items():
        flag = "" if min(wall, cpu) < 1.0 else "   <-- over 1 s"
        print(f"  {label:<46} {wall:7.3f} {cpu:7.3f}{flag}")
    return out


def memory_ask_tell(jobs: int) -> dict[str, object]:
    """The in-memory path: ``HyperbandOracle.ask``/``tell`` directly, no tuner, no storage."""
    oracle = HyperbandOracle(objective="loss", max_epochs=MAX_EPOCHS, factor=FACTOR,
                             hyperband_iterations=None, seed=0, hyperparameters=space())
    stamps: list[float] = []
    start, cpu_start = time.perf_counter(), time.process_time()
    while len(stamps) < jobs and (s := oracle.ask()) is not None:
        oracle.tell(s.trial_id, {"loss": abs(s.values["lr"] - 0.003) + 1.0 / s.epochs})
        stamps.append(time.process_time())
    elapsed = time.perf_counter() - start
    print(f"memory: {len(stamps)} jobs (HyperbandOracle ask+tell) in {elapsed:.1f}s, "
          f"{1000 * elapsed / len(stamps):.4f} ms/job overall")
    started = time.perf_counter()
    best = oracle.get_best_trials(10)
    print(f"memory: get_best_trials(10) {time.perf_counter() - started:.4f} s "
          f"(best {best[0].trial_id})")
    per_job = deciles(stamps, cpu_start)
    return {"jobs": len(stamps), "ms_per_job": 1000 * elapsed / len(stamps),
            "deciles": per_job, "ratio": show_deciles("memory", per_job)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=at_least(0), default=None,
                        help="SQLite search jobs (default 100,000; 0: none)")
    parser.add_argument("--memory-jobs", type=at_least(0), default=None,
                        help="ask/tell jobs (default 1,000,000; 0: none)")
    parser.add_argument("--quick", action="store_true",
                        help="5,000 and 50,000 jobs, ASHA with 500 configurations, unless "
                             "--jobs, --memory-jobs or --asha say otherwise")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the project in DIR (reused if there)")
    parser.add_argument("--asha", type=at_least(0), default=None, metavar="N",
                        help="also ASHA (both modes) with N configurations on SQLite")
    parser.add_argument("--json", type=Path, default=None, help="write the figures to FILE")
    args = parser.parse_args(argv)
    for name, full, quick in (("jobs", 100_000, 5_000), ("memory_jobs", 1_000_000, 50_000),
                              ("asha", 0, 500)):
        if getattr(args, name) is None:  # an explicit value wins over --quick
            setattr(args, name, quick if args.quick else full)
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as scratch:
        project = (args.keep or Path(scratch)) / "scale"
        if args.jobs:
            if (project / DB_NAME).exists():  # --keep DIR of an earlier run: time the waits only
                print(f"sqlite: reusing {project}")
            else:
                results["sqlite"] = sqlite_search(project, args.jobs)
            results["waits"] = {k: {"wall": w, "cpu": c} for k, (w, c) in waits(project).items()}
        for mode in ("promotion", "stopping") if args.asha else ():  # --keep: e.g. on tmpfs
            where = (args.keep or Path(scratch)) / f"asha-{mode}"
            results[f"asha-{mode}"] = asha_search(where, args.asha, mode)
        if args.memory_jobs:
            results["memory"] = memory_ask_tell(args.memory_jobs)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
