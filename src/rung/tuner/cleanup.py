"""Deleting the checkpoints a search no longer needs (the tuner's ``keep_checkpoints``).

A Hyperband search saves a checkpoint for every job, and most jobs are never promoted. After each
finished job the tuner calls :meth:`CheckpointCleanup.after_job`, and :meth:`CheckpointCleanup.sweep`
at the end of ``search``; a sweep deletes the checkpoint directory of every finished trial that is

* not in ``oracle.checkpoints_in_use()`` (it can no longer be promoted, and no running or retried
  job continues from it), and
* not among the ``keep`` best trials (kept for ``get_best_models`` and ``load_model``).

The decision is computed from the oracle's live state and the directories on disk, never from a
list of "deleted so far", so a process killed between a finishing transaction and the deletion
loses nothing: the next sweep (at the next finished job, or at the end of ``search``) deletes what
was left. Directories of running trials and of unknown ids are never touched.

A sweep reads the directories on disk and the oracle's checkpoints in use, so its cost grows with
the checkpoints kept. Hyperband keeps a few (a bracket's open rung); ASHA keeps every result a
promotion may still reach, a third of the trials or more. So ``after_job`` sweeps after every job
only while at most ``SWEEP_SLACK`` directories were left; past that, once every
``directories left / SWEEP_SLACK`` jobs: the cost per job stays flat however long the search
runs (``benchmarks/scale.py``), for at most one directory in ``SWEEP_SLACK`` kept a little longer.

Example::

    tuner = rung.Hyperband(run_trial=train, objective="val_loss", max_epochs=81,
                           keep_checkpoints="best")      # or an int N (default 10), or "all"
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rung.errors import CheckpointMissingError
from rung.validation import fail_type, fail_value

if TYPE_CHECKING:
    from pathlib import Path

    from rung.checkpoints import CheckpointStore
    from rung.oracles.base import Oracle
    from rung.trial import Trial

__all__ = ["SWEEP_SLACK", "CheckpointCleanup", "KeepCheckpoints", "parse_keep_checkpoints"]

SWEEP_SLACK = 64
"""``after_job`` sweeps once every ``1 + left // SWEEP_SLACK`` jobs (``left``: the directories the
last sweep left on disk): after every job in a search that keeps fewer."""

KeepCheckpoints = str | int
"""``"all"`` (keep every checkpoint), ``"best"`` (the best trial's) or ``N`` (the N best)."""


def parse_keep_checkpoints(value: object) -> int | None:
    """``keep_checkpoints`` as the number of best trials to keep, or None for "all".

    >>> parse_keep_checkpoints("best"), parse_keep_checkpoints(3), parse_keep_checkpoints("all")
    (1, 3, None)
    """
    if value == "all":
        return None
    if value == "best":
        return 1
    expected = "'all', 'best' or an integer >= 0"
    hint = "the number of best trials whose checkpoints are kept"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise fail_type("keep_checkpoints", expected, value, hint)
    if isinstance(value, str) or value < 0:
        raise fail_value("keep_checkpoints", expected, value, hint)
    return value


class CheckpointCleanup:
    """Deletes checkpoints of finished trials that nothing can load any more.

    Args:
        store: the project's checkpoint store.
        oracle: answers ``checkpoints_in_use()`` and ``get_best_trials(n)``.
        keep: ``"all"``, ``"best"`` or the number of best trials whose checkpoints are kept.
    """

    def __init__(self, store: CheckpointStore, oracle: Oracle, keep: KeepCheckpoints = "all") -> None:
        self.store = store
        self.oracle = oracle
        self.keep = parse_keep_checkpoints(keep)
        self._due = 1  # jobs to finish before after_job sweeps
        self._seen = 0  # directories on disk at the last sweep

    @property
    def enabled(self) -> bool:
        return self.keep is not None

    def deletable(self) -> list[str]:
        """Ids of the finished trials whose checkpoint directories may be deleted now.

        Costs O(directories on disk + checkpoints in use): no ``Trial`` is built, no directory
        stat-ed, and the trials of the project are not walked.
        """
        if self.keep is None:
            return []
        in_use = self.oracle.checkpoints_in_use()
        if in_use is None:  # the oracle cannot tell: keep everything
            return []
        on_disk = self._trial_dirs()
        self._seen = len(on_disk)
        candidates = on_disk - in_use
        candidates.difference_update(self.oracle.pending)
        if candidates and self.keep:
            candidates.difference_update(self.oracle.best_trial_ids(self.keep))
        # an unknown id (not a trial of this search) or one not finished is left alone
        return sorted(t for t in candidates if self.oracle.is_finished(t))

    def sweep(self) -> list[str]:
        """Delete what :meth:`deletable` lists; returns the ids deleted."""
        self._seen = 0
        deleted = self.deletable()
        for trial_id in deleted:
            self.store.delete(trial_id)
        self._due = 1 + max(0, self._seen - len(deleted)) // SWEEP_SLACK
        return deleted

    def after_job(self) -> list[str]:
        """A job finished: :meth:`sweep` when due (see the module docstring); the ids deleted."""
        if self.keep is None:
            return []
        self._due -= 1
        return self.sweep() if self._due <= 0 else []

    def _trial_dirs(self) -> set[str]:
        # os.scandir: the directory entry's type needs no stat() call per entry
        try:
            with os.scandir(self.store.root) as entries:
                return {e.name for e in entries
                        if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)}
        except (FileNotFoundError, NotADirectoryError):
            return set()

    def missing_error(self, trial: Trial) -> CheckpointMissingError:
        """The error for a ``trial`` whose checkpoint directory is not on disk, saying why."""
        status = trial.status.value if hasattr(trial.status, "value") else str(trial.status)
        where = self.store.directory(trial.trial_id, create=False)
        if status not in ("COMPLETED", "PRUNED"):
            return CheckpointMissingError(
                f"trial {trial.trial_id} has no checkpoint in {where}: its status is {status} "
                "(only finished trials have one)")
        if self.keep is None or trial.trial_id in self.oracle.best_trial_ids(self.keep):
            return CheckpointMissingError(  # kept by keep_checkpoints: it never saved one
                f"trial {trial.trial_id} has no checkpoint in {where}: its training code saved "
                "none with trial.save_checkpoint(obj)" + _own_files(where))
        return CheckpointMissingError(
            f"the checkpoint of trial {trial.trial_id} was deleted by keep_checkpoints: the tuner "
            f"keeps the checkpoints of the {self.keep} best trial(s) only (keep_checkpoints="
            f"{self.keep}), and this trial is not among them. To load more models, ask for at "
            f"most {self.keep} (get_best_models(num_models={self.keep})), or pass "
            "keep_checkpoints=N (N at least the number you need) or keep_checkpoints='all' to "
            "the tuner before the search. To get this model now, build it from "
            "trial.hyperparameters and train it again.")


def _own_files(directory: Path) -> str:
    """What to say of the files a training function wrote itself in ``directory``, if any."""
    try:
        names = sorted(e.name for e in os.scandir(directory)  # not torch.save's checksums
                       if e.is_file() and not e.name.startswith(".")
                       and not e.name.endswith(".pt.sha256"))
    except OSError:
        names = []
    if not names:
        return " (a training function saves one with trial.save_checkpoint(obj))"
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    torch = ("; rung.integrations.torch.load(tuner, trial, model=...) loads what "
             "rung.integrations.torch.save wrote" if "torch_checkpoint.pt" in names else "")
    return (f"; its directory holds files the training code wrote itself ({shown}): load them "
            f"with the library that wrote them{torch}")

