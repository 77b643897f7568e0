"""Lag, rolling-mean, price and calendar features of demand series, horizon-safe.

A demand forecast is made at an *origin* (today, with today's sales known) for every period
up to `horizon` periods ahead (a replenishment order covers the next two weeks). The best
predictors of demand are past demand: the same weekday a few weeks back, the average of the
last weeks. A lag of L periods is only known at forecast time if L >= horizon: a forecast
made today for 14 days ahead cannot use the sales of the 13 days in between. This module
therefore builds *direct, horizon-safe* features: every lag is at least `horizon` periods
back, and every rolling mean ends `horizon` periods back, so one model forecasts any period
of the horizon from actuals known at the origin, and its training rows see exactly what a
forecast sees. A lag shorter than the horizon is refused (ValueError).

One engine serves any table of demand series, configured by `data.feature_settings`:

    series: [store_id, item_id]   # columns naming a series; [] for a single series
    time: date                    # the date (or timestamp) column
    hour: hr                      # optional: the hour of day, when it is a separate column
    frequency: day                # hour, day, week or month: the period everything counts in
    target: units_sold            # the demand column
    horizon: 14                   # periods ahead the forecast must reach
    lags: [14, 21, 28, 35]        # periods back, each >= horizon: <target>_lag_<L>
    windows: [7, 28, 91]          # rolling means ending `horizon` back: <target>_mean_<W>
    price: price                  # optional: price features, from this column
    price_window: 56              # optional: periods the regular price is taken over

Horizon, lags and windows count periods of the frequency: with `frequency: week`, lag 1 is
last week and lag 52 the same week a year back; with `month`, lag 12 is the same month a
year back. A period is a whole hour, day, week (Monday to Sunday, whatever weekday the data
stamps its weeks with) or calendar month, numbered from 1970-01-01, so that a missing period
(a day without a row, an hour the data lacks) leaves its lags empty (NaN, which xgboost
handles) instead of shifting them. With `price`, a row gets its price relative to the
series' regular price (the median of its prices over the `price_window` periods ending
`horizon` back) and its price change since `horizon` periods back. Calendar features
complete the set: the parts of the date that vary from one period to the next (hour of day,
day of week, day of year, week of year, month; see CALENDAR).

The history keeps, per series, the actuals (and prices) of the periods the longest lag or
window still needs. `engineer_features` computes each row's features from the history as it
stands plus the actuals of earlier rows of the same frame (rows with a target value: the
training data, or actuals arriving in production); then it adds those actuals to the
history. A row without a target (a forecast request) reads the history and adds nothing. The
target of a row itself is never read for its own features. For a store shared by several
service replicas, the history splits into one piece per series (`state_keys`, `get_state`,
`set_state`), in the same JSON form as the saved history's.

The same features come in two forms. `engineer_features` (and `last_seen`) work on a frame
with pandas and numpy: they build the training set and score batches. `row_features` (and
`row_last_seen`) compute one raw row, a plain dict, with the standard library only: the web
service's online path, where pandas and numpy scalars would cost more than the model. Both
read the same history through the same period, series-key and window arithmetic (the helpers
below), and a parity test holds them equal: the per-row form returns exactly the float64
values the frame form gives each row, and leaves the history as it does.

The seasonal-naive forecast, the baseline a forecast must beat, is one of the lags: the one
a whole season back (`units_sold_lag_14`, the same weekday two weeks ago, for daily sales
with a 14-day horizon; `cnt_lag_168`, the same hour a week ago, for hourly bike rentals;
`<target>_lag_52` for weekly and `<target>_lag_12` for monthly data, the same time a year
ago).
"""

import math
import sys
import warnings
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

# The name `data.feature_engineering` gives these features in config/pipeline.yaml.
KIND = "sales"
# What the history is kept per.
ENTITY = "series"

# The settings of the simulated retail data (config/pipeline.yaml), used when none are given.
DEFAULT_SETTINGS: dict = {
    "series": ["store_id", "item_id"],
    "time": "date",
    "frequency": "day",
    "target": "units_sold",
    "horizon": 14,
    "lags": [14, 21, 28, 35],
    "windows": [7, 28, 91],
    "price": "price",
    "price_window": 56,
}
FREQUENCIES = ("hour", "day", "week", "month")
# The calendar features of each frequency: those that vary between its periods (every weekly
# row of a series falls on the same weekday, so a weekly day of week would be a constant).
CALENDAR: dict[str, tuple[str, ...]] = {
    "hour": ("hour_of_day", "day_of_week", "day_of_year", "month"),
    "day": ("day_of_week", "day_of_year", "month"),
    "week": ("week_of_year", "month"),
    "month": ("month",),
}
# The periods the regular price is the median over, when `price_window` is not given: about
# two months.
DEFAULT_PRICE_WINDOW = {"hour": 56, "day": 56, "week": 8, "month": 2}
HISTORY_FORMAT = 1
# Periods are counted from the start of 1970-01-01.
_EPOCH_DATE = date(1970, 1, 1)
_EPOCH = np.datetime64(_EPOCH_DATE, "D")
_EPOCH_DATETIME = datetime(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH_DATE.toordinal()
# 1970-01-01 was a Thursday: shifted by three days, weeks are counted from Monday.
_WEEK_OFFSET = 3
_SERIES_SEPARATOR = "|"
# How a missing series value is written in a series key: what pandas' `astype(str)` writes
# for a missing value of the service's typed request columns (text, category, int).
_MISSING_KEY_PART = "<NA>"
# The key of a series' piece of the history in a shared online store (`state_keys`): its
# actuals and prices, as `SalesHistory.to_dict` saves them.
SERIES_KEY = f"{ENTITY}:"  # + the series key ("" for a single series; may hold "|")
_NAN = float("nan")


def validated_settings(settings: dict) -> dict:
    """The feature settings, complete and checked; the defaults when `settings` is empty.

    Raises ValueError with what to fix: an unknown frequency, a lag shorter than the horizon
    (it would need actuals not yet known at the forecast origin), a window below one period.
    """
    if not settings:
        settings = DEFAULT_SETTINGS
    unknown = set(settings) - {*DEFAULT_SETTINGS, "hour"}
    if unknown:
        raise ValueError(f"unknown feature settings {sorted(unknown)}")
    missing = {"time", "frequency", "target", "horizon", "lags"} - set(settings)
    if missing:
        raise ValueError(f"feature settings lack {sorted(missing)}")
    unnamed = [key for key in ("time", "target") if not isinstance(settings[key], str)]
    if unnamed:
        raise ValueError(
            f"feature settings {' and '.join(unnamed)} must name a column of the data (the "
            f"time of each actual, the target), not {settings[unnamed[0]]!r}: a forecast reads "
            "each series' past in time order"
        )
    frequency = settings["frequency"]
    if frequency not in FREQUENCIES:
        raise ValueError(f"frequency must be one of {FREQUENCIES}, got {frequency!r}")
    if settings.get("hour") and frequency != "hour":
        raise ValueError("an hour column needs frequency: hour")
    horizon = int(settings["horizon"])
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1 period, got {horizon}")
    lags = [int(lag) for lag in settings["lags"]]
    if not lags:
        raise ValueError("at least one lag is needed")
    too_short = [lag for lag in lags if lag < horizon]
    if too_short:
        raise ValueError(
            f"lags {too_short} are shorter than the horizon {horizon}: a forecast {horizon} "
            "periods ahead cannot use them (they would need actuals after the forecast "
            "origin). Use lags of at least the horizon."
        )
    windows = [int(window) for window in settings.get("windows", [])]
    if any(window < 1 for window in windows):
        raise ValueError(f"windows must be at least 1 period, got {windows}")
    price_window = int(settings.get("price_window", DEFAULT_PRICE_WINDOW[frequency]))
    if price_window < 1:
        raise ValueError(f"price_window must be at least 1 period, got {price_window}")
    if len(set(lags)) < len(lags) or len(set(windows)) < len(windows):
        raise ValueError("lags and windows must not repeat")
    return {
        "series": [str(column) for column in settings.get("series", [])],
        "time": str(settings["time"]),
        "hour": str(settings["hour"]) if settings.get("hour") else None,
        "frequency": frequency,
        "target": str(settings["target"]),
        "horizon": horizon,
        "lags": sorted(lags),
        "windows": sorted(windows),
        "price": str(settings["price"]) if settings.get("price") else None,
        "price_window": price_window,
    }


def feature_names(settings: dict) -> list[str]:
    """The engineered features, in model order, for these settings."""
    s = validated_settings(settings)
    target = s["target"]
    names = [f"{target}_lag_{lag}" for lag in s["lags"]]
    names += [f"{target}_mean_{window}" for window in s["windows"]]
    if s["price"]:
        names += ["price_vs_regular", "price_change"]
    return [*names, *CALENDAR[s["frequency"]]]


def required_columns(settings: dict) -> list[str]:
    """The raw columns the features read (the target only where it is present)."""
    s = validated_settings(settings)
    return [*s["series"], s["time"], *filter(None, (s["hour"], s["price"]))]


# The raw columns the simulated retail data needs featurised.
REQUIRED_COLUMNS: tuple[str, ...] = tuple(required_columns(DEFAULT_SETTINGS))


class SalesHistory:
    """The online state of feature engineering: the recent actuals of every series.

    Per series (keyed by its series columns' values joined with "|"), a mapping of period
    index -> [actual, price] (price None without price settings), trimmed to the periods
    the longest lag or window can still read. `to_dict` makes it JSON-serialisable, with
    the settings, so that the service starts with what training knew.
    """

    def __init__(self, settings: dict, series: dict[str, dict[int, list]] | None = None):
        self.settings = validated_settings(settings)
        self.series: dict[str, dict[int, list]] = series if series is not None else {}

    def __len__(self) -> int:
        return len(self.series)

    @property
    def span(self) -> int:
        """How many periods back from a forecast the features read."""
        s = self.settings
        reach = [*s["lags"], *(s["horizon"] + w - 1 for w in s["windows"])]
        if s["price"]:
            reach.append(s["horizon"] + s["price_window"] - 1)
        return max(reach)

    def to_dict(self) -> dict:
        return {
            "format": HISTORY_FORMAT,
            "settings": self.settings,
            "series": {key: _series_to_dict(actuals) for key, actuals in self.series.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> "SalesHistory":
        if data.get("format") != HISTORY_FORMAT:
            raise ValueError(f"unknown sales history format: {data.get('format')!r}")
        series = {key: _series_from_dict(stored) for key, stored in data["series"].items()}
        return cls(data["settings"], series)


def _series_to_dict(actuals: dict[int, list]) -> dict:
    """One series' actuals as `SalesHistory.to_dict` saves them: periods, actuals and
    prices as three lists, in the order they were stored (JSON keys would be text)."""
    return {
        "periods": list(actuals),
        "actuals": [value[0] for value in actuals.values()],
        "prices": [value[1] for value in actuals.values()],
    }


def _series_from_dict(stored: dict) -> dict[int, list]:
    """One series' actuals saved by `_series_to_dict`."""
    return {
        int(period): [float(actual), None if price is None else float(price)]
        for period, actual, price in zip(
            stored["periods"], stored["actuals"], stored["prices"], strict=True
        )
    }


def new_history(settings: dict) -> SalesHistory:
    """An empty history for these feature settings: no actual seen yet."""
    return SalesHistory(settings)


def history_from_dict(data: dict) -> SalesHistory:
    """A history saved with `SalesHistory.to_dict` (for instance as JSON)."""
    return SalesHistory.from_dict(data)


def engineer_features(frame: pd.DataFrame, history: SalesHistory) -> pd.DataFrame:
    """Features of each row from the series' earlier actuals; adds the frame's actuals.

    `frame` must be in time order. A row's lag L is the series' actual L periods before the
    row's period, from the history or an earlier row of the frame; NaN when unknown. Rows
    whose target is present (and not missing) are added to the history afterwards. Returns
    float64 columns `feature_names(history.settings)` with the index of `frame`.
    """
    s = history.settings
    missing = [c for c in required_columns(s) if c not in frame.columns]
    if missing:
        raise KeyError(f"the rows lack the columns {missing} the features read")
    names = feature_names(s)
    timestamps = pd.DatetimeIndex(pd.to_datetime(frame[s["time"]]))
    period = _periods(frame, timestamps, s)
    if np.any(np.diff(period) < 0):
        raise ValueError(f"rows must be sorted by {s['time']} (in time order)")

    if s["target"] in frame.columns:
        actual = pd.to_numeric(frame[s["target"]]).to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        actual = np.full(len(frame), np.nan)
    price = frame[s["price"]].to_numpy(dtype=np.float64, na_value=np.nan) if s["price"] else None

    n_history = len(names) - len(CALENDAR[s["frequency"]])
    features = np.full((len(frame), len(names)), np.nan)
    keys = _series_keys(frame, s["series"])
    for key, rows in pd.Series(np.arange(len(frame))).groupby(keys, sort=False).indices.items():
        series_price = None if price is None else price[rows]
        features[rows, :n_history] = _series_features(
            history, key, period[rows], actual[rows], series_price
        )
        _remember(history, key, period[rows], actual[rows], series_price)

    calendar = {
        "hour_of_day": lambda: _hour_of_day(period),
        "day_of_week": lambda: timestamps.dayofweek,
        "day_of_year": lambda: timestamps.dayofyear,
        "week_of_year": lambda: timestamps.isocalendar().week.to_numpy(dtype=np.int64),
        "month": lambda: timestamps.month,
    }
    features[:, n_history:] = np.column_stack(
        [calendar[name]() for name in CALENDAR[s["frequency"]]]
    )
    return pd.DataFrame(features, index=frame.index, columns=names)


def row_features(row: dict, history: SalesHistory) -> list[float]:
    """The features of one raw row, in `feature_names(history.settings)` order; adds its
    actual to the history.

    The per-row form of `engineer_features`, with the standard library only, for the web
    service: `row` maps column names to the values a validated request holds (the time as a
    naive UTC `datetime`, numbers as int or float, text as str, None where missing). It
    returns exactly the float64 values `engineer_features` gives the row in a frame (NaN
    where those are NaN), from the history as it stands; then, if the row has an actual (its
    target present and not missing), remembers it as `engineer_features` does. Rows must
    come in time order, as `engineer_features` takes them.

    One case differs, and only with actuals: a row of a frame reads every earlier actual of
    the frame, while the history keeps only the `span` periods up to a series' latest actual.
    So in a frame, a row at the period of an earlier actual of its series (whose longest lag
    or window reaches `span` back), or rows older than their series' latest actual in the
    history, can read an actual the history has let go of. This form reads what
    `engineer_features` reads given the rows one at a time. A forecast request has no actual:
    the service is never in that case.
    """
    s = history.settings
    horizon = s["horizon"]
    span = history.span
    time = _row_time(row, s)
    period = _row_period(row, time, s)
    key = _row_series_key(row, s["series"])
    stored = history.series.get(key, {})
    # The periods the features read, oldest first: from `span` back to `horizon` back.
    past = list(map(stored.get, range(period - span, period - horizon + 1)))
    actuals = [_NAN if entry is None else entry[0] for entry in past]
    end = len(past)  # position `end - 1` is `horizon` periods back
    features = [actuals[span - lag] for lag in s["lags"]]
    features += [_known_mean(actuals[end - window : end]) for window in s["windows"]]
    price = None
    if s["price"]:
        price = _row_number(row, s["price"])
        prices = [_NAN if entry is None or entry[1] is None else entry[1] for entry in past]
        regular = _known_median(prices[end - s["price_window"] : end])
        features += [_divide(price, regular), _divide(price, prices[end - 1]) - 1.0]
    features += [float(_ROW_CALENDAR[name](time, period)) for name in CALENDAR[s["frequency"]]]
    actual = _row_number(row, s["target"])
    if actual == actual:  # not NaN: the row's actual is known, `_remember` it
        stored = history.series.setdefault(key, {})
        _store(stored, period, actual, price)
        _forget_old(stored, span)
    return features


def periods(frame: pd.DataFrame, settings: dict) -> np.ndarray:
    """Each row's period: whole hours, days, weeks or months since 1970-01-01 (the unit
    horizon, lags and windows count in)."""
    s = validated_settings(settings)
    return _periods(frame, pd.DatetimeIndex(pd.to_datetime(frame[s["time"]])), s)


def series_keys(frame: pd.DataFrame, settings: dict) -> np.ndarray:
    """Each row's series, as the history names it."""
    return _series_keys(frame, validated_settings(settings)["series"])


def last_actuals(history: SalesHistory) -> dict[str, int]:
    """The latest period with a known actual, per series: where a forecast starts from."""
    return {key: max(actuals) for key, actuals in history.series.items() if actuals}


def last_seen(frame: pd.DataFrame, history: SalesHistory) -> pd.Series:
    """The start of each row's series' latest known actual (NaT for a series never seen),
    in the time column's own terms.

    A row before it would be predicted with actuals from its own future as lags. When the
    hour is a column of its own, the time column holds days, so this is the day of the latest
    actual: a row of that same day is taken, whatever its hour (its lags, at least a horizon
    back, are still in its past).
    """
    s = history.settings
    last = last_actuals(history)
    periods = pd.array([last.get(key) for key in _series_keys(frame, s["series"])], dtype="Int64")
    starts = period_starts(periods, s)
    if s["hour"]:
        starts = starts.floor("D")
    return pd.Series(starts, index=frame.index)


def row_periods_ahead(row: dict, history: SalesHistory) -> int | None:
    """How many periods one raw row (as `row_features` takes it) lies after its series'
    latest known actual in the history, None for a series never seen: the per-row form of
    `periods` minus `last_actuals`, for the service's horizon check."""
    s = history.settings
    stored = history.series.get(_row_series_key(row, s["series"]))
    if not stored:
        return None
    return _row_period(row, _row_time(row, s), s) - max(stored)


def row_last_seen(row: dict, history: SalesHistory) -> datetime | None:
    """`last_seen` for one raw row (as `row_features` takes it): the start of its series'
    latest known actual, a naive UTC `datetime`, or None for a series never seen."""
    s = history.settings
    stored = history.series.get(_row_series_key(row, s["series"]))
    if not stored:
        return None
    last = max(stored)
    frequency = s["frequency"]
    if frequency == "hour":
        if s["hour"]:  # the time column holds days: the day of the latest actual
            return _EPOCH_DATETIME + timedelta(days=last // 24)
        return _EPOCH_DATETIME + timedelta(hours=last)
    if frequency == "month":
        year, month = _year_and_month(last)
        return datetime(year, month, 1)
    days = _week_start_day(last) if frequency == "week" else last
    return _EPOCH_DATETIME + timedelta(days=days)


def state_keys(row: dict, history: SalesHistory) -> list[str]:
    """The keys of the state `row_features` (and `row_last_seen`) read and update for one raw
    row: its series'. Needs only the row and the settings, so an empty scratch history will
    do. A forecast request reads its series and updates nothing."""
    return [SERIES_KEY + _row_series_key(row, history.settings["series"])]


def state_key_list(history: SalesHistory) -> list[str]:
    """Every key `history` holds state under: one per series."""
    return [SERIES_KEY + key for key in history.series]


def get_state(history: SalesHistory, key: str) -> Any:
    """The state under `key`: the series' actuals as `SalesHistory.to_dict` saves them
    ({"periods": [...], "actuals": [...], "prices": [...]}, a price None where unknown),
    None if the history holds none. JSON round trips it exactly."""
    stored = history.series.get(_state_series(key))
    return None if stored is None else _series_to_dict(stored)


def set_state(history: SalesHistory, key: str, state: Any) -> None:
    """Put `state` (as `get_state` gave it, through JSON or not) under `key` in `history`,
    replacing what was there; None removes it. KeyError for a key not of this history."""
    series = _state_series(key)
    if state is None:
        history.series.pop(series, None)
    else:
        history.series[series] = _series_from_dict(state)


def _state_series(key: str) -> str:
    """The series key of a state key."""
    if not key.startswith(SERIES_KEY):
        raise KeyError(f"{key!r} is no key of a sales history: keys start with {SERIES_KEY!r}")
    return key[len(SERIES_KEY) :]


def period_starts(periods: pd.arrays.IntegerArray, settings: dict) -> pd.DatetimeIndex:
    """The first instant of each period index (NaT for a missing one), in the terms of
    `periods`: an hour, midnight of a day, the Monday of a week, the 1st of a month."""
    frequency = validated_settings(settings)["frequency"]
    if frequency == "hour":
        return pd.to_datetime(periods, unit="h")
    if frequency == "month":
        year, month = _year_and_month(pd.Series(periods, dtype="Int64"))
        text = year.astype("string") + "-" + month.astype("string")
        return pd.DatetimeIndex(pd.to_datetime(text, format="%Y-%m"))
    days = _week_start_day(periods) if frequency == "week" else periods
    return pd.to_datetime(days, unit="D")


def _periods(frame: pd.DataFrame, timestamps: pd.DatetimeIndex, s: dict) -> np.ndarray:
    """Whole hours, days, weeks (from Monday) or calendar months since 1970-01-01."""
    days = (timestamps.to_numpy().astype("datetime64[D]") - _EPOCH).astype(np.int64)
    if s["frequency"] == "day":
        return days
    if s["frequency"] == "week":
        return _week_period(days)
    if s["frequency"] == "month":
        return _month_period(timestamps.year.to_numpy(), timestamps.month.to_numpy())
    if s["hour"]:
        hour = pd.to_numeric(frame[s["hour"]]).to_numpy(dtype=np.int64)
        return _hour_period(days, hour)
    return (timestamps.to_numpy().astype("datetime64[h]") - _EPOCH).astype(np.int64)


# The period arithmetic both forms share: on numpy arrays (engineer_features, period_starts)
# and on ints (row_features, row_last_seen) alike.
def _week_period(days):
    """The week (from Monday) of a day counted from 1970-01-01."""
    return (days + _WEEK_OFFSET) // 7


def _week_start_day(weeks):
    """The Monday of a week period, in days from 1970-01-01."""
    return weeks * 7 - _WEEK_OFFSET


def _month_period(year, month):
    """The calendar month counted from January 1970."""
    return (year - _EPOCH_DATE.year) * 12 + month - 1


def _year_and_month(months):
    """The year and month (1 to 12) of a month period."""
    return _EPOCH_DATE.year + months // 12, 1 + months % 12


def _hour_period(days, hour):
    """The hour counted from 1970-01-01, of an hour of a day counted from then."""
    return days * 24 + hour


def _hour_of_day(periods):
    """The hour of day (0 to 23) of an hour period."""
    return periods % 24


def _series_keys(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Each row's series key: its series columns' values joined with "|"; "" for one series."""
    if not columns:
        return np.full(len(frame), "", dtype=object)
    keys = frame[columns[0]].astype(str)
    for column in columns[1:]:
        keys = keys + _SERIES_SEPARATOR + frame[column].astype(str)
    return keys.to_numpy(dtype=object)


def _series_features(
    history: SalesHistory,
    key: str,
    period: np.ndarray,
    actual: np.ndarray,
    price: np.ndarray | None,
) -> np.ndarray:
    """Lags, rolling means and price features of one series' rows (in time order).

    The series' known actuals are laid on a dense array of periods, from `span` periods
    before the first row to the last row: the history's, then the frame's own actuals. A
    row at period t reads only periods up to t - horizon, so the frame's actuals it sees
    are those of earlier rows.
    """
    s = history.settings
    horizon = s["horizon"]
    first = period[0] - history.span
    length = period[-1] - first + 1
    actuals = np.full(length, np.nan)
    prices = np.full(length, np.nan)
    stored = history.series.get(key, {})
    for p, (value, stored_price) in stored.items():
        if first <= p < first + length:
            actuals[p - first] = value
            prices[p - first] = np.nan if stored_price is None else stored_price
    known = ~np.isnan(actual)
    actuals[period[known] - first] = actual[known]
    if price is not None:
        prices[period[known] - first] = price[known]

    at = period - first  # each row's position on the dense array
    columns = [actuals[at - lag] for lag in s["lags"]]
    for window in s["windows"]:
        columns.append(_window_mean(actuals, at - horizon, window))
    if price is not None:
        with warnings.catch_warnings():  # an all-NaN window is a NaN regular price
            warnings.simplefilter("ignore", RuntimeWarning)
            regular = np.nanmedian(_windows(prices, at - horizon, s["price_window"]), axis=1)
        columns.append(price / regular)
        columns.append(price / prices[at - horizon] - 1.0)
    return np.column_stack(columns)


def _windows(values: np.ndarray, end: np.ndarray, width: int) -> np.ndarray:
    """The `width` values up to and including position `end`, one row per end."""
    return values[end[:, None] - np.arange(width - 1, -1, -1)]


def _window_mean(values: np.ndarray, end: np.ndarray, width: int) -> np.ndarray:
    """Mean of the known values in each window ending at `end`; NaN if none is known.

    The values are added oldest first, one position of the window at a time (for all rows
    at once), and not by `np.sum`, whose pairwise order depends on numpy's internals: so
    `_known_mean`, the per-row form, adds them in the same order and gets the same float.
    """
    window = _windows(values, end, width)
    count = np.sum(~np.isnan(window), axis=1)
    total = np.zeros(len(window))
    for column in np.nan_to_num(window).T:
        total += column
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def _remember(
    history: SalesHistory,
    key: str,
    period: np.ndarray,
    actual: np.ndarray,
    price: np.ndarray | None,
) -> None:
    """Add one series' known actuals (and prices) to the history; forget what is too old."""
    known = ~np.isnan(actual)
    if not known.any():
        return
    stored = history.series.setdefault(key, {})
    prices = price[known].tolist() if price is not None else [None] * int(known.sum())
    for p, value, row_price in zip(
        period[known].tolist(), actual[known].tolist(), prices, strict=True
    ):
        _store(stored, p, value, row_price)
    _forget_old(stored, history.span)


# How both forms keep actuals in the history.


def _store(stored: dict[int, list], period: int, actual: float, price: float | None) -> None:
    """Keep one actual of a series, with its price (None if unknown), at its period."""
    stored.pop(period, None)  # a re-sent actual replaces the old one, and moves to the end
    stored[period] = [actual, None if price is None or price != price else price]


def _forget_old(stored: dict[int, list], span: int) -> None:
    """Forget a series' actuals older than `span` periods back from its latest one."""
    oldest = max(stored) - span + 1
    for p in [p for p in stored if p < oldest]:
        del stored[p]


# The per-row form's own helpers: plain Python, each the exact counterpart of a numpy step
# of the frame form above.


def _row_time(row: dict, s: dict) -> datetime:
    """The row's time, a naive UTC datetime."""
    time = row.get(s["time"])
    if time is None:
        raise ValueError(f"the row has no {s['time']}: a forecast needs each row's time")
    return time


def _row_period(row: dict, time: datetime, s: dict) -> int:
    """The row's period, as `_periods` counts it."""
    days = time.toordinal() - _EPOCH_ORDINAL
    frequency = s["frequency"]
    if frequency == "day":
        return days
    if frequency == "week":
        return _week_period(days)
    if frequency == "month":
        return _month_period(time.year, time.month)
    return _hour_period(days, int(row[s["hour"]]) if s["hour"] else time.hour)


def _row_series_key(row: dict, columns: list[str]) -> str:
    """The row's series key, as `_series_keys` writes it."""
    return _SERIES_SEPARATOR.join(
        _MISSING_KEY_PART if (value := row.get(column)) is None else str(value)
        for column in columns
    )


def _row_number(row: dict, column: str) -> float:
    """A numeric column of the row as a float, NaN where it is missing (or absent)."""
    value = row.get(column)
    return _NAN if value is None else float(value)


# The calendar features of one row from its time and period, as `engineer_features` takes
# them from the frame's timestamps.
_ROW_CALENDAR = {
    "hour_of_day": lambda time, period: _hour_of_day(period),
    "day_of_week": lambda time, period: time.weekday(),
    "day_of_year": lambda time, period: time.timetuple().tm_yday,
    "week_of_year": lambda time, period: time.isocalendar()[1],
    "month": lambda time, period: time.month,
}


def _known_mean(window: list[float]) -> float:
    """Mean of the known values of a window, NaN if none is known: `_window_mean` for one
    window, adding the values in its order (oldest first, the missing as zeros) so that it
    is the same float."""
    count = 0
    total = 0.0
    for value in window:
        if value == value:  # not NaN
            count += 1
            total += value if not math.isinf(value) else _nan_to_num(value)
    return total / count if count else _NAN


def _nan_to_num(value: float) -> float:
    """`np.nan_to_num` of one float: NaN as 0, an infinity as the largest float."""
    if value != value:
        return 0.0
    if math.isinf(value):
        return math.copysign(sys.float_info.max, value)
    return value


def _known_median(window: list[float]) -> float:
    """Median of the known values of a window, NaN if none is known: `np.nanmedian` for one
    window (the mean of the two middle values of an even count)."""
    known = sorted(value for value in window if value == value)
    if not known:
        return _NAN
    middle = len(known) // 2
    return (known[(len(known) - 1) // 2] + known[middle]) / 2


def _divide(numerator: float, denominator: float) -> float:
    """numerator / denominator as numpy divides floats: by zero, an infinity (NaN for 0/0)."""
    try:
        return numerator / denominator
    except ZeroDivisionError:
        if numerator == 0 or numerator != numerator:
            return _NAN
        return math.copysign(math.inf, numerator) * math.copysign(1.0, denominator)
