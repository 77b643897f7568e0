"""The settings of a binary outcome: which label is positive, how the positive class is
weighted, what a mistake costs and what the service answers.

`config.py` composes these into its models (the YAML keys sit where they always did: under
`data`, `split`, `training`, `evaluation` and `serving`), so this file names only what a
binary outcome adds to the shared configuration.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AnswerSettings",
    "Costs",
    "EvaluationSettings",
    "LabelSettings",
    "SplitMethod",
    "TrainingSettings",
]

# `time`: oldest rows train, the next validate, the most recent test (the default: it is how a
# model meets the future). `group`: a seeded random split that keeps all rows of one
# `group_column` value (a patient, say) on the same side, for data without time.
# `stratified`: a seeded random split keeping the positive rate in every part, for small
# samples whose positives cluster in time.
SplitMethod = Literal["time", "stratified", "group"]


class LabelSettings(BaseModel):
    """Under `data`: the target value that counts as the positive outcome."""

    positive_label: str | int | float = 1


class TrainingSettings(BaseModel):
    """Under `training`: how the rare positive class is weighted, and calibration."""

    positive_weight: Literal["none", "balanced", "sqrt_balanced"] = "sqrt_balanced"
    # Map scores to probabilities on the validation rows (Platt scaling), so that a
    # score of 0.2 means a 20% risk.
    calibrate: bool = False


class Costs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    false_positive: float = Field(ge=0)
    false_negative: float = Field(ge=0)
    true_positive: float = Field(0.0, ge=0)


class EvaluationSettings(BaseModel):
    """Under `evaluation`: the alert rate the team can handle and the cost of each mistake."""

    # The share of rows the team can act on; recall is reported at this rate.
    alert_rate: float = Field(gt=0, lt=1)
    costs: Costs

    @property
    def baseline_columns(self) -> list[str]:
        """Raw columns the baseline reads besides the model inputs: none."""
        return []


class AnswerSettings(BaseModel):
    """Under `serving`: the decision the service answers with, and optional risk bands."""

    # What the service answers for a score at or above the threshold, and below it.
    positive_decision: str = "flag"
    negative_decision: str = "pass"
    # Risk bands by score: each band's name and the lowest score in it, in rising order.
    risk_bands: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_risk_bands(self) -> AnswerSettings:
        bounds = list(self.risk_bands.values())
        if bounds and (bounds != sorted(bounds) or bounds[0] != 0):
            raise ValueError("risk_bands must start at 0 and rise")
        return self
