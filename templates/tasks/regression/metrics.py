"""Metrics for a numeric target, each a pure function of actual values and predictions.

MAE is in the target's own unit (dollars, units sold) and is what a person reads first. WAPE
(total absolute error over total actual) compares periods and series of different sizes and,
unlike MAPE, stays defined when some actual values are zero. Bias says whether the model
leans one way: a forecast that is always 5% high overstocks every shelf. Coverage says how
often the actual value falls inside the prediction interval (it should match the interval's
nominal level), and the interval's width what that certainty costs.

MAE depends on the target's scale; `mae_skill` (the share of the best constant's MAE, the
median's, the model removes) does not, so a limit in that form carries over to new data.

`METRICS` names every metric the configuration may refer to (gate, monitoring) and says
whether higher is better.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Metric(NamedTuple):
    title: str
    higher_is_better: bool


METRICS: dict[str, Metric] = {
    "mae": Metric("MAE", False),
    "mae_skill": Metric("MAE skill vs the median", True),
    "rmse": Metric("RMSE", False),
    "wape": Metric("WAPE", False),
    "mape": Metric("MAPE", False),
    "bias": Metric("bias", False),
    "abs_bias": Metric("absolute bias", False),
    "coverage": Metric("interval coverage", True),
    "interval_width": Metric("mean interval width", False),
    "negative_share": Metric("share of negative predictions", False),
    "monotone_violations": Metric("monotonicity violations", False),
}
# The figures `models` lists for every registered version.
HEADLINE = ("mae", "wape", "bias", "coverage")
# Reported, never a limit: a signed figure has no "better" direction (`abs_bias` has).
SIGNED = frozenset({"bias"})
# Figures only the model's own evaluation has: the baseline has no interval, and the
# prediction log keeps no interval nor any grid of inputs.
MODEL_ONLY = frozenset({"coverage", "interval_width", "monotone_violations"})
# What the gate asks of every candidate whatever the configuration says: to predict better
# than one constant, the median of the actual values.
SANITY = {"mae_skill": 0.0}
# The baseline comparison of a configuration that names none: MAE, beyond the sampling noise
# of the held-out rows.
BEAT_BASELINE: dict[str, float | str] = {"mae": "noise"}
# The relative form to suggest for a limit that depends on the target's scale.
RELATIVE = {"mae": "mae_skill"}


def mae(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(predicted) - np.asarray(actual))))


def rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(predicted) - np.asarray(actual)) ** 2)))


def wape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Weighted absolute percentage error: sum |error| / sum |actual|."""
    total = float(np.sum(np.abs(actual)))
    if not total:
        return float("nan")
    return float(np.sum(np.abs(np.asarray(predicted) - np.asarray(actual))) / total)


def mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute percentage error over the rows whose actual value is not zero."""
    actual = np.asarray(actual, dtype="float64")
    nonzero = actual != 0
    if not nonzero.any():
        return float("nan")
    errors = np.abs(np.asarray(predicted)[nonzero] - actual[nonzero]) / np.abs(actual[nonzero])
    return float(np.mean(errors))


def bias(actual: np.ndarray, predicted: np.ndarray) -> float:
    """(sum predicted - sum actual) / sum actual: positive when the model predicts too much."""
    total = float(np.sum(actual))
    return float((np.sum(predicted) - total) / total) if total else float("nan")


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actual values inside [lower, upper]."""
    actual = np.asarray(actual)
    return float(np.mean((actual >= lower) & (actual <= upper)))


def score_card(
    actual: np.ndarray,
    predicted: np.ndarray,
    *,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
) -> dict[str, float]:
    """The figures every predictor (model, baseline, champion, oracle) is judged by.

    Coverage and width are NaN for a predictor without an interval.
    """
    actual = np.asarray(actual, dtype="float64")
    predicted = np.asarray(predicted, dtype="float64")
    has_interval = lower is not None and upper is not None
    relative_bias = bias(actual, predicted)
    constant_mae = mae(actual, np.full_like(actual, np.median(actual))) if len(actual) else 0.0
    return {
        "mae": mae(actual, predicted),
        "mae_skill": 1 - mae(actual, predicted) / constant_mae if constant_mae else float("nan"),
        "rmse": rmse(actual, predicted),
        "wape": wape(actual, predicted),
        "mape": mape(actual, predicted),
        "bias": relative_bias,
        "abs_bias": abs(relative_bias),
        "coverage": coverage(actual, lower, upper) if has_interval else float("nan"),
        "interval_width": float(np.mean(upper - lower)) if has_interval else float("nan"),
        "negative_share": float(np.mean(predicted < 0)),
    }
