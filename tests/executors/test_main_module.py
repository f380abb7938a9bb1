"""A search started from a ``__main__`` that spawn workers cannot re-import is refused before any
work: a script piped to ``python -`` (every worker died at start: "worker died (exit code 1)",
three times, then TooManyFailedTrialsError), and a training function defined in a session
without a script file (``python -c``, a notebook: the first job failed to load)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import rung

SEARCH = textwrap.dedent(
    """
    import sys
    import rung

    def train(trial):
        return {"loss": trial.hyperparameters.Float("x", 0.0, 1.0)}

    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=2,
                              directory=sys.argv[-1], project_name="p", verbose=0)
    try:
        tuner.search(workers=2)
    except rung.errors.ConfigurationError as exc:
        print("refused:", exc)
    print("trials:", tuner.storage.count_trials())
    """
)


@pytest.mark.parametrize(("how", "reason"), [
    ("stdin", "the main script '<stdin>' is not a file that worker processes can re-import"),
    ("-c", "'train' is defined in __main__ of a session without a script file"),
])
def test_a_main_module_workers_cannot_import_is_refused_before_any_trial(
        tmp_path: Path, how: str, reason: str) -> None:
    command = [sys.executable, "-", str(tmp_path)] if how == "stdin" else \
        [sys.executable, "-c", SEARCH, str(tmp_path)]
    env = {**os.environ, "PYTHONPATH": str(Path(rung.__file__).parents[1])}
    done = subprocess.run(command, input=SEARCH if how == "stdin" else None, env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "refused: run_trial <function train at " in done.stdout, done.stderr[-3000:]
    assert reason in done.stdout
    assert "trials: 0" in done.stdout


def test_a_script_file_and_a_module_function_pass_the_check() -> None:
    from rung_test_jobs import train

    from rung.executors._pickling import main_module_problem

    assert main_module_problem(train) is None  # pytest's __main__ is imported by name
