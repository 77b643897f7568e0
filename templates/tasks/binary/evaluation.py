"""How a binary model is judged on its held-out rows: each scorer's answers (scores and the
threshold it decides at), their score card, and the reliability of the model's scores.

The evaluation job (jobs/evaluate.py) gathers `Answers` of the model, the baseline, the
serving champion and the oracle, scores each with `score_answers`, and adds what this task
alone reports (`record_figures`, `report_lines`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import metrics
from .metrics import reliability, score_card

if TYPE_CHECKING:
    from .settings import Costs, EvaluationSettings

# What the oracle knows for simulated data.
ORACLE_KNOWS = "true probabilities"


@dataclass(frozen=True)
class Answers:
    """A scorer's answers on the held-out rows: its scores and the threshold it decides at."""

    values: np.ndarray
    threshold: float


def model_answers(pipeline: Any, inputs: pd.DataFrame) -> Answers:
    """A bundle's answers (the candidate's, the champion's) for prepared model inputs."""
    return Answers(pipeline.score_inputs(inputs), pipeline.spec.threshold)


def baseline_answers(scores: np.ndarray, metadata: dict[str, Any]) -> Answers:
    """The baseline's, at the threshold training chose for it on the validation rows."""
    return Answers(scores, metadata["baseline_threshold"])


def oracle_answers(probabilities: np.ndarray, evaluation: EvaluationSettings) -> Answers:
    """The oracle's: true probabilities, at the cost-optimal threshold for them."""
    return Answers(probabilities, oracle_threshold(evaluation.costs))


def oracle_threshold(costs: Costs) -> float:
    """For true probabilities, flagging pays off when p * (FN - TP) > (1 - p) * FP."""
    return costs.false_positive / (
        costs.false_positive + costs.false_negative - costs.true_positive
    )


def logged_answers(scores: np.ndarray, pipeline: Any) -> Answers:
    """A version's answers from the prediction log: its logged scores, at its threshold."""
    return Answers(scores, pipeline.spec.threshold)


def score_answers(
    y: np.ndarray, answers: Answers, evaluation: EvaluationSettings, rows: Any = slice(None)
) -> dict[str, float]:
    """The score card of `answers` on `rows` (a mask or positions) of the held-out rows."""
    return score_card(
        y[rows],
        answers.values[rows],
        threshold=answers.threshold,
        alert_rate=evaluation.alert_rate,
        costs=evaluation.costs,
    )


def best_possible(y: np.ndarray, evaluation: EvaluationSettings) -> dict[str, float]:
    """The best value of each metric no model can pass on these held-out rows (where it
    depends on the rows): a gate limit beyond it is a configuration error."""
    return metrics.best_possible(y, evaluation.alert_rate, evaluation.costs)


def threshold_notes(cards: dict[str, dict[str, float]]) -> list[str]:
    """What the report should say about the model's threshold: whether it flags most rows,
    which usually means the costs make flagging almost everyone nearly the cheapest rule."""
    share = cards["model"]["flagged_share"]
    if share <= 0.5:
        return []
    return [
        f"the threshold flags {share:.1%} of the held-out rows: with these costs, flagging "
        "almost everybody is nearly the cheapest rule; check evaluation.costs"
    ]


def model_figures(pipeline: Any, inputs: pd.DataFrame) -> dict[str, float]:
    """Figures only the candidate has, beyond its score card: none."""
    return {}


def record_figures(y: np.ndarray, model: Answers) -> dict[str, Any]:
    """What the evaluation record adds for this task: positives and the reliability curve."""
    return {"test_positives": int(y.sum()), "reliability": reliability(y, model.values)}


def card_arguments(model: Answers) -> dict[str, Any]:
    """What the model card needs besides the answers: nothing."""
    return {}


def held_out_note(record: dict[str, Any]) -> str:
    """What the report says after the number of held-out rows."""
    return f", {record['test_positives']:,} positive"


def report_lines(record: dict[str, Any]) -> list[str]:
    """The report's section of this task: the model's calibration."""
    return [
        "",
        "## Calibration (model)",
        "",
        "| rows | mean score | outcome rate |",
        "|---|---|---|",
        *(
            f"| {b['rows']:,} | {b['mean_score']:.4f} | {b['outcome_rate']:.4f} |"
            for b in record["reliability"]
        ),
    ]
