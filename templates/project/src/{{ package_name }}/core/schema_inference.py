"""Schema inference: profile a data file and write the pipeline configuration that describes it.

TFX's SchemaGen idea without TensorFlow: read a CSV (gzip too) or Parquet file, infer each
column's type, range, categories, missing values and date format, pick id and time column
candidates, flag columns that look known only after the outcome (leakage), and write
`config/pipeline.yaml` from the project's own configuration with its `data` section replaced.
The user confirms a few lines; from then on the configuration is the schema every later
validation (train, batch, serving, monitoring) reports anomalies against.

Only the standard library (and pyarrow for Parquet, when installed), like `errors`, the one
module of the package it imports: the generator runs this module
(`mlops-new <use-case> DEST --data FILE --target COL`) before the project's dependencies exist,
as does `python -m <package> infer`.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import math
import random
import re
import sys
import textwrap
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..errors import UserError

# Cells that mean "missing" in files found in the wild, besides empty ones.
MISSING_MARKERS = ("?", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "#N/A", "-")
# At most this many distinct values make a text column a category (more: free text or codes).
MAX_CATEGORIES = 50
# Rows compared when looking for leakage: enough to see a near-perfect predictor.
LEAKAGE_SAMPLE = 20000
# A single column that predicts the target this well is suspected of being known only after it.
LEAKAGE_SCORE = 0.99
LEAKY_NAME = re.compile(
    r"(^|_)(after|outcome|outcomes|result|results|total|totals|final|settled|paid)(_|$)", re.I
)
ID_NAME = re.compile(r"(^|_)(id|key|uuid|nbr|number|no)$|^id_|id$", re.I)
TIME_NAME = re.compile(r"(date|time|when|epoch|_at$|^ts$|_ts$|^dt|day$)", re.I)
CODE_NAME = re.compile(r"(^|_)(id|code|type|category|class|kind|status|level|grade)$", re.I)
POSITIVE_WORDS = ("1", "1.0", "true", "t", "yes", "y", "positive", "pos")

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$"
)
_DATE = re.compile(
    r"^(?P<a>\d{1,4})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
    r"(?:(?P<t>[T ])(?P<hm>\d{1,2}:\d{2})(?P<s>:\d{2})?(?P<f>\.\d{1,6})?)?"
    r"(?P<z>\s?(?:Z|[+-]\d{2}:?\d{2}))?$"
)
# Epoch numbers that land between 1973 and 2096: seconds, then milliseconds.
_EPOCH_RANGES = {"unix_s": (1e8, 4e9), "unix_ms": (1e11, 4e12)}


class InferenceError(UserError, ValueError):
    """The file cannot be profiled as asked; the message names the fix."""


# --- Dates -----------------------------------------------------------------------------------


def guess_datetime_formats(values: list[str]) -> list[tuple[str, str]]:
    """The strftime patterns that read every value, with a word on each (day-first...).

    One pattern when the values decide it (a first number above 12 is a day), two when
    they do not (05-02-2010 is 5 February or May 2), none when no single pattern reads them.
    """
    return [
        (pattern, how)
        for pattern, how in _datetime_shapes(values)
        if all(_reads(pattern, value) for value in values[:2000])
    ]


def _reads(pattern: str, value: str) -> bool:
    try:
        datetime.strptime(_zulu(value.strip(), pattern), pattern)
    except ValueError:
        return False
    return True


def _zulu(text: str, pattern: str) -> str:
    """`Z` as the offset +0000, which strptime's %z reads on every Python version."""
    return text[:-1] + "+0000" if "%z" in pattern and text.endswith("Z") else text


# Other forms exports write dates in: a month without its day (monthly data, read as the
# first), and a time with its zone written as a word.
_OTHER_SHAPES = [
    ("%B-%Y", "a month and its year"),
    ("%b-%Y", "a month and its year"),
    ("%B %Y", "a month and its year"),
    ("%b %Y", "a month and its year"),
    ("%m/%Y", "a month and its year"),
    ("%Y-%m-%d %H:%M:%S UTC", "in UTC"),
    ("%Y-%m-%d %H:%M UTC", "in UTC"),
]


def _datetime_shapes(values: list[str]) -> list[tuple[str, str]]:
    """The patterns the shape of the values allows (see guess_datetime_formats)."""
    shapes = [_DATE.match(value.strip()) for value in values if value.strip()]
    if not shapes or not all(shapes):
        written = [value for value in values[:2000] if value.strip()]
        readable = [shape for shape in _OTHER_SHAPES if all(_reads(shape[0], v) for v in written)]
        return readable[:1] if written else []
    first = shapes[0]
    if any(
        (shape["sep"], shape["t"], bool(shape["s"]), bool(shape["f"]), bool(shape["z"]))
        != (first["sep"], first["t"], bool(first["s"]), bool(first["f"]), bool(first["z"]))
        for shape in shapes
    ):
        return []
    sep = first["sep"]
    time = ""
    if first["t"]:
        time = f"{first['t']}%H:%M" + (":%S" if first["s"] else "") + (".%f" if first["f"] else "")
    zone = (" %z" if first["z"].startswith(" ") else "%z") if first["z"] else ""
    if all(len(shape["a"]) == 4 for shape in shapes):
        return [(f"%Y{sep}%m{sep}%d{time}{zone}", "year first")]
    lengths = {len(shape["c"]) for shape in shapes}
    if lengths not in ({4}, {2}):
        return []
    year = "%Y" if lengths == {4} else "%y"
    day_first = (f"%d{sep}%m{sep}{year}{time}{zone}", "day-first")
    month_first = (f"%m{sep}%d{sep}{year}{time}{zone}", "month-first")
    firsts = [int(shape["a"]) for shape in shapes]
    seconds = [int(shape["b"]) for shape in shapes]
    if max(firsts) > 31 or max(seconds) > 31:
        return []
    if max(firsts) > 12 and max(seconds) > 12:
        return []
    if max(firsts) > 12:
        return [day_first]
    if max(seconds) > 12:
        return [month_first]
    # Undecided: a slash is mostly written month first (US), a dash or dot day first.
    return [month_first, day_first] if sep == "/" else [day_first, month_first]


def _epoch_format(numbers: list[float]) -> str | None:
    """`unix_s` or `unix_ms` when every number is a plausible epoch time in that unit."""
    for name, (low, high) in _EPOCH_RANGES.items():
        if numbers and all(low <= number <= high for number in numbers):
            return name
    return None


def _years(values: list[str], pattern: str | None) -> list[int]:
    """The years of datetime values written in `pattern` (None: ISO 8601, or an epoch unit)."""
    years = []
    for value in values:
        if pattern in _EPOCH_RANGES:
            scale = 1000 if pattern == "unix_ms" else 1
            years.append(datetime.fromtimestamp(float(value) / scale, UTC).year)
        elif pattern is None:
            years.append(int(value.strip()[:4]))
        else:
            years.append(datetime.strptime(_zulu(value.strip(), pattern), pattern).year)
    return years


# --- Reading ---------------------------------------------------------------------------------


def read_columns(path: Path) -> dict[str, list[str]]:
    """Every column of a CSV (gzip too) or Parquet file as text, "" where a cell is empty."""
    path = Path(path)
    if not path.is_file():
        raise InferenceError(f"data file not found: {path}")
    if path.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(path)
    with path.open("rb") as handle:
        zipped = handle.read(2) == b"\x1f\x8b"
    opener = gzip.open if zipped else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InferenceError(
            f"{path} is not a readable CSV (UTF-8, optionally gzip) or Parquet file: {error}"
        ) from None
    if not rows:
        raise InferenceError(f"{path} is empty")
    header, body = rows[0], [row for row in rows[1:] if row]
    if not body:
        raise InferenceError(f"{path} has a header but no rows")
    if len(set(header)) != len(header):
        repeated = sorted(name for name, count in Counter(header).items() if count > 1)
        raise InferenceError(f"{path} repeats the column name(s) {', '.join(repeated)}")
    ragged = [number for number, row in enumerate(body, start=2) if len(row) != len(header)]
    if ragged:
        raise InferenceError(
            f"{path} line {ragged[0]} has another number of cells than the header "
            f"({len(ragged)} such line(s)): is it a CSV with commas as separators?"
        )
    return {name: [row[index] for row in body] for index, name in enumerate(header)}


def _read_parquet(path: Path) -> dict[str, list[str]]:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise InferenceError(
            f"{path} is a Parquet file: reading it needs pyarrow (pip install pyarrow), "
            "or save it as CSV"
        ) from None
    try:
        table = parquet.read_table(path)
    except Exception as error:  # pyarrow raises several kinds for a damaged file
        raise InferenceError(f"{path} is not a readable Parquet file: {error}") from None
    if table.num_rows == 0:
        raise InferenceError(f"{path} has no rows")
    return {
        name: ["" if value is None else str(value) for value in table.column(name).to_pylist()]
        for name in table.column_names
    }


# --- Profiling -------------------------------------------------------------------------------


@dataclass
class Column:
    """What the profile found about one column, as it goes into `data.columns`."""

    name: str
    type: str
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    allowed: list[str | int] | None = None
    format: str | None = None
    feature: bool = False
    parts: list[str] = field(default_factory=list)
    # Comment lines written above the column; CONFIRM lines are also printed as a summary.
    notes: list[str] = field(default_factory=list)


@dataclass
class Profile:
    """The profile of a file: its columns and the roles the configuration gives them."""

    path: Path
    rows: int
    target: str
    columns: dict[str, Column]
    missing_values: list[str]
    id_column: str | None
    time_column: str | None
    positive_label: str | int | None
    frequency: str | None
    known_after_outcome: dict[str, str]
    # The columns that, with the time, identify a row: one series each (for forecasting).
    series: list[str]
    # The features most correlated with a numeric target (a linear baseline's inputs).
    baseline_columns: list[str]
    checks: list[str]


def profile_file(
    path: Path,
    target: str,
    *,
    binary: bool,
    id_column: str | None = None,
    time_column: str | None = None,
) -> Profile:
    """Profile `path` for a model of `target` (a binary outcome, or a number)."""
    raw = read_columns(path)
    names = list(raw)
    for role, name in (("--target", target), ("--id", id_column), ("--time", time_column)):
        if name is not None and name not in raw:
            raise InferenceError(
                f"{role} '{name}' is not a column of {path}; its columns: {', '.join(names)}"
            )
    rows = len(raw[target])
    markers = _missing_markers(raw)
    values = {
        name: [value.strip() for value in column if value.strip() and value.strip() not in markers]
        for name, column in raw.items()
    }
    checks: list[str] = []
    columns = {
        name: _profile_column(name, values[name], rows, is_time=name == time_column)
        for name in names
    }
    if columns[target].nullable:
        raise InferenceError(
            f"the target '{target}' is missing in {rows - len(values[target])} row(s) of "
            f"{path}: remove those rows (an outcome not known yet cannot train a model)"
        )
    positive = _target_column(columns[target], values[target], binary, checks)
    id_column = id_column or _id_candidate(columns, values, rows, exclude={target})
    time_column = time_column or _time_candidate(columns, exclude={target, id_column})
    if time_column is not None and columns[time_column].type != "datetime":
        raise InferenceError(
            f"--time '{time_column}' does not hold dates or times (e.g. "
            f"{values[time_column][:1]}); give a column of dates, or leave --time out"
        )
    frequency = _frequency(values[time_column], columns[time_column]) if time_column else None
    leaks = _leakage(columns, values, raw, target, binary, markers, exclude={id_column})
    for name, column in columns.items():
        roles = {target, id_column, time_column, *leaks}
        column.feature = name not in roles and column.type in ("int", "float", "category")
        if column.type == "datetime" and name == time_column:
            hour = ["hour"] if _has_time_of_day(values[name], column.format) else []
            column.parts = [*hour, "weekday", "month"]
    checks += [f"data.known_after_outcome: {name} ({reason})" for name, reason in leaks.items()]
    checks += [
        f"data.columns.{column.name}: {note.removeprefix('CONFIRM: ')}"
        for column in columns.values()
        for note in column.notes
        if note.startswith("CONFIRM")
    ]
    if id_column is None:
        checks.append(
            "data.id_column: no column is unique per row; outcomes join predictions by "
            "id (`label`, `retrain`), so add one if you can"
        )
    return Profile(
        path=Path(path),
        rows=rows,
        target=target,
        columns=columns,
        missing_values=sorted(markers),
        id_column=id_column,
        time_column=time_column,
        positive_label=positive,
        frequency=frequency,
        known_after_outcome=leaks,
        series=_series(columns, values, time_column, exclude={target, id_column, *leaks}),
        baseline_columns=[] if binary else _related(columns, values, target),
        checks=checks,
    )


def _has_time_of_day(values: list[str], pattern: str | None) -> bool:
    """Whether times carry an hour (epoch numbers always may), for an `hour` calendar part."""
    if pattern in _EPOCH_RANGES:
        return True
    return any(len(value) > 10 and not value.endswith("00:00:00") for value in values[:1000])


def _missing_markers(raw: dict[str, list[str]]) -> set[str]:
    """Markers used for "missing": in a column otherwise numeric or dated, or a "?" anywhere."""
    markers = set()
    for column in raw.values():
        present = {value.strip() for value in column} - {""}
        found = present & set(MISSING_MARKERS)
        if not found:
            continue
        rest = present - found
        if "?" in found or (
            rest and all(_FLOAT.match(value) or _ISO.match(value) for value in list(rest)[:5000])
        ):
            markers |= found
    return markers


def _nice(value: float, up: bool) -> float:
    """`value` rounded outwards to two significant digits, as a person would write a bound."""
    if value == 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(abs(value))) - 1)
    rounded = (math.ceil if up else math.floor)(value / step) * step
    return float(f"{rounded:.10g}")


def _profile_column(name: str, values: list[str], rows: int, *, is_time: bool) -> Column:
    nullable = len(values) < rows
    if not values:
        return Column(name, "string", nullable=True, notes=["Empty in this file."])
    distinct = set(values)
    if all(_ISO.match(value) for value in values):
        return _datetime_column(name, values, None, nullable)
    if all(_INT.match(value) for value in values) and (is_time or TIME_NAME.search(name)):
        epoch = _epoch_format([float(value) for value in distinct])
        if epoch:
            column = _datetime_column(name, values, epoch, nullable)
            unit = "milliseconds" if epoch == "unix_ms" else "seconds"
            column.notes.insert(0, f"Numbers of {unit} since 1970 (UTC).")
            return column
    if not all(_FLOAT.match(value) for value in values):
        guesses = guess_datetime_formats(
            sorted(distinct)[:5000] if len(distinct) > 5000 else list(distinct)
        )
        if guesses:
            column = _datetime_column(name, values, guesses[0][0], nullable)
            if len(guesses) > 1:
                column.notes.append(
                    f"CONFIRM: no day or month above 12 decides it: written {guesses[0][1]} "
                    f'("{guesses[0][0]}") or {guesses[1][1]} ("{guesses[1][0]}")?'
                )
            else:
                column.notes[0] = f"Written {guesses[0][1]}; {column.notes[0].lower()}"
            return column
        if len(distinct) <= MAX_CATEGORIES and len(distinct) < 0.5 * len(values):
            return Column(name, "category", nullable, allowed=sorted(distinct))
        if ID_NAME.search(name) and len(distinct) < len(values):
            return _identifier(name, nullable)
        return Column(name, "string", nullable)
    whole = all(_INT.match(value) for value in values)
    if whole and ID_NAME.search(name) and len(distinct) > MAX_CATEGORIES:
        return _identifier(name, nullable)
    numbers = [float(value) for value in values]
    if whole and len(distinct) <= 2:
        return Column(name, "int", nullable, allowed=sorted(int(value) for value in distinct))
    if (
        whole
        and CODE_NAME.search(name)
        and len(distinct) <= MAX_CATEGORIES
        and len(distinct) < 0.5 * len(values)
    ):
        column = Column(name, "category", nullable, allowed=sorted(int(v) for v in distinct))
        column.notes.append("Codes, not amounts: each value is a category of its own.")
        return column
    low, high = min(numbers), max(numbers)
    margin = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    lowest = low - margin if low < 0 else max(0.0, low - margin)
    bounds = (_nice(lowest, up=False), _nice(high + margin, up=True))
    if whole:
        bounds = (math.floor(bounds[0]), math.ceil(bounds[1]))
    column = Column(name, "int" if whole else "float", nullable, min=bounds[0], max=bounds[1])
    column.notes.append(f"Seen: {_show(low)} to {_show(high)}; the bounds leave a margin.")
    return column


def _identifier(name: str, nullable: bool) -> Column:
    """A column that names an entity (a customer, a patient): text, never a model input."""
    note = (
        "Names an entity with several rows: not a model input. Without a time column, "
        f"split `method: group` with `group_column: {name}` keeps each one's rows on one side."
    )
    return Column(name, "string", nullable, notes=[note])


def _show(number: float) -> str:
    return f"{number:.6g}"


def _datetime_column(name: str, values: list[str], pattern: str | None, nullable: bool) -> Column:
    years = _years(sorted(set(values)), pattern)
    first, last = min(years), max(years)
    column = Column(
        name,
        "datetime",
        nullable,
        min=max(1678, first - 10),
        max=min(2261, last + 50),
        format=pattern,
    )
    column.notes.append(f"Seen: years {first} to {last}.")
    return column


def _target_column(
    column: Column, values: list[str], binary: bool, checks: list[str]
) -> str | None:
    """Declare the target as the task reads it; the positive label of a binary outcome."""
    column.feature = False
    distinct = sorted(set(values))
    if not binary:
        if column.type not in ("int", "float"):
            raise InferenceError(
                f"the target '{column.name}' is not numeric (e.g. {values[0]!r}): this "
                "project predicts a number; pick a numeric column as --target"
            )
        column.allowed = None
        return None
    if not 2 <= len(distinct) <= MAX_CATEGORIES:
        raise InferenceError(
            f"the target '{column.name}' has {len(distinct)} distinct value(s) "
            f"({', '.join(distinct[:5])}{', ...' if len(distinct) > 5 else ''}): this project "
            "predicts a yes/no outcome; pick a column with two values (or a few, one of "
            "them the outcome to flag) as --target"
        )
    counts = Counter(values)
    positives = [value for value in distinct if value.lower() in POSITIVE_WORDS]
    if len(positives) == 1:
        positive = positives[0]
    else:
        positive = min(distinct, key=lambda value: (counts[value], value))
        others = ", ".join(repr(value) for value in distinct if value != positive)
        checks.append(
            f"data.positive_label: {positive!r}, the rarest value (the others, {others}, "
            "count as negatives): is it the outcome to flag?"
        )
    column.type, column.min, column.max, column.format = "category", None, None, None
    column.notes = []
    column.allowed = distinct
    column.notes.append(f"The outcome: {positive!r} is the positive label.")
    return positive


def _id_candidate(
    columns: dict[str, Column], values: dict[str, list[str]], rows: int, exclude: set
) -> str | None:
    unique = [
        name
        for name, column in columns.items()
        if name not in exclude
        and column.type in ("string", "int")
        and len(values[name]) == rows
        and len(set(values[name])) == rows
    ]
    named = [name for name in unique if ID_NAME.search(name)]
    text = [name for name in unique if columns[name].type == "string"]
    chosen = (named or text or unique or [None])[0]
    if chosen is not None:
        columns[chosen] = Column(chosen, "string", notes=["Unique per row: the row's id."])
    return chosen


def _time_candidate(columns: dict[str, Column], exclude: set) -> str | None:
    dated = [
        name
        for name, column in columns.items()
        if column.type == "datetime" and name not in exclude and not column.nullable
    ]
    named = [name for name in dated if TIME_NAME.search(name)]
    return (named or dated or [None])[0]


def _series(
    columns: dict[str, Column], values: dict[str, list[str]], time_column: str | None, exclude: set
) -> list[str]:
    """The fewest columns (one or two, fewest values first) that with the time make every row
    unique: each combination of their values is one series. None when the time alone does."""
    if time_column is None:
        return []
    times = values[time_column]
    if len(set(times)) == len(times):
        return []
    candidates = sorted(
        (
            name
            for name, column in columns.items()
            if name not in exclude
            and column.type not in ("datetime", "float")
            and len(values[name]) == len(times)
            and 3 <= len(set(values[name])) <= 1000
        ),
        key=lambda name: len(set(values[name])),
    )
    # A few times first: most combinations fail there, before the whole file is checked.
    early = set(sorted(set(times))[:20])
    some = [index for index, time in enumerate(times) if time in early]

    def unique(names: tuple[str, ...], rows: Iterable[int]) -> bool:
        keys = [(times[row], *(values[name][row] for name in names)) for row in rows]
        return len(set(keys)) == len(keys)

    for size in (1, 2):
        for names in itertools.combinations(candidates, size):
            if unique(names, some) and unique(names, range(len(times))):
                return list(names)
    return []


def _related(columns: dict[str, Column], values: dict[str, list[str]], target: str) -> list[str]:
    """Up to two numeric features most correlated with the target (a linear baseline's inputs)."""
    complete = [
        name
        for name, column in columns.items()
        if column.feature
        and column.type in ("int", "float")
        and len(values[name]) == len(values[target])
    ]
    outcome = [float(value) for value in values[target][:LEAKAGE_SAMPLE]]
    strength = {
        name: abs(_correlation([float(v) for v in values[name][:LEAKAGE_SAMPLE]], outcome))
        for name in complete
    }
    ranked = sorted(strength, key=lambda name: -strength[name])
    fallback = [name for name, column in columns.items() if column.feature]
    return ranked[:2] or fallback[:1]


def _frequency(values: list[str], column: Column) -> str | None:
    """hour, day, week or month: the usual gap between consecutive distinct times."""
    times = sorted(set(_timestamps(values[:200000], column.format)))
    gaps = Counter(round(later - earlier) for earlier, later in zip(times, times[1:], strict=False))
    if not gaps:
        return None
    gap = gaps.most_common(1)[0][0]
    for name, seconds in (("hour", 3600), ("day", 86400), ("week", 7 * 86400)):
        if gap == seconds:
            return name
    if 28 * 86400 <= gap <= 31 * 86400:
        return "month"
    return None


def _timestamps(values: list[str], pattern: str | None) -> list[float]:
    stamps = []
    for value in set(values):
        if pattern in _EPOCH_RANGES:
            stamps.append(float(value) / (1000 if pattern == "unix_ms" else 1))
            continue
        if pattern is None:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        else:
            moment = datetime.strptime(_zulu(value, pattern), pattern)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        stamps.append(moment.timestamp())
    return stamps


# --- Leakage ---------------------------------------------------------------------------------


def _leakage(
    columns: dict[str, Column],
    values: dict[str, list[str]],
    raw: dict[str, list[str]],
    target: str,
    binary: bool,
    markers: set[str],
    exclude: set,
) -> dict[str, str]:
    """Columns that look known only after the outcome, each with the reason."""
    rows = len(raw[target])
    sample = sorted(random.Random(0).sample(range(rows), min(rows, LEAKAGE_SAMPLE)))

    def cells(name: str) -> list[str | None]:
        return [
            None if (cell := raw[name][index].strip()) in markers or not cell else cell
            for index in sample
        ]

    outcome = cells(target)
    numbers = {
        name: [None if cell is None else float(cell) for cell in cells(name)]
        for name, column in columns.items()
        if column.type in ("int", "float") and name != target
    }
    found: dict[str, str] = {}
    for name, column in columns.items():
        if name in (target, *exclude) or column.type == "datetime":
            continue
        if LEAKY_NAME.search(name):
            found[name] = "its name suggests it is recorded after the outcome"
        if binary and column.type in ("int", "float", "category"):
            score = _purity(cells(name), outcome)
            if score >= LEAKAGE_SCORE:
                found[name] = f"alone it predicts the target on {score:.1%} of rows"
        elif not binary and name in numbers:
            target_numbers = [None if cell is None else float(cell) for cell in outcome]
            correlation = _correlation(numbers[name], target_numbers)
            if abs(correlation) >= LEAKAGE_SCORE:
                found[name] = f"its correlation with the target is {correlation:.3f}"
            for other, other_numbers in numbers.items():
                if other == name:
                    continue
                if _sums_to(numbers[name], other_numbers, target_numbers):
                    found[name] = f"it is the target plus {other}: a total of the outcome"
                elif _sums_to(target_numbers, other_numbers, numbers[name]):
                    found[name] = f"with {other} it sums to the target: a part of the outcome"
    return found


def _purity(feature: list[str | None], outcome: list[str | None]) -> float:
    """How often the most common outcome of each feature value is right (AUC-like for a
    number: the best single threshold), over rows with both known; 0 when the feature is no
    better than always answering the majority."""
    pairs = [
        (value, label)
        for value, label in zip(feature, outcome, strict=True)
        if value is not None and label is not None
    ]
    if len(pairs) < 20:
        return 0.0
    labels = Counter(label for _, label in pairs)
    majority = labels.most_common(1)[0][1] / len(pairs)
    if majority >= LEAKAGE_SCORE:
        return 0.0
    groups: dict[str, Counter] = {}
    for value, label in pairs:
        groups.setdefault(value, Counter())[label] += 1
    if len(groups) > len(pairs) / 2:  # a number: the best threshold instead of each value
        return _threshold_accuracy(pairs)
    return sum(counts.most_common(1)[0][1] for counts in groups.values()) / len(pairs)


def _threshold_accuracy(pairs: list[tuple[str, str]]) -> float:
    try:
        ordered = sorted((float(value), label) for value, label in pairs)
    except ValueError:
        return 0.0
    first = ordered[0][1]
    total_first = sum(label == first for _, label in ordered)
    best, below_first = 0.0, 0
    for index, (_, label) in enumerate(ordered, start=1):
        below_first += label == first
        # first-label rows below the cut and other rows above it, or the mirror image
        right = below_first + (len(ordered) - index - (total_first - below_first))
        best = max(best, right, len(ordered) - right)
    return best / len(ordered)


def _correlation(left: list[float | None], right: list[float | None]) -> float:
    pairs = [(a, b) for a, b in zip(left, right, strict=True) if a is not None and b is not None]
    if len(pairs) < 20:
        return 0.0
    mean_a = sum(a for a, _ in pairs) / len(pairs)
    mean_b = sum(b for _, b in pairs) / len(pairs)
    cov = sum((a - mean_a) * (b - mean_b) for a, b in pairs)
    var_a = sum((a - mean_a) ** 2 for a, _ in pairs)
    var_b = sum((b - mean_b) ** 2 for _, b in pairs)
    return cov / math.sqrt(var_a * var_b) if var_a and var_b else 0.0


def _sums_to(total: list, part: list, target: list) -> bool:
    """Whether `total` = target + `part` on (nearly) every row: a total that holds the outcome."""
    rows = [
        (t, p, y)
        for t, p, y in zip(total, part, target, strict=True)
        if t is not None and p is not None and y is not None
    ]
    if len(rows) < 20 or all(p == 0 for _, p, _ in rows):
        return False
    close = sum(abs(t - (y + p)) <= 1e-6 * max(1.0, abs(t)) for t, p, y in rows)
    return close >= LEAKAGE_SCORE * len(rows)


# --- Writing the configuration ---------------------------------------------------------------

# Horizon, lags and rolling windows (in periods) for a forecast at each frequency: a season
# back where the data allows (a day of hours, a year of weeks or months).
FORECAST_SETTINGS = {
    "hour": (24, [24, 48, 168], [24, 168]),
    "day": (14, [14, 21, 28, 35], [7, 28]),
    "week": (4, [4, 8, 13, 52], [4, 13]),
    "month": (3, [3, 6, 12], [3, 12]),
}
# The calendar inputs a forecast derives at each frequency, as the forecasting features
# (domain/features.py, CALENDAR) name them; the scenario's tests check they agree.
CALENDAR = {
    "hour": ("hour_of_day", "day_of_week", "day_of_year", "month"),
    "day": ("day_of_week", "day_of_year", "month"),
    "week": ("week_of_year", "month"),
    "month": ("month",),
}
PERSONAL_NAME = re.compile(
    r"(^|_)(customer|patient|person|user|client|member|name|email|phone|address|zip|postcode|"
    r"device|card|account|ssn|birth|dob|ip)(_|$)",
    re.I,
)
# The longest line written, as the project's own files keep them.
LINE_LENGTH = 100
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~"}


def _yaml(value: object) -> str:
    """A scalar or list in YAML flow style (strings in JSON quotes, which YAML reads alike)."""
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(item) for item in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _comment(text: str, indent: int) -> list[str]:
    """`text` as YAML comment lines at `indent`, wrapped to the line length."""
    prefix = " " * indent + "# "
    return textwrap.wrap(text, LINE_LENGTH, initial_indent=prefix, subsequent_indent=prefix)


def _column_line(column: Column) -> str:
    spec: dict[str, object] = {"type": column.type}
    if column.nullable:
        spec["nullable"] = True
    if column.format is not None:
        spec["format"] = column.format
    for key in ("min", "max"):
        if getattr(column, key) is not None:
            spec[key] = getattr(column, key)
    if column.feature:
        spec["feature"] = True
    if column.parts:
        spec["parts"] = column.parts
    if column.allowed is not None:
        spec["allowed"] = column.allowed
    inner = ", ".join(f"{key}: {_yaml(value)}" for key, value in spec.items())
    line = f"    {_yaml(column.name)}: " + "{" + inner + "}"
    if len(line) <= LINE_LENGTH:
        return line
    # Too long for one line: one key a line, a long list wrapped under its first item.
    lines = [f"    {_yaml(column.name)}:"]
    for key, value in spec.items():
        head = f"      {key}: "
        if not isinstance(value, list):
            lines.append(head + _yaml(value))
            continue
        items = [_yaml(item) for item in value]
        current = head + "["
        for index, item in enumerate(items):
            piece = item + ("]" if index == len(items) - 1 else ",")
            if len(current) + len(piece) + 1 > LINE_LENGTH and not current.endswith("["):
                lines.append(current)
                current = " " * (len(head) + 1) + piece
            else:
                current += ("" if current.endswith("[") else " ") + piece
        lines.append(current)
    return "\n".join(lines)


def is_binary(template: str) -> bool:
    """Whether the project's configuration is a binary outcome's (it names a positive label)."""
    return re.search(r"^  positive_label:", _sections(template).get("data", ""), re.M) is not None


def _sections(text: str) -> dict[str, str]:
    """The top-level sections of a YAML file as text, keyed by name ("" for the header)."""
    sections: dict[str, str] = {}
    name = ""
    for line in text.splitlines(keepends=True):
        match = re.match(r"^([A-Za-z_]+):", line)
        if match:
            name = match.group(1)
        sections[name] = sections.get(name, "") + line
    return sections


def _drop_key(section: str, key: str) -> str:
    """`section` without `key` (at any depth), its nested lines and the comments just above."""
    lines = section.splitlines(keepends=True)
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        match = re.match(rf"^(\s+){re.escape(key)}:", line)
        if not match:
            kept.append(line)
            index += 1
            continue
        depth = len(match.group(1))
        while kept and kept[-1].strip().startswith("#") and _indent(kept[-1]) == depth:
            kept.pop()
        index += 1
        while index < len(lines) and lines[index].strip() and _indent(lines[index]) > depth:
            index += 1
    return "".join(kept)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _forecast_settings(template_data: str) -> str | None:
    """The feature engineering of a forecasting configuration (one with a `frequency`)."""
    if not re.search(r"^    frequency:", template_data, re.M):
        return None
    match = re.search(r"^  feature_engineering:\s*(\S+)", template_data, re.M)
    return match.group(1) if match else None


def render_config(profile: Profile, template: str, data_path: str) -> str:
    """The project's configuration `template` with a `data` section describing `profile`.

    The lines the user should check that the rewrite of other sections brings (personal data
    for `privacy`) are added to `profile.checks`.
    """
    sections = _sections(template)
    template_data = sections.get("data", "")
    engineering = _forecast_settings(template_data)
    binary = is_binary(template)
    columns = profile.columns
    if engineering is not None:
        calendar = CALENDAR.get(profile.frequency or "day", ())
        for column in columns.values():  # the forecast's calendar features replace them
            column.parts = []
            if column.feature and column.name in calendar:
                column.feature = False
                column.notes.append(
                    f"Not a model input: the forecast makes its own `{column.name}` feature "
                    "from the time column."
                )
    lines = [
        f"# The pipeline's configuration, written by `infer` from {profile.path.name}",
        f"# ({profile.rows:,} rows). Every fact about the data and every parameter in one place:",
        "# the `data` section below is the schema that train, validate, predict, the service and",
        "# monitor check data against. Lines marked CONFIRM are guesses to check.",
        "",
    ]
    version = re.search(r"^schema_version:.*$", sections.get("schema_version", ""), re.M)
    lines += [version.group(0) if version else "schema_version: 2", "", "data:"]
    lines += [f"  path: {_yaml(data_path)}"]
    lines += ["  # Unique per row: outcomes arriving later are joined to predictions by it."]
    lines += [f"  id_column: {_yaml(profile.id_column)}"]
    if profile.time_column:
        lines += ["  # Rows are ordered and split by it: the model never learns from the future."]
    else:
        lines += ["  # No column of dates: rows keep the file's order."]
    lines += [f"  time_column: {_yaml(profile.time_column)}", f"  target: {_yaml(profile.target)}"]
    if binary:
        lines += [f"  positive_label: {_yaml(str(profile.positive_label))}"]
    lines += ['  # Strings that mean "missing" in the file, besides empty cells.']
    lines += [f"  missing_values: {_yaml(profile.missing_values)}"]
    if engineering is None:
        lines += [
            "  # `none`: the columns marked `feature: true` (and the `parts` of dates) are the",
            "  # model's inputs as they are.",
            "  feature_engineering: none",
        ]
    else:
        lines += _forecast_lines(profile, engineering)
    leaks = profile.known_after_outcome
    lines += [
        "  # Columns known only once the outcome is: never model inputs (the leakage guard).",
    ]
    lines += [
        line
        for name, reason in leaks.items()
        for line in _comment(f"CONFIRM: {name}: {reason}.", 2)
    ]
    lines += [f"  known_after_outcome: {_yaml(list(leaks))}", "  columns:"]
    for column in columns.values():
        lines += [line for note in column.notes for line in _comment(note, 4)]
        lines.append(_column_line(column))
    out = ["\n".join(lines) + "\n\n"]
    for name, section in sections.items():
        if name in ("", "schema_version", "data"):
            continue
        out.append(_adapted(name, section, profile, engineering, binary))
    return "".join(out).rstrip("\n") + "\n"


def _forecast_lines(profile: Profile, engineering: str) -> list[str]:
    frequency = profile.frequency
    horizon, lags, windows = FORECAST_SETTINGS.get(frequency or "day", FORECAST_SETTINGS["day"])
    lines = [
        f"  # `{engineering}`: lags and rolling means of each series' past {profile.target},",
        "  # and calendar features, computed from the past only.",
        f"  feature_engineering: {engineering}",
        "  feature_settings:",
        "    # The columns that, with the time, identify a row: one series each.",
        *(
            []
            if profile.series
            else ["    # CONFIRM: one series; if rows repeat a time, list the columns that tell"]
            + ["    # the series apart."]
        ),
        f"    series: {_yaml(profile.series)}",
        f"    time: {_yaml(profile.time_column)}",
    ]
    if frequency is None:
        lines.append("    # CONFIRM: no regular gap between times: hour, day, week or month?")
    lines += [
        f"    frequency: {frequency or 'day'}",
        f"    target: {_yaml(profile.target)}",
        "    # Forecasts reach `horizon` periods ahead; every lag is at least the horizon.",
        f"    horizon: {horizon}",
        f"    lags: {_yaml(lags)}",
        f"    windows: {_yaml(windows)}",
    ]
    return lines


def _objective(section: str, profile: Profile) -> str:
    """The training section, with squared error instead of a log-link loss the target's
    values cannot take (gamma needs positive targets; Poisson and Tweedie no negative one)."""
    loss = re.search(r"^\s+objective:\s*(reg:gamma|count:poisson|reg:tweedie)\s*$", section, re.M)
    lowest = profile.columns[profile.target].min
    if loss is None or lowest is None:
        return section
    if lowest > 0 or (lowest == 0 and loss.group(1) != "reg:gamma"):
        return section
    note = (
        f"  # {loss.group(1)} needs {'positive' if loss.group(1) == 'reg:gamma' else 'no negative'}"
        f" targets and {profile.target} reaches {lowest:g}: squared error instead."
    )
    return section.replace(loss.group(0), f"{note}\n  objective: reg:squarederror", 1)


def _adapted(
    name: str, section: str, profile: Profile, engineering: str | None, binary: bool
) -> str:
    """A section of the template made valid for the new columns (column-free ones as they are)."""
    if name == "split":
        return _split_section(section, profile, binary)
    if name == "training":
        return _objective(section, profile)
    if name == "evaluation":
        section = _drop_key(_drop_key(section, "subgroups"), "min_subgroup_rows")
        section = _drop_key(section, "max_subgroup_gap")
        categories = [n for n, c in profile.columns.items() if c.type == "category" and c.feature]
        hint = (
            f"  # Metrics per group of a column: `subgroups: {_yaml(categories[:2])}`, and\n"
            "  # `gate.max_subgroup_gap` to bound the gap between groups.\n"
        )
        section = section.replace("evaluation:\n", "evaluation:\n" + hint, 1)
        return _baseline(section, profile, engineering)
    if name == "monitoring":
        section = _drop_key(section, "max_subgroup_gap")
        if not engineering:
            return _drop_key(section, "exclude_from_drift")
        calendar = CALENDAR.get(profile.frequency or "")
        if calendar is None:
            return section
        # The calendar inputs of the data's frequency move by design: not compared for drift.
        return re.sub(
            r"^(\s+exclude_from_drift:).*$",
            rf"\1 {_yaml(list(calendar))}",
            section,
            flags=re.M,
        )
    if name == "privacy":
        personal = [
            n
            for n in profile.columns
            if PERSONAL_NAME.search(n) and n not in (profile.id_column, profile.time_column)
        ]
        section = _drop_key(section, "sensitive_columns")
        lines = ["  # CONFIRM: personal data among the columns: hash, drop or keep each."]
        if personal:
            lines += [f"  # Names that suggest personal data: {', '.join(personal)}."]
            profile.checks.append(
                f"privacy.sensitive_columns: {', '.join(personal)} may be personal data"
            )
        lines.append("  sensitive_columns: {}")
        return section.replace("privacy:\n", "privacy:\n" + "\n".join(lines) + "\n", 1)
    return section


def _split_section(section: str, profile: Profile, binary: bool) -> str:
    fractions = (
        "".join(
            line
            for line in section.splitlines(keepends=True)
            if re.match(r"^  (validation|test)_fraction:", line)
        )
        or "  validation_fraction: 0.15\n  test_fraction: 0.15\n"
    )
    if profile.time_column:
        head = (
            "  # In time: the oldest rows train, the next validate, the most recent test.\n"
            "  method: time\n"
        )
    elif binary:
        head = (
            "  # No time column: a seeded random split that keeps the positive rate in every\n"
            "  # part. CONFIRM: if rows of one entity (a customer, a patient) repeat, use\n"
            "  # `method: group` with its `group_column`.\n"
            "  method: stratified\n"
        )
    else:
        head = (
            "  # No time column: rows split in file order. CONFIRM: if rows of one entity\n"
            "  # repeat, use `method: group` with its `group_column`.\n"
            "  method: time\n"
        )
    return "split:\n" + head + fractions + "\n"


def _baseline(section: str, profile: Profile, engineering: str | None) -> str:
    """The regression baseline on the new columns: a lag of the target, or a linear fit."""
    if not re.search(r"^  baseline:", section, re.M):
        return section
    if engineering and re.search(r"^    kind: feature", section, re.M):
        lag = FORECAST_SETTINGS.get(profile.frequency or "day", FORECAST_SETTINGS["day"])[1][0]
        block = (
            "  # The seasonal-naive forecast: the target one lag back. A model that cannot beat\n"
            "  # it is not worth running.\n"
            f"  baseline:\n    kind: feature\n    feature: {profile.target}_lag_{lag}\n"
        )
    else:
        columns = profile.baseline_columns
        block = (
            "  # A linear fit on the columns most related to the target: the model must beat\n"
            "  # it. CONFIRM: the columns a person would price or estimate it by.\n"
            f"  baseline:\n    kind: linear\n    columns: {_yaml(columns)}\n"
        )
    section = _drop_key(section, "baseline")
    return section.replace("evaluation:\n", "evaluation:\n" + block, 1)


def infer_config(
    source: Path,
    target: str,
    out: Path,
    template: Path,
    *,
    force: bool = False,
    id_column: str | None = None,
    time_column: str | None = None,
) -> Profile:
    """Profile `source` and write the configuration for it to `out`, from `template`.

    `template` is the project's configuration: every section but `data` is kept, with what
    refers to columns made valid for the new ones. `out` is never replaced unless `force`.
    """
    source, out, template = Path(source), Path(out), Path(template)
    if out.exists() and not force:
        raise InferenceError(
            f"{out} exists: pass --force to replace it, or --out to write the configuration "
            "elsewhere"
        )
    if not template.is_file():
        raise InferenceError(f"configuration to start from not found: {template}")
    text = template.read_text(encoding="utf-8")
    profile = profile_file(
        source, target, binary=is_binary(text), id_column=id_column, time_column=time_column
    )
    root = out.resolve().parent
    if root.name == "config":
        root = root.parent
    try:
        data_path = source.resolve().relative_to(root).as_posix()
    except ValueError:  # outside the project: kept where it is
        data_path = source.resolve().as_posix()
    written = render_config(profile, text, data_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(written, encoding="utf-8")
    return profile


def summary(profile: Profile, out: Path) -> list[str]:
    """What `infer` found, and the few lines the user should check, for the terminal."""
    columns = profile.columns.values()
    features = [column.name for column in columns if column.feature or column.parts]
    lines = [
        f"wrote {out}: {len(profile.columns)} columns of {profile.path.name} "
        f"({profile.rows:,} rows), {len(features)} of them model inputs",
        f"  id column: {profile.id_column or 'none'}; time column: "
        f"{profile.time_column or 'none'}"
        + (f" ({profile.frequency})" if profile.frequency else ""),
    ]
    if profile.positive_label is not None:
        lines.append(f"  positive label: {profile.positive_label!r}")
    if profile.missing_values:
        lines.append(f"  missing-value markers: {', '.join(profile.missing_values)}")
    if profile.checks:
        lines.append("check these lines (marked CONFIRM in the file):")
        lines += [f"  - {check}" for check in profile.checks]
    return lines


def main(argv: list[str] | None = None) -> int:
    """`python -m <package>.core.schema_inference FILE --target COL --out PATH`: what the
    generator runs, before the project's dependencies are installed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--target", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--template", type=Path, help="configuration to start from (--out)")
    parser.add_argument("--id", dest="id_column")
    parser.add_argument("--time", dest="time_column")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    try:
        profile = infer_config(
            args.file,
            args.target,
            args.out,
            args.template or args.out,
            force=args.force,
            id_column=args.id_column,
            time_column=args.time_column,
        )
    except InferenceError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    print("\n".join(summary(profile, args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
