"""What a regression bundle answers: the prediction, and its interval when one is configured.

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

# Boosters a bundle holds besides the model, by attribute of `ScoringPipeline`: the booster
# of the interval's two quantiles of the error (when an interval is configured).
MODEL_FILES: dict[str, str] = {"interval_booster": "interval.ubj"}
# Fields of pipeline.json added after the first version, with the value that reproduces the
# earlier behaviour.
ADDED_FIELDS: dict[str, Any] = {}


@dataclass(frozen=True, kw_only=True)
class AnswerSpec:
    """How a bundle names its prediction and builds its interval."""

    prediction_name: str
    interval: list[float]
    # How the interval relates to the prediction: `relative` (a log-link objective: the
    # bounds are the prediction times two factors) or `absolute` (plus two offsets).
    interval_scale: str


def required_model_files(spec: AnswerSpec) -> dict[str, str]:
    """The entries of `MODEL_FILES` a bundle with this spec must hold."""
    return MODEL_FILES if spec.interval else {}


def answer_fields(training: TrainingSettings, serving: AnswerSettings) -> dict[str, Any]:
    """The `AnswerSpec` fields of a bundle, all from the configuration: nothing is fitted."""
    return {
        "prediction_name": serving.prediction_name,
        "interval": training.interval,
        "interval_scale": interval_scale(training.objective),
    }


def interval_scale(objective: str) -> str:
    """`relative` for a log-link objective (its errors grow with the prediction), else
    `absolute`."""
    return "absolute" if objective == "reg:squarederror" else "relative"


def interval_matrix(matrix: np.ndarray, monotone_constraints: tuple[int, ...]) -> np.ndarray:
    """The model inputs as the interval booster sees them: monotone inputs blanked out."""
    blanked = matrix.copy()
    for position, sign in enumerate(monotone_constraints):
        if sign:
            blanked[:, position] = np.nan
    return blanked


def interval_errors(actual: np.ndarray, prediction: np.ndarray, scale: str) -> np.ndarray:
    """What the interval booster learns: actual / prediction, or actual - prediction."""
    if scale == "relative":
        return np.asarray(actual) / np.maximum(np.asarray(prediction), 1e-9)
    return np.asarray(actual) - np.asarray(prediction)


class AnswerScoring:
    """The answers of a loaded bundle; `ScoringPipeline` provides `spec`, `booster`, `inputs`,
    `raw_scores` (the booster's output for prepared model inputs) and `matrix` (the inputs
    as xgboost's float matrix)."""

    spec: AnswerSpec
    booster: xgb.Booster
    interval_booster: xgb.Booster | None = None

    def score_inputs(self, inputs: pd.DataFrame) -> np.ndarray:
        """The model's prediction for prepared model inputs."""
        return self.raw_scores(inputs)

    def interval_inputs(
        self, inputs: pd.DataFrame, prediction: np.ndarray | None = None
    ) -> np.ndarray | None:
        """(rows, 2) lower and upper bounds of the prediction interval, or None without one.

        The interval booster predicts two quantiles of the error (the ratio of actual to
        prediction, or their difference) from the inputs other than the monotone ones, which
        it never sees: so the bounds move with a monotone input exactly as the prediction
        does, and keep its guarantee (xgboost's quantile loss re-fits leaf values after the
        trees are grown, which can break monotone constraints). The bounds are sorted per
        row: two quantiles fitted together can still cross.
        """
        if self.interval_booster is None:
            return None
        matrix = self.matrix(inputs)
        if prediction is None:
            prediction = self.booster.inplace_predict(matrix)
        return self.interval_of_matrix(matrix, prediction)

    def interval_of_matrix(self, matrix: np.ndarray, prediction: np.ndarray) -> np.ndarray:
        """`interval_inputs` for model inputs as xgboost's float matrix (`matrix`) and their
        prediction; needs the interval booster."""
        assert self.interval_booster is not None
        blanked = interval_matrix(matrix, self.spec.monotone_constraints)
        errors = np.asarray(self.interval_booster.inplace_predict(blanked), dtype="float64")
        errors = errors.reshape(len(matrix), 2)
        prediction = np.asarray(prediction, dtype="float64")[:, None]
        if self.spec.interval_scale == "relative":
            bounds = prediction * errors
        else:
            bounds = prediction + errors
        return np.sort(bounds, axis=1)

    def answer_matrix(self, matrix: np.ndarray) -> dict[str, np.ndarray]:
        """`score` (the prediction), and `lower` and `upper` with an interval, of each row of
        model inputs as xgboost's float matrix: what `predict` adds to a frame, and what the
        service answers from (no frame). The matrix is built once for both boosters."""
        prediction = self.booster.inplace_predict(matrix)
        answered = {"score": prediction}
        if self.interval_booster is not None:
            bounds = self.interval_of_matrix(matrix, prediction)
            answered["lower"], answered["upper"] = bounds[:, 0], bounds[:, 1]
        return answered

    def predict(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Model inputs plus `score` (the prediction), and `lower` and `upper` with an interval."""
        inputs = self.inputs(frame)
        result = inputs.copy()
        for name, values in self.answer_matrix(self.matrix(inputs)).items():
            result[name] = values
        return result
