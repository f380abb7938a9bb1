"""Everything the report shows, computed from a storage by pure functions: :func:`build_report`."""

from __future__ import annotations

from dataclasses import dataclass

from rung.report.brackets import BracketPicture, bracket_picture
from rung.report.curves import LearningCurves, learning_curves
from rung.report.params import ParamPlot, param_plots
from rung.report.plan import SearchPlan, search_plan
from rung.report.progress import Progress, best_by_epochs
from rung.report.snapshot import Snapshot, read_snapshot
from rung.report.summary import Summary, summarise
from rung.report.table import TrialTable, trial_table
from rung.storage import Storage
from rung.validation import check_instance

__all__ = ["ReportData", "build_report", "report_from_snapshot"]


@dataclass(frozen=True)
class ReportData:
    """The data of every part of the report; :func:`rung.report.render_html` draws it."""

    title: str
    summary: Summary
    plan: SearchPlan
    brackets: BracketPicture
    curves: LearningCurves
    progress: Progress
    params: tuple[ParamPlot, ...]
    table: TrialTable


def report_from_snapshot(snapshot: Snapshot, title: str = "rung search") -> ReportData:
    """The report of a project already read (tests build the snapshot by hand)."""
    plan = search_plan(snapshot.settings)
    progress = best_by_epochs(snapshot, plan.epochs)
    return ReportData(
        title=title,
        summary=summarise(snapshot, plan, progress),
        plan=plan,
        brackets=bracket_picture(snapshot, plan),
        curves=learning_curves(snapshot),
        progress=progress,
        params=param_plots(snapshot),
        table=trial_table(snapshot),
    )


def build_report(storage: Storage, title: str = "rung search") -> ReportData:
    """Read ``storage`` once and compute the data of every plot (nothing is drawn or written).

    Example::

        with rung.storage.get_storage("runs/keras_demo") as storage:
            data = build_report(storage)
        print(data.summary.best_value, len(data.brackets.brackets))
    """
    check_instance("storage", storage, Storage, "a rung Storage (e.g. SQLiteStorage)")
    check_instance("title", title, str, "a string")
    return report_from_snapshot(read_snapshot(storage), title)
