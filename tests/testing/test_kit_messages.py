"""The kits catch an extension that changes what it is given or shares state between instances,
and every failure says what went wrong: a bare ``assert`` of a kit, an exception without a text,
an executor returning a result twice."""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any

import numpy as np
import pytest
from _user_extensions import Threads  # tests/testing/, importable by its conftest

from rung.executors import JobResult
from rung.hyperparameters import HyperParameters
from rung.searchers import Observation, RandomSearcher
from rung.storage import InMemoryStorage
from rung.testing import check_executor, check_searcher, check_storage, searcher_rules


# --- searchers that change what the oracle gave them ---------------------------------------
class FlipsTheJobsValues(RandomSearcher):
    """Changes the values ``on_start`` is given: the oracle's own dict, the job's values."""

    def on_start(self, trial_id: str, values: Mapping[str, Any], budget: int | None) -> None:
        if isinstance(values, dict) and "batch_norm" in values:
            values["batch_norm"] = not values["batch_norm"]


class ScribblesOnObservations(RandomSearcher):
    """Drops a value from each observation it is given (the stored trial's dict)."""

    def observe(self, observation: Observation) -> None:
        observation.values.pop("units", None)


class EmptiesExclude(RandomSearcher):
    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        values = super().suggest(space, rng, exclude, stream)
        if isinstance(exclude, set):
            exclude.clear()
        return values


class DeclaresIntoTheSpace(RandomSearcher):
    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        space.Int("extra", 0, 3)
        return super().suggest(space, rng, exclude, stream)


class ChangesWhatItReturned(RandomSearcher):
    """Keeps the dict it returned and changes it at the next call."""

    def __init__(self) -> None:
        super().__init__()
        self.last: dict[str, Any] | None = None

    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        if self.last is not None and "units" in self.last:
            self.last["units"] = 16
        self.last = super().suggest(space, rng, exclude, stream)
        return self.last


class SharesAClassAttribute(RandomSearcher):
    """Its history is a class attribute: every instance shares it."""

    seen: list[Observation] = []  # noqa: RUF012 - the bug under test

    def observe(self, observation: Observation) -> None:
        self.seen.append(observation)

    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        rng.random(len(self.seen) % 3)  # what it proposes depends on the shared history
        return super().suggest(space, rng, exclude, stream)


@pytest.mark.parametrize(("searcher", "message"), [
    (FlipsTheJobsValues, r"the values on_start\('00000', values, 3\) was given changed"),
    (ScribblesOnObservations, r"observation.values of 00000 \(the stored trial's own dict\)"),
    (EmptiesExclude, r"the exclude set suggest was given changed"),
    (DeclaresIntoTheSpace, r"the space suggest was given \(it belongs to the oracle\) changed"),
    (ChangesWhatItReturned, r"a dict suggest returned changed afterwards"),
], ids=lambda x: x.__name__ if isinstance(x, type) else "")  # fmt: skip
def test_a_searcher_changing_what_it_was_given_fails_saying_so(searcher: type,
                                                               message: str) -> None:
    with pytest.raises(AssertionError, match="rule 'arguments_are_left_unchanged' failed for "
                                             f"{searcher.__name__}: {message}"):
        check_searcher(searcher)


def test_a_searcher_sharing_state_between_instances_fails_saying_so() -> None:
    with pytest.raises(AssertionError, match=r"rule 'instances_share_no_state' failed .* so the "
                                             r"instances share state"):
        check_searcher(SharesAClassAttribute)


class DrawsFromNumpysGlobalGenerator(RandomSearcher):
    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        own = np.random.default_rng(np.random.randint(2**31))  # noqa: NPY002 - the bug
        return super().suggest(space, own, exclude, stream)


def test_a_searcher_ignoring_the_seed_is_told_where_to_draw_from() -> None:
    with pytest.raises(AssertionError, match=r"same_seed_same_suggestions.*\(suggestion 0: .* "
                                             r"against .*\): draw every random number from the "
                                             r"rng argument"):
        dict(searcher_rules())["same_seed_same_suggestions"](DrawsFromNumpysGlobalGenerator)


class RaisesABareStopIteration(RandomSearcher):
    def on_start(self, trial_id: str, values: Mapping[str, Any], budget: int | None) -> None:
        raise StopIteration


def test_an_exception_without_text_is_located() -> None:
    with pytest.raises(AssertionError, match=r"StopIteration: \(no message\) raised at "
                                             r".*test_kit_messages.py:\d+ in on_start"):
        check_searcher(RaisesABareStopIteration)


# --- a bare assert of a kit ----------------------------------------------------------------
class ForgetsTheOracleState(InMemoryStorage):
    def set_oracle_state(self, state: Mapping[str, Any]) -> None:
        pass


def test_a_bare_assert_of_the_kit_says_what_it_checked_and_got() -> None:
    with pytest.raises(AssertionError, match=r"'settings_and_oracle_state_round_trip' failed for "
                                             r"ForgetsTheOracleState: `storage.get_oracle_state\(\)"
                                             r" == state` is false \(storage.py:\d+\): "
                                             r"storage.get_oracle_state\(\) is None; state is "
                                             r"\{'brackets'"):
        check_storage(ForgetsTheOracleState)


# --- an executor returning a result twice --------------------------------------------------
class ReturnsAResultAgain(Threads):
    def __init__(self) -> None:
        super().__init__()
        self.again: list[JobResult] = []

    def wait(self, timeout: float | None = None) -> list[JobResult]:
        results = super().wait(timeout)
        out, self.again = self.again + results, results[:1]
        return out


class MisnumbersAttempts(Threads):
    def wait(self, timeout: float | None = None) -> list[JobResult]:
        results = super().wait(timeout)
        for result in results:
            result.attempt = 0
        return results


def test_an_executor_returning_a_result_twice_fails_saying_so() -> None:
    with pytest.raises(AssertionError, match=r"wait\(\) returned the result of trial '00000' "
                                             r"attempt 1 a second time"):
        check_executor(ReturnsAResultAgain)


def test_an_executor_returning_another_attempt_fails_saying_so() -> None:
    with pytest.raises(AssertionError, match=r"wait\(\) returned the result of trial '00000' "
                                             r"attempt 0 although it is not in flight"):
        check_executor(MisnumbersAttempts)
