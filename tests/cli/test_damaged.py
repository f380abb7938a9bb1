"""The ``rung`` command on a damaged ``rung.db``: one line naming the file, exit status 1, never a
traceback, wherever the damage is (the open step reads only the header and the schema)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from rung.cli import main
from rung.storage._sqlite_errors import read_error

COMMANDS = (["status"], ["status", "--json"], ["trials"], ["trials", "--format", "csv"],
            ["best"], ["best", "--top", "3"], ["report", "-o"])


def copy(project: Path, tmp_path: Path) -> Path:
    database = tmp_path / "damaged" / "rung.db"
    database.parent.mkdir(parents=True)
    shutil.copyfile(project / "rung.db", database)
    return database


def damage_page(database: Path, table: str) -> None:
    """Overwrite the body of ``table``'s root page (its header, at offset 100 of page 1, stays
    intact, so opening the file succeeds)."""
    with sqlite3.connect(database) as conn:
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                               (table,)).fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    with database.open("r+b") as file:
        file.seek((root - 1) * page_size + 100)
        file.write(b"\xab" * 2048)


def run_all(database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
            commands: tuple[list[str], ...] = COMMANDS) -> list[str]:
    """The error line of each of ``commands`` on ``database``, each of which must fail."""
    errors = []
    for command in commands:
        argv = [command[0], str(database.parent), *command[1:]]
        if command[-1] == "-o":
            argv.append(str(tmp_path / "report.html"))
        assert main(argv) == 1, argv
        _, err = capsys.readouterr()
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert err.startswith(f"rung {command[0]}: error: "), err
        errors.append(err)
    return errors


def test_a_damaged_data_page_is_one_line_naming_the_file(hyperband_project, tmp_path: Path,
                                                         capsys) -> None:
    project, _ = hyperband_project
    database = copy(project, tmp_path)
    damage_page(database, "trials")
    for err in run_all(database, tmp_path, capsys):
        assert f"'{database}': the file is damaged (SQLite: " in err
        assert f'sqlite3 {database} "PRAGMA integrity_check"' in err


def test_a_damaged_status_or_record_is_called_damaged_too(hyperband_project, tmp_path: Path,
                                                          capsys) -> None:
    """Text a damaged page turns into garbage SQLite reads without complaint: a status rung
    never writes, a record that is no JSON (``best`` reads only completed jobs, ``status`` only
    the best job's record: they never meet the damaged one)."""
    readers = tuple(c for c in COMMANDS if c[0] != "best")
    project, _ = hyperband_project
    database = copy(project, tmp_path)
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE trials SET status = 'z,[a1' WHERE trial_id = '00002'")
    conn.close()
    for err in run_all(database, tmp_path, capsys, readers):
        assert "the file is damaged (SQLite: a trial has the status 'z,[a1', which rung " in err

    database = copy(project, tmp_path / "json")
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE trials SET values_json = '{\"x\": 0.5,' WHERE trial_id = '00002'")
    conn.close()
    for err in run_all(database, tmp_path, capsys, tuple(c for c in readers if c[0] != "status")):
        assert "the file is damaged (a stored record: " in err


def test_a_locked_database_is_not_called_damaged() -> None:
    locked = str(read_error("runs/p/rung.db", sqlite3.OperationalError("database is locked")))
    assert "damaged" not in locked and "locked for too long" in locked
    quoted = str(read_error("runs/p/rung.db", sqlite3.OperationalError(
        "Could not decode to UTF-8 column 'error' with text 'Traceback\n  File x\nValueError")))
    assert "\n" not in quoted and "damaged" in quoted
