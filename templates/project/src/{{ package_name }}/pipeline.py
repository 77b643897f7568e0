"""The servable pipeline: raw rows in, features, score and decision out.

Training writes a *bundle* folder; evaluation, the model store, batch scoring and the web
service all load it through `ScoringPipeline`, so that every consumer turns raw rows into
model inputs with exactly the code used in training (no re-implemented preprocessing).

A bundle holds:
  model.ubj       the xgboost booster, in xgboost's own format (not pickle)
  pipeline.json   the schema, feature names, categories, threshold and decision labels
  history.json    the domain feature state at the end of the training data (empty when the
                  pipeline uses columns as given)
  reference.csv   a sample of validation rows (model inputs, score, label) for monitoring
  metadata.json   lineage and metrics
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from . import features
from .config import ColumnSpec, Config, UserError
from .schema import encode_raw_features

MODEL_FILE = "model.ubj"
SPEC_FILE = "pipeline.json"
HISTORY_FILE = "history.json"
REFERENCE_FILE = "reference.csv"
METADATA_FILE = "metadata.json"


class ModelLoadError(UserError, RuntimeError):
    """A model bundle is missing, incomplete or unreadable."""


@dataclass(frozen=True)
class PipelineSpec:
    """What a bundle needs to turn raw rows into model inputs and decisions."""

    columns: dict[str, ColumnSpec]
    feature_engineering: str
    feature_names: list[str]
    categorical_features: list[str]
    id_column: str | None
    time_column: str | None
    target: str
    threshold: float
    positive_decision: str
    negative_decision: str

    @classmethod
    def from_config(cls, config: Config, threshold: float) -> PipelineSpec:
        data = config.data
        engineered = list(features.FEATURE_NAMES) if data.feature_engineering != "none" else []
        return cls(
            columns=data.columns,
            feature_engineering=data.feature_engineering,
            feature_names=engineered + data.feature_columns,
            categorical_features=[
                c for c in data.feature_columns if data.columns[c].type == "category"
            ],
            id_column=data.id_column,
            time_column=data.time_column,
            target=data.target,
            threshold=threshold,
            positive_decision=config.serving.positive_decision,
            negative_decision=config.serving.negative_decision,
        )

    def to_dict(self) -> dict[str, Any]:
        payload = dict(self.__dict__)
        payload["columns"] = {name: spec.model_dump() for name, spec in self.columns.items()}
        return payload

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> PipelineSpec:
        payload = dict(payload)
        payload["columns"] = {name: ColumnSpec(**spec) for name, spec in payload["columns"].items()}
        return cls(**payload)


def model_inputs(
    frame: pd.DataFrame, spec: PipelineSpec, history: features.CustomerHistory | None
) -> pd.DataFrame:
    """Model inputs for time-ordered raw rows; domain features update `history` in place."""
    raw = encode_raw_features(frame, spec.columns)
    if spec.feature_engineering == "none":
        return raw[spec.feature_names]
    if history is None:
        raise ValueError("domain features need the feature history")
    engineered = features.engineer_features(frame, history)
    return pd.concat([engineered, raw], axis=1)[spec.feature_names]


def as_matrix(inputs: pd.DataFrame, spec: PipelineSpec) -> np.ndarray:
    """Model inputs as the float matrix xgboost predicts from, categories as their codes.

    The booster knows which features are categorical (it was trained on pandas categoricals),
    and the codes are positions in the declared `allowed` values, fixed by the schema, so the
    matrix scores exactly as the DataFrame would. It is much faster for one row: xgboost's
    pandas path costs about 2 ms per call, the matrix about 0.1 ms.
    """
    matrix = np.empty((len(inputs), len(spec.feature_names)), dtype=np.float32)
    for position, name in enumerate(spec.feature_names):
        column = inputs[name]
        if name in spec.categorical_features:
            codes = column.cat.codes.to_numpy()
            matrix[:, position] = np.where(codes >= 0, codes, np.nan)
        else:
            matrix[:, position] = column.to_numpy(dtype=np.float32, na_value=np.nan)
    return matrix


class ScoringPipeline:
    """A loaded bundle: scores raw rows exactly as training did."""

    def __init__(
        self,
        booster: xgb.Booster,
        spec: PipelineSpec,
        history: features.CustomerHistory | None,
        metadata: dict[str, Any],
        path: Path | None = None,
    ) -> None:
        self.booster = booster
        self.spec = spec
        self.history = history
        self.metadata = metadata
        self.path = path

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "candidate"))

    @classmethod
    def load(cls, path: Path) -> ScoringPipeline:
        path = Path(path)
        missing = [
            name for name in (MODEL_FILE, SPEC_FILE, METADATA_FILE) if not (path / name).is_file()
        ]
        if missing:
            raise ModelLoadError(f"model bundle {path} is incomplete: missing {', '.join(missing)}")
        try:
            booster = xgb.Booster()
            booster.load_model(str(path / MODEL_FILE))
            spec = PipelineSpec.from_dict(json.loads((path / SPEC_FILE).read_text()))
            metadata = json.loads((path / METADATA_FILE).read_text())
            history = None
            if spec.feature_engineering != "none":
                history = features.history_from_dict(json.loads((path / HISTORY_FILE).read_text()))
        except (xgb.core.XGBoostError, json.JSONDecodeError, OSError, KeyError, TypeError) as error:
            raise ModelLoadError(f"model bundle {path} is unreadable: {error}") from None
        return cls(booster, spec, history, metadata, path)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(path / MODEL_FILE))
        (path / SPEC_FILE).write_text(json.dumps(self.spec.to_dict(), indent=2, default=str))
        if self.history is not None:
            (path / HISTORY_FILE).write_text(json.dumps(self.history.to_dict()))
        (path / METADATA_FILE).write_text(json.dumps(self.metadata, indent=2, default=str))

    def inputs(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Model inputs for time-ordered rows (advances the feature history)."""
        return model_inputs(frame, self.spec, self.history)

    def score_inputs(self, inputs: pd.DataFrame) -> np.ndarray:
        """Probabilities of the positive class for prepared model inputs."""
        return self.booster.inplace_predict(as_matrix(inputs, self.spec))

    def decide(self, scores: np.ndarray) -> np.ndarray:
        return np.where(
            scores >= self.spec.threshold, self.spec.positive_decision, self.spec.negative_decision
        )

    def predict(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Model inputs plus `score` and `decision` for time-ordered raw rows."""
        inputs = self.inputs(frame)
        scores = self.score_inputs(inputs)
        result = inputs.copy()
        result["score"] = scores
        result["decision"] = self.decide(scores)
        return result


def write_table(inputs: pd.DataFrame, path: Path, **extra: Any) -> None:
    """Save model inputs (categories as their labels) plus extra columns to a CSV."""
    table = inputs.copy()
    for name, values in extra.items():
        table[name] = values
    table.to_csv(path, index=False)


def inputs_from_table(table: pd.DataFrame, spec: PipelineSpec) -> pd.DataFrame:
    """Model inputs read back from a CSV written by `write_table`."""
    numeric = [name for name in spec.feature_names if name not in spec.categorical_features]
    inputs = table[numeric].astype("float64")
    categorical = encode_raw_features(
        table, {n: spec.columns[n] for n in spec.categorical_features}
    )
    return pd.concat([inputs, categorical], axis=1)[spec.feature_names]
