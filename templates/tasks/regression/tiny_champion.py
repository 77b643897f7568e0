"""The service tests' champion for a regression task: the fee grows with the amount.

tests/test_service.py builds a tiny project on a payments schema shared by every task (a
number, a count, a nullable number, a category and a timestamp) and serves its champion.
What depends on the task comes from here: the target, the task's sections of the
configuration, the model fitted in a fraction of a second, and what a good answer holds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from {{ package_name }}.config import Config
from {{ package_name }}.core.bundle import PipelineSpec, ScoringPipeline

TARGET = "fee"
# The answer field that carries the prediction.
ANSWER = "fee"

TARGET_COLUMN = {"type": "float", "min": 0}
# The task's settings, merged into the tiny project's configuration.
SETTINGS: dict[str, Any] = {
    "training": {"interval": [0.1, 0.9]},
    "evaluation": {
        "baseline": {"kind": "linear", "columns": ["amount"]},
        "gate": {"limits": {"mae": 100}},
    },
    "monitoring": {"quality": {"mae": 100}},
}
# The task's part of the `serving` section.
SERVING: dict[str, Any] = {"prediction_name": "fee"}


def fit_champion(
    config: Config, rows: pd.DataFrame, inputs: pd.DataFrame, rng: np.random.Generator
) -> ScoringPipeline:
    """A pipeline whose model learnt the fee of a payment, with its 10%-90% interval."""
    fee = 0.5 + 0.02 * rows["amount"] + np.where(rows["channel"] == "web", 2.0, 0.0)
    fee = fee + rng.normal(0, 1, len(rows))
    booster = xgb.train(
        {"max_depth": 3},
        xgb.DMatrix(inputs, label=fee, enable_categorical=True),
        num_boost_round=20,
    )
    # The interval: quantiles of the error (actual - prediction), as training fits them.
    errors = fee - booster.inplace_predict(inputs)
    interval = xgb.train(
        {"objective": "reg:quantileerror", "quantile_alpha": np.array([0.1, 0.9])},
        xgb.DMatrix(inputs, label=errors, enable_categorical=True),
        num_boost_round=20,
    )
    spec = PipelineSpec.from_config(config)
    return ScoringPipeline(booster, spec, None, {"schema_version": 1}, interval_booster=interval)


def check_answer(answer: dict[str, Any]) -> None:
    """A good row's answer (its task fields): the fee and its interval's bounds."""
    assert set(answer) == {"fee", "fee_lower", "fee_upper"}
    assert answer["fee_lower"] <= answer["fee_upper"]
    assert 0 < answer["fee"] < 200
