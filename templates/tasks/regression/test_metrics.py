"""Metrics of a numeric prediction, on inputs small enough to check by hand."""

import math

import numpy as np
import pytest

from {{ package_name }}.task.metrics import METRICS, bias, coverage, mae, mape, score_card, wape

ACTUAL = np.array([10.0, 0.0, 5.0, 20.0])
PREDICTED = np.array([12.0, 1.0, 5.0, 14.0])


def test_mae_and_wape_add_up_the_absolute_errors():
    # Errors 2, 1, 0, 6: 9 in all, over 4 rows and 35 units sold.
    assert mae(ACTUAL, PREDICTED) == pytest.approx(9 / 4)
    assert wape(ACTUAL, PREDICTED) == pytest.approx(9 / 35)


def test_mape_skips_rows_whose_actual_value_is_zero():
    assert mape(ACTUAL, PREDICTED) == pytest.approx((0.2 + 0.0 + 0.3) / 3)
    assert math.isnan(mape(np.zeros(3), np.ones(3)))


def test_bias_says_which_way_the_model_leans():
    assert bias(ACTUAL, PREDICTED) == pytest.approx((32 - 35) / 35)
    assert bias(ACTUAL, ACTUAL * 1.1) == pytest.approx(0.1)


def test_coverage_counts_actual_values_inside_the_interval():
    lower, upper = PREDICTED - 1.5, PREDICTED + 1.5
    # Inside: 0 (in [-0.5, 2.5]) and 5 (in [3.5, 6.5]); outside: 10 and 20.
    assert coverage(ACTUAL, lower, upper) == pytest.approx(0.5)


def test_the_card_names_only_known_metrics_and_leaves_a_missing_interval_undefined():
    card = score_card(ACTUAL, PREDICTED)
    assert set(card) <= set(METRICS)
    assert math.isnan(card["coverage"]) and math.isnan(card["interval_width"])
    assert card["negative_share"] == 0.0
    with_interval = score_card(ACTUAL, PREDICTED, lower=PREDICTED - 1, upper=PREDICTED + 3)
    assert with_interval["interval_width"] == pytest.approx(4.0)
    assert score_card(ACTUAL, PREDICTED - 3)["negative_share"] == pytest.approx(0.25)  # -2


def test_mae_skill_is_the_share_of_the_medians_error_the_model_removes():
    median_mae = np.mean(np.abs(ACTUAL - np.median(ACTUAL)))
    card = score_card(ACTUAL, PREDICTED)
    assert card["mae_skill"] == pytest.approx(1 - card["mae"] / median_mae)
    assert score_card(ACTUAL, np.full(len(ACTUAL), np.median(ACTUAL)))["mae_skill"] == 0.0
