"""The ``rung`` command on real projects: status, best, trials, and its errors."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rung
from rung.cli import main
from rung.cli.status import project_status
from rung.storage import open_project
from rung.trial_record import TrialStatus

SRC = Path(__file__).resolve().parents[2] / "src"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def records(project: Path) -> list:
    with open_project(project) as storage:
        return storage.trials()


def test_status_counts_jobs_and_epochs_as_stored(asha_project: Path, capsys) -> None:
    stored = records(asha_project)
    code, out, _ = run(capsys, "status", str(asha_project))
    assert code == 0
    by = {s: sum(r.status is s for r in stored) for s in TrialStatus}
    assert (f"jobs: 8 of 8 planned (100%): {by[TrialStatus.COMPLETED]} completed, "
            f"{by[TrialStatus.FAILED]} failed, {by[TrialStatus.PRUNED]} pruned") in out
    pruned_epochs = {r.epochs_reached for r in stored if r.status is TrialStatus.PRUNED}
    assert pruned_epochs and max(pruned_epochs) < 9  # stopped early, as the status counts
    spent = sum((r.epochs if r.epochs_reached is None else r.epochs_reached) - r.initial_epoch for r in stored)
    assert f"epochs: {spent}\n" in out
    best = min((r for r in stored if r.loss is not None), key=lambda r: r.loss)
    assert f"best: trial {best.trial_id} loss={best.metrics['loss']:.6g}" in out


def test_status_counts_asha_stopping_jobs_in_the_rung_each_reached_as_the_report_does(
        asha_project: Path, capsys) -> None:
    """ASHA's stopping variant stores every job in rung 0 with ``epochs`` = max_epochs; the
    status groups them by the milestone each stopped at (1, 3, 9 epochs), as the HTML report."""
    from rung.report.brackets import bracket_picture
    from rung.report.plan import search_plan
    from rung.report.snapshot import read_snapshot

    stored = records(asha_project)
    expected = {k: 0 for k in range(3)}
    for r in stored:
        reached = r.epochs_reached or 0
        expected[max([k for k, e in enumerate((1, 3, 9)) if e <= reached], default=0)] += 1
    assert expected[0] and expected[2] and sum(expected.values()) == len(stored) == 8
    code, out, _ = run(capsys, "status", str(asha_project))
    assert code == 0 and "jobs by the last rung each reached" in out
    for k, epochs in enumerate((1, 3, 9)):
        noun, jobs = "epoch " if epochs == 1 else "epochs", "job" if expected[k] == 1 else "jobs"
        assert f"rung {k} ({epochs:>4} {noun.strip()}):{' ' * (noun[-1] == ' ')} " \
               f"{expected[k]:>7} {jobs}" in out
    with open_project(asha_project) as storage:
        snapshot = read_snapshot(storage)
    (view,) = bracket_picture(snapshot, search_plan(snapshot.settings)).brackets
    assert {cell.index: len(cell.jobs) for cell in view.rungs} == expected


def test_status_of_a_search_without_epochs_says_so(tmp_path: Path, capsys) -> None:
    """A single-fidelity search whose function reports no epochs: no "0 epochs" anywhere."""
    import rung

    def train(trial: rung.Trial) -> dict[str, float]:
        return {"loss": (trial.hyperparameters.Float("x", 0.0, 1.0) - 0.3) ** 2}

    rung.RandomSearch(run_trial=train, objective="loss", max_trials=3, seed=0,
                      directory=tmp_path, project_name="p", verbose=0).search()
    code, out, _ = run(capsys, "status", str(tmp_path / "p"))
    assert code == 0
    assert "epochs: none reported" in out and "0 epochs" not in out
    best = min(records(tmp_path / "p"), key=lambda r: r.loss)
    assert f"best: trial {best.trial_id} loss={best.loss:.6g} {{'x': " in out


def _three_epochs(trial: rung.Trial) -> dict[str, float]:
    """A training function that decides its own length: 3 epochs, each reported."""
    x = trial.hyperparameters.Choice("x", [0.1, 0.3, 0.6])
    for epoch in (1, 2, 3):
        trial.report(epoch, loss=(x - 0.3) ** 2 + 1 / epoch)
    return {"loss": (x - 0.3) ** 2 + 1 / 3}


@pytest.mark.parametrize("stored_by", ["this rung", "an older rung"])
@pytest.mark.parametrize("tuner_class", ["RandomSearch", "GridSearch", "BayesianOptimization"])
def test_single_fidelity_jobs_show_the_epochs_they_reported(tmp_path: Path, capsys,
                                                            tuner_class: str,
                                                            stored_by: str) -> None:
    """A single-fidelity search leaves the epochs to the function (``trial.epochs`` None): the
    commands show the 3 it trained and reported, not the 0 of a job with no planned length."""
    tuner = getattr(rung, tuner_class)(run_trial=_three_epochs, objective="loss", max_trials=3,
                                       seed=0, directory=tmp_path, project_name="p", verbose=0)
    tuner.search()
    tuner.storage.close()
    project = tmp_path / "p"
    assert [(r.epochs, r.epochs_reached) for r in records(project)] == [(0, 3)] * 3
    if stored_by == "an older rung":  # its records kept no epoch reached: the reports say
        conn = sqlite3.connect(project / "rung.db")
        with conn:
            conn.execute("UPDATE trials SET epochs_reached = NULL")
        conn.close()
    code, out, _ = run(capsys, "status", str(project))
    assert code == 0 and "epochs: 9\n" in out  # 3 jobs of 3 epochs
    best = min(records(project), key=lambda r: r.loss)
    assert f"best: trial {best.trial_id} loss={best.loss:.6g} after 3 epochs {{'x': " in out
    code, out, _ = run(capsys, "trials", str(project), "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [(r["epochs"], r["epochs_trained"]) for r in rows] == [(3, 3)] * 3
    code, out, _ = run(capsys, "best", str(project))
    assert code == 0 and json.loads(out)["epochs"] == 3


def test_status_json_and_brackets_against_the_plan(hyperband_project, capsys) -> None:
    project, _ = hyperband_project
    code, out, _ = run(capsys, "status", str(project), "--json")
    data = json.loads(out)
    assert code == 0 and data["oracle"] == "HyperbandOracle"
    assert (data["jobs_planned"], data["epochs_planned"]) == (22, 69)  # R=9, eta=3
    assert data["jobs"] == len(records(project)) == 22
    first_rungs = [r for r in data["rungs"] if r["bracket"] == 2]
    assert [(r["rung"], r["planned"], r["epochs"]) for r in first_rungs] == [
        (0, 9, 1), (1, 3, 3), (2, 1, 9)]
    assert sum(r["failed"] for r in data["rungs"]) == data["counts"]["FAILED"] == 1
    _, text, _ = run(capsys, "status", str(project))
    assert "brackets: 3 of 3 done" in text


def test_best_is_what_the_tuner_says(hyperband_project, capsys) -> None:
    project, tuner_best = hyperband_project
    code, out, _ = run(capsys, "best", str(project))
    best = json.loads(out)
    assert code == 0 and best["hyperparameters"] == tuner_best
    assert best["objective"] == "loss" and best["value"] == best["metrics"]["loss"]
    _, out, _ = run(capsys, "best", str(project), "--top", "3")
    top = json.loads(out)
    assert top[0] == best and len(top) == 3
    assert [t["value"] for t in top] == sorted(t["value"] for t in top)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_trials_one_row_per_job_with_status_and_metrics(asha_project, capsys, fmt) -> None:
    stored = records(asha_project)
    code, out, _ = run(capsys, "trials", str(asha_project), "--format", fmt)
    rows = list(csv.DictReader(io.StringIO(out))) if fmt == "csv" else json.loads(out)
    assert code == 0
    assert [r["trial_id"] for r in rows] == [r.trial_id for r in stored]
    assert [r["status"] for r in rows] == [r.status.value for r in stored]
    failed = next(r for r in rows if r["status"] == "FAILED")
    assert "boom: a configuration that cannot train" in failed["error"]
    for row, record in zip(rows, stored, strict=True):
        assert float(row["hp.x"]) == record.values["x"]
        if record.status is TrialStatus.PRUNED:
            assert int(row["epochs_trained"]) == record.epochs_reached < record.epochs
            assert float(row["metric.loss"]) == record.metrics["loss"]


def test_trials_table_and_status_filter(asha_project, capsys) -> None:
    code, out, _ = run(capsys, "trials", str(asha_project), "--status", "pruned", "failed")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:2] == ["trial_id", "status"]
    assert "x" in lines[0].split() and "kind" in lines[0].split()
    shown = {line.split()[1] for line in lines[2:]}
    assert shown == {"PRUNED", "FAILED"}
    assert len(lines) - 2 == sum(r.status in (TrialStatus.PRUNED, TrialStatus.FAILED)
                                 for r in records(asha_project))
    header = lines[0].split()
    trained = {line.split()[0]: int(line.split()[header.index("epochs_trained")])
               for line in lines[2:]}  # a pruned job planned 9 epochs shows the ones it trained
    assert trained == {r.trial_id: r.epochs_reached - r.initial_epoch
                       for r in records(asha_project) if r.trial_id in trained}
    assert min(trained.values()) < 9


def test_the_commands_never_write_to_the_project(asha_project, capsys) -> None:
    database = asha_project / "rung.db"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    for argv in (["status"], ["best"], ["trials", "--format", "csv"], ["status", "--json"]):
        assert main([argv[0], str(asha_project), *argv[1:]]) == 0
    assert main(["status", str(database)]) == 0  # the rung.db itself is a project path too
    capsys.readouterr()
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


def test_a_path_that_is_no_project(tmp_path: Path, asha_project: Path, capsys) -> None:
    code, _, err = run(capsys, "status", str(tmp_path / "missing"))
    assert code == 1 and "no rung project at" in err and "missing" in err
    code, _, err = run(capsys, "best", str(asha_project.parent))  # the directory above it
    assert code == 1 and f"the projects below it are: {asha_project}" in err
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    code, _, err = run(capsys, "trials", str(text))
    assert code == 1 and "rung database" in err and "notes.txt" in err


def test_a_project_of_a_newer_schema(asha_project: Path, tmp_path: Path, capsys) -> None:
    newer = tmp_path / "newer"
    newer.mkdir()
    copy = newer / "rung.db"
    with open_project(asha_project) as storage:  # a consistent copy, WAL included
        source = sqlite3.connect(storage.path)
        target = sqlite3.connect(copy)
        source.backup(target)
        source.close()
    target.execute("UPDATE schema_version SET version = 99")
    target.commit()
    target.close()
    code, _, err = run(capsys, "status", str(newer))
    assert code == 1 and "schema version 99" in err and "upgrade rung" in err


def test_project_status_of_an_empty_project(tmp_path: Path) -> None:
    from rung.storage import SQLiteStorage

    SQLiteStorage(tmp_path / "rung.db", create=True).close()
    with open_project(tmp_path) as storage:
        status = project_status(storage)
    assert (status.jobs, status.best, status.rungs, status.jobs_planned) == (0, None, [], None)


def test_python_dash_m_rung_imports_no_framework_and_no_user_code(asha_project: Path) -> None:
    code = ("import sys; from rung.cli import main; rc = main(['status', sys.argv[1]]); "
            "print([m for m in ('keras', 'torch', 'sklearn', 'conftest', 'tests') "
            "if m in sys.modules], rc)")
    out = subprocess.run([sys.executable, "-c", code, str(asha_project)], capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(SRC)}).stdout
    assert out.strip().endswith("[] 0")
    done = subprocess.run([sys.executable, "-m", "rung", "best", str(asha_project)],
                          capture_output=True, text=True, env={"PYTHONPATH": str(SRC)})
    assert done.returncode == 0 and json.loads(done.stdout)["trial_id"]


def test_the_entry_point_is_declared() -> None:
    import tomllib

    pyproject = tomllib.loads((SRC.parent / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["rung"] == "rung.cli:main"


def test_usage_errors_exit_2(capsys) -> None:
    for argv in ([], ["status"], ["trials", "d", "--format", "xml"], ["dashboard", "d",
                                                                      "--port", "70000"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'xml'" in err and "expected a port in 0..65535" in err


def test_a_misspelt_option_is_refused_by_its_command_with_the_nearest_one(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["status", "d", "--jsn"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: rung status ")  # the command's usage, not the top-level one
    assert "rung status: error: unrecognized arguments: --jsn (did you mean --json?)" in err


def test_statuses_are_taken_in_any_case_and_a_wrong_one_is_named_as_typed(
        asha_project, capsys) -> None:
    assert main(["trials", str(asha_project), "--status", "completed", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["status"] for r in rows} == {"COMPLETED"}
    with pytest.raises(SystemExit):
        main(["trials", str(asha_project), "--status", "complete"])
    assert ("argument --status: 'complete' is not a status; choose from running, completed, "
            "pruned, failed (did you mean completed?)") in capsys.readouterr().err


def test_rung_status_imports_neither_numpy_nor_the_tuners(hyperband_project) -> None:
    """``import rung`` is lazy (``rung._lazy``): the command reads a project with the storage and
    the plan arithmetic alone, not numpy, the oracles or the tuners (a quarter of a second)."""
    project, _ = hyperband_project
    code = ("import sys; from rung.cli import main; rc = main(['status', sys.argv[1]]); "
            "print(sorted(m for m in ('numpy', 'rung.tuner', 'rung.oracles.base', "
            "'rung.executors', 'rung.hyperparameters') if m in sys.modules), rc)")
    out = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(SRC)}).stdout
    assert "brackets: 3 of 3 done" in out and out.strip().endswith("[] 0")


def test_a_directory_of_many_projects_says_the_list_is_cut(tmp_path: Path, capsys) -> None:
    import sqlite3

    for i in range(7):
        (tmp_path / f"p{i}").mkdir()
        sqlite3.connect(tmp_path / f"p{i}" / "rung.db").close()
    code, _, err = run(capsys, "status", str(tmp_path))
    assert code == 1 and f"{tmp_path / 'p4'}, and 2 more" in err and "p5" not in err


def test_jobs_left_running_by_a_search_that_ended_are_called_interrupted(
        tmp_path: Path, capsys) -> None:
    import rung

    def train(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        if trial.trial_id == "00002":
            raise rung.FatalError("the data went away")  # ends the search; the job re-runs
        return x

    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=5, seed=0,
                              directory=tmp_path, project_name="p", verbose=0)
    with pytest.raises(rung.FatalError):
        tuner.search()
    tuner.storage.close()
    code, out, _ = run(capsys, "status", str(tmp_path / "p"))
    assert code == 0 and "1 running" in out and "driver:" not in out
    assert "interrupted: the 1 running job(s)" in out and "re-runs them" in out
    assert "last error of a job left running: trial 00002: rung.errors.FatalError: the data " \
           "went away" in out


def test_a_driver_killed_by_sigkill_is_called_dead_not_live(tmp_path: Path, capsys) -> None:
    """A SIGKILLed search leaves its driver lock behind; the status checks it as the next
    search would (same host: the pid is gone), calls it dead and its job interrupted, and the
    time stops at the last change instead of running on to now."""
    child = (
        "import os, signal, sys, rung\n"
        "def train(trial):\n"
        "    x = trial.hyperparameters.Float('x', 0.0, 1.0)\n"
        "    if trial.trial_id == '00002':\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return x\n"
        "rung.RandomSearch(run_trial=train, objective='loss', max_trials=5, seed=0,\n"
        "                  directory=sys.argv[1], project_name='p', verbose=0).search()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", child, str(tmp_path)])
    assert proc.wait(timeout=120) == -9
    with open_project(tmp_path / "p") as storage:
        assert storage.driver_lock() is not None  # left behind
    status = project_status_of(tmp_path / "p", now=time.time() + 3600)
    assert status.driver is None and status.driver_gone is not None
    assert status.last_change is not None and status.last_change < time.time()
    code, out, _ = run(capsys, "status", str(tmp_path / "p"))
    assert code == 0 and "\ndriver:" not in out
    assert f"dead driver: pid {proc.pid} on host" in out and f"process {proc.pid} is gone" in out
    assert "interrupted: the 1 running job(s)" in out


def project_status_of(project: Path, now: float):
    with open_project(project) as storage:
        return project_status(storage, now=now)


def _as_another_user(argv: list[str]) -> tuple[int, str]:
    """``main(argv)`` in a forked child running as ``nobody`` (the test runs as root, who may
    write anywhere): its exit status and output."""
    import contextlib
    import os

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns to pytest
        code = 3
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                code = main(argv)
            os.write(write, out.getvalue().encode())
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        text = pipe.read().decode()
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), text


def test_a_project_in_a_folder_this_user_cannot_write_in_is_read(asha_project: Path,
                                                                 capsys) -> None:
    """A read-only mount, another user's project: SQLite cannot create the ``-shm`` file a WAL
    reader shares there. The commands read the project all the same (no search can be writing
    it), and leave no file beside it."""
    import os
    import shutil
    import tempfile

    code, expected, _ = run(capsys, "status", str(asha_project))  # also imports what it needs
    assert code == 0
    folder = Path(tempfile.mkdtemp(prefix="rung-readonly-"))  # outside pytest's 0700 tmp_path
    project = folder / "asha"
    try:
        project.mkdir()
        with open_project(asha_project) as storage:  # a copy with no -wal or -shm beside it
            source, target = sqlite3.connect(storage.path), sqlite3.connect(project / "rung.db")
            source.backup(target)
            source.close()
            target.close()
        project.chmod(0o555)
        folder.chmod(0o755)
        if os.geteuid() == 0:
            code, out = _as_another_user(["status", str(project)])
        else:
            code, out, err = run(capsys, "status", str(project))
            out += err
        assert code == 0, out
        assert out.splitlines()[1:] == expected.splitlines()[1:]  # all but the path
        assert [p.name for p in project.iterdir()] == ["rung.db"]
    finally:
        project.chmod(0o755)
        shutil.rmtree(folder)


def test_a_dir_after_status_is_named_as_a_path_with_the_fix(asha_project, capsys) -> None:
    """``--status`` takes one or more statuses, so a DIR after it is read as one: the error
    says so and how to write it; ``--`` ends the statuses."""
    with pytest.raises(SystemExit) as exit_:
        main(["trials", "--status", "completed", str(asha_project)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"'{asha_project}' is a path: give DIR before --status, or end the statuses with --" \
        in err
    assert main(["trials", "--status", "completed", "--", str(asha_project)]) == 0
    assert "COMPLETED" in capsys.readouterr().out


def test_ctrl_c_and_an_os_error_end_in_one_line_not_a_traceback(asha_project, capsys,
                                                                 monkeypatch) -> None:
    cli = sys.modules["rung.cli.main"]  # the module (rung.cli.main is also the function)

    def interrupted(storage):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "project_status", interrupted)
    assert main(["status", str(asha_project)]) == 130
    assert capsys.readouterr().err == "rung status: interrupted\n"

    def unreadable(storage):
        raise PermissionError(13, "Permission denied", "/some/file")

    monkeypatch.setattr(cli, "project_status", unreadable)
    assert main(["status", str(asha_project)]) == 1
    assert capsys.readouterr().err == "rung status: error: Permission denied: '/some/file'\n"
