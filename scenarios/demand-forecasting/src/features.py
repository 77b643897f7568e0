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
same function builds the training set and serves one row in the web service, so offline and
online features are identical by construction. The target of a row itself is never read for
its own features.

The seasonal-naive forecast, the baseline a forecast must beat, is one of the lags: the one
a whole season back (`units_sold_lag_14`, the same weekday two weeks ago, for daily sales
with a 14-day horizon; `cnt_lag_168`, the same hour a week ago, for hourly bike rentals;
`<target>_lag_52` for weekly and `<target>_lag_12` for monthly data, the same time a year
ago).
"""

import warnings

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
_EPOCH = np.datetime64("1970-01-01", "D")
# 1970-01-01 was a Thursday: shifted by three days, weeks are counted from Monday.
_WEEK_OFFSET = 3
_SERIES_SEPARATOR = "|"


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
            "series": {
                key: {
                    "periods": list(actuals),
                    "actuals": [value[0] for value in actuals.values()],
                    "prices": [value[1] for value in actuals.values()],
                }
                for key, actuals in self.series.items()
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> "SalesHistory":
        if data.get("format") != HISTORY_FORMAT:
            raise ValueError(f"unknown sales history format: {data.get('format')!r}")
        series = {
            key: {
                int(period): [float(actual), None if price is None else float(price)]
                for period, actual, price in zip(
                    stored["periods"], stored["actuals"], stored["prices"], strict=True
                )
            }
            for key, stored in data["series"].items()
        }
        return cls(data["settings"], series)


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
        "hour_of_day": lambda: period % 24,
        "day_of_week": lambda: timestamps.dayofweek,
        "day_of_year": lambda: timestamps.dayofyear,
        "week_of_year": lambda: timestamps.isocalendar().week.to_numpy(dtype=np.int64),
        "month": lambda: timestamps.month,
    }
    features[:, n_history:] = np.column_stack(
        [calendar[name]() for name in CALENDAR[s["frequency"]]]
    )
    return pd.DataFrame(features, index=frame.index, columns=names)


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


def period_starts(periods: pd.arrays.IntegerArray, settings: dict) -> pd.DatetimeIndex:
    """The first instant of each period index (NaT for a missing one), in the terms of
    `periods`: an hour, midnight of a day, the Monday of a week, the 1st of a month."""
    frequency = validated_settings(settings)["frequency"]
    if frequency == "hour":
        return pd.to_datetime(periods, unit="h")
    if frequency == "month":
        months = pd.Series(periods, dtype="Int64")
        text = (1970 + months // 12).astype("string") + "-" + (1 + months % 12).astype("string")
        return pd.DatetimeIndex(pd.to_datetime(text, format="%Y-%m"))
    days = periods * 7 - _WEEK_OFFSET if frequency == "week" else periods
    return pd.to_datetime(days, unit="D")


def _periods(frame: pd.DataFrame, timestamps: pd.DatetimeIndex, s: dict) -> np.ndarray:
    """Whole hours, days, weeks (from Monday) or calendar months since 1970-01-01."""
    days = (timestamps.to_numpy().astype("datetime64[D]") - _EPOCH).astype(np.int64)
    if s["frequency"] == "day":
        return days
    if s["frequency"] == "week":
        return (days + _WEEK_OFFSET) // 7
    if s["frequency"] == "month":
        return (timestamps.year.to_numpy() - 1970) * 12 + timestamps.month.to_numpy() - 1
    if s["hour"]:
        hour = pd.to_numeric(frame[s["hour"]]).to_numpy(dtype=np.int64)
        return days * 24 + hour
    return (timestamps.to_numpy().astype("datetime64[h]") - _EPOCH).astype(np.int64)


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
    """Mean of the known values in each window ending at `end`; NaN if none is known."""
    window = _windows(values, end, width)
    count = np.sum(~np.isnan(window), axis=1)
    total = np.sum(np.nan_to_num(window), axis=1)
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
        stored.pop(p, None)  # a re-sent actual replaces the old one, and moves to the end
        stored[p] = [value, None if row_price is None or np.isnan(row_price) else row_price]
    oldest = max(stored) - history.span + 1
    for p in [p for p in stored if p < oldest]:
        del stored[p]
