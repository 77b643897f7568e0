"""What a binary model answers: a probability, the decision its threshold implies, a risk band.

The service, batch scoring and the prediction log shape their answers here, from the rows
`ScoringPipeline.predict` returns (the model inputs plus `score`, the probability of the
positive class, and `decision`; the service has the same two as arrays, `answer_matrix`) and
from the bundle's `PipelineSpec` (the threshold, the names of the two decisions, the risk
bands). The threshold is part of every answer: a caller sees which cut-off decided, and that
it moved when a new version was promoted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import pandas as pd
from pydantic import Field

# What `ScoringPipeline.predict` returns for a frame (inputs, `score`, `decision`), or
# `answer_matrix` for the service's rows (`score` and `decision` as arrays).
Predictions = pd.DataFrame | Mapping[str, np.ndarray]


class AnswerSpec(Protocol):
    """The part of the bundle's `PipelineSpec` an answer depends on."""

    threshold: float
    risk_bands: dict[str, float]


def answer_fields(spec: AnswerSpec) -> dict[str, Any]:
    """The fields of an answer besides the ids, the factors and the model version.

    Field definitions as `pydantic.create_model` takes them: (type, Field(...)).
    """
    fields: dict[str, Any] = {
        "score": (float, Field(description="Probability of the positive class")),
        "decision": (str, Field(description="The action the threshold implies")),
    }
    if spec.risk_bands:
        fields["risk_band"] = (str, Field(description=", ".join(spec.risk_bands)))
    fields["threshold"] = (float, Field(description="The score at or above which it acts"))
    return fields


def answer_shape(spec: AnswerSpec) -> tuple[Any, ...]:
    """What callers see of a version's answers besides its inputs: its risk bands.

    Two versions with the same shape answer with the same fields; a new threshold is a new
    value, not a new shape.
    """
    return tuple(spec.risk_bands)


def answers(predictions: Predictions, spec: AnswerSpec) -> list[dict[str, Any]]:
    """Each row's answer: its score, its decision, the threshold and (when set) its band."""
    scores = np.asarray(predictions["score"], dtype="float64")
    rows: list[dict[str, Any]] = [
        {"score": float(score), "decision": str(decision), "threshold": spec.threshold}
        for score, decision in zip(scores, predictions["decision"], strict=True)
    ]
    if spec.risk_bands:
        for row, band in zip(rows, risk_bands(scores, spec.risk_bands), strict=True):
            row["risk_band"] = str(band)
    return rows


def risk_bands(scores: np.ndarray, bands: dict[str, float]) -> np.ndarray:
    """Each score's band: the last band whose lower bound the score reaches."""
    names = np.array(list(bands))
    bounds = np.array(list(bands.values()))
    return names[np.searchsorted(bounds, scores, side="right") - 1]


def logged_decisions(predictions: Predictions) -> list[str]:
    """The decision column of the prediction log: the action taken on each row."""
    return [str(decision) for decision in predictions["decision"]]


def answer_columns(predictions: pd.DataFrame, spec: AnswerSpec) -> dict[str, pd.Series]:
    """The columns batch scoring writes for each row (besides its id and the model version)."""
    return {"score": predictions["score"].round(6), "decision": predictions["decision"]}


def describe_answers(answered: pd.DataFrame) -> str:
    """What a batch of answers looks like, in a few lines: how often each decision was taken."""
    return answered["decision"].value_counts().to_string()
