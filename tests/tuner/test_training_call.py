"""``search(*args, **kwargs)`` is checked against the training function's signature before the
first job (``rung.tuner.training_call``): a call it cannot take is one clear error, not failed
trials in the project."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest

import rung
from rung.errors import ArgumentTypeError
from rung.tuner.training_call import check_training_call

ran: list[str] = []


def train(trial: rung.Trial) -> float:
    ran.append(trial.trial_id)
    return trial.hyperparameters.Float("x", 0.0, 1.0)


def train_on(trial: rung.Trial, data: list[int], *, scale: float = 1.0) -> float:
    ran.append(trial.trial_id)
    return scale * trial.hyperparameters.Float("x", 0.0, 1.0) + sum(data)


@pytest.fixture(autouse=True)
def _nothing_ran_yet() -> None:
    ran.clear()


def _tuner(tmp_path: Path, function: Any = train, **kwargs: Any) -> rung.RandomSearch:
    return rung.RandomSearch(run_trial=function, objective="loss", max_trials=2, seed=0,
                             directory=tmp_path, project_name="p", verbose=0, **kwargs)


@pytest.mark.parametrize(("kwargs", "fragments"), [
    ({"worker": 2}, ("'worker'", "did you mean 'workers' (an option of search())?")),
    ({"exectuor": "ray"}, ("'exectuor'", "did you mean 'executor'")),
    ({"job_timout": 5}, ("'job_timout'", "did you mean 'job_timeout'")),
    ({"max_tme": 60}, ("'max_tme'", "did you mean 'max_time'")),
    ({"reproducable": True}, ("'reproducable'", "did you mean 'reproducible'")),
    ({"epochs": 5}, ("'epochs'", "epochs is not passed to run_trial: read trial.epochs")),
    ({"callbacks": []}, ("'callbacks'", "give run_trial a parameter of that name (or **kwargs)")),
])
def test_a_keyword_the_function_cannot_take_is_named_before_any_trial(
        tmp_path: Path, kwargs: dict[str, Any], fragments: tuple[str, ...]) -> None:
    """The reviewer's ``search(worker=2)`` failed 3 trials, then the search, and the project
    needed ``retry_failed=True`` afterwards."""
    tuner = _tuner(tmp_path)
    with pytest.raises(ArgumentTypeError) as caught:
        tuner.search(**kwargs)
    message = str(caught.value)
    assert message.startswith("search() cannot call run_trial train(trial): it takes no "
                              "keyword argument"), message
    assert all(f in message for f in fragments), message
    assert "no trial ran" in message
    assert isinstance(caught.value, TypeError)
    assert not ran and tuner.storage.count_trials() == 0
    tuner.search()  # the project is as new: nothing to clear
    assert len(ran) == 2


def test_a_misspelt_parameter_of_the_function_itself_is_named(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path, train_on)
    with pytest.raises(ArgumentTypeError, match="'scael'; did you mean 'scale'?"):
        tuner.search([1], scael=2.0)
    assert not ran and tuner.storage.count_trials() == 0


def test_positional_arguments_beyond_the_functions_are_refused(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path)
    with pytest.raises(ArgumentTypeError,
                       match=re.escape("it takes 0 positional argument(s) after the trial, "
                                       "search() got 2: (1, 2)")):
        tuner.search(1, 2)
    assert not ran and tuner.storage.count_trials() == 0


def test_an_argument_the_function_needs_and_did_not_get_is_named(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path, train_on)
    with pytest.raises(ArgumentTypeError,
                       match=re.escape("train_on(trial, data, *, scale=1.0): it needs 'data', "
                                       "which search() did not get: pass search(..., data=...)")):
        tuner.search()
    assert not ran and tuner.storage.count_trials() == 0
    tuner.search([1, 2], scale=2.0)
    assert len(ran) == 2


@pytest.mark.parametrize("function", [lambda: 1.0, lambda *, trial: 1.0],
                         ids=["no-parameter", "keyword-only"])
def test_a_run_trial_without_a_parameter_for_the_trial_is_refused_by_the_constructor(
        tmp_path: Path, function: Any) -> None:
    with pytest.raises(ArgumentTypeError,
                       match=r"run_trial must be a function train\(trial, \*args, \*\*kwargs\) "
                             r"that takes the trial as its first positional argument.*"
                             r"<lambda>\(.*\) has no positional parameter for it"):
        rung.Hyperband(run_trial=function, objective="loss", max_epochs=3, directory=tmp_path,
                       verbose=0)
    assert list(tmp_path.iterdir()) == []  # before the project is created


async def _async_train(trial: rung.Trial) -> float:
    return 1.0


def _generator_train(trial: rung.Trial) -> Any:
    yield 1.0


@pytest.mark.parametrize(("function", "kind"), [(_async_train, "an async def function"),
                                                (_generator_train, "a generator function")],
                         ids=["async", "generator"])
def test_an_async_or_generator_run_trial_is_refused_by_the_constructor(
        tmp_path: Path, function: Any, kind: str) -> None:
    with pytest.raises(ArgumentTypeError,
                       match=rf"run_trial must be a function train\(trial, .*got .*; "
                             rf"{function.__name__}\(trial\) is {kind}"):
        rung.Hyperband(run_trial=function, objective="loss", max_epochs=3, directory=tmp_path,
                       verbose=0)
    assert list(tmp_path.iterdir()) == []  # before the project is created


def test_a_subclass_run_trial_is_checked_when_the_search_starts(tmp_path: Path) -> None:
    class NoTrial(rung.RandomSearch):
        def run_trial(self) -> float:  # type: ignore[override]
            return 1.0

    with pytest.raises(ArgumentTypeError,
                       match=r"run_trial must take the trial .* but NoTrial\.run_trial\(\) has "
                             "no positional parameter"):
        NoTrial(objective="loss", max_trials=1, directory=tmp_path, project_name="a",
                verbose=0).search()

    class TwoData(rung.RandomSearch):
        def run_trial(self, trial: rung.Trial, x: int) -> float:  # type: ignore[override]
            ran.append(trial.trial_id)
            return trial.hyperparameters.Float("u", 0.0, 1.0) + x

    tuner = TwoData(objective="loss", max_trials=1, directory=tmp_path, project_name="b",
                    verbose=0)
    with pytest.raises(ArgumentTypeError,
                       match=re.escape("TwoData.run_trial(trial, x): it takes 1 positional")):
        tuner.search(1, 2)
    with pytest.raises(ArgumentTypeError, match="'verbose'") as caught:  # passed on, as in
        tuner.search(1, verbose=0)                                        # keras-tuner
    assert "did you mean" not in str(caught.value)  # not "did you mean 'verbose'?" for verbose
    assert ("passes its option 'verbose' on to a run_trial method too, as keras-tuner does: give "
            "run_trial a 'verbose' parameter (or **kwargs)") in str(caught.value)
    assert not ran and tuner.storage.count_trials() == 0
    tuner.search(1)
    assert len(ran) == 1


def test_calls_that_bind_run_as_before(tmp_path: Path) -> None:
    received: list[tuple[Any, ...]] = []

    def catch_all(trial: rung.Trial, *args: Any, **kwargs: Any) -> float:
        received.append((args, kwargs))
        return trial.hyperparameters.Float("x", 0.0, 1.0)

    class Callable_:
        def __call__(self, trial: rung.Trial, data: int) -> float:
            received.append((data,))
            return trial.hyperparameters.Float("x", 0.0, 1.0)

    _tuner(tmp_path / "a", catch_all).search(1, 2, worker=2, verbose=0)
    _tuner(tmp_path / "b", functools.partial(train_on, scale=3.0)).search([1])
    _tuner(tmp_path / "c", Callable_()).search(data=4)
    assert received == [((1, 2), {"worker": 2})] * 2 + [(4,)] * 2
    assert len(ran) == 2


def test_a_function_whose_signature_cannot_be_read_is_not_checked() -> None:
    """Builtins and C callables: ``inspect.signature`` raises; the job itself will tell."""
    check_training_call(max, (1, 2), {"key": None, "anything": 1}, ["workers"])


def test_the_check_runs_in_the_driver_before_worker_processes_start(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path)
    with pytest.raises(ArgumentTypeError, match="'lr'"):
        tuner.search(workers=2, lr=0.1)
    assert tuner.storage.count_trials() == 0


def test_a_simulated_executor_runs_no_training_code_and_checks_no_call(tmp_path: Path) -> None:
    """Scheduler tests run a tuner made with a real training function on a simulated cluster,
    without the function's data (``tests/tuner/test_reproducible.py``)."""
    from rung.executors import SimulatedExecutor

    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    tuner = _tuner(tmp_path, train_on, hyperparameters=hp)
    tuner.search(executor=SimulatedExecutor(2, curve=lambda values, epoch: values["x"]))
    assert not ran and tuner.storage.count_trials(rung.TrialStatus.COMPLETED) == 2


def with_data(function: Any) -> Any:
    """A decorator that supplies an argument itself (functools.wraps copies the signature's
    source, ``__wrapped__``, not the call it takes)."""
    @functools.wraps(function)
    def wrapper(trial: rung.Trial, *args: Any, **kwargs: Any) -> Any:
        return function(trial, [1, 2], *args, **kwargs)
    return wrapper


def test_a_decorated_function_is_checked_against_the_call_it_takes(tmp_path: Path) -> None:
    _tuner(tmp_path / "a", with_data(train_on)).search()
    _tuner(tmp_path / "b", with_data(train_on)).search(scale=2.0)
    assert len(ran) == 4

    def method_with_data(method: Any) -> Any:
        @functools.wraps(method)
        def wrapper(self: Any, trial: rung.Trial, *args: Any, **kwargs: Any) -> Any:
            return method(self, trial, [1, 2], *args, **kwargs)
        return wrapper

    class Decorated(rung.RandomSearch):
        @method_with_data
        def run_trial(self, trial: rung.Trial, data: list[int]) -> float:
            ran.append(trial.trial_id)
            return trial.hyperparameters.Float("x", 0.0, 1.0) + sum(data)

    Decorated(objective="loss", max_trials=2, seed=0, directory=tmp_path / "c",
              project_name="p", verbose=0).search()
    assert len(ran) == 6


def test_a_parameter_named_as_a_search_option_is_said_to_never_arrive(tmp_path: Path) -> None:
    def train_verbose(trial: rung.Trial, verbose: int) -> float:
        return trial.hyperparameters.Float("x", 0.0, 1.0)

    with pytest.raises(ArgumentTypeError, match=re.escape(
            "it needs 'verbose', an option of search() itself, which search() keeps and never "
            "passes on: rename the parameter, or give it a default")):
        _tuner(tmp_path, train_verbose).search(verbose=1)
