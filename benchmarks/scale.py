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
4. **Peers** (``--peer-jobs N``, default 2,000, ``--quick`` 300; ``--no-peers`` skips them):
   rung's SQLite search again at N jobs, then Optuna (``RandomSampler`` + ``HyperbandPruner``
   on SQLite, N trials) and keras-tuner (its ``HyperbandOracle``, whole iterations, at least N
   jobs) on the same training (``_scale_peers.py`` says how each maps onto it). Printed for each:
   the cost per job by decile as for rung, per epoch trained, the store's size, the ratios
   peer / rung, and the peer's waits on its finished study (Optuna: ``load_study``,
   ``trials_dataframe()``, ``best_trial``, ``optuna best-trial``; keras-tuner: reopening the
   project, ``results_summary()``, ``get_best_hyperparameters(10)``) beside rung's on its
   N-job project. Each tool's construction (tuner, study) is outside its clock, its search inside.

    python benchmarks/scale.py                 # 100,000 jobs on SQLite, 1,000,000 in memory, peers at 2,000
    python benchmarks/scale.py --quick         # 5,000 and 50,000 (ASHA: 500), peers at 300: a minute
    python benchmarks/scale.py --jobs 20000 --memory-jobs 0 --keep DIR
    python benchmarks/scale.py --jobs 0 --memory-jobs 0 --asha 10000 --no-peers   # ASHA alone
    python benchmarks/scale.py --jobs 0 --memory-jobs 0 --peer-jobs 5000           # peers alone

Not a test: the figures depend on the machine (``tests/benchmarks`` runs it smaller than
``--quick``, for its behaviour only). The targets (rung's): last decile no slower than 1.5x the
first, each wait under 1 s. Optuna and keras-tuner are imported only for the peers; without them the script says
what to install.
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
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def show_deciles(label: str, per_job: list[float], clock: str = "CPU",
                 target: bool = True) -> float:
    ratio = per_job[-1] / per_job[0]
    cells = " ".join(f"{v:.3f}" for v in per_job)
    print(f"{label}: {clock} ms/job by decile: {cells}")
    print(f"{label}: {clock} last/first decile = {ratio:.2f}{' (target <= 1.5)' * target}")
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


def sqlite_search(project: Path, jobs: int, label: str = "sqlite") -> dict[str, object]:
    stamps: list[float] = []
    cpu: list[float] = []
    epochs = [0]

    def train(trial: rung.Trial) -> dict[str, float]:
        trial.load_checkpoint()
        lr = trial.hyperparameters.values["lr"]
        loss = 1.0
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            loss = abs(lr - 0.003) + 1.0 / epoch
            trial.report(epoch, val_loss=loss)
            epochs[0] += 1
        trial.save_checkpoint({"epoch": trial.epochs, "loss": loss})
        stamps.append(time.perf_counter())
        cpu.append(time.process_time())
        return {"val_loss": loss}

    total, planned = epochs_for(jobs)
    tuner = make_tuner(project, train, overwrite=True)  # not timed, nor the peers' creation
    start, cpu_start = time.perf_counter(), time.process_time()
    tuner.search(max_epochs_total=total)
    elapsed = time.perf_counter() - start
    tuner.storage.close()
    out = report(label, {"stamps": stamps, "cpu": cpu, "start": start, "cpu_start": cpu_start,
                         "elapsed": elapsed, "epochs": epochs[0]},
                 project / DB_NAME, f"{planned} planned")
    left = sum(1 for p in (project / "trials").iterdir() if p.is_dir())
    print(f"{label}: {left} checkpoint directories left (keep_checkpoints=10)")
    return {**out, "checkpoint_dirs_left": left}


def report(label: str, raw: dict[str, Any], store: Path | None,
           note: str = "") -> dict[str, object]:
    """Print a search's cost per job overall and by decile (wall, then CPU), per epoch trained,
    and the size of its store (a file, or a directory's files); return the figures."""
    stamps, cpu = raw["stamps"], raw["cpu"]
    n, elapsed, epochs = len(stamps), float(raw["elapsed"]), int(raw["epochs"])
    print(f"{label}: {n} jobs{f' ({note})' if note else ''} in {elapsed:.1f}s, "
          f"{1000 * elapsed / n:.3f} ms/job overall; {epochs} epochs, "
          f"{1000 * elapsed / max(1, epochs):.3f} ms/epoch")
    target = label in ("sqlite", "rung")  # rung's target; the peers' lines are for comparison
    wall_deciles = deciles(stamps, raw["start"])
    show_deciles(label, wall_deciles, "wall", target)
    cpu_deciles = deciles(cpu, raw["cpu_start"])
    ratio = show_deciles(label, cpu_deciles, "CPU", target)
    out: dict[str, object] = {"jobs": n, "ratio": ratio, "ms_per_job": 1000 * elapsed / n,
                              "deciles": cpu_deciles, "wall_deciles": wall_deciles,
                              "epochs": epochs, "ms_per_epoch": 1000 * elapsed / max(1, epochs)}
    if store is not None and store.exists():
        size = (store.stat().st_size if store.is_file() else
                sum(f.stat().st_size for f in store.rglob("*") if f.is_file()))
        print(f"{label}: {'file' if store.is_file() else 'files'} {size / 1e6:.1f} MB, "
              f"{size / n:.0f} bytes/job")
        out["bytes_per_job"] = size / n
    return out


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
    show_waits(out)
    return out


def show_waits(out: dict[str, tuple[float, float]]) -> None:
    print(f"  {'(seconds)':<50} {'wall':>7} {'CPU':>7}")
    for label, (wall, cpu) in out.items():
        flag = "" if min(wall, cpu) < 1.0 else "   <-- over 1 s"
        print(f"  {label:<50} {wall:7.3f} {cpu:7.3f}{flag}")


def peers(where: Path, jobs: int) -> dict[str, object]:
    """rung again at ``jobs`` jobs, then Optuna and keras-tuner at the same size on the same
    training (see ``_scale_peers``); per-job cost by decile, ratios, and the waits on each
    finished study. Each tool's construction is outside its clock, its whole search inside."""
    import importlib.util

    import _scale_peers as sp

    print(f"\npeers: {jobs:,} jobs each (Optuna: trials, i.e. configurations), rung on the same "
          f"training at the same size first")
    out: dict[str, object] = {"rung": sqlite_search(where / "rung", jobs, label="rung")}
    waited = {"rung": waits(where / "rung")}
    for name, module in (("optuna", "optuna"), ("keras-tuner", "keras_tuner")):
        if importlib.util.find_spec(module) is None:
            print(f"{name}: not installed, not run: {sp.INSTALL_HINT} (or --no-peers)")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Optuna's ExperimentalWarning, keras-tuner's
            if name == "optuna":
                raw = sp.optuna_search(where / "optuna", jobs)
                out[name] = report(name, raw, raw["path"], "trials, each trained until pruned")
                print(f"{name}, what a user waits for:")
                waited[name] = sp.optuna_waits(raw, _timed, sp.subprocess_cpu)
            else:
                raw = sp.keras_tuner_search(where / "kt", jobs)
                out[name] = report(name, raw, where / "kt",
                                   f"{raw['iterations']} Hyperband iterations")
                print(f"{name}, what a user waits for:")
                waited[name] = sp.keras_tuner_waits(raw, _timed)
            show_waits(waited[name])
    print("\n" + "\n".join(peer_ratios(out)))
    out["waits"] = {tool: {k: {"wall": w, "cpu": c} for k, (w, c) in rows.items()}
                    for tool, rows in waited.items()}
    return out


def peer_ratios(out: dict[str, object]) -> list[str]:
    """Each peer's cost over rung's at the same size (>1: rung is cheaper)."""
    base = out["rung"]
    assert isinstance(base, dict)
    lines = ["ratios peer / rung at the same size (>1: rung cheaper):"]
    for name, fig in out.items():
        if name == "rung" or not isinstance(fig, dict):
            continue
        cells = " ".join(f"{a / b:.1f}" for a, b in zip(fig["deciles"], base["deciles"],
                                                        strict=True))
        lines.append(f"  {name}: CPU ms/job by decile x {cells}")
        lines.append(f"  {name}: wall ms/job overall x{fig['ms_per_job'] / base['ms_per_job']:.1f}"
                     f", wall ms/epoch x{fig['ms_per_epoch'] / base['ms_per_epoch']:.1f}; "
                     f"last/first decile {fig['ratio']:.2f} (rung {base['ratio']:.2f})")
    return lines


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
                        help="5,000 and 50,000 jobs, ASHA with 500 configurations, peers at 300, "
                             "unless --jobs, --memory-jobs, --asha or --peer-jobs say otherwise")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the project in DIR (reused if there)")
    parser.add_argument("--asha", type=at_least(0), default=None, metavar="N",
                        help="also ASHA (both modes) with N configurations on SQLite")
    parser.add_argument("--peer-jobs", type=at_least(1), default=None, metavar="N",
                        help="jobs for the peers, and for rung again at their size (default "
                             "2,000; --quick 300)")
    parser.add_argument("--no-peers", action="store_true",
                        help="rung only: no Optuna, no keras-tuner, no ratios")
    parser.add_argument("--json", type=Path, default=None, help="write the figures to FILE")
    args = parser.parse_args(argv)
    for name, full, quick in (("jobs", 100_000, 5_000), ("memory_jobs", 1_000_000, 50_000),
                              ("asha", 0, 500), ("peer_jobs", 2_000, 300)):
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
        if not args.no_peers:
            results["peers"] = peers((args.keep or Path(scratch)) / "peers", args.peer_jobs)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
