"""``rung status`` on a BOHB search where few epochs rank configurations unlike ``max_epochs``.

BOHB then opens some planned brackets as full-budget jobs instead (``BOHBOracle._open_bracket``),
stored in bracket ``s = 0`` of the same iteration, so the planned bracket never shows up under
its own number. The status must still count every bracket of a finished search as done, and say
which ran as full-budget jobs. The oracle below records what it really opened: the truth the
status, reading storage alone, is compared with.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import rung
from rung.cli import main
from rung.cli.status import ProjectStatus, project_status
from rung.cli.status_text import format_status
from rung.oracles import BOHBOracle
from rung.oracles.schedule import BracketPlan
from rung.report import build_report
from rung.report.render import render_html
from rung.storage import open_project

MAX_EPOCHS = 9


def crossing(x: float, epoch: int) -> float:
    """Best with x low after few epochs, with x high after ``MAX_EPOCHS``: low budgets mislead."""
    return (x - epoch / MAX_EPOCHS) ** 2 + 0.1 / epoch


class RecordingBOHB(BOHBOracle):
    """BOHB that records each bracket it opens: (iteration, planned s, opened s, jobs)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.opened: list[tuple[int, int, int, int]] = []

    def _open_bracket(self, iteration: int, plan: BracketPlan) -> Any:
        bracket = super()._open_bracket(iteration, plan)
        self.opened.append((iteration, plan.s, bracket.s, bracket.target))
        return bracket

    def replaced(self) -> list[tuple[int, int, int]]:
        return [(i, s, jobs) for i, s, opened, jobs in self.opened if opened != s]


def _replaced(status: ProjectStatus) -> list[tuple[int, int, int]]:
    return [(b.iteration, b.s, b.jobs) for b in status.replaced]


@pytest.fixture(scope="module")
def search(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A finished BOHB search (2 iterations of 3 brackets), and at the start of every job the
    brackets the oracle had replaced so far with the status of the project at that moment."""
    directory = tmp_path_factory.mktemp("bohb")
    project = directory / "p"
    oracle = RecordingBOHB(objective="loss", max_epochs=MAX_EPOCHS, factor=3,
                           hyperband_iterations=2, seed=0)
    seen: list[tuple[list[tuple[int, int, int]], ProjectStatus]] = []

    def train(trial: rung.Trial) -> dict[str, float]:
        with open_project(project) as storage:  # this job is stored, RUNNING
            seen.append((oracle.replaced(), project_status(storage, now=0.0)))
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, loss=crossing(x, epoch))
        return {"loss": crossing(x, trial.epochs)}

    tuner = rung.Tuner(oracle, run_trial=train, directory=directory, project_name="p",
                       verbose=0)
    tuner.search()
    tuner.storage.close()
    assert oracle.stop_reason == "all 6 brackets complete"
    assert oracle.replaced(), "no bracket was replaced: the test no longer tests it"
    return {"project": project, "replaced": oracle.replaced(), "seen": seen}


def test_a_finished_search_shows_every_bracket_done(search, capsys) -> None:
    assert main(["status", str(search["project"])]) == 0
    lines = capsys.readouterr().out.splitlines()
    replaced = search["replaced"]
    jobs = sum(n for _, _, n in replaced)
    assert (f"brackets: 6 of 6 done; {len(replaced)} run as {jobs} full-budget jobs instead, "
            "as the jobs planned count them (BOHB: their first rung's epochs ranked "
            "configurations unlike max_epochs)") in lines
    assert not any(line.startswith("  bracket s=") for line in lines)  # none in progress


def test_a_finished_search_ran_every_planned_job(search, capsys) -> None:
    """The plan counts a replaced bracket as the full-budget jobs it ran as: 100% at the end,
    not the share of the budget's jobs (its rungs' jobs never run); the epochs stay budget()'s."""
    with open_project(search["project"]) as storage:
        stored = storage.count_trials()
        budget = rung.oracles.plan_from_settings(storage.get_settings())
        status = project_status(storage)
        data = build_report(storage)
    assert stored < budget.jobs  # what the plan showed before: a finished search at < 100%
    assert status.jobs_planned == data.summary.planned_jobs == stored
    assert status.epochs_planned == data.summary.planned_epochs == budget.epochs
    assert data.summary.replaced == len(search["replaced"])
    assert main(["status", str(search["project"])]) == 0
    out = capsys.readouterr().out
    assert f"jobs: {stored} of {stored} planned (100%): {stored} completed\n" in out
    assert "planned: an upper bound, full-budget jobs train fewer)" in out
    page = render_html(data)
    assert f"<b>{stored} / {stored}</b>" in page
    assert f"{len(search['replaced'])} brackets ran as full-budget jobs (counted as those)" in page


def test_the_json_names_the_replaced_brackets(search, capsys) -> None:
    assert main(["status", str(search["project"]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    replaced = search["replaced"]
    assert [(b["iteration"], b["s"], b["jobs"]) for b in data["replaced"]] == replaced
    assert all(b["started"] == b["jobs"] for b in data["replaced"])
    assert not any((r["iteration"], r["bracket"]) in {(i, s) for i, s, _ in replaced}
                   for r in data["rungs"])  # their planned rungs never ran
    for iteration in (0, 1):  # rung 0 of bracket s=0 plans and holds their jobs as well
        (host,) = [r for r in data["rungs"] if (r["iteration"], r["bracket"]) == (iteration, 0)]
        extra = sum(jobs for i, _, jobs in replaced if i == iteration)
        assert host["planned"] == 3 + extra == host["completed"]  # s=0: 3 jobs of 9 epochs


def test_while_it_runs_the_status_finds_each_replaced_bracket_as_it_starts(search) -> None:
    """At the start of every job, the brackets the status finds replaced are exactly those the
    oracle had replaced; a replaced bracket's first job is listed under bracket s=0."""
    before: list[tuple[int, int, int]] = []
    first_jobs = 0
    for truth, status in search["seen"]:
        assert _replaced(status) == truth
        lines = format_status(status, "p").splitlines()
        assert not any(line.startswith("brackets: 6 of 6 done") for line in lines)  # one runs
        for iteration, s, jobs in truth[len(before):]:  # the job now running is its first
            first_jobs += 1
            (host,) = [line for line in lines if line.startswith(
                f"  bracket s=0 (iteration {iteration}), with full-budget jobs in place of ")]
            assert host.endswith(f"bracket s={s} ({jobs} jobs):")
        before = truth
    assert first_jobs == len(search["replaced"])
