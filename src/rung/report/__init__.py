"""See a search: the data behind every plot of the report, the HTML page, and a live dashboard.

* :func:`build_report` reads a storage once and computes, with pure functions, the data of each
  part: the bracket/rung picture, the learning curves, the best objective against epochs spent,
  each hyperparameter against the objective, the trial table, the settings and budget.
* :func:`render_html` draws that data as one self-contained page (inline SVG, a little inline
  JavaScript; nothing fetched from the network).
* :func:`write_report` does both for a project directory and writes the file.
* :func:`rung.report.dashboard.serve` serves the page on 127.0.0.1, refreshed while a search runs.
"""

from rung.report.data import ReportData, build_report
from rung.report.render import render_html
from rung.report.write import write_report

__all__ = ["ReportData", "build_report", "render_html", "write_report"]
