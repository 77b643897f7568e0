"""Lab 7's checkpoint: `psi` must measure a shift the way monitoring needs it.

The checkpoint first runs `psi` on samples whose answer is known (the same sample twice, a
shifted normal, values beyond the reference's range, a column stuck at one value), and
compares it with the PSI computed here; when the answer is off, it tells which classic
mistake gives that answer. Then it runs `psi` on this use case's drifting column
(labs/kit.yaml, `drift`): normal production must stay quiet and drifted production must
raise the alarm.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np
import pandas as pd

from labs.exercises.lab07_drift import psi

from .kit import Incomplete, settings, simulated

TITLE = "Monitoring and drift"
PAGE = "07-monitoring.md"

# The usual reading of a PSI: below 0.1 the population is stable, from 0.1 to 0.25 it has
# moved somewhat, above 0.25 it has moved a lot. The checkpoint asks for "stable" on normal
# traffic and for more than QUIET on drifted traffic.
STABLE = 0.1
QUIET = 0.2
FLOOR = 1e-4
SIZE = 5000


def check() -> str:
    rng = np.random.default_rng(7)
    normal = rng.normal(0.0, 1.0, SIZE)
    cases = {
        "the same sample twice": (normal, normal.copy()),
        "N(0, 1) against N(1, 1)": (normal, rng.normal(1.0, 1.0, SIZE)),
        "values beyond the reference's largest": (
            rng.uniform(0.0, 1.0, SIZE),
            np.concatenate([rng.uniform(0, 1, 7 * SIZE // 10), rng.uniform(1, 2, 3 * SIZE // 10)]),
        ),
        "skewed amounts, doubled": (
            rng.lognormal(0.0, 1.0, SIZE),
            2.0 * rng.lognormal(0.0, 1.0, SIZE),
        ),
    }
    _check_answers_a_number_and_keeps_its_input(normal)
    _check_empty_bins(normal)
    for name, (reference, current) in cases.items():
        _check_case(name, reference, current)
    _check_bins(*cases["N(0, 1) against N(1, 1)"])
    _check_other_sample(normal, rng.normal(0.0, 1.0, SIZE))
    return _check_domain()


def reference_psi(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """The PSI written out: both samples cut at the reference's quantiles, outer bins open."""
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))
    return _index(_shares(reference, edges), _shares(current, edges))


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return np.maximum(counts / len(values), FLOOR)


def _index(expected: np.ndarray, actual: np.ndarray) -> float:
    return float(np.sum((actual - expected) * np.log(actual / expected)))


# The classic mistakes, each written out so that a wrong answer can be recognised.


def _own_quantiles(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    quantiles = np.linspace(0, 1, bins + 1)
    expected = np.histogram(reference, np.quantile(reference, quantiles))[0] / len(reference)
    actual = np.histogram(current, np.quantile(current, quantiles))[0] / len(current)
    return _index(np.maximum(expected, FLOOR), np.maximum(actual, FLOOR))


def _closed_outer_bins(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    edges = np.quantile(reference, np.linspace(0, 1, bins + 1))
    expected = np.histogram(reference, edges)[0] / len(reference)
    actual = np.histogram(current, edges)[0] / len(current)
    return _index(np.maximum(expected, FLOOR), np.maximum(actual, FLOOR))


def _equal_width(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    edges = np.histogram_bin_edges(reference, bins)[1:-1]
    return _index(_shares(reference, edges), _shares(current, edges))


def _one_sided(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))
    expected, actual = _shares(reference, edges), _shares(current, edges)
    return float(np.sum(actual * np.log(actual / expected)))


MISTAKES: list[tuple[Callable[..., float], str]] = [
    (
        _own_quantiles,
        "your PSI cuts each sample at its own quantiles: then every bin holds a tenth of each "
        "sample by construction, whatever happened to the data, and no shift can show. The "
        "bins must be the same for both samples: cut them at the *reference's* quantiles, "
        "and count where the current values fall.",
    ),
    (
        _closed_outer_bins,
        "your bins stop at the reference's smallest and largest values, so current values "
        "beyond them are not counted at all: the very values a drift brings. Make the outer "
        "two bins open ended (from minus infinity to the first inner edge, from the last "
        "inner edge to plus infinity).",
    ),
    (
        _equal_width,
        "your bins are of equal width: on a skewed column (amounts, counts, durations) nearly "
        "every row falls in the first bin or two, and a shift inside them does not show. Cut "
        "at the reference's quantiles, so that each bin holds an equal share of it.",
    ),
    (
        _one_sided,
        "your sum has only one side, current × ln(current / reference): that is a "
        "Kullback-Leibler divergence, not the PSI. Each bin adds "
        "(current share − reference share) × ln(current share / reference share).",
    ),
]


def _call(reference: np.ndarray, current: np.ndarray, bins: int | None = None) -> float:
    """The student's `psi` on copies, as a float (it must not change what it is given)."""
    given_reference, given_current = reference.copy(), current.copy()
    with np.errstate(divide="ignore", invalid="ignore"):  # the messages below say it better
        if bins is None:
            answer = psi(given_reference, given_current)
        else:
            answer = psi(given_reference, given_current, bins=bins)
    kept = np.array_equal(given_reference, reference), np.array_equal(given_current, current)
    if not all(kept):
        raise Incomplete("psi changed the samples it was given: compute on copies instead")
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incomplete(f"psi must return one number (a float), not {type(answer).__name__}")
    return float(answer)


def _close(answer: float, expected: float) -> bool:
    """Equal up to the small differences of how quantiles are interpolated."""
    return bool(np.isclose(answer, expected, rtol=0.1, atol=0.01))


def _check_answers_a_number_and_keeps_its_input(normal: np.ndarray) -> None:
    _call(normal, normal[::-1].copy())


def _check_empty_bins(normal: np.ndarray) -> None:
    stuck = np.full(len(normal) // 5, float(np.median(normal)))
    answer = _call(normal, stuck)
    _check_not_negative(answer, "a column stuck at one value")
    if not np.isfinite(answer):
        raise Incomplete(
            f"psi gives {answer} when a column gets stuck at one value (a broken sensor, a "
            "default filled in everywhere): every bin but one is empty, and ln(0) is infinite. "
            f"Floor each bin's share at a small number (FLOOR = {FLOOR:g}) before the "
            "logarithm: the alarm must ring with a number, not crash."
        )
    expected = reference_psi(normal, stuck)
    if answer < STABLE:
        raise Incomplete(
            f"a column stuck at one value gets a PSI of {answer:.3f} from your psi (expected "
            f"about {expected:.1f}): nine bins out of ten emptied is as large a change as a "
            "population can make. Do empty bins count in your sum?"
        )


def _check_case(name: str, reference: np.ndarray, current: np.ndarray) -> None:
    answer = _call(reference, current)
    expected = reference_psi(reference, current)
    _check_not_negative(answer, name)
    if _close(answer, expected):
        return
    if answer > 50 * max(expected, 0.01):
        raise Incomplete(
            f"psi gives {answer:,.1f} on {name}, where the PSI is {expected:.3f}: compare the "
            "*shares* of rows in each bin (count / number of rows), not the counts, so that "
            "samples of different sizes can be compared."
        )
    for mistake, message in MISTAKES:
        if _close(answer, mistake(reference, current)):
            raise Incomplete(
                f"on {name}, your psi gives {answer:.3f} where the PSI is {expected:.3f}: "
                + message
            )
    raise Incomplete(
        f"on {name}, your psi gives {answer:.3f} where the PSI is {expected:.3f}. Cut both "
        "samples at the reference's quantiles (outer bins open ended), take each bin's share "
        "of rows, floored, and add up (current − reference) × ln(current / reference)."
    )


def _check_not_negative(answer: float, name: str) -> None:
    if answer < -1e-9:
        raise Incomplete(
            f"psi gives {answer:.3f} on {name}: a PSI is never negative, as each bin's "
            "(current − reference) and ln(current / reference) have the same sign. Check the "
            "order of the two samples in your sum."
        )


def _check_bins(reference: np.ndarray, current: np.ndarray) -> None:
    answer = _call(reference, current, bins=4)
    expected = reference_psi(reference, current, bins=4)
    if not _close(answer, expected):
        raise Incomplete(
            f"with bins=4, your psi gives {answer:.3f} where the PSI is {expected:.3f}: use "
            "the `bins` it is given (its quartiles, then), not a fixed number of bins"
        )


def _check_other_sample(reference: np.ndarray, current: np.ndarray) -> None:
    answer = _call(reference, current)
    if answer >= STABLE / 2:
        raise Incomplete(
            f"two samples of the same population get a PSI of {answer:.3f} from your psi "
            f"(expected about {reference_psi(reference, current):.3f}): sampling noise alone "
            "would raise the alarm"
        )


def _check_domain() -> str:
    """The use case's drifting column: quiet on normal production, loud on drifted."""
    kit = settings()
    drift = kit["drift"]
    column, where = drift["column"], drift.get("where") or {}
    frames = {
        "training": simulated(),
        "normal": simulated(production=True),
        "drifted": simulated(drift=True),
    }
    segment = {name: _segment(frame, where)[column].dropna() for name, frame in frames.items()}
    rows = f"{column} of the {kit['rows']}" + "".join(
        f" with {key} {value}" for key, value in where.items()
    )
    reference = segment["training"].to_numpy(float)
    normal = _call(reference, segment["normal"].to_numpy(float))
    drifted = _call(reference, segment["drifted"].to_numpy(float))
    if normal >= STABLE:
        raise Incomplete(
            f"{rows}: your psi gives {normal:.3f} for a normal production period against the "
            f"training data (the PSI: {reference_psi(reference, segment['normal']):.3f}). "
            f"Above {STABLE} it would page someone every day for nothing."
        )
    if drifted <= QUIET and reference_psi(reference, segment["drifted"]) <= QUIET:
        raise Incomplete(
            f"{rows}: your psi gives {drifted:.3f} for a drifted production period, as the "
            "checkpoint's own PSI does, but that is not a clear alarm: this column does not "
            "separate drifted traffic from normal traffic. The kit's settings need another "
            "column, or a `where` segment (labs/kit.yaml, `drift`): tell your teacher."
        )
    if drifted <= QUIET:
        raise Incomplete(
            f"{rows}: your psi gives {drifted:.3f} for a drifted production period (the PSI: "
            f"{reference_psi(reference, segment['drifted']):.3f}); the alarm should ring above "
            f"{QUIET}."
        )
    summary = (
        f"PSI of {rows}: {normal:.3f} in normal production, {drifted:.3f} in drifted "
        f"production (alarm above {QUIET})"
    )
    if where:
        pooled = {name: frame[column].dropna().to_numpy(float) for name, frame in frames.items()}
        summary += (
            f"; over all {kit['rows']}: {_call(pooled['training'], pooled['normal']):.3f} "
            f"and {_call(pooled['training'], pooled['drifted']):.3f}"
        )
    return summary


def _segment(frame: pd.DataFrame, where: dict) -> pd.DataFrame:
    """The rows of `frame` whose columns hold the values `where` names (all rows if none)."""
    keep = np.ones(len(frame), dtype=bool)
    for key, value in where.items():
        keep &= frame[key].astype(str).to_numpy() == str(value)
    return frame[keep]
