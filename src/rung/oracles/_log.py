"""``PagedLog``: the part of an oracle's state that grows with the search, saved page by page.

An oracle's state is written with every job (in the transaction that records the job). When
that state holds every result (ASHA's rungs rank them all), writing it whole costs O(results)
per job: 170 kB of JSON per job after 4,500 ASHA jobs, 3 ms. A ``PagedLog`` keeps such a state
as the list of changes that made it, in pages of ``PAGE`` entries: a page never changes once
full, and only the last one grows. ``pages()`` hands them out without copying them (a snapshot
in O(pages)), under the key ``LOG_KEY`` of the state; a storage that knows the rule writes only
the last page it holds and the new ones (``rung.storage.base``, "Logs"), so a job costs O(1)
however long the search. Reloading replays the entries, so a resumed oracle is the same exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from rung.storage._log_pages import LOG_KEY

__all__ = ["LOG_KEY", "PAGE", "PagedLog"]

PAGE = 128
"""Entries per page: a write re-encodes one page (128 short entries, a few kB) and a snapshot
copies one pointer per page (3,000 for 400,000 entries)."""


class PagedLog:
    """An append-only list of JSON entries (each a list), kept in pages (module docstring).

    Args:
        pages: the pages of a saved log (``pages()`` output, e.g. read back from storage).
    """

    def __init__(self, pages: Iterable[Sequence[Any]] = ()) -> None:
        self._pages: list[list[Any]] = [list(page) for page in pages]
        self._length = sum(len(page) for page in self._pages)
        self._shared = False  # the last page was handed out: copy it before it grows

    def append(self, entry: list[Any]) -> None:
        """Add ``entry`` (a JSON list the caller never changes again)."""
        if not self._pages or len(self._pages[-1]) >= PAGE:
            self._pages.append([entry])
            self._shared = False
        else:
            if self._shared:  # a snapshot holds the last page: it must not change under it
                self._pages[-1] = list(self._pages[-1])
                self._shared = False
            self._pages[-1].append(entry)
        self._length += 1

    def pages(self) -> list[list[Any]]:
        """The pages, as a snapshot that later appends leave unchanged (no entry is copied)."""
        self._shared = True
        return list(self._pages)

    def __iter__(self) -> Iterator[list[Any]]:
        for page in self._pages:
            yield from page

    def __len__(self) -> int:
        return self._length
