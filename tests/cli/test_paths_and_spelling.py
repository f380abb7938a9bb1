"""What the ``rung`` command says of a path that is no project file (a device, an empty file),
and of a misspelt command or format."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rung.cli import main


def test_a_device_is_not_a_regular_file(capsys) -> None:
    assert Path(os.devnull).exists()
    for command in ("status", "best", "trials"):
        assert main([command, os.devnull]) == 1
        err = capsys.readouterr().err
        assert f"no rung project at '{os.devnull}': it is a character device, not a regular " \
               "file" in err
        assert "no such file or directory" not in err


def test_a_named_pipe_and_a_folder_named_rung_db(tmp_path: Path, capsys) -> None:
    os.mkfifo(tmp_path / "pipe")
    assert main(["status", str(tmp_path / "pipe")]) == 1
    assert "it is a named pipe, not a regular file" in capsys.readouterr().err
    (tmp_path / "p" / "rung.db").mkdir(parents=True)
    assert main(["status", str(tmp_path / "p")]) == 1
    assert f"'{tmp_path / 'p' / 'rung.db'}': it is a directory" in capsys.readouterr().err


def test_an_empty_file_holds_no_project(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty.db").write_bytes(b"")
    assert main(["report", str(tmp_path / "empty.db"), "-o", str(tmp_path / "r.html")]) == 1
    err = capsys.readouterr().err
    assert "the file is empty (0 bytes), it holds no project" in err
    assert "a project being created" not in err  # the message for a file with a header
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(("typed", "meant"), [("stats", "status"), ("reprot", "report"),
                                              ("trails", "trials"), ("Best", "best")])
def test_a_misspelt_command_names_the_nearest(typed: str, meant: str, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([typed, "runs/demo"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"invalid choice: {typed!r}" in err and f"(did you mean {meant}?)" in err


def test_an_unknown_command_lists_them(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["frobnicate", "runs/demo"])
    err = capsys.readouterr().err
    assert "invalid choice: 'frobnicate'" in err and "did you mean" not in err
    assert "status, best, trials" in err


def test_format_in_any_case(asha_project: Path, capsys) -> None:
    assert main(["trials", str(asha_project), "--format", "CSV"]) == 0
    assert capsys.readouterr().out.startswith("trial_id,status,")
    assert main(["trials", str(asha_project), "--format", "Json", "--status", "COMPLETED"]) == 0
    assert capsys.readouterr().out.startswith("[\n{")
    with pytest.raises(SystemExit):
        main(["trials", str(asha_project), "--format", "jsn"])
    assert "invalid choice: 'jsn' (choose from table, csv, json) (did you mean json?)" in \
        capsys.readouterr().err
