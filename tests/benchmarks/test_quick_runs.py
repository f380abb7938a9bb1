"""The benchmarks without a test of their own run end to end at their smallest size, and print
the comparison the docs quote (their timings depend on the machine and are not asserted).

``scale.py``, ``sample_efficiency.py`` and ``torture.py`` have their own tests
(``test_scale.py``, ``test_sample_efficiency.py``, ``tests/reliability/test_torture.py``);
``overhead.py`` runs 1,000 jobs at least, so its parts are run here on a few jobs.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"


def load(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


def test_gp_overhead_times_both_and_counts_kernel_refits(capsys: pytest.CaptureFixture[str]) -> None:
    # It read GPSearcher._theta, gone since the GP's points moved to searchers/_gp_points.py:
    # AttributeError before the first row
    gp_overhead = load("gp_overhead")
    # 40 results, then 4 suggestions: 44 results cross the refit point at 42 (10% growth)
    mean, slowest, refits = gp_overhead.time_rung(40, 0)
    assert 0 < mean <= slowest and refits == 1
    gp_overhead.main(["--sizes", "20", "--kt-calls", "1"])
    row = capsys.readouterr().out.strip().splitlines()[-1].split()
    assert row[0] == "20" and row[-1].endswith("x") and float(row[-1][:-1]) > 0


def test_parallel_threads_warm_up_before_the_first_timed_search() -> None:
    # The first row ("1 process") paid for importing scikit-learn and torch's first backward
    # pass: 2.8 s against 0.5 s for the same work in the second row (--quick)
    script = f"""
import sys
sys.path.insert(0, {str(BENCHMARKS)!r})
import parallel, rung
assert "sklearn.datasets" not in sys.modules
seen = []
class Stub:
    def __init__(self, *args, **kwargs): pass
    def search(self, **kwargs): seen.append("sklearn.datasets" in sys.modules)
rung.Tuner = Stub
parallel.threads(1)
print(seen)
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split()[-4:] == ["[True,", "True,", "True,", "True]"]


def test_parallel_simulated_quick(capsys: pytest.CaptureFixture[str]) -> None:
    assert load("parallel").main(["--quick", "--part", "simulated"]) == 0
    out = capsys.readouterr().out
    for kind in ("hyperband-sequential", "hyperband-parallel", "asha"):
        assert len(re.findall(rf"^\s+{kind}\s+(8|32|128)\s", out, re.M)) == 3, kind
    assert "ASHA at 128 workers: utilisation" in out


PARALLEL_ROWS = ("rung, 1 worker process", "rung, 2 worker processes",
                 "optuna, 1 process on one SQLite study", "optuna, 2 processes on one SQLite study",
                 "optuna, n_jobs=2 threads in 1 process",
                 "keras-tuner distributed, chief + 1 worker",
                 "keras-tuner distributed, chief + 2 workers")


def test_parallel_real_runs_the_peers_in_the_same_run(capsys: pytest.CaptureFixture[str]) -> None:
    # part (a) compared rung's 1 and 2 workers with nothing else: Optuna's processes and
    # threads and keras-tuner's distributed mode now run the same jobs in the same run
    assert load("parallel").main(["--quick", "--part", "real", "--jobs", "2",
                                  "--work", "100000"]) == 0
    out = capsys.readouterr().out
    for label in PARALLEL_ROWS:  # every job of every run was stamped by the job itself
        assert re.search(rf"^\s+{re.escape(label)}\s+2\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$",
                         out, re.M), label
    for peer in ("optuna processes", "optuna n_jobs=2 threads", "keras-tuner distributed"):
        assert re.search(rf"^\s+vs {peer}\s+.*2 workers: [\d.]+x; [\d.]+x$", out, re.M), peer
    assert re.search(r"vs optuna processes\s+1 worker: [\d.]+x; [\d.]+x", out)
    assert re.search(r"2 workers / 1 worker, jobs/s start-up included: rung [\d.]+x, "
                     r"optuna processes [\d.]+x, keras-tuner distributed [\d.]+x", out)


def test_parallel_real_says_what_to_install_for_a_missing_peer(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    parallel = load("parallel")
    monkeypatch.setattr(parallel, "missing_peers", lambda: ["optuna", "keras-tuner"])
    rows = parallel.real_rows(2, 1000, peers=True)
    out = capsys.readouterr().out
    assert not isinstance(rows["rung, 2 worker processes"], str)
    for label in PARALLEL_ROWS[2:]:
        assert rows[label] == ("not installed: pip install optuna keras-tuner (or: .venv/bin/pip "
                               "install -e '.[bench]'), or --no-peers")
        assert f"{label} not installed: pip install optuna keras-tuner" in " ".join(out.split())
    assert "vs optuna" not in "\n".join(parallel.real_ratios(rows))


def test_overhead_parts_on_a_few_jobs(tmp_path: Path) -> None:
    overhead = load("overhead")
    rows = [overhead.rung_run("random", 20, True, tmp_path),
            overhead.rung_run("hyperband", 20, False, tmp_path),
            overhead.optuna_run(20, True, tmp_path), overhead.keras_tuner_run(20, tmp_path)]
    for row in rows:
        assert row["jobs"] >= 20 and row["ms"] > 0 and row["growth"] > 0
    assert overhead.rung_ask_tell("hyperband", 100) > 0


def test_sklearn_halving_prints_both_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    load("sklearn_halving").main(["--seeds", "1", "--max-resource", "3"])
    out = capsys.readouterr().out
    assert re.search(r"^rung / halving\s+best cv x[\d.]+\s+test acc x[\d.]+\s+wall time x", out,
                     re.M)
    assert re.search(r"^rung / random\s+best cv x", out, re.M)


def test_cli_scale_times_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    load("cli_scale").main(["--jobs", "30"])
    out = capsys.readouterr().out
    for command in ("status DIR", "best DIR", "trials DIR --format csv",
                    "trials DIR --format json", "report DIR -o FILE"):
        assert re.search(rf"^rung {command}\s+[\d.]+s\s+[\d.]+s$", out, re.M), command


def test_report_scale_times_every_step(capsys: pytest.CaptureFixture[str]) -> None:
    load("report_scale").main(["--jobs", "30"])
    out = capsys.readouterr().out
    for step in ("build_report", "render_html", "write_report"):
        assert re.search(rf"{step}: [\d.]+s wall, [\d.]+s CPU", out), step
    assert "report size:" in out


def test_keras_e2e_smallest_run_compares_with_keras_tuner(
        capsys: pytest.CaptureFixture[str]) -> None:
    results = load("keras_e2e").main(["--max-epochs", "2", "--factor", "2",
                                      "--tools", "rung-hyperband"])
    # the peer always runs
    assert {r.tool for r in results} == {"kt-hyperband (seed 0)", "rung-hyperband (seed 0)"}
    assert re.search(r"^rung-hyperband: wall x[\d.]+", capsys.readouterr().out, re.M)


def test_overhead_ratios_say_which_rung_run_they_divide_by() -> None:
    # --peer-jobs 500 divided by rung's 1,000-job rows under "same job count"
    rows = {f"rung {a} {s} n=1000": {"ms": 1.0} for a in ("random", "hyperband")
            for s in ("sqlite", "memory")}
    rows["optuna random+hyperband-pruner sqlite n=500"] = {"ms": 50.0}
    heading, line = load("overhead").ratios(rows, 500, [1000])
    assert "rung at 1,000 jobs, the peers at 500" in heading
    assert "vs rung random sqlite:    50.0x" in line


def test_worker_memory_replaces_the_worker_and_prints_each_way() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / "worker_memory.py"), "--backend", "torch",
         "--trials", "3", "--every", "2", "--ways", "in-process", "replaced"],
        capture_output=True, text=True, env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {line[:26].strip(): line[26:].split() for line in proc.stdout.splitlines()
            if line.startswith("rung, ")}
    assert list(rows) == ["rung, in process", "rung, worker replaced"]
    processes = {way: int(cells[0]) for way, cells in rows.items()}
    assert processes == {"rung, in process": 1, "rung, worker replaced": 2}
    for cells in rows.values():  # RSS first, last, peak: megabytes of a process running Keras
        assert all(50 < float(mb) < 50_000 for mb in cells[1:4])
