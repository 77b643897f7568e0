"""The gate: the checks a candidate must pass on its held-out rows to be registered.

`evaluation.gate` sets limits (absolute, or relative to what the data alone gives), how much
may be lost against the serving champion, the metrics on which the baseline must be beaten
(by default beyond the sampling noise of the held-out rows) and the largest gap between
subgroups; a challenger from `retrain` must also gain `retraining.min_gain_vs_champion` over
the champion on the recent production rows it was judged on. Whatever the configuration says,
the task's sanity checks apply (task/metrics.py `SANITY`: decisions cheaper than a trivial
rule, predictions better than a constant), and a limit no model could reach on these rows is
reported as a configuration error with the value that is reachable. Each check says what was
compared with what, so a refusal explains itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from ..task.metrics import METRICS, RELATIVE, SANITY

# Resamples of the held-out rows behind sampling noise and intervals.
BOOTSTRAP_ROUNDS = 200
# The share of resamples an interval of the report covers.
INTERVAL_LEVEL = 0.95


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


def bootstrap_cards(
    rows: int, scorers: dict[str, Callable[[np.ndarray], dict[str, float]]], seed: int
) -> dict[str, list[dict[str, float]]]:
    """Every scorer's card on the same BOOTSTRAP_ROUNDS resamples of the held-out rows
    (`card(positions)` scores the rows at `positions`).

    The same resamples for all, so that differences between two scorers are paired: what
    remains of their difference is theirs, not the rows'.
    """
    rng = np.random.default_rng(seed)
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in scorers}
    for _ in range(BOOTSTRAP_ROUNDS):
        positions = rng.integers(rows, size=rows)
        for name, card in scorers.items():
            samples[name].append(card(positions))
    return samples


def paired_noise(
    samples: dict[str, list[dict[str, float]]], first: str, second: str, names: list[str]
) -> dict[str, float]:
    """Two standard errors of (`first` - `second`) for each metric of `names`: how far the
    two may differ by the luck of the held-out rows alone."""
    if first not in samples or second not in samples:
        return {}
    noise = {}
    for name in names:
        differences = [
            a[name] - b[name] for a, b in zip(samples[first], samples[second], strict=True)
        ]
        noise[name] = 2 * float(np.nanstd(differences))
    return noise


def intervals(samples: dict[str, list[dict[str, float]]]) -> dict[str, dict[str, list[float]]]:
    """Each scorer's INTERVAL_LEVEL interval of each metric over the resamples (percentiles),
    for the report: how much of a figure is the held-out rows' luck."""
    tail = (1 - INTERVAL_LEVEL) / 2 * 100
    result: dict[str, dict[str, list[float]]] = {}
    for scorer, cards in samples.items():
        result[scorer] = {}
        for metric in cards[0] if cards else {}:
            values = np.array([card[metric] for card in cards], dtype="float64")
            values = values[np.isfinite(values)]
            if len(values):
                low, high = np.percentile(values, [tail, 100 - tail])
                result[scorer][metric] = [float(low), float(high)]
    return result


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
    noise: dict[str, dict[str, float]] | None = None,
    best: dict[str, float] | None = None,
) -> list[Check]:
    """Every check of `evaluation.gate` (and, for a `challenger`, of retraining), passed or not.

    `noise` holds, for the rivals "baseline" and "champion", how far the model and that rival
    may differ on each metric by the luck of the held-out rows alone (`paired_noise`); `best`
    the best value any model could reach on these rows, where it depends on them.
    """
    rules = config.evaluation.gate
    model = cards["model"]
    noise = noise or {}
    checks = [
        limit_check(name, limit, cards, challenger, noise.get("champion", {}), best or {})
        for name, limit in rules.limits.items()
    ]
    checks += [
        metric_check(f"{METRICS[name].title} (sanity: always checked)", name, model[name], limit)
        for name, limit in SANITY.items()
        if name not in rules.limits
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
    for name, margin in rules.beat_baseline.items():
        checks.append(baseline_check(name, margin, cards, noise.get("baseline", {})))
    for name, largest in rules.max_subgroup_gap.items():
        for column, column_gaps in gaps.items():
            gap = column_gaps.get(name, float("nan"))
            passed = bool(gap <= largest) if math.isfinite(gap) else True
            title = f"{METRICS[name].title} gap across {column}"
            checks.append(Check(title, gap, largest, False, passed))
    return checks


def baseline_check(
    name: str, margin: float | str, cards: dict[str, dict[str, float]], noise: dict[str, float]
) -> Check:
    """The model against the baseline on metric `name`, by `margin`: a number, or `noise`
    (more than the paired sampling noise of the held-out rows)."""
    title = f"{METRICS[name].title} vs baseline"
    if margin == "noise":
        margin = noise.get(name, 0.0)
        title += f" beyond sampling noise ({margin:.4f})"
    elif margin:
        title += f" + {margin:g}"
    baseline = cards["baseline"][name]
    limit = baseline + margin if METRICS[name].higher_is_better else baseline - margin
    check = metric_check(title, name, cards["model"][name], limit)
    if not check.passed and margin:
        # Not shown better: at least as good is not enough when the rows cannot tell.
        return replace(check, name=check.name + ": not shown better than the baseline")
    return check


def limit_check(
    name: str,
    limit: float,
    cards: dict[str, dict[str, float]],
    challenger: bool,
    noise: dict[str, float],
    best: dict[str, float],
) -> Check:
    """The model against the `limit` of metric `name`.

    A limit beyond the `best` value any model could reach on these rows is a configuration
    error, said as such. Recent rows can be harder than any the limit was set on: when a
    challenger misses the limit and the serving champion misses it too, the challenger must
    only not be worse than the champion, beyond what the luck of these rows can explain
    (`noise`).
    """
    title = METRICS[name].title
    reachable = best.get(name)
    if reachable is not None and not metric_check("", name, reachable, limit).passed:
        relative = RELATIVE.get(name)
        check = metric_check(
            f"{title}: configuration error, no model can reach this limit on these rows (the "
            f"most possible is {figure(reachable)}): lower gate.limits.{name}"
            + (f" or use the relative form {relative}" if relative else ""),
            name,
            cards["model"][name],
            limit,
        )
        return replace(check, passed=False)  # whatever the model scored: fix the limit
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
