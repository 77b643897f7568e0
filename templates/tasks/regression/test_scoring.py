"""A regression bundle's answer: the prediction, and its interval built from the errors'
quantiles."""

import numpy as np
import pytest

from {{ package_name }}.task.scoring import (
    interval_errors,
    interval_matrix,
    interval_scale,
    required_model_files,
)


def test_a_log_link_objective_has_a_relative_interval():
    assert interval_scale("reg:squarederror") == "absolute"
    assert interval_scale("reg:gamma") == "relative"
    assert interval_scale("count:poisson") == "relative"


def test_the_errors_are_ratios_or_differences():
    actual, predicted = np.array([12.0, 8.0]), np.array([10.0, 10.0])
    assert interval_errors(actual, predicted, "relative") == pytest.approx([1.2, 0.8])
    assert interval_errors(actual, predicted, "absolute") == pytest.approx([2.0, -2.0])


def test_the_interval_never_sees_a_monotone_input():
    matrix = np.arange(6, dtype=np.float32).reshape(2, 3)
    blanked = interval_matrix(matrix, (0, 1, 0))
    assert np.isnan(blanked[:, 1]).all()
    assert blanked[:, [0, 2]].tolist() == [[0.0, 2.0], [3.0, 5.0]]
    assert not np.isnan(matrix).any()  # the model's own inputs are left alone


def test_only_a_bundle_with_an_interval_needs_its_booster():
    class Spec:
        interval: list[float] = []

    assert required_model_files(Spec()) == {}
    Spec.interval = [0.1, 0.9]
    assert required_model_files(Spec()) == {"interval_booster": "interval.ubj"}
