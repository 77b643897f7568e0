"""Fitting for a binary outcome: the booster's objective and class weights, the baseline it
must beat, and the step after fitting that turns scores into decisions (calibration, then
the threshold of least expected cost on the validation rows).

The training job (jobs/train.py) calls these in this order: `booster_params` for the
booster it fits, `fit_baseline`, then `fit_answer` on the validation rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .fitted import FittedAnswer
from .metrics import cost_minimising_threshold, pr_auc, roc_auc
from .scoring import calibrate

if TYPE_CHECKING:
    import xgboost as xgb

    from .settings import EvaluationSettings, TrainingSettings


def booster_params(training: TrainingSettings, y_train: np.ndarray) -> dict[str, Any]:
    """The booster's objective, its metrics and the positive class's weight.

    Early stopping watches the last metric listed: log loss, because PR AUC on a validation set
    with few positives saturates after a handful of trees and would stop far too early.
    """
    return {
        "objective": "binary:logistic",
        "eval_metric": ["aucpr", "logloss"],
        "scale_pos_weight": positive_weight(training, y_train),
    }


def params_record(training: TrainingSettings, y_train: np.ndarray) -> dict[str, Any]:
    """The task's booster parameters worth keeping in the bundle's metadata."""
    return {"scale_pos_weight": positive_weight(training, y_train)}


def positive_weight(training: TrainingSettings, y_train: np.ndarray) -> float:
    positives = max(int(y_train.sum()), 1)
    ratio = (len(y_train) - positives) / positives
    return {"none": 1.0, "balanced": ratio, "sqrt_balanced": float(np.sqrt(ratio))}[
        training.positive_weight
    ]


def fit_baseline(
    evaluation: EvaluationSettings,
    spec: Any,
    frame: pd.DataFrame,
    x_train: pd.DataFrame,
    y_train: np.ndarray,
) -> Pipeline:
    """The simple baseline: class-weighted logistic regression on the same model inputs
    (`spec` names them and which are categorical)."""
    numeric = [name for name in spec.feature_names if name not in spec.categorical_features]
    encode = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), spec.categorical_features),
        ]
    )
    model = make_pipeline(encode, LogisticRegression(class_weight="balanced", max_iter=500))
    categorical_as_text = x_train.astype({name: "object" for name in spec.categorical_features})
    return model.fit(categorical_as_text, y_train)


def baseline_scores(
    model: Pipeline, spec: Any, inputs: pd.DataFrame, frame: pd.DataFrame
) -> np.ndarray:
    """The baseline's probabilities for the rows of `inputs`."""
    as_text = inputs.astype({name: "object" for name in spec.categorical_features})
    return model.predict_proba(as_text)[:, 1]


def fit_calibration(
    y_valid: np.ndarray, raw_scores: np.ndarray, weights: np.ndarray | None = None
) -> dict[str, float]:
    """Platt scaling: a logistic regression of the outcome on the raw score's log-odds.

    Re-weighting the positive class inflates raw scores; this maps them back to
    probabilities, fitted on validation rows the trees did not learn from.
    """
    clipped = np.clip(raw_scores, 1e-7, 1 - 1e-7)
    logit = np.log(clipped / (1 - clipped)).reshape(-1, 1)
    model = LogisticRegression(C=1e6, max_iter=1000).fit(logit, y_valid, sample_weight=weights)
    return {"slope": float(model.coef_[0, 0]), "intercept": float(model.intercept_[0])}


def fit_answer(
    training: TrainingSettings,
    evaluation: EvaluationSettings,
    booster: xgb.Booster,
    *,
    x_valid: pd.DataFrame,
    matrix_valid: np.ndarray,
    y_valid: np.ndarray,
    w_valid: np.ndarray | None,
    baseline_valid: np.ndarray,
    monotone_constraints: tuple[int, ...],
) -> FittedAnswer:
    """Calibrate the scores on the validation rows if configured, and choose the model's
    and the baseline's decision thresholds there by expected cost."""
    raw_valid = booster.inplace_predict(x_valid)
    calibration = fit_calibration(y_valid, raw_valid, w_valid) if training.calibrate else None
    scores = calibrate(raw_valid, calibration)
    threshold = cost_minimising_threshold(y_valid, scores, evaluation.costs)
    baseline_threshold = cost_minimising_threshold(y_valid, baseline_valid, evaluation.costs)
    return FittedAnswer(
        fitted={"threshold": threshold, "calibration": calibration},
        validation_scores=scores,
        validation={"pr_auc": pr_auc(y_valid, scores), "roc_auc": roc_auc(y_valid, scores)},
        record={
            "threshold": threshold,
            "baseline_threshold": baseline_threshold,
            "calibration": calibration,
        },
        summary=f"; threshold {threshold:.4f}",
    )
