"""Raw rows to model inputs without pandas: the web service's path, one request at a time.

Training, evaluation and batch scoring turn a frame of rows into model inputs
(`bundle.model_inputs`): pandas pays for itself over thousands of rows. The service gets one
row (or a few) per request, where building a one-row frame, its columns and categoricals
costs several times the model's prediction. `OnlineInputs` computes the same model inputs
from the request's JSON values with plain Python: each raw feature column and calendar part
from its value, the domain features with the scenario's per-row form
(`features.row_features`, which updates the history exactly as `engineer_features` does).

Where the domain features' state lives while the service runs is an `EntityState`: this
process's memory by default (`InProcessState`, the history loaded with the model), or a
store shared by several replicas (adapters/online_store.py: Redis), which loads each row's
entity, featurises and writes it back atomically.

The two paths share every definition that decides a value (the schema's columns and
`allowed` categories, the order of `feature_names`, the domain features' constants and
helpers), and the project's parity test (tests/test_online.py) featurises thousands of
simulated rows both ways, in time order, and requires identical model inputs and scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np

from ..config import ColumnSpec
from ..domain import features

NAN = float("nan")

# Calendar parts of a datetime, as `schema.calendar_features` computes them from a frame.
_CALENDAR_PARTS = {
    "hour": lambda moment: moment.hour,
    "weekday": lambda moment: moment.weekday(),
    "month": lambda moment: moment.month,
    "dayofyear": lambda moment: moment.timetuple().tm_yday,
}


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time as naive UTC, as `schema.parse_datetimes` reads a request's times:
    a time with an offset is converted, one without is UTC (None stays None)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


class InputSpec(Protocol):
    """What of a bundle's `InputSpec` (core/bundle.py) the online inputs are built from."""

    columns: dict[str, ColumnSpec]
    feature_engineering: str
    feature_settings: dict[str, Any]
    feature_names: list[str]


class EntityState(Protocol):
    """Where the domain features' state lives: what `row_features` reads and updates."""

    def last_seen(self, row: dict[str, Any]) -> datetime | None:
        """When the state last saw the row's entity (`features.row_last_seen`)."""
        ...

    def features(self, row: dict[str, Any]) -> list[float]:
        """The row's domain features (`features.row_features`), its entity's state updated
        with the row at once: no other update of that state can come in between."""
        ...


class InProcessState:
    """The default: the history in this process's memory, as loaded with the model.

    One process updates it, one request at a time (the service's event loop), so nothing
    else can update an entity in the middle of a row.
    """

    def __init__(self, history: Any) -> None:
        self.history = history

    def last_seen(self, row: dict[str, Any]) -> datetime | None:
        return features.row_last_seen(row, self.history)

    def features(self, row: dict[str, Any]) -> list[float]:
        return features.row_features(row, self.history)


@dataclass(frozen=True)
class RowInputs:
    """Model inputs of rows: the float matrix the boosters take, and each row's inputs by
    name (categories as their labels) for the prediction log."""

    matrix: np.ndarray
    records: list[dict[str, Any]]


class OnlineInputs:
    """Turns validated request rows into model inputs, as `bundle.model_inputs` does a frame.

    Built once per loaded bundle: what each model input is read from is worked out here, so
    that a row costs a pass over its values.
    """

    def __init__(self, spec: InputSpec) -> None:
        self.spec = spec
        columns = spec.columns
        self.times = [name for name, column in columns.items() if column.type == "datetime"]
        # Raw feature columns: a category's code is its position among the `allowed` values
        # (`bundle.as_matrix`), and its label is what the log keeps.
        self.raw = [
            (
                name,
                {str(level): code for code, level in enumerate(column.allowed or [])}
                if column.type == "category"
                else None,
            )
            for name, column in columns.items()
            if column.feature
        ]
        self.calendar = [
            (name, f"{name}_{part}", _CALENDAR_PARTS[part])
            for name, column in columns.items()
            for part in column.parts
        ]
        self.engineered = (
            features.feature_names(spec.feature_settings)
            if spec.feature_engineering != "none"
            else []
        )

    def typed(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A request row (its JSON values) with its times parsed (naive UTC `datetime`)."""
        row = dict(payload)
        for name in self.times:
            row[name] = parse_time(row.get(name))
        return row

    def inputs(self, rows: list[dict[str, Any]], state: EntityState | None) -> RowInputs:
        """Model inputs of typed rows in time order; the domain features update `state`."""
        names = self.spec.feature_names
        codes: list[list[float]] = []
        records: list[dict[str, Any]] = []
        for row in rows:
            values: dict[str, Any] = {}
            row_codes: dict[str, float] = {}
            if self.engineered:
                if state is None:
                    raise ValueError("domain features need the feature history")
                engineered = state.features(row)
                values.update(zip(self.engineered, engineered, strict=True))
            for name, levels in self.raw:
                value = row.get(name)
                if levels is None:
                    values[name] = NAN if value is None else float(value)
                    continue
                code = None if value is None else levels.get(str(value))
                values[name] = NAN if code is None else str(value)
                row_codes[name] = NAN if code is None else float(code)
            for name, feature, part in self.calendar:
                moment = row.get(name)
                values[feature] = NAN if moment is None else float(part(moment))
            codes.append([row_codes[name] if name in row_codes else values[name] for name in names])
            records.append({name: values[name] for name in names})
        matrix = np.array(codes, dtype=np.float32).reshape(len(rows), len(names))
        return RowInputs(matrix, records)
