"""Validation of data against the schema declared in `config/pipeline.yaml`.

The same declaration checks a CSV before training and before batch scoring (`validate_frame`)
and types the service's HTTP payload (`request_model`), so a value the pipeline would refuse
in a file is refused over HTTP too. Violations are collected per column and rule, with a count
and an example, and stop the pipeline with `DataValidationError`.
"""

from __future__ import annotations

import calendar
import contextlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model

from ..config import EARLIEST_YEAR_POSSIBLE, EPOCH_FORMATS, LATEST_YEAR_POSSIBLE, ColumnSpec
from ..errors import UserError
from .schema_inference import guess_datetime_formats


@dataclass(frozen=True)
class Violation:
    column: str
    rule: str
    count: int
    example: str = ""
    # What to change, when the data's form tells (the date format to declare, say).
    fix: str = ""

    def __str__(self) -> str:
        example = f" (e.g. {self.example})" if self.example else ""
        # The fix the data's form tells (a date format), else the rule's own.
        fix = self.fix or self.rule_fix()
        return f"{self.column}: {self.rule}: {self.count} row(s){example}" + (
            f"; {fix}" if fix else ""
        )

    def rule_fix(self) -> str:
        """What to change, in the file or in the configuration, for this rule to hold (an
        unreadable time brings its own: the format its values tell, `_invalid_datetimes`)."""
        where = f"data.columns.{self.column}"
        fixes = {
            "no rows": "give a file with data rows",
            "missing column": f"add the column to the file, or remove {where}",
            "missing value": f"fill these rows, or set `nullable: true` under {where}",
            "not a valid int": (
                f"fix these rows, declare `type: float` under {where} if it holds fractions, "
                "or list the marker under data.missing_values if it means missing"
            ),
            "not a valid float": (
                "fix these rows, or list the marker under data.missing_values if it means missing"
            ),
            "below minimum": f"fix these rows, or lower `min` under {where}",
            "above maximum": f"fix these rows, or raise `max` under {where}",
            "year before": f"fix these rows, or lower `min` (a year) under {where}",
            "year after": f"fix these rows, or raise `max` (a year) under {where}",
            "value not allowed": f"fix these rows, or add the value to `allowed` under {where}",
        }
        return next((fix for rule, fix in fixes.items() if self.rule.startswith(rule)), "")


class DataValidationError(UserError, ValueError):
    """The data broke the declared schema; `violations` says where, how and how often."""

    def __init__(self, source: str, violations: list[Violation]) -> None:
        self.source = source
        self.violations = violations
        lines = "\n".join(f"  - {violation}" for violation in violations)
        super().__init__(f"{source} failed validation ({len(violations)} problem(s)):\n{lines}")

    def __reduce__(self) -> tuple:
        # Pickled as it was made: the Dask engine's workers raise it in another process.
        return (type(self), (self.source, self.violations))


def _example(values: pd.Series) -> str:
    return repr(values.iloc[0]) if len(values) else ""


def parse_datetimes(values: Any, errors: str = "raise", format: str | None = None) -> pd.Series:
    """Times as naive UTC: a time with an offset is converted, one without is UTC.

    `format` is a datetime column's (`ColumnSpec.format`): a strftime pattern or an epoch
    unit; ISO 8601 is read in any case. Training data, batch files and HTTP payloads all go
    through here, so a client that sends `+01:00` gets the same features as one that sends
    the UTC time, and a file written day first the same as one written in ISO 8601.
    """
    values = pd.Series(values)
    if format is None:
        parsed = pd.to_datetime(values, errors=errors, format="ISO8601", utc=True)
        return parsed.dt.tz_localize(None)
    if format in EPOCH_FORMATS:
        numbers = pd.to_numeric(values, errors="coerce")
        parsed = pd.to_datetime(numbers, unit=EPOCH_FORMATS[format], errors="coerce", utc=True)
    else:
        parsed = pd.to_datetime(values, errors="coerce", format=format, utc=True)
    rest = parsed.isna() & values.notna()
    if rest.any():  # ISO 8601, as the service and the prediction log write times
        parsed[rest] = pd.to_datetime(values[rest], errors=errors, format="ISO8601", utc=True)
    return parsed.dt.tz_localize(None)


def _written_years(raw: pd.Series) -> pd.Series:
    """The year each ISO 8601 value starts with, as written (missing when it has none)."""
    written = raw.astype("string").str.extract(r"^\s*([0-9]{4})-", expand=False)
    # float64, not a nullable integer: a missing year compares as False, never as <NA>.
    return pd.to_numeric(written).astype("float64")


def _years(raw: pd.Series, spec: ColumnSpec) -> pd.Series:
    """The year of each value of a datetime column (missing when it cannot be read).

    ISO 8601 values have the year they are written with; with a pattern, the year read (a
    year pandas cannot hold is read by Python's strptime); an epoch number, the year of its
    UTC time, or a year beyond those possible when pandas cannot hold it.
    """
    written = _written_years(raw)
    if spec.format is None:
        return written
    if spec.format in EPOCH_FORMATS:
        numbers = pd.to_numeric(raw, errors="coerce")
        seconds = numbers / (1000 if spec.format == "unix_ms" else 1)
        low = pd.Timestamp(f"{EARLIEST_YEAR_POSSIBLE}-01-01").timestamp()
        high = pd.Timestamp(f"{LATEST_YEAR_POSSIBLE + 1}-01-01").timestamp()
        inside = seconds.between(low, high, inclusive="left")
        years = pd.to_datetime(seconds.where(inside), unit="s").dt.year.astype("float64")
        years[seconds < low] = EARLIEST_YEAR_POSSIBLE - 1
        years[seconds >= high] = LATEST_YEAR_POSSIBLE + 1
        return years.fillna(written)
    read = pd.to_datetime(raw, errors="coerce", format=spec.format, utc=True)
    years = read.dt.year.astype("float64").fillna(written)
    unread = years.isna() & raw.notna()
    for value in raw[unread].unique():
        with contextlib.suppress(ValueError):  # not a time in this format at all
            years[raw == value] = datetime.strptime(str(value).strip(), spec.format).year
    return years


def _coerce(raw: pd.Series, spec: ColumnSpec) -> pd.Series:
    """Convert text to the declared type; unparsable values become missing."""
    if spec.type == "datetime":
        # Only years within the declared ones are parsed: pandas silently wraps a time beyond
        # its range (2262-04-11T23:00-14:00 becomes a time in 1677).
        first, last = spec.years
        return parse_datetimes(
            raw.where(_years(raw, spec).between(first, last)), "coerce", spec.format
        )
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
        if spec.type == "datetime":
            for rule, outside in _outside_years(raw, spec).items():
                bad_type &= ~outside  # reported as outside the years, not as unparsable
                if outside.any():
                    violations.append(
                        Violation(name, rule, int(outside.sum()), _example(raw[outside]))
                    )
        if bad_type.any() and spec.type == "datetime":
            violations.append(_invalid_datetimes(name, spec, raw[bad_type]))
        elif bad_type.any():
            violations.append(
                Violation(
                    name, f"not a valid {spec.type}", int(bad_type.sum()), _example(raw[bad_type])
                )
            )
        missing = ~present
        if missing.any() and not spec.nullable:
            violations.append(Violation(name, "missing value (not nullable)", int(missing.sum())))
        if spec.min is not None and spec.type != "datetime":
            low = values.notna() & (values.astype("float64") < spec.min)
            if low.any():
                violations.append(
                    Violation(
                        name, f"below minimum {spec.min:g}", int(low.sum()), _example(raw[low])
                    )
                )
        if spec.max is not None and spec.type != "datetime":
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


def _invalid_datetimes(name: str, spec: ColumnSpec, bad: pd.Series) -> Violation:
    """Unreadable times, with the format that would read them when their form tells."""
    declared = "ISO 8601 dates or times" if spec.format is None else f"in format {spec.format!r}"
    rule = f"not {declared}" if spec.format is None else f"not a date or time {declared}"
    guesses = guess_datetime_formats([str(value) for value in bad.unique()[:1000]])
    if guesses:
        (pattern, how), *others = guesses
        fix = f'set `format: "{pattern}"` under data.columns.{name} ({how})' + "".join(
            f' or `"{other}"` ({other_how})' for other, other_how in others
        )
    elif bad.astype("string").str.fullmatch(r"\s*-?[0-9]+(\.[0-9]+)?\s*").all():
        fix = f"numbers since 1970? set `format: unix_s` (or `unix_ms`) under data.columns.{name}"
    else:
        fix = (
            f"write them as ISO 8601 (such as 2010-02-05 or 2010-02-05T14:30:00+01:00), or set "
            f"`format` under data.columns.{name} to the strftime pattern they are written in"
        )
    return Violation(name, rule, len(bad), _example(bad), fix)


def _outside_years(raw: pd.Series, spec: ColumnSpec) -> dict[str, pd.Series]:
    """Which values of a datetime column are written with a year before or after its own."""
    first, last = spec.years
    years = _years(raw, spec)
    return {f"year before {first}": years < first, f"year after {last}": years > last}


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


# An ISO 8601 time of day after a date: seconds, an optional fraction and an optional offset
# within the ones in use on Earth (-14:00 to +14:00).
_TIME_OF_DAY = (
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)
# Month and day of a date that exists in every year (February 29 is added for leap years).
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)


def _digits_pattern(words: list[str]) -> str:
    """A regular expression that matches exactly `words` (digit strings of one length)."""
    if not words[0]:
        return ""
    tails: dict[str, list[str]] = {}
    for word in sorted(words):
        tails.setdefault(word[0], []).append(word[1:])
    heads: dict[str, list[str]] = {}
    for digit, rest in tails.items():
        heads.setdefault(_digits_pattern(rest), []).append(digit)
    branches = []
    for tail, digits in heads.items():
        if len(digits) == 1:
            head = digits[0]
        elif int(digits[-1]) - int(digits[0]) == len(digits) - 1:
            head = f"[{digits[0]}-{digits[-1]}]"
        else:
            head = f"[{''.join(digits)}]"
        branches.append(head + tail)
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


def datetime_pattern(first: int, last: int) -> str:
    """The ISO 8601 dates and times the service takes for a datetime column, as a regular
    expression: a date that exists, from year `first` to `last`, optionally a time of day.

    It is what the OpenAPI document declares, so a client (or a fuzzer) can tell a valid
    time from its schema alone, and what the service checks.
    """
    years = [f"{year:04d}" for year in range(first, last + 1)]
    leap = [year for year in years if calendar.isleap(int(year))]
    dates = f"{_digits_pattern(years)}-{_MONTH_DAY}"
    if leap:
        dates = f"(?:{dates}|{_digits_pattern(leap)}-02-29)"
    return f"^{dates}(?:{_TIME_OF_DAY})?$"


def _datetime_rule(spec: ColumnSpec) -> tuple[str, str]:
    """What a datetime column's values must look like: a regular expression, and in words."""
    first, last = spec.years
    words = (
        f"an ISO 8601 date or date and time from year {first} to {last}, such as "
        f"{first}-03-01T12:00:00 (an offset such as +01:00 or Z is converted to UTC)"
    )
    if spec.format is not None:  # JSON's usual form, whatever the files use
        words += f"; ISO 8601 here even though data files write it as {spec.format}"
    return datetime_pattern(first, last), words


def _datetime_type(pattern: str, words: str) -> Any:
    """A datetime column in a request: ISO 8601 text within the declared years, kept as sent.

    An offset is converted to UTC when the row is scored (`parse_datetimes`). The years are
    those written, so no offset can carry a time beyond what pandas can hold.
    """
    matches = re.compile(pattern).fullmatch

    def check(value: str) -> str:
        if not matches(value):
            raise ValueError(f"expected {words}")
        return value

    return Annotated[str, AfterValidator(check)]


def _not_a_boolean(value: Any) -> Any:
    """JSON's true and false are not numbers (Python counts them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not true or false")
    return value


def _integer_text(value: Any) -> bool:
    """Whether a category's value is an integer written as text ("3", "-1")."""
    return str(value).lstrip("-").isdecimal() and str(value).isascii()


def _integer_as_text(value: Any) -> Any:
    """A category whose values are integer codes (a store number, a zone) takes them as JSON
    numbers too: 3 means "3"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _openapi_nullable(schema: dict[str, Any]) -> None:
    """State "or null" as OpenAPI 3.0 does (`nullable`), as BentoML keeps only the first
    option of an `anyOf` in its document and would drop the null."""
    options = schema.pop("anyOf")
    (value,) = [option for option in options if option.get("type") != "null"]
    schema.update(value, nullable=True)
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]


def _field(spec: ColumnSpec) -> tuple[Any, Any]:
    """The pydantic type and field (with its constraints) for one declared column."""
    default = None if spec.nullable else ...
    schema: dict[str, Any] = {}
    if spec.type == "category" or spec.allowed is not None:
        cast = {"int": int, "float": float}.get(spec.type, str)
        kind: Any = Literal[tuple(cast(value) for value in spec.allowed or [])]
        if cast is not str:
            kind = Annotated[kind, BeforeValidator(_not_a_boolean)]
        elif all(_integer_text(value) for value in spec.allowed or []):
            kind = Annotated[kind, BeforeValidator(_integer_as_text)]
        constraints: dict[str, Any] = {}
    elif spec.type == "datetime":
        pattern, words = _datetime_rule(spec)
        kind, constraints = _datetime_type(pattern, words), {}
        schema = {"pattern": pattern, "description": words[0].upper() + words[1:]}
    elif spec.type == "string":
        kind, constraints = str, {"min_length": 1, "max_length": 200}
    else:
        kind = int if spec.type == "int" else float
        constraints = {"ge": spec.min, "le": spec.max, "allow_inf_nan": False}

    def openapi(field_schema: dict[str, Any]) -> None:
        if spec.nullable:
            _openapi_nullable(field_schema)
        field_schema.update(schema)

    field = Field(default, json_schema_extra=openapi, **constraints)
    return (kind | None if spec.nullable else kind), field


def request_model(
    name: str, columns: dict[str, ColumnSpec], *, exclude: tuple[str, ...] = ()
) -> type[BaseModel]:
    """A pydantic model of one input row, built from the declared schema.

    Unknown fields are refused, so a misspelt field is an error, not a silently missing value.
    Types are strict, as the OpenAPI document states them: text is not a number, a number or
    true/false is not text or a time, and null is taken only where a value may be missing.
    """
    fields = {column: _field(spec) for column, spec in columns.items() if column not in exclude}
    config = ConfigDict(extra="forbid", strict=True)
    return create_model(name, __config__=config, **fields)


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
