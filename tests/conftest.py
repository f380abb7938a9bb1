"""Set-up shared by every test directory."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_CACHES: list[str] = []  # compilation caches this process made (and removes at the end)
_BASE = "RUNG_TESTS_JAX_CACHE"  # this run's folder of JAX compilation caches
_FAST_COMPILE = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def pytest_configure(config: pytest.Config) -> None:
    """On Keras' jax backend every trial compiles its model's steps (seconds each on 2 cores),
    and a promoted trial, or a configuration drawn twice, compiles the same computation again.
    JAX's persistent compilation cache, in a new folder for each test run, compiles each
    computation once per run and process. It changes no result, only how often XLA compiles. Each
    pytest-xdist process gets a folder of its own (``<run folder>/<worker id>``): processes
    writing one entry at the same time could leave it truncated for another to read (JAX then
    warns and compiles again). A cache the caller set is kept."""
    if os.environ.get("KERAS_BACKEND") != "jax":
        return
    # The tests' models are tiny: compiling them costs far more than running them. XLA's CPU
    # back end without its optimisation passes compiles them in about half the time (a reload
    # test: 38 -> 19 s); the code it makes computes the same things, more slowly. Results are
    # only ever compared with results of the same run. Flags the caller set are kept.
    os.environ.setdefault("XLA_FLAGS", _FAST_COMPILE)
    base = os.environ.get(_BASE)
    if base is None:  # the first process of the run (the xdist controller, or the only one)
        if "JAX_COMPILATION_CACHE_DIR" in os.environ:
            return
        base = tempfile.mkdtemp(prefix="rung-tests-jax-cache-")
        _CACHES.append(base)
        os.environ[_BASE] = base  # the xdist processes inherit the environment
        os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
        os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"
    os.environ["JAX_COMPILATION_CACHE_DIR"] = os.path.join(
        base, os.environ.get("PYTEST_XDIST_WORKER", "main"))


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _CACHES:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Groups for ``pytest-xdist --dist loadgroup`` (``make test``): tests that share costly
    set-up run in one worker process, which then builds it once instead of once per worker.

    * the blocks of one doc file (tests/test_docs.py): a block first runs the earlier blocks of
      its file in its process, scripts of worker processes included;
    * the tests on the shared Ray session (``ray_session``, one Ray cluster per process);
    * the tests of one module on its Dask cluster (``dask_client``, one per module and process).

    Without xdist (``-n 0``) the marks change nothing."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        kinds = {str(value) for value in params.values()}
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.path.name == "test_docs.py" and "block" in params:
            group = f"doc:{params['block'].path.name}"
        elif "ray" in kinds or "ray_session" in fixtures:
            group = "ray-session"
        elif "dask" in kinds or "dask_client" in fixtures:
            group = f"dask:{item.path}"
        else:
            continue
        item.add_marker(pytest.mark.xdist_group(group))
