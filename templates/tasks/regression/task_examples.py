"""What the shared tests need to know about a regression task: a tiny numeric target and its
settings for configurations written by hand, and what this task's answers look like.

Shared tests import it as `task_examples`; every task provides the same names.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

# A hand-written configuration's target column (under `data.columns`) and `evaluation`.
TARGET_COLUMN = "{type: float, min: 0}"
EVALUATION = """
evaluation:
  baseline: {kind: linear, columns: [amount]}
  gate: {limits: {mae: 1000}}
"""
# A metric whose subgroup gap the gate may limit.
GAP_METRIC = "mae"
# What training fits for the answer: the keywords of `PipelineSpec.from_config` (none).
FITTED: dict[str, Any] = {}
# A booster's task parameters (xgboost's default objective is squared error).
BOOSTER_PARAMS: dict[str, Any] = {}


def payment_outcome(rows: pd.DataFrame) -> pd.Series:
    """A payment's outcome in the tests' tiny table: the fee grows with the amount."""
    return 0.5 + 0.02 * rows["amount"]


def assert_nobody_beats_the_oracle(cards: dict[str, dict[str, float]]) -> None:
    """Nobody beats the expected values on the same rows (up to sampling noise), and the
    model keeps its monotone constraints."""
    assert cards["oracle"]["mae"] <= cards["model"]["mae"] * 1.02
    assert cards["model"]["monotone_violations"] == 0


def assert_batch_answers(scored: pd.DataFrame, written: pd.DataFrame, config: Any) -> None:
    """Batch predictions are written under the prediction's name, with their interval."""
    name = config.serving.prediction_name
    assert list(written.columns) == [
        config.data.id_column,
        name,
        f"{name}_lower",
        f"{name}_upper",
        "model_version",
    ]
    assert (written[f"{name}_lower"] <= written[f"{name}_upper"]).all()


def assert_service_answer(answer: dict[str, Any], spec: Any) -> None:
    """The service answers the prediction with its interval."""
    name = spec.prediction_name
    assert answer[f"{name}_lower"] <= answer[f"{name}_upper"]
