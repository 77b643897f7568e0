"""What a regression model answers: a number under the configured name, and its interval.

The service, batch scoring and the prediction log shape their answers here, from the rows
`ScoringPipeline.predict` returns (the model inputs plus `score`, the prediction, and
`lower` and `upper` when the model has an interval; the service has the same as arrays,
`answer_matrix`) and from the bundle's `PipelineSpec` (`prediction_name`, e.g. `fare`, and
the interval's quantiles). The prediction is the answer: there is no decision to take, so
the prediction log's decision column stays empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import pandas as pd
from pydantic import Field

# What `ScoringPipeline.predict` returns for a frame (inputs, `score`, and `lower` and
# `upper` with an interval), or `answer_matrix` for the service's rows (the same as arrays).
Predictions = pd.DataFrame | Mapping[str, np.ndarray]


class AnswerSpec(Protocol):
    """The part of the bundle's `PipelineSpec` an answer depends on."""

    prediction_name: str
    interval: list[float]


def answer_fields(spec: AnswerSpec) -> dict[str, Any]:
    """The fields of an answer besides the ids, the factors and the model version.

    Field definitions as `pydantic.create_model` takes them: (type, Field(...)).
    """
    name = spec.prediction_name
    fields: dict[str, Any] = {name: (float, Field(description="The model's prediction"))}
    if spec.interval:
        low, high = (f"{quantile:.0%}" for quantile in spec.interval)
        fields[f"{name}_lower"] = (float, Field(description=f"The {low} quantile"))
        fields[f"{name}_upper"] = (float, Field(description=f"The {high} quantile"))
    return fields


def answer_shape(spec: AnswerSpec) -> tuple[Any, ...]:
    """What callers see of a version's answers besides its inputs: the prediction's name and
    the interval's quantiles (two versions with the same shape answer with the same fields)."""
    return spec.prediction_name, tuple(spec.interval or ())


def answers(predictions: Predictions, spec: AnswerSpec) -> list[dict[str, Any]]:
    """Each row's answer: the prediction and, when the model has one, its interval."""
    name = spec.prediction_name
    rows: list[dict[str, Any]] = [
        {name: float(prediction)}
        for prediction in np.asarray(predictions["score"], dtype="float64")
    ]
    if "lower" in predictions:
        bounds = zip(predictions["lower"], predictions["upper"], strict=True)
        for row, (lower, upper) in zip(rows, bounds, strict=True):
            row[f"{name}_lower"], row[f"{name}_upper"] = float(lower), float(upper)
    return rows


def logged_decisions(predictions: Predictions) -> list[str]:
    """The decision column of the prediction log: empty, the prediction is the answer."""
    return [""] * len(predictions["score"])


def answer_columns(predictions: pd.DataFrame, spec: AnswerSpec) -> dict[str, pd.Series]:
    """The columns batch scoring writes for each row (besides its id and the model version)."""
    name = spec.prediction_name
    columns = {name: predictions["score"].round(4)}
    if "lower" in predictions.columns:
        columns[f"{name}_lower"] = predictions["lower"].round(4)
        columns[f"{name}_upper"] = predictions["upper"].round(4)
    return columns


def describe_answers(answered: pd.DataFrame) -> str:
    """What a batch of answers looks like, in a few lines: the spread of every number."""
    numeric = answered.select_dtypes("number")
    return numeric.describe(percentiles=[0.1, 0.5, 0.9]).round(2).to_string()
