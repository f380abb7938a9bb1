"""A ``ProcessExecutor`` the user made and passed to ``search`` is left running for the next
search; its workers must not keep the interpreter from exiting when the script ends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = '''
import rung

def train(trial):
    return {"loss": trial.hyperparameters.Float("x", 0.0, 1.0)}

if __name__ == "__main__":
    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=2, seed=0,
                              directory=r"{project}", project_name="p", verbose=0)
    executor = rung.executors.ProcessExecutor(2)  # kept, as for a second search
    tuner.search(executor=executor)
    print("searched", len(tuner.oracle.trials))
'''


def test_a_script_that_never_shuts_its_executor_down_still_exits(tmp_path: Path) -> None:
    script = tmp_path / "given.py"
    script.write_text(SCRIPT.replace("{project}", str(tmp_path)))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)  # before the fix: it never exits
    assert done.returncode == 0, done.stderr
    assert "searched 2" in done.stdout
