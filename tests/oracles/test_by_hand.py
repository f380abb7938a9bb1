"""Driving an oracle by hand (ask, on_report, tell), as a user with their own training loop
does: arguments are checked before anything changes, and what the searcher sees does not depend
on whether the search was resumed."""

from __future__ import annotations

import json

import pytest

import rung
from rung.errors import ArgumentTypeError, ConfigurationError
from rung.hyperparameters import values_key
from rung.oracles import ASHAOracle, CustomOracle, HyperbandOracle, Oracle, Suggestion
from rung.searchers import RandomSearcher
from rung.testing._oracle_drive import RecordingSearcher
from rung.trial_record import TrialRecord, TrialStatus


def space() -> rung.HyperParameters:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    return hp


def hyperband(**kwargs: object) -> HyperbandOracle:
    return HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0,
                           hyperparameters=space(), **kwargs)  # type: ignore[arg-type]


def test_a_status_given_by_name_is_stored_as_the_member() -> None:
    oracle = hyperband()
    s = oracle.ask()
    assert s is not None
    oracle.on_report(s.trial_id, 1, {"loss": 0.5})
    record = oracle.tell(s.trial_id, {"loss": 0.5}, status="PRUNED")  # type: ignore[arg-type]
    assert record.status is TrialStatus.PRUNED
    assert oracle.trials[s.trial_id].status == "PRUNED"  # the Trial view reads it


def test_a_failed_job_takes_its_error_as_text_and_stays_pending_otherwise() -> None:
    oracle = hyperband()
    s = oracle.ask()
    assert s is not None
    with pytest.raises(ArgumentTypeError, match=r"error must be .*text.*got ValueError\('boom'\)"):
        oracle.tell_failed(s.trial_id, ValueError("boom"))  # type: ignore[arg-type]
    assert s.trial_id in oracle.pending
    assert oracle.tell_failed(s.trial_id, "ValueError: boom").error == "ValueError: boom"


@pytest.mark.parametrize("epoch", ["1", 1.5, None])
def test_a_report_of_an_epoch_that_is_not_an_integer_is_refused(epoch: object) -> None:
    oracle = hyperband()
    s = oracle.ask()
    assert s is not None
    with pytest.raises(ArgumentTypeError, match=r"^epoch must be an integer >= 0, got"):
        oracle.on_report(s.trial_id, epoch, {"loss": 0.5})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"^epoch must be an integer >= 0, got -1"):
        oracle.on_report(s.trial_id, -1, {"loss": 0.5})
    # nothing was kept: a PRUNED tell without epochs_reached stopped at the job's start
    assert oracle.tell(s.trial_id, 0.5, status=TrialStatus.PRUNED).epochs_reached == 0


def test_telling_a_job_twice_says_it_was_told() -> None:
    oracle = hyperband()
    s = oracle.ask()
    assert s is not None
    oracle.tell(s.trial_id, 0.5)
    with pytest.raises(KeyError, match="it was told already: COMPLETED"):
        oracle.tell(s.trial_id, 0.5)
    with pytest.raises(KeyError, match=r"trial_id '99999' is not pending; pending: \[\]"):
        oracle.tell("99999", 0.5)


class Flaky(CustomOracle):
    """``populate_space`` raises on its first call, then proposes random values."""

    calls = 0

    def populate_space(self, trial_id: str) -> dict[str, object]:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("not ready")
        return {"status": "RUNNING", "values": self._random_values()}


def test_a_populate_space_that_raises_uses_no_trial_id() -> None:
    oracle = Flaky(objective="loss", max_trials=2, seed=0, hyperparameters=space())
    with pytest.raises(RuntimeError, match="not ready"):
        oracle.ask()
    s = oracle.ask()
    assert s is not None and s.trial_id == "00000"


def test_an_open_ended_custom_oracle_says_what_ends_it() -> None:
    head = Flaky(objective="loss", seed=0, hyperparameters=space()).budget().describe()
    assert head.startswith("planned: no end (max_trials=None") and "populate_space" in head
    assert "ASHA" not in head


def test_a_plan_of_one_job_reads_in_the_singular() -> None:
    oracle = HyperbandOracle(objective="loss", max_epochs=1, factor=3, hyperparameters=space())
    assert oracle.budget().describe().splitlines()[0].startswith("planned: 1 job, 1 epoch (")


# --- define-by-run: a job asked with {} before anything was declared ------------------------
def Spy() -> RecordingSearcher:  # noqa: N802 - reads as the class it stands for
    """Random search that keeps every observation it is given, live or replayed."""
    return RecordingSearcher(RandomSearcher())


def declared(oracle: Oracle, s: Suggestion) -> rung.HyperParameters:
    """What the training function declares: its values, the defaults for the rest."""
    known = oracle.hyperparameters
    hp = known.clone_with_values(s.values) if known.space else rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    hp.Choice("c", ["a", "b"])
    return hp


def curve(values: dict[str, object], epoch: int) -> float:
    return float(values["x"]) + (0.2 if values["c"] == "b" else 0.0) + 1.0 / epoch  # type: ignore[arg-type]


def train(oracle: Oracle, s: Suggestion, reports: dict[str, list]) -> TrialRecord:
    """Train ``s`` reporting every epoch, declare its space, tell it (a tuner's order)."""
    hp = declared(oracle, s)
    for epoch in range(s.initial_epoch + 1, (s.epochs or 1) + 1):
        metrics = {"loss": curve(hp.values, epoch)}
        reports.setdefault(s.trial_id, []).append((epoch, metrics))
        if not oracle.on_report(s.trial_id, epoch, metrics):  # stopped here
            oracle.update_space(hp)
            return oracle.tell(s.trial_id, metrics, values=hp.values, epochs_reached=epoch,
                               status=TrialStatus.PRUNED)
    oracle.update_space(hp)
    return oracle.tell(s.trial_id, {"loss": curve(hp.values, s.epochs or 1)}, values=hp.values)


def test_the_reports_of_a_job_asked_with_nothing_carry_the_values_it_declared() -> None:
    spy = Spy()
    oracle = HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0, searcher=spy)
    first = oracle.ask()
    assert first is not None and first.values == {}
    train(oracle, first, {})
    mine = [o for o in spy.observations if o.trial_id == first.trial_id]
    assert [o.status for o in mine] == [TrialStatus.RUNNING, TrialStatus.COMPLETED]
    assert all(o.values == {"x": 0.0, "c": "a"} for o in mine), mine


def test_a_resume_replays_what_the_searcher_saw_live() -> None:
    """The first job, asked with ``{}``, reports before the space is known. Observed then as
    ``{}`` (a configuration that never ran: a model keyed by values, such as BOHB's rank
    agreement, would count a phantom), a resume, which replays the stored reports with the
    values the job declared, would rebuild another model than the live one."""
    live = Spy()
    oracle = ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=4, seed=0,
                        mode="stopping", searcher=live)
    told: dict[str, TrialRecord] = {}
    reports: dict[str, list] = {}
    while (s := oracle.ask()) is not None:
        told[s.trial_id] = train(oracle, s, reports)
    replayed = Spy()
    resumed = ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=4, seed=0,
                         mode="stopping", searcher=replayed)
    resumed.load_state_dict(
        json.loads(json.dumps(oracle.state_dict(), allow_nan=False)),
        [told[t] for t in sorted(told)],
        [(t, epoch, m) for t in sorted(told) for epoch, m in reports.get(t, [])])

    def seen(spy: RecordingSearcher) -> list[tuple[str, str, int, float | None, TrialStatus]]:
        return sorted((o.trial_id, values_key(o.values), o.budget, o.loss, o.status)
                      for o in spy.observations)

    assert seen(live) == seen(replayed)


# --- define-by-run: a job that declares a hyperparameter the space lacked when it was asked ---
def layered(values: dict[str, object]) -> rung.HyperParameters:
    """A training function's declarations: ``units_i`` for each of its ``layers``, so that the
    first job with three layers brings ``units_2`` into the space at its tell."""
    hp = rung.HyperParameters()
    hp.values = dict(values)
    hp.Float("x", 0.0, 1.0)
    for i in range(hp.Int("layers", 1, 3)):
        hp.Int(f"units_{i}", 1, 8)
    return hp


def layered_loss(values: dict[str, object], epoch: int) -> float:
    units = sum(int(values.get(f"units_{i}", 1)) for i in range(int(values["layers"])))  # type: ignore[call-overload]
    return (float(values["x"]) - 0.3) ** 2 + 0.05 * abs(units - 9) + 1.0 / epoch  # type: ignore[arg-type]


def run_layered(oracle: Oracle, told: list[TrialRecord] | None = None,
                reports: list[tuple[str, int, dict[str, float]]] | None = None,
                stop_after: int | None = None) -> list[tuple[str, str, int | None]]:
    """Ask, declare, report each epoch, tell, as a tuner does; the jobs handed out."""
    jobs = []
    while (s := oracle.ask()) is not None:
        jobs.append((s.trial_id, values_key(s.values), s.epochs))
        hp = layered(s.values)
        oracle.update_space(hp)
        last, stopped = s.epochs or 1, False
        for epoch in range(s.initial_epoch + 1, (s.epochs or 1) + 1):
            metrics = {"loss": layered_loss(hp.values, epoch)}
            if reports is not None:
                reports.append((s.trial_id, epoch, metrics))
            if not oracle.on_report(s.trial_id, epoch, metrics):
                last, stopped = epoch, True
                break
        record = oracle.tell(s.trial_id, {"loss": layered_loss(hp.values, last)},
                             values=hp.values,
                             status=TrialStatus.PRUNED if stopped else TrialStatus.COMPLETED)
        if told is not None:
            told.append(record)
        if stop_after is not None and len(jobs) == stop_after:
            break
    return jobs


@pytest.mark.parametrize(("kind", "seed"), [("asha", 1), ("asha", 7), ("asha-promotion", 1),
                                            ("bohb", 1)])
def test_a_job_that_declares_a_new_hyperparameter_resumes_exactly(kind: str, seed: int) -> None:
    """Live, such a job reports with the values it was asked with; a resume replays its
    reports with the values it used (storage keeps those). The oracle observes its reports
    again at its tell with the values it used, and the rank agreement moves its points: the
    resumed search proposes what the uninterrupted one does (ASHA's seeds 1 and 7 did not)."""
    def make() -> Oracle:
        if kind == "bohb":
            return rung.oracles.BOHBOracle(objective="loss", max_epochs=9, factor=3, seed=seed,
                                           hyperband_iterations=3)
        return ASHAOracle(objective="loss", max_epochs=9, factor=3, seed=seed, searcher="kde",
                          max_trials=60, mode="promotion" if "promotion" in kind else "stopping")

    uninterrupted = run_layered(make())
    told: list[TrialRecord] = []
    reports: list[tuple[str, int, dict[str, float]]] = []
    first = make()
    before = run_layered(first, told, reports, stop_after=15)
    resumed = make()
    resumed.load_state_dict(json.loads(json.dumps(first.state_dict())),
                            sorted(told, key=lambda r: r.trial_id),
                            sorted(reports, key=lambda r: (r[0], r[1])))
    assert before + run_layered(resumed) == uninterrupted
