"""How a regression model is judged on its held-out rows: each predictor's answers (its
predictions and, for a bundle with one, its interval), their score card, and the check that
the model keeps its monotone constraints.

The evaluation job (jobs/evaluate.py) gathers `Answers` of the model, the baseline, the
serving champion and the oracle, scores each with `score_answers`, and adds what this task
alone reports (`model_figures`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .metrics import score_card

if TYPE_CHECKING:
    from .settings import EvaluationSettings

# What the oracle knows for simulated data.
ORACLE_KNOWS = "expected values"
# The monotonicity check: this many held-out rows, each moved over this many values.
GRID_ROWS = 200
GRID_POINTS = 25
# Trees are step functions; a fall smaller than this is rounding, not a violation.
MONOTONE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Answers:
    """A predictor's answers on the held-out rows: predictions and their interval, if any."""

    values: np.ndarray
    bounds: np.ndarray | None = None


def model_answers(pipeline: Any, inputs: pd.DataFrame) -> Answers:
    """A bundle's answers (the candidate's, the champion's) for prepared model inputs."""
    predicted = pipeline.score_inputs(inputs)
    return Answers(predicted, pipeline.interval_inputs(inputs, predicted))


def baseline_answers(predictions: np.ndarray, metadata: dict[str, Any]) -> Answers:
    """The baseline's: predictions without an interval."""
    return Answers(predictions)


def oracle_answers(expected: np.ndarray, evaluation: EvaluationSettings) -> Answers:
    """The oracle's: the expected values, without an interval."""
    return Answers(expected)


def logged_answers(predictions: np.ndarray, pipeline: Any) -> Answers:
    """A version's answers from the prediction log: its logged predictions (the log keeps
    no interval)."""
    return Answers(predictions)


def score_answers(
    y: np.ndarray, answers: Answers, evaluation: EvaluationSettings, rows: Any = slice(None)
) -> dict[str, float]:
    """The score card of `answers` on `rows` (a mask or positions) of the held-out rows."""
    bounds = answers.bounds
    return score_card(
        y[rows],
        answers.values[rows],
        lower=None if bounds is None else bounds[rows, 0],
        upper=None if bounds is None else bounds[rows, 1],
    )


def best_possible(y: np.ndarray, evaluation: EvaluationSettings) -> dict[str, float]:
    """The best value of each metric no model can pass on these rows, where it depends on
    the rows: none for a numeric target (any error can be zero, any interval cover all)."""
    return {}


def threshold_notes(cards: dict[str, dict[str, float]]) -> list[str]:
    """What the report should say about a decision threshold: a regression has none."""
    return []


def model_figures(pipeline: Any, inputs: pd.DataFrame) -> dict[str, float]:
    """Figures only the candidate has, beyond its score card: its monotonicity violations."""
    return {"monotone_violations": monotone_violations(pipeline, inputs)}


def monotone_violations(pipeline: Any, inputs: pd.DataFrame) -> int:
    """Rows whose prediction (or interval bound) moves the wrong way along a monotone input.

    Each of up to GRID_ROWS rows is copied GRID_POINTS times with one monotone input set to
    values from its 1st to its 99th percentile, everything else unchanged; a row counts once
    per input and per output (the prediction, and each bound of the interval) that falls
    along it (or rises, for `decreasing`).
    """
    spec = pipeline.spec
    rows = inputs.iloc[: min(GRID_ROWS, len(inputs))]
    violations = 0
    for name, sign in zip(spec.feature_names, spec.monotone_constraints, strict=True):
        if sign == 0:
            continue
        grid = np.quantile(inputs[name].dropna(), np.linspace(0.01, 0.99, GRID_POINTS))
        moved = rows.loc[rows.index.repeat(GRID_POINTS)].reset_index(drop=True)
        moved[name] = np.tile(grid, len(rows))
        outputs = [pipeline.score_inputs(moved)]
        bounds = pipeline.interval_inputs(moved, outputs[0])
        if bounds is not None:
            outputs += [bounds[:, 0], bounds[:, 1]]
        for values in outputs:
            steps = np.diff(sign * values.reshape(len(rows), GRID_POINTS), axis=1)
            violations += int(np.sum(np.any(steps < -MONOTONE_TOLERANCE, axis=1)))
    return violations


def record_figures(y: np.ndarray, model: Answers) -> dict[str, Any]:
    """What the evaluation record adds for this task: nothing."""
    return {}


def card_arguments(model: Answers) -> dict[str, Any]:
    """What the model card needs besides the answers: the model's interval."""
    return {"bounds": model.bounds}


def held_out_note(record: dict[str, Any]) -> str:
    """What the report says after the number of held-out rows: nothing."""
    return ""


def report_lines(record: dict[str, Any]) -> list[str]:
    """The report's section of this task: none (the monotonicity violations are a metric)."""
    return []
