"""A tuner's project over its life: opened (created, or deleted first with ``overwrite``),
resumed with its stored settings checked, caught up with another driver, started over.

``BaseTuner`` opens its project once, at the end of its constructor, after every argument has
been checked: nothing is deleted or written for a tuner that would refuse its arguments. A stored
project is resumed only with the settings it was created with (``Oracle.incompatible_settings``);
one taken over from ``rung.import_keras_tuner`` is not compared. ``search`` catches up with
another driver's changes before it writes anything, and ``search(retry_failed=True)`` clears a
project none of whose trials completed (``rung.tuner.project.clear_failed_project``).
"""

from __future__ import annotations

import copy
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rung.checkpoints import CheckpointStore
from rung.errors import ProjectMismatchError
from rung.hyperparameters import HyperParameters
from rung.importers.takeover import take_over_import
from rung.oracles._persistence import changed_definitions
from rung.oracles.base import Oracle
from rung.oracles.plan import settings_give_plan
from rung.oracles.schedule import Budget
from rung.oracles.stored_plan import PLAN_KEY, settings_with_plan, without_stored_plan
from rung.storage import Storage, get_storage
from rung.storage._common import clone_json
from rung.tuner.cleanup import CheckpointCleanup
from rung.tuner.display import Display
from rung.tuner.driver import DriverSession, refuse_if_driven
from rung.tuner.project import (
    DB_NAME,
    absolute_path,
    clear_failed_project,
    delete_for_overwrite,
    keras_tuner_left_here,
    make_project_dir,
)

__all__ = ["ProjectLifecycle"]


class ProjectLifecycle:
    """Opening, resuming and starting over a tuner's project (mixed into ``BaseTuner``)."""

    oracle: Oracle
    storage: Storage
    directory: Path
    display: Display
    checkpoints: CheckpointStore
    checkpoint_cleanup: CheckpointCleanup
    _fresh_oracle: Oracle

    if TYPE_CHECKING:  # implemented by rung.tuner.BaseTuner and its other bases
        @property
        def project_dir(self) -> Path: ...
        def reload(self) -> None: ...
        def populate_search_space(self) -> None: ...

    def _open_project(self, storage: Storage | str | os.PathLike[str] | None, overwrite: bool,
                      keep_checkpoints: str | int) -> None:
        """Delete (``overwrite``: only a directory that holds a project, see
        ``rung.tuner.project.delete_for_overwrite``), open or create the project; resume it if
        it exists."""
        if overwrite and (self.project_dir.exists() or self.project_dir.is_symlink()):
            refuse_if_driven(self.project_dir / DB_NAME)
            delete_for_overwrite(self.project_dir)
        if storage is None:
            left = keras_tuner_left_here(self.directory, self.project_dir)
            if left is not None:
                warnings.warn(left, UserWarning, stacklevel=3)
            make_project_dir(self.directory, self.project_dir)
            storage = self.project_dir / DB_NAME
        elif isinstance(storage, (str, os.PathLike)):  # as the directory (see rung.tuner.project)
            storage = absolute_path("storage", storage)
        self.storage = get_storage(storage, create=True)
        self.oracle._use_store(self.storage)  # for trials assigned to oracle.trials
        self.checkpoints = CheckpointStore(self.project_dir / "trials")
        self.checkpoint_cleanup = CheckpointCleanup(self.checkpoints, self.oracle, keep_checkpoints)
        self._fresh_oracle = copy.deepcopy(self.oracle)  # as before the first job (retry_failed)
        self._restore()
        if self.storage.get_oracle_state() is None:  # a new project
            self.populate_search_space()

    def _settings(self) -> dict[str, Any]:
        return self.oracle.settings()

    def _restore(self) -> None:
        """Resume a stored project, or register a new one."""
        stored = self.storage.get_settings()
        settings = self._settings()
        if take_over_import(self.oracle, self.storage, settings):  # rung.import_keras_tuner
            return
        if stored is None:
            self.storage.set_settings(settings)
            return
        plan = stored.get(PLAN_KEY)  # the plan stored when the search started: not a setting
        stored = without_stored_plan(stored, settings)
        diffs = self.oracle.incompatible_settings(stored, settings)
        found = [f"{k}: stored {a!r}, now {b!r}" for k, a, b in diffs]
        state = self.storage.get_oracle_state()
        if state is not None and "space" in state:  # the declared space: redefined names
            found += [f"hyperparameter {c}" for c in changed_definitions(
                self.oracle.hyperparameters, HyperParameters.from_config(state["space"]))]
        if found:
            shown = "; ".join(found)
            raise ProjectMismatchError(
                f"the project {str(self.project_dir)!r} was created with other settings ({shown}). "
                "To start a new search, pass `overwrite=True`; to resume, use the stored settings."
            )
        if settings != stored:
            self.storage.set_settings(settings_with_plan(settings, settings, plan))
        self.reload()

    def _store_plan(self, plan: Budget) -> None:
        """Store ``plan`` (the oracle's ``budget()`` as a search starts, and again as it ends)
        with the project's settings where they alone do not give it (an oracle of one's own, a
        grid smaller than ``max_trials``), for ``rung status`` and the report
        (``rung.oracles.stored_plan``); not compared on resume. Where they give it again (a
        resumed search with other settings), a plan stored earlier is removed."""
        stored = self.storage.get_settings()
        own = self.oracle.settings()
        if stored is None or PLAN_KEY in own:
            return
        keep = None if settings_give_plan(own, plan) else plan
        updated = settings_with_plan(without_stored_plan(stored, own), own, keep)
        if updated != stored:
            self.storage.set_settings(updated)

    def _catch_up(self) -> None:
        """Reload the project if another driver changed it since this tuner read it (a search
        never writes over a newer state than the one it continues)."""
        stored = self.storage.get_oracle_state()
        if stored is not None and stored != clone_json(self.oracle.state_dict()):
            self.reload()

    def _retry_failed(self, session: DriverSession) -> None:
        """Start over a project whose trials all failed (see ``search``'s ``retry_failed``)."""
        cleared = [t.trial_id for t in self.storage.trials()]
        fresh = clear_failed_project(self.storage)
        if fresh is None:
            return
        session.switch(fresh)
        self.storage = fresh
        for trial_id in cleared:
            self.checkpoints.delete(trial_id)
        self.oracle = copy.deepcopy(self._fresh_oracle)  # a searcher forgets what it observed
        self.oracle._use_store(self.storage)
        self.checkpoint_cleanup.oracle = self.oracle
        self.storage.set_settings(self._settings())
        self.populate_search_space()
        self.display.message(
            f"retry_failed: cleared {len(cleared)} failed trial(s); the search starts over")
