"""Metrics for a binary outcome, each a pure function of labels and scores.

With a rare positive class, ROC AUC flatters every model; PR AUC and recall at the alert rate
the team can handle say more, and expected cost turns scores into money so that the decision
threshold is a business choice, not a default of 0.5. The Brier score and the reliability
curve say whether a score can be read as a probability.

Absolute figures depend on the data as much as on the model: a PR AUC of 0.5 is excellent
with 1% positives and worthless with 50%. The relative forms compare the model with what the
data alone gives: `pr_auc_skill` (how far the model goes from a random ranking, whose PR AUC
is the positive rate, to a perfect one), `brier_skill` (the share of the base-rate
predictor's Brier score the model removes), `recall_at_alert_rate_of_max` (recall at the
alert rate over the most that rate allows) and `cost_saving` (the share of the cheaper
trivial rule's cost, flagging nobody or everybody, the model's decisions save). Limits in
these forms carry over to new data unchanged.

`METRICS` names every metric the configuration may refer to (gate, monitoring) and says
whether higher is better.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

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
    "pr_auc_skill": Metric("PR AUC skill vs a random ranking", True),
    "brier_skill": Metric("Brier skill vs the base rate", True),
    "recall_at_alert_rate_of_max": Metric("recall at alert rate, share of the most possible", True),
    "cost_saving": Metric("cost saving vs flagging nobody or everybody", True),
}
# The figures `models` lists for every registered version.
HEADLINE = ("pr_auc", "roc_auc", "recall_at_alert_rate", "brier")
# Every metric here has a direction and is computed for every scorer and from the log.
SIGNED: frozenset[str] = frozenset()
MODEL_ONLY: frozenset[str] = frozenset()
# What the gate asks of every candidate whatever the configuration says: its decisions must
# cost no more than the cheaper of flagging nobody and flagging everybody.
SANITY = {"cost_saving": 0.0}
# The baseline comparisons of a configuration that names none: the ranking and the money,
# each beyond the sampling noise of the held-out rows.
BEAT_BASELINE: dict[str, float | str] = {"pr_auc": "noise", "expected_cost": "noise"}
# The relative form to suggest for a limit that depends on the data's positive rate.
RELATIVE = {
    "pr_auc": "pr_auc_skill",
    "brier": "brier_skill",
    "recall_at_alert_rate": "recall_at_alert_rate_of_max",
    "expected_cost": "cost_saving",
}


def _curve(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True and false positives flagged at each distinct score, from the highest down (the
    order within tied scores does not matter: only each tie's last count is kept)."""
    order = np.argsort(-np.asarray(scores, dtype="float64"))
    ranked = np.asarray(scores, dtype="float64")[order]
    hits = np.asarray(labels)[order].astype(bool)
    last_of_each_score = np.r_[ranked[1:] != ranked[:-1], True]
    return np.cumsum(hits)[last_of_each_score], np.cumsum(~hits)[last_of_each_score]


def _average_precision(true_pos: np.ndarray, false_pos: np.ndarray) -> float:
    precision = true_pos / (true_pos + false_pos)
    return float(np.sum(np.diff(np.r_[0, true_pos]) / true_pos[-1] * precision))


def _trapezoid_auc(true_pos: np.ndarray, false_pos: np.ndarray) -> float:
    tpr, fpr = np.r_[0, true_pos] / true_pos[-1], np.r_[0, false_pos] / false_pos[-1]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def pr_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the precision-recall curve: average precision, as scikit-learn's
    `average_precision_score` (one sort, as the bootstrap of the gate calls it often)."""
    return _average_precision(*_curve(labels, scores))


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve, as scikit-learn's `roc_auc_score` (trapezoids: a tie
    counts half)."""
    return _trapezoid_auc(*_curve(labels, scores))


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
    curve = _curve(labels, scores) if both else None
    card = {
        "pr_auc": _average_precision(*curve) if curve else float("nan"),
        "roc_auc": _trapezoid_auc(*curve) if curve else float("nan"),
        "recall_at_alert_rate": recall_at_alert_rate(labels, scores, alert_rate),
        "recall_at_threshold": float(flagged[labels == 1].mean()) if labels.any() else float("nan"),
        "flagged_share": float(flagged.mean()),
        "brier": brier(labels, scores),
        "expected_cost": expected_cost(labels, scores, threshold, costs),
    }
    return card | relative_figures(card, labels, alert_rate, costs)


def relative_figures(
    card: dict[str, float], labels: np.ndarray, alert_rate: float, costs: Costs
) -> dict[str, float]:
    """The card's figures against what the data alone gives (see the module's docstring):
    NaN where the rows hold one class only, as a comparison means nothing there."""
    positive_rate = float(np.mean(labels)) if len(labels) else float("nan")
    if not 0 < positive_rate < 1:
        return dict.fromkeys(RELATIVE.values(), float("nan"))
    best = best_possible(labels, alert_rate, costs)
    flag_nobody = costs.false_negative * positive_rate
    trivial_cost = min(flag_nobody, _flag_everybody(positive_rate, costs))
    return {
        "pr_auc_skill": (card["pr_auc"] - positive_rate) / (1 - positive_rate),
        "brier_skill": 1 - card["brier"] / (positive_rate * (1 - positive_rate)),
        "recall_at_alert_rate_of_max": card["recall_at_alert_rate"] / best["recall_at_alert_rate"],
        "cost_saving": 1 - card["expected_cost"] / trivial_cost if trivial_cost else float("nan"),
    }


def _flag_everybody(positive_rate: float, costs: Costs) -> float:
    return costs.false_positive * (1 - positive_rate) + costs.true_positive * positive_rate


def best_possible(labels: np.ndarray, alert_rate: float, costs: Costs) -> dict[str, float]:
    """The best value any model could reach on these rows, for the metrics where it depends
    on the data: recall when only the alert rate's share of rows is reviewed (all positives
    cannot be caught when they outnumber the alerts), and the cost of flagging exactly the
    positives."""
    labels = np.asarray(labels)
    positives = int(labels.sum())
    alerts = max(1, int(round(len(labels) * alert_rate)))
    positive_rate = positives / len(labels) if len(labels) else float("nan")
    return {
        "recall_at_alert_rate": min(1.0, alerts / positives) if positives else float("nan"),
        "expected_cost": costs.true_positive * positive_rate,
    }
