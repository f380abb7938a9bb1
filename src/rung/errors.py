"""Exceptions raised by rung.

The tree::

    RungError                      base of every error rung raises on purpose
    ├── SearchSpaceError (ValueError)   an invalid hyperparameter definition
    │   ├── SearchSpaceTypeError (TypeError)  values of the wrong type (keras-tuner: TypeError)
    │   ├── SearchSpaceConflictError  a name declared again with another definition under the
    │   │                           same conditions (in this run or an earlier run of the
    │   │                           project); raised in a job, it stops the search at once
    │   └── NewEntriesError (RuntimeError)  a trial declared a hyperparameter the space lacks
    │                               while ``allow_new_entries=False`` (keras-tuner: RuntimeError)
    ├── ConfigurationError (ValueError) a tuner/oracle argument that cannot work, or a resume
    │   │                               whose settings differ from the stored project
    │   ├── ArgumentTypeError (TypeError)  an argument of the wrong type (also a
    │   │                               ConfigurationError, so one except clause catches both)
    │   ├── ProjectMismatchError (RuntimeError)  an existing project was made with other
    │   │                               settings (keras-tuner raises a RuntimeError here)
    │   ├── SearchDataError (RuntimeError)  data given to ``search`` that no trial could train
    │   │                               on (keras-tuner: a RuntimeError after failed trials)
    │   ├── ObjectiveNotReportedError (RuntimeError)  the project's first finished trial did
    │   │                               not report the objective (a misspelt name, say)
    │   └── ProjectError             a path that holds no rung project, or a project this
    │                                   rung cannot read (written by a newer version)
    ├── FatalError                 raised by user code: stop the whole search at once
    │   ├── FatalValueError, FatalTypeError, FatalRuntimeError
    ├── TooManyFailedTrialsError (RuntimeError)  max_consecutive_failed_trials reached
    ├── ProjectInUseError (RuntimeError)  another live driver holds the project's driver lock
    │                               (or took it over from this one); the message names it
    ├── ProjectWriteError (OSError)  the project database could not be written (disk full,
    │                               locked too long by another process, read-only); rolled back
    ├── UnknownTrialError (KeyError)  a trial id that is not in the project (the message
    │                               names it and the ids there are)
    ├── CheckpointCorruptError (ValueError)  a checkpoint file is truncated or not rung's
    ├── CheckpointMissingError (FileNotFoundError)  a trial's model cannot be loaded: its
    │                               checkpoint was deleted (keep_checkpoints) or never written
    └── WorkerLostError (RuntimeError)  the worker running a job died or was lost (the attempt
        │                               counts as failed and is retried)
        └── JobTimeoutError          a job ran longer than ``job_timeout`` and was killed

Ctrl-C during ``search``::

    SearchInterrupted (SystemExit, KeyboardInterrupt)  uncaught, the process exits with status
                                   130 without a traceback; ``except KeyboardInterrupt`` catches
                                   it, as keras-tuner's re-raised KeyboardInterrupt

Control flow for user code (not errors of rung itself):

    FailedTrialError   raise in a training function: the trial fails, without retries
    TrialPruned        raised by ``trial.report`` when a stopping scheduler stops the trial
"""

from __future__ import annotations

__all__ = [
    "ArgumentTypeError",
    "CheckpointCorruptError",
    "CheckpointMissingError",
    "ConfigurationError",
    "FailedTrialError",
    "FatalError",
    "FatalRuntimeError",
    "FatalTypeError",
    "FatalValueError",
    "JobTimeoutError",
    "NewEntriesError",
    "ObjectiveNotReportedError",
    "ProjectError",
    "ProjectInUseError",
    "ProjectMismatchError",
    "ProjectWriteError",
    "RungError",
    "SearchDataError",
    "SearchInterrupted",
    "SearchSpaceConflictError",
    "SearchSpaceError",
    "SearchSpaceTypeError",
    "TooManyFailedTrialsError",
    "TrialPruned",
    "UnknownTrialError",
    "WorkerLostError",
]


class RungError(Exception):
    """Base class of the errors rung raises on purpose."""


class SearchSpaceError(RungError, ValueError):
    """A hyperparameter definition is invalid or conflicts with an earlier one."""


class SearchSpaceTypeError(SearchSpaceError, TypeError):
    """A hyperparameter's values have the wrong type (a ``Choice`` mixing types, say)."""


class SearchSpaceConflictError(SearchSpaceError):
    """A hyperparameter is declared again, under the same conditions, with another definition.

    The declaration is the training code's, not the configuration's: every job that reaches it
    fails the same way, so raised in a job it stops the search at once and the job is not
    counted as failed (it runs again when the search is resumed with the code fixed)."""


class NewEntriesError(SearchSpaceError, RuntimeError):
    """A trial declared a hyperparameter outside the space while ``allow_new_entries=False``."""


class ConfigurationError(RungError, ValueError):
    """An argument cannot work, or differs from the settings stored in the project."""


class ArgumentTypeError(ConfigurationError, TypeError):
    """An argument has the wrong type (see ``rung.validation``)."""


class ProjectMismatchError(ConfigurationError, RuntimeError):
    """An existing project was created with other settings than the tuner's."""


class SearchDataError(ConfigurationError, RuntimeError):
    """The data given to ``search`` cannot work (e.g. 1-D ``X`` for a scikit-learn model)."""


class ObjectiveNotReportedError(ConfigurationError, RuntimeError):
    """The first trial of a project to finish did not report the objective: the search stops
    there rather than spend more trainings (keras-tuner: a RuntimeError after failed trials)."""


class ProjectError(ConfigurationError):
    """A path holds no rung project (or is not a rung database), or the project was written
    by a newer rung (a newer storage schema); the message names the path and what was expected."""


class FatalError(RungError):
    """Raised by user code to stop the search immediately (no retries)."""


class FatalValueError(FatalError, ValueError):
    """A fatal ``ValueError``."""


class FatalTypeError(FatalError, TypeError):
    """A fatal ``TypeError``."""


class FatalRuntimeError(FatalError, RuntimeError):
    """A fatal ``RuntimeError``."""


class TooManyFailedTrialsError(RungError, RuntimeError):
    """``max_consecutive_failed_trials`` trials failed in a row."""


class ProjectInUseError(RungError, RuntimeError):
    """Another search process (driver) holds the project: its host, pid and start are named.
    Raised when a second driver starts, and in a driver whose lock was taken over."""


class ProjectWriteError(RungError, OSError):
    """The project's database could not be written: the disk is full, another process held a
    write lock longer than the timeout, or the project is read-only. The failed change was
    rolled back; everything recorded before is intact, and running the search again resumes."""


class UnknownTrialError(RungError, KeyError):
    """No trial of the project has this id (a ``KeyError``, as keras-tuner's ``get_trial``)."""

    def __str__(self) -> str:  # KeyError would show the message quoted, as a repr
        return str(self.args[0]) if self.args else ""


class CheckpointCorruptError(RungError, ValueError):
    """A checkpoint file cannot be read back: it was truncated or replaced. The job that
    continues from it fails (with this message) rather than train from a wrong state."""


class CheckpointMissingError(RungError, FileNotFoundError):
    """A trial's checkpoint is not on disk: ``keep_checkpoints`` deleted it, or the trial never
    wrote one; the message says which, and how to keep more."""


class WorkerLostError(RungError, RuntimeError):
    """The worker process, thread or node running a job died or was lost (e.g. out of memory)."""


class JobTimeoutError(WorkerLostError):
    """A job ran longer than ``job_timeout`` seconds; its worker was stopped."""


class FailedTrialError(Exception):
    """Raise in a training function to mark the trial failed without retrying it."""


class TrialPruned(Exception):  # noqa: N818 - the name users know from the field
    """Raised by ``trial.report`` when the scheduler stops the trial early."""


class SearchInterrupted(SystemExit, KeyboardInterrupt):
    """Ctrl-C stopped ``search`` (its one line is printed; the project is saved). A
    ``SystemExit`` with code 130 (the shell's status for SIGINT), so an uncaught one ends the
    process without a traceback from inside the job, and a ``KeyboardInterrupt``, so a
    keras-tuner script's ``except KeyboardInterrupt:`` around ``search`` still catches it and
    goes on (with ``tuner.get_best_hyperparameters()``, say)."""

    def __init__(self, message: str, status: int = 130) -> None:
        super().__init__(status)
        self.message = message

    def __str__(self) -> str:
        return self.message
