"""Metrics for a rare positive class, each a pure function of labels and scores.

With a fraud rate well under 1%, ROC AUC flatters every model; PR AUC and recall at the alert
rate the review team can handle say more, and expected cost turns scores into money so that
the decision threshold is a business choice, not a default of 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from .config import Costs


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


@dataclass(frozen=True)
class ScoreCard:
    """The figures every scorer (model, baseline, champion, oracle) is judged by."""

    pr_auc: float
    roc_auc: float
    recall_at_alert_rate: float
    expected_cost: float

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


def score_card(
    labels: np.ndarray, scores: np.ndarray, *, alert_rate: float, threshold: float, costs: Costs
) -> ScoreCard:
    return ScoreCard(
        pr_auc=pr_auc(labels, scores),
        roc_auc=roc_auc(labels, scores),
        recall_at_alert_rate=recall_at_alert_rate(labels, scores, alert_rate),
        expected_cost=expected_cost(labels, scores, threshold, costs),
    )
