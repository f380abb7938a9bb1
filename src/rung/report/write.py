"""Write a project's report: :func:`write_report`."""

from __future__ import annotations

import os
from pathlib import Path

from rung.report._open import open_read_only
from rung.report.data import build_report
from rung.report.render import render_html
from rung.storage.project import project_database
from rung.validation import check_instance, fail_value

__all__ = ["project_title", "write_report"]


def project_title(project: str | os.PathLike[str]) -> str:
    """The page title for a project: ``rung · <project name>``."""
    path = Path(project).resolve()
    return f"rung · {path.parent.name if path.is_file() else path.name}"


def _check_not_the_project(project: str | os.PathLike[str], target: Path) -> None:
    """Refuse an ``out`` that is the project's database or one of SQLite's side files of it:
    the report would replace the search's only record."""
    database = project_database(project).resolve()
    files = [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm",
                                                                        "-journal"))]
    same = target.resolve() in files or (target.is_file() and any(
        f.is_file() and os.path.samefile(target, f) for f in files))
    if same:
        raise fail_value("out", "a file path for the HTML report", str(target),
                         f"it is the project's database {str(database)!r} (or a file SQLite "
                         "keeps beside it): the report would replace the project; name another "
                         "file, e.g. report.html")


def write_report(project: str | os.PathLike[str], out: str | os.PathLike[str]) -> Path:
    """Write the HTML report of the project at ``project`` to ``out``; return ``out``'s path.

    ``project`` is the project directory (``directory/project_name``, the one holding
    ``rung.db``) or the ``rung.db`` itself; it is opened read-only and may be written by a
    running search meanwhile. The page is self-contained (see :mod:`rung.report.render`). The
    folders of ``out`` that do not exist are created (as ``mkdir -p``), and an existing file
    ``out`` is replaced, except the project's own ``rung.db`` (or SQLite's files beside it),
    which is refused. The file is written next to ``out`` first and then renamed over it, so
    a browser reloading it never reads half a page.

    Example::

        rung.report.write_report("runs/keras_demo", "report.html")
    """
    check_instance("out", out, (str, os.PathLike), "a file path for the HTML report")
    target = Path(out)
    if target.is_dir():
        raise fail_value("out", "a file path for the HTML report", str(target),
                         "it is a directory; name a file in it, e.g. report.html")
    with open_read_only(project) as storage:
        _check_not_the_project(project, target)
        data = build_report(storage, title=project_title(project))
    text = render_html(data)
    partial = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:  # the user's path: a folder that is a file, not writable, ...
        if partial.parent.is_dir():
            partial.unlink(missing_ok=True)
        where = str(target if exc.filename == str(partial) else exc.filename or target)
        why = (f"{where!r} is a file, not a folder"
               if isinstance(exc, (FileExistsError, NotADirectoryError))
               else f"{where!r}: {exc.strerror or exc}")
        raise fail_value("out", "a file path where the HTML report can be written", str(target),
                         why) from exc
    return target

