"""The report tells who is searching the project as ``rung status`` does: jobs left running by
a search killed with SIGKILL are interrupted, with its dead driver, not running."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from rung.cli import main
from rung.report import build_report
from rung.report.render import render_html
from rung.storage import SQLiteStorage, open_project
from rung.trial_record import TrialRecord, TrialStatus

SRC = Path(__file__).resolve().parents[2] / "src"

# takes the project's driver lock, then dies as a search killed with SIGKILL does
KILLED_DRIVER = textwrap.dedent("""
    import os, signal, sys
    from rung.storage import SQLiteStorage
    storage = SQLiteStorage(sys.argv[1])
    storage.acquire_driver()
    os.kill(os.getpid(), signal.SIGKILL)
""")


def project_with_a_running_job(tmp_path: Path) -> Path:
    """A project with one finished job and one running (as a search leaves it mid-job)."""
    database = tmp_path / "p" / "rung.db"
    with SQLiteStorage(database, create=True) as storage:
        storage.set_settings({"oracle": "RandomSearchOracle", "max_trials": 3,
                              "objective": {"name": "loss", "direction": "min"}})
        storage.create_trial(TrialRecord("00000", {"x": 0.5}, created_at=1e9))
        storage.finish_trial("00000", TrialStatus.COMPLETED, metrics={"loss": 0.5}, loss=0.5,
                             finished_at=1e9 + 1)
        storage.create_trial(TrialRecord("00001", {"x": 0.2}, created_at=1e9 + 2))
        storage.report("00001", 1, {"loss": 0.3})
    return database.parent


def test_a_killed_search_is_interrupted_in_the_report_as_in_status(tmp_path: Path,
                                                                    capsys) -> None:
    project = project_with_a_running_job(tmp_path)
    script = tmp_path / "killed.py"
    script.write_text(KILLED_DRIVER)
    done = subprocess.run([sys.executable, str(script), str(project / "rung.db")],
                          env={"PYTHONPATH": str(SRC)}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert main(["status", str(project)]) == 0
    status = capsys.readouterr().out
    with open_project(project) as storage:
        data = build_report(storage)
    page = render_html(data)
    assert data.summary.interrupted
    said = [line for line in status.splitlines()
            if line.startswith(("interrupted:", "dead driver:"))]
    assert len(said) == 2 and said[1].startswith("dead driver: pid ")
    shown = [line.split(" (last heartbeat")[0] for line in data.summary.search]
    assert shown == [line.split(" (last heartbeat")[0] for line in said]  # the same lines
    assert "interrupted: the 1 running job(s) belong to a search that is no longer running" \
        in page
    assert f"its process {said[1].split()[3]} is gone" in page
    assert "interrupted: their search is no longer running" in page  # the status card's note


def test_a_live_search_is_named_and_its_jobs_are_running(tmp_path: Path) -> None:
    project = project_with_a_running_job(tmp_path)
    with SQLiteStorage(project / "rung.db") as driver:
        driver.acquire_driver()  # this process is the search
        with open_project(project) as storage:
            data = build_report(storage)
    assert not data.summary.interrupted
    assert [line.split(" ", 1)[0] for line in data.summary.search] == ["driver:"]
    page = render_html(data)
    assert "a live one is searching" in page and "interrupted" not in page


def test_a_search_that_ended_cleanly_leaves_nothing_to_say(hb_project: Path) -> None:
    with open_project(hb_project) as storage:
        data = build_report(storage)
    assert data.summary.search == () and not data.summary.interrupted
    assert 'class="notice' not in render_html(data)


# takes the project's driver lock, says so, then waits to be killed
LIVE_DRIVER = textwrap.dedent("""
    import sys, time
    from rung.storage import SQLiteStorage
    storage = SQLiteStorage(sys.argv[1])
    storage.acquire_driver()
    print("held", flush=True)
    time.sleep(600)
""")


def test_the_dashboard_page_follows_a_driver_that_dies(tmp_path: Path) -> None:
    """A search killed with SIGKILL commits nothing more: the dashboard's token still changes,
    so the page reloads and says the jobs are interrupted."""
    from rung.report.dashboard import Dashboard

    project = project_with_a_running_job(tmp_path)
    script = tmp_path / "live.py"
    script.write_text(LIVE_DRIVER)
    process = subprocess.Popen([sys.executable, str(script), str(project / "rung.db")],
                               env={"PYTHONPATH": str(SRC)}, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "held\n"
        board = Dashboard(project)
        try:
            before, page = board.state()["token"], board.page()
            assert "a live one is searching" in page and "interrupted:" not in page
            process.kill()
            process.wait(timeout=60)
            after = board.state()["token"]
            assert after != before
            assert "interrupted: the 1 running job(s)" in board.page()
        finally:
            board.stop()
    finally:
        process.kill()
        process.wait(timeout=60)
