"""Metrics and the cost-based threshold, on inputs small enough to check by hand."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from {{ package_name }}.task.metrics import (
    best_possible,
    cost_minimising_threshold,
    expected_cost,
    pr_auc,
    recall_at_alert_rate,
    roc_auc,
    score_card,
)
from {{ package_name }}.task.settings import Costs

LABELS = np.array([0, 0, 1, 0, 1, 0, 0, 0, 0, 1])
SCORES = np.array([0.1, 0.2, 0.9, 0.3, 0.8, 0.05, 0.4, 0.15, 0.6, 0.35])


def test_perfect_ranking_scores_one():
    perfect = LABELS * 0.9 + 0.05
    assert pr_auc(LABELS, perfect) == pytest.approx(1.0)
    assert roc_auc(LABELS, perfect) == pytest.approx(1.0)


def test_roc_auc_counts_ordered_pairs():
    # 3 positives x 7 negatives = 21 pairs; the positive 0.35 is beaten by 0.4 and 0.6.
    assert roc_auc(LABELS, SCORES) == pytest.approx(19 / 21)


def test_recall_at_alert_rate_reviews_only_the_top_rows():
    # Reviewing 20% = the top 2 rows (0.9 and 0.8): both frauds, 2 of 3 caught.
    assert recall_at_alert_rate(LABELS, SCORES, 0.2) == pytest.approx(2 / 3)
    # Reviewing 10% = the top row only.
    assert recall_at_alert_rate(LABELS, SCORES, 0.1) == pytest.approx(1 / 3)


def test_expected_cost_adds_up_the_matrix():
    costs = Costs(false_positive=1.0, false_negative=10.0, true_positive=0.5)
    # Threshold 0.5 flags 0.9, 0.8, 0.6: two caught, one false alarm, one fraud (0.35) missed.
    assert expected_cost(LABELS, SCORES, 0.5, costs) == pytest.approx(
        (2 * 0.5 + 1 * 1.0 + 1 * 10.0) / 10
    )


def test_threshold_minimises_cost_and_follows_the_cost_of_misses():
    cheap_misses = Costs(false_positive=5.0, false_negative=1.0, true_positive=2.0)
    dear_misses = Costs(false_positive=1.0, false_negative=50.0)
    cautious = cost_minimising_threshold(LABELS, SCORES, cheap_misses)
    eager = cost_minimising_threshold(LABELS, SCORES, dear_misses)
    # A review dearer than the fraud it stops: flag nothing. Dear misses: flag every fraud.
    assert (cautious <= SCORES).sum() == 0
    assert eager == pytest.approx(0.35)
    candidates = np.unique(np.r_[SCORES, 1.0])
    best = min(expected_cost(LABELS, SCORES, t, dear_misses) for t in candidates)
    assert expected_cost(LABELS, SCORES, eager, dear_misses) == pytest.approx(best)


def test_brier_score_and_reliability_curve():
    from {{ package_name }}.task.metrics import brier, reliability

    assert brier(np.array([0, 1]), np.array([0.0, 1.0])) == 0.0
    assert brier(np.array([0, 1]), np.array([0.5, 0.5])) == pytest.approx(0.25)
    # Calibrated scores: in each bin the outcome rate matches the mean score.
    rng = np.random.default_rng(0)
    scores = rng.uniform(0, 1, 20_000)
    outcomes = (rng.uniform(0, 1, 20_000) < scores).astype(int)
    curve = reliability(outcomes, scores)
    assert len(curve) == 10 and sum(point["rows"] for point in curve) == 20_000
    for point in curve:
        assert point["outcome_rate"] == pytest.approx(point["mean_score"], abs=0.03)


def test_the_card_leaves_ranking_metrics_undefined_on_one_class():
    import math

    from {{ package_name }}.task.metrics import METRICS, score_card

    costs = Costs(false_positive=1.0, false_negative=10.0)
    card = score_card(LABELS, SCORES, threshold=0.5, alert_rate=0.2, costs=costs)
    assert set(card) <= set(METRICS)
    assert card["recall_at_threshold"] == pytest.approx(2 / 3)
    assert card["flagged_share"] == pytest.approx(0.3)
    no_positives = score_card(LABELS * 0, SCORES, threshold=0.5, alert_rate=0.2, costs=costs)
    assert math.isnan(no_positives["pr_auc"]) and math.isnan(no_positives["roc_auc"])


@pytest.mark.parametrize("decimals", [None, 1])
def test_the_areas_match_scikit_learn_with_and_without_ties(decimals):
    rng = np.random.default_rng(7)
    labels = (rng.random(2_000) < 0.05).astype(int)
    scores = rng.random(2_000) + 0.4 * labels
    if decimals is not None:
        scores = np.round(scores, decimals)  # many ties
    assert pr_auc(labels, scores) == pytest.approx(average_precision_score(labels, scores))
    assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))


def test_relative_figures_compare_the_model_with_what_the_data_alone_gives():
    costs = Costs(false_positive=1.0, false_negative=10.0, true_positive=0.5)
    card = score_card(LABELS, SCORES, threshold=0.5, alert_rate=0.2, costs=costs)
    assert card["pr_auc_skill"] == pytest.approx((card["pr_auc"] - 0.3) / 0.7)
    assert card["brier_skill"] == pytest.approx(1 - card["brier"] / (0.3 * 0.7))
    # 2 alerts for 3 positives: at most 2/3 can be caught, and the model catches 2/3.
    assert card["recall_at_alert_rate_of_max"] == pytest.approx(1.0)
    # Flagging nobody costs 10 x 0.3 = 3.0 a row, everybody 0.7 + 0.15 = 0.85: the cheaper.
    assert card["cost_saving"] == pytest.approx(1 - card["expected_cost"] / 0.85)
    # The base-rate predictor has no skill; flagging everybody saves nothing.
    flat = score_card(LABELS, np.full(10, 0.3), threshold=0.0, alert_rate=0.2, costs=costs)
    assert flat["brier_skill"] == pytest.approx(0.0)
    assert flat["cost_saving"] == pytest.approx(0.0)


def test_the_best_possible_recall_is_capped_by_the_alerts_when_positives_outnumber_them():
    costs = Costs(false_positive=1.0, false_negative=10.0, true_positive=0.5)
    half = np.array([1, 0] * 50)
    best = best_possible(half, alert_rate=0.05, costs=costs)
    # 5 alerts for 50 positives: no model catches more than a tenth of them.
    assert best["recall_at_alert_rate"] == pytest.approx(0.1)
    assert best["expected_cost"] == pytest.approx(0.5 * 0.5)


def test_a_threshold_that_flags_most_rows_is_noted_with_the_costs_to_check():
    from {{ package_name }}.task.evaluation import threshold_notes

    (note,) = threshold_notes({"model": {"flagged_share": 0.979}})
    assert "flags 97.9% of the held-out rows" in note and "evaluation.costs" in note
    assert threshold_notes({"model": {"flagged_share": 0.02}}) == []
