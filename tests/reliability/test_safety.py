"""Safety: looking at a project never runs anything from it, and rung writes no secrets.

A project's checkpoints are pickles, and unpickling runs code. These tests plant pickles that
would create a marker file when unpickled in every checkpoint of a real project (with rung's
header and a matching checksum, so only a deliberate load stops them), then open the project
every way that should only read data: ``rung status/best/trials/report``, the dashboard's page
and state over HTTP, ``open_project``, and a tuner that resumes the finished project, reports
its results and searches again. The marker must never appear; loading a checkpoint on purpose
creates it (the control: the planted pickles do work). See ``SECURITY.md``.

The dashboard's own safety (loopback only unless ``allow_remote``, a foreign ``Host`` header
refused, nothing served but the page and its state) is tested in
``tests/report/test_dashboard.py`` (``test_refuses_a_remote_host_unless_asked``,
``test_serves_nothing_else``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import pickle
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from fault_project import hyperband

import rung
from rung.checkpoints import FILENAME, MAGIC
from rung.cli.main import main as cli_main
from rung.report.dashboard import Dashboard

SECRET = "s3cr3t-5afe7y-t0ken-8c1f"


class _Planted:
    """Unpickled, it creates ``marker`` (``open(marker, "w")``): the stand-in for any code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return open, (str(self.marker), "w")


def _plant(project: Path, marker: Path) -> int:
    """Replace every checkpoint of ``project`` by the planted pickle, with a valid header."""
    payload = pickle.dumps(_Planted(marker))
    planted = MAGIC + hashlib.sha256(payload).digest() + payload
    files = sorted(project.glob(f"trials/*/{FILENAME}"))
    for path in files:
        path.write_bytes(planted)
    (project / "trials" / "stray.pkl").write_bytes(payload)  # a pickle that is no checkpoint
    return len(files)


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Path]:
    """A finished Hyperband project whose checkpoints are planted pickles, and the marker."""
    tuner = hyperband(tmp_path, keep_checkpoints="all")
    tuner.search()
    tuner.storage.close()
    marker = tmp_path / "MARKER"
    assert _plant(tmp_path / "p", marker) >= 10
    return tmp_path / "p", marker


def _cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli_main(list(argv))
    return code, out.getvalue()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return str(answer.read().decode())


def test_reading_a_project_never_unpickles_its_files(planted: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    project, marker = planted
    for argv in (["status", str(project)], ["status", str(project), "--json"],
                 ["best", str(project), "--top", "3"], ["trials", str(project), "--format", "json"],
                 ["report", str(project), "-o", str(tmp_path / "report.html")]):
        code, text = _cli(*argv)
        assert code == 0, text
    assert (tmp_path / "report.html").stat().st_size > 1000
    with Dashboard(project) as board:
        assert "<svg" in _get(board.url)
        assert '"jobs"' in _get(board.url + "state.json")
    with rung.storage.open_project(project) as storage:
        assert storage.count_trials() > 10
    assert not marker.exists()


def test_a_tuner_resuming_the_project_loads_no_checkpoint(planted: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    project, marker = planted
    tuner = hyperband(tmp_path, keep_checkpoints="all")  # the same settings: a resume
    assert tuner.get_best_hyperparameters(2)[0].get("x") is not None
    with contextlib.redirect_stdout(io.StringIO()):
        tuner.results_summary()
    tuner.search()  # the plan is done: nothing to run, nothing to load
    assert not marker.exists()
    first = next(project.glob(f"trials/*/{FILENAME}")).parent.name
    tuner.checkpoints.load(first)  # the control: user code that loads a checkpoint runs it
    assert marker.exists()
    tuner.storage.close()


def _train_with_secret_around(trial: rung.Trial) -> float:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    if trial.trial_id == "00002":
        raise rung.FailedTrialError("this trial fails: its traceback is stored")
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, loss=(x - 0.3) ** 2 + 1 / epoch)
    trial.save_checkpoint({"x": x})
    return (x - 0.3) ** 2 + 1 / trial.epochs


def test_what_rung_writes_holds_no_secret_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNG_TEST_API_KEY", SECRET)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    tuner = hyperband(tmp_path, train=_train_with_secret_around, keep_checkpoints="all",
                      verbose=1)
    with contextlib.redirect_stdout(io.StringIO()):
        tuner.search()
        tuner.results_summary()
    statuses = {t.status for t in tuner.storage.trials()}
    assert rung.TrialStatus.FAILED in statuses  # a stored traceback is among what is searched
    tuner.storage.close()
    code, text = _cli("report", str(tmp_path / "p"), "-o", str(tmp_path / "p" / "report.html"))
    assert code == 0, text
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) > 10 and any(p.name == "rung.db" for p in files)
    leaked = [p for p in files if SECRET.encode() in p.read_bytes()]
    assert leaked == []
    for argv in (["status", str(tmp_path / "p")], ["trials", str(tmp_path / "p")],
                 ["best", str(tmp_path / "p")]):
        assert SECRET not in _cli(*argv)[1]
