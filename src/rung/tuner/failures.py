"""When failed trials end a search: the errors the tuner raises, with the last failure in them.

Two rules, checked by the tuner:

* ``max_consecutive_failed_trials`` jobs failed in a row: the search stops at once
  (:func:`consecutive_failures_error`);
* the search ended (plan done, space exhausted, budget spent) and no trial of the project has a
  result, only failures: the search did not succeed, whatever the oracle and however few trials
  there were (:func:`no_result_error`). A project resumed after a fix says how to go on.

Both raise :class:`rung.errors.TooManyFailedTrialsError` whose message ends with the last
failure's error (the traceback the training function raised).
"""

from __future__ import annotations

from pathlib import Path

from rung.errors import (
    ObjectiveNotReportedError,
    SearchSpaceError,
    SearchSpaceTypeError,
    TooManyFailedTrialsError,
)
from rung.executors._remote import WORKERS_CANNOT_IMPORT
from rung.storage import Storage
from rung.trial_record import TrialStatus

__all__ = ["GO_ON", "NOT_FINITE", "STALE_CODE", "bad_declaration_error",
           "consecutive_failures_error", "last_error", "no_result_error",
           "objective_not_reported_error"]

NOT_FINITE = "objective is not a finite number"
"""The error of a job that ran but whose objective is NaN or infinite (a diverged configuration)."""

GO_ON = (
    "Fix the training function, then run search(retry_failed=True) to clear the failed trials "
    "and run the search again from its start, or pass overwrite=True to the tuner to start a new "
    "project."
)


def last_error(storage: Storage, trial_id: str) -> str:
    """The error of the last failed attempt of ``trial_id``."""
    attempts = storage.failures(trial_id)
    return attempts[-1][2] if attempts else (storage.get_trial(trial_id).error or "")


STALE_CODE = (
    "The jobs ran on a cluster, whose workers keep the training module they imported first: if "
    "you changed the training function (its arguments, say) since they started, restart them "
    "(Dask: client.restart()) and run the search again (docs/scale-out.md)."
)
"""Added where a cluster's job failed with a TypeError about the call's arguments, although
the call was checked against the driver's copy of the function before the first job."""


def _stale_code(error: str) -> bool:
    last = error.strip().splitlines()[-1] if error.strip() else ""
    return last.startswith("TypeError") and "argument" in last


def _for_the_error(error: str, go_on: str) -> str:
    """``go_on`` with its first step fitted to ``error``: where the cluster's workers could not
    import the training code, the function needs no fix; its module must reach them."""
    if WORKERS_CANNOT_IMPORT in error:
        return go_on.replace("Fix the training function",
                             "Make its module importable by the workers (above)", 1)
    return go_on


def consecutive_failures_error(storage: Storage, trial_id: str, count: int,
                               limit: int, on_cluster: bool = False) -> TooManyFailedTrialsError:
    with_result = (storage.count_trials(TrialStatus.COMPLETED)
                   or storage.count_trials(TrialStatus.PRUNED))
    go_on = GO_ON if not with_result else (
        "Fix the training function and run the script again: the search resumes where it "
        "stopped (the failed trials stay in the project as failed).")
    error = last_error(storage, trial_id)
    if NOT_FINITE in error:  # the function ran; its objective was NaN or infinite
        go_on = ("If the training diverged for these values rather than because of a bug, "
                 "narrow the search space or raise max_consecutive_failed_trials. " + go_on)
    elif with_result:  # the function works for other values: these may fail by design
        go_on = ("If these values fail by design (too large a model for the memory, say) rather "
                 "than because of a bug, raise rung.FailedTrialError for them in the training "
                 "function (once a trial has completed, those failures do not stop the search), "
                 "or raise max_consecutive_failed_trials. " + go_on)
    if on_cluster and _stale_code(error):
        go_on = STALE_CODE + " " + go_on
    go_on = _for_the_error(error, go_on)
    return TooManyFailedTrialsError(
        f"{count} trials failed in a row (max_consecutive_failed_trials={limit}). "
        f"The last one, trial {trial_id}, failed with:\n{error}\n{go_on}"
    )


def no_result_error(storage: Storage, project_dir: Path,
                    ran: int) -> TooManyFailedTrialsError | None:
    """The error for a search that ended with failed trials and no completed one, else None.

    ``ran`` is the number of jobs this ``search`` call finished: 0 means that the stored trials
    (of an earlier run) are the ones that failed.
    """
    if storage.count_trials(TrialStatus.COMPLETED) or storage.count_trials(TrialStatus.PRUNED):
        return None
    failed = storage.trials(TrialStatus.FAILED)
    if not failed:
        return None
    last = failed[-1].trial_id
    error = last_error(storage, last)
    if ran:
        what = f"the search ended without a single completed trial: all {len(failed)} trials failed"
    else:
        what = (f"the project {str(project_dir)!r} has no completed trial: its {len(failed)} stored "
                "trials all failed, and this search had nothing left to run")
    return TooManyFailedTrialsError(
        f"{what}. The last one, trial {last}, failed with:\n{error}\n"
        f"{_for_the_error(error, GO_ON)}")


def objective_not_reported_error(storage: Storage, trial_id: str,
                                 objective: str) -> ObjectiveNotReportedError | None:
    """The error that stops a search whose first finished job ran but did not report the
    objective (a misspelt ``objective=``, say), else None: every later job would fail the same
    way, and each costs a training. Once a job of the project has reported the objective, one
    that does not is that job's failure only."""
    if storage.count_trials(TrialStatus.COMPLETED) or storage.count_trials(TrialStatus.PRUNED):
        return None
    returned = ""
    if any(objective in metrics for _, metrics in storage.epoch_metrics(trial_id)):
        returned = (f" Its trial.report calls did report {objective!r}, but a returned dict is "
                    "the job's result in their place: return None to take the best reported "
                    f"epoch, or put {objective!r} in the returned dict.")
    return ObjectiveNotReportedError(
        f"The search stopped after its first finished trial, {trial_id}, because it did not "
        f"report the objective {objective!r}; every trial would fail the same way. "
        f"{last_error(storage, trial_id)}{returned}\nFix objective= (or what the training "
        f"function reports), then run again with overwrite=True, or with "
        f"search(retry_failed=True) to run the failed trial again.")


def bad_declaration_error(storage: Storage, trial_id: str,
                          exc: BaseException | None) -> SearchSpaceError | None:
    """The error that stops a search whose first finished job failed declaring a hyperparameter
    (``hp.Float("lr", 0.1, 1e-4)``, ``sampling="logarithmic"``: a ``SearchSpaceError`` raised in
    the training function), else None: every job would fail the same way, so one failure says
    it, not ``max_consecutive_failed_trials`` of them. Once a job has a result, such a failure
    is that configuration's (a range computed from other values): the job fails, the search
    goes on."""
    if not isinstance(exc, SearchSpaceError) or (
            storage.count_trials(TrialStatus.COMPLETED) or storage.count_trials(TrialStatus.PRUNED)):
        return None
    kind = SearchSpaceTypeError if isinstance(exc, TypeError) else SearchSpaceError
    return kind(
        f"The search stopped after its first finished trial, {trial_id}, because its training "
        f"function declared a hyperparameter it cannot have; every trial would fail the same "
        f"way: {exc}\nFix the declaration, then run again with search(retry_failed=True) to "
        "run the failed trial again, or with overwrite=True.")
