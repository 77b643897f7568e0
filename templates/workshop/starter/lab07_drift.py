"""Lab 7, monitoring and drift: the population stability index (PSI) of one column.

Your task: `psi` below measures how far the current sample of a column has moved from its
reference sample (the training data). The first draft is the one most people write first,
and it never raises an alarm, whatever happens to the data. Find out why
(labs/07-monitoring.md), fix it, and run `make check LAB=7`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

# The share given to an empty bin, so that its logarithm stays finite.
FLOOR = 1e-4


def psi(reference: ArrayLike, current: ArrayLike, bins: int = 10) -> float:
    """The population stability index of `current` against `reference` (numbers, no missing
    values): 0 when the two are spread alike, larger the further `current` has moved.

    Both samples are cut into `bins` bins at the reference's quantiles, the outer two open
    ended; each bin's share of rows is floored at FLOOR. Neither sample is changed.
    """
    reference = np.asarray(reference, dtype=float)
    current = np.asarray(current, dtype=float)
    quantiles = np.linspace(0.0, 1.0, bins + 1)
    # TODO(lab 7): each sample is cut at its own quantiles: what shares can its bins hold?
    expected, _ = np.histogram(reference, bins=np.quantile(reference, quantiles))
    actual, _ = np.histogram(current, bins=np.quantile(current, quantiles))
    expected_share = np.maximum(expected / len(reference), FLOOR)
    actual_share = np.maximum(actual / len(current), FLOOR)
    return float(np.sum((actual_share - expected_share) * np.log(actual_share / expected_share)))
