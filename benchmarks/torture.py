"""Kill/resume torture: SIGKILL the driver at random moments, resume, and check that nothing is lost.

For each algorithm (Hyperband, ASHA in promotion and in stopping mode, BOHB) a search
(``_torture_child.py``: a plain-Python training function with checkpoints) runs with 1 worker,
with 4 local worker processes in reproducible mode (``search(reproducible=True)``) and with 4 in
the default asynchronous mode; each runs once uninterrupted, then again in a fresh project that
is killed with SIGKILL at random moments (the driver only: its workers notice and exit) and
resumed each time until it finishes. After every kill the harness checks the file (``PRAGMA
integrity_check``), that every result stored before the kill is still there unchanged, and notes
the jobs in flight. At the end it reports::

    kills         SIGKILLs that hit a running driver (planned: 100 in all, --quick: 12)
    early         of them, kills before the driver had created the project file
    lost          jobs never finished, or (1 worker) jobs of the uninterrupted run missing
    dup           jobs run to their end twice, beyond those in flight at a kill (target 0)
    equal         final results equal to the uninterrupted run with the same seed
    integrity     kills after which integrity_check said "ok"

With 1 worker and in reproducible mode the comparison is job for job (ids, values, epochs,
parents, statuses, losses), and must hold. In asynchronous mode with 4 workers the order in
which results arrive decides ASHA's promotions and BOHB's model, so two uninterrupted runs differ
too; there the finished search is compared with the uninterrupted one as a multiset of (values,
epochs, status, loss) and reported (Hyperband's is equal), and the invariants (every job
finished, epochs reported once, continuations start at their parent's epoch) are checked, as
they are for every search. Run::

    python benchmarks/torture.py            # 100 kills, 12 searches, about a quarter of an hour
    python benchmarks/torture.py --quick    # 12 kills, smaller searches (tests/reliability)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
from _args import at_least
from _torture_child import EPOCHS  # a single-fidelity trial's, which stores no epochs

CHILD = Path(__file__).with_name("_torture_child.py")
ALGORITHMS = ("hyperband", "asha-promotion", "asha-stopping", "bohb")
MORE_ALGORITHMS = ("sh", "random", "bayesian")  # --algorithms: successive halving (one
# Hyperband bracket), RandomSearch, BayesianOptimization


def configs_of(algorithms: tuple[str, ...], workers: int) -> list[tuple[str, int, str]]:
    """(algorithm, workers, mode): ``sequential`` (one worker, in the driver), ``reproducible``
    (``search(reproducible=True)``), ``async`` (the default: results count as they arrive)."""
    return ([(a, 1, "sequential") for a in algorithms]
            + [(a, workers, "reproducible") for a in algorithms]
            + [(a, workers, "async") for a in algorithms])


CONFIGS = configs_of(ALGORITHMS, 4)


@dataclass
class Outcome:
    """What one killed-and-resumed search came to."""

    algorithm: str
    workers: int
    mode: str = "sequential"
    jobs: int = 0
    kills: int = 0
    early: int = 0
    takeovers: int = 0
    lost: int = 0
    lost_results: int = 0
    duplicates: int = 0
    in_flight: int = 0
    equal: bool = False
    integrity_ok: int = 0
    invariants: list[str] = field(default_factory=list)
    seconds: float = 0.0
    reference_seconds: float = 0.0


def _env() -> dict[str, str]:
    src = Path(__file__).resolve().parents[1] / "src"
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])}


def _command(project: Path, algorithm: str, workers: int, mode: str, max_epochs: int,
             work: int) -> list[str]:
    return [sys.executable, str(CHILD), str(project), algorithm, str(workers),
            str(project / "executions.log"), str(max_epochs), str(work), mode]


def _trials(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT trial_id, values_json, status, epochs, initial_epoch, parent_id, loss "
            "FROM trials ORDER BY seq").fetchall()


def _integrity(db: Path) -> bool:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _finished(rows: list[tuple]) -> dict[str, tuple]:
    return {r[0]: r for r in rows if r[2] != "RUNNING"}


def _executions(project: Path) -> list[str]:
    log = project / "executions.log"
    return log.read_text().split() if log.exists() else []


def _kill_driver(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the driver alone, then wait until its orphaned workers have exited."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(children, timeout=60)
    for child in alive:  # a worker that would not notice (none expected)
        child.kill()


def _reference(base: Path, algorithm: str, workers: int, mode: str, max_epochs: int,
               work: int) -> tuple[list[tuple], float]:
    project = base / f"reference-{algorithm}-{workers}-{mode}"
    project.mkdir(parents=True)
    start = time.perf_counter()
    done = subprocess.run(_command(project, algorithm, workers, mode, max_epochs, work), env=_env(),
                          capture_output=True, text=True, timeout=1800)
    if done.returncode:
        raise RuntimeError(f"the uninterrupted {algorithm} run failed:\n{done.stderr}")
    return _trials(project / "p" / "rung.db"), time.perf_counter() - start


def _invariants(db: Path, executions: Counter[str]) -> list[str]:
    """What a finished search must satisfy, whatever the order of its results."""
    broken = []
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT trial_id, status, epochs, initial_epoch, parent_id, "
                            "values_json FROM trials").fetchall()
        reports = conn.execute("SELECT trial_id, epoch FROM epoch_metrics ORDER BY seq").fetchall()
        if conn.execute("SELECT COUNT(*) FROM driver_lock").fetchone()[0]:
            broken.append("the driver lock was not given back")
    by_id = {r[0]: r for r in rows}
    epochs: dict[str, list[int]] = {}
    for trial_id, epoch in reports:
        epochs.setdefault(trial_id, []).append(epoch)
    for trial_id, status, last, first, parent, values in rows:
        seen = epochs.get(trial_id, [])
        if seen != list(range(first + 1, first + 1 + len(seen))) or (
                status == "COMPLETED" and len(seen) != (last or EPOCHS) - first):
            broken.append(f"trial {trial_id}: epochs reported {seen}")
        if parent is not None and (by_id[parent][2] != first or by_id[parent][5] != values):
            broken.append(f"trial {trial_id} does not continue its parent {parent}")
        if status in ("COMPLETED", "PRUNED") and not executions[trial_id]:
            broken.append(f"trial {trial_id} is {status} but never ran")
    return broken


def _comparable(rows: list[tuple], exact: bool) -> Counter[tuple]:
    def key(r: tuple) -> tuple:
        loss = None if r[6] is None else round(r[6], 12)
        values = json.dumps(json.loads(r[1]), sort_keys=True)
        common = (values, r[2], r[3], r[4], loss)
        return (r[0], r[5], *common) if exact else common
    return Counter(key(r) for r in rows)


def _moment(proc: subprocess.Popen[bytes], project: Path, jobs: int, pause: float) -> bool:
    """Wait until ``jobs`` more jobs have run to their end, then ``pause`` seconds more (a random
    point inside the next job, a report or a commit); False if the driver exited first."""
    wanted = len(_executions(project)) + jobs
    while len(_executions(project)) < wanted and proc.poll() is None:
        time.sleep(0.002)  # polling the driver's progress
    if proc.poll() is not None:
        return False
    try:
        proc.wait(timeout=pause)
    except subprocess.TimeoutExpired:
        return True
    return False


def torture(base: Path, algorithm: str, workers: int, mode: str, kills: int, max_epochs: int,
            work: int, rng: random.Random) -> Outcome:
    """Run one search uninterrupted, then killed ``kills`` times and resumed; compare.

    The kill moments are spread over the search: before each, a random number of jobs (on
    average an equal share of those left) is let run to its end, then a random pause of up to
    one job's mean duration. A first share of 0 jobs kills the driver while it starts."""
    reference, ref_seconds = _reference(base, algorithm, workers, mode, max_epochs, work)
    out = Outcome(algorithm, workers, mode, jobs=len(reference), reference_seconds=ref_seconds)
    project = base / f"{algorithm}-{workers}-{mode}"
    project.mkdir()
    db = project / "p" / "rung.db"
    command = _command(project, algorithm, workers, mode, max_epochs, work)
    in_flight: Counter[str] = Counter()
    known: dict[str, tuple] = {}
    job_seconds = ref_seconds / max(1, len(reference)) * workers
    start = time.perf_counter()
    for run in range(10 * kills + 10):
        left = max(0, len(reference) - len(known))
        with open(project / f"run-{run}.out", "wb") as output:
            proc = subprocess.Popen(command, env=_env(), stdout=output, stderr=subprocess.STDOUT)
            if out.kills < kills and _moment(
                    proc, project, rng.randint(0, 2 * left // (kills - out.kills + 1)),
                    rng.uniform(0.0, job_seconds)):
                _kill_driver(proc)
                out.kills += 1
            proc.wait()
        text = (project / f"run-{run}.out").read_text(errors="replace")
        out.takeovers += text.count("took over the project")
        if "Traceback" in text:
            out.invariants.append(f"run {run} printed a traceback:\n{text[-2000:]}")
        if proc.returncode == 0:
            break
        if proc.returncode != -signal.SIGKILL:
            raise RuntimeError(f"{algorithm}/{workers}/{mode}: the driver failed:\n{text}")
        if not db.exists():  # killed before the project existed: nothing to check
            out.integrity_ok += 1
            out.early += 1
            continue
        out.integrity_ok += _integrity(db)
        rows = _trials(db)
        now = _finished(rows)
        out.lost_results += sum(1 for trial_id, row in known.items() if now.get(trial_id) != row)
        known.update(now)
        in_flight.update(r[0] for r in rows if r[2] == "RUNNING")
    out.seconds = time.perf_counter() - start
    return _judge(out, project, reference, in_flight, command)


def _judge(out: Outcome, project: Path, reference: list[tuple], in_flight: Counter[str],
           command: list[str]) -> Outcome:
    db = project / "p" / "rung.db"
    final = _trials(db)
    executions = Counter(_executions(project))
    again = subprocess.run(command, env=_env(), capture_output=True, text=True, timeout=600)
    if again.returncode or Counter(_executions(project)) != executions:
        out.invariants.append("re-running the finished search ran jobs again")
    exact = out.mode != "async"
    expected, got = _comparable(reference, exact), _comparable(final, exact)
    out.equal = expected == got
    out.lost = sum(1 for r in final if r[2] == "RUNNING")
    if exact:
        out.lost += sum((expected - got).values())
    out.in_flight = sum(in_flight.values())
    out.duplicates = sum(max(0, n - 1 - in_flight[t]) for t, n in executions.items())
    if not _integrity(db):
        out.invariants.append("integrity_check failed at the end")
    out.invariants += _invariants(db, executions)
    return out


def passed(out: Outcome) -> bool:
    """The targets: nothing lost or run twice, an intact file after every kill, the invariants,
    and (1 worker, or 4 in reproducible mode: deterministic runs) the uninterrupted run's
    results exactly."""
    return (out.lost == 0 and out.lost_results == 0 and out.duplicates == 0
            and out.integrity_ok == out.kills and not out.invariants
            and (out.equal or out.mode == "async"))


def _equal(o: Outcome) -> str:
    if o.mode != "async":
        return "yes" if o.equal else "NO"
    return "multiset" if o.equal else "order-dep."


def table(outcomes: list[Outcome]) -> str:
    head = (f"{'algorithm':<15} {'workers':>7} {'mode':<12} {'jobs':>5} {'kills':>5} {'lost':>4} "
            f"{'dup':>3} {'early':>5} {'in flight':>9} {'equal':>10} {'integrity':>9} "
            f"{'takeovers':>9} {'wall s':>7}")
    lines = [head, "-" * len(head)]
    for o in outcomes:
        lines.append(
            f"{o.algorithm:<15} {o.workers:>7} {o.mode:<12} {o.jobs:>5} {o.kills:>5} "
            f"{o.lost + o.lost_results:>4} {o.duplicates:>3} {o.early:>5} {o.in_flight:>9} "
            f"{_equal(o):>10} {f'{o.integrity_ok}/{o.kills}':>9} "
            f"{o.takeovers:>9} {o.seconds + o.reference_seconds:>7.1f}")
    total = sum(o.kills for o in outcomes)
    exact = [o for o in outcomes if o.mode != "async"]
    lines.append(
        f"{'total':<15} {'':>7} {'':<12} {sum(o.jobs for o in outcomes):>5} {total:>5} "
        f"{sum(o.lost + o.lost_results for o in outcomes):>4} "
        f"{sum(o.duplicates for o in outcomes):>3} {sum(o.early for o in outcomes):>5} "
        f"{sum(o.in_flight for o in outcomes):>9} "
        f"{f'{sum(o.equal for o in exact)}/{len(exact)} exact':>10} "
        f"{f'{sum(o.integrity_ok for o in outcomes)}/{total}':>9} "
        f"{sum(o.takeovers for o in outcomes):>9}")
    for o in outcomes:
        lines += [f"{o.algorithm}/{o.workers}/{o.mode}: {problem}"
                  for problem in o.invariants[:5]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="12 kills (one per search) on smaller searches")
    parser.add_argument("--kills", type=at_least(1), default=None,
                        help="kills in all (default 100; with --quick 12)")
    parser.add_argument("--seed", type=at_least(0), default=2026,
                        help="seed of the kill moments (default 2026)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--keep", type=Path, default=None, help="keep the projects in this folder")
    parser.add_argument("--algorithms", default=",".join(ALGORITHMS),
                        help="comma-separated, among " + ", ".join(ALGORITHMS + MORE_ALGORITHMS)
                        + f" (default {','.join(ALGORITHMS)})")
    parser.add_argument("--workers", type=at_least(2), default=4,
                        help="worker processes of the reproducible and async searches (default 4)")
    args = parser.parse_args(argv)
    algorithms = tuple(args.algorithms.split(","))
    unknown = sorted(set(algorithms) - set(ALGORITHMS + MORE_ALGORITHMS))
    if unknown:
        parser.error(f"--algorithms: unknown {', '.join(unknown)}; choose among "
                     + ", ".join(ALGORITHMS + MORE_ALGORITHMS))
    configs = configs_of(algorithms, args.workers)
    kills = args.kills or (len(configs) if args.quick else 100)
    max_epochs, work = (9, 2000) if args.quick else (27, 6000)
    share = [kills // len(configs) + (i < kills % len(configs)) for i in range(len(configs))]
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rung-torture-") as tmp:
        base = args.keep or Path(tmp)
        outcomes: list[Outcome] = []
        for (algorithm, workers, mode), n in zip(configs, share, strict=True):
            unspent = sum(share[:len(outcomes)]) - sum(o.kills for o in outcomes)
            # a search that ended before its share of kills passes the rest to the next one
            outcomes.append(torture(base, algorithm, workers, mode, n + unspent, max_epochs,
                                    work, rng))
            print(f"{algorithm}/{workers}/{mode}: {outcomes[-1].kills} kills, "
                  f"{'ok' if passed(outcomes[-1]) else 'FAILED'}", flush=True)
    print(table(outcomes))
    print(f"wall time: {time.perf_counter() - started:.0f} s")
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    return 0 if all(passed(o) for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
