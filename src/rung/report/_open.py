"""Open a project read-only for the report and the dashboard."""

from __future__ import annotations

import os

from rung.storage import Storage, open_project
from rung.validation import check_instance

__all__ = ["open_read_only"]


def open_read_only(project: str | os.PathLike[str]) -> Storage:
    """The storage of the project at ``project`` (its directory, or its ``rung.db``), read-only
    (``rung.storage.open_project``)."""
    check_instance("project", project, (str, os.PathLike),
                   "a project directory (directory/project_name) or its rung.db")
    return open_project(project)
