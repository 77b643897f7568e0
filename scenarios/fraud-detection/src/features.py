"""Customer-history features of payment transactions, computed from the past only.

A single payment says little about fraud; the same payment compared with the customer's
habits says a lot. Ten tiny payments within minutes, a device or a country never seen on the
account, an amount ten times the customer's usual, a purchase at 3 am from someone who shops
in the afternoon: these are what fraud analysts look for, and what the features below
measure.

Every feature of a transaction is computed from that customer's *earlier* transactions only,
as they are summarised in a `CustomerHistory`, and the transaction is added to the history
afterwards. The same function, `engineer_features`, builds the training set (all rows in time
order, starting from an empty history) and serves one payment at a time in the web service
(a one-row frame and the service's in-memory history). Offline and online features are
therefore identical by construction, and no feature can see the future or the label.

The history keeps, per customer, running statistics of the amounts (Welford's algorithm),
the payments of the last 24 hours, and the devices, merchants, countries and categories seen
so far, each capped so that memory stays bounded however long the customer's history. It is
saved as JSON (`CustomerHistory.to_dict`) next to the model, so that the service starts with
what training knew.

The first days of a data set are a warm-up: customers have no history yet, so everything is
"new". When production traffic is compared with training data for drift, compare it with the
most recent training rows, whose customers have a history as production's do.
"""

import math
from collections import deque

import numpy as np
import pandas as pd

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
)

DAY_SECONDS = 24 * 3600
HOUR_SECONDS = 3600
NIGHT_ENDS_AT_HOUR = 6
MAX_GAP_SECONDS = 30 * DAY_SECONDS  # also the gap reported before a customer's first payment
# After five payments a customer's habits are known well enough. A larger cap would make the
# feature grow with the age of the data set, and so drift between training and production.
HISTORY_COUNT_CAP = 5
MAX_REMEMBERED = 50  # devices, merchants, countries and categories kept per customer
# The z-score of log(amount) uses the customer's variance shrunk towards PRIOR_LOG_VARIANCE,
# as if PRIOR_WEIGHT payments with that variance had been seen: with one or two payments in
# the history, their variance alone is meaningless.
PRIOR_LOG_VARIANCE = 1.0
PRIOR_WEIGHT = 3.0


class _Customer:
    """What is known about one customer's past payments."""

    __slots__ = (
        "count",
        "mean_amount",
        "mean_log_amount",
        "m2_log_amount",
        "last_seen",
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
        self.mean_log_amount = 0.0
        self.m2_log_amount = 0.0  # sum of squared deviations of log(amount) (Welford)
        self.last_seen = 0  # epoch seconds of the latest payment
        self.recent: deque[tuple[int, float]] = deque()  # (epoch seconds, amount), last 24 h
        # Insertion-ordered dicts used as bounded sets, most recently used last.
        self.devices: dict[str, None] = {}
        self.merchants: dict[str, None] = {}
        self.countries: dict[str, int] = {}  # country -> number of payments
        self.categories: dict[str, int] = {}  # merchant category -> number of payments
        self.usual_country = ""
        self.online_count = 0
        # Sum of the payments' times of day as points on the unit circle (for a circular mean).
        self.hour_sin = 0.0
        self.hour_cos = 0.0

    def to_dict(self) -> dict:
        return {
            "count": self.count,
            "mean_amount": self.mean_amount,
            "mean_log_amount": self.mean_log_amount,
            "m2_log_amount": self.m2_log_amount,
            "last_seen": self.last_seen,
            "recent": [[t, a] for t, a in self.recent],
            "devices": list(self.devices),
            "merchants": list(self.merchants),
            "countries": dict(self.countries),
            "categories": dict(self.categories),
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
        customer.mean_log_amount = float(data["mean_log_amount"])
        customer.m2_log_amount = float(data["m2_log_amount"])
        customer.last_seen = int(data["last_seen"])
        customer.recent = deque((int(t), float(a)) for t, a in data["recent"])
        customer.devices = dict.fromkeys(data["devices"])
        customer.merchants = dict.fromkeys(data["merchants"])
        customer.countries = {k: int(v) for k, v in data["countries"].items()}
        customer.categories = {k: int(v) for k, v in data["categories"].items()}
        customer.usual_country = str(data["usual_country"])
        customer.online_count = int(data["online_count"])
        customer.hour_sin = float(data["hour_sin"])
        customer.hour_cos = float(data["hour_cos"])
        return customer


class CustomerHistory:
    """The online state of feature engineering: every customer's past, summarised.

    `engineer_features` reads it and adds each new payment to it. It is JSON-serialisable via
    `to_dict` so that the service can start from the history of the training data.
    """

    def __init__(self, customers: dict[str, _Customer] | None = None) -> None:
        self.customers: dict[str, _Customer] = customers if customers is not None else {}

    def __len__(self) -> int:
        return len(self.customers)

    def to_dict(self) -> dict:
        return {
            "format": 1,
            "customers": {cid: state.to_dict() for cid, state in self.customers.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> "CustomerHistory":
        if data.get("format") != 1:
            raise ValueError(f"unknown customer history format: {data.get('format')!r}")
        return cls({cid: _Customer.from_dict(s) for cid, s in data["customers"].items()})


def new_history() -> CustomerHistory:
    """An empty history: no customer seen yet."""
    return CustomerHistory()


def history_from_dict(data: dict) -> CustomerHistory:
    """A history saved with `CustomerHistory.to_dict` (for instance as JSON)."""
    return CustomerHistory.from_dict(data)


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
    amount = transactions["amount"].to_numpy(dtype=np.float64)
    seconds_of_day = epoch_seconds % DAY_SECONDS
    hour_of_day = seconds_of_day // HOUR_SECONDS

    from_history = [
        _featurise_and_remember(history.customers, *row)
        for row in zip(
            transactions["customer_id"].astype(str).tolist(),
            epoch_seconds.tolist(),
            amount.tolist(),
            (seconds_of_day / HOUR_SECONDS).tolist(),
            transactions["device_id"].astype(str).tolist(),
            transactions["merchant_id"].astype(str).tolist(),
            transactions["country"].astype(str).tolist(),
            transactions["merchant_category"].astype(str).tolist(),
            (transactions["channel"].astype(str) == "online").tolist(),
            strict=True,
        )
    ]
    features = np.empty((len(transactions), len(FEATURE_NAMES)), dtype=np.float64)
    features[:, 0] = np.log1p(amount)
    features[:, 1] = hour_of_day
    features[:, 2] = hour_of_day < NIGHT_ENDS_AT_HOUR
    if from_history:
        features[:, 3:] = from_history
    return pd.DataFrame(features, index=transactions.index, columns=list(FEATURE_NAMES))


def _featurise_and_remember(
    customers: dict[str, _Customer],
    customer_id: str,
    now: int,
    amount: float,
    hour: float,
    device: str,
    merchant: str,
    country: str,
    category: str,
    online: bool,
) -> tuple[float, ...]:
    """The history features of one payment (FEATURE_NAMES[3:]), then the payment is recorded."""
    customer = customers.get(customer_id)
    if customer is None:
        customer = customers[customer_id] = _Customer()
    n = customer.count
    log_amount = math.log1p(amount)
    angle = hour * (2 * math.pi / 24)

    recent = customer.recent
    while recent and recent[0][0] <= now - DAY_SECONDS:
        recent.popleft()
    count_1h = 0
    for t, _ in reversed(recent):
        if t <= now - HOUR_SECONDS:
            break
        count_1h += 1

    if n:
        seconds_since_last = min(max(now - customer.last_seen, 0), MAX_GAP_SECONDS)
        amount_vs_mean = amount / customer.mean_amount if customer.mean_amount > 0 else 1.0
        variance = (customer.m2_log_amount + PRIOR_WEIGHT * PRIOR_LOG_VARIANCE) / (n + PRIOR_WEIGHT)
        zscore = (log_amount - customer.mean_log_amount) / math.sqrt(variance)
        usual_angle = math.atan2(customer.hour_sin, customer.hour_cos)
        gap = abs(angle - usual_angle) % (2 * math.pi)
        hours_from_usual = min(gap, 2 * math.pi - gap) * (24 / (2 * math.pi))
        category_share = customer.categories.get(category, 0) / n
        foreign = float(country != customer.usual_country)
    else:
        seconds_since_last = MAX_GAP_SECONDS
        amount_vs_mean, zscore, hours_from_usual, category_share, foreign = 1.0, 0.0, 0.0, 0.0, 0.0

    features = (
        float(seconds_since_last),
        float(count_1h),
        float(len(recent)),
        sum(a for _, a in recent),
        float(min(n, HISTORY_COUNT_CAP)),
        amount_vs_mean,
        zscore,
        float(device not in customer.devices),
        float(merchant not in customer.merchants),
        float(country not in customer.countries),
        foreign,
        category_share,
        (customer.online_count + 0.5) / (n + 1),
        hours_from_usual,
    )

    # Remember the payment.
    customer.count = n = n + 1
    customer.mean_amount += (amount - customer.mean_amount) / n
    delta = log_amount - customer.mean_log_amount
    customer.mean_log_amount += delta / n
    customer.m2_log_amount += delta * (log_amount - customer.mean_log_amount)
    customer.last_seen = max(customer.last_seen, now)
    recent.append((now, amount))
    _remember(customer.devices, device)
    _remember(customer.merchants, merchant)
    _count(customer.countries, country)
    _count(customer.categories, category)
    if customer.countries[country] > customer.countries.get(customer.usual_country, 0):
        customer.usual_country = country
    customer.online_count += online
    customer.hour_sin += math.sin(angle)
    customer.hour_cos += math.cos(angle)
    return features


def _remember(seen: dict[str, None], key: str) -> None:
    """Mark `key` as most recently seen, forgetting the least recent beyond MAX_REMEMBERED."""
    seen.pop(key, 0)
    seen[key] = None
    if len(seen) > MAX_REMEMBERED:
        del seen[next(iter(seen))]


def _count(counts: dict[str, int], key: str) -> None:
    """Count `key`, forgetting the rarest key beyond MAX_REMEMBERED."""
    counts[key] = counts.get(key, 0) + 1
    if len(counts) > MAX_REMEMBERED:
        del counts[min((k for k in counts if k != key), key=counts.__getitem__)]
