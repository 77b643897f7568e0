"""What every task's `model.fit_answer` returns: the step after fitting, as training uses it.

The step differs by task (calibration and a threshold, or an interval's booster); what it
hands back to `jobs/train.py` does not, so it is declared once, here, for every task.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xgboost as xgb


@dataclass(frozen=True)
class FittedAnswer:
    """What the step after fitting adds to a bundle and reports."""

    # Keyword arguments of `scoring.answer_fields` (hence of `PipelineSpec.from_config`).
    fitted: dict[str, Any]
    # The model's answers on the validation rows (the monitoring reference) and its figures.
    validation_scores: np.ndarray
    validation: dict[str, float]
    # Entries of the bundle's metadata.json.
    record: dict[str, Any]
    # What `train` prints after the validation figures.
    summary: str
    # Boosters of `scoring.MODEL_FILES`, by attribute (None for one not fitted).
    models: dict[str, xgb.Booster | None] = field(default_factory=dict)
