"""The bad-input matrix: wrong inputs across the public API, each a row of a table.

Every row gives a mistake a user can make, the exception rung must raise for it, and fragments
its message must hold: the argument's name, the value received and what is expected. The point
is that no raw ``OSError``/``KeyError``/``sqlite3`` traceback reaches a user for their own
mistake, and that each error is raised before any work starts. The same table, one line per
row, is in ``docs/reliability.md`` ("Bad input").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import rung
from rung.cli.main import main as cli_main
from rung.errors import (
    ArgumentTypeError,
    ConfigurationError,
    ProjectError,
    SearchSpaceConflictError,
    SearchSpaceError,
)
from rung.executors import ProcessExecutor
from rung.oracles import (
    ASHAOracle,
    BOHBOracle,
    GridSearchOracle,
    HyperbandOracle,
    RandomSearchOracle,
)
from rung.searchers import GPSearcher, KDESearcher, RandomSearcher

Row = Callable[[Path], Any]


def train(trial: rung.Trial) -> float:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    return (x - 0.3) ** 2


def _tuner(tmp: Path, **arguments: Any) -> rung.RandomSearch:
    settings: dict[str, Any] = {"run_trial": train, "objective": "loss", "max_trials": 2,
                                "directory": tmp, "project_name": "p", "verbose": 0}
    settings.update(arguments)
    return rung.RandomSearch(**settings)


def _hp(call: Callable[[rung.HyperParameters], Any]) -> Row:
    return lambda tmp: call(rung.HyperParameters())


def _search(**arguments: Any) -> Row:
    def run(tmp: Path) -> None:
        tuner = _tuner(tmp)
        try:
            tuner.search(**arguments)
        finally:
            tuner.storage.close()
    return run


def _a_file(tmp: Path) -> Path:
    path = tmp / "a_file"
    path.write_text("not a directory\n")
    return path


def _garbage_db(tmp: Path) -> Path:
    (tmp / "p").mkdir()
    (tmp / "p" / "rung.db").write_bytes(b"this is no database, only text " * 100)
    return tmp / "p"


def _other_program_db(tmp: Path) -> Path:
    (tmp / "p").mkdir()
    with sqlite3.connect(tmp / "p" / "rung.db") as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.close()
    return tmp / "p"


def _newer_db(tmp: Path) -> Path:
    _tuner(tmp).storage.close()
    with sqlite3.connect(tmp / "p" / "rung.db") as conn:
        conn.execute("UPDATE schema_version SET version = 999")
    conn.close()
    return tmp / "p"


# (id, row, exception type, fragments the message must hold)
ROWS: list[tuple[str, Row, type[BaseException], tuple[str, ...]]] = [
    # --- hyperparameter definitions ------------------------------------------------------
    ("hp-int-min-above-max", _hp(lambda hp: hp.Int("units", 10, 1)),
     SearchSpaceError, ("units", "10", "1")),
    ("hp-int-float-bounds", _hp(lambda hp: hp.Int("units", 1.5, 4)),
     SearchSpaceError, ("units", "1.5", "int")),
    ("hp-int-step-zero", _hp(lambda hp: hp.Int("units", 1, 9, step=0)),
     SearchSpaceError, ("step", "0")),
    ("hp-int-sampling-unknown", _hp(lambda hp: hp.Int("units", 1, 9, sampling="cubic")),
     SearchSpaceError, ("sampling", "cubic", "linear")),
    ("hp-float-log-from-zero", _hp(lambda hp: hp.Float("lr", 0.0, 1.0, sampling="log")),
     SearchSpaceError, ("lr", "log", "0")),
    ("hp-float-string-bound", _hp(lambda hp: hp.Float("lr", "0.1", 1.0)),
     SearchSpaceError, ("lr", "0.1")),
    ("hp-float-nan-bound", _hp(lambda hp: hp.Float("lr", float("nan"), 1.0)),
     SearchSpaceError, ("lr", "nan")),
    ("hp-float-default-outside", _hp(lambda hp: hp.Float("lr", 0.1, 1.0, default=5.0)),
     SearchSpaceError, ("default", "5.0")),
    ("hp-choice-empty", _hp(lambda hp: hp.Choice("act", [])),
     SearchSpaceError, ("act", "[]")),
    ("hp-choice-mixed-types", _hp(lambda hp: hp.Choice("act", ["relu", 3])),
     SearchSpaceError, ("act", "relu", "3")),
    ("hp-choice-default-absent", _hp(lambda hp: hp.Choice("act", ["a", "b"], default="c")),
     SearchSpaceError, ("default", "'c'")),
    ("hp-boolean-default-str", _hp(lambda hp: hp.Boolean("flag", default="yes")),
     SearchSpaceError, ("flag", "yes")),
    ("hp-name-not-str", _hp(lambda hp: hp.Int(3, 1, 9)),
     SearchSpaceError, ("name", "3")),
    ("hp-redefined-other-range", _hp(lambda hp: (hp.Int("u", 1, 9), hp.Int("u", 1, 5))),
     SearchSpaceConflictError, ("'u'", "max_value: 9", "max_value: 5")),
    ("hp-parent-unknown", _hp(lambda hp: hp.Int("u", 1, 9, parent_name="model",
                                                 parent_values=["cnn"])),
     SearchSpaceError, ("model",)),
    ("hp-float-other-librarys-keyword",
     _hp(lambda hp: hp.Float("lr", 1e-4, 0.1, log=True)),  # type: ignore[call-arg]
     SearchSpaceError, ("'lr'", "'log'", "sampling='log'")),
    # --- tuner arguments ------------------------------------------------------------------
    ("tuner-max-trials-zero", lambda tmp: _tuner(tmp, max_trials=0),
     ConfigurationError, ("max_trials", "0", ">= 1")),
    ("tuner-max-trials-str", lambda tmp: _tuner(tmp, max_trials="10"),
     ArgumentTypeError, ("max_trials", "'10'", "integer")),
    ("tuner-seed-float", lambda tmp: _tuner(tmp, seed=1.5),
     ArgumentTypeError, ("seed", "1.5", "integer")),
    ("tuner-overwrite-str", lambda tmp: _tuner(tmp, overwrite="yes"),
     ArgumentTypeError, ("overwrite", "'yes'", "True or False")),
    ("tuner-verbose-negative", lambda tmp: _tuner(tmp, verbose=-1),
     ConfigurationError, ("verbose", "-1")),
    ("tuner-directory-int", lambda tmp: _tuner(tmp, directory=3),
     ArgumentTypeError, ("directory", "3", "path")),
    ("tuner-project-name-slash", lambda tmp: _tuner(tmp, project_name="a/b"),
     ConfigurationError, ("project_name", "'a/b'", "without '/'")),
    ("tuner-project-name-empty", lambda tmp: _tuner(tmp, project_name=""),
     ConfigurationError, ("project_name", "''", "non-empty")),
    ("tuner-run-trial-not-callable", lambda tmp: _tuner(tmp, run_trial="train"),
     ArgumentTypeError, ("run_trial", "'train'", "function")),
    ("tuner-unknown-keyword", lambda tmp: _tuner(tmp, max_epoch=3),
     ConfigurationError, ("max_epoch", "unknown")),
    ("tuner-retries-negative", lambda tmp: _tuner(tmp, max_retries_per_trial=-1),
     ConfigurationError, ("max_retries_per_trial", "-1", ">= 0")),
    ("tuner-failed-zero", lambda tmp: _tuner(tmp, max_consecutive_failed_trials=0),
     ConfigurationError, ("max_consecutive_failed_trials", "0", ">= 1")),
    ("tuner-keep-checkpoints-bad", lambda tmp: _tuner(tmp, keep_checkpoints="some"),
     ConfigurationError, ("keep_checkpoints", "'some'")),
    ("tuner-keep-checkpoints-negative", lambda tmp: _tuner(tmp, keep_checkpoints=-2),
     ConfigurationError, ("keep_checkpoints", "-2")),
    ("tuner-storage-int", lambda tmp: _tuner(tmp, storage=42),
     ArgumentTypeError, ("storage", "42", "path")),
    ("tuner-hyperparameters-dict", lambda tmp: _tuner(tmp, hyperparameters={"x": 1}),
     ArgumentTypeError, ("hyperparameters", "{'x': 1}", "HyperParameters")),
    ("tuner-oracle-not-oracle", lambda tmp: rung.Tuner("random", run_trial=train,
                                                       directory=tmp, verbose=0),
     ArgumentTypeError, ("oracle", "'random'", "Oracle")),
    ("tuner-nothing-to-train", lambda tmp: rung.RandomSearch(objective="loss", directory=tmp),
     ConfigurationError, ("hypermodel=None", "run_trial")),
    ("hyperband-max-trials", lambda tmp: rung.Hyperband(run_trial=train, objective="loss",
                                                        max_trials=5, directory=tmp),
     ConfigurationError, ("max_trials", "5", "max_epochs")),
    ("project-other-settings", lambda tmp: (_tuner(tmp).storage.close(),
                                            _tuner(tmp, objective="accuracy")),
     ConfigurationError, ("objective", "accuracy", "overwrite=True")),
    # --- oracle arguments -------------------------------------------------------------------
    ("hyperband-max-epochs-zero", lambda tmp: HyperbandOracle(objective="loss", max_epochs=0),
     ConfigurationError, ("max_epochs", "0", ">= 1")),
    ("hyperband-factor-one", lambda tmp: HyperbandOracle(objective="loss", factor=1),
     ConfigurationError, ("factor", "1", ">= 2")),
    ("hyperband-factor-float", lambda tmp: HyperbandOracle(objective="loss", factor=2.5),
     ArgumentTypeError, ("factor", "2.5", "integer")),
    ("hyperband-iterations-zero",
     lambda tmp: HyperbandOracle(objective="loss", hyperband_iterations=0),
     ConfigurationError, ("hyperband_iterations", "0")),
    ("asha-mode-unknown", lambda tmp: ASHAOracle(objective="loss", mode="halving"),
     ConfigurationError, ("mode", "'halving'", "'promotion'", "'stopping'")),
    ("asha-min-above-max", lambda tmp: ASHAOracle(objective="loss", max_epochs=9,
                                                   min_epochs=27),
     ConfigurationError, ("min_epochs", "27", "9")),
    ("grid-max-trials-negative", lambda tmp: GridSearchOracle(objective="loss", max_trials=-3),
     ConfigurationError, ("max_trials", "-3")),
    ("bohb-searcher-not-kde", lambda tmp: BOHBOracle(objective="loss", searcher=3),
     ArgumentTypeError, ("searcher", "3")),
    # --- objectives -------------------------------------------------------------------------
    ("objective-int", lambda tmp: RandomSearchOracle(objective=3),
     ArgumentTypeError, ("objective", "3")),
    ("objective-direction-unknown",
     lambda tmp: RandomSearchOracle(objective=rung.Objective("acc", "up")),
     ConfigurationError, ("direction", "'up'", "'min'", "'max'")),
    ("objective-name-empty", lambda tmp: rung.Objective("", "min"),
     ConfigurationError, ("name", "''")),
    ("objective-list-mixed", lambda tmp: RandomSearchOracle(objective=["loss", 3]),
     ArgumentTypeError, ("objective", "3")),
    # --- searchers ------------------------------------------------------------------------
    ("searcher-name-unknown", lambda tmp: _tuner(tmp, searcher="tpe"),
     ConfigurationError, ("searcher", "'tpe'", "'random'")),
    ("searcher-type", lambda tmp: _tuner(tmp, searcher=42),
     ArgumentTypeError, ("searcher", "42")),
    ("kde-top-fraction-one", lambda tmp: KDESearcher(top_fraction=1.0),
     ConfigurationError, ("top_fraction", "1.0")),
    ("kde-min-points-zero", lambda tmp: KDESearcher(min_points=0),
     ConfigurationError, ("min_points", "0")),
    ("random-collisions-negative", lambda tmp: RandomSearcher(max_collisions=-1),
     ConfigurationError, ("max_collisions", "-1")),
    ("gp-initial-points-str", lambda tmp: GPSearcher(num_initial_points="5"),
     ArgumentTypeError, ("num_initial_points", "'5'")),
    # --- executors and their options --------------------------------------------------------
    ("processes-workers-zero", lambda tmp: ProcessExecutor(workers=0),
     ConfigurationError, ("workers", "0", ">= 1")),
    ("processes-start-method", lambda tmp: ProcessExecutor(start_method="thread"),
     ConfigurationError, ("start_method", "'thread'", "'spawn'")),
    ("processes-timeout-negative", lambda tmp: ProcessExecutor(job_timeout=-1),
     ConfigurationError, ("job_timeout", "-1", "> 0")),
    # --- search() arguments ---------------------------------------------------------------
    ("search-workers-zero", _search(workers=0),
     ConfigurationError, ("workers", "0", ">= 1")),
    ("search-workers-str", _search(workers="many"),
     ArgumentTypeError, ("workers", "'many'", "'gpu'")),
    ("search-executor-unknown", _search(executor="threads"),
     ConfigurationError, ("executor", "'threads'", "'processes'")),
    ("search-executor-type", _search(executor=3.5),
     ArgumentTypeError, ("executor", "3.5", "'processes'")),
    ("search-inprocess-workers", _search(executor="inprocess", workers=4),
     ConfigurationError, ("executor='inprocess'", "workers=4", "'processes'")),
    ("search-executor-and-workers", _search(executor=rung.executors.InProcessExecutor(),
                                            workers=2),
     ConfigurationError, ("workers", "executor")),
    ("search-job-timeout-zero", _search(job_timeout=0),
     ConfigurationError, ("job_timeout", "0", "> 0")),
    ("search-max-time-negative", _search(max_time=-5),
     ConfigurationError, ("max_time", "-5", "> 0")),
    ("search-max-epochs-total-str", _search(max_epochs_total="100"),
     ArgumentTypeError, ("max_epochs_total", "'100'", "integer")),
    ("search-retry-failed-int", _search(retry_failed=1),
     ArgumentTypeError, ("retry_failed", "1", "True or False")),
    ("search-reproducible-str", _search(reproducible="yes"),
     ArgumentTypeError, ("reproducible", "'yes'", "True or False")),
    ("search-resources-negative", _search(workers="gpu", resources_per_job={"gpu": -1}),
     ConfigurationError, ("resources_per_job", "-1")),
    ("search-resources-list", _search(resources_per_job=["gpu"]),
     ArgumentTypeError, ("resources_per_job", "['gpu']", "dict")),
    # --- the project on disk ----------------------------------------------------------------
    ("directory-is-a-file", lambda tmp: _tuner(tmp, directory=_a_file(tmp)),
     ConfigurationError, ("directory", "a_file", "not a directory")),
    ("directory-not-writable", lambda tmp: _as_ordinary_user(_tuner_in_read_only_dir),
     ConfigurationError, ("directory", "locked", "not writable")),
    ("database-garbage", lambda tmp: _tuner(tmp, directory=_garbage_db(tmp).parent),
     ProjectError, ("rung.db", "as a rung database", "not an SQLite database")),
    ("database-other-program", lambda tmp: _tuner(tmp, directory=_other_program_db(tmp).parent),
     ProjectError, ("rung.db", "without rung's tables", "invoices")),
    ("database-newer-rung", lambda tmp: _tuner(tmp, directory=_newer_db(tmp).parent),
     ProjectError, ("rung.db", "999", "upgrade rung")),
    ("open-project-garbage", lambda tmp: rung.storage.open_project(_garbage_db(tmp)),
     ProjectError, ("rung.db", "as a rung database", "not an SQLite database")),
    ("open-project-malformed", lambda tmp: rung.storage.open_project(_malformed_db(tmp)),
     ProjectError, ("rung.db", "as a rung database", "malformed")),
    ("open-project-other-program", lambda tmp: rung.storage.open_project(_other_program_db(tmp)),
     ProjectError, ("rung.db", "without rung's tables", "invoices")),
    ("open-project-newer", lambda tmp: rung.storage.open_project(_newer_db(tmp)),
     ProjectError, ("999", "upgrade rung")),
    ("get-storage-missing", lambda tmp: rung.storage.get_storage(tmp),
     ProjectError, ("no rung project", "has no rung.db")),
    ("sqlite-storage-under-a-file",
     lambda tmp: rung.storage.SQLiteStorage(_a_file(tmp) / "p" / "rung.db", create=True),
     ConfigurationError, ("path", "a_file/p/rung.db", "a_file' is a file, not a folder")),
    # --- trial ids that become paths ----------------------------------------------------------
    ("trial-dir-not-a-string", lambda tmp: _tuner(tmp).get_trial_dir(3),
     ArgumentTypeError, ("trial_id", "got 3", "a trial id")),
    ("trial-dir-escapes-the-project", lambda tmp: _tuner(tmp).get_trial_dir("../../etc"),
     ConfigurationError, ("trial_id", "'../../etc'", "a trial id", "never a path")),
    ("checkpoint-load-absolute-path", lambda tmp: _tuner(tmp).checkpoints.load("/etc"),
     ConfigurationError, ("trial_id", "'/etc'", "a trial id")),
    ("load-model-not-a-trial", lambda tmp: _sklearn_load_model(tmp, "00000"),
     ArgumentTypeError, ("trial", "'00000'", "a rung.Trial")),
    ("load-model-trial-id-escapes", lambda tmp: _sklearn_load_model(
        tmp, rung.Trial(rung.HyperParameters(), trial_id="../../etc")),
     ConfigurationError, ("trial_id", "'../../etc'", "never a path")),
    # --- results ----------------------------------------------------------------------------
    ("best-hyperparameters-str", lambda tmp: _tuner(tmp).get_best_hyperparameters("3"),
     ArgumentTypeError, ("num_trials", "'3'", "integer")),
    ("best-hyperparameters-negative", lambda tmp: _tuner(tmp).get_best_hyperparameters(-1),
     ConfigurationError, ("num_trials", "-1", ">= 0")),
    ("best-models-zero", lambda tmp: _tuner(tmp).get_best_models(0),
     ConfigurationError, ("num_models", "0", ">= 1")),
    ("results-summary-str", lambda tmp: _tuner(tmp).results_summary("all"),
     ArgumentTypeError, ("num_trials", "'all'", "integer")),
    ("oracle-get-trial-unknown", lambda tmp: _tuner(tmp).oracle.get_trial("nope"),
     KeyError, ("trial_id", "'nope'", "no trial yet")),
    ("report-out-under-a-file", lambda tmp: _report(tmp, _a_file(tmp) / "r.html"),
     ConfigurationError, ("out", "a_file", "can be written")),
    ("report-out-a-directory", lambda tmp: _report(tmp, tmp),
     ConfigurationError, ("out", str(Path("/")), "directory")),
    ("dashboard-remote-host", lambda tmp: _dashboard(tmp, host="0.0.0.0"),
     ConfigurationError, ("host", "'0.0.0.0'", "loopback", "allow_remote=True")),
    ("dashboard-port-in-use", lambda tmp: _dashboard_twice(tmp),
     ConfigurationError, ("host and port", "127.0.0.1:", "free port")),
]


def _sklearn_load_model(tmp: Path, trial: Any) -> Any:
    from sklearn.linear_model import LogisticRegression

    tuner = rung.SklearnTuner(RandomSearchOracle(max_trials=1), lambda hp: LogisticRegression(),
                              directory=tmp, project_name="sk", verbose=0)
    try:
        return tuner.load_model(trial)
    finally:
        tuner.storage.close()


def _project(tmp: Path) -> Path:
    tuner = _tuner(tmp)
    tuner.search()
    tuner.storage.close()
    return tmp / "p"


def _malformed_db(tmp: Path) -> Path:
    """A real project whose first page (the schema) was overwritten after the file header."""
    database = _project(tmp) / "rung.db"
    with database.open("r+b") as file:
        file.seek(100)
        file.write(b"\xff" * 3000)
    return database.parent


def _report(tmp: Path, out: Path) -> Path:
    from rung.report import write_report

    return write_report(_project(tmp), out)


def _dashboard(tmp: Path, **options: Any) -> None:
    from rung.report.dashboard import Dashboard

    with Dashboard(_project(tmp), **options):
        pass


def _dashboard_twice(tmp: Path) -> None:
    from rung.report.dashboard import Dashboard

    with Dashboard(_project(tmp)) as first:
        port = int(first.url.rstrip("/").rsplit(":", 1)[1])
        with Dashboard(tmp / "p", port=port):
            pass


def _tuner_in_read_only_dir() -> None:
    base = Path(tempfile.mkdtemp(prefix="rung-bad-"))  # outside pytest's private (0700) folder
    try:
        os.chmod(base, 0o755)
        locked = base / "locked"
        locked.mkdir(mode=0o555)
        _tuner(locked)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _as_ordinary_user(call: Callable[[], Any]) -> None:
    """Run ``call`` as an ordinary user (root writes anywhere) and raise what it raised there,
    as the same rung exception class with the same message."""
    if os.geteuid() != 0:
        call()
        return
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root, run, report "<class name>\n<message>"
        os.close(read)
        answer = "none\n"
        try:
            os.setgid(65534)
            os.setuid(65534)
            call()
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            answer = f"{type(exc).__name__}\n{exc}"
        os.write(write, answer.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        name, _, message = pipe.read().partition("\n")
    os.waitpid(pid, 0)
    if name != "none":
        kind = getattr(rung.errors, name, None)
        raise kind(message) if kind is not None else RuntimeError(f"{name}: {message}")


@pytest.mark.parametrize(("row", "error", "fragments"),
                         [pytest.param(r, e, f, id=i) for i, r, e, f in ROWS])
def test_a_bad_input_raises_a_clear_error(tmp_path: Path, row: Row, error: type[BaseException],
                                         fragments: tuple[str, ...]) -> None:
    with pytest.raises(error) as caught:
        row(tmp_path)
    message = str(caught.value)
    missing = [f for f in fragments if f not in message]
    assert not missing, f"{missing} not in {message!r}"
    assert isinstance(caught.value, rung.errors.RungError), type(caught.value).__mro__


# The ``rung`` command: (id, arguments (``{p}``: a real project, ``{tmp}``: the test's folder),
# exit status, fragments of stderr). 2: a usage error (argparse), 1: an error in what was asked.
CLI_ROWS: list[tuple[str, list[str], int, tuple[str, ...]]] = [
    ("cli-no-such-project", ["status", "{tmp}/nope"], 1,
     ("rung status: error:", "no rung project", "nope", "holding rung.db")),
    ("cli-parent-of-project", ["status", "{tmp}"], 1,
     ("no rung project", "has no rung.db", "projects below it", "/p")),
    ("cli-garbage-database", ["best", "{tmp}/garbage.db"], 1,
     ("rung best: error:", "garbage.db", "not an SQLite database")),
    ("cli-other-program-database", ["trials", "{tmp}/other.db"], 1,
     ("other.db", "without rung's tables", "invoices")),
    ("cli-newer-rung", ["status", "{newer}"], 1,
     ("schema version 999", "upgrade rung")),
    ("cli-top-zero", ["best", "{p}", "--top", "0"], 2,
     ("--top", "integer >= 1", "got 0")),
    ("cli-top-not-a-number", ["best", "{p}", "--top", "ten"], 2,
     ("--top", "integer >= 1", "'ten'")),
    ("cli-format-unknown", ["trials", "{p}", "--format", "xml"], 2,
     ("--format", "'xml'", "table, csv, json")),
    ("cli-status-unknown", ["trials", "{p}", "--status", "done"], 2,
     ("--status", "'done'", "completed")),
    ("cli-port-out-of-range", ["dashboard", "{p}", "--port", "70000"], 2,
     ("--port", "0..65535", "70000")),
    ("cli-port-not-a-number", ["dashboard", "{p}", "--port", "http"], 2,
     ("--port", "0..65535", "'http'")),
    ("cli-refresh-zero", ["dashboard", "{p}", "--refresh", "0"], 2,
     ("--refresh", "seconds > 0", "got 0")),
    ("cli-dashboard-remote-host", ["dashboard", "{p}", "--host", "0.0.0.0"], 1,
     ("host", "'0.0.0.0'", "loopback", "--allow-remote")),
    ("cli-report-out-directory", ["report", "{p}", "-o", "{tmp}"], 1,
     ("out", "is a directory", "report.html")),
    ("cli-report-out-under-a-file", ["report", "{p}", "-o", "{tmp}/a_file/r.html"], 1,
     ("out", "a_file", "can be written")),
    ("cli-import-not-keras-tuner", ["import-keras-tuner", "{p}"], 1,
     ("path", "keras-tuner project directory", "/p")),
    ("cli-unknown-command", ["frobnicate"], 2,
     ("'frobnicate'", "choose from status, best")),
    ("cli-missing-project", ["status"], 2,
     ("required", "DIR")),
]


@pytest.fixture(scope="module")
def cli_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real project ``p``, a garbage file, another program's database, a newer rung's project
    and a plain file, side by side."""
    tmp = tmp_path_factory.mktemp("cli-bad")
    _project(tmp)
    (tmp / "garbage.db").write_bytes(b"no database here " * 50)
    (tmp / "x").mkdir()
    shutil.copy(_other_program_db(tmp / "x") / "rung.db", tmp / "other.db")
    (tmp / "newer").mkdir()
    _newer_db(tmp / "newer")
    _a_file(tmp)
    return tmp


@pytest.mark.parametrize(("argv", "status", "fragments"),
                         [pytest.param(a, c, f, id=i) for i, a, c, f in CLI_ROWS])
def test_a_bad_command_line_exits_with_a_clear_message(
        cli_folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int,
        fragments: tuple[str, ...]) -> None:
    names = {"tmp": str(cli_folder), "p": str(cli_folder / "p"),
             "newer": str(cli_folder / "newer" / "p")}
    try:
        code = cli_main([a.format(**names) for a in argv])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == status, err
    missing = [f for f in fragments if f not in err]
    assert not missing, f"{missing} not in {err!r}"
    assert "Traceback" not in err


def test_the_matrix_has_at_least_60_rows() -> None:
    assert len(ROWS) + len(CLI_ROWS) >= 60


def test_every_row_is_in_the_table_of_the_docs() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "reliability.md").read_text()
    missing = [i for i, *_ in ROWS + CLI_ROWS if f"`{i}`" not in text]  # type: ignore[operator]
    assert missing == []
