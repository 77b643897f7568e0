"""Lab 3, evaluation against baseline and oracle: where a model sits between the two.

Your task: `gap_closed` below says how much of the distance from the baseline (the simple
rival, fitted on the same rows) to the oracle (what the simulator knows: the best any model
could do on these rows) a model covers. The draft is the figure most people quote first, and
it flatters. Find out how (labs/03-evaluation.md), fix it, and run `make check LAB=3`.
"""

from __future__ import annotations


def gap_closed(model: float, baseline: float, oracle: float, higher_is_better: bool) -> float:
    """The share of the distance from `baseline` to `oracle` that `model` covers, on one
    metric of the score card: 0 for a model no better than the baseline, 1 for one as good as
    the oracle, below 0 for a model worse than the baseline, above 1 for one that beats the
    oracle on these rows (their luck).

    `higher_is_better` is the metric's direction (task/metrics.py, METRICS). NaN when there
    is no gap to close: the oracle is no better than the baseline on these rows, or a figure
    is missing (NaN).
    """
    # TODO(lab 3): "as a share of the best possible" forgets where the baseline starts, and
    # which way is better for this metric.
    return model / oracle
