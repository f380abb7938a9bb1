"""Tuner test fixtures: ``reproducible_jobs`` importable by worker processes."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)  # spawned workers inherit sys.path: they import reproducible_jobs
