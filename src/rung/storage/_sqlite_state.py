"""The oracle state in SQLite: one row (``oracle_state``), its log's pages apart (``oracle_log``).

A state with a log (``rung.storage._log_pages``) is stored as its other keys, with the number of
pages under the log's key, in the row, and one row of ``oracle_log`` per page. Writing a state
rewrites the last page stored and adds the new ones (``first_changed``): a job of a long ASHA
search writes a page or two, not every result again, and encodes only the entries that are new
since the storage's last write (``LogMemo``). Reading puts the pages back.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rung.errors import ProjectError
from rung.storage._common import dumps
from rung.storage._log_pages import LOG_KEY, first_changed, page, split_log
from rung.storage._sqlite_schema import SET_ORACLE_STATE

__all__ = ["LogMemo", "PreparedState", "prepare_state", "read_state", "write_state"]

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


@dataclass(frozen=True)
class LogMemo:
    """What a storage's last committed write left in ``oracle_log``: its last page, ``index``,
    is ``"[" + body + "]"``, the first ``count`` entries of a page that only grows, and page
    ``index - 1`` is the page object ``full`` (a full page never changes). The next write then
    encodes the new entries only, instead of the whole page (150 us for 128 entries)."""

    index: int
    count: int
    body: str
    full: list[Any] | None


def write_state(conn: sqlite3.Connection, state: PreparedState,
                memo: LogMemo | None = None) -> LogMemo | None:
    """Write ``state`` (inside the caller's write transaction); returns the memo to keep once
    the transaction commits (``memo``: the one of this storage's last commit)."""
    conn.execute(SET_ORACLE_STATE, (state.text,))
    pages = state.pages
    if pages is None:
        conn.execute("DELETE FROM oracle_log")
        return None
    last = conn.execute("SELECT MAX(page) FROM oracle_log").fetchone()[0]
    held = 0 if last is None else last + 1
    if memo is not None and not (memo.index == held - 1 and _stored(conn, memo.index) ==
                                 f"[{memo.body}]"):
        memo = None  # another storage wrote since: check and encode as if new

    def same_page(index: int) -> bool:
        if memo is not None and index == memo.index - 1 and pages[index] is memo.full:
            return True
        return _stored(conn, index) == dumps(pages[index])

    start = first_changed(held, pages, same_page)
    if start == 0:
        conn.execute("DELETE FROM oracle_log")
        memo = None  # not an extension of the stored log: every page anew
    rows = []
    body = ""
    for index in range(start, len(pages)):
        entries = page(pages, index)
        if memo is not None and index == memo.index and len(entries) >= memo.count:
            new = ",".join([dumps(entry) for entry in entries[memo.count:]])
            body = memo.body + ("," if memo.body and new else "") + new
        else:
            body = ",".join([dumps(entry) for entry in entries])
        rows.append((index, f"[{body}]"))
    conn.executemany(_PUT_PAGE, rows)
    if not pages:
        return None
    full = pages[-2] if len(pages) > 1 else None
    return LogMemo(len(pages) - 1, len(pages[-1]), body, full)


def _stored(conn: sqlite3.Connection, index: int) -> str | None:
    row = conn.execute("SELECT json FROM oracle_log WHERE page = ?", (index,)).fetchone()
    return None if row is None else str(row[0])


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
