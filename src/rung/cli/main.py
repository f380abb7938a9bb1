"""The ``rung`` command: look at a project from its storage alone.

::

    rung status DIR                  where the search stands against its plan
    rung best DIR                    the best hyperparameters, as JSON
    rung trials DIR --format csv     one row per job (table, csv or json)
    rung report DIR -o report.html   a self-contained HTML report
    rung dashboard DIR               the report served on 127.0.0.1, refreshed while a search runs
    rung import-keras-tuner SRC      read a keras-tuner project into a rung project

``DIR`` is a project directory (``directory/project_name``, the one holding ``rung.db``) or the
``rung.db`` itself. Every command opens it read-only (``rung.storage.open_project``), so it
works while a search is writing it, and imports none of the code that ran the search. Exit
status: 0 on success, 1 for an error in what was asked (a path that is no project, say), 2 for
a usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rung.cli.formats import FORMATS, format_rows, json_value
from rung.cli.keras_tuner import run_import
from rung.cli.opening import open_given
from rung.cli.options import STORED, format_name, port, positive, seconds, stored_status
from rung.cli.status import project_status
from rung.cli.status_text import format_status
from rung.errors import ConfigurationError, RungError
from rung.storage._sqlite_errors import read_error
from rung.storage.project import DB_NAME, project_database
from rung.storage.table import (
    BASE_COLUMNS,
    last_epochs,
    objective_label,
    objective_name,
    trial_rows,
)
from rung.storage.tally import ranked_results
from rung.trial_record import TrialStatus
from rung.validation import nearest

__all__ = ["build_parser", "main"]

def _status(args: argparse.Namespace) -> int:
    with open_given(args.project) as storage:
        status = project_status(storage)
    if args.json:
        print(json.dumps(status.to_json(), indent=1, default=json_value, ensure_ascii=False))
    else:
        print(format_status(status, args.project))
    return 0


def _best(args: argparse.Namespace) -> int:
    with open_given(args.project) as storage:
        settings = storage.get_settings()
        # no objective stored (a storage written directly): the value is the job's stored loss
        name, label = objective_name(settings), objective_label(settings) or "loss"
        ranked = ranked_results(storage.trials(TrialStatus.COMPLETED))
        if not ranked:
            raise RungError(f"no completed trial in {args.project!r} yet: nothing is best")
        top = ranked[:args.top]
        # a single-fidelity job's are in its reports; None: it reported none (its training
        # function returned only its final metrics: no epoch count is known)
        trained_to = last_epochs(storage, top)
    best = [{"trial_id": r.trial_id, "objective": label,
             "value": json_value(r.metrics.get(name) if name is not None else r.loss),
             "epochs": trained_to[r.trial_id] or None, "hyperparameters": r.values,
             "metrics": {k: json_value(v) for k, v in r.metrics.items()}}
            for r in top]
    print(json.dumps(best[0] if args.top == 1 else best, indent=1, ensure_ascii=False))
    return 0


def _trials(args: argparse.Namespace) -> int:
    with open_given(args.project) as storage:
        rows = trial_rows(storage)
    columns = list(rows[0]) if rows else list(BASE_COLUMNS)
    empty = "no trials yet"
    if args.status:
        total = len(rows)
        rows = [r for r in rows if r["status"] in args.status]
        wanted = " or ".join(s.lower() for s in dict.fromkeys(args.status))
        empty = f"no {wanted} trials" + (f" (of the {total} in the project)" if total else "")
    print(format_rows(rows, args.format, columns, empty))
    return 0


def _report_module(name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and exc.name.startswith("rung.report"):
            raise RungError(f"this rung has no {name} module: the report is not part of this "
                            "installation (upgrade rung)") from exc
        raise


def _report(args: argparse.Namespace) -> int:
    open_given(args.project).close()  # a clear error for a path that is no project
    if not args.output or Path(args.output).is_dir():  # named as typed, not as Path makes it
        what = "which is a directory; name a file in it" if args.output else "name a file"
        raise RungError(f"-o/--output must be a file path for the HTML report, got "
                        f"{args.output!r}, {what}, e.g. "
                        f"{str(Path(args.output) / 'report.html')!r}")
    try:
        path = _report_module("rung.report").write_report(args.project, args.output)
    except ConfigurationError as exc:  # write_report's words (out) put in the command's
        if not str(exc).startswith("out "):
            raise
        raise RungError(f"-o/--output{str(exc)[len('out'):]}") from None
    print(f"wrote {path}")
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    open_given(args.project).close()
    serve = _report_module("rung.report.dashboard").serve

    def ready(url: str) -> None:
        print(f"dashboard of {args.project} on {url} (Ctrl-C stops it)", flush=True)

    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a dashboard stops
            serve(args.project, host=args.host, port=args.port, refresh_s=args.refresh,
                  allow_remote=args.allow_remote, open_browser=args.open, ready=ready)
    except ConfigurationError as exc:  # serve's words (host, port) put in the command's
        raise RungError(_options_named(str(exc))) from None
    print("dashboard stopped")
    return 0


def _options_named(message: str) -> str:
    """An error of ``serve`` naming its arguments as the command's options."""
    for said, option in (("host and port ", "--host and --port "), ("host ", "--host ")):
        if message.startswith(said):
            message = option + message[len(said):]
            break
    return message.replace("pass allow_remote=True (rung dashboard --allow-remote)",
                           "pass --allow-remote")


def _project(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("project", metavar="DIR",
                     help="the project directory (directory/project_name) or its rung.db")


def build_parser() -> argparse.ArgumentParser:
    """The ``rung`` argument parser (every subcommand's handler is its ``handler`` default)."""
    from rung import __version__

    parser = argparse.ArgumentParser(
        prog="rung", description="Look at a rung project: status, best, trials, report.",
        epilog="DIR is opened read-only: the commands work while a search writes it.")
    parser.add_argument("--version", action="version", version=f"rung {__version__}")
    subs = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands: list[tuple[str, Callable[[argparse.Namespace], int], str]] = [
        ("status", _status, "where the search stands against its plan"),
        ("best", _best, "the best hyperparameters, as JSON"),
        ("trials", _trials, "one row per job, with its metrics and status"),
        ("report", _report, "write a self-contained HTML report"),
        ("dashboard", _dashboard, "serve the report on this machine, refreshed while a search runs"),
    ]
    made = {}
    for name, handler, text in commands:
        made[name] = subs.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        _project(made[name])
        made[name].set_defaults(handler=handler)
    made["status"].add_argument("--json", action="store_true", help="print JSON instead of text")
    made["best"].add_argument("--top", type=positive, default=1, metavar="N",
                              help="the N best trials, best first (a JSON list when N > 1)")
    made["trials"].add_argument("--format", type=format_name, default="table",
                                metavar="{" + ",".join(FORMATS) + "}",
                                help="an aligned table (default), csv or json, in any case")
    made["trials"].add_argument("--status", nargs="+", type=stored_status, metavar="STATUS",
                                help="only jobs of these statuses: "
                                f"{', '.join(s.lower() for s in STORED)} (give DIR first, or "
                                "end the statuses with --)")
    made["report"].add_argument("-o", "--output", default="report.html", metavar="FILE",
                                help="the HTML file to write, replaced if it exists; missing "
                                "folders on its path are created (default: report.html in "
                                "the current directory)")
    dash = made["dashboard"]
    dash.add_argument("--host", default="127.0.0.1",
                      help="the address to listen on (default 127.0.0.1: this machine only)")
    dash.add_argument("--port", type=port, default=0, help="the port (default 0: a free one)")
    dash.add_argument("--allow-remote", action="store_true",
                      help="allow a --host other machines can reach (the page has no password)")
    dash.add_argument("--refresh", type=seconds, default=2.0, metavar="SECONDS",
                      help="how often the page reloads the project (default 2)")
    dash.add_argument("--open", action="store_true", help="open the page in a browser")
    imp = subs.add_parser("import-keras-tuner", help="read a keras-tuner project into rung",
                          description="Read the keras-tuner project SRC (its "
                          "directory/project_name) into the rung project DIRECTORY/PROJECT_NAME.")
    imp.add_argument("source", metavar="SRC", help="the keras-tuner project directory")
    imp.add_argument("--directory", default=".", help="where the rung project goes (default .)")
    imp.add_argument("--project-name", default=None,
                     help="the rung project's name (default: SRC's folder name)")
    imp.add_argument("--objective", default=None,
                     help="the objective's metric (default: the one keras-tuner scored)")
    imp.add_argument("--direction", choices=("min", "max"), default=None,
                     help="whether to minimise or maximise --objective, where its name does not "
                     "say (default: inferred from the name, as val_loss: min)")
    imp.add_argument("--overwrite", action="store_true", help="replace an existing rung project")
    imp.set_defaults(handler=run_import)
    made["import-keras-tuner"] = imp
    parser.set_defaults(subparsers=made)
    return parser


def _check_command(parser: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """Refuse a misspelt command with the nearest one (``rung stats DIR``: did you mean
    status?), as argparse would refuse it, with the hint added."""
    given = next((a for a in argv if not a.startswith("-")), None)  # rung's own options: flags
    commands = parser.get_default("subparsers")
    if given is None or given in commands:
        return
    close = nearest(given, list(commands)) or nearest(given.lower(), list(commands))
    hint = f" (did you mean {close}?)" if close else ""
    parser.error(f"argument COMMAND: invalid choice: {given!r} (choose from "
                 f"{', '.join(commands)}){hint}")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """``argv`` parsed; a misspelt command, or an option the command does not have, is refused
    with the nearest one there is (an option by the command's own parser: its usage)."""
    parser = build_parser()
    _check_command(parser, sys.argv[1:] if argv is None else argv)
    args, extra = parser.parse_known_args(argv)
    if extra:
        sub = args.subparsers[args.command]
        options = [o for action in sub._actions for o in action.option_strings]
        close = nearest(extra[0], options) if extra[0].startswith("-") else None
        hint = f" (did you mean {close}?)" if close else ""
        if not extra[0].startswith("-"):  # a second path: often one with spaces, unquoted
            one = "SRC" if args.command == "import-keras-tuner" else "DIR"
            hint = (f" (rung {args.command} takes one {one}; quote a path with spaces, as in "
                    f"rung {args.command} 'runs/my project')")
        sub.error(f"unrecognized arguments: {' '.join(extra)}{hint}")
    return args


def _database(args: argparse.Namespace) -> str:
    """The database ``args``' command reads (or, importing, writes), to name it in an error."""
    if args.command == "import-keras-tuner":
        name = args.project_name or Path(args.source).resolve().name
        return str(Path(args.directory) / name / DB_NAME)
    try:
        return str(project_database(args.project))
    except RungError:
        return str(args.project)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``rung`` command with ``argv`` (default: ``sys.argv[1:]``); the exit status."""
    args = _parse(argv)
    try:
        return int(args.handler(args))
    except RungError as exc:
        print(f"rung {args.command}: error: {exc}", file=sys.stderr)
        return 1
    # a page the open step does not read is damaged (or a record's JSON is): one line, no
    # traceback; finding such damage up front would read the whole file (PRAGMA integrity_check)
    except (sqlite3.DatabaseError, json.JSONDecodeError) as exc:
        print(f"rung {args.command}: error: {read_error(_database(args), exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `rung trials DIR | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # Ctrl-C on a long read: stopped as asked, nothing to show
        print(f"rung {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a file or folder the command needs: one line, no traceback
        where = f": {exc.filename!r}" if exc.filename else ""
        print(f"rung {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
