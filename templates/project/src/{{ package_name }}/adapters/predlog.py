"""The prediction log: every served prediction, durable, with the inputs the model saw.

Monitoring needs to know what the model was asked and what it answered, and, once outcomes
arrive (a chargeback, a readmission), whether it was right. The service appends one row per
prediction here; outcomes are added later with `add_labels` and joined by the row's id.
Retraining reads the same records back as data (`labelled_requests`): each request as sent,
plus the outcome columns that arrived for it. With shadow scoring, the challenger's answer to
each request is kept beside the champion's (`shadow` table), never in place of it.

SQLite in WAL mode with `synchronous=NORMAL` is a good fit for one serving process: a commit
costs no fsync (the WAL is synced at checkpoints), readers such as the `monitor` command do
not block the writer, and a crash of the process loses nothing already committed (a power
cut may lose the last commits). A production system with several replicas would send these
records to a shared store or a stream instead.

The log holds personal data when the requests do, so it keeps no more than configured
(`privacy` in the configuration, `LogProtection` below): each sensitive column is stored
as sent, as a keyed hash (HMAC-SHA256: equal values stay equal, so counts and joins still
work, but the value cannot be read back without the key), or not at all. The file is
readable by its owner only (0600, like SQLite's -wal and -shm files beside it, which take
the file's mode), and `prune` deletes rows older than the retention period.

Every answer is kept with its row, so that the service can answer a repeated id with its
first answer (`first_answers`), across restarts too: the id of a row is an idempotency key.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import os
import secrets
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from ..errors import UserError

SCHEMA = """
CREATE TABLE IF NOT EXISTS predictions (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL UNIQUE,
    logged_at TEXT NOT NULL,
    entity_id TEXT,
    model_version TEXT NOT NULL,
    score REAL NOT NULL,
    decision TEXT NOT NULL,
    inputs TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS predictions_entity ON predictions (entity_id);
CREATE INDEX IF NOT EXISTS predictions_version ON predictions (model_version);
CREATE TABLE IF NOT EXISTS labels (
    entity_id TEXT PRIMARY KEY,
    label REAL NOT NULL,
    labelled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shadow (
    request_id TEXT PRIMARY KEY,
    model_version TEXT NOT NULL,
    score REAL NOT NULL,
    decision TEXT NOT NULL
);
"""
# Added after the first release: the outcome's own columns as they arrived (the target, and
# what is known only after it), so that retraining can rebuild complete rows. Logs made
# before have the column added on first open.
OUTCOME_COLUMN = "ALTER TABLE labels ADD COLUMN outcome TEXT"
# Added with idempotent ids: the answer returned (JSON), so that a repeated id gets it again.
# Rows logged before have none.
ANSWER_COLUMN = "ALTER TABLE predictions ADD COLUMN answer TEXT"

INSERT = """
INSERT INTO predictions
    (request_id, logged_at, entity_id, model_version, score, decision, inputs, payload, answer)
VALUES
    (:request_id, :logged_at, :entity_id, :model_version, :score, :decision, :inputs, :payload,
     :answer)
"""

UPSERT_LABEL = """
INSERT INTO labels (entity_id, label, labelled_at, outcome) VALUES (?, ?, ?, ?)
ON CONFLICT (entity_id) DO UPDATE SET
    label = excluded.label, labelled_at = excluded.labelled_at, outcome = excluded.outcome
"""

INSERT_SHADOW = """
INSERT INTO shadow (request_id, model_version, score, decision)
VALUES (:request_id, :model_version, :score, :decision)
"""

COLUMNS = ["request_id", "logged_at", "entity_id", "model_version", "score", "decision"]
# The prediction log's key for hashing sensitive columns, overriding `privacy.key_file`.
KEY_VARIABLE = "PREDICTION_LOG_KEY"
# Fields of the request as sent, read back with `read(payload_fields=...)`, under this prefix.
PAYLOAD_PREFIX = "payload__"


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


def prediction_log(config: Config, path: Path | None = None) -> PredictionLog:
    """The configured prediction log (or the one at `path`), protected as configured."""
    return PredictionLog(path or config.path(config.serving.prediction_log), protection(config))


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


class PredictionLog:
    """A SQLite file of predictions and labels; safe to share between threads of a process."""

    def __init__(self, path: Path, protection: LogProtection | None = None) -> None:
        self.path = Path(path)
        self.protection = protection or LogProtection()
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        # One connection guarded by a lock: a write is far shorter than a request, so threads
        # never wait long, and SQLite sees a single writer.
        if self._connection is None:
            _create_private(self.path)
            connection = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(SCHEMA)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(labels)")}
            if "outcome" not in columns:
                connection.execute(OUTCOME_COLUMN)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(predictions)")}
            if "answer" not in columns:
                connection.execute(ANSWER_COLUMN)
            self._connection = connection
        return self._connection

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> PredictionLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def write(
        self, records: list[dict[str, Any]], shadow: list[dict[str, Any]] | None = None
    ) -> None:
        """Append predictions (and the challenger's shadow answers) in one transaction.

        Each record holds request_id, logged_at, entity_id (or None), model_version, score,
        decision, inputs (the model inputs) and payload (the request as sent), both as dicts
        of plain JSON values, and optionally answer (what the caller got, or None). The
        payload is kept as `protection` says. Each shadow record holds request_id,
        model_version, score and decision.
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
        with self._lock:
            connection = self._connect()
            with connection:
                connection.executemany(INSERT, rows)
                if shadow:
                    connection.executemany(
                        INSERT_SHADOW,
                        [{**record, "score": float(record["score"])} for record in shadow],
                    )

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
        query = """
            SELECT p.request_id, p.logged_at, p.entity_id, p.model_version, p.score,
                   p.decision, p.inputs, l.label, p.payload
            FROM predictions AS p LEFT JOIN labels AS l ON l.entity_id = p.entity_id
            WHERE (:version IS NULL OR p.model_version = :version)
            ORDER BY p.id DESC
            LIMIT :limit
        """
        parameters = {"version": model_version, "limit": -1 if limit is None else int(limit)}
        with self._lock:
            rows = self._connect().execute(query, parameters).fetchall()
        rows.reverse()
        meta = pd.DataFrame([row[:6] for row in rows], columns=COLUMNS)
        inputs = pd.DataFrame.from_records([json.loads(row[6]) for row in rows])
        label = pd.Series([row[7] for row in rows], name="label", dtype="float64")
        payloads = [json.loads(row[8]) for row in rows] if payload_fields else []
        fields = pd.DataFrame(
            {
                f"{PAYLOAD_PREFIX}{name}": [payload.get(name) for payload in payloads]
                for name in payload_fields
            },
            index=meta.index,
        )
        return pd.concat([meta, inputs, label, fields], axis=1)

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
        rows = [
            (str(id_), float(label), stamp, outcome)
            for id_, label, outcome in zip(ids, values, outcomes, strict=True)
        ]
        with self._lock:
            connection = self._connect()
            with connection:
                connection.executemany(UPSERT_LABEL, rows)
            (matched,) = connection.execute(
                "SELECT COUNT(*) FROM predictions WHERE entity_id IN "
                "(SELECT value FROM json_each(?))",
                (json.dumps([row[0] for row in rows]),),
            ).fetchone()
        return int(matched)

    def labelled_requests(self) -> pd.DataFrame:
        """Every labelled request as a raw row: the fields sent, plus the outcome's columns.

        One row per entity (its latest prediction, if it was asked about more than once),
        in the order served, with `logged_at` and the `model_version` that answered. Values
        are text, as in a CSV file; requests labelled without outcome columns (`add_labels`
        without them) are left out.
        """
        query = """
            SELECT p.logged_at, p.model_version, p.payload, l.outcome
            FROM predictions AS p JOIN labels AS l ON l.entity_id = p.entity_id
            WHERE l.outcome IS NOT NULL AND p.id IN (
                SELECT MAX(id) FROM predictions WHERE entity_id IS NOT NULL GROUP BY entity_id
            )
            ORDER BY p.id
        """
        with self._lock:
            rows = self._connect().execute(query).fetchall()
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
        query = """
            SELECT p.request_id, p.logged_at, p.model_version, p.score,
                   s.model_version, s.score, l.label
            FROM predictions AS p JOIN shadow AS s ON s.request_id = p.request_id
            LEFT JOIN labels AS l ON l.entity_id = p.entity_id
            ORDER BY p.id
        """
        with self._lock:
            rows = self._connect().execute(query).fetchall()
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
        query = """
            SELECT p.entity_id, p.request_id, p.model_version, p.answer
            FROM predictions AS p
            WHERE p.id IN (
                SELECT MIN(id) FROM predictions
                WHERE entity_id IN (SELECT value FROM json_each(?)) GROUP BY entity_id
            )
        """
        with self._lock:
            rows = self._connect().execute(query, (json.dumps(entity_ids),)).fetchall()
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
        file system. Returns how many predictions were deleted."""
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="microseconds")
        with self._lock:
            connection = self._connect()
            with connection:
                connection.execute(
                    "DELETE FROM shadow WHERE request_id IN "
                    "(SELECT request_id FROM predictions WHERE logged_at < ?)",
                    (cutoff,),
                )
                deleted = connection.execute(
                    "DELETE FROM predictions WHERE logged_at < ?", (cutoff,)
                ).rowcount
                connection.execute(
                    "DELETE FROM labels WHERE labelled_at < ? AND entity_id NOT IN "
                    "(SELECT entity_id FROM predictions WHERE entity_id IS NOT NULL)",
                    (cutoff,),
                )
            # Deleted rows only free pages inside the file; VACUUM rewrites it without them,
            # and the checkpoint empties the WAL, which held copies of the deleted pages.
            connection.execute("VACUUM")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(deleted)

    def count(self) -> int:
        """How many predictions the log holds."""
        with self._lock:
            (total,) = self._connect().execute("SELECT COUNT(*) FROM predictions").fetchone()
        return int(total)


def _as_text(value: Any) -> Any:
    """A JSON value as a CSV cell would hold it: text, or None where it is missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
