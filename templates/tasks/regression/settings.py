"""The settings of a numeric target: the loss, the prediction interval, the baseline to beat
and the name of the answer.

`config.py` composes these into its models (the YAML keys sit where they always did: under
`data`, `split`, `training`, `evaluation` and `serving`), so this file names only what a
numeric target adds to the shared configuration.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AnswerSettings",
    "BaselineConfig",
    "EvaluationSettings",
    "LabelSettings",
    "SplitMethod",
    "TrainingSettings",
]

# `time`: oldest rows train, the next validate, the most recent test (the default: it is how a
# model meets the future). `group`: a seeded random split that keeps all rows of one
# `group_column` value (a patient, say) on the same side, for data without time.
SplitMethod = Literal["time", "group"]


class LabelSettings(BaseModel):
    """Under `data`: nothing to add, the target is read as a number."""


class TrainingSettings(BaseModel):
    """Under `training`: the loss and the prediction interval."""

    # The loss: squared error for a mean, Poisson or Tweedie for counts, gamma for positive
    # amounts whose noise grows with their size (prices).
    objective: Literal["reg:squarederror", "count:poisson", "reg:tweedie", "reg:gamma"] = (
        "reg:squarederror"
    )
    # Quantiles of the prediction interval (for instance [0.1, 0.9]); empty for no interval.
    interval: list[float] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_interval(self) -> TrainingSettings:
        if self.interval and (
            len(self.interval) != 2 or not 0 < self.interval[0] < self.interval[1] < 1
        ):
            raise ValueError("`interval` is two quantiles, 0 < lower < upper < 1")
        return self


class BaselineConfig(BaseModel):
    """The simple rival the model must beat: a linear fit on a few columns, or one input."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # `linear`: least squares on `columns` (categories one-hot), a rate card. `feature`: the
    # model input named by `feature` as it is (a seasonal-naive forecast, say).
    kind: Literal["linear", "feature"]
    columns: list[str] = Field(default_factory=list)
    feature: str | None = None

    @model_validator(mode="after")
    def _check(self) -> BaselineConfig:
        if self.kind == "linear" and not self.columns:
            raise ValueError("a linear baseline needs its `columns`")
        if self.kind == "feature" and not self.feature:
            raise ValueError("a feature baseline needs the `feature` it repeats")
        return self


class EvaluationSettings(BaseModel):
    """Under `evaluation`: the baseline the model must beat."""

    baseline: BaselineConfig

    @property
    def baseline_columns(self) -> list[str]:
        """Raw columns the baseline reads (each must be declared under data.columns)."""
        return self.baseline.columns


class AnswerSettings(BaseModel):
    """Under `serving`: the name of the prediction in the service's answer."""

    # The name of the prediction in the service's answer (`fare`, `units`, ...).
    prediction_name: str = Field("prediction", pattern=r"^[a-z][a-z0-9_]*$")
