"""The saved side of an oracle: the settings a resumed search must match, and its state.

``settings()`` says what defines a search; a stored project resumed with other settings is refused
(``incompatible_settings``), except for ``resumable_settings``. ``state_dict()`` is JSON and
bounded by the live work (see ``bounded_state``); ``load_state_dict(state, history, reports)``
restores it and replays the finished trials into the searcher. ``adopt`` takes trials run
elsewhere as a new oracle's history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters
from rung.oracles._history import history_observations
from rung.oracles._ranking import Ranking
from rung.oracles._state import STATE_VERSION, check_state
from rung.oracles.stop import Stop
from rung.oracles.suggestion import Suggestion
from rung.searchers import Searcher
from rung.trial_record import TrialRecord, creation_order

if TYPE_CHECKING:
    import numpy as np

    from rung.objective import MultiObjective, Objective
    from rung.searchers import Observation

__all__ = ["OraclePersistence", "changed_definitions"]


def changed_definitions(declared: HyperParameters, stored: HyperParameters) -> list[str]:
    """How ``declared`` redefines what ``stored`` holds: ``"'x' (stored Float(...), now
    Choice(...))"`` for each name declared under the same conditions with another definition.
    Names ``stored`` does not hold are not changes (a space grows as trials declare entries),
    nor is another ``default`` (it chose the first trial's value, which has run)."""
    held = {(p.name, p.conditions): p for p in stored.space}
    changed = []
    for p in declared.space:
        old = held.get((p.name, p.conditions))
        if old is not None and _definition(old) != _definition(p):
            changed.append(f"{p.name!r} (stored {old!r}, now {p!r})")
    return changed


def _definition(hp: Any) -> tuple[type, dict[str, Any]]:
    config = dict(hp.get_config())
    config.pop("default", None)
    return type(hp), config


class OraclePersistence:
    """Settings, ``state_dict`` and ``load_state_dict`` (a base of ``rung.oracles.Oracle``)."""

    objective: Objective | MultiObjective
    hyperparameters: HyperParameters
    searcher: Searcher
    seed: int | None
    stop: Stop | None
    _rng: np.random.Generator
    _next_id: int
    _pending: dict[str, Suggestion]
    _last_reports: dict[str, int]
    _reported_losses: dict[str, list[tuple[int, float]]]
    _finished_trials: dict[str, TrialRecord]
    _ranking: Ranking

    if TYPE_CHECKING:  # implemented by rung.oracles.Oracle
        @property
        def _observes(self) -> bool: ...
        def _scheduler_state(self) -> dict[str, Any]: ...
        def _load_scheduler_state(self, state: Mapping[str, Any]) -> None: ...
        def _replay(self, observations: Iterable[Observation]) -> None: ...

    bounded_state: ClassVar[bool] = True
    """True when ``state_dict()`` is bounded by the live work (open brackets, pending jobs, RNG),
    not by the number of finished trials; ``rung.testing.check_oracle`` checks it then. An oracle
    whose state must grow with the search declares False (ASHA: its rungs rank every result)."""

    # --- settings compared on resume -----------------------------------------------------------
    resumable_settings: frozenset[str] = frozenset({"seed"})
    """Settings that may change when a stored search is resumed."""
    added_settings: frozenset[str] = frozenset({"searcher", "searcher_options"})
    """Settings newer than some stored projects: compared only where the project stored them."""

    def settings(self) -> dict[str, Any]:
        """What defines this search; a resumed project must match (see ``resumable_settings``)."""
        return {
            "oracle": type(self).__name__,
            "objective": self.objective.get_config(),
            "seed": self.seed,
            "searcher": type(self.searcher).__name__,
            "searcher_options": self.searcher.settings(),
            **self._settings(),
        }

    def _settings(self) -> dict[str, Any]:
        return {}

    def incompatible_settings(
        self, stored: Mapping[str, Any], current: Mapping[str, Any]
    ) -> list[tuple[str, Any, Any]]:
        """``(name, stored, current)`` for every setting that differs and may not. Where the
        searcher itself changed, its options are not listed: each searcher has its own, so
        every one would differ and hide the one real change. An option the oracle passes on to
        its searcher (BOHB's ``min_agreement``, BayesianOptimization's ``alpha``) is listed once,
        under the oracle's name."""
        keys = sorted(set(stored) | set(current))
        other_searcher = "searcher" in stored and stored["searcher"] != current.get("searcher")
        diffs: list[tuple[str, Any, Any]] = []
        options: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None
        for k in keys:
            if (k in self.resumable_settings or stored.get(k) == current.get(k)
                    or (k not in stored and k in self.added_settings)
                    or (k == "searcher_options" and other_searcher)):
                continue
            a, b = stored.get(k), current.get(k)
            if k == "searcher_options" and isinstance(a, Mapping) and isinstance(b, Mapping):
                options = (a, b)
            else:
                diffs.append((k, a, b))
        if options is not None:
            a, b = options
            listed = list(diffs)  # values may be unhashable (an objective's config)
            diffs += [(f"searcher_options.{sub}", a.get(sub), b.get(sub))
                      for sub in sorted(set(a) | set(b))
                      if a.get(sub) != b.get(sub) and (sub, a.get(sub), b.get(sub)) not in listed]
        return diffs

    # --- persistence ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The oracle's full state as JSON-serialisable data (history excluded)."""
        return {
            "version": STATE_VERSION,
            "class": type(self).__name__,
            "rng": self._rng.bit_generator.state,
            "next_id": self._next_id,
            "stop": None if self.stop is None else self.stop.to_json(),
            "pending": [s.to_json() for s in self._pending.values()],
            "last_reports": dict(self._last_reports),  # pending jobs' last reported epochs
            "space": self.hyperparameters.get_config(),
            "searcher": self.searcher.state_dict(),
            "scheduler": self._scheduler_state(),
            "settings": self.settings(),  # load_state_dict refuses another search's state
        }

    def adopt(
        self,
        history: Iterable[TrialRecord],
        reports: Iterable[tuple[str, int, Mapping[str, float]]] = (),
    ) -> None:
        """Take finished trials run elsewhere as this (new) oracle's history: ranked, shown in
        results, replayed into the searcher; new trial ids follow theirs. Used for projects
        imported from keras-tuner (``rung.import_keras_tuner``). Schedulers that count trials
        count them (single-fidelity: toward ``max_trials``); brackets start afresh."""
        records = [r for r in history if r.status.is_finished]
        state = self.state_dict()
        ids = [int(r.trial_id) for r in records if r.trial_id.isdigit()]
        state["next_id"] = max([self._next_id, *(i + 1 for i in ids)])
        self.load_state_dict(state, records, reports)

    def load_state_dict(
        self,
        state: Mapping[str, Any],
        history: Iterable[TrialRecord] = (),
        reports: Iterable[tuple[str, int, Mapping[str, float]]] = (),
    ) -> None:
        """Restore ``state_dict()`` output.

        ``history`` is every finished trial from storage, in the order they were created;
        ``reports`` their ``(trial_id, epoch, metrics)`` in the same trial order, then by epoch
        (``Storage.all_epoch_metrics()``). Both are replayed into the searcher (see
        ``Searcher.replay``), then the pending jobs are started again for it.
        """
        check_state(state, type(self).__name__)
        stored = state.get("settings")  # None: saved before states carried them
        diffs = [] if stored is None else self.incompatible_settings(stored, self.settings())
        if diffs:
            shown = "; ".join(f"{k}: state {a!r}, this oracle {b!r}" for k, a, b in diffs)
            raise ConfigurationError(
                f"this state was saved by a {type(self).__name__} made with other settings "
                f"({shown}); load it into an oracle made alike")
        self._rng.bit_generator.state = state["rng"]
        self._next_id = int(state["next_id"])
        self.stop = Stop.from_json(state["stop"] if "stop" in state else state["stop_reason"])
        stored_space = HyperParameters.from_config(state["space"])
        changed = changed_definitions(self.hyperparameters, stored_space)
        if changed:
            raise ConfigurationError(
                f"this state was saved with other definitions of {', '.join(changed)} than the "
                f"`hyperparameters` this {type(self).__name__} was given; load it into an "
                "oracle with the same definitions (new names may be added)")
        self._pending = {s["trial_id"]: Suggestion(**s) for s in state["pending"]}
        self._last_reports = {str(t): int(e) for t, e in state.get("last_reports", {}).items()
                              if t in self._pending}  # absent from older states
        self._reported_losses = {}  # pending jobs' reports are not in the state: they are sent again
        self.hyperparameters = stored_space
        self.searcher.load_state_dict(state["searcher"])
        self._load_scheduler_state(state["scheduler"])
        self._finished_trials = {r.trial_id: r for r in history if r.status.is_finished}
        self._ranking = Ranking(self._finished_trials.values())
        if self._observes or type(self.searcher).replay is not Searcher.replay:
            self._replay(history_observations(
                self._finished_trials.values(), reports, self.objective))
        for suggestion in sorted(self._pending.values(), key=lambda s: creation_order(s.trial_id)):
            self.searcher.on_start(suggestion.trial_id, dict(suggestion.values), suggestion.epochs)
