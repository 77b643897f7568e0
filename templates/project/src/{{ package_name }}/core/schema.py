"""Validation of data against the schema declared in `config/pipeline.yaml`.

The same declaration checks a CSV before training and before batch scoring (`validate_frame`)
and types the service's HTTP payload (`request_model`), so a value the pipeline would refuse
in a file is refused over HTTP too. Violations are collected per column and rule, with a count
and an example, and stop the pipeline with `DataValidationError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, create_model

from ..config import ColumnSpec
from ..errors import UserError


@dataclass(frozen=True)
class Violation:
    column: str
    rule: str
    count: int
    example: str = ""

    def __str__(self) -> str:
        example = f" (e.g. {self.example})" if self.example else ""
        return f"{self.column}: {self.rule}: {self.count} row(s){example}"


class DataValidationError(UserError, ValueError):
    """The data broke the declared schema; `violations` says where, how and how often."""

    def __init__(self, source: str, violations: list[Violation]) -> None:
        self.source = source
        self.violations = violations
        lines = "\n".join(f"  - {violation}" for violation in violations)
        super().__init__(f"{source} failed validation ({len(violations)} problem(s)):\n{lines}")


def _example(values: pd.Series) -> str:
    return repr(values.iloc[0]) if len(values) else ""


def parse_datetimes(values: Any, errors: str = "raise") -> pd.Series:
    """ISO 8601 times as naive UTC: a time with an offset is converted, one without is UTC.

    Training data, batch files and HTTP payloads all go through here, so a client that sends
    `+01:00` gets the same features as one that sends the UTC time.
    """
    parsed = pd.to_datetime(pd.Series(values), errors=errors, format="ISO8601", utc=True)
    return parsed.dt.tz_localize(None)


def _coerce(raw: pd.Series, spec: ColumnSpec) -> pd.Series:
    """Convert text to the declared type; unparsable values become missing."""
    if spec.type == "datetime":
        return parse_datetimes(raw, errors="coerce")
    if spec.type in ("int", "float"):
        numbers = pd.to_numeric(raw, errors="coerce")
        if spec.type == "int":
            whole = numbers.notna() & (numbers % 1 == 0)
            return numbers.where(whole).astype("Int64")
        return numbers.astype("float64")
    return raw.astype("string")


def validate_frame(
    frame: pd.DataFrame,
    columns: dict[str, ColumnSpec],
    *,
    source: str,
    skip: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Check `frame` (columns of text, as read from a CSV) and return it typed.

    Columns in `skip` may be absent (for example the target when scoring). Undeclared
    columns are dropped. Raises `DataValidationError` listing every violation.
    """
    violations: list[Violation] = []
    typed: dict[str, pd.Series] = {}
    if frame.empty:
        raise DataValidationError(source, [Violation("*", "no rows", 0)])
    for name, spec in columns.items():
        if name not in frame.columns:
            if name not in skip:
                violations.append(Violation(name, "missing column", len(frame)))
            continue
        raw = frame[name]
        present = raw.notna()
        values = _coerce(raw, spec)
        bad_type = present & values.isna()
        if bad_type.any():
            violations.append(
                Violation(
                    name, f"not a valid {spec.type}", int(bad_type.sum()), _example(raw[bad_type])
                )
            )
        missing = ~present
        if missing.any() and not spec.nullable:
            violations.append(Violation(name, "missing value (not nullable)", int(missing.sum())))
        if spec.min is not None:
            low = values.notna() & (values.astype("float64") < spec.min)
            if low.any():
                violations.append(
                    Violation(
                        name, f"below minimum {spec.min:g}", int(low.sum()), _example(raw[low])
                    )
                )
        if spec.max is not None:
            high = values.notna() & (values.astype("float64") > spec.max)
            if high.any():
                violations.append(
                    Violation(
                        name, f"above maximum {spec.max:g}", int(high.sum()), _example(raw[high])
                    )
                )
        if spec.allowed is not None:
            allowed = {str(value) for value in spec.allowed}
            outside = values.notna() & ~values.astype("string").isin(allowed)
            if outside.any():
                violations.append(
                    Violation(name, "value not allowed", int(outside.sum()), _example(raw[outside]))
                )
        typed[name] = values
    if violations:
        raise DataValidationError(source, violations)
    return pd.DataFrame(typed, index=frame.index)


def encode_raw_features(frame: pd.DataFrame, columns: dict[str, ColumnSpec]) -> pd.DataFrame:
    """The raw columns marked `feature: true`, as model inputs.

    Categories become pandas categoricals over the declared `allowed` values (so that one row
    and a million rows are encoded alike); numbers become float64 with NaN for missing.
    """
    encoded = {}
    for name, spec in columns.items():
        if not spec.feature:
            continue
        if spec.type == "category":
            levels = [str(value) for value in spec.allowed or []]
            encoded[name] = pd.Categorical(frame[name].astype("string"), categories=levels)
        else:
            encoded[name] = frame[name].astype("float64").to_numpy(na_value=np.nan)
    return pd.DataFrame(encoded, index=frame.index)


def _field(spec: ColumnSpec) -> tuple[Any, Any]:
    """The pydantic type and field (with its constraints) for one declared column."""
    default = None if spec.nullable else ...
    if spec.type == "category" or spec.allowed is not None:
        cast = {"int": int, "float": float}.get(spec.type, str)
        kind: Any = Literal[tuple(cast(value) for value in spec.allowed or [])]
        field = Field(default)
    elif spec.type == "datetime":
        kind, field = dt.datetime, Field(default)
    elif spec.type == "string":
        kind, field = str, Field(default, min_length=1, max_length=200)
    else:
        kind = int if spec.type == "int" else float
        field = Field(default, ge=spec.min, le=spec.max, allow_inf_nan=False)
    return (kind | None if spec.nullable else kind), field


def request_model(
    name: str, columns: dict[str, ColumnSpec], *, exclude: tuple[str, ...] = ()
) -> type[BaseModel]:
    """A pydantic model of one input row, built from the declared schema.

    Unknown fields are refused, so a misspelt field is an error, not a silently missing value.
    """
    fields = {column: _field(spec) for column, spec in columns.items() if column not in exclude}
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


# Calendar parts of a datetime column, as the model sees them (`parts` in the schema).
_CALENDAR_PARTS = {
    "hour": lambda times: times.dt.hour,
    "weekday": lambda times: times.dt.weekday,
    "month": lambda times: times.dt.month,
    "dayofyear": lambda times: times.dt.dayofyear,
}


def calendar_feature_names(columns: dict[str, ColumnSpec]) -> list[str]:
    """`<column>_<part>` for every part of every datetime column that declares `parts`."""
    return [f"{name}_{part}" for name, spec in columns.items() for part in spec.parts]


def calendar_features(frame: pd.DataFrame, columns: dict[str, ColumnSpec]) -> pd.DataFrame:
    """Hour, weekday (Monday 0), month or day of the year of datetime columns, as floats."""
    derived = {
        f"{name}_{part}": _CALENDAR_PARTS[part](pd.to_datetime(frame[name])).astype("float64")
        for name, spec in columns.items()
        for part in spec.parts
    }
    return pd.DataFrame(derived, index=frame.index)
