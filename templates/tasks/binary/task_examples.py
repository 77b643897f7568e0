"""What the shared tests need to know about a binary task: a tiny outcome and its settings
for configurations written by hand, and what this task's answers look like.

Shared tests import it as `task_examples`; every task provides the same names.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

# A hand-written configuration's target column (under `data.columns`) and `evaluation`.
TARGET_COLUMN = "{type: int, allowed: [0, 1]}"
EVALUATION = """
evaluation:
  alert_rate: 0.1
  costs: {false_positive: 1, false_negative: 10}
  gate: {limits: {pr_auc: 0}}
"""
# A metric whose subgroup gap the gate may limit.
GAP_METRIC = "roc_auc"
# What training fits for the answer: the keywords of `PipelineSpec.from_config`.
FITTED: dict[str, Any] = {"threshold": 0.5}
# A booster's task parameters.
BOOSTER_PARAMS: dict[str, Any] = {"objective": "binary:logistic"}


def payment_outcome(rows: pd.DataFrame) -> pd.Series:
    """A payment's outcome in the tests' tiny table: big payments of new accounts are fraud."""
    return ((rows["amount"] > 3000) & (rows["account_age_days"] < 1000)).astype(int)


def assert_nobody_beats_the_oracle(cards: dict[str, dict[str, float]]) -> None:
    """Nobody beats the true probabilities on the same rows (up to sampling noise)."""
    assert cards["oracle"]["pr_auc"] >= cards["model"]["pr_auc"] - 0.05


def assert_batch_answers(scored: pd.DataFrame, written: pd.DataFrame, config: Any) -> None:
    """Batch scores are probabilities, written with their decision."""
    assert scored["score"].between(0, 1).all()
    assert list(written.columns) == [config.data.id_column, "score", "decision", "model_version"]


def assert_service_answer(answer: dict[str, Any], spec: Any) -> None:
    """The service answers a probability and the decision at the bundle's threshold."""
    assert 0.0 <= answer["score"] <= 1.0
    expected = (
        spec.positive_decision if answer["score"] >= spec.threshold else spec.negative_decision
    )
    assert answer["decision"] == expected
