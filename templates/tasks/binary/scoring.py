"""What a binary bundle answers: the probability of the positive outcome, the decision at the
threshold chosen in training, and optionally a risk band.

`core/bundle.py` builds its `PipelineSpec` from `AnswerSpec` and its `ScoringPipeline` from
`AnswerScoring`, so the spec's fields below are keys of a bundle's pipeline.json, and the
methods below are what every consumer of a bundle (evaluation, batch scoring, the service,
monitoring) calls to turn model inputs into answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xgboost as xgb

if TYPE_CHECKING:
    from .settings import AnswerSettings, TrainingSettings

# Boosters a bundle holds besides the model, by attribute of `ScoringPipeline`: none.
MODEL_FILES: dict[str, str] = {}


def required_model_files(spec: AnswerSpec) -> dict[str, str]:
    """The entries of `MODEL_FILES` a bundle with this spec must hold: none."""
    return {}


# Fields of pipeline.json added after the first version, with the value that reproduces the
# earlier behaviour.
ADDED_FIELDS: dict[str, Any] = {"risk_bands": {}}


@dataclass(frozen=True, kw_only=True)
class AnswerSpec:
    """How a bundle turns a score into its answer."""

    threshold: float
    positive_decision: str
    negative_decision: str
    risk_bands: dict[str, float]
    # Platt scaling fitted on validation rows: probability = sigmoid(slope * logit(raw score)
    # + intercept). Monotone, so it changes no ranking, only what a score means.
    calibration: dict[str, float] | None = None


def answer_fields(
    training: TrainingSettings,
    serving: AnswerSettings,
    *,
    threshold: float,
    calibration: dict[str, float] | None = None,
) -> dict[str, Any]:
    """The `AnswerSpec` fields of a bundle: the decisions configured under `serving`, the
    threshold (and calibration) fitted in training."""
    return {
        "threshold": threshold,
        "positive_decision": serving.positive_decision,
        "negative_decision": serving.negative_decision,
        "risk_bands": serving.risk_bands,
        "calibration": calibration,
    }


def calibrate(raw: np.ndarray, calibration: dict[str, float] | None) -> np.ndarray:
    """Raw scores mapped through the Platt scaling (unchanged without one)."""
    if calibration is None:
        return raw
    clipped = np.clip(np.asarray(raw, dtype="float64"), 1e-7, 1 - 1e-7)
    logit = np.log(clipped / (1 - clipped))
    return 1 / (1 + np.exp(-(calibration["slope"] * logit + calibration["intercept"])))


class AnswerScoring:
    """The answers of a loaded bundle; `ScoringPipeline` provides `spec`, `booster`, `inputs`,
    `matrix` (model inputs as xgboost's float matrix) and `raw_scores` (the booster's output
    for prepared model inputs)."""

    spec: AnswerSpec
    booster: xgb.Booster

    def score_inputs(self, inputs: pd.DataFrame) -> np.ndarray:
        """Probabilities of the positive class for prepared model inputs."""
        return calibrate(self.raw_scores(inputs), self.spec.calibration)

    def decide(self, scores: np.ndarray) -> np.ndarray:
        return np.where(
            scores >= self.spec.threshold, self.spec.positive_decision, self.spec.negative_decision
        )

    def bands(self, scores: np.ndarray) -> np.ndarray | None:
        """Each score's risk band (None when no bands are configured)."""
        if not self.spec.risk_bands:
            return None
        names = np.array(list(self.spec.risk_bands))
        bounds = np.array(list(self.spec.risk_bands.values()))
        return names[np.searchsorted(bounds, scores, side="right") - 1]

    def answer_matrix(self, matrix: np.ndarray) -> dict[str, np.ndarray]:
        """`score` and `decision` of each row of model inputs as xgboost's float matrix: what
        `predict` adds to a frame, and what the service answers from (no frame)."""
        scores = calibrate(self.booster.inplace_predict(matrix), self.spec.calibration)
        return {"score": scores, "decision": self.decide(scores)}

    def predict(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Model inputs plus `score` and `decision` for time-ordered raw rows."""
        inputs = self.inputs(frame)
        result = inputs.copy()
        for name, values in self.answer_matrix(self.matrix(inputs)).items():
            result[name] = values
        return result
