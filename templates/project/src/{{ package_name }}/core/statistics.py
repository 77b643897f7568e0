"""The data artifacts TFX made standard, without TensorFlow: schema, statistics, anomalies.

    SchemaGen         `schema_record`: the declared schema (config/pipeline.yaml, which `infer`
                      writes from a data file) in the shape of TFX's Schema: one feature per
                      column with its type, presence and domain
    StatisticsGen     `statistics_record`: per column, counts, missing values, and numbers'
                      mean, spread and range or categories' most frequent values, in the
                      shape of TFX's DatasetFeatureStatistics
    ExampleValidator  `anomalies_record`: what a file breaks in that schema, per column, in
                      the shape of TFX's Anomalies (an empty `anomaly_info`: no anomaly)

They are JSON, not TFX's protocol buffers: a person reads them in a diff and a pull request,
and writing TFX's own format would need `tensorflow-metadata` for no gain here (the field
names are TFX's, so a converter is a few lines; docs/design.md says more). `validate` writes
all three to reports/validation/, and `train` keeps the schema and statistics of its
training data with the candidate, so that every registered version carries them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import DEFAULT_CONFIG, ColumnSpec, Config
from .schema import Violation

SCHEMA_FILE = "schema.json"
STATISTICS_FILE = "statistics.json"
ANOMALIES_FILE = "anomalies.json"
# The most frequent values kept for each category or text column.
TOP_VALUES = 10
# TFX's feature types, for each declared type (a time is TFX's BYTES with a time domain).
_TFX_TYPES = {"int": "INT", "float": "FLOAT", "category": "BYTES", "string": "BYTES"}


def schema_record(config: Config) -> dict[str, Any]:
    """SchemaGen's output: every declared column as a TFX Schema feature, and the
    configuration file that declares them (relative to the project when it is inside)."""
    source = Path(config.source or DEFAULT_CONFIG)
    if source.is_absolute() and source.is_relative_to(config.root.resolve()):
        source = source.relative_to(config.root.resolve())
    features = []
    for name, spec in config.data.columns.items():
        feature: dict[str, Any] = {
            "name": name,
            "type": _TFX_TYPES.get(spec.type, "BYTES"),
            "presence": {"min_fraction": 0.0 if spec.nullable else 1.0, "min_count": 1},
        }
        if spec.type == "datetime":
            first, last = spec.years
            feature["time_domain"] = {
                "string_format": spec.format or "ISO 8601",
                "years": [first, last],
            }
        elif spec.allowed is not None:
            feature["string_domain"] = {"value": [str(value) for value in spec.allowed]}
        elif spec.type in ("int", "float") and (spec.min is not None or spec.max is not None):
            domain = "int_domain" if spec.type == "int" else "float_domain"
            bounds = (("min", spec.min), ("max", spec.max))
            feature[domain] = {key: value for key, value in bounds if value is not None}
        if spec.feature or spec.parts:
            feature["annotation"] = {"tag": ["model input"]}
        features.append(feature)
    return {"source": source.as_posix(), "feature": features}


def statistics_record(frame: pd.DataFrame, columns: dict[str, ColumnSpec]) -> dict[str, Any]:
    """StatisticsGen's output for a typed frame (as `load_dataset` returns it)."""
    figures: dict[str, dict[str, Any]] = {}
    for name, spec in columns.items():
        if name not in frame.columns:
            continue
        values = frame[name]
        got: dict[str, Any] = {"missing": values.isna().sum()}
        if spec.type in ("int", "float"):
            numbers = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype="float64")
            got["count"] = len(numbers)
            if len(numbers):
                got.update(
                    mean=numbers.mean(),
                    std_dev=numbers.std(),
                    num_zeros=(numbers == 0).sum(),
                    min=numbers.min(),
                    median=np.median(numbers),
                    max=numbers.max(),
                )
        elif spec.type == "datetime":
            present = pd.to_datetime(values.dropna())
            got.update(min=present.min(), max=present.max())
        else:
            counts = values.dropna().astype("string").value_counts()
            got.update(unique=len(counts), top=counts.head(TOP_VALUES))
        figures[name] = got
    return statistics_from_figures(len(frame), columns, figures)


def statistics_from_figures(
    rows: int, columns: dict[str, ColumnSpec], figures: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """StatisticsGen's output from each column's figures, however they were computed (here
    with pandas, or on a Dask cluster by core/dask_frames.py). A column's figures: `missing`;
    a number's `count` of values and, when there are any, `mean`, `std_dev`, `num_zeros`,
    `min`, `median`, `max`; a time's `min` and `max`; any other's `unique` values and `top`,
    the counts of the most frequent ones, most frequent first."""
    features = []
    for name, spec in columns.items():
        if name not in figures:
            continue
        got = figures[name]
        missing = int(got["missing"])
        common = {"num_non_missing": rows - missing, "num_missing": missing}
        feature: dict[str, Any] = {"name": name, "type": _TFX_TYPES.get(spec.type, "BYTES")}
        if spec.type in ("int", "float"):
            feature["num_stats"] = {"common_stats": common, **_number_figures(got)}
        elif spec.type == "datetime":
            present = rows - missing
            feature["time_stats"] = {
                "common_stats": common,
                "min": str(got["min"]) if present else None,
                "max": str(got["max"]) if present else None,
            }
        else:
            feature["string_stats"] = {
                "common_stats": common,
                "unique": int(got["unique"]),
                "top_values": [
                    {"value": str(value), "frequency": int(count)}
                    for value, count in got["top"].items()
                ],
            }
        features.append(feature)
    return {"datasets": [{"num_examples": rows, "features": features}]}


def _number_figures(got: dict[str, Any]) -> dict[str, float | int | None]:
    if not int(got["count"]):
        return {"mean": None, "std_dev": None, "min": None, "median": None, "max": None}
    return {
        "mean": float(got["mean"]),
        "std_dev": float(got["std_dev"]),
        "num_zeros": int(got["num_zeros"]),
        "min": float(got["min"]),
        "median": float(got["median"]),
        "max": float(got["max"]),
    }


def anomalies_record(violations: list[Violation], source: str) -> dict[str, Any]:
    """ExampleValidator's output: each violation of the schema under its column, as an
    ERROR (the pipeline stops on any), with the count, an example and the fix."""
    info: dict[str, Any] = {}
    for violation in violations:
        entry = info.setdefault(
            violation.column, {"severity": "ERROR", "short_description": "", "reason": []}
        )
        entry["reason"].append(
            {"type": violation.rule, "count": violation.count, "description": str(violation)}
        )
        entry["short_description"] = "; ".join(reason["type"] for reason in entry["reason"])
    return {"source": source, "anomaly_info": info}
