"""A seeded simulator of daily retail sales per store and item, whose expected demand is known.

A retailer's replenishment system orders stock for every store and item from a forecast of
the units it will sell over the next two weeks. Real point-of-sale data is confidential, and
it never tells how much of a day's sales was chance, so this project ships a simulator: it
returns the sales and, for every store, item and day, the *expected* number of units, the
mean of the distribution the units were drawn from. No model can forecast better than that
expectation (the oracle), so a model is judged against the oracle as well as against the
seasonal-naive forecast (the same weekday two weeks earlier).

How the data is generated
-------------------------
Series. A grid of stores and items: the items are a fixed catalogue of twenty grocery and
household products (``ITEMS``: milk sells every day, ice cream in summer, sparkling wine at the
year's end), stocked by every store; ``population`` is the number of store-item series, filled
store by store (100 series are 5 stores x 20 items). Each store has a size (how much it sells
of everything) and a price level; each series a level around ``item base x store size`` and a
slow trend (a yearly growth rate, measured from ``TREND_ORIGIN``). The series depend only on
``(population, seed)``, never on ``start``: a period simulated after the training period
continues the same series, their seasonality following the calendar.

Expected units of a series on a day are a product of effects:

* level x exp(growth x years since TREND_ORIGIN);
* weekly seasonality: a common shopping week (Friday and Saturday busy) adjusted per item by
  two Fourier harmonics;
* yearly seasonality: per item, a first harmonic with the catalogue's amplitude and peak day,
  plus a small drawn second harmonic;
* holidays: a fixed calendar of public holidays of a fictional country (``HOLIDAYS``; the
  ``holiday`` column says which days), on which each item sells the catalogue's multiple of a
  normal day (sparkling wine 2.5 times, detergent 0.7 times);
* promotions: random windows of 3 to 10 days (about one day in seven) with a price cut of 10 to
  40 % (the ``promotion`` column is 1 and ``price`` is the cut price). Demand responds to the
  price through the item's price elasticity, ``(price / regular price) ^ elasticity``, and to
  the promotion itself (displays, leaflets) by ``PROMOTION_LIFT``.

Noise. ``units_sold ~ Poisson(expected units)``: the variance equals the mean, the floor of
what a forecast of counts can reach (real sales are usually more dispersed than that, see
docs/problem.md). The truth column ``expected_units`` is the Poisson mean.

Drift. ``drift=True`` opens a discount competitor next to some stores (``COMPETITOR_STORES``,
at least one): their demand drops by ``COMPETITOR_LEVEL_FACTOR`` for every item and their
shoppers become more price sensitive (elasticities times ``COMPETITOR_ELASTICITY_FACTOR``).
The columns keep their ranges; only the relation of sales to history and price changes.

Everything is drawn from numpy generators seeded from ``seed`` (the series) and from
``(seed, start)`` (the period's promotions and noise), so the same arguments always give the
same frames, and a drifted period differs from the normal one by the competitor alone.
"""

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

# Size flag -> (number of store-item series, days). "small" is for tests (four stores, more
# than a year so that yearly lags exist, and 1,120 rows in a production period: enough for a
# drift verdict), "medium" the default (two years, so that yearly seasonality is seen twice:
# 73,000 rows), "large" ten stores over three years.
# A production period (`simulate --production`) is one forecast horizon: the 14 days a forecast
# made at the end of the training data covers.
PRODUCTION_DAYS = 14

SIZES: dict[str, tuple[int, int]] = {
    "small": (80, 400),
    "medium": (100, 730),
    "large": (200, 1095),
}

COLUMNS = (
    "row_id",
    "date",
    "store_id",
    "item_id",
    "price",
    "promotion",
    "holiday",
    "units_sold",
)


class Item(NamedTuple):
    regular_price: float  # shelf price at a store of average price level
    base_units: float  # expected units a day at a store of average size, on an average day
    elasticity: float  # d log(units) / d log(price)
    holiday_factor: float  # units on a public holiday / units on a normal day
    yearly_amplitude: float  # of log(units), first yearly harmonic
    peak_day: int  # day of the year when the first harmonic peaks


ITEMS: dict[str, Item] = {
    "milk": Item(1.19, 30.0, -0.8, 0.9, 0.03, 15),
    "bread": Item(2.49, 24.0, -0.9, 1.1, 0.03, 350),
    "bananas": Item(1.69, 20.0, -1.2, 0.9, 0.08, 60),
    "eggs": Item(3.29, 14.0, -0.9, 1.2, 0.10, 100),
    "coffee": Item(6.99, 6.0, -2.0, 1.0, 0.08, 330),
    "ice_cream": Item(4.49, 8.0, -2.2, 1.3, 0.60, 196),
    "sunscreen": Item(9.99, 2.0, -1.5, 1.2, 0.90, 190),
    "soup": Item(2.29, 7.0, -1.8, 0.8, 0.40, 15),
    "charcoal": Item(7.99, 3.0, -1.6, 2.0, 0.70, 180),
    "chocolate": Item(2.99, 10.0, -2.5, 1.5, 0.15, 350),
    "sparkling_wine": Item(11.99, 3.0, -2.8, 2.5, 0.30, 355),
    "beer": Item(8.49, 9.0, -2.4, 1.8, 0.30, 190),
    "cola": Item(2.19, 12.0, -2.6, 1.4, 0.20, 200),
    "chips": Item(2.79, 11.0, -2.7, 1.5, 0.10, 200),
    "pasta": Item(1.49, 9.0, -1.8, 0.9, 0.05, 20),
    "tomatoes": Item(2.99, 12.0, -1.4, 1.0, 0.25, 220),
    "detergent": Item(12.99, 3.0, -3.0, 0.7, 0.00, 1),
    "toilet_paper": Item(6.49, 5.0, -2.2, 0.8, 0.00, 1),
    "flowers": Item(5.99, 3.0, -1.6, 2.2, 0.30, 130),
    "batteries": Item(7.49, 2.0, -1.7, 1.1, 0.10, 355),
}
ITEM_IDS = tuple(ITEMS)
MAX_STORES = 10
STORE_IDS = tuple(f"s{i:02d}" for i in range(1, MAX_STORES + 1))
MAX_SERIES = MAX_STORES * len(ITEM_IDS)

# Public holidays of the fictional country, as (month, day): New Year, Founders' Day, Labour
# Day, Midsummer, National Day, Harvest Festival, Remembrance Day and the year's end.
HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1), (3, 14), (5, 1), (6, 21), (8, 17), (10, 5), (11, 11),
    (12, 24), (12, 25), (12, 26), (12, 31),
)  # fmt: skip

# Log-multipliers of the common shopping week, Monday to Sunday; items deviate from it by two
# Fourier harmonics with coefficients of spread WEEKLY_ITEM_SPREAD.
COMMON_WEEK = np.log([0.88, 0.85, 0.90, 0.96, 1.14, 1.32, 0.95])
WEEKLY_ITEM_SPREAD = 0.06
YEARLY_SECOND_HARMONIC_SPREAD = 0.05
DAYS_PER_YEAR = 365.25

STORE_SIZE_SIGMA = 0.35  # log-spread of store sizes
STORE_PRICE_LEVEL = (0.95, 1.08)  # stores price their shelves between these multiples
SERIES_LEVEL_SIGMA = 0.2  # log-spread of a series' level around item base x store size
GROWTH_MEAN, GROWTH_SIGMA = 0.02, 0.08  # yearly growth of a series' demand, on the log scale
TREND_ORIGIN = dt.date(2026, 1, 1)  # trends are measured from here, whatever the start

# Promotions: a window starts on a day outside a promotion with this probability, lasts a
# uniform 3 to 10 days and cuts the price by one of the DISCOUNTS (about 14 % of days).
PROMOTION_START_PROBABILITY = 1 / 40
PROMOTION_DAYS = (3, 10)
DISCOUNTS = np.array([0.10, 0.15, 0.20, 0.25, 0.30, 0.40])
PROMOTION_LIFT = 1.2  # displays and leaflets, on top of the price effect

# Day-to-day demand varies around its expectation by a gamma factor of this shape (mean 1,
# variance 1 / DEMAND_SHAPE): units are negative binomial, variance = mean + mean^2 / shape.
DEMAND_SHAPE = 8.0

# Drifted traffic: a discount competitor opens next to this share of the stores.
COMPETITOR_STORES = 0.4
COMPETITOR_LEVEL_FACTOR = 0.7
COMPETITOR_ELASTICITY_FACTOR = 1.5

# Independent random streams: the series must not depend on the period.
_POPULATION_STREAM, _PERIOD_STREAM = 0, 1


class Simulation(NamedTuple):
    """What `simulate` returns: the sales rows and, row for row, their ground truth.

    `rows` has the columns of config/pipeline.yaml, sorted by date, then store, then item.
    `truth` has row_id and expected_units, the Poisson mean units_sold was drawn from.
    """

    rows: pd.DataFrame
    truth: pd.DataFrame


class _Series(NamedTuple):
    """The store-item series, one entry per series, store by store."""

    store: np.ndarray  # index into STORE_IDS
    item: np.ndarray  # index into ITEM_IDS
    level: np.ndarray  # expected units a day at TREND_ORIGIN, before seasonality
    growth: np.ndarray  # per year, on the log scale
    regular_price: np.ndarray
    elasticity: np.ndarray
    holiday_factor: np.ndarray
    weekly: np.ndarray  # (n_series, 7) log-multipliers, Monday first
    yearly_cos: np.ndarray  # (n_series, 2) coefficients of the yearly harmonics
    yearly_sin: np.ndarray
    competitor: np.ndarray  # bool: a competitor opens next to the store when drifting


def simulate(
    population: int,
    days: int,
    *,
    seed: int = 42,
    start: str = "2026-01-01",
    drift: bool = False,
) -> Simulation:
    """Simulate `days` days of sales of `population` store-item series, starting at `start`.

    `start` is an ISO date. Calling again with a later `start` and the same `population` and
    `seed` continues the same series; `drift=True` opens a competitor next to some stores
    (see the module docstring).
    """
    if not 1 <= population <= MAX_SERIES or days < 1:
        raise ValueError(
            f"population must be between 1 and {MAX_SERIES} series and days at least 1, "
            f"got {population} and {days}"
        )
    first_day = dt.date.fromisoformat(start)
    series = _series(population, seed)
    # The period's draws ignore `drift`: a drifted run has the same promotions and the same
    # luck as the normal one, so that the difference is the competitor alone.
    period_seed = np.random.SeedSequence([seed, _PERIOD_STREAM, first_day.toordinal()])
    promotion_rng, noise_rng = (np.random.default_rng(s) for s in period_seed.spawn(2))

    dates = pd.date_range(first_day, periods=days, freq="D")
    discount = _promotions(population, days, promotion_rng)  # (days, n_series), 0 if none
    promotion = discount > 0
    price = np.round(series.regular_price * (1.0 - discount), 2)
    holiday = _is_holiday(dates)

    years = (dates.to_numpy() - np.datetime64(TREND_ORIGIN)) / np.timedelta64(1, "D")
    years = years / DAYS_PER_YEAR
    angle = 2 * np.pi * (dates.dayofyear.to_numpy() - 1) / DAYS_PER_YEAR
    harmonics = np.arange(1, 3)
    yearly = (
        np.cos(angle[:, None, None] * harmonics) * series.yearly_cos
        + np.sin(angle[:, None, None] * harmonics) * series.yearly_sin
    )  # (days, n_series, 2)
    level, elasticity = series.level, series.elasticity
    if drift:
        level = np.where(series.competitor, level * COMPETITOR_LEVEL_FACTOR, level)
        elasticity = np.where(
            series.competitor, elasticity * COMPETITOR_ELASTICITY_FACTOR, elasticity
        )
    log_units = (
        np.log(level)
        + series.growth * years[:, None]
        + series.weekly[:, dates.dayofweek.to_numpy()].T
        + yearly.sum(axis=2)
        + elasticity * np.log(price / series.regular_price)
        + np.log(PROMOTION_LIFT) * promotion
        + np.log(series.holiday_factor) * holiday[:, None]
    )
    expected = np.exp(log_units)
    # Negative binomial as a gamma-Poisson mixture: the day's demand rate varies around the
    # expectation (weather, local events), then the shoppers arrive at random.
    rate = noise_rng.gamma(DEMAND_SHAPE, expected / DEMAND_SHAPE)
    units = noise_rng.poisson(rate)

    n_rows = days * population
    store = np.array(STORE_IDS, dtype=object)[np.tile(series.store, days)]
    item = np.array(ITEM_IDS, dtype=object)[np.tile(series.item, days)]
    date = np.repeat(dates.to_numpy(), population)
    row_id = pd.Series(store) + "-" + item + "-" + np.repeat(dates.strftime("%Y-%m-%d"), population)
    rows = pd.DataFrame(
        {
            "row_id": row_id.to_numpy(dtype=object),
            "date": date.astype("datetime64[ns]"),
            "store_id": store,
            "item_id": item,
            "price": price.reshape(n_rows),
            "promotion": promotion.reshape(n_rows).astype(np.int64),
            "holiday": np.repeat(holiday, population).astype(np.int64),
            "units_sold": units.reshape(n_rows).astype(np.int64),
        },
        columns=list(COLUMNS),
    )
    truth = pd.DataFrame({"row_id": rows["row_id"], "expected_units": expected.reshape(n_rows)})
    return Simulation(rows, truth)


def _series(population: int, seed: int) -> _Series:
    """The store-item series: a function of (population, seed) only.

    The store parameters are drawn for all MAX_STORES stores, so that a store is the same
    store in a small and a large run with the same seed.
    """
    rng = np.random.default_rng([seed, _POPULATION_STREAM])
    n_items = len(ITEM_IDS)
    store_size = rng.lognormal(0.0, STORE_SIZE_SIGMA, size=MAX_STORES)
    store_price = rng.uniform(*STORE_PRICE_LEVEL, size=MAX_STORES)
    competitor_draw = rng.random(MAX_STORES)
    weekly_cos, weekly_sin = rng.normal(0.0, WEEKLY_ITEM_SPREAD, size=(2, n_items, 2))
    second_cos, second_sin = rng.normal(0.0, YEARLY_SECOND_HARMONIC_SPREAD, size=(2, n_items))
    series_level = rng.lognormal(0.0, SERIES_LEVEL_SIGMA, size=MAX_SERIES)
    growth = rng.normal(GROWTH_MEAN, GROWTH_SIGMA, size=MAX_SERIES)

    store, item = np.divmod(np.arange(population), n_items)
    n_stores = store.max() + 1
    # The stores with the most competitor-prone draws get a competitor, at least one.
    n_competitors = max(1, round(COMPETITOR_STORES * n_stores))
    competitor_stores = np.argsort(competitor_draw[:n_stores])[:n_competitors]

    catalogue = list(ITEMS.values())
    base_units = np.array([c.base_units for c in catalogue])
    day = np.arange(7)
    harmonic_angle = 2 * np.pi * day[:, None] * np.arange(1, 3) / 7  # (7, 2)
    weekly = (
        COMMON_WEEK + weekly_cos @ np.cos(harmonic_angle).T + weekly_sin @ np.sin(harmonic_angle).T
    )  # (n_items, 7)
    peak_angle = 2 * np.pi * (np.array([c.peak_day for c in catalogue]) - 1) / DAYS_PER_YEAR
    amplitude = np.array([c.yearly_amplitude for c in catalogue])
    yearly_cos = np.column_stack([amplitude * np.cos(peak_angle), second_cos])
    yearly_sin = np.column_stack([amplitude * np.sin(peak_angle), second_sin])

    return _Series(
        store=store,
        item=item,
        level=base_units[item] * store_size[store] * series_level[:population],
        growth=growth[:population],
        regular_price=np.round(
            np.array([c.regular_price for c in catalogue])[item] * store_price[store], 2
        ),
        elasticity=np.array([c.elasticity for c in catalogue])[item],
        holiday_factor=np.array([c.holiday_factor for c in catalogue])[item],
        weekly=weekly[item],
        yearly_cos=yearly_cos[item],
        yearly_sin=yearly_sin[item],
        competitor=np.isin(store, competitor_stores),
    )


def _promotions(n_series: int, days: int, rng: np.random.Generator) -> np.ndarray:
    """The price cut of every series on every day, 0 outside promotions: (days, n_series).

    Per series, alternating gaps (geometric, PROMOTION_START_PROBABILITY a day) and windows
    (uniform PROMOTION_DAYS), enough of them to cover the period, each window with a discount.
    """
    n_windows = days // (1 + PROMOTION_DAYS[0]) + 1
    gaps = rng.geometric(PROMOTION_START_PROBABILITY, size=(n_series, n_windows)) - 1
    lengths = rng.integers(PROMOTION_DAYS[0], PROMOTION_DAYS[1] + 1, size=(n_series, n_windows))
    cuts = rng.choice(DISCOUNTS, size=(n_series, n_windows))
    ends = np.cumsum(gaps + lengths, axis=1)
    starts = ends - lengths
    discount = np.zeros((days, n_series))
    for s, w in zip(*np.nonzero(starts < days), strict=True):
        discount[starts[s, w] : ends[s, w], s] = cuts[s, w]
    return discount


def _is_holiday(dates: pd.DatetimeIndex) -> np.ndarray:
    """1 on the fictional country's public holidays (HOLIDAYS), else 0."""
    month_day = dates.month.to_numpy() * 100 + dates.day.to_numpy()
    return np.isin(month_day, [month * 100 + day for month, day in HOLIDAYS]).astype(np.int64)
