"""The binary part of the model card (task/card.py), and the held-out rows card tests use.

`held_out` and the helpers after it make what tests/test_modelcard.py writes its cards from:
outcomes about 10% positive, scorers of falling skill, their scorecards from the project's own
`score_card`, and what a binary version's metadata and evaluation record add.
"""

from __future__ import annotations

import numpy as np

from {{ package_name }}.adapters.modelcard import write_model_card
from {{ package_name }}.task.metrics import reliability, score_card
from {{ package_name }}.task.settings import Costs

# The plots of the scores, on every card of this task that has them.
PREDICTION_PLOTS = {"roc_pr.png", "calibration.png"}
COSTS = Costs(false_positive=1.0, false_negative=20.0)
THRESHOLD = 0.3
# What a binary version's metadata says of its decision.
TASK_METADATA = {"threshold": THRESHOLD, "calibration": {"slope": 0.9, "intercept": -0.2}}


def held_out(rows: int = 400, seed: int = 7) -> tuple[np.ndarray, dict, np.ndarray]:
    """Outcomes (about 10% positive), scorers of falling skill, and a region per row."""
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=rows)
    y = (rng.random(rows) < 1 / (1 + np.exp(3 - 2 * risk))).astype(int)

    def scores(noise: float) -> np.ndarray:
        return 1 / (1 + np.exp(3 - 2 * risk - rng.normal(scale=noise, size=rows)))

    predictions = {"model": scores(0.5), "champion": scores(1.0), "baseline": scores(2.0)}
    region = rng.choice(["north", "south", "islands"], size=rows, p=[0.5, 0.45, 0.05])
    return y, predictions, region


def few_awkward_rows() -> tuple[np.ndarray, dict, np.ndarray]:
    """Thirty rows, a scorer that gives everyone 0.5, and a group of negatives only (its
    ranking metrics have no value)."""
    y, predictions, region = held_out(rows=30, seed=3)
    y = y.astype("float64")
    region[:3] = "islands"
    region[3:][region[3:] == "islands"] = "north"
    y[:3] = 0
    predictions["baseline"] = np.full(len(y), 0.5)
    return y, predictions, region


def scorecard(y: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    return score_card(y, scores, threshold=THRESHOLD, alert_rate=0.05, costs=COSTS)


def scorecards(y: np.ndarray, predictions: dict) -> dict[str, dict[str, float]]:
    return {name: scorecard(y, scores) for name, scores in predictions.items()}


def evaluation_counts(y: np.ndarray, predictions: dict) -> dict:
    """What a binary evaluation record adds: the positives, the model's reliability curve."""
    return {
        "test_positives": int(np.nansum(y)),
        "reliability": reliability(y, predictions["model"]),
    }


def model_answers(predictions: dict) -> dict:
    """A binary model answers its score alone: the card takes nothing more."""
    return {}


def card_text(folder, y, predictions, metadata) -> str:
    path = write_model_card(
        folder, tag="demo-model:3", metadata=metadata, y=y, predictions=predictions, importance={}
    )
    return path.read_text()


def test_rows_of_one_class_give_a_card_without_curves(tmp_path):
    y = np.zeros(40)
    text = card_text(tmp_path, y, {"model": np.linspace(0.0, 0.2, 40)}, {})

    assert "No ROC or precision-recall curve" in text
    assert not (tmp_path / "roc_pr.png").exists()
    assert "calibration.png" in text


def test_the_details_show_the_decision_and_the_positives(tmp_path):
    y, predictions, _ = held_out(rows=60)
    metadata = {**TASK_METADATA, "data": {"rows": 2_000, "test_rows": 400, "positives": 1_234}}
    text = card_text(tmp_path / "calibrated", y, predictions, metadata)
    uncalibrated = card_text(tmp_path / "raw", y, predictions, {})

    assert "| decision threshold | 0.3000 |" in text
    assert "| calibration | Platt scaling (slope 0.9000, intercept -0.2000) |" in text
    assert "| rows | 2,000 (test 400, 1,234 positive) |" in text
    assert "| calibration | none: the scores are the trees' own |" in uncalibrated
