from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import rung
from rung.errors import ArgumentTypeError, ConfigurationError
from rung.report import build_report, write_report
from rung.storage import get_storage
from rung.trial_record import TrialStatus


def _data(project: Path) -> rung.report.ReportData:
    with get_storage(project) as storage:
        return build_report(storage)


def test_report_of_a_real_hyperband_search(hb_project: Path, tmp_path: Path) -> None:
    data = _data(hb_project)
    statuses = dict(data.summary.by_status)
    assert statuses["FAILED"] >= 1 and statuses["COMPLETED"] >= 1
    assert data.summary.planned_jobs == data.plan.jobs == sum(b.jobs for b in data.plan.brackets)
    # every bracket of the plan ran, no rung holds more jobs than planned, and each job of a
    # rung > 0 continues a promoted job of the rung before
    assert sorted(b.s for b in data.brackets.brackets) == [0, 1, 2]
    for bracket in data.brackets.brackets:
        for before, cell in zip(bracket.rungs, bracket.rungs[1:], strict=False):
            assert len(cell.jobs) <= (cell.planned or 0)
            promoted = {j.trial_id for j in before.jobs if j.promoted}
            assert {j.parent_id for j in cell.jobs} == promoted
    assert any(s.joined for s in data.curves.segments)
    assert data.progress.epochs_spent == data.summary.epochs_spent > 0
    assert [p.name for p in data.params] == ["learning_rate", "width", "optimizer"]
    assert len(data.table.rows) == data.summary.jobs

    out = write_report(hb_project, tmp_path / "sub" / "report.html")
    assert out == tmp_path / "sub" / "report.html"
    page = out.read_text(encoding="utf-8")
    assert "rung · hyperband" in page and "<svg" in page
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no partial file left
    assert write_report(hb_project / "rung.db", tmp_path / "again.html").read_text(
        encoding="utf-8").count("<section>") == 6


def test_report_of_an_asha_search_with_pruned_jobs(asha_stopping_project: Path,
                                                   tmp_path: Path) -> None:
    data = _data(asha_stopping_project)
    statuses = dict(data.summary.by_status)
    assert statuses["PRUNED"] >= 1 and statuses["FAILED"] >= 1
    (view,) = data.brackets.brackets
    assert [r.epochs for r in view.rungs] == [1, 3, 9] and view.rungs[0].planned is None
    # one job per configuration, shown in the last rung it reached: completed ones at the top
    assert {j.status for j in view.rungs[2].jobs} == {"COMPLETED"}
    assert "PRUNED" in {j.status for r in view.rungs[:2] for j in r.jobs}
    assert data.summary.planned_jobs == 14
    pruned = {r[0] for r in data.table.rows if r[1] == TrialStatus.PRUNED.value}
    assert pruned <= {p.trial_id for p in data.progress.points}
    page = write_report(asha_stopping_project, tmp_path / "asha.html").read_text(encoding="utf-8")
    rows = json.loads(re.search(r'id="rung-data">(.*?)</script>', page).group(1))["rows"]
    assert len(rows) == 14


def test_write_report_reads_the_project_without_writing_it(hb_project: Path,
                                                           tmp_path: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in hb_project.iterdir() if p.is_file()
              and p.name == "rung.db"}
    write_report(hb_project, tmp_path / "r.html")
    after = {p.name: p.stat().st_mtime_ns for p in hb_project.iterdir() if p.is_file()
             and p.name == "rung.db"}
    assert before == after


def test_write_report_refuses_bad_arguments(tmp_path: Path, hb_project: Path) -> None:
    with pytest.raises(ConfigurationError, match="no rung project"):
        write_report(tmp_path / "missing", tmp_path / "r.html")
    with pytest.raises(ConfigurationError, match="no rung project"):
        write_report(tmp_path, tmp_path / "r.html")
    assert not (tmp_path / "rung.db").exists()  # nothing created
    with pytest.raises(ConfigurationError, match="out must be a file path.*is a directory"):
        write_report(hb_project, tmp_path)
    with pytest.raises(ArgumentTypeError, match="project must be a project directory"):
        write_report(3, tmp_path / "r.html")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="out must be a file path"):
        write_report(hb_project, None)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"'/proc/rung-report\.html': ") as caught:
        write_report(hb_project, "/proc/rung-report.html")  # no file can be made there
    assert ".partial" not in str(caught.value)  # the name the user gave, not rung's own


def test_rung_report_writes_report_html_here_by_default(hb_project: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """``rung report DIR`` without ``-o`` writes ./report.html; ``-o`` creates missing folders
    (both in docs/cli.md and the command's --help)."""
    from rung.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["report", str(hb_project)]) == 0
    assert "wrote report.html" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert "rung · hyperband" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert main(["report", str(hb_project), "-o", "new/deeper/r.html"]) == 0
    assert (tmp_path / "new" / "deeper" / "r.html").is_file()
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    assert "report.html in the current directory" in " ".join(capsys.readouterr().out.split())
