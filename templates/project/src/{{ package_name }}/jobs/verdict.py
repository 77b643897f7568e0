"""Monitoring's verdict: the quality on labelled rows, and every check against its limit.

Quality is computed with the project's own metric functions (the task's `quality_card`, as
evaluation computes it), on the labelled current rows, on the reference rows, and per group
of each `evaluation.subgroups` column. The verdict lists every check (the share of drifted
columns, each `monitoring.quality` limit, each `monitoring.max_subgroup_gap`) with its value
and threshold, and a sentence for each one that failed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..config import Config
from ..core.bundle import PipelineSpec
from ..core.gate import plain_figures, subgroup_gaps_of
from ..task.metrics import HEADLINE, METRICS
from ..task.quality import quality_card

# Subgroup columns travel with the monitored rows under this prefix.
GROUP_PREFIX = "group__"


def quality_summary(
    config: Config, reference: pd.DataFrame, labelled: pd.DataFrame, spec: PipelineSpec
) -> dict[str, Any]:
    """The model's quality on the labelled current rows, computed as evaluation computes it,
    the same on the reference rows, and the subgroup gaps of the current rows.

    (Evidently's presets show most of these figures too, but not all of them; computing them
    with the project's own metric functions keeps one definition of each.)
    """
    current = plain_figures(quality_card(labelled, spec, config.evaluation), 4)
    quality: dict[str, Any] = {"rows": len(labelled), **current}
    if reference["label"].notna().all():
        quality["reference"] = plain_figures(quality_card(reference, spec, config.evaluation), 4)
    groups = [name for name in labelled.columns if name.startswith(GROUP_PREFIX)]
    if groups:
        report, gaps = subgroup_gaps_of(
            config,
            {name.removeprefix(GROUP_PREFIX): labelled[name] for name in groups},
            lambda mask: quality_card(labelled[mask], spec, config.evaluation),
        )
        quality["subgroups"] = {
            column: {group: plain_figures(figures, 4) for group, figures in values.items()}
            for column, values in report.items()
        }
        quality["subgroup_gaps"] = {column: plain_figures(g, 4) for column, g in gaps.items()}
    return quality


def describe_quality(quality: dict[str, Any]) -> str:
    """One line for people: the headline metrics on the labelled rows, and on the reference."""
    reference = quality.get("reference") or {}
    shown = []
    for name in HEADLINE:
        value = quality.get(name)
        if value is None:
            continue
        against = reference.get(name)
        suffix = f" (reference {against:.4f})" if against is not None else ""
        shown.append(f"{METRICS[name].title} {value:.4f}{suffix}")
    return f"quality on {quality['rows']:,} labelled rows: " + ", ".join(shown)


def verdict(
    drift: dict[str, Any], quality: dict[str, Any] | None, config: Config
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every check with its value and threshold, and a sentence for each one that failed."""
    settings = config.monitoring
    checks = [
        {
            "name": "drifted_share",
            "value": drift["share"],
            "threshold": settings.max_drifted_share,
            "rule": "below",
            "passed": not drift["detected"],
        }
    ]
    reasons = []
    if drift["detected"]:
        columns = drift["per_column"]
        listed = ", ".join(
            f"{name} ({columns[name]['score']:.3f})" for name in drift["drifted_columns"]
        )
        reasons.append(
            f"data drift: {len(drift['drifted_columns'])} of {len(columns)} columns drifted "
            f"(share {drift['share']:.2f} >= {settings.max_drifted_share:.2f}): {listed}"
        )
    if quality is None:
        return checks, reasons
    # (check name, what it measures, value, limit, whether the value must be at least the limit)
    limits = [
        (name, METRICS[name].title, quality.get(name), limit, METRICS[name].higher_is_better)
        for name, limit in settings.quality.items()
    ]
    for name, largest in settings.max_subgroup_gap.items():
        for column, gaps in quality.get("subgroup_gaps", {}).items():
            title = f"the gap in {METRICS[name].title} between {column} groups"
            limits.append((f"{name}_gap_{column}", title, gaps.get(name), largest, False))
    for check_name, title, value, limit, at_least in limits:
        # A metric not defined on these rows (one class only, a single group) passes.
        passed = value is None or (value >= limit if at_least else value <= limit)
        checks.append(
            {
                "name": check_name,
                "value": value,
                "threshold": limit,
                "rule": "at_least" if at_least else "at_most",
                "passed": passed,
            }
        )
        if not passed:
            rule = "below the minimum" if at_least else "above the maximum"
            reasons.append(
                f"{title} is {value:.4f}, {rule} {limit:.4f} ({quality['rows']:,} labelled rows)"
            )
    return checks, reasons
