"""Searchers: WHAT configuration to try next (an oracle decides when and for how long)."""

from __future__ import annotations

from rung.searchers.agreement import RankAgreement
from rung.searchers.base import Searcher
from rung.searchers.gp import GPSearcher
from rung.searchers.grid import GridSearcher
from rung.searchers.kde import KDESearcher
from rung.searchers.observation import Observation
from rung.searchers.random import RandomSearcher
from rung.searchers.registry import SEARCHERS, get_searcher

__all__ = [
    "RankAgreement",
    "SEARCHERS",
    "GPSearcher",
    "GridSearcher",
    "KDESearcher",
    "Observation",
    "RandomSearcher",
    "Searcher",
    "get_searcher",
]
