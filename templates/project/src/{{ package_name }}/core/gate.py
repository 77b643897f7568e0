"""The gate: the checks a candidate must pass on its held-out rows to be registered.

`evaluation.gate` sets absolute limits, how much may be lost against the serving champion,
the metrics on which the baseline must be beaten and the largest gap between subgroups; a
challenger from `retrain` must also gain `retraining.min_gain_vs_champion` over the champion
on the recent production rows it was judged on. Each check says what was compared with what,
so a refusal explains itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from ..task.metrics import METRICS

# Resamples of the held-out rows behind `sampling_noise`.
BOOTSTRAP_ROUNDS = 200


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    limit: float
    at_least: bool
    passed: bool

    def __str__(self) -> str:
        verdict = "pass" if self.passed else "FAIL"
        rule = ">=" if self.at_least else "<="
        return f"{verdict}  {self.name}: {figure(self.value)} (must be {rule} {self.limit:.4f})"


def figure(value: Any) -> str:
    """A figure for a report: four decimals, `n/a` for a metric without meaning here."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{value:.4f}"


def metric_check(name: str, metric: str, value: float, limit: float) -> Check:
    """`value` of `metric` against `limit`: a floor if higher is better, else a ceiling."""
    at_least = METRICS[metric].higher_is_better
    passed = math.isfinite(value) and (value >= limit if at_least else value <= limit)
    return Check(name, value, limit, at_least, passed)


def sampling_noise(
    rows: int,
    model_card: Callable[[np.ndarray], dict[str, float]],
    champion_card: Callable[[np.ndarray], dict[str, float]],
    names: list[str],
    seed: int,
) -> dict[str, float]:
    """Two standard errors of (model - champion) for each metric of `names`.

    A paired bootstrap: both are scored again on the same resamples of the held-out rows
    (`*_card(positions)`), so what remains of their difference is theirs, not the rows'.
    """
    if not names:
        return {}
    rng = np.random.default_rng(seed)
    differences: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(BOOTSTRAP_ROUNDS):
        positions = rng.integers(rows, size=rows)
        model, champion = model_card(positions), champion_card(positions)
        for name in names:
            differences[name].append(model[name] - champion[name])
    return {name: 2 * float(np.nanstd(values)) for name, values in differences.items()}


def limits_missed_by_both(config: Config, cards: dict[str, dict[str, float]]) -> list[str]:
    """The metrics of `gate.limits` that both the model and the champion miss."""
    limits = config.evaluation.gate.limits
    return [
        name
        for name in limits
        if not metric_check("", name, cards["model"][name], limits[name]).passed
        and not metric_check("", name, cards["champion"][name], limits[name]).passed
    ]


def gain_checks(
    config: Config, model: dict[str, float], champion: dict[str, float] | None
) -> list[Check]:
    """`retraining.min_gain_vs_champion`: a challenger replaces the champion only by doing
    better on the same rows (its held-out rows, or the requests both answered in shadow)."""
    checks = []
    for name, gain in config.retraining.min_gain_vs_champion.items():
        if champion is None:
            title = f"{METRICS[name].title} vs champion (not scored on these rows)"
            checks.append(Check(title, float("nan"), gain, True, False))
            continue
        higher = METRICS[name].higher_is_better
        limit = champion[name] + gain if higher else champion[name] - gain
        title = f"{METRICS[name].title} vs champion + {gain:g}"
        checks.append(metric_check(title, name, model[name], limit))
    return checks


def gate(
    config: Config,
    cards: dict[str, dict[str, float]],
    gaps: dict[str, dict[str, float]],
    *,
    challenger: bool = False,
    noise: dict[str, float] | None = None,
) -> list[Check]:
    """Every check of `evaluation.gate` (and, for a `challenger`, of retraining), passed or not.

    `noise` holds, for some metrics, how far challenger and champion may differ by the luck
    of the held-out rows alone (see `sampling_noise`).
    """
    rules = config.evaluation.gate
    model = cards["model"]
    checks = [
        limit_check(name, limit, cards, challenger, noise or {})
        for name, limit in rules.limits.items()
    ]
    if "champion" in cards:
        for name, loss in rules.max_loss_vs_champion.items():
            if challenger and name in config.retraining.min_gain_vs_champion:
                continue  # a challenger must gain on it instead (below)
            champion = cards["champion"][name]
            limit = champion - loss if METRICS[name].higher_is_better else champion + loss
            title = f"{METRICS[name].title} vs champion"
            checks.append(metric_check(title, name, model[name], limit))
    if challenger:
        checks += gain_checks(config, model, cards.get("champion"))
    for name in rules.beat_baseline:
        title = f"{METRICS[name].title} vs baseline"
        checks.append(metric_check(title, name, model[name], cards["baseline"][name]))
    for name, largest in rules.max_subgroup_gap.items():
        for column, column_gaps in gaps.items():
            gap = column_gaps.get(name, float("nan"))
            passed = bool(gap <= largest) if math.isfinite(gap) else True
            title = f"{METRICS[name].title} gap across {column}"
            checks.append(Check(title, gap, largest, False, passed))
    return checks


def limit_check(
    name: str,
    limit: float,
    cards: dict[str, dict[str, float]],
    challenger: bool,
    noise: dict[str, float],
) -> Check:
    """The model against the absolute `limit` of metric `name`.

    Recent rows can be harder than any the limit was set on: when a challenger misses the
    limit and the serving champion misses it too, the challenger must only not be worse than
    the champion, beyond what the luck of these rows can explain (`noise`).
    """
    title = METRICS[name].title
    check = metric_check(title, name, cards["model"][name], limit)
    champion = cards.get("champion", {}).get(name)
    if not challenger or check.passed or champion is None:
        return check
    if metric_check(title, name, champion, limit).passed:
        return check
    slack = noise.get(name, 0.0)
    limit = champion - slack if METRICS[name].higher_is_better else champion + slack
    return metric_check(
        f"{title} (limit missed by the champion too)", name, cards["model"][name], limit
    )


def subgroup_gaps_of(
    config: Config, columns: dict[str, pd.Series], card: Callable[[np.ndarray], dict]
) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    """The model's card within each group of every subgroup column, and each metric's gap.

    `columns` maps a subgroup column's name to its values, row for row; `card(mask)` scores
    the rows where `mask` holds. A gap (best group minus worst) counts only groups with at
    least `evaluation.min_subgroup_rows` rows. Evaluation and monitoring both use this.
    """
    settings = config.evaluation
    report: dict[str, Any] = {}
    gaps: dict[str, dict[str, float]] = {}
    for column, raw_values in columns.items():
        values = raw_values.astype("string").fillna("(missing)").reset_index(drop=True)
        groups = {}
        for value in sorted(values.unique()):
            mask = (values == value).to_numpy()
            groups[value] = {"rows": int(mask.sum()), **card(mask)}
        large = [g for g in groups.values() if g["rows"] >= settings.min_subgroup_rows]
        column_gaps = {}
        for metric in METRICS:
            finite = [g[metric] for g in large if metric in g and math.isfinite(g[metric])]
            if len(finite) >= 2:
                column_gaps[metric] = max(finite) - min(finite)
        report[column] = groups
        gaps[column] = column_gaps
    return report, gaps


def plain_figures(figures: dict[str, Any], digits: int = 6) -> dict[str, Any]:
    """Figures for JSON: floats rounded, NaN (a metric without meaning here) as null."""
    return {
        key: (round(value, digits) if math.isfinite(value) else None)
        if isinstance(value, float)
        else value
        for key, value in figures.items()
    }
