"""``rung trials`` output formats: an aligned text table, CSV and JSON, from
``rung.storage.table.trial_rows``."""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["FORMATS", "TABLE_COLUMNS", "format_rows", "json_value"]

FORMATS = ("table", "csv", "json")
# the text table leaves out what is only useful to programs (times, parents, errors)
TABLE_COLUMNS = ("trial_id", "status", "bracket", "rung", "initial_epoch", "epochs",
                 "epochs_trained", "objective", "duration_s")
MAX_CELL = 24


def json_value(value: Any) -> Any:
    """``value`` for JSON: NaN and infinities become None (JSON has no such numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _shown(text: str) -> str:
    """``text`` on one line: a control character (a newline, a tab) is written as its escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _width(text: str) -> int:
    """The columns ``text`` takes in a terminal: a wide (CJK) character two, an accent none."""
    return sum(map(_char_width, text)) if not text.isascii() else len(text)


def _fit(text: str, limit: int, keep_end: bool = False) -> str:
    """``text`` cut to ``limit`` columns with "…"; ``keep_end`` keeps its start and its end
    (hyperparameter names alike but for their end stay told apart)."""
    if _width(text) <= limit:
        return text
    room = limit - 1  # the "…" takes one
    start = (room + 1) // 2 if keep_end else room
    head = tail = ""
    for char in text:
        if _width(head + char) > start:
            break
        head += char
    if keep_end:
        for char in reversed(text):
            if _width(head) + _width(char + tail) > room:
                break
            tail = char + tail
    return head + "…" + tail


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return _fit(_shown(str(value)), MAX_CELL)


def _table(rows: Sequence[dict[str, Any]], empty: str) -> str:
    if not rows:
        return empty
    columns = [c for c in rows[0] if c in TABLE_COLUMNS or c.startswith("hp.")]
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    heads = [_fit(_shown(c.removeprefix("hp.")), MAX_CELL, keep_end=True) for c in columns]
    widths = [max(_width(h), *(_width(line[i]) for line in cells)) for i, h in enumerate(heads)]
    numeric = [all(isinstance(row[c], (int, float)) or row[c] is None for row in rows)
               for c in columns]

    def pad(value: str, width: int, right: bool) -> str:
        room = " " * (width - _width(value))
        return room + value if right else value + room

    def line(values: Sequence[str]) -> str:
        return "  ".join(pad(v, w, num)
                         for v, w, num in zip(values, widths, numeric, strict=True)).rstrip()

    return "\n".join([line(heads), line(["-" * w for w in widths]), *map(line, cells)])


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else list(columns),
                            lineterminator="\n")
    writer.writeheader()  # even with no row: a reader gets the columns
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue().rstrip("\n")


def format_rows(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] = (),
                empty: str = "no trials yet") -> str:
    """``rows`` as ``fmt`` (one of ``FORMATS``); ``columns`` head a CSV without rows, ``empty``
    is the text table's line for no rows."""
    if fmt == "csv":
        return _csv(rows, columns)
    if fmt == "json":
        # one job per line: readable, and several times faster than indent= on 10,000 jobs
        lines = (json.dumps({k: json_value(v) for k, v in row.items()}, ensure_ascii=False)
                 for row in rows)
        return "[\n" + ",\n".join(lines) + "\n]" if rows else "[]"
    return _table(rows, empty)
