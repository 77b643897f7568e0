"""What a model card shows of a binary model: its decision, the positives, and its scores.

The card (adapters/modelcard.py) writes what every model has: lineage, the scorecards and the
gate, feature importance, subgroups. This module adds what only a score and a decision have.

Two plots show the scores. ROC and precision-recall curves show ranking: with rare positives
the precision-recall curve is the one that tells models apart. The reliability diagram shows
whether a score of 0.2 means a 20% chance, which the threshold and the expected cost rely on.

The card hands `plots` its way to draw, so that every plot of a card looks alike:
`figure(width, height)` is a bare matplotlib `Figure` (no pyplot; matplotlib is imported only
then), `style(name)` the colour and line of a scorer ("model", "baseline", "champion").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.metrics import precision_recall_curve, roc_curve

from .metrics import pr_auc, reliability, roc_auc

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The plots `plots` writes, in the card's folder.
PLOT_FILES = ("roc_pr.png", "calibration.png")
# The reliability diagram bins rows by score decile.
BINS = 10


def outcome_counts(record: dict[str, Any], prefix: str = "") -> list[str]:
    """How many of a record's rows are positive ("1,234 positive"), if it says.

    The data record counts them under `positives`, the evaluation record under
    `test_positives` (prefix "test_").
    """
    positives = record.get(f"{prefix}positives")
    if isinstance(positives, Real) and not isinstance(positives, bool) and math.isfinite(positives):
        return [f"{positives:,} positive"]
    return []


def detail_rows(metadata: dict[str, Any], number: Callable[[Any], str]) -> list[list[str]]:
    """The card's "Model details" rows that describe the decision, figures shown by `number`."""
    return [
        ["decision threshold", number(metadata.get("threshold"))],
        ["calibration", _calibration(metadata.get("calibration"), number)],
    ]


def _calibration(calibration: Any, number: Callable[[Any], str]) -> str:
    if not isinstance(calibration, dict):
        return "none: the scores are the trees' own"
    slope, intercept = calibration.get("slope"), calibration.get("intercept")
    return f"Platt scaling (slope {number(slope)}, intercept {number(intercept)})"


def plots(
    folder: Path,
    y: np.ndarray,
    predicted: dict[str, np.ndarray],
    metadata: dict[str, Any],
    *,
    figure: Callable[[float, float], Figure],
    style: Callable[[str], dict[str, Any]],
) -> list[str]:
    """Draw the score plots into `folder`; return the card's lines that show them (or why not).

    `predicted` maps each scorer to its scores for the rows of `y` (0 or 1, NaN where unknown).
    """
    lines = [""]
    if _plot_roc_pr(folder / "roc_pr.png", y, predicted, figure, style):
        lines += ["![ROC and precision-recall curves](roc_pr.png)", ""]
    else:
        lines += ["No ROC or precision-recall curve: no scorer's rows hold both classes.", ""]
    if _plot_calibration(folder / "calibration.png", y, predicted, figure, style):
        lines += ["![Reliability diagram: mean score against outcome rate](calibration.png)"]
    else:
        lines += ["No reliability diagram: no held-out row has both an outcome and a score."]
    return lines


def _labelled(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows where both the outcome and the score are finite numbers."""
    keep = np.isfinite(y) & np.isfinite(scores)
    return y[keep], scores[keep]


def _plot_roc_pr(
    path: Path,
    y: np.ndarray,
    predicted: dict[str, np.ndarray],
    figure: Callable[[float, float], Figure],
    style: Callable[[str], dict[str, Any]],
) -> bool:
    """ROC and precision-recall curves side by side, one line per scorer with both classes."""
    drawable = {}
    for name, scores in predicted.items():
        labels, kept = _labelled(y, scores)
        if 0 < labels.sum() < len(labels):
            drawable[name] = (labels, kept)
    if not drawable:
        return False
    canvas = figure(9, 4.6)
    roc_axes, pr_axes = canvas.subplots(1, 2)
    for name, (labels, scores) in drawable.items():
        false_positive_rate, true_positive_rate, _ = roc_curve(labels, scores)
        roc_axes.plot(
            false_positive_rate,
            true_positive_rate,
            label=f"{name} (AUC {roc_auc(labels, scores):.4f})",
            **style(name),
        )
        precision, recall, _ = precision_recall_curve(labels, scores)
        pr_axes.plot(
            recall,
            precision,
            drawstyle="steps-post",
            label=f"{name} (PR AUC {pr_auc(labels, scores):.4f})",
            **style(name),
        )
    base_rate = float(next(iter(drawable.values()))[0].mean())
    roc_axes.plot([0, 1], [0, 1], color="0.75", linewidth=1, label="chance")
    pr_axes.axhline(base_rate, color="0.75", linewidth=1, label=f"chance ({base_rate:.3f})")
    roc_axes.set(
        xlabel="false positive rate", ylabel="true positive rate (recall)", title="ROC curve"
    )
    pr_axes.set(xlabel="recall", ylabel="precision", title="Precision-recall curve")
    for axes in (roc_axes, pr_axes):
        axes.set(xlim=(0, 1), ylim=(0, 1.02))
        axes.grid(alpha=0.3)
        # Below the plot: precision-recall curves go anywhere, a legend inside would hide one.
        axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=2)
    canvas.savefig(path, dpi=canvas.dpi)
    return True


def _plot_calibration(
    path: Path,
    y: np.ndarray,
    predicted: dict[str, np.ndarray],
    figure: Callable[[float, float], Figure],
    style: Callable[[str], dict[str, Any]],
) -> bool:
    """Mean score against observed outcome rate per score decile, for the model and champion."""
    curves = {}
    for name in ("model", "champion"):
        if name in predicted:
            labels, scores = _labelled(y, predicted[name])
            if len(labels):
                curves[name] = reliability(labels, scores, BINS)
    if not curves:
        return False
    points = [b for bins in curves.values() for b in bins]
    # Rare outcomes keep every point near zero: zoom to the points, not to [0, 1].
    top = min(1.0, max(0.01, 1.1 * max(max(b["mean_score"], b["outcome_rate"]) for b in points)))
    canvas = figure(5, 4.2)
    axes = canvas.subplots()
    axes.plot([0, top], [0, top], color="0.75", linewidth=1, label="perfectly calibrated")
    for name, bins in curves.items():
        axes.plot(
            [b["mean_score"] for b in bins],
            [b["outcome_rate"] for b in bins],
            marker="o",
            label=name,
            **style(name),
        )
    axes.set(
        xlim=(0, top),
        ylim=(0, top),
        xlabel="mean score in the bin",
        ylabel="observed outcome rate",
        title="Reliability (rows binned by score decile)",
    )
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="upper left")
    canvas.savefig(path, dpi=canvas.dpi)
    return True
