"""Fitting for a numeric target: the booster's objective, the baseline it must beat, and the
step after fitting that gives the prediction its interval (a second booster for two
quantiles of the error, fitted on the validation rows).

The training job (jobs/train.py) calls these in this order: `booster_params` for the
booster it fits, `fit_baseline`, then `fit_answer` on the validation rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder

from ..errors import UserError
from .fitted import FittedAnswer
from .metrics import mae, wape
from .scoring import interval_errors, interval_matrix, interval_scale

if TYPE_CHECKING:
    from .settings import EvaluationSettings


class Training(Protocol):
    """The `training` section as the interval's fit reads it."""

    seed: int
    max_rounds: int
    early_stopping_rounds: int
    objective: str
    interval: list[float]


class BaselineError(UserError, ValueError):
    """The configured baseline cannot be built from these model inputs."""


# A `feature` baseline: the model input it repeats, and its answer where that input is missing.
FeatureBaseline = dict[str, Any]


class ObjectiveError(UserError, ValueError):
    """The configured loss cannot fit these target values."""


# The lowest target each log-link loss can fit, and whether that value itself is allowed.
_LOWEST = {"reg:gamma": (0.0, False), "count:poisson": (0.0, True), "reg:tweedie": (0.0, True)}


def booster_params(training: Training, y_train: np.ndarray) -> dict[str, Any]:
    """The booster's objective: the configured loss, if it can fit these target values (a
    gamma loss needs positive ones, Poisson and Tweedie no negative one)."""
    lowest = _LOWEST.get(training.objective)
    smallest = float(np.min(y_train)) if len(y_train) else 0.0
    if lowest is not None and (smallest < lowest[0] or (smallest == lowest[0] and not lowest[1])):
        kind = "positive" if not lowest[1] else "non-negative"
        raise ObjectiveError(
            f"training.objective {training.objective} needs {kind} targets, and the training "
            f"rows reach {smallest:g}: set `objective: reg:squarederror` under training, or "
            "drop the rows whose target is out of range (data.exclude_rows, or fix the file)"
        )
    return {"objective": training.objective}


def params_record(training: Training, y_train: np.ndarray) -> dict[str, Any]:
    """The task's booster parameters worth keeping in the bundle's metadata."""
    return {"objective": training.objective}


def fit_baseline(
    evaluation: EvaluationSettings,
    spec: Any,
    frame: pd.DataFrame,
    x_train: pd.DataFrame,
    y_train: np.ndarray,
) -> Pipeline | FeatureBaseline:
    """The simple rival of `evaluation.baseline` (`spec` names the model inputs and declares
    the raw columns of `frame`).

    `linear`: least squares on a few raw columns, categories one-hot (a rate card: a base
    price per category plus a price per unit of each number). `feature`: nothing to fit.
    """
    baseline = evaluation.baseline
    if baseline.kind == "feature":
        if baseline.feature not in spec.feature_names:
            raise BaselineError(
                f"evaluation.baseline.feature '{baseline.feature}' is not a model input; "
                f"inputs: {', '.join(spec.feature_names)}"
            )
        return {"feature": baseline.feature, "fallback": float(np.mean(y_train))}
    columns = baseline.columns
    categorical = [c for c in columns if spec.columns[c].type in ("category", "string")]
    numeric = [c for c in columns if c not in categorical]
    encode = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median"), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]
    )
    model = make_pipeline(encode, LinearRegression())
    rows = frame.loc[x_train.index, columns]
    return model.fit(_as_plain(rows, categorical), y_train)


def baseline_scores(
    model: Pipeline | FeatureBaseline, spec: Any, inputs: pd.DataFrame, frame: pd.DataFrame
) -> np.ndarray:
    """The baseline's predictions for the rows of `inputs` (a feature baseline falls back to
    the training mean where its input is missing)."""
    if isinstance(model, dict):
        values = inputs[model["feature"]].to_numpy(dtype="float64")
        return np.where(np.isnan(values), model["fallback"], values)
    columns = list(model[0].feature_names_in_)
    categorical = [c for c in columns if spec.columns[c].type in ("category", "string")]
    return model.predict(_as_plain(frame.loc[inputs.index, columns], categorical))


def _as_plain(rows: pd.DataFrame, categorical: list[str]) -> pd.DataFrame:
    """Numbers as float64 with NaN, categories as text: what scikit-learn expects."""
    plain = rows.copy()
    for column in plain.columns:
        if column in categorical:
            plain[column] = plain[column].astype("object")
        else:
            plain[column] = plain[column].astype("float64")
    return plain


def fit_interval(
    training: Training,
    errors: np.ndarray,
    matrix: np.ndarray,
    weights: np.ndarray | None = None,
) -> xgb.Booster:
    """One booster for both quantiles of the model's `errors` (xgboost's quantile loss).

    It learns from the validation rows, whose errors are honest (the training rows' errors
    are smaller than any future row's), two thirds to fit and a third to stop early; the
    monotone inputs are blanked out of `matrix` (see scoring.AnswerScoring.interval_inputs).
    """
    cut = len(matrix) * 2 // 3
    params = {
        "objective": "reg:quantileerror",
        "quantile_alpha": np.array(training.interval),
        "tree_method": "hist",
        "max_depth": 4,
        "learning_rate": 0.05,
        "seed": training.seed,
    }
    weights = np.ones(len(errors)) if weights is None else weights
    fitted = xgb.train(
        params,
        xgb.DMatrix(matrix[:cut], label=errors[:cut], weight=weights[:cut]),
        num_boost_round=training.max_rounds,
        evals=[(xgb.DMatrix(matrix[cut:], label=errors[cut:], weight=weights[cut:]), "validation")],
        early_stopping_rounds=training.early_stopping_rounds,
        verbose_eval=False,
    )
    return fitted[: fitted.best_iteration + 1]


def fit_answer(
    training: Training,
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
    """With `training.interval`, fit the interval's booster on the validation rows."""
    predicted = booster.inplace_predict(x_valid)
    interval_booster = None
    if training.interval:
        scale = interval_scale(training.objective)
        interval_booster = fit_interval(
            training,
            interval_errors(y_valid, predicted, scale),
            interval_matrix(matrix_valid, monotone_constraints),
            w_valid,
        )
    return FittedAnswer(
        fitted={},
        validation_scores=predicted,
        validation={"mae": mae(y_valid, predicted), "wape": wape(y_valid, predicted)},
        record={"interval": training.interval or None},
        summary="",
        models={"interval_booster": interval_booster},
    )
