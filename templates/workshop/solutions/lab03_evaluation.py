"""Lab 3, evaluation against baseline and oracle: where a model sits between the two
(reference solution).

`gap_closed` measures from the baseline (what a simple rival gets for free) towards the
oracle (the best any model could do on these rows), each difference turned the way the
metric improves, so that one formula serves "higher is better" and "lower is better" alike.
Nothing is clipped: a negative share is a model worse than its baseline, and a share above 1
a model that beat the oracle by the luck of the rows, both worth seeing.
"""

from __future__ import annotations

import math


def gap_closed(model: float, baseline: float, oracle: float, higher_is_better: bool) -> float:
    """The share of the distance from `baseline` to `oracle` that `model` covers, on one
    metric of the score card: 0 for a model no better than the baseline, 1 for one as good as
    the oracle, below 0 for a model worse than the baseline, above 1 for one that beats the
    oracle on these rows (their luck).

    `higher_is_better` is the metric's direction (task/metrics.py, METRICS). NaN when there
    is no gap to close: the oracle is no better than the baseline on these rows, or a figure
    is missing (NaN).
    """
    better = 1.0 if higher_is_better else -1.0  # turns every difference into an improvement
    gained = better * (model - baseline)
    room = better * (oracle - baseline)
    if not math.isfinite(gained) or not math.isfinite(room) or room <= 0:
        return math.nan
    return gained / room
