"""Local worker processes end with their driver, even in the middle of a job.

A driver killed with SIGKILL cannot stop its workers. A worker used to notice only when its job
next reported or returned: one in a long epoch ran on (holding its GPU and cores while the
search was resumed), and a hung one never ended.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import rung

DRIVER = textwrap.dedent(
    """
    import sys
    import rung
    import rung_test_jobs as jobs

    if __name__ == "__main__":
        tuner = rung.RandomSearch(run_trial=jobs.hands_pid_then_blocks, objective="loss",
                                  max_trials=1, directory=sys.argv[1], project_name="p",
                                  verbose=0)
        tuner.search(sys.argv[1], executor="processes", workers=1)
    """
)


def test_a_worker_in_the_middle_of_a_job_exits_when_its_driver_is_killed(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pid.fifo")
    os.mkfifo(tmp_path / "block.fifo")
    seen: list[int] = []

    def read_pid() -> None:
        with open(tmp_path / "pid.fifo") as fifo:  # blocks until the job opens it
            text = fifo.read()
        if text:
            seen.append(int(text))

    reader = threading.Thread(target=read_pid, daemon=True)
    reader.start()
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    path = os.pathsep.join([str(Path(rung.__file__).parents[1]), str(Path(__file__).parent)])
    log = tmp_path / "driver.log"  # a file: the worker would hold a pipe open
    with open(log, "w") as out:
        driver = subprocess.Popen([sys.executable, str(script), str(tmp_path)],
                                  env={**os.environ, "PYTHONPATH": path}, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        reader.join(timeout=240)
        assert seen, f"the job never started: {driver.poll()=}"
        worker = os.pidfd_open(seen[0])  # readable once the worker process has ended
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        output = log.read_text(errors="replace")
        if reader.is_alive():  # unblock the reader: nobody will write the FIFO now
            os.close(os.open(tmp_path / "pid.fifo", os.O_WRONLY | os.O_NONBLOCK))
    try:
        ended, _, _ = select.select([worker], [], [], 60)
        assert ended, f"worker {seen[0]} still runs its job after its driver was killed\n{output}"
    finally:
        if not ended:
            os.kill(seen[0], signal.SIGKILL)
        os.close(worker)
