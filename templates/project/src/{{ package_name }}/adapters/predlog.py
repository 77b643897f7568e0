"""The prediction log: every served prediction, durable, with the inputs the model saw.

Monitoring needs to know what the model was asked and what it answered, and, once outcomes
arrive (a chargeback, a readmission), whether it was right. The service appends one row per
prediction here; outcomes are added later with `add_labels` and joined by the row's id.
Retraining reads the same records back as data (`labelled_requests`): each request as sent,
plus the outcome columns that arrived for it. With shadow scoring, the challenger's answer to
each request is kept beside the champion's (`shadow` table), never in place of it.

Two stores, one code path (SQLAlchemy Core: the tables below, statements that run on both):

- A SQLite file, by default (`serving.prediction_log`). In WAL mode with
  `synchronous=NORMAL` it is a good fit for one serving process: a commit costs no fsync
  (the WAL is synced at checkpoints), readers such as the `monitor` command do not block
  the writer, and a crash of the process loses nothing already committed (a power cut may
  lose the last commits). Nothing to install or run.
- A PostgreSQL database, when `PREDICTION_LOG_URL` is set
  (`postgresql+psycopg://user@host/db`, the `postgres` extra installs the driver): one log
  that many replicas of the service write to at once, and that monitoring, labelling and
  retraining read from anywhere.

The schema is versioned: `predlog_migrations/` beside this file holds its alembic revisions,
applied when the log is first opened, so a log written by an earlier version of the project
opens with this one (`_migrate`); a log made before the revisions existed is recognised by
its columns and adopted.

The log holds personal data when the requests do, so it keeps no more than configured
(`privacy` in the configuration, `LogProtection` below): each sensitive column is stored
as sent, as a keyed hash (HMAC-SHA256: equal values stay equal, so counts and joins still
work, but the value cannot be read back without the key), or not at all. The SQLite file
is readable by its owner only (0600, like SQLite's -wal and -shm files beside it, which
take the file's mode), and `prune` deletes rows older than the retention period.

Every answer is kept with its row, so that the service can answer a repeated id with its
first answer (`first_answers`), across restarts too: the id of a row is an idempotency key.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import math
import os
import secrets
import sqlite3
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url

from ..config import Config
from ..errors import UserError

logger = logging.getLogger(__name__)

# The tables, as the latest revision of predlog_migrations/ leaves them (a test compares
# them): every statement below is built from these, so it runs on SQLite and PostgreSQL.
# Times are ISO 8601 text in UTC (`now()`): they sort as they compare, in both stores.
METADATA = sa.MetaData()
# SQLite's 64-bit rowid is its INTEGER PRIMARY KEY; PostgreSQL's INTEGER stops at 2**31.
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PREDICTIONS = sa.Table(
    "predictions",
    METADATA,
    sa.Column("id", ROW_ID, primary_key=True),
    sa.Column("request_id", sa.Text, nullable=False, unique=True),
    sa.Column("logged_at", sa.Text, nullable=False),
    sa.Column("entity_id", sa.Text),
    sa.Column("model_version", sa.Text, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    # The model inputs and the request as kept (`LogProtection`), JSON.
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    # The answer returned (JSON), so that a repeated id gets it again; none on rows logged
    # before answers were kept (revision 0003), or by batch scoring.
    sa.Column("answer", sa.Text),
    sa.Index("predictions_entity", "entity_id"),
    sa.Index("predictions_version", "model_version"),
)
LABELS = sa.Table(
    "labels",
    METADATA,
    sa.Column("entity_id", sa.Text, primary_key=True),
    sa.Column("label", sa.Float, nullable=False),
    sa.Column("labelled_at", sa.Text, nullable=False),
    # The outcome's own columns as they arrived (JSON: the target, and what is known only
    # after it), so that retraining can rebuild complete rows (revision 0002).
    sa.Column("outcome", sa.Text),
)
SHADOW = sa.Table(
    "shadow",
    METADATA,
    sa.Column("request_id", sa.Text, primary_key=True),
    sa.Column("model_version", sa.Text, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
)

# The statements of every request, built once (SQLAlchemy caches their compiled form).
INSERT_PREDICTIONS = PREDICTIONS.insert()
INSERT_SHADOW = SHADOW.insert()
# The first prediction of each of the ids given (`ids`, a list), and how many there are.
FIRST_ANSWERS = sa.select(
    PREDICTIONS.c.entity_id,
    PREDICTIONS.c.request_id,
    PREDICTIONS.c.model_version,
    PREDICTIONS.c.answer,
).where(
    PREDICTIONS.c.id.in_(
        sa.select(sa.func.min(PREDICTIONS.c.id))
        .where(PREDICTIONS.c.entity_id.in_(sa.bindparam("ids", expanding=True)))
        .group_by(PREDICTIONS.c.entity_id)
    )
)
COUNT_LOGGED = sa.select(sa.func.count()).where(
    PREDICTIONS.c.entity_id.in_(sa.bindparam("ids", expanding=True))
)

# The schema's alembic revisions, and the newest, which a log that is up to date is at.
MIGRATIONS = Path(__file__).with_name("predlog_migrations")
HEAD_REVISION = "0003"
# Serialises migrations between the processes that open one PostgreSQL log at once (an
# advisory lock's key: any number that nothing else in that database uses).
MIGRATION_LOCK = zlib.crc32(b"prediction log migrations")

COLUMNS = ["request_id", "logged_at", "entity_id", "model_version", "score", "decision"]
# The prediction log's key for hashing sensitive columns, overriding `privacy.key_file`.
KEY_VARIABLE = "PREDICTION_LOG_KEY"
# Fields of the request as sent, read back with `read(payload_fields=...)`, under this prefix.
PAYLOAD_PREFIX = "payload__"
# Where the log is, overriding the SQLite file: a SQLAlchemy URL, for PostgreSQL
# `postgresql+psycopg://user:password@host:5432/database` (or `sqlite:///path`).
URL_VARIABLE = "PREDICTION_LOG_URL"
# The stores the log runs on: the statements are tested on these two.
BACKENDS = ("sqlite", "postgresql")
# The most ids one statement names (`IN (...)`): SQLite allows 32,766 bound values at
# most, and far fewer before 3.32.
IDS_PER_STATEMENT = 500
# Seconds to wait for a PostgreSQL connection before giving up (libpq's connect_timeout),
# and for a SQLite file that another process is writing.
CONNECT_TIMEOUT_S = 3
BUSY_TIMEOUT_S = 10
# The connection option that says how a SQLite transaction begins (`PredictionLog._writing`).
BEGIN_OPTION = "predlog_begin"


def now() -> str:
    """The current UTC time as ISO 8601, the format of `logged_at`."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def plain(value: Any) -> Any:
    """A value as plain JSON: numpy scalars unwrapped, NaN and pandas' NA as null."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.isoformat()
    return value


def new_records(
    payloads: list[dict[str, Any]],
    inputs: list[dict[str, Any]],
    scores: Any,
    decisions: list[str],
    *,
    model_version: str,
    id_column: str | None,
    answers: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """One record per answered request for `PredictionLog.write`, row for row: a new
    request id each, one time stamp for all, the entity's id taken from the payload, and
    the answer returned (the service's; batch scoring returns none)."""
    logged_at = now()
    return [
        {
            "request_id": uuid.uuid4().hex,
            "logged_at": logged_at,
            "entity_id": payload.get(id_column) if id_column else None,
            "model_version": model_version,
            "score": float(score),
            "decision": decision,
            "inputs": row_inputs,
            "payload": payload,
            "answer": answer,
        }
        for payload, row_inputs, score, decision, answer in zip(
            payloads,
            inputs,
            scores,
            decisions,
            answers if answers is not None else [None] * len(payloads),
            strict=True,
        )
    ]


class LogKeyError(UserError, ValueError):
    """The key that hashes the log's sensitive columns cannot be read."""


@dataclass(frozen=True)
class LogProtection:
    """How the log keeps the sensitive columns of a request: `hashed` ones as a keyed hash
    (with `key`), `dropped` ones not at all; the others as sent."""

    hashed: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    key: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.hashed and not self.key:
            raise ValueError("hashing log columns needs a key")

    def pseudonym(self, value: Any) -> Any:
        """A value's keyed hash (HMAC-SHA256, hex); missing stays missing."""
        if value is None:
            return None
        if self.key is None:
            raise ValueError("hashing log columns needs a key")
        return hmac.new(self.key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()

    def apply(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload as the log keeps it."""
        return {
            name: self.pseudonym(value) if name in self.hashed else value
            for name, value in payload.items()
            if name not in self.dropped
        }


def protection(config: Config) -> LogProtection:
    """The protection `privacy.sensitive_columns` asks for, with the key if one is needed.

    The key comes from the environment (`KEY_VARIABLE`), or else from `privacy.key_file`,
    which is created on first use with a random key, readable by its owner only. Keep it
    out of git and away from copies of the log: with the key, anyone can hash the likely
    values of a column and so read it back. Lose it, and new rows get other hashes than
    older ones (a customer then looks new to retraining).
    """
    columns = config.privacy.sensitive_columns
    hashed = tuple(name for name, how in columns.items() if how == "hash")
    dropped = tuple(name for name, how in columns.items() if how == "drop")
    key = _read_or_create_key(config.path(config.privacy.key_file)) if hashed else None
    return LogProtection(hashed, dropped, key)


def log_location(config: Config, path: Path | None = None) -> Path | URL:
    """Where the prediction log is: the database `PREDICTION_LOG_URL` names, if it is set,
    else the SQLite file at `path`, else `serving.prediction_log`'s.

    Printed, either shows where without a password (SQLAlchemy's URL hides it).
    """
    url = os.environ.get(URL_VARIABLE)
    if url:
        return log_url(url)
    return Path(path) if path is not None else config.path(config.serving.prediction_log)


def prediction_log(config: Config, path: Path | None = None) -> PredictionLog:
    """The configured prediction log (`log_location`), protected as configured."""
    return PredictionLog(log_location(config, path), protection(config))


def log_url(location: Path | str | URL) -> URL:
    """The SQLAlchemy URL of a log given as a SQLite file's path or as a URL."""
    if isinstance(location, URL):
        url = location
    elif isinstance(location, str) and "://" in location:
        try:
            url = make_url(location)
        except sa.exc.ArgumentError as error:
            raise LogLocationError(f"{URL_VARIABLE}: {error}") from None
    else:
        url = URL.create("sqlite", database=str(location))
    backend = url.get_backend_name()
    if backend not in BACKENDS:
        raise LogLocationError(
            f"the prediction log runs on SQLite or PostgreSQL, not {backend}: {url} "
            "(postgresql+psycopg://user@host/database, or sqlite:///path)"
        )
    if backend == "sqlite" and url.database in (None, "", ":memory:"):
        raise LogLocationError(f"the prediction log needs a file: {url} names none")
    if url.drivername == "postgresql":  # the driver the `postgres` extra installs
        url = url.set(drivername="postgresql+psycopg")
    return url


class LogLocationError(UserError, ValueError):
    """The prediction log's location cannot be used (an unknown store, no driver)."""


def _read_or_create_key(path: Path) -> bytes:
    """The log's key: from the environment, else from `path` (made if missing, mode 0600)."""
    from_environment = os.environ.get(KEY_VARIABLE)
    if from_environment:
        return from_environment.encode("utf-8")
    if not path.is_file():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(32) + "\n")
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise LogKeyError(f"the prediction log's key file {path} is empty: restore it from backup")
    return key.encode("utf-8")


def _create_private(path: Path) -> None:
    """Create an empty file readable and writable by its owner only, unless it exists.

    SQLite gives its -wal and -shm files the database file's mode, so they are private too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@dataclass
class _Write:
    """One `PredictionLog.write` call's rows, waiting to be committed."""

    rows: list[dict[str, Any]]
    shadow: list[dict[str, Any]]
    done: bool = False
    committed: bool = False
    error: BaseException | None = None


class PredictionLog:
    """The predictions and labels, in a SQLite file or a PostgreSQL database; safe to share
    between threads of a process.

    `location` is the SQLite file's path, or a SQLAlchemy URL (`log_url`). `path` is the
    file (None for PostgreSQL), `url` the URL. Nothing is opened before the first use, when
    the schema is brought up to date (`_migrate`).
    """

    def __init__(self, location: Path | str | URL, protection: LogProtection | None = None) -> None:
        self.url = log_url(location)
        self.sqlite = self.url.get_backend_name() == "sqlite"
        self.path = Path(str(self.url.database)) if self.sqlite else None
        self.protection = protection or LogProtection()
        # One connection at a time, guarded by a lock: a write is far shorter than a
        # request, so threads never wait long, and SQLite sees a single writer.
        self._lock = threading.Lock()
        self._engine = _engine(self.url)  # connects on first use only
        self._migrated = False
        # SQLite's connection stays open between uses: taking one from the pool each time
        # would cost more than the write. PostgreSQL's come from the pool, checked first.
        self._connection: Connection | None = None
        # Group commit (`write`): the writes waiting for the transaction in progress, and
        # the lock held by the thread that commits them.
        self._waiting: list[_Write] = []
        self._waiting_lock = threading.Lock()
        self._commit_lock = threading.Lock()

    def __str__(self) -> str:
        """Where the log is: the file, or the database's URL without its password."""
        return str(self.path) if self.path is not None else str(self.url)

    def _sqlite_connection(self) -> Connection:
        """The SQLite file's connection, kept open (the caller holds the lock)."""
        if self._connection is None:
            self._connection = self._engine.connect()
        return self._connection

    @contextlib.contextmanager
    def _transaction(self, begin: str = "BEGIN") -> Iterator[Connection]:
        """A connection in a transaction that commits when the block ends (a read's is one
        snapshot of the log); on first use, the schema brought up to date (`_migrate`).

        On SQLite a write begins with `BEGIN IMMEDIATE`, taking the write lock first:
        waiting for it then respects the busy timeout, where a read that turns into a write
        could fail at once. On PostgreSQL each transaction takes a pooled connection,
        checked before use, so a restarted or failed-over server costs no request.
        """
        with self._lock:
            if not self._migrated:
                if self.path is not None:
                    _create_private(self.path)
                _migrate(self._engine)
                self._migrated = True
            if self.sqlite:
                connection = self._sqlite_connection()
                connection.execution_options(**{BEGIN_OPTION: begin})
                with connection.begin():
                    yield connection
            else:
                with self._engine.connect() as connection, connection.begin():
                    yield connection

    def _reading(self) -> contextlib.AbstractContextManager[Connection]:
        return self._transaction()

    def _writing(self) -> contextlib.AbstractContextManager[Connection]:
        return self._transaction("BEGIN IMMEDIATE")

    def exists(self) -> bool:
        """Whether there is a log to read: the SQLite file exists. A database is taken to
        have one (empty until the first prediction)."""
        return self.path is None or self.path.is_file()

    def ready(self) -> bool:
        """Whether a prediction can be logged now.

        SQLite: the file, if it exists, and the folder that holds it (or will: SQLite
        writes its -wal and -shm files there) can be written. PostgreSQL: the schema is up
        to date and the server answers `SELECT 1`, within the connection timeout.
        """
        if self.path is not None:
            path = self.path
            folder = next(parent for parent in path.absolute().parents if parent.exists())
            if path.exists() and not (path.is_file() and os.access(path, os.W_OK)):
                return False
            return folder.is_dir() and os.access(folder, os.W_OK)
        try:
            with self._reading() as connection:
                connection.execute(sa.text("SELECT 1"))
        except Exception as error:  # whatever stops it, the log cannot be written: not ready
            logger.warning("the prediction log at %s is not ready: %s", self, error)
            return False
        return True

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._engine.dispose()
            self._migrated = False

    def __enter__(self) -> PredictionLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def write(
        self, records: list[dict[str, Any]], shadow: list[dict[str, Any]] | None = None
    ) -> None:
        """Append predictions (and the challenger's shadow answers); return once they are
        committed.

        Each record holds request_id, logged_at, entity_id (or None), model_version, score,
        decision, inputs (the model inputs) and payload (the request as sent), both as dicts
        of plain JSON values, and optionally answer (what the caller got, or None). The
        payload is kept as `protection` says. Each shadow record holds request_id,
        model_version, score and decision.

        Writes from many threads share transactions (group commit): while one commits, the
        others queue, and the next transaction takes every write queued by then. Each call
        still returns only after its own rows are committed, or raises: a caller that
        answers only after `write` returned never answers a prediction that a crash of the
        process could lose. A commit costs about as much for one row as for ten (on
        PostgreSQL, a round trip and the server's flush), so many threads writing at once
        pay it once per group, not once per row.
        """
        rows = [
            {
                **{name: record[name] for name in COLUMNS},
                "entity_id": None if record["entity_id"] is None else str(record["entity_id"]),
                "score": float(record["score"]),
                "inputs": json.dumps(
                    {name: plain(value) for name, value in record["inputs"].items()}
                ),
                "payload": json.dumps(self.protection.apply(record["payload"]), default=plain),
                "answer": (
                    None
                    if record.get("answer") is None
                    else json.dumps(record["answer"], default=plain)
                ),
            }
            for record in records
        ]
        shadow_rows = [
            {
                "request_id": record["request_id"],
                "model_version": record["model_version"],
                "score": float(record["score"]),
                "decision": record["decision"],
            }
            for record in shadow or []
        ]
        if not rows and not shadow_rows:
            return
        write = _Write(rows, shadow_rows)
        with self._waiting_lock:
            self._waiting.append(write)
        with self._commit_lock:
            if not write.done:  # no other thread's transaction took it: commit the queue
                with self._waiting_lock:
                    group, self._waiting = self._waiting, []
                self._commit_group(group)
        if write.error is not None:
            raise write.error

    def _commit_group(self, group: list[_Write]) -> None:
        """Commit the writes of `group` in one transaction, and mark each done.

        If a row breaks a constraint (a request id logged twice), each write is retried in
        a transaction of its own, so only its caller fails; any other error fails them all.
        """
        try:
            self._insert(
                [row for write in group for row in write.rows],
                [row for write in group for row in write.shadow],
            )
            for write in group:
                write.committed = True
        except sa.exc.IntegrityError:
            for write in group:
                try:
                    self._insert(write.rows, write.shadow)
                    write.committed = True
                except sa.exc.IntegrityError as error:
                    write.error = error
        except Exception as error:
            for write in group:
                write.error = error
        finally:
            for write in group:
                if not write.committed and write.error is None:  # interrupted
                    write.error = RuntimeError("the prediction log's write was interrupted")
                write.done = True

    def _insert(self, rows: list[dict[str, Any]], shadow_rows: list[dict[str, Any]]) -> None:
        with self._writing() as connection:
            if rows:
                connection.execute(INSERT_PREDICTIONS, rows)
            if shadow_rows:
                connection.execute(INSERT_SHADOW, shadow_rows)

    def read(
        self,
        limit: int | None = None,
        model_version: str | None = None,
        payload_fields: list[str] | tuple[str, ...] = (),
    ) -> pd.DataFrame:
        """The most recent `limit` predictions (all by default), oldest first.

        One column per model input, `label` from the labels table (missing until the outcome
        of that row has been added), and `payload__<field>` for each of `payload_fields`.
        """
        p, label = PREDICTIONS.c, LABELS.c
        # The payload (the request as sent, the longest text of a row) only when asked for.
        payload = p.payload if payload_fields else sa.null().label("payload")
        query = (
            sa.select(
                p.request_id,
                p.logged_at,
                p.entity_id,
                p.model_version,
                p.score,
                p.decision,
                p.inputs,
                label.label,
                payload,
            )
            .select_from(PREDICTIONS.outerjoin(LABELS, label.entity_id == p.entity_id))
            .order_by(p.id.desc())
            .limit(None if limit is None else int(limit))
        )
        if model_version is not None:
            query = query.where(p.model_version == model_version)
        with self._reading() as connection:
            rows = [tuple(row) for row in connection.execute(query)]
        rows.reverse()
        meta = pd.DataFrame([row[:6] for row in rows], columns=COLUMNS)
        inputs = pd.DataFrame.from_records(_json_list([row[6] for row in rows]))
        label_column = pd.Series([row[7] for row in rows], name="label", dtype="float64")
        payloads = _json_list([row[8] for row in rows]) if payload_fields else []
        fields = pd.DataFrame(
            {
                f"{PAYLOAD_PREFIX}{name}": [payload.get(name) for payload in payloads]
                for name in payload_fields
            },
            index=meta.index,
        )
        return pd.concat([meta, inputs, label_column, fields], axis=1)

    def add_labels(self, frame: pd.DataFrame, outcome_columns: list[str] | None = None) -> int:
        """Record outcomes (columns entity_id and label), replacing earlier ones for an id.

        `outcome_columns` names further columns of `frame` kept as they arrived (the raw
        target, and what is known only after it), for retraining. Returns how many logged
        predictions the labelled ids match: an outcome may arrive for a row that was never
        served here, and then it simply joins nothing.
        """
        missing = {"entity_id", "label"} - set(frame.columns)
        if missing:
            raise ValueError(f"labels need the column(s) {', '.join(sorted(missing))}")
        stamp = now()
        ids = frame["entity_id"].astype("string")
        if ids.isna().any():
            raise ValueError("labels need an entity_id on every row")
        values = pd.to_numeric(frame["label"], errors="coerce")
        if values.isna().any():
            example = frame.loc[values.isna(), "label"].iloc[0]
            raise ValueError(f"labels must be numbers; got {example!r}")
        outcomes = (
            [
                json.dumps(dict(zip(outcome_columns, values, strict=True)), default=plain)
                for values in frame[outcome_columns].itertuples(index=False, name=None)
            ]
            if outcome_columns
            else [None] * len(frame)
        )
        # One row per id, the last one given winning, as if each replaced the one before:
        # PostgreSQL refuses to update a row twice in one statement.
        rows = {
            str(id_): {
                "entity_id": str(id_),
                "label": float(label),
                "labelled_at": stamp,
                "outcome": outcome,
            }
            for id_, label, outcome in zip(ids, values, outcomes, strict=True)
        }
        if not rows:
            return 0
        with self._writing() as connection:
            connection.execute(_upsert_labels(connection), list(rows.values()))
        matched = 0
        with self._reading() as connection:
            for chunk in _chunks(list(rows)):
                matched += connection.execute(COUNT_LOGGED, {"ids": chunk}).scalar_one()
        return int(matched)

    def labelled_requests(self) -> pd.DataFrame:
        """Every labelled request as a raw row: the fields sent, plus the outcome's columns.

        One row per entity (its latest prediction, if it was asked about more than once),
        in the order served, with `logged_at` and the `model_version` that answered. Values
        are text, as in a CSV file; requests labelled without outcome columns (`add_labels`
        without them) are left out.
        """
        p, label = PREDICTIONS.c, LABELS.c
        latest = sa.select(sa.func.max(p.id)).where(p.entity_id.is_not(None)).group_by(p.entity_id)
        query = (
            sa.select(p.logged_at, p.model_version, p.payload, label.outcome)
            .select_from(PREDICTIONS.join(LABELS, label.entity_id == p.entity_id))
            .where(label.outcome.is_not(None), p.id.in_(latest))
            .order_by(p.id)
        )
        with self._reading() as connection:
            rows = [tuple(row) for row in connection.execute(query)]
        # Text before any frame exists: pandas would turn a column of 3 and 2.5 into floats
        # and write the id 12345 as "12345.0".
        records = [
            {
                name: _as_text(value)
                for name, value in {
                    **json.loads(payload),
                    **json.loads(outcome),
                    "logged_at": logged_at,
                    "model_version": version,
                }.items()
            }
            for logged_at, version, payload, outcome in rows
        ]
        return pd.DataFrame.from_records(records).astype("object")

    def shadowed(self) -> pd.DataFrame:
        """Requests the challenger also answered: both versions' scores, and the label.

        Columns request_id, logged_at, model_version, score, shadow_version, shadow_score,
        label (NaN until the outcome arrives), oldest first.
        """
        p, shadow, label = PREDICTIONS.c, SHADOW.c, LABELS.c
        query = (
            sa.select(
                p.request_id,
                p.logged_at,
                p.model_version,
                p.score,
                shadow.model_version,
                shadow.score,
                label.label,
            )
            .select_from(
                PREDICTIONS.join(SHADOW, shadow.request_id == p.request_id).outerjoin(
                    LABELS, label.entity_id == p.entity_id
                )
            )
            .order_by(p.id)
        )
        with self._reading() as connection:
            rows = [tuple(row) for row in connection.execute(query)]
        columns = [
            "request_id",
            "logged_at",
            "model_version",
            "score",
            "shadow_version",
            "shadow_score",
            "label",
        ]
        return pd.DataFrame(rows, columns=columns).astype({"label": "float64"})

    def first_answers(self, entity_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The first logged answer to each of `entity_ids` that was answered before.

        Per id: request_id, model_version and answer (the fields returned; None for a row
        logged before answers were kept).
        """
        ids = list(dict.fromkeys(str(id_) for id_ in entity_ids))
        with self._reading() as connection:
            rows = [
                tuple(row)
                for chunk in _chunks(ids)
                for row in connection.execute(FIRST_ANSWERS, {"ids": chunk})
            ]
        return {
            entity_id: {
                "request_id": request_id,
                "model_version": version,
                "answer": None if answer is None else json.loads(answer),
            }
            for entity_id, request_id, version, answer in rows
        }

    def prune(self, days: int) -> int:
        """Delete predictions logged more than `days` days ago (with their shadow answers,
        and the outcomes no remaining prediction joins), then give the space back to the
        file system (SQLite; PostgreSQL's autovacuum reuses the space). Returns how many
        predictions were deleted."""
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="microseconds")
        p = PREDICTIONS.c
        old = sa.select(p.request_id).where(p.logged_at < cutoff)
        joined = sa.select(p.entity_id).where(p.entity_id.is_not(None))
        with self._writing() as connection:
            connection.execute(SHADOW.delete().where(SHADOW.c.request_id.in_(old)))
            deleted = connection.execute(PREDICTIONS.delete().where(p.logged_at < cutoff)).rowcount
            connection.execute(
                LABELS.delete().where(
                    LABELS.c.labelled_at < cutoff, LABELS.c.entity_id.not_in(joined)
                )
            )
        if self.sqlite:
            # Deleted rows only free pages inside the file; VACUUM rewrites it without them,
            # and the checkpoint empties the WAL, which held copies of the deleted pages.
            # Both outside any transaction, on the driver's connection.
            with self._lock:
                driver_connection = self._sqlite_connection().connection.driver_connection
                driver_connection.execute("VACUUM")
                driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(deleted)

    def count(self) -> int:
        """How many predictions the log holds."""
        with self._reading() as connection:
            total = connection.execute(
                sa.select(sa.func.count()).select_from(PREDICTIONS)
            ).scalar_one()
        return int(total)


def _json_list(documents: list[str]) -> list[Any]:
    """JSON documents parsed: as one array, a single call of the parser's C code rather than
    one per row (monitoring reads tens of thousands)."""
    return json.loads("[" + ",".join(documents) + "]")


def _engine(url: URL) -> Engine:
    """An engine for the log's store; it connects on first use.

    SQLite: WAL, `synchronous=NORMAL` and the busy timeout on every connection, and the
    transactions begun by SQLAlchemy, not by Python's sqlite3 module, which would begin
    none before a CREATE or ALTER TABLE: a migration is then one transaction, all or
    nothing. PostgreSQL: connections checked before use (a restarted server), and a bounded
    wait for a new one.
    """
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
        )

        @sa.event.listens_for(engine, "connect")
        def _on_connect(driver_connection: Any, _record: Any) -> None:
            driver_connection.isolation_level = None  # sqlite3 begins no transaction itself
            _write_ahead_log(driver_connection)
            driver_connection.execute("PRAGMA synchronous=NORMAL")

        @sa.event.listens_for(engine, "begin")
        def _on_begin(connection: Connection) -> None:
            begin = connection.get_execution_options().get(BEGIN_OPTION, "BEGIN")
            connection.connection.driver_connection.execute(begin)

        return engine
    connect_args = {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT_S}
    try:
        return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except ModuleNotFoundError as error:
        raise LogLocationError(
            f"the prediction log at {url} needs the PostgreSQL driver ({error.name}): "
            "install the project's `postgres` extra, `pip install -e '.[postgres]'`"
        ) from None


def _write_ahead_log(driver_connection: sqlite3.Connection) -> None:
    """Put the file in WAL mode, which it keeps: once, by the first connection to a new log.

    Switching needs the file to itself, and SQLite answers "database is locked" at once
    rather than wait (the busy timeout does not apply): connections opening a new log
    together, such as the service's workers, wait here for the one that switches it.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            (mode,) = driver_connection.execute("PRAGMA journal_mode").fetchone()
            if mode != "wal":
                driver_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _upsert_labels(connection: Connection) -> sa.Insert:
    """INSERT ... ON CONFLICT (entity_id) DO UPDATE, in the connection's dialect."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(LABELS)
    return statement.on_conflict_do_update(
        index_elements=[LABELS.c.entity_id],
        set_={name: statement.excluded[name] for name in ("label", "labelled_at", "outcome")},
    )


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), IDS_PER_STATEMENT):
        yield values[start : start + IDS_PER_STATEMENT]


# Migrations ------------------------------------------------------------------------------


def _migrate(engine: Engine) -> None:
    """Bring the log's schema up to date (`HEAD_REVISION`), keeping every row.

    An up-to-date log costs one query. Otherwise alembic applies the revisions of
    predlog_migrations/ in one transaction, which only one process runs at a time (SQLite's
    write lock; an advisory lock on PostgreSQL): the others wait, then find the schema up
    to date. A log made before the revisions existed has no `alembic_version` table; it is
    first stamped with the revision its tables match (`_adopted_revision`). A log that a
    newer version of the project migrated further is refused, not changed.
    """
    with engine.connect() as connection:
        if _current_revision(connection) == HEAD_REVISION:
            return
    # Imported here: most opens find the schema up to date.
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    settings = AlembicConfig()
    settings.set_main_option("script_location", str(MIGRATIONS))
    settings.set_main_option("path_separator", "os")
    known = {script.revision for script in ScriptDirectory.from_config(settings).walk_revisions()}
    with engine.connect() as connection:
        connection.execution_options(**{BEGIN_OPTION: "BEGIN IMMEDIATE"})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            # predlog_migrations/env.py runs the revisions on this connection, inside this
            # transaction.
            settings.attributes["connection"] = connection
            if not sa.inspect(connection).has_table("alembic_version"):
                adopted = _adopted_revision(connection)
                if adopted is not None:
                    command.stamp(settings, adopted)
            current = _current_revision(connection)
            if current is not None and current not in known:
                raise LogSchemaError(
                    f"the prediction log's schema is at revision {current}, which a newer "
                    f"version of the project made; this one knows up to {HEAD_REVISION}: "
                    "update the project (`mlops-new update`) to open it"
                )
            command.upgrade(settings, "head")


def _current_revision(connection: Connection) -> str | None:
    """The alembic revision the log is at (None: an empty database, or a log made before
    migrations)."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _adopted_revision(connection: Connection) -> str | None:
    """The revision whose schema a log made before migrations has, all of it: 0001 the
    first release's tables, 0002 with the shadow table and the outcome column, 0003 with the
    answer column. None when even 0001's tables are not all there (an empty database):
    0001 then makes what is missing and keeps what is not."""
    inspector = sa.inspect(connection)
    tables = set(inspector.get_table_names())
    if not {"predictions", "labels"} <= tables:
        return None
    predictions = {column["name"] for column in inspector.get_columns("predictions")}
    labels = {column["name"] for column in inspector.get_columns("labels")}
    if "shadow" not in tables or "outcome" not in labels:
        return "0001"
    return "0003" if "answer" in predictions else "0002"


class LogSchemaError(UserError, RuntimeError):
    """The prediction log's schema is newer than this version of the project knows."""


def _as_text(value: Any) -> Any:
    """A JSON value as a CSV cell would hold it: text, or None where it is missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
