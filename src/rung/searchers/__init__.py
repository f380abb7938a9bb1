"""Searchers: WHAT configuration to try next (an oracle decides when and for how long)."""

from __future__ import annotations

from rung.searchers.base import Searcher
from rung.searchers.grid import GridSearcher
from rung.searchers.random import RandomSearcher

__all__ = ["GridSearcher", "RandomSearcher", "Searcher"]
