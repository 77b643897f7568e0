"""What a model card shows of a regression model: its prediction interval, and its errors.

The card (adapters/modelcard.py) writes what every model has: lineage, the scorecards and the
gate, feature importance, subgroups. This module adds what only a number and its interval have.

Two plots show the predictions. Predicted against actual values, with the mean absolute error
by decile of the actual value: a model can do well on average and badly on the largest values.
The interval's coverage by decile of the prediction: an interval can cover 80% of all rows and
far fewer where the prediction is high.

The card hands `plots` its way to draw, so that every plot of a card looks alike:
`figure(width, height)` is a bare matplotlib `Figure` (no pyplot; matplotlib is imported only
then), `style(name)` the colour and line of a predictor ("model", "baseline", "champion").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The plots `plots` writes, in the card's folder.
PLOT_FILES = ("errors.png", "interval.png")
# Both plots bin rows by decile.
BINS = 10
# The predicted-against-actual plot draws this many rows at most, drawn with this seed.
SCATTER_ROWS = 2_000
SCATTER_SEED = 0


def outcome_counts(record: dict[str, Any], prefix: str = "") -> list[str]:
    """Nothing: a number has no classes to count, and the card shows the row counts alone."""
    return []


def detail_rows(metadata: dict[str, Any], number: Callable[[Any], str]) -> list[list[str]]:
    """The card's "Model details" row that describes the interval, odd values shown by `number`."""
    quantiles = metadata.get("interval")
    if not quantiles:
        return [["prediction interval", "none"]]
    level = _nominal_coverage(metadata)
    if level is None:
        return [["prediction interval", number(quantiles)]]
    described = f"quantiles {quantiles[0]:g} to {quantiles[1]:g} of the error ({level:.0%} nominal)"
    return [["prediction interval", described]]


def _nominal_coverage(metadata: dict[str, Any]) -> float | None:
    """The interval's nominal level from its quantiles ([0.1, 0.9] covers 80%), if known."""
    quantiles = metadata.get("interval")
    if not isinstance(quantiles, list | tuple) or len(quantiles) != 2:
        return None
    low, high = quantiles
    if not (_finite(low) and _finite(high) and 0 <= low < high <= 1):
        return None
    return float(high - low)


def _finite(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def plots(
    folder: Path,
    y: np.ndarray,
    predicted: dict[str, np.ndarray],
    metadata: dict[str, Any],
    *,
    figure: Callable[[float, float], Figure],
    style: Callable[[str], dict[str, Any]],
    bounds: np.ndarray | None = None,
) -> list[str]:
    """Draw the error plots into `folder`; return the card's lines that show them (or why not).

    `predicted` maps each predictor to its predictions for the rows of `y`; `bounds` holds the
    model's interval, lower and upper, row for row (None: the model has none).
    """
    if bounds is not None:
        bounds = np.asarray(bounds, dtype="float64")
        if bounds.shape != (len(y), 2):
            raise ValueError(f"bounds must have shape ({len(y)}, 2), not {bounds.shape}")
    lines = [""]
    if _plot_errors(folder / "errors.png", y, predicted, figure, style):
        lines += [
            "![Predicted against actual values, and error by decile of the actual value]"
            "(errors.png)",
            "",
        ]
    else:
        lines += ["No error plot: no held-out row has both an actual and a predicted value.", ""]
    nominal = _nominal_coverage(metadata)
    if bounds is None:
        lines += ["The model has no prediction interval to plot."]
    elif _plot_interval(
        folder / "interval.png", y, predicted["model"], bounds, nominal, figure, style
    ):
        lines += ["![Interval coverage by decile of the prediction](interval.png)"]
    else:
        lines += ["No coverage plot: no held-out row has an actual value and a whole interval."]
    return lines


def _pairs(y: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows where both the actual value and the prediction are finite numbers."""
    keep = np.isfinite(y) & np.isfinite(values)
    return y[keep], values[keep]


def _bins(values: np.ndarray, bins: int = BINS) -> tuple[np.ndarray, np.ndarray]:
    """Quantile bin edges of `values` (tied edges merged into one) and the bin of each value."""
    edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, max(len(edges) - 2, 0))
    return edges, which


def _bin_labels(edges: np.ndarray) -> list[str]:
    if len(edges) < 2:
        return [f"{edges[0]:.3g}"]
    return [f"{low:.3g}–{high:.3g}" for low, high in zip(edges[:-1], edges[1:], strict=True)]


def _plot_errors(
    path: Path,
    y: np.ndarray,
    predicted: dict[str, np.ndarray],
    figure: Callable[[float, float], Figure],
    style: Callable[[str], dict[str, Any]],
) -> bool:
    """Left, the model's predictions against actual values (a seeded sample); right, each
    predictor's mean absolute error by decile of the actual value. Binning by the actual value
    puts the same rows in each bin for every predictor, so the lines compare like with like.
    """
    actual, model = _pairs(y, predicted["model"])
    if not len(actual):
        return False
    canvas = figure(10, 4.2)
    scatter_axes, decile_axes = canvas.subplots(1, 2)
    rng = np.random.default_rng(SCATTER_SEED)
    shown = np.sort(rng.choice(len(actual), min(SCATTER_ROWS, len(actual)), replace=False))
    scatter_axes.scatter(
        actual[shown], model[shown], s=6, alpha=0.4, linewidths=0, **style("model")
    )
    low = float(min(actual[shown].min(), model[shown].min()))
    high = float(max(actual[shown].max(), model[shown].max()))
    scatter_axes.plot([low, high], [low, high], color="0.5", lw=1, label="predicted = actual")
    scatter_axes.set(
        xlabel="actual value",
        ylabel="model's prediction",
        title=f"Model: predicted against actual ({len(shown):,} rows)",
    )
    scatter_axes.legend(fontsize=8, loc="upper left")

    edges, _ = _bins(y[np.isfinite(y)])
    count = max(len(edges) - 1, 1)
    for name, values in predicted.items():
        actual, kept = _pairs(y, values)
        if not len(actual):
            continue
        which = np.clip(np.searchsorted(edges, actual, side="right") - 1, 0, count - 1)
        errors = [
            float(np.mean(np.abs(kept[which == b] - actual[which == b])))
            if np.any(which == b)
            else np.nan
            for b in range(count)
        ]
        decile_axes.plot(range(count), errors, marker="o", label=name, **style(name))
    decile_axes.set_xticks(range(count), _bin_labels(edges), rotation=35, ha="right", fontsize=8)
    decile_axes.set(
        xlabel="actual value (deciles)",
        ylabel="mean absolute error",
        title="Error by decile of the actual value",
    )
    decile_axes.legend(fontsize=8)
    for axes in (scatter_axes, decile_axes):
        axes.grid(alpha=0.3)
    canvas.savefig(path, dpi=canvas.dpi)
    return True


def _plot_interval(
    path: Path,
    y: np.ndarray,
    model: np.ndarray,
    bounds: np.ndarray,
    nominal: float | None,
    figure: Callable[[float, float], Figure],
    style: Callable[[str], dict[str, Any]],
) -> bool:
    """Share of actual values inside the model's interval, by decile of the prediction."""
    keep = np.isfinite(y) & np.isfinite(model) & np.isfinite(bounds).all(axis=1)
    if not keep.any():
        return False
    actual, prediction, lower, upper = y[keep], model[keep], bounds[keep, 0], bounds[keep, 1]
    inside = (actual >= lower) & (actual <= upper)
    edges, which = _bins(prediction)
    count = max(len(edges) - 1, 1)
    covered = [float(inside[which == b].mean()) if any(which == b) else 0.0 for b in range(count)]
    canvas = figure(6, 4)
    axes = canvas.subplots()
    axes.bar(range(count), covered, color=style("model")["color"], alpha=0.8)
    axes.axhline(inside.mean(), color="0.3", linestyle=":", label=f"all rows ({inside.mean():.1%})")
    if nominal is not None:
        axes.axhline(nominal, color="tab:red", linewidth=1.5, label=f"nominal ({nominal:.0%})")
    axes.set_xticks(range(count), _bin_labels(edges), rotation=35, ha="right", fontsize=8)
    axes.set(
        ylim=(0, 1.15),
        xlabel="model's prediction (deciles)",
        ylabel="share of actual values inside",
        title="Interval coverage by decile of the prediction",
    )
    axes.grid(alpha=0.3, axis="y")
    axes.legend(fontsize=8, loc="upper left", ncols=2)
    canvas.savefig(path, dpi=canvas.dpi)
    return True
