"""Lab 7, monitoring and drift: the population stability index (PSI) of one column
(reference solution).

`psi` measures how far the current sample of a column has moved from its reference sample
(the training data). Both samples are cut at the *reference's* quantiles, so each bin holds
a known share of the reference (a tenth, with ten bins) and any change of the current
sample's shares is a change of the population. The outer bins are open ended, so that
values beyond anything the reference saw still count, and an empty bin's share is floored
so that its logarithm stays finite.
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
    # The inner edges only: below the first and above the last, the bins are open. A column
    # with few distinct values repeats a quantile; a repeated edge would make an empty bin.
    edges = np.unique(np.quantile(reference, np.linspace(0.0, 1.0, bins + 1)[1:-1]))
    expected = _shares(reference, edges)
    actual = _shares(current, edges)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The share of `values` in each bin between `edges` (and beyond them), floored."""
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return np.maximum(counts / len(values), FLOOR)
