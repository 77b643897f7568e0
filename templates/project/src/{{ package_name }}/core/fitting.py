"""Fitting the booster: gradient-boosted trees, stopped early on validation rows, seeded.

Training fits one on its training rows, the forecasting backtest one per forecast origin;
both go through `fit_booster`, which adds the task's objective (task/model.py) to the
configured parameters and the inputs' monotone constraints.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xgboost as xgb

from ..config import TrainingConfig
from ..task import model
from .bundle import InputSpec

# Per-row weights of the training and validation rows, or None: every row counts once.
Weights = tuple[np.ndarray, np.ndarray] | None


def fit_booster(
    training: TrainingConfig,
    spec: InputSpec,
    x_train: pd.DataFrame,
    y_train: np.ndarray,
    x_valid: pd.DataFrame,
    y_valid: np.ndarray,
    weights: Weights = None,
) -> xgb.Booster:
    """Boosted trees for the task's objective, stopped early on the validation rows; returns
    the best rounds only.

    `weights`, (train, validation), makes some rows count more (retraining's production rows).
    """
    params = booster_params(training, spec, y_train)
    w_train, w_valid = weights or (None, None)
    dtrain = xgb.DMatrix(x_train, label=y_train, weight=w_train, enable_categorical=True)
    dvalid = xgb.DMatrix(x_valid, label=y_valid, weight=w_valid, enable_categorical=True)
    booster = xgb.train(
        params,
        dtrain,
        num_boost_round=training.max_rounds,
        evals=[(dvalid, "validation")],
        early_stopping_rounds=training.early_stopping_rounds,
        verbose_eval=False,
    )
    return booster[: booster.best_iteration + 1]


def booster_params(training: TrainingConfig, spec: InputSpec, y_train: np.ndarray) -> dict:
    """xgboost's parameters: the seed, the task's objective, the monotone constraints and the
    configured ones (the Dask engine's `xgboost.dask` training takes the same)."""
    return {
        "seed": training.seed,
        **model.booster_params(training, y_train),
        **monotone_constraints(spec),
        **training.params,
    }


def monotone_constraints(spec: InputSpec) -> dict[str, str]:
    """xgboost's `monotone_constraints`, when any input is constrained."""
    constraints = spec.monotone_constraints
    if not any(constraints):
        return {}
    return {"monotone_constraints": "(" + ",".join(str(c) for c in constraints) + ")"}
