"""Jobs told ``PRUNED`` (or ``COMPLETED`` with an ``epochs_reached`` short of their epochs) by
hand: where they stopped, and that they are never promoted from a checkpoint that did not reach
the epoch their child would continue from."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

import rung
from rung.oracles import ASHAOracle, BOHBOracle, HyperbandOracle, Oracle
from rung.searchers import Observation, RandomSearcher
from rung.trial_record import TrialStatus, creation_order


def space() -> rung.HyperParameters:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    return hp


class Spy(RandomSearcher):
    """Random search that keeps every observation it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Observation] = []

    def observe(self, observation: Observation) -> None:
        self.seen.append(observation)


def stopping(searcher: Spy | None = None) -> ASHAOracle:
    return ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=6, mode="stopping",
                      seed=0, hyperparameters=space(), searcher=searcher)


def resumed(oracle: Oracle, fresh: Oracle) -> Oracle:
    history = sorted(oracle.records, key=lambda r: creation_order(r.trial_id))
    fresh.load_state_dict(json.loads(json.dumps(oracle.state_dict())), history)
    return fresh


def test_a_pruned_tell_without_epochs_reached_stopped_at_the_last_report() -> None:
    spy = Spy()
    oracle = stopping(spy)
    jobs = [oracle.ask() for _ in range(4)]
    keep = [oracle.on_report(s.trial_id, 1, {"loss": float(i)}) for i, s in enumerate(jobs)]
    assert keep == [True, False, False, False]
    record = oracle.tell(jobs[3].trial_id, {"loss": 3.0}, status=TrialStatus.PRUNED)
    assert record.epochs_reached == 1  # not its planned 9 epochs
    final = [o for o in spy.seen if o.trial_id == jobs[3].trial_id][-1]
    assert (final.status, final.budget) == (TrialStatus.PRUNED, 1)


def test_a_pruned_tell_without_a_report_stopped_at_its_initial_epoch() -> None:
    oracle = stopping()
    s = oracle.ask()
    assert oracle.tell(s.trial_id, {"loss": 1.0}, status=TrialStatus.PRUNED).epochs_reached == 0


def test_the_last_report_survives_a_state_round_trip() -> None:
    oracle = stopping()
    jobs = [oracle.ask() for _ in range(4)]
    for i, s in enumerate(jobs):
        oracle.on_report(s.trial_id, 1, {"loss": float(i)})
    again = resumed(oracle, stopping())
    record = again.tell(jobs[2].trial_id, {"loss": 2.0}, status=TrialStatus.PRUNED)
    assert record.epochs_reached == 1


def test_hyperband_never_promotes_a_job_pruned_before_its_rung_epochs() -> None:
    for oracle in (HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0,
                                   hyperparameters=space(), parallel_brackets=False),
                   BOHBOracle(objective="loss", max_epochs=9, factor=3, seed=0,
                              hyperparameters=space(), parallel_brackets=False)):
        pruned = None
        children = []
        while (s := oracle.ask()) is not None:
            children += [s] if s.parent_id is not None and s.parent_id == pruned else []
            if s.bracket == 1 and s.rung == 0 and pruned is None:  # 5 jobs of 3 epochs
                pruned = s.trial_id  # the best loss, but stopped at epoch 1 of 3
                oracle.tell(s.trial_id, {"loss": 0.0}, epochs_reached=1,
                            status=TrialStatus.PRUNED)
            else:
                oracle.tell(s.trial_id, {"loss": 1.0 + int(s.trial_id) / 100})
        assert pruned is not None and children == [], type(oracle).__name__
        promoted = [t for t in oracle.records if t.bracket == 1 and t.rung == 1]
        assert len(promoted) == 1  # the best of the four that trained to epoch 3


def test_hyperband_promotes_a_job_pruned_at_its_rung_epochs() -> None:
    oracle = HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0,
                             hyperparameters=space(), parallel_brackets=False)
    first = oracle.ask()
    oracle.tell(first.trial_id, {"loss": 0.0}, epochs_reached=first.epochs,
                status=TrialStatus.PRUNED)
    parents = []
    while (s := oracle.ask()) is not None:
        parents.append(s.parent_id)
        oracle.tell(s.trial_id, {"loss": 1.0 + int(s.trial_id) / 100})
    assert first.trial_id in parents


def test_asha_never_promotes_a_job_pruned_before_its_milestone() -> None:
    oracle = ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=9, seed=0,
                        hyperparameters=space())
    first = oracle.ask()
    oracle.tell(first.trial_id, {"loss": 0.0}, epochs_reached=0, status=TrialStatus.PRUNED)
    _never_promoted(oracle, first.trial_id)


@pytest.mark.parametrize("make", [
    lambda: HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0,
                            hyperparameters=space(), parallel_brackets=False),
    lambda: BOHBOracle(objective="loss", max_epochs=9, factor=3, seed=0,
                       hyperparameters=space(), parallel_brackets=False),
    lambda: ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=9, seed=0,
                       hyperparameters=space()),
], ids=["hyperband", "bohb", "asha"])
def test_a_job_told_completed_before_its_planned_epochs_is_never_promoted(
        make: Callable[[], Oracle]) -> None:
    # by hand, a job that ended early may be told COMPLETED with the epoch it reached: its
    # checkpoint never got to the epoch a child would continue from, as for PRUNED
    oracle = make()
    first = oracle.ask()
    assert first.epochs > first.initial_epoch
    record = oracle.tell(first.trial_id, {"loss": 0.0}, epochs_reached=first.initial_epoch)
    assert (record.status, record.epochs_reached) == (TrialStatus.COMPLETED, first.initial_epoch)
    _never_promoted(oracle, first.trial_id)


def _never_promoted(oracle: Oracle, trial_id: str) -> None:
    """Run ``oracle`` to its end (later jobs ranked by their ids): ``trial_id`` is never a
    parent and its checkpoint is not needed, while the others are promoted as usual."""
    parents = []
    while (s := oracle.ask()) is not None:
        parents.append(s.parent_id)
        oracle.tell(s.trial_id, {"loss": 1.0 + int(s.trial_id) / 100})
    assert trial_id not in parents
    assert trial_id not in oracle.checkpoints_in_use()
    assert [p for p in parents if p is not None]
