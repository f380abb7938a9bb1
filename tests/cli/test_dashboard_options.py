"""``rung dashboard``'s refusals name the command's options (``--host``), not ``serve``'s
Python arguments (``host``, ``allow_remote=True``)."""

from __future__ import annotations

import socket
from pathlib import Path

from rung.cli import main


def test_a_remote_host_is_refused_naming_the_options(hyperband_project: tuple[Path, dict],
                                                     capsys) -> None:
    project, _ = hyperband_project
    assert main(["dashboard", str(project), "--host", "0.0.0.0"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("rung dashboard: error: --host must be a loopback address"), err
    assert "got '0.0.0.0'" in err and "pass --allow-remote" in err
    assert "allow_remote=True" not in err


def test_a_port_in_use_is_refused_naming_the_options(hyperband_project: tuple[Path, dict],
                                                     capsys) -> None:
    project, _ = hyperband_project
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        assert main(["dashboard", str(project), "--port", str(busy)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("rung dashboard: error: --host and --port must be"), err
    assert f"got '127.0.0.1:{busy}'" in err
