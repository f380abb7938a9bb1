"""What travels to worker processes is checked before any trial is created: a search argument
that cannot be pickled is refused by name, with advice that fits why jobs leave the driver."""

from __future__ import annotations

import pickle
import threading
from pathlib import Path

import pytest
from rung_test_jobs import with_options

import rung
from rung.errors import ConfigurationError
from rung.executors._pickling import process_hint, unpicklable_argument


def tuner(tmp_path: Path) -> rung.RandomSearch:
    return rung.RandomSearch(run_trial=with_options, objective="loss", max_trials=3,
                             directory=tmp_path, project_name="p", verbose=0)


@pytest.mark.parametrize(("options", "advice"), [
    ({"workers": 2}, "Jobs run in 2 worker processes, which receive run_trial and the search "
                     "arguments by pickle: pass search arguments that pickle"),
    ({"workers": 1, "job_timeout": 30},
     "job_timeout=30 runs each job in a worker process (one it can stop at the timeout)"),
])
def test_an_unpicklable_search_argument_is_refused_before_any_trial(
        tmp_path: Path, options: dict, advice: str) -> None:
    search = tuner(tmp_path)
    with pytest.raises(ConfigurationError) as caught:
        search.search(str(tmp_path), lock=threading.Lock(), **options)
    message = str(caught.value)
    assert message.startswith("search argument lock= (lock) cannot be sent to worker processes")
    assert advice in message
    assert search.storage.count_trials() == 0  # refused before the first trial was created
    search.search(str(tmp_path), **options)  # the same project runs once the argument is gone
    assert search.storage.count_trials() == 3


def test_an_unpicklable_positional_argument_is_named_by_its_place() -> None:
    found = unpicklable_argument((1, threading.Lock()), {"data": [1, 2]}, pickle.Pickler)
    assert found is not None and found[0] == "argument 2 of search()"
    assert unpicklable_argument((1,), {"data": [1, 2]}, pickle.Pickler) is None


@pytest.mark.parametrize("protocol", [4, 5])
def test_large_arrays_pass_the_check_under_either_pickle_protocol(protocol: int) -> None:
    """Protocol 5 (cloudpickle's, for Dask and Ray) writes a large buffer as a PickleBuffer."""
    import functools

    import numpy as np

    pickler = functools.partial(pickle.Pickler, protocol=protocol)
    data = {"x": np.zeros((512, 1024)), "y": bytearray(1 << 20)}
    assert unpicklable_argument((np.ones(10**6),), data, pickler) is None


def test_the_advice_says_how_to_run_in_the_driver_instead() -> None:
    assert process_hint(4, None).endswith("or run with workers=1 (in-process).")
    assert process_hint(4, 10.0).endswith("or run with workers=1 and no job_timeout (in-process).")
    assert process_hint(1, 10.0).endswith(
        "or drop job_timeout (jobs then run in this process, without a time limit).")
