"""The sample-efficiency benchmark runs end to end (``--quick``, with 2 seeds where it has 3) and
its numbers are sane."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "sample_efficiency.py"


def test_quick_run_has_a_finite_nonnegative_row_per_optimizer(tmp_path: Path) -> None:
    out = tmp_path / "summary.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--seeds", "2", "--no-plot", "--json", str(out)],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "! Task" not in proc.stdout, proc.stdout  # no optimiser raised
    summary = json.loads(out.read_text())
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _se.registry import OPTIMIZERS

    assert summary["seeds"] == 2 and summary["problems"] == ["branin", "lc_crossing"]
    for problem in summary["problems"]:
        rows = summary["regret"][problem]
        assert sorted(rows) == sorted(OPTIMIZERS)
        for optimizer, marks in rows.items():
            assert set(marks) == {"1", "3"}, optimizer
            for q25, median, q75 in marks.values():
                assert all(math.isfinite(x) and x >= 0 for x in (q25, median, q75)), optimizer
                assert q25 <= median <= q75, optimizer
        for optimizer in OPTIMIZERS:  # every table row is printed
            assert f"| {optimizer} |" in proc.stdout


def test_runs_file_resumes_and_reruns_only_the_named_optimizer(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    runs = tmp_path / "runs.jsonl"
    base = [sys.executable, str(SCRIPT), "--seeds", "2", "--budget", "1", "--problems", "branin",
            "--optimizers", "rung random", "rung Hyperband", "--no-plot", "--workers", "1",
            "--runs", str(runs)]

    def run(*extra: str) -> tuple[str, dict[str, object]]:
        out = tmp_path / "s.json"
        proc = subprocess.run([*base, *extra, "--json", str(out)], capture_output=True,
                              text=True, env=env, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc.stdout, json.loads(out.read_text())

    first, summary = run()
    assert "taken from" not in first
    assert len(runs.read_text().splitlines()) == 4  # 2 optimizers x 2 seeds, one line each
    again, same = run()
    assert "4 runs taken from" in again and len(runs.read_text().splitlines()) == 4
    assert same["regret"] == summary["regret"]
    rerun, _ = run("--rerun", "rung Hyperband")
    assert "2 runs taken from" in rerun  # rung random's two runs kept
    # Hyperband's two old runs dropped, its two new ones appended
    assert len(runs.read_text().splitlines()) == 4
    later, one = run("--first-seed", "1", "--seeds", "2")  # seeds 1 and 2: seed 1's are stored
    assert "2 runs taken from" in later and "2 seeds (1-2)" in later
    assert one["first_seed"] == 1 and len(runs.read_text().splitlines()) == 6


def test_compacting_keeps_the_newest_line_of_every_task(tmp_path: Path) -> None:
    import dataclasses

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _se.registry import Task, run_task
    from _se.store import RunStore

    runs = tmp_path / "runs.jsonl"
    store = RunStore(runs)
    tasks = [Task("branin", name, 0, 1.0) for name in ("rung random", "rung Hyperband")]
    first = [run_task(task) for task in tasks]
    for result in first:
        store.add(result)
    redone = dataclasses.replace(first[1], seconds=123.0)
    store.add(redone)
    assert len(runs.read_text().splitlines()) == 3
    # read with "rung random" to be rerun: its line is not loaded, but must not be lost
    RunStore(runs, rerun={"rung random"}).compact()
    assert len(runs.read_text().splitlines()) == 2
    again = RunStore(runs)
    assert again.get(tasks[0]) == first[0] and again.get(tasks[1]) == redone
    assert not (tmp_path / "runs.jsonl.partial").exists()


def test_a_rerun_drops_the_old_runs_before_it_starts(tmp_path: Path) -> None:
    """So that a rerun cut short, then resumed without --rerun, runs what is missing with the
    new code instead of mixing old and new runs of one optimiser."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _se.registry import Task, run_task
    from _se.store import RunStore

    runs = tmp_path / "runs.jsonl"
    store = RunStore(runs)
    hyperband = [Task("branin", "rung Hyperband", seed, 1.0) for seed in range(2)]
    other = Task("hartmann3", "rung Hyperband", 0, 1.0)  # not in this rerun
    for task in [*hyperband, other, Task("branin", "rung random", 0, 1.0)]:
        store.add(run_task(task))
    rerun = RunStore(runs, rerun={"rung Hyperband"})
    rerun.compact(drop=hyperband)
    rerun.add(run_task(hyperband[0]))  # then the rerun is killed
    resumed = RunStore(runs)  # and resumed without --rerun
    assert hyperband[0] in resumed and hyperband[1] not in resumed  # runs again, with new code
    assert other in resumed and Task("branin", "rung random", 0, 1.0) in resumed
    assert len(runs.read_text().splitlines()) == 3


def test_rerun_without_a_runs_file_is_refused() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--rerun", "rung BOHB"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2 and "--rerun needs --runs" in proc.stderr


def test_optimizers_without_random_search_get_it_added_as_the_reference(tmp_path: Path) -> None:
    out = tmp_path / "summary.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--seeds", "1", "--problems", "branin",
         "--optimizers", "rung Hyperband", "--workers", "1", "--no-plot", "--json", str(out)],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]  # before: KeyError after every run
    assert "adding 'rung random'" in proc.stdout
    summary = json.loads(out.read_text())
    assert sorted(summary["regret"]["branin"]) == ["rung Hyperband", "rung random"]


def test_runs_file_cut_short_by_a_kill_drops_only_the_cut_run(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _se.registry import Task, run_task
    from _se.store import RunStore

    runs = tmp_path / "runs.jsonl"
    store = RunStore(runs)
    tasks = [Task("branin", "rung random", seed, 1.0) for seed in range(3)]
    for task in tasks:
        store.add(run_task(task))
    text = runs.read_text()
    runs.write_text(text[:-40])  # the last run's line cut short, as by a kill mid-write
    again = RunStore(runs)
    assert tasks[0] in again and tasks[1] in again and tasks[2] not in again
    again.add(run_task(tasks[2]))
    assert tasks[2] in RunStore(runs) and len(runs.read_text().splitlines()) == 3
    assert again.get(tasks[0]) == store.get(tasks[0])  # a run read back is the run written


def test_runs_file_of_something_else_is_refused(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _se.store import RunStore

    runs = tmp_path / "runs.jsonl"
    runs.write_text('{"not": "a run"}\n{"neither": 1}\n')
    with pytest.raises(SystemExit, match="runs.jsonl:1: not a run of this benchmark"):
        RunStore(runs)
