"""The regression part of the model card (task/card.py), and the held-out rows card tests use.

`held_out` and the helpers after it make what tests/test_modelcard.py writes its cards from:
skewed actual values, predictors of falling skill, their scorecards from the project's own
`score_card`, and what a regression version's metadata and model answers add: the interval.
"""

from __future__ import annotations

import numpy as np
import pytest

from {{ package_name }}.adapters.modelcard import write_model_card
from {{ package_name }}.task.metrics import score_card

# The plots of the predictions, on every card of this task that has them.
PREDICTION_PLOTS = {"errors.png", "interval.png"}
# What a regression version's metadata says of its interval.
TASK_METADATA = {"interval": [0.1, 0.9]}


def held_out(rows: int = 400, seed: int = 7) -> tuple[np.ndarray, dict, np.ndarray]:
    """Actual values (skewed, like fares or units sold), predictors of falling skill (the
    baseline predicts one value for every row), and a region per row."""
    rng = np.random.default_rng(seed)
    size = rng.gamma(2.0, 10.0, rows)
    y = size + rng.normal(scale=3.0, size=rows)
    predictions = {
        "model": size + rng.normal(scale=1.0, size=rows),
        "champion": 1.05 * size + rng.normal(scale=2.0, size=rows),
        "baseline": np.full(rows, float(np.mean(y))),
    }
    region = rng.choice(["north", "south", "islands"], size=rows, p=[0.5, 0.45, 0.05])
    return y, predictions, region


def few_awkward_rows() -> tuple[np.ndarray, dict, np.ndarray]:
    """Thirty rows, among them the baseline's, which gives every row the same value."""
    y, predictions, region = held_out(rows=30, seed=3)
    return y.astype("float64"), predictions, region


def interval_of(predicted: np.ndarray) -> np.ndarray:
    return np.column_stack([predicted - 4.0, predicted + 4.0])


def scorecard(y: np.ndarray, predicted: np.ndarray, bounds: np.ndarray | None = None) -> dict:
    if bounds is None:
        return score_card(y, predicted)
    return score_card(y, predicted, lower=bounds[:, 0], upper=bounds[:, 1])


def scorecards(y: np.ndarray, predictions: dict) -> dict[str, dict]:
    """Every predictor's scorecard; the model's also says how well its interval covers."""
    cards = {name: scorecard(y, values) for name, values in predictions.items()}
    cards["model"] = scorecard(y, predictions["model"], interval_of(predictions["model"]))
    return cards


def evaluation_counts(y: np.ndarray, predictions: dict) -> dict:
    """Nothing: a regression's evaluation record counts rows alone."""
    return {}


def model_answers(predictions: dict) -> dict:
    """The model's interval, which the card's coverage plot draws."""
    return {"bounds": interval_of(predictions["model"])}


def test_the_interval_plot_needs_bounds(tmp_path):
    y, predictions, _ = held_out()
    write_model_card(
        tmp_path,
        tag="demo-model:3",
        metadata=TASK_METADATA,
        y=y,
        predictions=predictions,
        importance={},
    )
    text = (tmp_path / "model_card.md").read_text()

    assert "The model has no prediction interval to plot." in text
    assert not (tmp_path / "interval.png").exists()
    assert "| prediction interval | quantiles 0.1 to 0.9 of the error (80% nominal) |" in text


def test_bounds_must_hold_two_values_for_every_row(tmp_path):
    y, predictions, _ = held_out(rows=60)
    with pytest.raises(ValueError, match=r"bounds must have shape \(60, 2\)"):
        write_model_card(
            tmp_path,
            tag="demo-model:3",
            metadata=TASK_METADATA,
            y=y,
            predictions=predictions,
            importance={},
            bounds=interval_of(predictions["model"])[:50],
        )
