"""A training function whose module takes seconds to import in a worker process, as a script
that imports torch or tensorflow does on a loaded machine (``test_job_timeout_start.py``).

The driver imports it at once; a rung worker process imports it when it loads its first job.
"""

from __future__ import annotations

import multiprocessing
import time

import rung

IMPORT_SECONDS = 4.0

if multiprocessing.current_process().name.startswith("rung-worker-"):
    time.sleep(IMPORT_SECONDS)  # stands for the imports of a real training script


def quick(trial: rung.Trial) -> dict[str, float]:
    """A job that takes milliseconds."""
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    assert x is not None
    return {"loss": x}
