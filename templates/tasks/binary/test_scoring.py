"""A binary bundle's answer: calibrated probabilities, the decision at the threshold, the
risk band."""

import numpy as np
import pytest

from {{ package_name }}.task.scoring import AnswerScoring, AnswerSpec, answer_fields, calibrate


class Answering(AnswerScoring):
    """The answer part of a bundle, without a booster."""

    def __init__(self, spec: AnswerSpec) -> None:
        self.spec = spec


SPEC = AnswerSpec(
    threshold=0.5,
    positive_decision="review",
    negative_decision="approve",
    risk_bands={"low": 0.0, "medium": 0.2, "high": 0.6},
)


def test_without_calibration_scores_are_unchanged():
    raw = np.array([0.01, 0.3, 0.9])
    assert calibrate(raw, None) is raw


def test_calibration_changes_no_ranking():
    raw = np.array([0.01, 0.1, 0.3, 0.9])
    calibrated = calibrate(raw, {"slope": 0.8, "intercept": -1.0})
    assert np.all(np.diff(calibrated) > 0)
    assert calibrate(raw, {"slope": 1.0, "intercept": 0.0}) == pytest.approx(raw)


def test_decisions_and_bands_follow_the_score():
    scores = np.array([0.05, 0.2, 0.5, 0.7])
    answering = Answering(SPEC)
    assert answering.decide(scores).tolist() == ["approve", "approve", "review", "review"]
    assert answering.bands(scores).tolist() == ["low", "medium", "medium", "high"]


def test_the_threshold_is_fitted_and_the_decisions_configured():
    class Serving:
        positive_decision, negative_decision, risk_bands = "flag", "pass", {}

    fields = answer_fields(None, Serving(), threshold=0.3)
    assert fields["threshold"] == 0.3 and fields["positive_decision"] == "flag"
    assert fields["calibration"] is None
