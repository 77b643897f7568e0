"""Metrics for a binary outcome, each a pure function of labels and scores.

With a rare positive class, ROC AUC flatters every model; PR AUC and recall at the alert rate
the team can handle say more, and expected cost turns scores into money so that the decision
threshold is a business choice, not a default of 0.5. The Brier score and the reliability
curve say whether a score can be read as a probability.

`METRICS` names every metric the configuration may refer to (gate, monitoring) and says
whether higher is better.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from .settings import Costs


class Metric(NamedTuple):
    title: str
    higher_is_better: bool


METRICS: dict[str, Metric] = {
    "pr_auc": Metric("PR AUC", True),
    "roc_auc": Metric("ROC AUC", True),
    "recall_at_alert_rate": Metric("recall at alert rate", True),
    "recall_at_threshold": Metric("recall at threshold", True),
    "flagged_share": Metric("flagged share", False),
    "brier": Metric("Brier score", False),
    "expected_cost": Metric("expected cost per row", False),
}
# The figures `models` lists for every registered version.
HEADLINE = ("pr_auc", "roc_auc", "recall_at_alert_rate", "brier")
# Every metric here has a direction and is computed for every scorer and from the log.
SIGNED: frozenset[str] = frozenset()
MODEL_ONLY: frozenset[str] = frozenset()


def pr_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the precision-recall curve (average precision)."""
    return float(average_precision_score(labels, scores))


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    return float(roc_auc_score(labels, scores))


def recall_at_alert_rate(labels: np.ndarray, scores: np.ndarray, alert_rate: float) -> float:
    """Share of positives caught when only the top `alert_rate` of rows are reviewed."""
    labels = np.asarray(labels)
    n_alerts = max(1, int(round(len(scores) * alert_rate)))
    top = np.argsort(-np.asarray(scores), kind="stable")[:n_alerts]
    positives = labels.sum()
    return float(labels[top].sum() / positives) if positives else float("nan")


def expected_cost(labels: np.ndarray, scores: np.ndarray, threshold: float, costs: Costs) -> float:
    """Average cost per row when rows scoring at or above `threshold` are flagged."""
    labels = np.asarray(labels).astype(bool)
    flagged = np.asarray(scores) >= threshold
    total = (
        costs.false_positive * np.sum(flagged & ~labels)
        + costs.false_negative * np.sum(~flagged & labels)
        + costs.true_positive * np.sum(flagged & labels)
    )
    return float(total / len(labels))


def cost_minimising_threshold(labels: np.ndarray, scores: np.ndarray, costs: Costs) -> float:
    """The threshold with the lowest expected cost on these rows (candidates: the scores)."""
    labels = np.asarray(labels).astype(bool)
    order = np.argsort(-np.asarray(scores), kind="stable")
    sorted_scores = np.asarray(scores)[order]
    sorted_labels = labels[order]
    # Flagging the top k rows, for every k: cumulative true and false positives.
    true_pos = np.cumsum(sorted_labels)
    false_pos = np.cumsum(~sorted_labels)
    missed = sorted_labels.sum() - true_pos
    cost = (
        costs.false_positive * false_pos
        + costs.false_negative * missed
        + costs.true_positive * true_pos
    )
    # Only cut between distinct scores, so that the threshold reproduces the count.
    distinct = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    best = int(np.argmin(np.where(distinct, cost, np.inf)))
    flag_nothing = costs.false_negative * sorted_labels.sum()
    if flag_nothing <= cost[best]:
        return float(np.nextafter(sorted_scores[0], np.inf))
    return float(sorted_scores[best])


def brier(labels: np.ndarray, scores: np.ndarray) -> float:
    """Mean squared difference between the score and the outcome (0 is perfect)."""
    return float(np.mean((np.asarray(scores, dtype="float64") - np.asarray(labels)) ** 2))


def reliability(labels: np.ndarray, scores: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """The reliability curve: rows binned by score decile, mean score against outcome rate.

    A calibrated model's points lie on the diagonal: of the rows scored about 0.2, about 20%
    have the outcome.
    """
    scores = np.asarray(scores, dtype="float64")
    labels = np.asarray(labels, dtype="float64")
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, scores, side="right") - 1, 0, max(len(edges) - 2, 0))
    return [
        {
            "rows": int(np.sum(which == b)),
            "mean_score": round(float(scores[which == b].mean()), 4),
            "outcome_rate": round(float(labels[which == b].mean()), 4),
        }
        for b in range(max(len(edges) - 1, 1))
        if np.any(which == b)
    ]


def score_card(
    labels: np.ndarray,
    scores: np.ndarray,
    *,
    threshold: float,
    alert_rate: float,
    costs: Costs,
) -> dict[str, float]:
    """The figures every scorer (model, baseline, champion, oracle) is judged by.

    Ranking metrics are not defined when the rows hold only one class: they are NaN then.
    """
    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype="float64")
    both = 0 < labels.sum() < len(labels)
    flagged = scores >= threshold
    return {
        "pr_auc": pr_auc(labels, scores) if both else float("nan"),
        "roc_auc": roc_auc(labels, scores) if both else float("nan"),
        "recall_at_alert_rate": recall_at_alert_rate(labels, scores, alert_rate),
        "recall_at_threshold": float(flagged[labels == 1].mean()) if labels.any() else float("nan"),
        "flagged_share": float(flagged.mean()),
        "brier": brier(labels, scores),
        "expected_cost": expected_cost(labels, scores, threshold, costs),
    }
