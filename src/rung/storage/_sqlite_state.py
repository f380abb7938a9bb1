"""The oracle state in SQLite: one row (``oracle_state``), its log's pages apart (``oracle_log``).

A state with a log (``rung.storage._log_pages``) is stored as its other keys, with the number of
pages under the log's key, in the row, and one row of ``oracle_log`` per page. Writing a state
rewrites the last page stored and adds the new ones (``first_changed``): a job of a long ASHA
search writes a page or two, not every result again. Reading puts the pages back.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rung.errors import ProjectError
from rung.storage._common import dumps
from rung.storage._log_pages import LOG_KEY, first_changed, split_log
from rung.storage._sqlite_schema import SET_ORACLE_STATE

__all__ = ["PreparedState", "prepare_state", "read_state", "write_state"]

_PUT_PAGE = ("INSERT INTO oracle_log (page, json) VALUES (?, ?) "
             "ON CONFLICT (page) DO UPDATE SET json = excluded.json")


@dataclass(frozen=True)
class PreparedState:
    """A state ready to write: the row's JSON text, and the log's pages (None: no log)."""

    text: str
    pages: list[list[Any]] | None


def prepare_state(state: Mapping[str, Any]) -> PreparedState:
    """Encode ``state`` before the write transaction starts (the pages are encoded in it, only
    those that changed)."""
    rest, pages = split_log(state)
    if pages is not None:
        rest[LOG_KEY] = len(pages)
    return PreparedState(dumps(rest), pages)


def write_state(conn: sqlite3.Connection, state: PreparedState) -> None:
    """Write ``state`` (inside the caller's write transaction)."""
    conn.execute(SET_ORACLE_STATE, (state.text,))
    pages = state.pages
    if pages is None:
        conn.execute("DELETE FROM oracle_log")
        return
    last = conn.execute("SELECT MAX(page) FROM oracle_log").fetchone()[0]
    held = 0 if last is None else last + 1

    def same_page(index: int) -> bool:
        row = conn.execute("SELECT json FROM oracle_log WHERE page = ?", (index,)).fetchone()
        return row is not None and row[0] == dumps(pages[index])

    start = first_changed(held, pages, same_page)
    if start == 0:
        conn.execute("DELETE FROM oracle_log")
    conn.executemany(_PUT_PAGE, [(i, dumps(pages[i])) for i in range(start, len(pages))])


def read_state(conn: sqlite3.Connection, path: str) -> dict[str, Any] | None:
    """The stored state with its log's pages put back, or None."""
    row = conn.execute("SELECT json FROM oracle_state WHERE id = 1").fetchone()
    if row is None:
        return None
    state: dict[str, Any] = json.loads(row[0])
    count = state.get(LOG_KEY)
    if not isinstance(count, int) or isinstance(count, bool):
        return state
    texts = [text for (text,) in conn.execute(
        "SELECT json FROM oracle_log WHERE page < ? ORDER BY page", (count,))]
    if len(texts) != count:
        raise ProjectError(
            f"{path!r} is damaged: its oracle state has a log of {count} pages, but the file "
            f"holds {len(texts)} of them (expected a rung project written by rung itself)")
    state[LOG_KEY] = json.loads("[" + ",".join(texts) + "]") if texts else []
    return state
