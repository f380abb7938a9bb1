"""``rung dashboard``: the report page served live while a search writes the project.

:func:`serve` listens on 127.0.0.1 (a free port unless one is given), answers ``/`` with the
report page and ``/state.json`` with a small JSON object whose ``token`` changes whenever another
connection commits to the project (SQLite's ``PRAGMA data_version``), or its search's driver
dies (a search killed with SIGKILL commits nothing more). The page polls it every
``refresh_s`` seconds and reloads itself when the token changed, so it follows a running search;
a page is built once per change of the project, however many browsers poll.

Safety: the project is opened read-only and only its JSON records are read (nothing is unpickled
or executed); the server answers only its two fixed paths, never files; a host that is not a
loopback address is refused unless ``allow_remote=True`` (the page shows hyperparameters, errors
and paths to whoever can reach the port); requests naming another host (DNS rebinding) are
refused while serving on loopback.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sqlite3
import sys
import threading
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from rung.cli.status import search_state
from rung.report._open import open_read_only
from rung.report.data import build_report
from rung.report.render import CSP, Live, render_html
from rung.report.write import project_title
from rung.storage.project import project_database
from rung.validation import (
    check_bool,
    check_instance,
    check_int,
    check_number,
    fail_type,
    fail_value,
)

__all__ = ["Dashboard", "is_loopback", "serve"]

STATE_PATH = "/state.json"


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    dashboard: Dashboard


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        try:
            self._answer(self.server.dashboard)
        except ConnectionError:
            pass  # the browser went away (a reload): nothing to answer
        except Exception as exc:  # say it in the answer, and keep serving
            text = f"rung dashboard: cannot read the project: {type(exc).__name__}: {exc}"
            self._send(500, "text/plain; charset=utf-8", text.encode("utf-8"))

    def _answer(self, board: Dashboard) -> None:
        if not board.host_allowed(self.headers.get("Host", "")):
            self._send(403, "text/plain", b"host not allowed")
            return
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", board.page().encode("utf-8"))
        elif path == STATE_PATH:
            self._send(200, "application/json", json.dumps(board.state()).encode("utf-8"))
        elif path == "/favicon.ico":
            self._send(204, "image/x-icon", b"")
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Quiet: a browser polling every two seconds would fill the terminal."""


class Dashboard:
    """The dashboard's server, started and stopped by the caller (``serve`` blocks on it).

    Example::

        with Dashboard("runs/keras_demo") as board:   # listening on board.url
            ...
    """

    def __init__(self, project: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 0,
                 refresh_s: float = 2.0, allow_remote: bool = False) -> None:
        check_instance("host", host, str, "a host name or IP address, e.g. '127.0.0.1'")
        self.port = check_int("port", port, 0, 65535, "0 picks a free port")
        checked = check_number("refresh_s", refresh_s, 0, exclusive_minimum=True,
                               hint="seconds between the page's checks")
        self.refresh_s = float(checked if checked is not None else refresh_s)
        check_bool("allow_remote", allow_remote)
        if not allow_remote and not is_loopback(host):
            raise fail_value("host", "a loopback address (127.0.0.1, ::1 or localhost)", host,
                             "the dashboard shows the project to anyone who can reach it; "
                             "pass allow_remote=True (rung dashboard --allow-remote) to serve "
                             "it on another interface")
        self.host, self.allow_remote = host, allow_remote
        self.title = project_title(project)
        self._storage = open_read_only(project)  # fails here, before listening, if not a project
        self._probe = sqlite3.connect(f"{project_database(project).resolve().as_uri()}?mode=ro",
                                      uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._page: tuple[str, str] | None = None  # (token, html)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the dashboard is not listening; call start() first")
        port = self._server.server_address[1]
        host = f"[{self.host.strip('[]')}]" if ":" in self.host else self.host
        return f"http://{host}:{port}/"

    def host_allowed(self, header: str) -> bool:
        """The request's ``Host`` names this server (always true with ``allow_remote``)."""
        if self.allow_remote:
            return True
        bracketed = header.startswith("[")  # an IPv6 address: [::1]:8000
        name = header[1:header.find("]")] if bracketed else header.split(":", 1)[0]
        return is_loopback(name) or name == self.host.strip("[]")

    def state(self) -> dict[str, Any]:
        """What the page polls: a ``token`` that changes with every commit to the project, and
        when the search writing it dies (its jobs then show as interrupted)."""
        with self._lock:
            version = self._probe.execute("PRAGMA data_version").fetchone()[0]
            jobs = self._storage.count_trials()
            live = "live" if search_state(self._storage, 0).driver is not None else "idle"
        return {"token": f"{version}-{jobs}-{live}", "jobs": jobs}

    def page(self) -> str:
        """The report page of the project as it is now (built once per change)."""
        token = self.state()["token"]
        with self._lock:
            if self._page is None or self._page[0] != token:
                data = build_report(self._storage, title=self.title)
                live = Live(STATE_PATH, self.refresh_s, token)
                self._page = (token, render_html(data, live=live))
            return self._page[1]

    def start(self) -> Dashboard:
        """Listen (in a background thread); ``url`` then says where."""
        kind = _Server6 if ":" in self.host else _Server
        try:
            self._server = kind((self.host.strip("[]"), self.port), _Handler)
        except OSError as exc:  # a host that does not resolve, a port in use or reserved
            self._storage.close()
            self._probe.close()
            raise fail_value("host and port", "an address of this machine to listen on, with a "
                             "free port (0: any free one)", f"{self.host}:{self.port}",
                             str(exc)) from exc
        self._server.dashboard = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and close the project (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._storage.close()
        self._probe.close()

    def __enter__(self) -> Dashboard:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(project: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 0,
          refresh_s: float = 2.0, allow_remote: bool = False, open_browser: bool = False,
          ready: Callable[[str], None] | None = None) -> None:
    """Serve the project's report at ``http://host:port/`` until Ctrl-C (KeyboardInterrupt).

    ``port=0`` takes a free port. Once listening, ``ready(url)`` is called, or, without
    ``ready``, the URL is printed. ``open_browser`` opens it in the default browser. Ctrl-C
    stops the server, closes the project and returns. See the module docstring for what is
    served and what is refused.
    """
    check_bool("open_browser", open_browser)
    if ready is not None and not callable(ready):
        raise fail_type("ready", "None or a callable taking the URL", ready)
    board = Dashboard(project, host, port, refresh_s, allow_remote)
    board.start()
    try:
        if ready is not None:
            ready(board.url)
        else:
            print(f"rung dashboard: {Path(os.fspath(project))} at {board.url} "
                  "(Ctrl-C to stop)", flush=True)
        if open_browser:
            webbrowser.open(board.url)
        forever = threading.Event()
        while not forever.wait(1.0):  # until Ctrl-C
            pass
    except KeyboardInterrupt:
        if ready is None:
            print("rung dashboard: stopped", file=sys.stderr, flush=True)
    finally:
        board.stop()
