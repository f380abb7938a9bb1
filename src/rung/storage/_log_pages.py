"""The "Logs" rule of the storage contract (``rung.storage.base``): an oracle state's log pages.

An oracle whose state grows with the search (ASHA's rungs) saves that part as a log
(``rung.oracles._log.PagedLog``) under ``state[LOG_KEY]``: a list of pages, each a list of JSON
entries, where a page never changes once the next one exists and the last one only grows. A
storage keeps the pages apart from the rest of the state and rewrites, with each state, only the
last page it holds and the new ones, so writing the state costs O(1) per job instead of
O(results). ``first_changed`` decides from which page to write: a log that does not extend the
stored one (shorter, or its last full stored page differs: another search's) is written whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["LOG_KEY", "first_changed", "page", "split_log"]

LOG_KEY = "log_pages"
"""The key of an oracle state that holds a log's pages (reserved for them)."""


def split_log(state: Mapping[str, Any]) -> tuple[dict[str, Any], list[list[Any]] | None]:
    """``(the state without its log, the log's pages)``; the pages are None when it has none.

    Raises:
        ValueError: ``state[LOG_KEY]`` is not a list of lists (the key is reserved).
    """
    rest = dict(state)
    pages = rest.pop(LOG_KEY, None)
    if pages is None:
        return rest, None
    if not isinstance(pages, list):  # each page is checked when written (``page``): O(1) here
        raise _not_pages(pages)
    return rest, pages


def page(pages: Sequence[Any], index: int) -> list[Any]:
    """``pages[index]``, which must be a list (a page of entries)."""
    found = pages[index]
    if not isinstance(found, list):
        raise _not_pages(found)
    return found


def _not_pages(value: Any) -> ValueError:
    return ValueError(f"an oracle state's {LOG_KEY!r} must be a list of pages (lists), got "
                      f"{type(value).__name__}; the key is reserved for rung.oracles' logs")


def first_changed(held: int, pages: Sequence[Sequence[Any]],
                  same_page: Callable[[int], bool]) -> int:
    """The first page of ``pages`` to write over a stored log of ``held`` pages: the last held
    one (it may have grown) when ``pages`` extends the stored log, else 0 (write it whole).
    ``same_page(i)`` says whether stored page ``i`` equals ``pages[i]``; it is asked about the
    last full stored page only, an O(page) check against another search's log."""
    if held == 0 or len(pages) < held:
        return 0
    if held >= 2 and not same_page(held - 2):
        return 0
    return held - 1
