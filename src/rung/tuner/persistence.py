"""keras-tuner's ``save`` / ``reload`` / ``get_state`` / ``set_state`` on a tuner.

rung writes the oracle's state to the project's storage in the same transaction as every trial
change, so nothing is ever lost between saves; ``save`` and ``reload`` exist for scripts that call
them, and ``reload`` also picks up trials another process added to a shared project.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rung.oracles.base import Oracle
from rung.storage import Storage
from rung.trial_record import TrialStatus
from rung.validation import fail_type

__all__ = ["FINISHED", "TunerState"]

FINISHED = (TrialStatus.COMPLETED, TrialStatus.FAILED, TrialStatus.PRUNED)


class TunerState:
    """Saving and reloading a tuner's search (mixed into ``BaseTuner``)."""

    oracle: Oracle
    storage: Storage

    def save(self) -> None:
        """Write the oracle's current state to the project's storage."""
        self.storage.set_oracle_state(self.oracle.state_dict())

    def reload(self) -> None:
        """Restore the oracle from the project's storage: its saved state and every finished
        trial (nothing happens for a project that has not started)."""
        state = self.storage.get_oracle_state()
        if state is not None:
            self.oracle.load_state_dict(state, self.storage.trials(FINISHED),
                                        self.storage.all_epoch_metrics())

    def get_state(self) -> dict[str, Any]:
        """The tuner's state as JSON data: ``{"oracle": oracle.get_state()}``."""
        return {"oracle": self.oracle.get_state()}

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Restore ``get_state()`` output (the oracle's state; its finished trials are kept)."""
        if not isinstance(state, Mapping) or "oracle" not in state:
            raise fail_type("state", "a dict returned by tuner.get_state()", state)
        self.oracle.set_state(state["oracle"])
