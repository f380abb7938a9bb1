"""The SQL of :class:`~rung.storage.SQLiteStorage`: its schema (version 4) and hot statements.

Version 2 added ``trials.epochs_reached``, version 3 the ``driver_lock`` table (one row: the
search process that drives the project, see ``rung.storage.driver_lock``), version 4 the
``oracle_log`` table (the pages of an oracle state's log, one row each, see
``rung.storage._sqlite_state``). An older file is migrated when opened (``MIGRATIONS``), in one
transaction.
"""

from __future__ import annotations

__all__ = [
    "ALL_REPORTS",
    "COLUMNS",
    "DRIVER_LOCK",
    "METRIC_HISTORY",
    "MIGRATIONS",
    "ORACLE_LOG",
    "FINISH",
    "INSERT_TRIAL",
    "REPORT",
    "SCHEMA",
    "SCHEMA_VERSION",
    "SET_ORACLE_STATE",
    "SET_SETTINGS",
]

SCHEMA_VERSION = 4

DRIVER_LOCK = """CREATE TABLE IF NOT EXISTS driver_lock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    pid_start TEXT,
    started_at REAL NOT NULL,
    heartbeat REAL NOT NULL)"""

ORACLE_LOG = """CREATE TABLE IF NOT EXISTS oracle_log (
    page INTEGER PRIMARY KEY,
    json TEXT NOT NULL)"""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS oracle_state (
    id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
    seq INTEGER PRIMARY KEY,
    trial_id TEXT NOT NULL UNIQUE,
    values_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED', 'PRUNED')),
    epochs INTEGER NOT NULL,
    initial_epoch INTEGER NOT NULL,
    parent_id TEXT,
    bracket INTEGER,
    rung INTEGER,
    iteration INTEGER NOT NULL,
    metrics_json TEXT NOT NULL,
    loss REAL,
    attempts INTEGER NOT NULL,
    error TEXT,
    created_at REAL NOT NULL,
    finished_at REAL,
    epochs_reached INTEGER);
CREATE INDEX IF NOT EXISTS trials_status ON trials (status);
CREATE TABLE IF NOT EXISTS epoch_metrics (
    seq INTEGER PRIMARY KEY,
    trial_id TEXT NOT NULL REFERENCES trials (trial_id),
    epoch INTEGER NOT NULL,
    metrics_json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS epoch_metrics_trial ON epoch_metrics (trial_id);
CREATE TABLE IF NOT EXISTS failures (
    seq INTEGER PRIMARY KEY,
    trial_id TEXT NOT NULL REFERENCES trials (trial_id),
    attempt INTEGER NOT NULL,
    error TEXT NOT NULL,
    at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS failures_trial ON failures (trial_id);
{DRIVER_LOCK};
{ORACLE_LOG};
"""

COLUMNS = (
    "trial_id, values_json, status, epochs, initial_epoch, parent_id, bracket, rung, iteration, "
    "metrics_json, loss, attempts, error, created_at, finished_at, epochs_reached"
)
INSERT_TRIAL = (
    f"INSERT INTO trials ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (trial_id) DO NOTHING"
)
_UPSERT = (
    "INSERT INTO {} (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json"
)
SET_SETTINGS = _UPSERT.format("settings")
SET_ORACLE_STATE = _UPSERT.format("oracle_state")
REPORT = (
    "INSERT INTO epoch_metrics (trial_id, epoch, metrics_json) "
    "SELECT trial_id, ?, ? FROM trials WHERE trial_id = ? AND status = 'RUNNING'"
)
FINISH = (
    "UPDATE trials SET status = ?, metrics_json = ?, loss = ?, error = ?, finished_at = ?, "
    "values_json = COALESCE(?, values_json), epochs_reached = ? "
    "WHERE trial_id = ? AND status = 'RUNNING'"
)

MIGRATIONS: dict[int, tuple[str, ...]] = {
    # from version N to N + 1
    1: ("ALTER TABLE trials ADD COLUMN epochs_reached INTEGER",),
    2: (DRIVER_LOCK,),
    3: (ORACLE_LOG,),
}
# one metric of every report: SQLite's JSON reads the number; a report holding NaN or Infinity
# (tokens SQLite 3.40's JSON rejects) comes back whole, for Python to decode
METRIC_HISTORY = (
    "SELECT m.trial_id, m.epoch, CASE WHEN instr(m.metrics_json, 'NaN') "
    "OR instr(m.metrics_json, 'Infinity') THEN NULL ELSE json_extract(m.metrics_json, ?) END, "
    "CASE WHEN instr(m.metrics_json, 'NaN') OR instr(m.metrics_json, 'Infinity') "
    "THEN m.metrics_json END "
    "FROM epoch_metrics AS m ORDER BY m.seq"
)
ALL_REPORTS = (
    "SELECT m.trial_id, m.epoch, m.metrics_json FROM epoch_metrics AS m "
    "JOIN trials AS t ON t.trial_id = m.trial_id WHERE t.status != 'RUNNING' "
    "ORDER BY t.seq, m.seq"
)
