"""A tuner opened on an imported project takes its trials over (``BaseTuner`` calls this).

An import (``rung.import_keras_tuner``) stores the trials and, in the project's settings, a mark
with the objective and search space, but no oracle state: the algorithm is the next tuner's.
"""

from __future__ import annotations

from typing import Any

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters
from rung.oracles.base import Oracle
from rung.storage import Storage
from rung.trial_record import TrialStatus

__all__ = ["FINISHED", "MARK", "take_over_import"]

MARK = "imported"  # the settings key of an imported project no tuner has taken over yet
FINISHED = (TrialStatus.COMPLETED, TrialStatus.FAILED, TrialStatus.PRUNED)


def take_over_import(oracle: Oracle, storage: Storage, settings: dict[str, Any]) -> bool:
    """If ``storage`` holds an import no tuner has taken over, make its trials ``oracle``'s own
    and return True (see the module docstring); otherwise return False and change nothing."""
    stored = storage.get_settings()
    if not stored or MARK not in stored or storage.get_oracle_state() is not None:
        return False
    imported = stored[MARK]
    if oracle.objective.get_config() != imported["objective"]:
        raise ConfigurationError(
            f"the project was imported from keras-tuner with the objective "
            f"{imported['objective']}; this tuner's is {oracle.objective.get_config()}. Use the "
            "same objective, or import again with objective=...")
    known = {p.name for p in oracle.hyperparameters.space}
    space = HyperParameters.from_config(imported["space"]).space
    oracle.hyperparameters.merge([p for p in space if p.name not in known])
    oracle.adopt(storage.trials(FINISHED), storage.all_epoch_metrics())
    storage.set_settings(settings)
    storage.set_oracle_state(oracle.state_dict())
    return True
