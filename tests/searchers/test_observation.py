"""``Observation`` refuses malformed fields when it is made, before a searcher learns from it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rung.errors import ArgumentTypeError, ConfigurationError
from rung.searchers import GPSearcher, KDESearcher, Observation
from rung.trial_record import TrialStatus


def _make(**changed: Any) -> Observation:
    fields: dict[str, Any] = {"trial_id": "00000", "values": {"x": 0.1}, "budget": 3,
                              "loss": 0.5, "status": TrialStatus.COMPLETED}
    return Observation(**{**fields, **changed})


def test_a_status_given_by_name_becomes_the_member() -> None:
    report = _make(status="RUNNING")
    assert report.status is TrialStatus.RUNNING and not report.final
    assert _make(status="PRUNED").status is TrialStatus.PRUNED


def test_a_report_given_by_name_is_not_learnt_as_a_final_result() -> None:
    # "RUNNING" == TrialStatus.RUNNING (a str enum), but it was taken as a final result
    searcher = GPSearcher()
    searcher.observe(_make(status="RUNNING"))
    assert searcher._data.counts() == {}


def test_numpy_numbers_are_plain_ones() -> None:
    observation = _make(budget=np.int64(3), loss=np.float32(0.25))
    assert type(observation.budget) is int and type(observation.loss) is float
    assert observation.loss == 0.25


@pytest.mark.parametrize(("field", "value", "error", "words"), [
    ("status", "DONE", ConfigurationError, "RUNNING, COMPLETED, PRUNED, FAILED"),
    ("status", TrialStatus.INVALID, ConfigurationError, "a TrialStatus"),
    ("status", 1, ArgumentTypeError, "a TrialStatus"),
    ("loss", float("nan"), ConfigurationError, "a finite number or None"),
    ("loss", float("inf"), ConfigurationError, "a finite number or None"),
    ("loss", "0.5", ArgumentTypeError, "a finite number or None"),
    ("loss", True, ArgumentTypeError, "a finite number or None"),
    ("budget", -1, ConfigurationError, "an integer >= 0"),
    ("budget", None, ArgumentTypeError, "an integer >= 0"),
    ("budget", 2.0, ArgumentTypeError, "an integer >= 0"),
    ("trial_id", 7, ArgumentTypeError, "a str"),
    ("values", [("x", 0.1)], ArgumentTypeError, "a mapping"),
])
def test_a_malformed_field_is_refused_naming_it(field: str, value: Any,
                                               error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=rf"Observation {field} must be .*{words}.*got"):
        _make(**{field: value})


def test_a_failed_observation_has_no_loss() -> None:
    with pytest.raises(ConfigurationError, match="loss must be None for a FAILED observation"):
        _make(status=TrialStatus.FAILED, loss=1.0)
    assert _make(status="FAILED", loss=None).loss is None


def test_a_nan_loss_never_reaches_the_kde() -> None:
    # before: a COMPLETED observation with a NaN loss was kept as a result, and ranked anywhere
    searcher = KDESearcher()
    with pytest.raises(ConfigurationError):
        searcher.observe(_make(loss=float("nan")))
    assert searcher._counts() == {}
