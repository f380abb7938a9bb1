"""keras-tuner's own test suite as the referee of rung's drop-in compatibility.

The tests of keras-tuner v1.4.7 (hyperparameters, objective, conditions, trial, metrics tracking,
tuner, oracle, base tuner, every tuner, applications, end-to-end) are taken from a local copy of
its repository and run twice with pytest: once against the installed keras-tuner (the baseline)
and once against rung, with ``keras_tuner`` and its submodules resolving to ``rung``'s
(``keras_tuner.engine.trial`` is ``rung.engine.trial``, and so on). keras-tuner's test scaffolding
(``backend``, ``utils``, ``test_utils``, ``protos``) stays keras-tuner's. The score is how many of
the tests that pass on keras-tuner also pass on rung. CI cannot fetch a repository, so this is not
part of ``make test``. Run::

    .venv/bin/python benchmarks/keras_tuner_suite.py --repo /path/to/keras-tuner --timeout 0
    .venv/bin/python benchmarks/keras_tuner_suite.py --repo ... --target rung \\
        --baseline keras_tuner_suite.json --files engine/trial_test.py

The first runs everything, both targets, and prints one table (``--timeout 0``: no limit per
test; the end-to-end test trains 20 models on each target). The second reuses keras-tuner's
outcomes (``--baseline`` takes several JSONs, e.g. one per file) and runs one file on rung.

``--repo`` is a git clone (bare or not) holding ``--tag``, or a folder holding ``keras_tuner/``.
The JSON (``--json``) has every test's outcome and first error line for both runs.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from _args import at_least

HERE = Path(__file__).resolve().parent

# The test files the referee runs, relative to the package folder ``keras_tuner/``.
INCLUDED = (
    "engine/hyperparameters/",
    "engine/conditions_test.py",
    "engine/objective_test.py",
    "engine/trial_test.py",
    "engine/metrics_tracking_test.py",
    "engine/tuner_test.py",
    "engine/oracle_test.py",
    "engine/base_tuner_test.py",
    "tuners/",
    "applications/",
    "integration_tests/end_to_end_test.py",
)

# Left out, each with its reason. A key ending in "/" or ".py" is a file or folder; otherwise it is
# a pytest node id prefix (so a parametrised test goes with all its cases).
EXCLUDED: dict[str, str] = {
    "distribute/": "gRPC chief/worker distribution; rung distributes through its executors",
    "test_utils/": "tests of keras-tuner's own test scaffolding",
    "utils_test.py": "keras-tuner's private helpers (the scaffolding stays keras-tuner's)",
    "integration_tests/legacy_import_test.py": "the pre-1.0 `kerastuner` package name",
    "integration_tests/randomness_test.py": "checks the test runner's seeding, not the library",
    "engine/tuner_utils_test.py": "engine.tuner_utils is internal (absent from the public API)",
    "engine/hyperparameters/hp_utils_test.py": "internal protobuf conversion helpers",
    "engine/conditions_test.py::test_from_proto_error": "protobuf serialisation",
    "engine/conditions_test.py::test_int_to_from_proto": "protobuf serialisation",
    "engine/conditions_test.py::test_float_to_from_proto": "protobuf serialisation",
    "engine/conditions_test.py::test_bool_to_from_proto": "protobuf serialisation",
    "engine/hyperparameters/hp_types/choice_hp_test.py::test_choice_proto": "protobuf",
    "engine/hyperparameters/hp_types/float_hp_test.py::test_float_proto": "protobuf",
    "engine/hyperparameters/hp_types/int_hp_test.py::test_int_proto": "protobuf",
    "engine/hyperparameters/hyperparameters_test.py::test_to_proto": "protobuf",
    "engine/hyperparameters/hyperparameters_test.py::test_hyperparameters_proto": "protobuf",
    "engine/hyperparameters/hyperparameters_test.py::test_hyperparameters_values_proto": (
        "protobuf"
    ),
    "engine/hyperparameters/hyperparameters_test.py::test_is_active_with_hp_name_and_hp": (
        "reads the private HyperParameters._hps"
    ),
    "engine/metrics_tracking_test.py::test_metricobservation_proto": "protobuf",
    "engine/metrics_tracking_test.py::test_metrichistory_proto": "protobuf",
    "engine/metrics_tracking_test.py::test_metricstracker_proto": "protobuf",
    "engine/trial_test.py::test_trial_proto": "protobuf",
    "engine/trial_test.py::test_trial_status_proto": "protobuf",
    "tuners/hyperband_test.py::test_hyperband_oracle_bracket_configs": (
        "private bracket arithmetic (_get_num_brackets, _get_num_rounds, _get_size, _get_epochs)"
    ),
    "tuners/hyperband_test.py::test_hyperband_oracle_one_sweep_single_thread": (
        "private bracket bookkeeping (_get_num_brackets, _get_size, _brackets)"
    ),
    "tuners/hyperband_test.py::test_hyperband_oracle_one_sweep_parallel": (
        "private bracket bookkeeping (_brackets, _current_sweep)"
    ),
    "tuners/hyperband_test.py::test_hyperband_save_and_restore": (
        "private iteration counter (_current_iteration)"
    ),
    "tuners/hyperband_test.py::test_hyperband_load_weights": (
        "private methods (_get_num_brackets, _get_size, _try_build, _get_checkpoint_fname, "
        "_get_build_config_fname) and internal tuner_utils helpers"
    ),
    "tuners/gridsearch_test.py::test_linked_list": "gridsearch.LinkedList, a private helper",
    "engine/oracle_test.py::test_display_format_duration_large_d": (
        "oracle.Display, the internal progress printer"
    ),
    "tuners/bayesian_test.py::test_scipy_not_install_error": (
        "patches keras-tuner's module-level optional import (bayesian.scipy); rung's Gaussian "
        "process needs neither scipy nor scikit-learn"
    ),
    "tuners/bayesian_test.py::test_sklearn_not_install_error": (
        "patches keras-tuner's module-level optional import (bayesian.sklearn)"
    ),
    "tuners/sklearn_tuner_test.py::test_sklearn_not_install_error": (
        "patches keras-tuner's module-level optional import (sklearn_tuner.sklearn)"
    ),
    "engine/base_tuner_test.py::test_chief_should_wait_for_clients": (
        "gRPC chief/worker distribution"
    ),
    "engine/tuner_test.py::test_build_and_fit_model": (
        "overrides the private Tuner._build_and_fit_model"
    ),
    "engine/tuner_test.py::test_build_and_fit_model_in_tuner": (
        "overrides the private Tuner._build_and_fit_model"
    ),
    "engine/tuner_test.py::test_callbacks_in_fit_kwargs": (
        "wraps the private Tuner._build_and_fit_model and expects keras-tuner's internal "
        "callbacks (TunerCallback, SaveBestEpoch)"
    ),
    "engine/tuner_test.py::test_correct_display_trial_number": (
        "reads the oracle's private progress printer (oracle._display)"
    ),
    "engine/tuner_test.py::test_convert_hyperparams_to_hparams": (
        "TensorBoard HParams conversion (internal tuner_utils, needs TensorFlow's TensorBoard)"
    ),
}

TARGETS = ("keras-tuner", "rung")


def extract(repo: Path, tag: str, into: Path) -> Path:
    """Copy ``keras_tuner/`` at ``tag`` out of ``repo`` into ``into``; return its path."""
    if (repo / "keras_tuner").is_dir() and not _is_git(repo):
        shutil.copytree(repo / "keras_tuner", into / "keras_tuner")
        return into / "keras_tuner"
    git = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", tag, "keras_tuner"],
        check=False,
        capture_output=True,
    )
    if git.returncode:
        raise SystemExit(f"--tag {tag}: no keras_tuner/ at {tag!r} in {repo} "
                         f"({git.stderr.decode(errors='replace').strip()}); fetch the tags "
                         "(git fetch --tags) or name one of `git tag --list`")
    with tarfile.open(fileobj=io.BytesIO(git.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into / "keras_tuner"


def _is_git(repo: Path) -> bool:
    probe = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--git-dir"], capture_output=True, check=False
    )
    return probe.returncode == 0


def _selected(relative: str, only: list[str]) -> bool:
    if not relative.endswith("_test.py"):
        return False
    if any(relative.startswith(key) for key in EXCLUDED if key.endswith(("/", ".py"))):
        return False
    if not any(relative.startswith(prefix) for prefix in INCLUDED):
        return False
    return not only or any(relative.startswith(prefix) for prefix in only)


def build_suite(package: Path, suite: Path, only: list[str]) -> list[str]:
    """Lay the selected test files out under ``suite``; return their relative paths."""
    files = []
    for path in sorted(package.rglob("*_test.py")):
        relative = path.relative_to(package).as_posix()
        if _selected(relative, only):
            (suite / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, suite / relative)
            files.append(relative)
    shutil.copy(package / "conftest.py", suite / "conftest.py")  # seeds and image data format
    (suite / "pytest.ini").write_text("[pytest]\npython_files = *_test.py\n")
    return files


def run_target(target: str, suite: Path, scaffold: Path, args: argparse.Namespace) -> dict:
    out = suite.parent / f"outcomes-{target}.json"
    env = dict(os.environ)
    env.update(
        KT_REFEREE_TARGET=target,
        KT_REFEREE_SCAFFOLD=str(scaffold),
        KT_REFEREE_OUT=str(out),
        KT_REFEREE_TIMEOUT=str(args.timeout),
        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")])),
    )
    env.setdefault("KERAS_BACKEND", "torch")
    deselect = [f"--deselect={key}" for key in EXCLUDED if "::" in key]
    command = [
        args.python, "-m", "pytest", str(suite), "-c", str(suite / "pytest.ini"),
        "--rootdir", str(suite), "--import-mode=importlib", "-p", "_kt_referee_plugin",
        "-p", "no:cacheprovider", "-p", "no:warnings", "-q", "--no-header", "-rN",
        "--continue-on-collection-errors",
        *deselect, *args.pytest_args,
    ]  # fmt: skip
    print(f"[{target}] running {len(args.files_run)} test files ...", flush=True)
    log = subprocess.run(command, env=env, cwd=suite, capture_output=True, text=True, check=False)
    if not out.is_file():
        sys.stderr.write(log.stdout[-4000:] + log.stderr[-4000:])
        raise SystemExit(f"[{target}] pytest wrote no outcomes (exit code {log.returncode})")
    return json.loads(out.read_text())


def _merged_baseline(paths: list[Path]) -> dict[str, Any]:
    """keras-tuner's outcomes from one or more JSONs written by this script (later files win)."""
    merged: dict[str, Any] = {"tests": {}}
    for path in paths:
        merged["tests"].update(json.loads(path.read_text())["keras-tuner"]["tests"])
    return merged


def _excluded(nodeid: str) -> bool:
    """Whether a test (``file::name[params]``) is one of ``EXCLUDED``'s node ids."""
    return any("::" in key and (nodeid == key or nodeid.startswith((key + "[", key + "::")))
               for key in EXCLUDED)


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def summarise(results: dict[str, dict], files: list[str]) -> dict[str, Any]:
    """Per file and in total: keras-tuner's passed/collected, rung's passed of those."""
    baseline = results["keras-tuner"]["tests"]
    reference = {node for node, entry in baseline.items() if entry["outcome"] == "passed"}
    per_file: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_COUNTS, 0))
    for node, entry in baseline.items():
        row = per_file[_file_of(node)]
        row["collected"] += 1
        row["keras_tuner_passed"] += entry["outcome"] == "passed"
    rung = results.get("rung", {}).get("tests", {})
    for node in reference:
        per_file[_file_of(node)]["rung_passed"] += rung.get(node, {}).get("outcome") == "passed"
    for node, entry in rung.items():
        if node not in reference and entry["outcome"] == "passed":
            per_file[_file_of(node)]["rung_passed_elsewhere"] += 1
    for name in files:
        per_file[name]  # a file that collected nothing on keras-tuner still gets a row
    total = {key: sum(row[key] for row in per_file.values()) for key in _COUNTS}
    return {"per_file": dict(sorted(per_file.items())), "total": total}


_COUNTS = ("collected", "keras_tuner_passed", "rung_passed", "rung_passed_elsewhere")


def print_table(summary: dict[str, Any], with_rung: bool) -> None:
    print(f"{'file':58} {'keras-tuner':>12} {'rung':>10}")
    rows = [*summary["per_file"].items(), ("TOTAL", summary["total"])]
    for name, row in rows:
        kt = f"{row['keras_tuner_passed']}/{row['collected']}"
        rung = f"{row['rung_passed']}/{row['keras_tuner_passed']}" if with_rung else "-"
        print(f"{name:58} {kt:>12} {rung:>10}")
    total = summary["total"]
    print(f"\nkeras-tuner passed {total['keras_tuner_passed']} of {total['collected']} tests")
    if with_rung:
        print(
            f"rung passed {total['rung_passed']} of the {total['keras_tuner_passed']} that pass "
            f"on keras-tuner (and {total['rung_passed_elsewhere']} that fail there)"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True, help="keras-tuner clone or folder")
    parser.add_argument("--tag", default="v1.4.7", help="git tag of the tests (default v1.4.7)")
    parser.add_argument("--target", choices=(*TARGETS, "both"), default="both",
                        help="run keras-tuner's tests on keras-tuner, on rung, or both (default)")
    parser.add_argument("--baseline", type=Path, nargs="+",
                        help="reuse keras-tuner's outcomes from JSONs (e.g. one per file)")
    parser.add_argument("--files", nargs="*", default=[], help="only these files/folder prefixes")
    parser.add_argument("--json", type=Path, default=Path("keras_tuner_suite.json"),
                        help="every outcome goes here (default keras_tuner_suite.json)")
    parser.add_argument("--timeout", type=at_least(0), default=300,
                        help="seconds per test (default 300; 0: no limit)")
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs pytest")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments, after --")
    args = parser.parse_args(argv)
    if not (args.repo / "keras_tuner").is_dir() and not _is_git(args.repo):
        parser.error(f"--repo {args.repo}: expected a keras-tuner clone (git clone "
                     "https://github.com/keras-team/keras-tuner) or a folder holding keras_tuner/")
    for path in args.baseline or ():
        if not path.is_file():
            parser.error(f"--baseline {path}: no such file")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    results: dict[str, dict] = {}
    if args.baseline:
        results["keras-tuner"] = _merged_baseline(args.baseline)
    targets = [t for t in TARGETS if args.target in (t, "both") and t not in results]
    with tempfile.TemporaryDirectory(prefix="kt-referee-") as tmp:
        package = extract(args.repo.resolve(), args.tag, Path(tmp) / "src")
        suite = Path(tmp) / "suite"
        args.files_run = build_suite(package, suite, args.files)
        for target in targets:
            results[target] = run_target(target, suite, package, args)
    if "keras-tuner" not in results:
        raise SystemExit("no keras-tuner baseline: run --target both, or pass --baseline")
    for target in results.values():  # a baseline recorded before a test was excluded
        target["tests"] = {node: entry for node, entry in target["tests"].items()
                           if not _excluded(node)}
    if args.files:  # keep the baseline to the files that ran
        keep = tuple(args.files_run)
        results["keras-tuner"]["tests"] = {
            node: entry
            for node, entry in results["keras-tuner"]["tests"].items()
            if _file_of(node) in keep
        }
    summary = summarise(results, args.files_run)
    print_table(summary, with_rung="rung" in results)
    record = {"tag": args.tag, "excluded": EXCLUDED, "summary": summary, **results}
    args.json.write_text(json.dumps(record, indent=1, sort_keys=True))
    print(f"outcomes written to {args.json}")
    return record


if __name__ == "__main__":
    main()
