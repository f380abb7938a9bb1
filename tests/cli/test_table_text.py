"""``rung trials``'s text table with long, unicode and multi-line names and values: every row
keeps the columns of the header, as a terminal shows them."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from rung.cli import main
from rung.cli.formats import MAX_CELL
from rung.storage import SQLiteStorage
from rung.trial_record import TrialRecord, TrialStatus

LONG = "a_very_long_hyperparameter_name_" * 4


def _columns(text: str) -> int:
    """The terminal columns ``text`` takes (a CJK character takes two)."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _project(tmp_path: Path, values: list[dict[str, object]]) -> str:
    with SQLiteStorage(tmp_path / "rung.db", create=True) as storage:
        for i, hps in enumerate(values):
            trial_id = f"{i:05d}"
            storage.create_trial(TrialRecord(trial_id, hps, epochs=3, created_at=1e9 + i))
            storage.finish_trial(trial_id, TrialStatus.COMPLETED, metrics={"loss": 0.5 + i},
                                 loss=0.5 + i, finished_at=1e9 + i + 0.5, epochs_reached=3)
    return str(tmp_path)


def _table(project: str, capsys) -> list[str]:
    assert main(["trials", project]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_long_hyperparameter_name_is_cut_like_its_values(tmp_path: Path, capsys) -> None:
    project = _project(tmp_path, [{LONG + "1": "x" * 120, LONG + "2": 1.0}])
    head, rule, row = _table(project, capsys)
    names = head.split()[-2:]
    assert all(_columns(n) <= MAX_CELL for n in names), names
    assert names[0] != names[1] and names[0].endswith("1") and names[1].endswith("2")
    assert all("…" in n for n in names)
    assert len(head) < 200 and len(rule) == len(head.rstrip())


def test_wide_characters_keep_the_columns_aligned(tmp_path: Path, capsys) -> None:
    project = _project(tmp_path, [{"model": "ünïcødé-模型", "units": 8},
                                  {"model": "mlp", "units": 32}])
    head, _, first, second = _table(project, capsys)
    column = _columns(head[:head.index("units")]) + len("units")
    # the right-aligned numbers of the units column end where its heading ends
    assert _columns(first.rstrip()) == _columns(second.rstrip()) == column


def test_a_value_with_a_newline_stays_on_its_row(tmp_path: Path, capsys) -> None:
    project = _project(tmp_path, [{"note": "line one\nline\ttwo"}, {"note": "plain"}])
    lines = _table(project, capsys)
    assert len(lines) == 4, lines  # heading, rule, one line per job
    assert "line one\\nline\\ttwo" in lines[2]


def test_a_wide_value_is_cut_to_the_cell_by_its_columns(tmp_path: Path, capsys) -> None:
    project = _project(tmp_path, [{"name": "模型" * 30}])
    row = _table(project, capsys)[2]
    cell = row.split()[-1]
    assert cell.endswith("…") and _columns(cell) <= MAX_CELL


def test_json_output_writes_names_and_values_as_they_are(tmp_path: Path, capsys) -> None:
    """``rung best``, ``rung status --json`` and ``rung trials --format json`` print UTF-8
    (valid JSON either way), not ``"temp\\u00e9rature"``."""
    project = _project(tmp_path, [{"température": "模型"}])
    for command in (["best", project], ["status", project, "--json"],
                    ["trials", project, "--format", "json"]):
        assert main(command) == 0
        out = capsys.readouterr().out
        assert "\\u" not in out, (command, out)
    assert main(["best", project]) == 0
    assert json.loads(capsys.readouterr().out)["hyperparameters"] == {"température": "模型"}


def test_the_best_line_of_status_cuts_a_long_value(tmp_path: Path, capsys) -> None:
    project = _project(tmp_path, [{"prompt": "y" * 500, "units": 8}])
    assert main(["status", project]) == 0
    best = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("best:"))
    assert "y" * 59 + "…'" in best and "y" * 60 not in best and "'units': 8" in best
    assert best.endswith("(whole: rung best)") and len(best) < 150
