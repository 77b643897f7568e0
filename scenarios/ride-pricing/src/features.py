"""Calendar and trip features of a ride request, computed from the request alone.

A fare quote depends on when the ride is requested (rush hours are slow, so the per-minute
part of the tariff weighs more; some zones levy a congestion charge on weekdays only; nights
are fast) and on what kind of trip it is (an airport trip pays a fee; a trip inside one zone
is short and often at the minimum fare). The model reads the raw request columns marked
`feature: true` in the configuration (zones, distance, vehicle, passengers, demand/supply
ratio) together with the features below, which make the calendar and the trip type explicit.

Distance is deliberately *not* transformed here: it enters the model as the raw column with
a monotone constraint (a longer ride never costs less, everything else equal). A feature
computed from distance (log distance, minutes at rush-hour speed, price per km...) would
carry distance into the model outside that constraint and could make quotes fall as trips
get longer. The demand/supply ratio is likewise left raw: trees are invariant to monotone
transforms, so `surge(ratio)` would add nothing the model cannot learn from the ratio.

The features are stateless: each row depends only on itself, so offline and online features
are identical by construction, and nothing can leak from later rows or the fare. The
`RideHistory` exists to meet the pipeline's contract: it keeps the settings and saves them
as JSON with the model. A store shared by several service replicas has nothing to keep for
them: `state_keys` gives none.

They come in two forms: `engineer_features` computes them for a frame (numpy, the training
set), and `row_features` for one request in plain Python, with no frame: the web service's
form, which computes a validated request's features in about a microsecond. Both read the
same constants and flag the calendar with the same `_calendar_flags`, and the generated
project's parity test holds the two forms equal on simulated rides.

Settings (`data.feature_settings` in the configuration) let the same module serve files
whose columns are named differently:

    time_column          the request time (default `requested_at`; NYC taxis: `pickup`)
    pickup_zone_column   the pickup zone (default `pickup_zone`); null: no zone features
    dropoff_zone_column  the drop-off zone (default `dropoff_zone`); null: no zone features
    airport_zones        zone names that are airports (default `[airport]`); an empty
                         list: no airport feature

Zone features need both zone columns. A missing zone makes `same_zone` missing (NaN, which
xgboost routes on its own); `airport_trip` is 1 when either known zone is an airport, NaN
when neither known zone is and one is missing.
"""

import math
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

DEFAULT_SETTINGS: dict = {
    "time_column": "requested_at",
    "pickup_zone_column": "pickup_zone",
    "dropoff_zone_column": "dropoff_zone",
    "airport_zones": ["airport"],
}
SETTING_NAMES = tuple(DEFAULT_SETTINGS)

# The name `data.feature_engineering` gives these features in config/pipeline.yaml.
KIND = "rides"
# What a history would be kept per (ride features keep none).
ENTITY = "ride"

# The raw columns read with the default settings (the simulated data). `required_columns`
# gives them for other settings. The fare is never read.
REQUIRED_COLUMNS: tuple[str, ...] = ("requested_at", "pickup_zone", "dropoff_zone")

CALENDAR_FEATURES: tuple[str, ...] = (
    "hour_of_day",  # 0-24 with minutes as a fraction: 8.5 is 08:30
    "weekday",  # 0 = Monday .. 6 = Sunday
    "is_weekend",  # 1 on Saturdays and Sundays
    "is_rush_hour",  # 1 on weekdays 7:00-10:00 and 16:00-19:00
    "is_night",  # 1 from 22:00 to 6:00
)
SAME_ZONE_FEATURE = "same_zone"  # 1 if the ride starts and ends in the same zone
AIRPORT_FEATURE = "airport_trip"  # 1 if the ride starts or ends at an airport

RUSH_HOURS = ((7.0, 10.0), (16.0, 19.0))  # working days only
NIGHT_STARTS_AT_HOUR, NIGHT_ENDS_AT_HOUR = 22.0, 6.0
SATURDAY = 5
HISTORY_FORMAT = 1


class RideHistory:
    """The (trivial) state of the ride features: only the settings, as the contract wants.

    Ride features need no past, so there is nothing to remember between requests; the
    history still carries the settings so that a saved model knows which columns it reads.
    """

    def __init__(self, settings: dict) -> None:
        self.settings = _resolved(settings)

    def __len__(self) -> int:
        return 0

    def to_dict(self) -> dict:
        return {"format": HISTORY_FORMAT, "settings": dict(self.settings)}

    @classmethod
    def from_dict(cls, data: dict) -> "RideHistory":
        if data.get("format") != HISTORY_FORMAT:
            raise ValueError(f"unknown ride feature history format: {data.get('format')!r}")
        return cls(data["settings"])


def feature_names(settings: dict) -> list[str]:
    """The engineered feature columns, in model order, for these settings."""
    resolved = _resolved(settings)
    names = list(CALENDAR_FEATURES)
    if _has_zones(resolved):
        names.append(SAME_ZONE_FEATURE)
        if resolved["airport_zones"]:
            names.append(AIRPORT_FEATURE)
    return names


def required_columns(settings: dict) -> tuple[str, ...]:
    """The raw columns `engineer_features` reads with these settings."""
    resolved = _resolved(settings)
    zones = (resolved["pickup_zone_column"], resolved["dropoff_zone_column"])
    return (resolved["time_column"], *zones) if _has_zones(resolved) else (resolved["time_column"],)


def new_history(settings: dict) -> RideHistory:
    """A history that keeps the settings (ride features need nothing else)."""
    return RideHistory(settings)


def history_from_dict(data: dict) -> RideHistory:
    """A history saved with `RideHistory.to_dict` (for instance as JSON)."""
    return RideHistory.from_dict(data)


def last_seen(rides: pd.DataFrame, history: RideHistory) -> pd.Series:
    """Nothing is remembered between rides, so no row is older than its past (NaT)."""
    return pd.Series(pd.NaT, index=rides.index, dtype="datetime64[ns]")


def row_last_seen(row: dict, history: RideHistory) -> datetime | None:
    """`last_seen` for one ride request: never (None), as nothing is remembered."""
    return None


def state_keys(row: dict, history: RideHistory) -> list[str]:
    """The keys of the state `row_features` reads and updates for a ride: none ([])."""
    return []


def state_key_list(history: RideHistory) -> list[str]:
    """Every key the history holds state under: none ([])."""
    return []


def get_state(history: RideHistory, key: str) -> Any:
    """The state under `key`: None for any key, as the history holds none."""
    return None


def set_state(history: RideHistory, key: str, state: Any) -> None:
    """Put `state` under `key`: None (no state, as `get_state` gives) changes nothing; any
    other state is refused with KeyError, as a ride history has nowhere to keep it (a store
    holding state for rides was seeded for other features)."""
    if state is not None:
        raise KeyError(f"ride features keep no state: nothing can be put under {key!r}")


def engineer_features(rides: pd.DataFrame, history: RideHistory) -> pd.DataFrame:
    """Calendar and trip-type features of each ride request; `history` is left unchanged.

    Returns float64 columns `feature_names(history.settings)` with the index of `rides`.
    """
    settings = history.settings
    missing = [c for c in required_columns(settings) if c not in rides.columns]
    if missing:
        raise KeyError(f"ride requests lack the columns {missing}")
    moment = pd.DatetimeIndex(pd.to_datetime(rides[settings["time_column"]]))
    hour = (moment.hour + moment.minute / 60 + moment.second / 3600).to_numpy(np.float64)
    weekday = moment.weekday.to_numpy(np.float64)
    weekend, rush, night = _calendar_flags(hour, weekday)

    columns = {
        "hour_of_day": hour,
        "weekday": weekday,
        "is_weekend": weekend,
        "is_rush_hour": rush,
        "is_night": night,
    }
    if _has_zones(settings):
        pickup = rides[settings["pickup_zone_column"]].astype("string")
        dropoff = rides[settings["dropoff_zone_column"]].astype("string")
        known = (pickup.notna() & dropoff.notna()).to_numpy()
        same = (pickup == dropoff).fillna(False).to_numpy(dtype=bool)
        columns[SAME_ZONE_FEATURE] = np.where(known, same, np.nan)
        if settings["airport_zones"]:
            airports = list(settings["airport_zones"])
            at_airport = (pickup.isin(airports) | dropoff.isin(airports)).to_numpy(dtype=bool)
            columns[AIRPORT_FEATURE] = np.where(at_airport, 1.0, np.where(known, 0.0, np.nan))
    return pd.DataFrame(
        {name: np.asarray(values, dtype=np.float64) for name, values in columns.items()},
        index=rides.index,
    )[feature_names(settings)]


def row_features(row: dict, history: RideHistory) -> list[float]:
    """The features of one ride request, exactly as `engineer_features` gives its row.

    `row` maps column names to the request's validated values: the time a naive UTC
    `datetime`, zones as text, None where missing (or absent). Returns floats in the order of
    `feature_names(history.settings)` (NaN where the frame has NaN). Plain Python, no frame:
    the web service's form. `history` is left unchanged, as there is nothing to remember.
    """
    settings = history.settings
    moment = row.get(settings["time_column"])
    if moment is None:  # as pandas reads a missing time (NaT): no hour, no weekday
        hour = weekday = math.nan
    else:
        # Summed in the frame's order, in float64; like the frame, fractions of a second
        # are ignored.
        hour = moment.hour + moment.minute / 60 + moment.second / 3600
        weekday = float(moment.weekday())
    weekend, rush, night = _calendar_flags(hour, weekday)
    features = [hour, weekday, float(weekend), float(rush), float(night)]
    if _has_zones(settings):
        pickup = _zone(row.get(settings["pickup_zone_column"]))
        dropoff = _zone(row.get(settings["dropoff_zone_column"]))
        known = pickup is not None and dropoff is not None
        features.append(float(pickup == dropoff) if known else math.nan)
        airports = settings["airport_zones"]
        if airports:
            # Looked up as the frame's `isin` does: a zone's text must equal a listed name.
            at_airport = pickup in airports or dropoff in airports
            features.append(1.0 if at_airport else 0.0 if known else math.nan)
    return features


def _calendar_flags(hour: float | np.ndarray, weekday: float | np.ndarray) -> tuple:
    """(weekend, rush hour, night) of hours of the day (0-24) and weekdays (0 = Monday).

    Works on floats (one ride, Python bools) and on numpy arrays (a frame, boolean arrays)
    alike: both forms flag the calendar here. A NaN hour or weekday (a missing time) is no
    weekend, no rush hour and no night.
    """
    weekend = weekday >= SATURDAY
    rush = False
    for low, high in RUSH_HOURS:
        rush = rush | ((hour >= low) & (hour < high))
    night = (hour >= NIGHT_STARTS_AT_HOUR) | (hour < NIGHT_ENDS_AT_HOUR)
    return weekend, rush & (weekday < SATURDAY), night


def _zone(value: object) -> str | None:
    """A zone as `astype("string")` reads it in the frame: its text, or None if missing."""
    return None if value is None else str(value)


def _resolved(settings: dict) -> dict:
    """The settings with defaults filled in; unknown names are refused."""
    unknown = sorted(set(settings) - set(SETTING_NAMES))
    if unknown:
        raise ValueError(f"unknown ride feature settings {unknown}; known: {list(SETTING_NAMES)}")
    resolved = {**DEFAULT_SETTINGS, **settings}
    resolved["airport_zones"] = list(resolved["airport_zones"] or [])
    return resolved


def _has_zones(settings: dict) -> bool:
    return bool(settings["pickup_zone_column"] and settings["dropoff_zone_column"])
