"""Every benchmark refuses a count it cannot use before it runs anything, naming the option, the
value and what it expects, instead of a traceback after minutes of work (``overhead.py
--peer-jobs 0`` raised ``IndexError`` once every rung row had run)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


BAD = [
    ("overhead", ["--peer-jobs", "0"], "--peer-jobs", ">= 1"),
    ("overhead", ["--peer-jobs", "many"], "--peer-jobs", ">= 1"),
    ("scale", ["--jobs", "-5"], "--jobs", ">= 0"),
    ("scale", ["--memory-jobs", "-5"], "--memory-jobs", ">= 0"),
    ("scale", ["--asha", "-1"], "--asha", ">= 0"),
    ("scale", ["--peer-jobs", "0"], "--peer-jobs", ">= 1"),
    ("parallel", ["--jobs", "0"], "--jobs", ">= 1"),
    ("parallel", ["--work", "-1"], "--work", ">= 1"),
    ("parallel", ["--rounds", "0"], "--rounds", ">= 1"),
    ("cli_scale", ["--jobs", "0"], "--jobs", ">= 3"),
    ("report_scale", ["--jobs", "-3"], "--jobs", ">= 1"),
    ("sklearn_halving", ["--seeds", "0"], "--seeds", ">= 1"),
    ("sklearn_halving", ["--max-resource", "0"], "--max-resource", ">= 1"),
    ("sklearn_halving", ["--factor", "1"], "--factor", ">= 2"),
    ("gp_overhead", ["--sizes", "50", "0"], "--sizes", ">= 1"),
    ("gp_overhead", ["--kt-calls", "0"], "--kt-calls", ">= 1"),
    ("gp_overhead", ["--seed", "-1"], "--seed", ">= 0"),
    ("keras_e2e", ["--seeds", "0", "-1"], "--seeds", ">= 0"),
    ("keras_e2e", ["--max-epochs", "0"], "--max-epochs", ">= 1"),
    ("keras_e2e", ["--factor", "1"], "--factor", ">= 2"),
    ("keras_e2e", ["--bo-trials", "0"], "--bo-trials", ">= 1"),
    ("keras_e2e", ["--threads", "0"], "--threads", ">= 1"),
    ("torture", ["--kills", "0"], "--kills", ">= 1"),
    ("torture", ["--seed", "-2"], "--seed", ">= 0"),
    ("sample_efficiency", ["--workers", "0"], "--workers", ">= 1"),
    ("sample_efficiency", ["--gp-budget", "-1"], "--gp-budget", "> 0"),
]


@pytest.mark.parametrize(("script", "argv", "option", "expected"), BAD,
                         ids=[f"{s} {' '.join(a)}" for s, a, _, _ in BAD])
def test_a_count_out_of_range_is_refused_by_name(
        script: str, argv: list[str], option: str, expected: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        load(script).main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: expected" in err and expected in err
    assert repr(argv[-1]) in err  # the value received


def test_scale_explicit_sizes_win_over_quick(tmp_path: Path) -> None:
    # --quick used to overwrite --jobs/--memory-jobs/--asha: this ran 5,000 + 50,000 jobs and
    # ASHA twice instead of nothing
    out = tmp_path / "figures.json"
    code = load("scale").main(["--quick", "--jobs", "0", "--memory-jobs", "0", "--asha", "0",
                               "--no-peers", "--json", str(out)])
    assert code == 0
    assert json.loads(out.read_text()) == {}


def test_sample_efficiency_explicit_arguments_win_over_quick() -> None:
    # --quick used to replace --seeds, --budget and --problems given with it
    parse = load("sample_efficiency").parse
    args = parse(["--quick", "--seeds", "5", "--problems", "hartmann3", "--budget", "2"])
    assert (args.seeds, args.budget, args.problems) == (5, 2.0, ["hartmann3"])
    quick = parse(["--quick"])
    assert (quick.seeds, quick.budget, quick.problems) == (3, 3.0, ["branin", "lc_crossing"])
    full = parse([])
    assert (full.seeds, full.budget) == (20, 30.0) and len(full.problems) == 8


def test_keras_tuner_suite_names_a_repo_or_tag_it_cannot_use(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # It raised CalledProcessError from `git archive` for both
    suite = load("keras_tuner_suite")
    with pytest.raises(SystemExit) as exit_:
        suite.parse_args(["--repo", str(tmp_path / "missing")])
    assert exit_.value.code == 2
    assert "--repo" in capsys.readouterr().err
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with pytest.raises(SystemExit, match=r"--tag v0\.0\.0: no keras_tuner/ at 'v0\.0\.0'"):
        suite.extract(tmp_path, "v0.0.0", tmp_path / "out")
