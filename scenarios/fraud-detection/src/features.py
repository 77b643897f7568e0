"""Customer-history features of payment transactions, computed from the past only.

A single payment says little about fraud; the same payment compared with the customer's
habits says a lot. Ten tiny payments within minutes, a device or a country first seen on the
account a few minutes ago, an amount ten times what the customer usually pays in that kind of
shop, a purchase at 3 am from someone who shops in the afternoon: these are what fraud
analysts look for, and what the features below measure.

Every feature of a transaction is computed from that customer's *earlier* transactions only,
as they are summarised in a `CustomerHistory`, and the transaction is added to the history
afterwards. One function, `_featurise_and_remember`, computes every feature of a payment:
`engineer_features` calls it for each row of a frame to build the training set (all rows in
time order, starting from an empty history), and `row_features` for the one payment of a web
request, with no frame (the service's history). Offline and online features are therefore
identical by construction (the project's parity test holds them so), and no feature can see
the future or the label.

The history keeps, per customer, running statistics of the amounts (Welford's algorithm),
the payments of the last 24 hours, and the devices (with when each was first used and how
often), merchants, countries (with when each was first paid from) and categories (with the
latest payment in each) seen so far, each capped so that memory stays bounded however long
the customer's history. It also keeps, per merchant category, the mean and spread of
log(amount) over all customers, against which a customer's level of spending is measured. It
is saved as JSON (`CustomerHistory.to_dict`) next to the model, so that the service starts
with what training knew. For a store shared by several service replicas, it splits into
independently stored pieces (`state_keys`, `get_state`, `set_state`): one per customer and
one per merchant category, in the same JSON form as the saved history's.

The first days of a data set are a warm-up: customers have no history yet, so everything is
"new". When production traffic is compared with training data for drift, compare it with the
most recent training rows, whose customers have a history as production's do.
"""

import math
from collections import deque
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

# The name `data.feature_engineering` gives these features in config/pipeline.yaml.
KIND = "transactions"
# What the history is kept per: rows older than its latest payment cannot be featurised.
ENTITY = "customer"

# The raw columns a transaction needs to be featurised. The label `is_fraud` is never read.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "transaction_id",
    "timestamp",
    "customer_id",
    "merchant_id",
    "merchant_category",
    "amount",
    "channel",
    "country",
    "device_id",
)

FEATURE_NAMES: tuple[str, ...] = (
    "amount_log",  # log(1 + amount)
    "hour_of_day",  # 0-23, local time of the timestamp
    "is_night",  # 1 between midnight and 6 am
    "seconds_since_last_tx",  # since the customer's previous payment; 30 days if none
    "tx_count_1h",  # the customer's payments in the hour before this one
    "tx_count_24h",  # ... in the 24 hours before this one
    "amount_sum_24h",  # the amount they spent in those 24 hours
    "customer_tx_count",  # payments in the customer's history, capped at 5
    "amount_vs_customer_mean",  # amount / the customer's mean amount; 1 without history
    "amount_zscore",  # log amount vs the customer's usual, shrunk for short histories
    "new_device",  # 1 if the device was never used by this customer
    "new_merchant",  # 1 if the customer never paid this merchant
    "new_country",  # 1 if the customer never paid from this country
    "foreign_country",  # 1 if the country is not the one the customer pays from most
    "category_share",  # share of the customer's payments in this merchant category
    "online_share",  # share of the customer's payments made online, shrunk towards 1/2
    "hours_from_usual_time",  # 0-12, distance to the customer's average time of day
    "device_age",  # seconds since the customer first used this device; 0 if new, max 30 days
    "device_tx_count",  # the customer's earlier payments from this device, capped at 5
    "device_tx_count_1h",  # ... from this device in the hour before this one
    "country_age",  # seconds since the customer first paid from this country; 0 if new
    "tiny_tx_count_1h",  # the customer's payments under $5 in the last hour (card testing)
    "amount_vs_customer_max",  # amount / the customer's largest earlier amount; 1 if none
    "amount_vs_category_habit",  # log amount vs the customer's usual in this category, in SDs
    "seconds_since_last_in_category",  # since the customer's previous payment in the category
    "burst_tx_count",  # earlier payments in this burst (each within an hour of the next)
    "hours_from_usual_time_in_sds",  # hours_from_usual_time / the spread of the customer's hours
)

DAY_SECONDS = 24 * 3600
HOUR_SECONDS = 3600
NIGHT_ENDS_AT_HOUR = 6
MAX_GAP_SECONDS = 30 * DAY_SECONDS  # also the gap reported before a customer's first payment
MAX_AGE_SECONDS = 30 * DAY_SECONDS  # device and country ages are capped here
# After five payments a customer's habits are known well enough. A larger cap would make the
# feature grow with the age of the data set, and so drift between training and production.
HISTORY_COUNT_CAP = 5
MAX_REMEMBERED = 50  # devices, merchants, countries and categories kept per customer
TINY_AMOUNT = 5.0  # card testers try a stolen card with payments below this
# The z-score of log(amount) uses the customer's variance shrunk towards PRIOR_LOG_VARIANCE,
# as if PRIOR_WEIGHT payments with that variance had been seen: with one or two payments in
# the history, their variance alone is meaningless.
PRIOR_LOG_VARIANCE = 1.0
PRIOR_WEIGHT = 3.0
# Likewise the spread of the customer's times of day, in hours; never taken below the minimum.
PRIOR_HOUR_SPREAD = 4.0
MIN_HOUR_SPREAD = 0.5
BURST_COUNT_CAP = 10
HISTORY_FORMAT = 2
# The keys of the history's pieces in a shared online store (`state_keys`): a customer's
# `_Customer.to_dict()`, and a category's [payments, mean, M2] of log(amount), which every
# customer's payments in that category update.
CUSTOMER_KEY = f"{ENTITY}:"  # + the customer id
CATEGORY_KEY = "category:"  # + the merchant category
_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)


class _Customer:
    """What is known about one customer's past payments."""

    __slots__ = (
        "count",
        "mean_amount",
        "max_amount",
        "mean_log_amount",
        "m2_log_amount",
        "habit_offset",
        "last_seen",
        "burst",
        "recent",
        "devices",
        "merchants",
        "countries",
        "categories",
        "usual_country",
        "online_count",
        "hour_sin",
        "hour_cos",
    )

    def __init__(self) -> None:
        self.count = 0
        self.mean_amount = 0.0
        self.max_amount = 0.0
        self.mean_log_amount = 0.0
        self.m2_log_amount = 0.0  # sum of squared deviations of log(amount) (Welford)
        # Sum over the payments of log(amount) minus the population's mean in the payment's
        # category at the time: how much more (or less) than others this customer spends.
        self.habit_offset = 0.0
        self.last_seen = 0  # epoch seconds of the latest payment
        self.burst = 0  # payments in the latest burst: each within an hour of the next
        # (epoch seconds, amount, device) of the payments of the last 24 hours.
        self.recent: deque[tuple[int, float, str]] = deque()
        # Insertion-ordered dicts used as bounded sets, most recently used last.
        self.devices: dict[str, list[int]] = {}  # device -> [first used, number of payments]
        self.merchants: dict[str, None] = {}
        self.countries: dict[str, list[int]] = {}  # country -> [number of payments, first]
        self.categories: dict[str, list[int]] = {}  # category -> [number of payments, latest]
        self.usual_country = ""
        self.online_count = 0
        # Sum of the payments' times of day as points on the unit circle (for a circular mean).
        self.hour_sin = 0.0
        self.hour_cos = 0.0

    def to_dict(self) -> dict:
        return {
            "count": self.count,
            "mean_amount": self.mean_amount,
            "max_amount": self.max_amount,
            "mean_log_amount": self.mean_log_amount,
            "m2_log_amount": self.m2_log_amount,
            "habit_offset": self.habit_offset,
            "last_seen": self.last_seen,
            "burst": self.burst,
            "recent": [list(payment) for payment in self.recent],
            "devices": {k: list(v) for k, v in self.devices.items()},
            "merchants": list(self.merchants),
            "countries": {k: list(v) for k, v in self.countries.items()},
            "categories": {k: list(v) for k, v in self.categories.items()},
            "usual_country": self.usual_country,
            "online_count": self.online_count,
            "hour_sin": self.hour_sin,
            "hour_cos": self.hour_cos,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "_Customer":
        customer = cls()
        customer.count = int(data["count"])
        customer.mean_amount = float(data["mean_amount"])
        customer.max_amount = float(data["max_amount"])
        customer.mean_log_amount = float(data["mean_log_amount"])
        customer.m2_log_amount = float(data["m2_log_amount"])
        customer.habit_offset = float(data["habit_offset"])
        customer.last_seen = int(data["last_seen"])
        customer.burst = int(data["burst"])
        customer.recent = deque((int(t), float(a), str(d)) for t, a, d in data["recent"])
        customer.devices = {k: [int(v[0]), int(v[1])] for k, v in data["devices"].items()}
        customer.merchants = dict.fromkeys(data["merchants"])
        customer.countries = {k: [int(v[0]), int(v[1])] for k, v in data["countries"].items()}
        customer.categories = {k: [int(v[0]), int(v[1])] for k, v in data["categories"].items()}
        customer.usual_country = str(data["usual_country"])
        customer.online_count = int(data["online_count"])
        customer.hour_sin = float(data["hour_sin"])
        customer.hour_cos = float(data["hour_cos"])
        return customer


class CustomerHistory:
    """The online state of feature engineering: every customer's past, summarised.

    Besides the customers it keeps, per merchant category, the running mean and spread of
    log(amount) over everyone's payments: what a payment in that category usually costs.
    `engineer_features` reads it and adds each new payment to it. It is JSON-serialisable via
    `to_dict` so that the service can start from the history of the training data.
    """

    def __init__(
        self,
        customers: dict[str, _Customer] | None = None,
        categories: dict[str, list] | None = None,
    ) -> None:
        self.customers: dict[str, _Customer] = customers if customers is not None else {}
        # category -> [payments, mean of log(amount), sum of squared deviations] (Welford)
        self.categories: dict[str, list] = categories if categories is not None else {}

    def __len__(self) -> int:
        return len(self.customers)

    def to_dict(self) -> dict:
        return {
            "format": HISTORY_FORMAT,
            "categories": {k: list(v) for k, v in self.categories.items()},
            "customers": {cid: state.to_dict() for cid, state in self.customers.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> "CustomerHistory":
        if data.get("format") != HISTORY_FORMAT:
            raise ValueError(f"unknown customer history format: {data.get('format')!r}")
        return cls(
            {cid: _Customer.from_dict(s) for cid, s in data["customers"].items()},
            {k: _population_from_list(v) for k, v in data["categories"].items()},
        )


def _population_from_list(data: list) -> list:
    """A category's [payments, mean, M2] of log(amount), as `to_dict` saves it."""
    return [int(data[0]), float(data[1]), float(data[2])]


def feature_names(settings: dict | None = None) -> list[str]:
    """The features `engineer_features` returns, in order (they take no settings)."""
    return list(FEATURE_NAMES)


def new_history(settings: dict | None = None) -> CustomerHistory:
    """An empty history: no customer seen yet (the features take no settings)."""
    return CustomerHistory()


def history_from_dict(data: dict) -> CustomerHistory:
    """A history saved with `CustomerHistory.to_dict` (for instance as JSON)."""
    return CustomerHistory.from_dict(data)


def last_seen(transactions: pd.DataFrame, history: CustomerHistory) -> pd.Series:
    """When each row's customer last paid, as far as `history` knows (NaT if never).

    A payment older than that cannot be featurised from the customer's past: the history
    already holds its future (a payment dated 1970 would count every later one as the
    "last hour"), so the service refuses it.
    """
    customers = history.customers
    seconds = [
        customers[key].last_seen if key in customers and customers[key].count else None
        for key in transactions["customer_id"].astype(str).tolist()
    ]
    return pd.Series(
        pd.to_datetime(pd.array(seconds, dtype="Int64"), unit="s"), index=transactions.index
    )


def engineer_features(transactions: pd.DataFrame, history: CustomerHistory) -> pd.DataFrame:
    """Features of each transaction from the customer's earlier payments; updates `history`.

    `transactions` must be sorted by timestamp (rows with equal timestamps count in frame
    order). Each row is featurised from the history as it was before the row, then added to
    it. Returns float64 columns FEATURE_NAMES with the index of `transactions`.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in transactions.columns]
    if missing:
        raise KeyError(f"transactions lack the columns {missing}")
    epoch_seconds = (
        pd.to_datetime(transactions["timestamp"])
        .to_numpy()
        .astype("datetime64[s]")
        .astype(np.int64)
    )
    if np.any(np.diff(epoch_seconds) < 0):
        raise ValueError("transactions must be sorted by timestamp")
    features = [
        _featurise_and_remember(history, *row)
        for row in zip(
            transactions["customer_id"].astype(str).tolist(),
            epoch_seconds.tolist(),
            transactions["amount"].to_numpy(dtype=np.float64).tolist(),
            transactions["device_id"].astype(str).tolist(),
            transactions["merchant_id"].astype(str).tolist(),
            transactions["country"].astype(str).tolist(),
            transactions["merchant_category"].astype(str).tolist(),
            (transactions["channel"].astype(str) == "online").tolist(),
            strict=True,
        )
    ]
    return pd.DataFrame(
        np.array(features, dtype=np.float64).reshape(len(transactions), len(FEATURE_NAMES)),
        index=transactions.index,
        columns=list(FEATURE_NAMES),
    )


def row_features(row: dict, history: CustomerHistory) -> list[float]:
    """The features of one transaction (a dict of its raw columns, the timestamp a naive UTC
    `datetime`), exactly as `engineer_features` computes them in a frame; updates `history`.

    The web service's form: plain Python, no frame (about a tenth of the frame's cost for one
    row). Both forms featurise through `_featurise_and_remember`, and the project's parity
    test holds them equal on simulated traffic.
    """
    return _featurise_and_remember(
        history,
        str(row["customer_id"]),
        (row["timestamp"] - _EPOCH) // _SECOND,
        float(row["amount"]),
        str(row["device_id"]),
        str(row["merchant_id"]),
        str(row["country"]),
        str(row["merchant_category"]),
        str(row["channel"]) == "online",
    )


def row_last_seen(row: dict, history: CustomerHistory) -> datetime | None:
    """`last_seen` for one transaction: when its customer last paid (None if never)."""
    customer = history.customers.get(str(row["customer_id"]))
    if customer is None or not customer.count:
        return None
    return _EPOCH + customer.last_seen * _SECOND


def state_keys(row: dict, history: CustomerHistory) -> list[str]:
    """The keys of the state `row_features` (and `row_last_seen`) read and update for one
    transaction: its customer's, and its merchant category's statistics of amounts (shared by
    all customers). Read from the row alone, so an empty scratch history will do."""
    return [CUSTOMER_KEY + str(row["customer_id"]), CATEGORY_KEY + str(row["merchant_category"])]


def state_key_list(history: CustomerHistory) -> list[str]:
    """Every key `history` holds state under: its customers', then its categories'."""
    return [
        *(CUSTOMER_KEY + customer_id for customer_id in history.customers),
        *(CATEGORY_KEY + category for category in history.categories),
    ]


def get_state(history: CustomerHistory, key: str) -> Any:
    """The state under `key` as plain data, as `CustomerHistory.to_dict` saves it (a
    customer's `_Customer.to_dict()`, a category's [payments, mean, M2]); None if none.

    JSON round trips it exactly: floats as their shortest repr, the payments of the last 24
    hours as lists, and the devices, merchants, countries and categories in their order,
    which decides which of them is forgotten first.
    """
    kind, name = _split_state_key(key)
    if kind == CUSTOMER_KEY:
        customer = history.customers.get(name)
        return None if customer is None else customer.to_dict()
    population = history.categories.get(name)
    return None if population is None else list(population)


def set_state(history: CustomerHistory, key: str, state: Any) -> None:
    """Put `state` (as `get_state` gave it, through JSON or not) under `key` in `history`,
    replacing what was there; None removes it. KeyError for a key not of this history."""
    kind, name = _split_state_key(key)
    held: dict = history.customers if kind == CUSTOMER_KEY else history.categories
    if state is None:
        held.pop(name, None)
    elif kind == CUSTOMER_KEY:
        held[name] = _Customer.from_dict(state)
    else:
        held[name] = _population_from_list(state)


def _split_state_key(key: str) -> tuple[str, str]:
    """(CUSTOMER_KEY or CATEGORY_KEY, the customer id or the category) of a state key."""
    for prefix in (CUSTOMER_KEY, CATEGORY_KEY):
        if key.startswith(prefix):
            return prefix, key[len(prefix) :]
    raise KeyError(
        f"{key!r} is no key of a customer history: keys start with {CUSTOMER_KEY!r} or "
        f"{CATEGORY_KEY!r}"
    )


def _featurise_and_remember(
    history: CustomerHistory,
    customer_id: str,
    now: int,
    amount: float,
    device: str,
    merchant: str,
    country: str,
    category: str,
    online: bool,
) -> list[float]:
    """The features of one payment (FEATURE_NAMES), then the payment is recorded."""
    seconds_of_day = now % DAY_SECONDS
    hour_of_day = seconds_of_day // HOUR_SECONDS
    hour = seconds_of_day / HOUR_SECONDS
    customer = history.customers.get(customer_id)
    if customer is None:
        customer = history.customers[customer_id] = _Customer()
    n = customer.count
    log_amount = math.log1p(amount)
    angle = hour * (2 * math.pi / 24)

    recent = customer.recent
    while recent and recent[0][0] <= now - DAY_SECONDS:
        recent.popleft()
    count_1h = tiny_1h = device_1h = 0
    for t, a, d in reversed(recent):
        if t <= now - HOUR_SECONDS:
            break
        count_1h += 1
        tiny_1h += a < TINY_AMOUNT
        device_1h += d == device

    # What a payment in this category usually costs, over all customers so far.
    population = history.categories.get(category)
    if population is None:
        population = history.categories[category] = [0, 0.0, 0.0]
    if population[0]:
        spread = math.sqrt(
            (population[2] + PRIOR_WEIGHT * PRIOR_LOG_VARIANCE) / (population[0] + PRIOR_WEIGHT)
        )
        # The customer's own level, shrunk towards the population's as if one payment at the
        # population's level had been seen.
        expected = population[1] + customer.habit_offset / (n + 1)
        vs_category_habit = (log_amount - expected) / spread
    else:
        vs_category_habit = 0.0

    device_seen = customer.devices.get(device)
    country_seen = customer.countries.get(country)
    category_seen = customer.categories.get(category)
    if n:
        seconds_since_last = min(max(now - customer.last_seen, 0), MAX_GAP_SECONDS)
        amount_vs_mean = amount / customer.mean_amount if customer.mean_amount > 0 else 1.0
        amount_vs_max = amount / customer.max_amount if customer.max_amount > 0 else 1.0
        variance = (customer.m2_log_amount + PRIOR_WEIGHT * PRIOR_LOG_VARIANCE) / (n + PRIOR_WEIGHT)
        zscore = (log_amount - customer.mean_log_amount) / math.sqrt(variance)
        usual_angle = math.atan2(customer.hour_sin, customer.hour_cos)
        gap = abs(angle - usual_angle) % (2 * math.pi)
        hours_from_usual = min(gap, 2 * math.pi - gap) * (24 / (2 * math.pi))
        # The spread of the customer's times of day: the circular standard deviation, shrunk
        # towards PRIOR_HOUR_SPREAD for short histories.
        resultant = math.hypot(customer.hour_sin, customer.hour_cos) / n
        spread = math.sqrt(max(-2 * math.log(max(resultant, 1e-3)), 0.0)) * (24 / (2 * math.pi))
        spread = (n * spread + PRIOR_WEIGHT * PRIOR_HOUR_SPREAD) / (n + PRIOR_WEIGHT)
        hours_from_usual_in_sds = hours_from_usual / max(spread, MIN_HOUR_SPREAD)
        foreign = float(country != customer.usual_country)
        burst = customer.burst if now - customer.last_seen < HOUR_SECONDS else 0
    else:
        seconds_since_last = MAX_GAP_SECONDS
        amount_vs_mean, amount_vs_max, zscore, hours_from_usual, foreign = 1.0, 1.0, 0.0, 0.0, 0.0
        hours_from_usual_in_sds, burst = 0.0, 0

    features = [
        log_amount,
        float(hour_of_day),
        float(hour_of_day < NIGHT_ENDS_AT_HOUR),
        float(seconds_since_last),
        float(count_1h),
        float(len(recent)),
        sum(payment[1] for payment in recent),
        float(min(n, HISTORY_COUNT_CAP)),
        amount_vs_mean,
        zscore,
        float(device_seen is None),
        float(merchant not in customer.merchants),
        float(country_seen is None),
        foreign,
        category_seen[0] / n if category_seen else 0.0,
        (customer.online_count + 0.5) / (n + 1),
        hours_from_usual,
        float(min(now - device_seen[0], MAX_AGE_SECONDS)) if device_seen else 0.0,
        float(min(device_seen[1], HISTORY_COUNT_CAP)) if device_seen else 0.0,
        float(device_1h),
        float(min(now - country_seen[1], MAX_AGE_SECONDS)) if country_seen else 0.0,
        float(tiny_1h),
        amount_vs_max,
        vs_category_habit,
        float(min(now - category_seen[1], MAX_GAP_SECONDS)) if category_seen else MAX_GAP_SECONDS,
        float(min(burst, BURST_COUNT_CAP)),
        hours_from_usual_in_sds,
    ]

    # Remember the payment.
    customer.count = n = n + 1
    customer.mean_amount += (amount - customer.mean_amount) / n
    customer.max_amount = max(customer.max_amount, amount)
    delta = log_amount - customer.mean_log_amount
    customer.mean_log_amount += delta / n
    customer.m2_log_amount += delta * (log_amount - customer.mean_log_amount)
    customer.habit_offset += log_amount - population[1] if population[0] else 0.0
    population[0] += 1
    delta = log_amount - population[1]
    population[1] += delta / population[0]
    population[2] += delta * (log_amount - population[1])
    customer.burst = burst + 1
    customer.last_seen = max(customer.last_seen, now)
    recent.append((now, amount, device))
    _remember(customer.devices, device, [now, 0])[1] += 1
    _remember(customer.merchants, merchant, None)
    _count(customer.countries, country, now)
    _count(customer.categories, category, now)[1] = now
    if customer.countries[country][0] > customer.countries.get(customer.usual_country, [0])[0]:
        customer.usual_country = country
    customer.online_count += online
    customer.hour_sin += math.sin(angle)
    customer.hour_cos += math.cos(angle)
    return features


def _remember(seen: dict, key: str, value):
    """Mark `key` as most recently seen (with `value` if new), forgetting the least recent
    beyond MAX_REMEMBERED; returns the key's value."""
    value = seen.pop(key, value)
    seen[key] = value
    if len(seen) > MAX_REMEMBERED:
        del seen[next(iter(seen))]
    return value


def _count(counts: dict[str, list[int]], key: str, now: int) -> list[int]:
    """Count `key` ([count, first seen], started at `now`), forgetting the rarest key beyond
    MAX_REMEMBERED; returns the key's entry."""
    entry = counts.get(key)
    if entry is None:
        entry = counts[key] = [0, now]
    entry[0] += 1
    if len(counts) > MAX_REMEMBERED:
        del counts[min((k for k in counts if k != key), key=lambda k: counts[k][0])]
    return entry
