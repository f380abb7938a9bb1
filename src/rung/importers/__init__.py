"""Bringing results of other tuning libraries into rung projects."""

from __future__ import annotations

from rung.importers.keras_tuner import ImportedProject, import_keras_tuner
from rung.importers.takeover import take_over_import

__all__ = ["ImportedProject", "import_keras_tuner", "take_over_import"]
