"""Evaluation job: judge the candidate on held-out rows, apply the gate, register if it passes.

Four scorers are compared on the SAME most-recent rows, none of which any of them trained on:
  model      the candidate, at the threshold chosen on validation rows
  baseline   logistic regression on the same inputs, its threshold also chosen on validation
  champion   the version serving now (when its inputs can be computed from this data)
  oracle     the simulator's true probabilities: the best any model could do on these rows
             (only for simulated data), at the cost-optimal threshold for true probabilities

The gate refuses a candidate below the absolute thresholds in `evaluation.gate`, or one that
loses more PR AUC than allowed against the champion, and says which check failed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import registry
from .config import Config, UserError
from .metrics import ScoreCard, score_card
from .pipeline import METADATA_FILE, ScoringPipeline, inputs_from_table
from .train import HOLDOUT_FILE, candidate_dir


class EvaluationError(UserError, RuntimeError):
    """Evaluation cannot run (no candidate, unreadable held-out rows)."""


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    limit: float
    passed: bool

    def __str__(self) -> str:
        verdict = "pass" if self.passed else "FAIL"
        return f"{verdict}  {self.name}: {self.value:.4f} (limit {self.limit:.4f})"


@dataclass
class EvaluationResult:
    cards: dict[str, ScoreCard]
    checks: list[Check]
    champion: str | None
    notes: list[str] = field(default_factory=list)
    registered_as: str | None = None
    report_path: Path | None = None

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def reasons(self) -> list[str]:
        return [str(check) for check in self.checks if not check.passed]


def oracle_threshold(config: Config) -> float:
    """For true probabilities, flagging pays off when p * (FN - TP) > (1 - p) * FP."""
    costs = config.evaluation.costs
    return costs.false_positive / (
        costs.false_positive + costs.false_negative - costs.true_positive
    )


def _oracle_scores(config: Config, row_ids: pd.Series) -> np.ndarray | None:
    truth = config.data.truth
    if truth is None or not config.path(truth.path).is_file() or config.data.id_column is None:
        return None
    table = pd.read_csv(config.path(truth.path), dtype={config.data.id_column: str})
    probabilities = table.set_index(config.data.id_column)[truth.column]
    matched = probabilities.reindex(row_ids.astype(str))
    return None if matched.isna().any() else matched.to_numpy(dtype="float64")


def gate(config: Config, cards: dict[str, ScoreCard]) -> list[Check]:
    rules = config.evaluation.gate
    model = cards["model"]
    checks = [
        Check("PR AUC", model.pr_auc, rules.min_pr_auc, model.pr_auc >= rules.min_pr_auc),
        Check("ROC AUC", model.roc_auc, rules.min_roc_auc, model.roc_auc >= rules.min_roc_auc),
        Check(
            "recall at alert rate",
            model.recall_at_alert_rate,
            rules.min_recall_at_alert_rate,
            model.recall_at_alert_rate >= rules.min_recall_at_alert_rate,
        ),
    ]
    if "champion" in cards:
        floor = cards["champion"].pr_auc - rules.max_pr_auc_drop_vs_champion
        checks.append(Check("PR AUC vs champion", model.pr_auc, floor, model.pr_auc >= floor))
    return checks


def evaluate(config: Config, *, register: bool = True) -> EvaluationResult:
    """Score the candidate and its rivals on the held-out rows; register it if the gate passes."""
    bundle = candidate_dir(config)
    if not (bundle / HOLDOUT_FILE).is_file():
        raise EvaluationError(f"no candidate model in {bundle}: run `train` first")
    candidate = ScoringPipeline.load(bundle)
    spec = candidate.spec
    holdout = pd.read_csv(bundle / HOLDOUT_FILE, dtype={"row_id": str})
    inputs = inputs_from_table(holdout, spec)
    y = holdout["label"].to_numpy()
    if y.sum() == 0:
        raise EvaluationError("the held-out rows hold no positive example: use more data")

    evaluation = config.evaluation

    def card(scores: np.ndarray, threshold: float) -> ScoreCard:
        return score_card(
            y, scores, alert_rate=evaluation.alert_rate, threshold=threshold, costs=evaluation.costs
        )

    cards = {
        "model": card(candidate.score_inputs(inputs), spec.threshold),
        "baseline": card(
            holdout["baseline_score"].to_numpy(), candidate.metadata["baseline_threshold"]
        ),
    }
    notes = []
    champion_tag = registry.champion_tag(config)
    if champion_tag is not None:
        champion = registry.load(config, champion_tag)
        if (
            champion.spec.feature_names == spec.feature_names
            and champion.spec.columns == spec.columns
        ):
            cards["champion"] = card(champion.score_inputs(inputs), champion.spec.threshold)
        else:
            notes.append(
                f"champion {champion_tag} uses other inputs; it cannot be scored on these rows"
            )
    oracle = _oracle_scores(config, holdout["row_id"])
    if oracle is not None:
        cards["oracle"] = card(oracle, oracle_threshold(config))
    else:
        notes.append("no oracle: the data has no known true probabilities")

    result = EvaluationResult(
        cards=cards, checks=gate(config, cards), champion=champion_tag, notes=notes
    )
    evaluation_record = {
        "test_rows": len(y),
        "test_positives": int(y.sum()),
        "scorecards": {name: c.as_dict() for name, c in cards.items()},
        "gate": {
            "passed": result.passed,
            "checks": [check.__dict__ for check in result.checks],
            "champion_compared": champion_tag,
        },
        "notes": notes,
    }
    metadata = {**candidate.metadata, "evaluation": evaluation_record}
    (bundle / METADATA_FILE).write_text(json.dumps(metadata, indent=2, default=str))
    if register and result.passed:
        result.registered_as = registry.register(config, bundle, metadata)
        evaluation_record["registered_as"] = result.registered_as
    result.report_path = write_report(config, evaluation_record)
    return result


def write_report(config: Config, record: dict[str, Any]) -> Path:
    """reports/evaluation/evaluation.json and a Markdown table a person can read."""
    folder = config.reports_dir / "evaluation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evaluation.json").write_text(json.dumps(record, indent=2, default=str))
    lines = [
        "# Evaluation on held-out rows",
        "",
        f"{record['test_rows']} most recent rows, {record['test_positives']} positive.",
        "",
        "| scorer | PR AUC | ROC AUC | recall at alert rate | expected cost per row |",
        "|---|---|---|---|---|",
    ]
    for name, figures in record["scorecards"].items():
        lines.append(
            f"| {name} | {figures['pr_auc']:.4f} | {figures['roc_auc']:.4f} | "
            f"{figures['recall_at_alert_rate']:.4f} | {figures['expected_cost']:.4f} |"
        )
    lines += ["", f"Gate: {'passed' if record['gate']['passed'] else 'refused'}", ""]
    lines += [f"- {Check(**check)}" for check in record["gate"]["checks"]]
    lines += [f"- note: {note}" for note in record["notes"]]
    path = folder / "evaluation.md"
    path.write_text("\n".join(lines) + "\n")
    return path
