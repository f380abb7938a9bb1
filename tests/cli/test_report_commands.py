"""``rung report``, ``rung dashboard`` and ``rung import-keras-tuner``: their arguments reach
the functions that do the work (``rung.report`` is tested with the report itself)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from rung.cli import main
from rung.storage import open_project


@pytest.fixture
def fake_report(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Stand-ins for ``rung.report.write_report`` and ``rung.report.dashboard.serve``."""
    calls: dict = {}
    report = types.ModuleType("rung.report")
    dashboard = types.ModuleType("rung.report.dashboard")

    def write_report(project, out):
        calls["write_report"] = (project, out)
        return Path(out)

    def serve(project, **options):
        calls["serve"] = (project, options)
        options["ready"]("http://127.0.0.1:54321/")
        raise KeyboardInterrupt  # what Ctrl-C does while it serves

    report.write_report = write_report
    dashboard.serve = serve
    monkeypatch.setitem(sys.modules, "rung.report", report)
    monkeypatch.setitem(sys.modules, "rung.report.dashboard", dashboard)
    return calls


def test_report_writes_where_asked(asha_project: Path, tmp_path: Path, fake_report, capsys) -> None:
    out = tmp_path / "r.html"
    assert main(["report", str(asha_project), "-o", str(out)]) == 0
    assert fake_report["write_report"] == (str(asha_project), str(out))
    assert f"wrote {out}" in capsys.readouterr().out


def test_report_of_no_project_fails_before_the_report(tmp_path: Path, fake_report, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 1
    assert "write_report" not in fake_report and "no rung project" in capsys.readouterr().err


def test_dashboard_options_and_clean_stop(asha_project: Path, fake_report, capsys) -> None:
    code = main(["dashboard", str(asha_project), "--port", "8123", "--refresh", "0.5"])
    project, options = fake_report["serve"]
    assert code == 0 and project == str(asha_project)
    assert {k: options[k] for k in ("host", "port", "refresh_s", "allow_remote",
                                    "open_browser")} == {
        "host": "127.0.0.1", "port": 8123, "refresh_s": 0.5, "allow_remote": False,
        "open_browser": False}
    out = capsys.readouterr().out
    assert "on http://127.0.0.1:54321/ (Ctrl-C stops it)" in out and "dashboard stopped" in out
    main(["dashboard", str(asha_project), "--host", "0.0.0.0", "--allow-remote"])
    assert fake_report["serve"][1]["host"] == "0.0.0.0" and fake_report["serve"][1]["allow_remote"]


def test_without_the_report_package_the_error_says_so(asha_project, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "rung.report", None)  # as if it were not installed
    assert main(["report", str(asha_project)]) == 1
    assert "no rung.report module" in capsys.readouterr().err


def _keras_tuner_project(path: Path) -> None:
    """The files keras-tuner 1.x writes for two finished trials (see rung.importers)."""
    for i, (units, loss) in enumerate([(8, 0.5), (16, 0.25)]):
        trial = path / f"trial_{i}"
        trial.mkdir(parents=True)
        observations = [{"value": [loss * 2], "step": 0}, {"value": [loss], "step": 1}]
        trial.joinpath("trial.json").write_text(json.dumps({
            "trial_id": str(i), "hyperparameters": {"space": [], "values": {"units": units}},
            "metrics": {"metrics": {"val_loss": {"direction": "min",
                                                 "observations": observations}}},
            "score": loss, "best_step": 1, "status": "COMPLETED"}))


def test_import_keras_tuner(tmp_path: Path, capsys) -> None:
    source = tmp_path / "kt" / "search"
    _keras_tuner_project(source)
    code = main(["import-keras-tuner", str(source), "--directory", str(tmp_path / "runs"),
                 "--project-name", "imported"])
    assert code == 0
    assert f"imported 2 trials into {tmp_path / 'runs' / 'imported'}" in capsys.readouterr().out
    with open_project(tmp_path / "runs" / "imported") as storage:
        assert [t.values for t in storage.trials()] == [{"units": 8}, {"units": 16}]
    assert main(["best", str(tmp_path / "runs" / "imported")]) == 0
    best = json.loads(capsys.readouterr().out)
    assert best["hyperparameters"] == {"units": 16} and best["objective"] == "val_loss"
    assert main(["import-keras-tuner", str(tmp_path / "nothing")]) == 1
    assert "keras-tuner project" in capsys.readouterr().err


def test_imported_trials_have_no_duration_not_one_since_1970(tmp_path: Path, capsys) -> None:
    """keras-tuner records no start time: ``duration_s`` and ``created_at`` are blank (None),
    in ``rung trials`` and the report's table, not ``finished_at - 0``."""
    from rung.report import build_report

    source = tmp_path / "kt" / "search"
    _keras_tuner_project(source)
    project = tmp_path / "runs" / "search"
    assert main(["import-keras-tuner", str(source), "--directory", str(tmp_path / "runs")]) == 0
    capsys.readouterr()
    assert main(["trials", str(project), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["duration_s"], r["created_at"]) for r in rows] == [(None, None)] * 2
    assert all(r["finished_at"] is not None for r in rows)
    with open_project(project) as storage:
        table = build_report(storage).table
    seconds = [c.key for c in table.columns].index("seconds")
    assert [row[seconds] for row in table.rows] == [None, None]


def test_importing_over_a_project_names_the_flag(tmp_path: Path, capsys) -> None:
    source = tmp_path / "kt" / "search"
    _keras_tuner_project(source)
    argv = ["import-keras-tuner", str(source), "--directory", str(tmp_path / "runs")]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "pass --overwrite to replace it" in err and "overwrite=True" not in err
    assert str(tmp_path / "runs" / "search") in err
    assert main([*argv, "--overwrite"]) == 0


def test_the_report_of_an_imported_project_reads_its_objective_and_space(tmp_path: Path,
                                                                          capsys) -> None:
    """A keras-tuner import keeps its objective and space under ``imported`` in the settings:
    the report names them (not ``default_objective``), finds the best trial as ``rung best``
    does, draws a log-sampled hyperparameter on a log axis, and names the algorithm as
    ``rung status`` does."""
    from rung.report import build_report

    source = tmp_path / "kt" / "search"
    space = [{"class_name": "Float", "config": {"name": "lr", "min_value": 1e-4,
                                                "max_value": 0.1, "sampling": "log"}}]
    for i, (lr, accuracy) in enumerate([(0.001, 0.5), (0.01, 0.75), (0.1, 0.25)]):
        trial = source / f"trial_{i}"
        trial.mkdir(parents=True)
        trial.joinpath("trial.json").write_text(json.dumps({
            "trial_id": str(i), "hyperparameters": {"space": space, "values": {"lr": lr}},
            "metrics": {"metrics": {"val_accuracy": {"direction": "max", "observations": [
                {"value": [accuracy], "step": 0}]}}},
            "score": accuracy, "best_step": 0, "status": "COMPLETED"}))
    project = tmp_path / "runs" / "search"
    assert main(["import-keras-tuner", str(source), "--directory", str(tmp_path / "runs")]) == 0
    capsys.readouterr()
    assert main(["best", str(project)]) == 0
    best = json.loads(capsys.readouterr().out)
    with open_project(project) as storage:
        data = build_report(storage)
    summary = data.summary
    assert (summary.objective, summary.direction) == ("val_accuracy", "max")
    assert (summary.best_trial, summary.best_value) == (best["trial_id"], best["value"]) == (
        "00001", 0.75)
    assert summary.algorithm == "imported"
    assert [(p.name, p.log) for p in data.params] == [("lr", True)]


def test_a_keras_tuner_project_given_as_dir_is_named_with_the_import_command(
        tmp_path: Path, capsys) -> None:
    source = tmp_path / "kt" / "search"
    _keras_tuner_project(source)
    for command in ("status", "best", "trials", "report"):
        assert main([command, str(source)]) == 1
        err = capsys.readouterr().err
        assert f"no rung project at '{source}': it is a keras-tuner project" in err
        assert f"rung import-keras-tuner {source} --directory runs" in err
        assert "Traceback" not in err
    assert main(["status", str(tmp_path / "kt")]) == 1  # its parent is neither
    assert "keras-tuner" not in capsys.readouterr().err


def test_an_output_that_is_empty_or_a_directory_is_named_as_typed(asha_project: Path,
                                                                   tmp_path: Path, fake_report,
                                                                   capsys) -> None:
    """The error names -o/--output (not write_report's ``out``) and the value as typed (not
    ``'.'`` for ``''``, nor ``'folder'`` for ``'folder/'``)."""
    for given, shown in (("", "got '', name a file"),
                         (f"{tmp_path}/", f"got '{tmp_path}/', which is a directory")):
        assert main(["report", str(asha_project), "-o", given]) == 1
        err = capsys.readouterr().err
        assert f"rung report: error: -o/--output must be a file path for the HTML report, {shown}" \
            in err
    assert "write_report" not in fake_report


def test_import_errors_name_the_options_and_never_show_a_traceback(tmp_path: Path,
                                                                    capsys) -> None:
    """A --directory that is a file, a --project-name with a slash, an --objective the trials
    never recorded (said before its direction is asked for), one whose direction its name does
    not tell: one line naming the option (``--direction`` is the fix, not ``rung.Objective``,
    which a shell cannot pass)."""
    source = tmp_path / "kt" / "search"
    _keras_tuner_project(source)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    base = ["import-keras-tuner", str(source)]
    for extra, said in (
            (["--directory", str(a_file)], f"(--directory '{a_file}'): Not a directory"),
            (["--project-name", "a/b"], "--project-name must be a plain folder name"),
            (["--objective", "val_los"], "--objective must be a metric the keras-tuner trials "
                                         "recorded, got 'val_los'; they recorded val_loss (did "
                                         "you mean val_loss?)"),
            (["--objective", "score"], "--objective must be a metric the keras-tuner trials "
                                       "recorded, got 'score'; they recorded val_loss"),
            (["--direction", "max"], "--direction max needs --objective")):
        assert main([*base, "--directory", str(tmp_path / "runs"), *extra]) == 1, extra
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err and "rung.Objective" not in err, err
        assert "directory=" not in err and "project_name=" not in err
    assert main([*base, "--directory", str(tmp_path / "runs"), "--objective", "score",
                 "--direction", "max"]) == 1  # the trials recorded no metric named score
    assert "--objective must be a metric the keras-tuner trials recorded, got 'score'; they " \
           "recorded val_loss" in capsys.readouterr().err
    source.joinpath("trial_0", "trial.json").write_text(json.dumps({  # a metric with no direction
        "trial_id": "0", "hyperparameters": {"space": [], "values": {"units": 8}},
        "metrics": {"metrics": {"val_loss": {"direction": "min", "observations": [
            {"value": [0.5], "step": 0}]}, "score": {"direction": None, "observations": [
                {"value": [0.7], "step": 0}]}}}, "score": 0.5, "best_step": 0,
        "status": "COMPLETED"}))
    assert main([*base, "--directory", str(tmp_path / "runs"), "--objective", "score"]) == 1
    assert "--objective 'score': its name does not say whether to minimise or maximise it; " \
           "add --direction min or --direction max" in capsys.readouterr().err
    assert main([*base, "--directory", str(tmp_path / "runs"), "--objective", "val_loss",
                 "--direction", "min"]) == 0
    capsys.readouterr()
    assert main(["status", str(tmp_path / "runs" / "search")]) == 0
    assert "objective val_loss min" in capsys.readouterr().out


def test_an_import_source_that_is_no_keras_tuner_project_is_named_as_src(tmp_path: Path,
                                                                          capsys) -> None:
    _keras_tuner_project(tmp_path / "kt" / "search")
    assert main(["import-keras-tuner", str(tmp_path / "kt")]) == 1  # the folder above it
    err = capsys.readouterr().err
    assert f"SRC '{tmp_path / 'kt'}' is not a keras-tuner project directory" in err
    assert f"the keras-tuner projects below it are: {tmp_path / 'kt' / 'search'}" in err
    assert "path must be" not in err
