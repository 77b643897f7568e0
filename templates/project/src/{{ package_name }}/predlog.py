"""The prediction log: every served prediction, durable, with the inputs the model saw.

Monitoring needs to know what the model was asked and what it answered, and, once outcomes
arrive (a chargeback, a readmission), whether it was right. The service appends one row per
prediction here; outcomes are added later with `add_labels` and joined by the row's id.

SQLite in WAL mode with `synchronous=NORMAL` is a good fit for one serving process: a commit
costs no fsync (the WAL is synced at checkpoints), readers such as the `monitor` command do
not block the writer, and a crash of the process loses nothing already committed (a power
cut may lose the last commits). A production system with several replicas would send these
records to a shared store or a stream instead.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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
"""

INSERT = """
INSERT INTO predictions
    (request_id, logged_at, entity_id, model_version, score, decision, inputs, payload)
VALUES
    (:request_id, :logged_at, :entity_id, :model_version, :score, :decision, :inputs, :payload)
"""

UPSERT_LABEL = """
INSERT INTO labels (entity_id, label, labelled_at) VALUES (?, ?, ?)
ON CONFLICT (entity_id) DO UPDATE SET label = excluded.label, labelled_at = excluded.labelled_at
"""

COLUMNS = ["request_id", "logged_at", "entity_id", "model_version", "score", "decision"]
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


class PredictionLog:
    """A SQLite file of predictions and labels; safe to share between threads of a process."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        # One connection guarded by a lock: a write is far shorter than a request, so threads
        # never wait long, and SQLite sees a single writer.
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(SCHEMA)
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

    def write(self, records: list[dict[str, Any]]) -> None:
        """Append predictions in one transaction.

        Each record holds request_id, logged_at, entity_id (or None), model_version, score,
        decision, inputs (the model inputs) and payload (the request as sent), both as dicts
        of plain JSON values.
        """
        rows = [
            {
                **{name: record[name] for name in COLUMNS},
                "entity_id": None if record["entity_id"] is None else str(record["entity_id"]),
                "score": float(record["score"]),
                "inputs": json.dumps(
                    {name: plain(value) for name, value in record["inputs"].items()}
                ),
                "payload": json.dumps(record["payload"], default=plain),
            }
            for record in records
        ]
        with self._lock:
            connection = self._connect()
            with connection:
                connection.executemany(INSERT, rows)

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

    def add_labels(self, frame: pd.DataFrame) -> int:
        """Record outcomes (columns entity_id and label), replacing earlier ones for an id.

        Returns how many logged predictions the labelled ids match: an outcome may arrive for
        a row that was never served here, and then it simply joins nothing.
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
        rows = [(str(id_), float(label), stamp) for id_, label in zip(ids, values, strict=True)]
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

    def count(self) -> int:
        """How many predictions the log holds."""
        with self._lock:
            (total,) = self._connect().execute("SELECT COUNT(*) FROM predictions").fetchone()
        return int(total)
