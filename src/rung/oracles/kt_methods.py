"""keras-tuner's oracle methods, on top of rung's ask/tell (a base of every ``rung.oracles.Oracle``).

keras-tuner code drives an oracle by hand with ``create_trial`` / ``update_trial`` /
``end_trial``; rung's tuners use ``ask`` / ``tell`` (``rung.oracles.base``). This adapter maps one
onto the other, so both work on every oracle::

    trial = oracle.create_trial("tuner0")           # ask(); the same trial again for that tuner
    oracle.update_trial(trial.trial_id, {"val_loss": 0.3}, step=1)   # an epoch's metrics
    oracle.end_trial(trial)                         # tell(), with the best step's metrics

A trial whose status is ``INVALID`` at ``end_trial`` is handed out again (the same id) while
``max_retries_per_trial`` allows; ``FAILED`` is final. ``max_consecutive_failed_trials`` failures
in a row raise ``TooManyFailedTrialsError`` (a ``RuntimeError``).

Inside a rung tuner the tuner calls ``ask``/``tell`` itself: these methods are for code that
drives an oracle directly, and for custom oracles (``rung.oracles.custom``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rung.errors import TooManyFailedTrialsError
from rung.executors.running import running_trial
from rung.hyperparameters import HyperParameters, values_key
from rung.oracles._define_by_run import with_pending_defaults
from rung.oracles.kt_project import OracleProject
from rung.trial import Trial
from rung.trial_record import TrialRecord, TrialStatus, creation_order
from rung.validation import fail_type, fail_value

if TYPE_CHECKING:
    import numpy as np

    from rung.objective import MultiObjective, Objective
    from rung.oracles.schedule import Budget
    from rung.oracles.suggestion import Suggestion
    from rung.searchers import Searcher

__all__ = ["KerasTunerOracleMethods", "status_name"]


def status_name(status: object) -> str:
    """A trial status (a ``TrialStatus``, a keras-tuner status or a string) as its upper-case name;
    keras-tuner's old spelling ``"COMPLETE"`` is ``"COMPLETED"``."""
    name = str(getattr(status, "value", status)).upper()
    return "COMPLETED" if name == "COMPLETE" else name


def _status(name: str) -> Any:
    """The ``TrialStatus`` member called ``name`` (keras-tuner's ``IDLE``/``STOPPED`` where rung's
    enum has them), else the name itself (a ``str`` compares equal to a ``str`` enum member)."""
    return getattr(TrialStatus, name, name)


class KerasTunerOracleMethods(OracleProject):
    """keras-tuner's ``Oracle`` methods (see the module docstring; a project directory for an
    oracle driven by hand: ``rung.oracles.kt_project``)."""

    hyperparameters: HyperParameters
    objective: Objective | MultiObjective
    max_retries_per_trial: int
    max_consecutive_failed_trials: int
    searcher: Searcher
    _rng: np.random.Generator
    _pending: dict[str, Suggestion]
    _finished_trials: dict[str, TrialRecord]

    if TYPE_CHECKING:  # implemented by rung.oracles.Oracle
        def ask(self) -> Suggestion | None: ...
        def tell(self, trial_id: str, metrics: float | Mapping[str, float],
                 values: Mapping[str, Any] | None = None, *, epochs_reached: int | None = None,
                 status: TrialStatus = TrialStatus.COMPLETED) -> TrialRecord: ...
        def tell_failed(self, trial_id: str, error: str = "", values: Any = None) -> TrialRecord: ...
        def on_report(self, trial_id: str, epoch: int, metrics: Mapping[str, float]) -> bool: ...
        def budget(self) -> Budget: ...
        def state_dict(self) -> dict[str, Any]: ...
        def load_state_dict(self, state: Any, history: Any = (), reports: Any = ()) -> None: ...
        @property
        def finished(self) -> bool: ...

    def _kt(self) -> dict[str, Any]:
        """The hand-driving bookkeeping (made on first use; not part of the saved state)."""
        book = self.__dict__.get("_kt_book")
        if book is None:
            book = self.__dict__["_kt_book"] = {
                "ongoing": {}, "trials": {}, "reports": {}, "retries": [], "attempts": {},
                "failed_in_a_row": 0}
        return book

    # --- the search space ------------------------------------------------------------------------
    def get_space(self) -> HyperParameters:
        """A copy of the search space as the oracle knows it now."""
        return self.hyperparameters.copy()

    def populate_space(self, trial_id: str) -> Mapping[str, Any]:
        """keras-tuner's hook, answered by this oracle's searcher: values for the current space
        (``{"status": "RUNNING", "values": ...}``), or ``{"status": "STOPPED"}`` when it has no
        new configuration. It starts no trial (``create_trial`` does). Custom oracles override
        it (``rung.oracles.custom``)."""
        seen = {values_key(s.values) for s in self._pending.values()}
        seen.update(values_key(r.values) for r in self._finished_trials.values())
        seen = with_pending_defaults(self.hyperparameters, seen,
                                     (s.values for s in self._pending.values()))
        values = self.searcher.suggest(self.hyperparameters, self._rng, seen)
        if values is None:
            return {"status": _status("STOPPED"), "values": None}
        return {"status": TrialStatus.RUNNING, "values": values}

    def _overrides_populate_space(self) -> bool:
        """Whether a subclass writes its own ``populate_space`` (then the scheduler asks it)."""
        return type(self).populate_space is not KerasTunerOracleMethods.populate_space

    def _ask_populate_space(self, trial_id: str) -> tuple[str, dict[str, Any] | None]:
        """``populate_space(trial_id)``, checked: ``(status name, values or None)``."""
        response = self.populate_space(trial_id)
        if not isinstance(response, Mapping) or "status" not in response:
            raise fail_type("populate_space's result", "a dict with 'status' (and 'values')",
                            response)
        status = status_name(response["status"])
        if status not in ("RUNNING", "IDLE", "STOPPED"):
            raise fail_value("populate_space's 'status'", "'RUNNING', 'IDLE' or 'STOPPED'",
                             response["status"])
        if status != "RUNNING":
            return status, None
        values = response.get("values")
        if not isinstance(values, Mapping):
            raise fail_type("populate_space's 'values'", "a dict of hyperparameter values",
                            values)
        return status, dict(values)

    @property
    def start_order(self) -> list[str]:
        """keras-tuner's ids of the trials started so far (finished and running), in order."""
        return sorted({*self._finished_trials, *self._pending}, key=creation_order)

    @property
    def end_order(self) -> list[str]:
        """keras-tuner's ids of the finished trials, in the order they ended (after a reload:
        the order storage gives)."""
        return list(self._finished_trials)

    def remaining_trials(self) -> int | None:
        """Trials the plan still has to start (None when unbounded; 0 once finished)."""
        if self.finished:
            return 0
        planned = self.budget().jobs
        if not planned:
            return None
        return max(0, planned - len(self._finished_trials) - len(self._pending))

    # --- driving the oracle by hand --------------------------------------------------------------
    @property
    def ongoing_trials(self) -> dict[str, Trial]:
        """The trials handed out by ``create_trial`` and not yet ended, by tuner id."""
        book = self._kt()
        return {tuner: book["trials"][tid] for tuner, tid in book["ongoing"].items()}

    def create_trial(self, tuner_id: str) -> Trial:
        """A trial for the tuner ``tuner_id``: the one it already runs, a trial to retry, or a new
        one. When there is none, the trial's status is ``STOPPED`` (the search is over) or
        ``IDLE`` (wait for running trials to end)."""
        book = self._kt()
        current = book["ongoing"].get(tuner_id)
        if current is not None and current in self._pending:
            ongoing: Trial = book["trials"][current]
            return ongoing
        if book["retries"]:
            trial_id = book["retries"].pop(0)
        else:
            suggestion = self.ask()
            if suggestion is None:
                status = "STOPPED" if self.finished or not self._pending else "IDLE"
                record = _record_stub(f"{status.lower()}-{tuner_id}", _status(status))
                return Trial(record, self.hyperparameters.copy(), self.objective)
            trial_id = suggestion.trial_id
            book["trials"][trial_id] = self._live_trial(trial_id)
            self._stored_start(suggestion.to_record())
        book["ongoing"][tuner_id] = trial_id
        book["reports"][trial_id] = []
        trial: Trial = book["trials"][trial_id]
        return trial

    def _live_trial(self, trial_id: str) -> Trial:
        suggestion = self._pending[trial_id]
        return Trial(suggestion.to_record(),
                     self.hyperparameters.clone_with_values(suggestion.values), self.objective)

    def update_trial(self, trial_id: str, metrics: Mapping[str, Any], step: int = 0) -> Any:
        """Record ``metrics`` of a running trial at ``step`` (an epoch); returns the trial's status:
        ``RUNNING``, or ``STOPPED`` when the oracle wants it stopped early.

        Called from a tuner's ``run_trial`` during a search (deprecated in keras-tuner, which
        warns), it reports to the running trial: ``trial.report(step + 1, **metrics)``.
        """
        live = running_trial(trial_id)
        if live is not None:
            return _report_to_running(live, self.objective.name, metrics, step)
        if trial_id not in self._pending:
            running = sorted(self._pending, key=creation_order)
            raise KeyError(f"trial_id {trial_id!r} is not running; running: {running}")
        if not isinstance(metrics, Mapping):
            metrics = {self.objective.name: metrics}
        try:
            self.objective.value(metrics)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"Objective value missing in the metrics reported for trial {trial_id}: "
                f"{exc}") from None
        clean = {str(k): float(v) for k, v in metrics.items()}
        self._kt()["reports"].setdefault(trial_id, []).append((int(step), clean))
        self._stored_report(trial_id, int(step), clean)
        keep = self.on_report(trial_id, int(step), clean)
        return TrialStatus.RUNNING if keep else _status("STOPPED")

    def score_trial(self, trial: Trial) -> None:  # noqa: B027 - an optional hook
        """Hook called by ``end_trial`` before a completed trial's result is recorded."""

    def end_trial(self, trial: Trial | str, status: object = None) -> None:
        """End a trial handed out by ``create_trial``.

        Its status (``trial.status``, or ``status`` with a trial id) decides: ``COMPLETED`` (or
        ``RUNNING``) records the metrics of its best ``update_trial`` step; ``INVALID`` re-runs it
        while ``max_retries_per_trial`` allows, then fails it; ``FAILED`` fails it.
        """
        book = self._kt()
        trial_id = trial if isinstance(trial, str) else trial.trial_id
        live = book["trials"].get(trial_id)
        if trial_id not in self._pending or live is None:
            raise KeyError(f"trial_id {trial_id!r} was not handed out by create_trial, or ended")
        given = trial if isinstance(trial, Trial) else live
        name = status_name(status if status is not None else given.status)
        values = given.hyperparameters.values
        for tuner, tid in list(book["ongoing"].items()):
            if tid == trial_id:
                del book["ongoing"][tuner]
        message = str(getattr(given, "message", "") or "")
        if name in ("INVALID", "FAILED"):
            self._end_failed(trial_id, name, message, values)
            return
        self.score_trial(given)
        best = self._best_report(book["reports"].pop(trial_id, []))
        if best is None:
            self._end_failed(trial_id, "FAILED", "no metrics reported (update_trial)", values)
            return
        record = self.tell(trial_id, best, values)
        self._stored_end(record)
        book["trials"].pop(trial_id, None)
        book["failed_in_a_row"] = 0 if record.loss is not None else book["failed_in_a_row"]

    def _end_failed(self, trial_id: str, name: str, message: str, values: Any) -> None:
        book = self._kt()
        attempts = book["attempts"].get(trial_id, 0)
        book["reports"].pop(trial_id, None)
        if name == "INVALID" and attempts < self.max_retries_per_trial:
            book["attempts"][trial_id] = attempts + 1
            book["retries"].append(trial_id)  # the next create_trial hands it out again
            return
        book["trials"].pop(trial_id, None)
        self._stored_end(self.tell_failed(trial_id, message or name, values))
        book["failed_in_a_row"] += 1
        if book["failed_in_a_row"] >= self.max_consecutive_failed_trials:
            raise TooManyFailedTrialsError(
                f"Number of consecutive failures exceeded the limit of "
                f"{self.max_consecutive_failed_trials} (max_consecutive_failed_trials). "
                f"The last error: {message or name}")

    def _best_report(self, reports: list[tuple[int, dict[str, float]]]) -> dict[str, float] | None:
        """The metrics of the step with the best objective (the last one if none is finite)."""
        if not reports:
            return None
        best = min(reports, key=lambda r: (_finite_loss(self.objective, r[1]), -r[0]))
        return best[1]

    # --- state ---------------------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        """The oracle's state as JSON data (``state_dict()``)."""
        return self.state_dict()

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Restore ``get_state()`` output; the finished trials this oracle knows are kept."""
        self.load_state_dict(state, list(self._finished_trials.values()))


def _finite_loss(objective: Objective | MultiObjective, metrics: Mapping[str, float]) -> float:
    loss = objective.loss(metrics)
    return loss if math.isfinite(loss) else math.inf


def _record_stub(trial_id: str, status: Any) -> TrialRecord:
    return TrialRecord(trial_id=trial_id, values={}, status=status)


def _report_to_running(trial: Trial, objective: str, metrics: Any, step: int) -> TrialStatus:
    """``update_trial`` inside ``run_trial`` during a search: keras-tuner's warning, then
    ``trial.report`` (its ``TrialPruned`` stops the trial when the scheduler says so)."""
    warnings.warn(
        "The use of `Oracle.update_trial` inside `Tuner.run_trial` is deprecated (as in "
        "keras-tuner). Please remove the call and return the metrics from `run_trial` instead "
        "(a number, a dict, a Keras History, or a list of those).",
        DeprecationWarning,
        stacklevel=3,
    )
    if not isinstance(metrics, Mapping):
        metrics = {objective: metrics}
    trial.report(int(step) + 1, **{str(name): value for name, value in metrics.items()})
    return TrialStatus.RUNNING
