"""keep_checkpoints: checkpoints that can no longer be loaded are deleted, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

import rung
from rung.errors import ConfigurationError
from rung.oracles import HyperbandOracle
from rung.tuner.cleanup import CheckpointCleanup, parse_keep_checkpoints


def loss_of(x: float, epochs: int) -> float:
    return (x - 0.3) ** 2 + 1.0 / epochs


class Recorder:
    """A training function that checks its parent's checkpoint is there and counts directories."""

    def __init__(self, root: Path, fail_once: set[str] | None = None) -> None:
        self.root = root
        self.max_dirs = 0
        self.fail_once = set(fail_once or ())

    def __call__(self, trial: rung.Trial) -> dict[str, float]:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        state = trial.load_checkpoint()
        if trial.parent_id is not None:
            assert state is not None, f"parent {trial.parent_id} of {trial.trial_id} was deleted"
            assert state["epochs"] == trial.initial_epoch
        if trial.trial_id in self.fail_once:
            self.fail_once.discard(trial.trial_id)
            raise RuntimeError("transient failure")
        trial.save_checkpoint({"epochs": trial.epochs})
        if self.root.is_dir():
            self.max_dirs = max(self.max_dirs, len(list(self.root.iterdir())))
        return {"val_loss": loss_of(x, trial.epochs)}


def make(tmp_path: Path, train: Recorder, **kwargs) -> rung.Hyperband:
    args = {"objective": "val_loss", "max_epochs": 9, "factor": 3, "seed": 0,
            "directory": tmp_path, "project_name": "p", "verbose": 0, **kwargs}
    return rung.Hyperband(run_trial=train, **args)


def dirs(tuner: rung.Tuner) -> set[str]:
    root = tuner.checkpoints.root
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


def test_keep_all_keeps_every_checkpoint(tmp_path: Path) -> None:
    train = Recorder(tmp_path / "p" / "trials")
    tuner = make(tmp_path, train, keep_checkpoints="all")
    tuner.search()
    assert dirs(tuner) == {t.trial_id for t in tuner.storage.trials()}


def test_by_default_the_ten_best_checkpoints_are_kept(tmp_path: Path) -> None:
    train = Recorder(tmp_path / "p" / "trials")
    tuner = make(tmp_path, train)
    tuner.search()
    assert len(tuner.storage.trials()) == 22
    assert dirs(tuner) == {t.trial_id for t in tuner.oracle.get_best_trials(10)}


@pytest.mark.parametrize("keep, expected", [("best", 1), (2, 2), (0, 0)])
def test_keep_best_leaves_only_the_best_trials(tmp_path: Path, keep, expected: int) -> None:
    train = Recorder(tmp_path / "p" / "trials")
    tuner = make(tmp_path, train, keep_checkpoints=keep)
    tuner.search()
    jobs = tuner.storage.trials()
    best = {t.trial_id for t in tuner.oracle.get_best_trials(expected)} if expected else set()
    assert dirs(tuner) == best
    assert len(jobs) == tuner.oracle.budget().jobs  # every promoted job found its parent
    # the directories alive at once stay well below the number of jobs
    assert train.max_dirs < len(jobs) / 2


def test_asha_keeps_only_checkpoints_a_promotion_can_still_reach(tmp_path: Path) -> None:
    # ASHA's rungs never close, but a result ranked below what the rung can ever promote (at most
    # max_trials results per rung) is final: it must not outlive the search on disk
    train = Recorder(tmp_path / "p" / "trials")
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    tuner = rung.ASHA(run_trial=train, objective="val_loss", max_epochs=9, factor=3, seed=0,
                      max_trials=30, hyperparameters=hp, directory=tmp_path, project_name="p",
                      verbose=0, keep_checkpoints="best")
    tuner.search()
    jobs = tuner.storage.trials()
    assert all(t.status is rung.TrialStatus.COMPLETED for t in jobs)  # every parent was there
    assert dirs(tuner) == {tuner.oracle.get_best_trials(1)[0].trial_id}
    assert train.max_dirs < len(jobs) / 2


def test_retried_child_still_finds_its_parent(tmp_path: Path) -> None:
    # 00009 is a promoted job in this plan (seed 0): it fails once, is retried, and must reload
    train = Recorder(tmp_path / "p" / "trials", fail_once={"00009"})
    tuner = make(tmp_path, train, keep_checkpoints="best", max_retries_per_trial=1)
    tuner.search()
    record = tuner.storage.get_trial("00009")
    assert record.parent_id is not None and record.attempts == 1
    assert record.status is rung.TrialStatus.COMPLETED


def test_deletions_that_never_happened_are_swept_on_resume(tmp_path: Path) -> None:
    train = Recorder(tmp_path / "p" / "trials")
    make(tmp_path, train, keep_checkpoints="all").search()  # keep everything, like a process killed before deleting
    resumed = make(tmp_path, train, keep_checkpoints="best")
    assert len(dirs(resumed)) == resumed.oracle.budget().jobs
    resumed.search()  # nothing left to run; the final sweep deletes
    assert dirs(resumed) == {resumed.oracle.get_best_trials(1)[0].trial_id}


def test_interrupted_child_resumes_from_its_parent(tmp_path: Path) -> None:
    class Interrupt(BaseException):
        pass

    train = Recorder(tmp_path / "p" / "trials")

    def killed(trial: rung.Trial) -> dict[str, float]:
        if trial.parent_id is not None:
            raise Interrupt  # the process dies while a promoted job runs
        return train(trial)

    with pytest.raises(Interrupt):
        make(tmp_path, killed, keep_checkpoints=0).search()
    tuner = make(tmp_path, train, keep_checkpoints=0)
    tuner.search()  # the interrupted job reloads its parent (Recorder asserts it)
    assert all(t.status is rung.TrialStatus.COMPLETED for t in tuner.storage.trials())
    assert dirs(tuner) == set()


def test_random_search_keeps_only_the_best(tmp_path: Path) -> None:
    def train(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        trial.save_checkpoint(x)
        return (x - 0.3) ** 2

    tuner = rung.RandomSearch(run_trial=train, objective="val_loss", max_trials=6, seed=1,
                              directory=tmp_path, project_name="r", verbose=0,
                              keep_checkpoints="best")
    tuner.search()
    (best,) = tuner.oracle.get_best_trials(1)
    assert dirs(tuner) == {best.trial_id}
    assert tuner.checkpoints.load(best.trial_id) == best.hyperparameters["x"]


def test_hyperband_oracle_in_use_follows_promotions() -> None:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = HyperbandOracle(objective=rung.Objective("loss", "min"), max_epochs=3, factor=3,
                             hyperparameters=hp, seed=0, parallel_brackets=False)
    rung0 = [oracle.ask() for _ in range(3)]
    assert oracle.ask() is None  # the rung waits on its jobs
    for i, s in enumerate(rung0):
        oracle.tell(s.trial_id, {"loss": float(i)})
    # the rung closed: the best (loss 0) is promoted, the two others are final
    assert oracle.checkpoints_in_use() == {rung0[0].trial_id}
    child = oracle.ask()
    assert child.parent_id == rung0[0].trial_id
    assert oracle.checkpoints_in_use() == {rung0[0].trial_id}  # until the child finishes
    oracle.tell(child.trial_id, {"loss": 0.0})  # last rung of the bracket: final
    assert oracle.checkpoints_in_use() == set()
    single = oracle.ask()  # the s=0 bracket: one rung, final at once
    assert oracle.checkpoints_in_use() == set()
    oracle.tell(single.trial_id, {"loss": 1.0})
    assert oracle.checkpoints_in_use() == set()


def test_open_rung_keeps_completed_jobs_but_not_failed_ones() -> None:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = HyperbandOracle(objective=rung.Objective("loss", "min"), max_epochs=3, factor=3,
                             hyperparameters=hp, seed=0, parallel_brackets=False)
    a, b, c = (oracle.ask() for _ in range(3))
    oracle.tell(a.trial_id, {"loss": 1.0})
    oracle.tell_failed(b.trial_id, "boom")
    assert oracle.checkpoints_in_use() == {a.trial_id}  # c is still running: its own, not "used"
    assert oracle.pending.keys() == {c.trial_id}


def test_an_oracle_that_cannot_tell_keeps_everything(tmp_path: Path) -> None:
    class Unknown:
        pending: dict = {}

        def checkpoints_in_use(self) -> None:
            return None

    store = rung.checkpoints.CheckpointStore(tmp_path)
    store.save("00000", 1)
    cleanup = CheckpointCleanup(store, Unknown(), keep="best")  # type: ignore[arg-type]
    assert cleanup.sweep() == [] and store.exists("00000")


@pytest.mark.parametrize("bad", ["some", -1, 1.5, True, None])
def test_bad_keep_checkpoints_names_the_argument(tmp_path: Path, bad) -> None:
    with pytest.raises(ConfigurationError, match=r"keep_checkpoints .*got"):
        parse_keep_checkpoints(bad)
    with pytest.raises(ConfigurationError, match="keep_checkpoints"):
        make(tmp_path, Recorder(tmp_path), keep_checkpoints=bad)


def _told_oracle() -> tuple[HyperbandOracle, list[str]]:
    """A Hyperband oracle (R=3) whose first rung closed: ids [best, 2nd, 3rd]; the best's child
    is pending."""
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = HyperbandOracle(objective=rung.Objective("loss", "min"), max_epochs=3, factor=3,
                             hyperparameters=hp, seed=0, parallel_brackets=False)
    rung0 = [oracle.ask() for _ in range(3)]
    for i, s in enumerate(rung0):
        oracle.tell(s.trial_id, {"loss": float(i)})
    return oracle, [s.trial_id for s in rung0]


def test_sweep_deletes_only_finished_trials_of_this_search(tmp_path: Path) -> None:
    oracle, (best, second, third) = _told_oracle()
    child = oracle.ask()
    store = rung.checkpoints.CheckpointStore(tmp_path)
    for trial_id in (best, second, third, child.trial_id, "99999"):
        store.save(trial_id, trial_id)
    (tmp_path / ".tmp-00001-x").mkdir()  # an unpack under way (no trial id: made by hand)
    (tmp_path / ".tmp-00001-x" / "checkpoint.pkl").write_bytes(b"")
    (tmp_path / "00777").write_text("a file, not a trial directory")
    (tmp_path / "00888").symlink_to(tmp_path / second, target_is_directory=True)
    cleanup = CheckpointCleanup(store, oracle, keep=0)
    # best: the pending child's parent; child: running; 99999: no trial of this search;
    # .tmp-*: hidden; the file and the link: no trial directories
    assert cleanup.sweep() == [second, third]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [best, child.trial_id, "99999", ".tmp-00001-x", "00777", "00888"])


def test_sweep_keeps_the_best_by_id_without_a_missing_root(tmp_path: Path) -> None:
    oracle, (best, second, third) = _told_oracle()
    store = rung.checkpoints.CheckpointStore(tmp_path / "trials")
    cleanup = CheckpointCleanup(store, oracle, keep=2)
    assert cleanup.sweep() == []  # no trials directory yet: nothing to do, no error
    for trial_id in (second, third):
        store.save(trial_id, 0)
    oracle.tell(oracle.ask().trial_id, {"loss": 5.0})  # the child ends the bracket: all final
    assert oracle.best_trial_ids(2) == [best, second]
    assert cleanup.sweep() == [third] and store.exists(second)


def test_best_trial_ids_and_is_finished_agree_with_the_trials() -> None:
    oracle, ids = _told_oracle()
    child = oracle.ask()
    assert oracle.best_trial_ids(5) == [t.trial_id for t in oracle.get_best_trials(5)] == ids
    assert all(oracle.is_finished(t) for t in ids)
    assert not oracle.is_finished(child.trial_id)  # pending
    assert not oracle.is_finished("99999")  # unknown
    oracle.tell_failed(child.trial_id, "boom")
    assert oracle.is_finished(child.trial_id) and child.trial_id not in oracle.best_trial_ids(9)


class ManyInUse:
    """An oracle that keeps ``in_use`` checkpoints (ASHA-like) and counts the sweeps' questions."""

    def __init__(self, in_use: set[str], finished: set[str]) -> None:
        self.in_use, self.finished, self.asked = in_use, finished, 0
        self.pending: dict = {}

    def checkpoints_in_use(self) -> set[str]:
        self.asked += 1
        return set(self.in_use)

    def best_trial_ids(self, n: int) -> list[str]:
        return []

    def is_finished(self, trial_id: str) -> bool:
        return trial_id in self.finished


def test_many_kept_checkpoints_are_swept_less_often_but_all_in_the_end(tmp_path: Path) -> None:
    from rung.tuner.cleanup import SWEEP_SLACK

    store = rung.checkpoints.CheckpointStore(tmp_path)
    kept = {f"{i:05d}" for i in range(2 * SWEEP_SLACK)}
    for trial_id in kept:
        store.save(trial_id, 0)
    oracle = ManyInUse(kept, finished=set(kept))
    cleanup = CheckpointCleanup(store, oracle, keep=0)  # type: ignore[arg-type]
    assert cleanup.after_job() == [] and oracle.asked == 1  # the first job: a sweep
    oracle.in_use = set()  # now all of them are final
    deleted = [cleanup.after_job() for _ in range(3)]  # 128 left: due every 1 + 128 // 64 jobs
    assert deleted[:2] == [[], []] and oracle.asked == 2
    assert sorted(deleted[2]) == sorted(kept)  # the third job swept them all
    assert cleanup.after_job() == [] and oracle.asked == 3  # none left: after every job again


def test_few_kept_checkpoints_are_swept_after_every_job(tmp_path: Path) -> None:
    store = rung.checkpoints.CheckpointStore(tmp_path)
    oracle = ManyInUse({"00000"}, finished={"00000", "00001", "00002"})
    cleanup = CheckpointCleanup(store, oracle, keep=0)  # type: ignore[arg-type]
    for trial_id in ("00000", "00001", "00002"):
        store.save(trial_id, 0)
        expected = [] if trial_id == "00000" else [trial_id]
        assert cleanup.after_job() == expected
    assert oracle.asked == 3
