"""``write_report`` and ``rung report -o`` refuse to write the page over the project itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rung.cli import main
from rung.errors import ConfigurationError
from rung.report import write_report


@pytest.fixture
def project(hb_project: Path, tmp_path: Path) -> Path:
    """A copy of the shared project, so a write over it harms no other test."""
    return Path(shutil.copytree(hb_project, tmp_path / "hb"))


@pytest.mark.parametrize("given", ["dir", "db"])
@pytest.mark.parametrize("side", ["", "-wal"])
def test_the_report_never_replaces_the_project_database(project: Path, given: str,
                                                        side: str) -> None:
    database = project / "rung.db"
    target = project / f"rung.db{side}"
    before = database.read_bytes()
    with pytest.raises(ConfigurationError, match="it is the project's database"):
        write_report(project if given == "dir" else database, target)
    assert database.read_bytes() == before
    assert not (target.exists() and b"<html" in target.read_bytes()[:500].lower())
    assert not any(p.name.endswith(".partial") for p in project.iterdir())


def test_rung_report_names_its_option_when_o_is_the_database(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = project / "rung.db"
    before = database.read_bytes()
    assert main(["report", str(project), "-o", str(database)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"rung report: error: -o/--output must be a file path for the HTML "
                          f"report, got {str(database)!r}; it is the project's database")
    assert database.read_bytes() == before
    assert main(["status", str(project)]) == 0  # the project still reads


def test_rung_report_names_its_option_when_o_cannot_be_written(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = project / "rung.db" / "report.html"  # a file where a folder should be
    assert main(["report", str(project), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rung report: error: -o/--output must be a file path where the HTML "
                          "report can be written, got ")
    assert "is a file, not a folder" in err
