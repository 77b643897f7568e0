"""Lab 4, the gate: the checks a candidate must pass to be registered (reference solution).

`refusals` applies the three kinds of rule of `evaluation.gate`, a simplified
core/gate.py: limits (good enough in absolute terms), the serving champion (not worse than
what serves today, beyond the loss allowed), and the baseline (better than a simple rival,
by a margin; "noise" is the sampling noise of the held-out rows). Every comparison goes
through the metric's direction, so a cost or an error is judged as rightly as a score.
"""

from __future__ import annotations

import math

from {{ package_name }}.config import GateConfig
from {{ package_name }}.task.metrics import METRICS


def refusals(
    cards: dict[str, dict[str, float]], rules: GateConfig, noise: dict[str, float]
) -> list[str]:
    """Why the gate refuses the candidate; an empty list when it passes.

    `cards` maps "model" (the candidate), "baseline" and, once a version serves, "champion"
    to their score cards (metric name -> figure) on the same held-out rows. `rules` is
    `evaluation.gate`: `limits` (metric -> the figure to reach), `max_loss_vs_champion`
    (metric -> how much may be lost against the champion) and `beat_baseline` (metric -> the
    margin to beat the baseline by: a number, or "noise" for `noise[metric]`, the sampling
    noise of the model's difference with the baseline). Each reason names its metric.
    """
    model = cards["model"]
    reasons = []
    for name, limit in rules.limits.items():
        if not reaches(name, model[name], limit):
            reasons.append(f"{name}: {model[name]:.4f} misses its limit {limit:g}")
    champion = cards.get("champion")  # none before the first promotion
    if champion is not None:
        for name, loss in rules.max_loss_vs_champion.items():
            if not reaches(name, model[name], improved(name, champion[name], -loss)):
                reasons.append(
                    f"{name}: {model[name]:.4f} loses more than {loss:g} to the serving "
                    f"champion's {champion[name]:.4f}"
                )
    baseline = cards["baseline"]
    for name, margin in rules.beat_baseline.items():
        by = noise[name] if margin == "noise" else float(margin)
        if not reaches(name, model[name], improved(name, baseline[name], by)):
            reasons.append(
                f"{name}: {model[name]:.4f} is not shown better than the baseline's "
                f"{baseline[name]:.4f} by {by:.4f}"
            )
    return reasons


def reaches(name: str, value: float, target: float) -> bool:
    """Whether `value` of metric `name` is at least as good as `target` (>= when higher is
    better, <= when lower is). A missing figure (NaN) reaches nothing."""
    if not math.isfinite(value):
        return False
    return value >= target if METRICS[name].higher_is_better else value <= target


def improved(name: str, value: float, by: float) -> float:
    """`value` of metric `name` made better by `by` (worse for a negative `by`)."""
    return value + by if METRICS[name].higher_is_better else value - by
