"""A worker whose driver is gone (killed) exits quietly at any message it sends, not only at its
result: ``benchmarks/torture.py --quick`` caught a ``BrokenPipeError`` traceback from the
``("started",)`` message of a worker whose driver had just been killed."""

from __future__ import annotations

import subprocess
import sys

import pytest

STARTED = """
import multiprocessing, pickle
from rung.executors._worker import worker_main
driver, worker = multiprocessing.Pipe(duplex=True)
driver.send_bytes(pickle.dumps({"job": 1}))  # a job waiting in the pipe
driver.close()  # the driver is gone before the worker says it began the job
worker_main(worker)
"""

UNLOADABLE = """
import multiprocessing
from rung.executors._worker import worker_main
driver, worker = multiprocessing.Pipe(duplex=True)
driver.send_bytes(b"not a pickle")
driver.close()
worker_main(worker)
"""

REPORT = """
import multiprocessing
from rung.executors._worker import _PipeChannel
driver, worker = multiprocessing.Pipe(duplex=True)
driver.close()
_PipeChannel(worker, live_decisions=True).report("00000", 1, {"loss": 0.5})
print("the training function went on")
"""


@pytest.mark.parametrize("script", [STARTED, UNLOADABLE, REPORT],
                         ids=["started", "unloadable", "report"])
def test_a_worker_exits_quietly_when_its_driver_is_gone(script: str) -> None:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    assert "went on" not in done.stdout  # the job stops: its result has nowhere to go
    assert done.returncode == 1
