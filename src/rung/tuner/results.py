"""What a tuner answers after (or during) a search: best trials, models, summaries.

keras-tuner's result methods, shared by every tuner (``BaseTuner`` inherits them). They read the
oracle, storage and checkpoints only; integrations that train a model of their framework
override ``load_model``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rung.checkpoints import CheckpointStore
from rung.hyperparameters import HyperParameters
from rung.optional import import_optional
from rung.oracles.base import Oracle
from rung.storage import Storage
from rung.storage.table import BASE_COLUMNS, trial_rows
from rung.trial import Trial
from rung.tuner.cleanup import CheckpointCleanup
from rung.tuner.summary import print_results, print_search_space
from rung.validation import check_instance, check_int

__all__ = ["TunerResults"]


class TunerResults:
    """keras-tuner's result methods (mixed into ``BaseTuner``)."""

    oracle: Oracle
    storage: Storage
    checkpoints: CheckpointStore
    checkpoint_cleanup: CheckpointCleanup
    directory: Path
    project_name: str

    @property
    def project_dir(self) -> Path:
        """Where the project lives: ``directory/project_name``."""
        return self.directory / self.project_name

    def get_best_hyperparameters(self, num_trials: int = 1) -> list[HyperParameters]:
        """The hyperparameters of the best trials, best first."""
        return [t.hyperparameters for t in self.oracle.get_best_trials(num_trials)]

    def load_model(self, trial: Trial) -> Any:
        """The trained model of ``trial``. Framework integrations build it (``rung.Tuner`` a
        Keras model, ``SklearnTuner`` an estimator); a tuner that trains a function returns what
        the trial's ``run_trial`` saved with ``trial.save_checkpoint`` (a state dict, a fitted
        estimator, ...), the trial's last saved state.

        Raises ``rung.errors.CheckpointMissingError`` naming the reason when there is none: the
        trial saved nothing, or ``keep_checkpoints`` deleted it."""
        check_instance("trial", trial, Trial,
                       "a rung.Trial, e.g. one of tuner.oracle.get_best_trials()")
        saved = self.checkpoints.load(trial.trial_id)
        if saved is None:
            raise self.checkpoint_cleanup.missing_error(trial)
        return saved

    def get_best_models(self, num_models: int = 1) -> list[Any]:
        """The best ``num_models`` trained models, best first (see ``load_model``).

        Retraining the best hyperparameters on all the data is often better still; they come from
        ``get_best_hyperparameters``.
        """
        check_int("num_models", num_models, 1)
        return [self.load_model(t) for t in self.oracle.get_best_trials(num_models)]

    @property
    def remaining_trials(self) -> int | None:
        """Jobs the plan still has to start (None when unbounded; 0 once the search is over,
        also when it ended early because the search space ran out)."""
        planned = self.oracle.budget().jobs
        if not planned:
            return None
        if self.oracle.finished:
            return 0
        return max(0, planned - self.storage.count_trials())

    def trials_dataframe(self) -> Any:
        """Every job of the project as a ``pandas.DataFrame``, one row per job, in creation
        order: the table ``rung trials DIR`` prints (columns: ``rung.storage.table``; the
        hyperparameters are ``hp.<name>`` columns, the metrics ``metric.<name>``). Needs pandas
        (``pip install pandas``); ``trial_id`` is the index."""
        pandas = import_optional("pandas", "pandas", "tuner.trials_dataframe()")
        rows = trial_rows(self.storage)
        frame = pandas.DataFrame(rows, columns=list(rows[0]) if rows else list(BASE_COLUMNS))
        return frame.set_index("trial_id")

    def search_space_summary(self, extended: bool = False) -> None:
        """Print the search space."""
        print_search_space(self.oracle)

    def results_summary(self, num_trials: int = 10) -> None:
        """Print the best trials."""
        check_int("num_trials", num_trials, 0)
        print_results(self.oracle, self.project_dir, num_trials)
