"""The CPU-bound job of ``parallel.py`` (a), and the peers' own parallel modes running it.

Every run, rung's or a peer's, starts fresh worker processes (a new interpreter that imports its
library: start-up included in the wall time) and every job writes when it started and ended to a
shared log, so the run's throughput is reported twice: jobs / wall seconds from launch to the
last worker's exit (start-up included) and jobs / seconds from the first job's start to the last
job's end (start-up excluded, the scheduling between jobs included).

* Optuna: the way its documentation gives for CPU-bound work, several processes each running
  ``optuna.create_study(..., storage=URL, load_if_exists=True)`` and ``study.optimize`` on one
  SQLite file (the driver creates the study first, as ``optuna create-study`` would); and
  ``study.optimize(n_jobs=2)``, threads in one process, to show the GIL.
* keras-tuner: it has no local worker mode, only its distributed mode: a chief process serving
  the oracle over gRPC and worker processes, told apart by ``KERASTUNER_TUNER_ID``,
  ``KERASTUNER_ORACLE_IP`` and ``KERASTUNER_ORACLE_PORT``.

This file is also the peers' worker script: ``python _parallel_peers.py optuna|kt ...``. It
imports neither rung nor NumPy, so a peer's worker pays only for its own library.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
INSTALL_HINT = "pip install optuna keras-tuner (or: .venv/bin/pip install -e '.[bench]')"


def spin(work: int) -> int:
    """The job: ``work`` iterations of integer arithmetic in pure Python (holds the GIL)."""
    total = 0
    for i in range(work):
        total += i * i % 7
    return total


def stamp(log: str | None, started: float) -> None:
    """Append this job's (start, end) on the system-wide monotonic clock to ``log``: one small
    ``O_APPEND`` write, whole even when several processes write at once."""
    if log:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{started!r} {time.monotonic()!r}\n".encode())
        finally:
            os.close(fd)


def read_stamps(log: Path) -> list[tuple[float, float]]:
    if not log.exists():
        return []
    return [(float(a), float(b)) for a, b in
            (line.split() for line in log.read_text().splitlines() if line.strip())]


def figures(jobs: int, wall: float, cpu: float, log: Path) -> dict[str, float]:
    """Jobs done, jobs/s start-up included and excluded, and cores obtained (CPU s / wall s)."""
    stamps = read_stamps(log)
    done = len(stamps)
    span = max(b for _, b in stamps) - min(a for a, _ in stamps) if stamps else float("nan")
    return {"jobs": done, "planned": jobs, "wall": wall, "rate": done / wall,
            "span": span, "rate_jobs": done / span if stamps else float("nan"),
            "cores": cpu / wall}


def cpu_seconds() -> float:
    """CPU seconds of this process and of its waited-for children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "torch"),
           "TF_CPP_MIN_LOG_LEVEL": "3", **extra}
    # one thread each, as rung's local workers get their share of the cores
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


def _launch(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(HERE), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(procs: list[subprocess.Popen[bytes]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            _, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            raise RuntimeError(f"a peer worker ran past {timeout:.0f} s") from None
        if proc.returncode:
            raise RuntimeError(f"a peer worker failed ({proc.returncode}): "
                               f"{err.decode(errors='replace')[-2000:]}")


# --- Optuna ---------------------------------------------------------------------------------
def optuna_processes(jobs: int, work: int, workers: int, timeout: float = 900) -> dict[str, float]:
    """``workers`` processes sharing one SQLite study, ``jobs`` trials in all."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        url, log = f"sqlite:///{tmp}/optuna.db", Path(tmp) / "stamps"
        start, cpu = time.perf_counter(), cpu_seconds()
        optuna.create_study(study_name="parallel", storage=url)  # as `optuna create-study` does
        shares = [jobs // workers + (k < jobs % workers) for k in range(workers)]
        procs = [_launch(["optuna", url, str(n), str(work), str(log), "1", str(k)], _env())
                 for k, n in enumerate(shares)]
        _wait(procs, timeout)
        return figures(jobs, time.perf_counter() - start, cpu_seconds() - cpu, log)


def optuna_threads(jobs: int, work: int, threads: int, timeout: float = 900) -> dict[str, float]:
    """One process, ``study.optimize(n_jobs=threads)``: threads that share the GIL."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        url, log = f"sqlite:///{tmp}/optuna.db", Path(tmp) / "stamps"
        start, cpu = time.perf_counter(), cpu_seconds()
        optuna.create_study(study_name="parallel", storage=url)
        _wait([_launch(["optuna", url, str(jobs), str(work), str(log), str(threads), "0"],
                       _env())], timeout)
        return figures(jobs, time.perf_counter() - start, cpu_seconds() - cpu, log)


def optuna_worker(url: str, trials: int, work: int, log: str, n_jobs: int, seed: int) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name="parallel", storage=url, load_if_exists=True,
                                sampler=optuna.samplers.RandomSampler(seed=seed))

    def objective(trial: optuna.Trial) -> float:
        started = time.monotonic()
        x = trial.suggest_float("x", 0.0, 1.0)
        result = (x - 0.3) ** 2 + spin(work) * 0.0
        stamp(log, started)
        return result

    study.optimize(objective, n_trials=trials, n_jobs=n_jobs)


# --- keras-tuner ------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def keras_tuner_distributed(jobs: int, work: int, workers: int,
                            timeout: float = 900) -> dict[str, float]:
    """keras-tuner's distributed mode on this machine: a chief (the oracle, over gRPC) and
    ``workers`` worker processes; ``jobs`` trials in all (the oracle's ``max_trials``)."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "stamps"
        port = str(_free_port())
        common = {"KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": port}
        args = ["kt", tmp, str(jobs), str(work), str(log)]
        start, cpu = time.perf_counter(), cpu_seconds()
        chief = _launch(args, _env(KERASTUNER_TUNER_ID="chief", **common))
        procs = [_launch(args, _env(KERASTUNER_TUNER_ID=f"tuner{k}", **common))
                 for k in range(workers)]
        try:
            _wait(procs, timeout)
            wall = time.perf_counter() - start  # the last worker is done: the search is
        finally:
            # the chief polls for its exit every 20 s once stopped: not the search's time
            chief.kill()
            chief.wait()
        return figures(jobs, wall, cpu_seconds() - cpu, log)


def keras_tuner_worker(directory: str, trials: int, work: int, log: str) -> None:
    import keras_tuner

    class Burn(keras_tuner.Tuner):
        def run_trial(self, trial, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
            started = time.monotonic()
            x = trial.hyperparameters.Float("x", 0.0, 1.0)
            result = (x - 0.3) ** 2 + spin(work) * 0.0
            stamp(log, started)
            return {"loss": result}

    hp = keras_tuner.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = keras_tuner.oracles.RandomSearchOracle(objective="loss", max_trials=trials,
                                                    hyperparameters=hp, seed=0)
    tuner = Burn(oracle=oracle, directory=directory, project_name="parallel")
    tuner.search(verbose=0)


if __name__ == "__main__":
    kind, *rest = sys.argv[1:]
    if kind == "optuna":
        url, trials, work, log, n_jobs, seed = rest
        optuna_worker(url, int(trials), int(work), log, int(n_jobs), int(seed))
    elif kind == "kt":
        directory, trials, work, log = rest
        keras_tuner_worker(directory, int(trials), int(work), log)
    else:
        sys.exit(f"unknown worker kind {kind!r}")
