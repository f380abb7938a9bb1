from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from rung.errors import ArgumentTypeError, ConfigurationError
from rung.report.dashboard import Dashboard, is_loopback, serve
from rung.storage import SQLiteStorage
from rung.trial_record import TrialRecord

SRC = Path(__file__).resolve().parents[2] / "src"


def _get(url: str, host: str | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


@pytest.fixture
def project(hb_project: Path, tmp_path: Path) -> Path:
    """A copy of the Hyperband project that a test may write to."""
    copy = tmp_path / "hyperband"
    shutil.copytree(hb_project, copy)
    return copy


def test_serves_the_page_and_a_state_that_follows_the_project(project: Path) -> None:
    with Dashboard(project) as board:
        assert board.url.startswith("http://127.0.0.1:") and not board.url.endswith(":0/")
        status, kind, page = _get(board.url)
        assert status == 200 and kind.startswith("text/html")
        assert '"live":{"url":"/state.json"' in page and "<svg" in page
        first = json.loads(_get(board.url + "state.json")[2])
        assert _get(board.url + "state.json")[2] == json.dumps(first)  # steady while idle
        with SQLiteStorage(project / "rung.db") as writer:  # a search adds a job
            writer.create_trial(TrialRecord("new-job", {"learning_rate": 0.01}, bracket=0,
                                            rung=0, epochs=9))
        second = json.loads(_get(board.url + "state.json")[2])
        assert second["token"] != first["token"] and second["jobs"] == first["jobs"] + 1
        assert "new-job" in _get(board.url)[2]


def test_serves_nothing_else(project: Path) -> None:
    with Dashboard(project) as board:
        for path in ("rung.db", "../rung.db", "trials/", "state", "index.html/x"):
            assert _get(board.url + path)[0] == 404
        assert _get(board.url + "favicon.ico")[0] == 204
        status, _, _ = _get(board.url, host="attacker.example:80")  # DNS rebinding
        assert status == 403
        assert _get(board.url, host=f"localhost:{board.url.rsplit(':', 1)[1]}")[0] == 200


def test_an_error_reading_the_project_is_answered_not_raised(project: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    with Dashboard(project) as board:
        def broken() -> str:
            raise OSError("disk gone")
        monkeypatch.setattr(board, "page", broken)
        status, kind, text = _get(board.url)
        assert (status, kind) == (500, "text/plain; charset=utf-8")
        assert text == "rung dashboard: cannot read the project: OSError: disk gone"
        assert _get(board.url + "state.json")[0] == 200  # still serving


def test_refuses_a_remote_host_unless_asked(project: Path) -> None:
    with pytest.raises(ConfigurationError, match="host must be a loopback address.*allow_remote"):
        Dashboard(project, host="0.0.0.0")
    with Dashboard(project, host="0.0.0.0", allow_remote=True) as board:
        assert board.host_allowed("anything.example")
        port = int(board.url.rsplit(":", 1)[1].rstrip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/state.json")
        assert connection.getresponse().status == 200
        connection.close()
    assert is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("10.0.0.1") and not is_loopback("example.com")


def test_checks_its_arguments(project: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no rung project"):
        Dashboard(tmp_path / "nothing")
    with pytest.raises(ConfigurationError, match="port must be"):
        Dashboard(project, port=70000)
    with pytest.raises(ConfigurationError, match="refresh_s must be"):
        Dashboard(project, refresh_s=0)
    with pytest.raises(ArgumentTypeError, match="host must be"):
        Dashboard(project, host=None)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="ready must be None or a callable"):
        serve(project, ready="print")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="open_browser must be"):
        serve(project, open_browser="yes")  # type: ignore[arg-type]


SCRIPT = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as at a terminal
from rung.report.dashboard import serve
serve(sys.argv[1], refresh_s=0.5)
print("returned", flush=True)
"""


def test_serve_prints_the_url_and_stops_cleanly_on_ctrl_c(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, str(project)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("rung dashboard: ") and "(Ctrl-C to stop)" in line, line
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        assert _get(url + "state.json")[0] == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert out.strip() == "returned" and "Traceback" not in err
    assert "rung dashboard: stopped" in err
