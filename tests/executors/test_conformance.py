"""Every executor through ``rung.testing.check_executor``: in-process, local processes, Dask, Ray."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rung.executors import Executor, InProcessExecutor, ProcessExecutor
from rung.testing import Rule, executor_rules

KINDS = ["inprocess", "processes", "dask", "ray"]


@pytest.fixture(scope="module", params=KINDS)
def factory(request: pytest.FixtureRequest) -> Callable[[], Executor]:
    """A zero-argument callable making a fresh executor of each kind (clusters are shared)."""
    if request.param == "processes":
        return lambda: ProcessExecutor(2)
    if request.param == "dask":
        from rung.executors.dask import DaskExecutor

        client = request.getfixturevalue("dask_client")
        return lambda: DaskExecutor(client)
    if request.param == "ray":
        from rung.executors.ray import RayExecutor

        request.getfixturevalue("ray_session")
        return RayExecutor
    return InProcessExecutor


@pytest.mark.parametrize("rule", executor_rules(), ids=lambda rule: rule.name)
def test_executor_rule(factory: Callable[[], Executor], rule: Rule) -> None:
    rule.check(factory)
