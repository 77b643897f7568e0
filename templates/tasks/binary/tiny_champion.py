"""The service tests' champion for a binary task: big new online payments are the frauds.

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

TARGET = "is_fraud"
# The answer field that carries the prediction.
ANSWER = "score"
THRESHOLD = 0.3

TARGET_COLUMN = {"type": "int", "allowed": [0, 1]}
# The task's settings, merged into the tiny project's configuration.
SETTINGS: dict[str, Any] = {
    "evaluation": {
        "alert_rate": 0.05,
        "costs": {"false_positive": 1, "false_negative": 20},
        "gate": {"limits": {"pr_auc": 0.1}},
    },
    "monitoring": {"quality": {"pr_auc": 0.1}},
}
# The task's part of the `serving` section.
SERVING: dict[str, Any] = {
    "positive_decision": "review",
    "negative_decision": "approve",
    "risk_bands": {"low": 0, "high": 0.5},
}


def fit_champion(
    config: Config, rows: pd.DataFrame, inputs: pd.DataFrame, rng: np.random.Generator
) -> ScoringPipeline:
    """A pipeline whose model learnt that big payments from new accounts online are fraud."""
    label = (rows["amount"] > 3000) & (rows["account_age_days"] < 1000) & (rows["channel"] == "web")
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3},
        xgb.DMatrix(inputs, label=label.astype(int), enable_categorical=True),
        num_boost_round=20,
    )
    spec = PipelineSpec.from_config(config, threshold=THRESHOLD)
    return ScoringPipeline(booster, spec, None, {"schema_version": 1, "threshold": THRESHOLD})


def check_answer(answer: dict[str, Any]) -> None:
    """A good row's answer (its task fields): a probability, the decision and band it
    implies, and the threshold."""
    assert set(answer) == {"score", "decision", "risk_band", "threshold"}
    assert 0.0 <= answer["score"] <= 1.0
    assert answer["threshold"] == THRESHOLD
    assert answer["decision"] == ("review" if answer["score"] >= THRESHOLD else "approve")
    assert answer["risk_band"] == ("high" if answer["score"] >= 0.5 else "low")
