"""Lab 4, the gate: the checks a candidate must pass to be registered.

Your task: `refusals` below returns the reasons the gate refuses a candidate (an empty list:
it passes), from the candidate's score card, its rivals' and the rules of `evaluation.gate`
in config/pipeline.yaml. The draft checks what most people check first, and lets through a
model that should not serve. Find out which (labs/04-gate.md), fix it, and run
`make check LAB=4`.
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
    # TODO(lab 4): clearing every limit makes a model good enough, not better than what
    # serves today, nor better than a simple rival.
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
