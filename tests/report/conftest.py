from __future__ import annotations

from pathlib import Path

import pytest

from .projects import asha_project, hyperband_project


@pytest.fixture(scope="session")
def hb_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished Hyperband search (R=9, eta=3) with a failed job."""
    return hyperband_project(tmp_path_factory.mktemp("report-hb"))


@pytest.fixture(scope="session")
def asha_stopping_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished ASHA search (stopping variant): pruned and failed jobs."""
    return asha_project(tmp_path_factory.mktemp("report-asha"))
