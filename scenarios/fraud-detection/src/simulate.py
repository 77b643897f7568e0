"""A seeded simulator of card payment transactions whose fraud probability is known.

Real payment data is confidential and its labels are incomplete (a fraud is only known once
the cardholder disputes it), so this project ships a simulator instead. Besides the
transactions it returns the *truth*: for every transaction the probability that it is fraud
and the process that generated it. Ranking transactions by that probability is the best any
fraud model could do on these rows (the oracle), so a model is judged against the oracle as
well as against a simple baseline.

How the data is generated
-------------------------
Customers. A fixed population that depends only on ``(n_customers, seed)``: a home country,
a spending scale, how many payments a day they make, which merchant categories they prefer,
the hours of the day they are active, how often they pay online, how often they travel, and
one to three phones or computers. Because the population ignores the period's ``start``, a
"production" period simulated after the training period has the same customers with the same
habits, which is what monitoring needs.

Merchants. A few hundred to a few thousand, each in one category (``m_00042``), some far more
popular than others. Every customer has three regular merchants per category and goes to
them three times out of four at home; abroad they shop wherever they are.

Everyday payments. Per customer and day a Poisson number of payments (with busy and quiet
days). Category from the customer's preferences, amount from the category's lognormal scaled
by the customer's spending scale, time of day around the customer's active hours, channel
from the category's online share shifted by the customer's taste for online shopping.

In-app purchases. About one customer in eight buys game credits or app items now and then:
sessions of two to six payments at app-store price points (0.99 to 4.99), minutes apart,
from their usual phone, at home and at their usual hours. A rule on "several tiny online
payments within the hour" flags them as card testing; the device's age and the customer's
past tell them apart.

Countries and devices. ``country`` is where the payment comes from: the terminal's country
for a card-present payment, the device's location for an online one. Customers sometimes
travel (a trip of a few days, mostly to a nearby country) and pay from there. Timestamps are
on the card issuer's clock, the customer's home time, while a traveller lives by local time:
abroad, their payments arrive at hours that would be odd at home (jet lag, not fraud). ``device_id``
names what the payment was made with: card-present payments present the plastic card itself,
device ``d_<customer>_0``; online payments come from one of the customer's devices
``d_<customer>_1`` to ``_3``. A device first seen during the simulated period is named after
the period, ``d_<customer>_<start>_<k>``: legitimate customers buy new phones now and then,
and fraudsters log in from devices of their own, so a new device is suspicious, not proof.

Fraud. Attacks are injected on top of the everyday payments, at a rate per customer-day so
that the fraud rate does not depend on the size of the run:

* ``card_testing``: a stolen card number is tried with several tiny online payments in
  digital goods or online retail, minutes apart, from a new device and often from abroad,
  followed by one or two large purchases once the card is known to work.
* ``account_takeover``: a fraudster logs into the customer's account from a new device in a
  new country and buys expensive electronics, jewelry or travel, or sends money.
* ``stolen_card``: the physical card is used in shops at home or in a neighbouring country,
  at an unusual hour, in categories the customer rarely buys, for large amounts.

Ground truth. Every transaction gets ``fraud_probability`` p and its label is drawn as
``is_fraud ~ Bernoulli(p)``. Attack payments have p between 0.5 and 0.95 depending on the
pattern and the payment's position in the attack (the first card test is the least certain).
Everyday payments have a small base probability that rises with what a fraud analyst would
also find suspicious: the first use of a new device, a payment at home far outside the
customer's hours, an amount far above the customer's habit. Each alone is common in honest
traffic and weighs little; a device first used less than a day ago AND an amount above habit
AND goods that resell (electronics, jewelry, money transfers, digital goods, travel) is a
quiet takeover of the account, and the risk jumps. Those circumstances are visible in the
transaction and the customer's past, so a model built on customer-history features can
approach the oracle but not beat it.

Which circumstance is suspicious depends on the others, as in real card fraud: tiny online
payments in a burst are card testing from a fresh device and an app session from a known
one; an odd hour is a thief at home and jet lag abroad; a large amount is a new television
on the customer's own card and a takeover on a device seen minutes ago. A model that adds up
one weight per feature (the logistic-regression baseline) cannot express that; trees can.
The overall fraud rate is about 0.7 %: card fraud by count is rarer (0.1 to 0.2 %), but the
rate is raised so that four months of a few thousand customers hold enough frauds to judge
a model on.

Drift. ``drift=True`` simulates production traffic that has moved away from training: prices
up by 40 %, 30 % more payments, more of them online, a category mix shifted towards digital
goods, online retail and money transfers, three times as much travel, and a new fraud pattern,
``friendly_fraud_gift_cards``: customers buy gift cards on their own phone, at home and at
their usual hours, and later dispute them. Customer-history features hardly see it.

Everything is drawn from numpy generators seeded from ``seed`` (the population) and from
``(seed, start, drift)`` (the period), so the same arguments always give the same frames.
"""

import datetime as dt
from collections import Counter
from typing import NamedTuple

import numpy as np
import pandas as pd

# Size flag -> (n_customers, days). "small" is for tests (about 45,000 rows: enough frauds
# that every time-ordered part of a split holds a few dozen), "medium" is the default
# (about 300,000 rows, four months: its most recent fifth, the held-out rows, holds about
# 400 frauds, enough to tell a better model from sampling noise), "large" is four times
# medium.
# A production period (`simulate --production`) lasts this long: a week of payments.
PRODUCTION_DAYS = 7

SIZES: dict[str, tuple[int, int]] = {
    "small": (1500, 30),
    "medium": (2500, 120),
    "large": (10000, 120),
}

COLUMNS = (
    "transaction_id",
    "timestamp",
    "customer_id",
    "merchant_id",
    "merchant_category",
    "amount",
    "channel",
    "country",
    "device_id",
    "is_fraud",
)
CHANNELS = ("card_present", "online")
MIN_AMOUNT, MAX_AMOUNT = 0.01, 50_000.0


class CategoryProfile(NamedTuple):
    share: float  # share of everyday payments in the whole population
    median_amount: float  # median payment, before the customer's spending scale
    amount_sigma: float  # spread of log(amount)
    online_share: float  # share of payments in this category made online


CATEGORY_PROFILES: dict[str, CategoryProfile] = {
    "grocery": CategoryProfile(0.22, 42.0, 0.6, 0.06),
    "restaurants": CategoryProfile(0.16, 28.0, 0.6, 0.12),
    "fuel": CategoryProfile(0.09, 48.0, 0.35, 0.02),
    "transport": CategoryProfile(0.08, 14.0, 0.8, 0.35),
    "health": CategoryProfile(0.05, 38.0, 0.8, 0.15),
    "entertainment": CategoryProfile(0.07, 32.0, 0.8, 0.45),
    "online_retail": CategoryProfile(0.13, 55.0, 0.9, 0.96),
    "electronics": CategoryProfile(0.04, 180.0, 0.9, 0.45),
    "travel": CategoryProfile(0.03, 320.0, 0.8, 0.75),
    "jewelry": CategoryProfile(0.01, 250.0, 1.0, 0.20),
    "digital_goods": CategoryProfile(0.08, 11.0, 0.8, 0.98),
    "money_transfer": CategoryProfile(0.04, 150.0, 1.0, 0.90),
}
CATEGORIES = tuple(CATEGORY_PROFILES)

# Where customers live, and the region each country belongs to (trips and stolen cards stay
# mostly within the region).
HOME_COUNTRY_SHARE: dict[str, float] = {
    "US": 0.30, "GB": 0.11, "DE": 0.09, "FR": 0.08, "CA": 0.07, "ES": 0.06, "IT": 0.06,
    "NL": 0.04, "MX": 0.04, "BR": 0.04, "IN": 0.04, "PH": 0.02, "NG": 0.02, "CN": 0.02,
    "RU": 0.01,
}  # fmt: skip
COUNTRIES = tuple(HOME_COUNTRY_SHARE)
REGION: dict[str, str] = {
    "US": "americas", "CA": "americas", "MX": "americas", "BR": "americas",
    "GB": "europe", "DE": "europe", "FR": "europe", "ES": "europe", "IT": "europe",
    "NL": "europe", "RU": "europe", "IN": "asia", "PH": "asia", "CN": "asia", "NG": "africa",
}  # fmt: skip
# Standard time against UTC, in hours. Timestamps are on the card issuer's clock, which is the
# customer's home time: a traveller lives by local time, so abroad their payments arrive at
# hours that would be odd at home.
UTC_OFFSET_HOURS: dict[str, float] = {
    "US": -5, "CA": -5, "MX": -6, "BR": -3, "GB": 0, "FR": 1, "DE": 1, "ES": 1, "IT": 1,
    "NL": 1, "RU": 3, "IN": 5.5, "PH": 8, "CN": 8, "NG": 1,
}  # fmt: skip
# Where remote attacks (card testing from abroad, account takeover) come from.
ATTACK_ORIGIN_SHARE: dict[str, float] = {
    "NG": 0.18, "RU": 0.18, "CN": 0.14, "PH": 0.12, "BR": 0.10, "IN": 0.08, "MX": 0.05,
    "US": 0.04, "GB": 0.03, "NL": 0.03, "DE": 0.02, "FR": 0.01, "ES": 0.01, "IT": 0.005,
    "CA": 0.005,
}  # fmt: skip

# Attacks per customer and day, by pattern. About 600 attacks in a "medium" run.
ATTACK_RATE: dict[str, float] = {
    "card_testing": 0.0009,
    "account_takeover": 0.0006,
    "stolen_card": 0.0006,
}
# Only in drifted traffic: disputed gift-card purchases made by the customers themselves.
# Common enough (about 100 disputes a week at the medium size) that a challenger retrained
# on a few days of labelled production traffic can learn the pattern: friendly fraud is
# the largest share of card disputes in industry surveys.
FRIENDLY_FRAUD_RATE = 0.005

# Fraud probability of an everyday payment: base odds, multiplied for each suspicious
# circumstance (coefficients on the log-odds scale), capped. Each circumstance alone is
# common in honest traffic and weighs little; together they are what a quiet takeover of
# the account looks like, and the risk jumps.
BASE_FRAUD_ODDS = 0.0003
RISK_NEW_DEVICE = 0.8  # first payment from a device the customer just started using
RISK_ODD_HOUR_AT_HOME = 1.2  # at home, far outside the customer's hours (abroad it is jet lag)
RISK_ABOVE_HABIT = 0.6  # an amount more than two standard deviations above the customer's habit
# A device first used less than a day ago AND an amount above habit AND goods that resell.
RISK_NEW_DEVICE_BIG_RESALE = 5.0
RESALE_CATEGORIES = ("electronics", "jewelry", "money_transfer", "digital_goods", "travel")
ODD_HOUR_SPREADS = 2.0  # "far outside the customer's hours": beyond this many spreads
MAX_EVERYDAY_FRAUD_PROBABILITY = 0.5

# In-app purchases: some customers buy game credits or app items in sessions of a few tiny
# payments minutes apart, from their usual phone. To a rule on tiny payments in a burst they
# look like card testing; the device and the customer's past tell them apart.
APP_BUYER_SHARE = 0.12
APP_SESSIONS_PER_DAY = (0.02, 0.08)  # per app buyer, uniform in this range
APP_PRICE_POINTS = (0.99, 1.99, 2.99, 4.99)

# Drifted traffic.
DRIFT_PRICE_FACTOR = 1.4
DRIFT_ACTIVITY_FACTOR = 1.3  # the move online brings more, smaller purchases
DRIFT_ONLINE_LOG_ODDS = 0.8
DRIFT_CATEGORY_BOOST = {"digital_goods": 2.5, "online_retail": 1.8, "money_transfer": 2.5}
DRIFT_TRAVEL_FACTOR = 3.0

REGULAR_MERCHANTS_PER_CATEGORY = 3
REGULAR_MERCHANT_SHARE = 0.75
NEW_DEVICE_EVERY_DAYS = 120.0  # a customer starts using a new device about this often
DAY = 86_400
HOUR = 3_600

# Independent random streams: the population must not depend on the period.
_POPULATION_STREAM, _PERIOD_STREAM = 0, 1

_CAT = {name: i for i, name in enumerate(CATEGORIES)}


class Simulation(NamedTuple):
    """What `simulate` returns: the transactions and, row for row, their ground truth.

    `transactions` has the columns of config/pipeline.yaml and is sorted by timestamp.
    `truth` has transaction_id, fraud_probability (the oracle's score) and fraud_pattern, the
    process that generated the row: "none" for everyday payments, else the attack's name. The
    label was drawn from the probability, so a "none" row can be a fraud and an attack row not.
    """

    transactions: pd.DataFrame
    truth: pd.DataFrame


class _Population(NamedTuple):
    customer_ids: np.ndarray  # "c_00042"
    device_prefix: np.ndarray  # "d_00042"
    home: np.ndarray  # country index
    spending_scale: np.ndarray
    payments_per_day: np.ndarray
    category_preference: np.ndarray  # (n_customers, n_categories), rows sum to 1
    active_hour: np.ndarray  # centre of the customer's day, in hours
    hour_spread: np.ndarray
    online_taste: np.ndarray  # log-odds added to the category's online share
    trips_per_day: np.ndarray
    app_sessions_per_day: np.ndarray  # in-app purchase sessions; 0 for most customers
    device_weights: np.ndarray  # (n_customers, 3): how often each own device is used
    merchant_ids: np.ndarray  # "m_00042"
    category_merchants: list[np.ndarray]  # merchant indices of each category
    merchant_popularity: list[np.ndarray]  # their probabilities of being chosen
    regular_merchants: np.ndarray  # (n_customers, n_categories, 3) merchant indices


class _Rows(NamedTuple):
    """Payments under construction, one array per field (not yet sorted)."""

    customer: np.ndarray
    seconds: np.ndarray  # since the start of the period
    category: np.ndarray
    merchant: np.ndarray
    amount: np.ndarray
    online: np.ndarray
    country: np.ndarray
    device: np.ndarray  # object array of device ids
    fraud_probability: np.ndarray
    fraud_pattern: np.ndarray  # object array


def simulate(
    n_customers: int,
    days: int,
    *,
    seed: int = 42,
    start: str = "2026-01-01",
    drift: bool = False,
) -> Simulation:
    """Simulate `days` days of card payments of `n_customers` customers, starting at `start`.

    `start` is an ISO date. Calling again with a later `start` and the same `n_customers` and
    `seed` continues the same customers' story; `drift=True` shifts the traffic (see the
    module docstring).
    """
    if n_customers < 1 or days < 1:
        raise ValueError("n_customers and days must be at least 1")
    first_day = dt.date.fromisoformat(start)
    period = first_day.strftime("%Y%m%d")
    population = _population(n_customers, seed)
    period_seed = np.random.SeedSequence([seed, _PERIOD_STREAM, first_day.toordinal(), int(drift)])
    traffic_rng, attack_rng, label_rng, app_rng = (
        np.random.default_rng(s) for s in period_seed.spawn(4)
    )

    devices_seen = Counter()  # customer -> devices first seen in this period
    everyday = _everyday_payments(population, days, drift, period, devices_seen, traffic_rng)
    app_sessions = _app_sessions(population, days, app_rng)
    attacks = _attacks(population, days, drift, period, devices_seen, attack_rng)
    parts = (everyday, app_sessions, attacks)
    rows = _Rows(*(np.concatenate(field) for field in zip(*parts, strict=True)))
    rows = _Rows(*(field[np.argsort(rows.seconds, kind="stable")] for field in rows))

    n_rows = len(rows.seconds)
    width = max(6, len(str(n_rows)))
    transaction_ids = np.array([f"tx_{period}_{i:0{width}d}" for i in range(1, n_rows + 1)])
    is_fraud = (label_rng.random(n_rows) < rows.fraud_probability).astype(np.int64)
    timestamps = np.datetime64(first_day, "s") + rows.seconds.astype("timedelta64[s]")

    transactions = pd.DataFrame(
        {
            "transaction_id": transaction_ids.astype(object),
            "timestamp": timestamps.astype("datetime64[ns]"),
            "customer_id": population.customer_ids[rows.customer],
            "merchant_id": population.merchant_ids[rows.merchant],
            "merchant_category": np.array(CATEGORIES, dtype=object)[rows.category],
            "amount": rows.amount,
            "channel": np.array(CHANNELS, dtype=object)[rows.online.astype(np.int64)],
            "country": np.array(COUNTRIES, dtype=object)[rows.country],
            "device_id": rows.device,
            "is_fraud": is_fraud,
        },
        columns=list(COLUMNS),
    )
    truth = pd.DataFrame(
        {
            "transaction_id": transactions["transaction_id"],
            "fraud_probability": rows.fraud_probability,
            "fraud_pattern": rows.fraud_pattern,
        }
    )
    return Simulation(transactions, truth)


def _population(n_customers: int, seed: int) -> _Population:
    """The customers and merchants: a function of (n_customers, seed) only."""
    rng = np.random.default_rng([seed, _POPULATION_STREAM, n_customers])
    n = n_customers
    number_width = max(5, len(str(n)))
    numbers = [f"{i:0{number_width}d}" for i in range(1, n + 1)]
    profiles = list(CATEGORY_PROFILES.values())
    share = np.array([p.share for p in profiles])

    home = rng.choice(len(COUNTRIES), size=n, p=_probabilities(HOME_COUNTRY_SHARE))
    spending_scale = rng.lognormal(0.0, 0.5, size=n)
    payments_per_day = np.clip(rng.lognormal(-0.3, 0.75, size=n), 0.05, 8.0)
    category_preference = rng.dirichlet(share * 15.0, size=n)
    night_owl = rng.random(n) < 0.08
    active_hour = np.where(night_owl, rng.normal(22.0, 1.5, size=n), rng.normal(14.0, 2.0, n))
    hour_spread = rng.uniform(2.0, 4.0, size=n)
    online_taste = rng.normal(0.0, 0.7, size=n)
    trips_per_day = rng.gamma(2.0, 1 / 300, size=n)  # on average one trip in 150 days
    app_buyer = rng.random(n) < APP_BUYER_SHARE
    app_sessions_per_day = np.where(app_buyer, rng.uniform(*APP_SESSIONS_PER_DAY, size=n), 0.0)
    n_devices = rng.integers(1, 4, size=n)
    device_weights = rng.dirichlet([3.0, 1.5, 1.0], size=n)
    device_weights[np.arange(3) >= n_devices[:, None]] = 0.0
    device_weights /= device_weights.sum(axis=1, keepdims=True)

    # Merchants: as many as customers, between 300 and 3000, spread over the categories by
    # share of payments; popularity within a category follows Zipf's law.
    n_merchants = int(np.clip(n, 300, 3000))
    per_category = np.maximum(5, np.round(share * n_merchants)).astype(np.int64)
    merchant_order = rng.permutation(per_category.sum())  # ids do not reveal the category
    bounds = np.concatenate([[0], np.cumsum(per_category)])
    category_merchants, merchant_popularity = [], []
    regular_merchants = np.empty((n, len(CATEGORIES), REGULAR_MERCHANTS_PER_CATEGORY), np.int64)
    for c in range(len(CATEGORIES)):
        merchants = merchant_order[bounds[c] : bounds[c + 1]]
        popularity = 1.0 / np.arange(1, len(merchants) + 1)
        popularity /= popularity.sum()
        category_merchants.append(merchants)
        merchant_popularity.append(popularity)
        regular_merchants[:, c, :] = rng.choice(
            merchants, size=(n, REGULAR_MERCHANTS_PER_CATEGORY), p=popularity
        )
    merchant_ids = np.array([f"m_{i:05d}" for i in range(1, per_category.sum() + 1)], object)

    return _Population(
        customer_ids=np.array([f"c_{x}" for x in numbers], dtype=object),
        device_prefix=np.array([f"d_{x}" for x in numbers], dtype=object),
        home=home,
        spending_scale=spending_scale,
        payments_per_day=payments_per_day,
        category_preference=category_preference,
        active_hour=active_hour,
        hour_spread=hour_spread,
        online_taste=online_taste,
        trips_per_day=trips_per_day,
        app_sessions_per_day=app_sessions_per_day,
        device_weights=device_weights,
        merchant_ids=merchant_ids,
        category_merchants=category_merchants,
        merchant_popularity=merchant_popularity,
        regular_merchants=regular_merchants,
    )


def _everyday_payments(
    pop: _Population,
    days: int,
    drift: bool,
    period: str,
    devices_seen: Counter,
    rng: np.random.Generator,
) -> _Rows:
    """The customers' own payments, following their habits (vectorised over all rows)."""
    n_customers = len(pop.customer_ids)
    profiles = list(CATEGORY_PROFILES.values())

    # How many payments each customer makes each day (some days are busier than others).
    busy = rng.gamma(4.0, 0.25, size=(n_customers, days))
    activity = DRIFT_ACTIVITY_FACTOR if drift else 1.0
    counts = rng.poisson(pop.payments_per_day[:, None] * busy * activity)
    cell = np.repeat(np.arange(n_customers * days), counts.ravel())
    customer, day = cell // days, cell % days  # grouped by customer, then by day
    n = len(cell)

    # Trips: where each customer is on each day.
    location = np.repeat(pop.home[:, None], days, axis=1)
    travel = DRIFT_TRAVEL_FACTOR if drift else 1.0
    n_trips = rng.poisson(pop.trips_per_day * days * travel)
    for c in np.repeat(np.arange(n_customers), n_trips):
        first = rng.integers(days)
        length = 1 + rng.geometric(0.25)
        location[c, first : first + length] = _destination(pop.home[c], rng)
    country = location[customer, day]
    abroad = country != pop.home[customer]

    # Time of day: around the customer's active hours, local time, written on the issuer's
    # clock (home time); `hours_off` is how far from their usual hours, in local time.
    hours_off = pop.hour_spread[customer] * rng.standard_normal(n)
    local_hour = pop.active_hour[customer] + hours_off
    hour = (local_hour - _time_difference(country, pop.home[customer])) % 24
    seconds = day * DAY + (hour * HOUR).astype(np.int64)

    preference = pop.category_preference
    if drift:
        boost = np.array([DRIFT_CATEGORY_BOOST.get(name, 1.0) for name in CATEGORIES])
        preference = preference * boost
        preference /= preference.sum(axis=1, keepdims=True)
    category = _draw_index(np.cumsum(preference, axis=1)[customer], rng.random(n))

    # Amount: lognormal per category, scaled per customer. `habit_z` is how unusual the
    # amount is for this customer and category; it raises the fraud probability below.
    habit_z = rng.standard_normal(n)
    median = np.array([p.median_amount for p in profiles])[category]
    sigma = np.array([p.amount_sigma for p in profiles])[category]
    amount = median * pop.spending_scale[customer] * np.exp(sigma * habit_z)
    if drift:
        amount *= DRIFT_PRICE_FACTOR
    amount = np.clip(np.round(amount, 2), MIN_AMOUNT, MAX_AMOUNT)

    online_share = np.array([p.online_share for p in profiles])[category]
    online_log_odds = np.log(online_share / (1 - online_share)) + pop.online_taste[customer]
    if drift:
        online_log_odds += DRIFT_ONLINE_LOG_ODDS
    online = rng.random(n) < 1 / (1 + np.exp(-online_log_odds))

    # Merchants: mostly the customer's regulars at home; anywhere in the category abroad.
    merchant = pop.regular_merchants[
        customer, category, rng.integers(REGULAR_MERCHANTS_PER_CATEGORY, size=n)
    ]
    elsewhere = (rng.random(n) >= REGULAR_MERCHANT_SHARE) | (abroad & ~online)
    for c in range(len(CATEGORIES)):
        rows = np.flatnonzero(elsewhere & (category == c))
        merchant[rows] = rng.choice(
            pop.category_merchants[c], size=len(rows), p=pop.merchant_popularity[c]
        )

    # Devices: the card in shops, one of the customer's own devices online.
    own_device = 1 + _draw_index(np.cumsum(pop.device_weights, axis=1)[customer], rng.random(n))
    device_number = np.where(online, own_device, 0)
    device = pop.device_prefix[customer] + np.array(["_0", "_1", "_2", "_3"], object)[device_number]

    # Now and then a customer starts using a new device for part of their online payments.
    # `new_device_age`: seconds since the row's device was first used, for a device first
    # seen in this period (infinite for the customer's old devices).
    new_device_age = np.full(n, np.inf)
    row_bounds = np.searchsorted(customer, np.arange(n_customers + 1))
    n_new = rng.poisson(days / NEW_DEVICE_EVERY_DAYS, size=n_customers)
    for c in np.flatnonzero(n_new):
        rows = np.arange(row_bounds[c], row_bounds[c + 1])
        new_devices = []
        for since in np.sort(rng.integers(days * DAY, size=n_new[c])):
            candidates = rows[online[rows] & (seconds[rows] >= since)]
            switched = candidates[rng.random(len(candidates)) < 0.6]
            if len(switched):
                new_devices.append(_new_device_id(pop, c, period, devices_seen))
                device[switched] = new_devices[-1]
        for new_device in new_devices:  # a later device may have taken over some payments
            uses = rows[device[rows] == new_device]
            if len(uses):
                new_device_age[uses] = seconds[uses] - seconds[uses].min()

    first_use_of_new_device = new_device_age == 0
    young_device = new_device_age < DAY
    odd_hour_at_home = ~abroad & (np.abs(hours_off) > ODD_HOUR_SPREADS * pop.hour_spread[customer])
    above_habit = habit_z > 2.0
    resale = np.isin(category, [_CAT[c] for c in RESALE_CATEGORIES])
    log_odds = (
        np.log(BASE_FRAUD_ODDS)
        + RISK_NEW_DEVICE * first_use_of_new_device
        + RISK_ODD_HOUR_AT_HOME * odd_hour_at_home
        + RISK_ABOVE_HABIT * above_habit
        + RISK_NEW_DEVICE_BIG_RESALE * (young_device & above_habit & resale)
    )
    fraud_probability = np.minimum(1 / (1 + np.exp(-log_odds)), MAX_EVERYDAY_FRAUD_PROBABILITY)

    return _Rows(
        customer=customer,
        seconds=seconds,
        category=category,
        merchant=merchant,
        amount=amount,
        online=online,
        country=country,
        device=device,
        fraud_probability=fraud_probability,
        fraud_pattern=np.full(n, "none", dtype=object),
    )


def _app_sessions(pop: _Population, days: int, rng: np.random.Generator) -> _Rows:
    """In-app purchases: a few tiny payments minutes apart, from the customer's usual phone,
    at home and at their usual hours. Honest, however much they look like card testing."""
    n_sessions = rng.poisson(pop.app_sessions_per_day * days)
    session_customer = np.repeat(np.arange(len(n_sessions)), n_sessions)
    customers, seconds, amounts = [], [], []
    for c in session_customer.tolist():
        hour = (pop.active_hour[c] + pop.hour_spread[c] * rng.standard_normal()) % 24
        t = int(rng.integers(days)) * DAY + int(hour * HOUR)
        for _ in range(int(rng.integers(2, 7))):
            customers.append(c)
            seconds.append(t)
            amounts.append(rng.choice(APP_PRICE_POINTS))
            t += int(rng.integers(20, 300))
    customer = np.array(customers, dtype=np.int64)
    n = len(customer)
    category = np.full(n, _CAT["digital_goods"], dtype=np.int64)
    phone = 1 + np.argmax(pop.device_weights, axis=1)  # the device used most
    return _Rows(
        customer=customer,
        seconds=np.minimum(np.array(seconds, dtype=np.int64), days * DAY - 1),
        category=category,
        merchant=pop.regular_merchants[customer, category, 0],
        amount=np.array(amounts, dtype=float),
        online=np.ones(n, dtype=bool),
        country=pop.home[customer],
        device=(pop.device_prefix[customer] + "_" + phone[customer].astype(str)).astype(object),
        fraud_probability=np.full(n, BASE_FRAUD_ODDS),
        fraud_pattern=np.full(n, "none", dtype=object),
    )


class _Payment(NamedTuple):
    """One payment of an attack."""

    seconds: int  # since midnight of the attack's first day (may run into the next day)
    category: str
    amount: float
    online: bool
    country: int
    device: str
    fraud_probability: float


def _attacks(
    pop: _Population,
    days: int,
    drift: bool,
    period: str,
    devices_seen: Counter,
    rng: np.random.Generator,
) -> _Rows:
    """Fraud attacks on random customers, each a short sequence of payments."""
    n_customers = len(pop.customer_ids)
    price = DRIFT_PRICE_FACTOR if drift else 1.0
    rates = dict(ATTACK_RATE)
    if drift:
        rates["friendly_fraud_gift_cards"] = FRIENDLY_FRAUD_RATE

    attacks: list[tuple[int, int, str, _Payment]] = []  # (victim, day, pattern, payment)
    for pattern, rate in rates.items():
        # As many attacks as the rate says (rounded at random), so that the fraud rate of a
        # small run stays close to that of a large one.
        n_attacks = int(rate * n_customers * days + rng.random())
        for victim in rng.integers(n_customers, size=n_attacks):
            victim, day = int(victim), int(rng.integers(days))
            if pattern == "card_testing":
                fraudster = _new_device_id(pop, victim, period, devices_seen)
                payments = _card_testing(pop, victim, fraudster, price, rng)
            elif pattern == "account_takeover":
                fraudster = _new_device_id(pop, victim, period, devices_seen)
                payments = _account_takeover(pop, victim, fraudster, price, rng)
            elif pattern == "stolen_card":
                payments = _stolen_card(pop, victim, price, rng)
            else:
                payments = _friendly_fraud_gift_cards(pop, victim, rng)
            attacks += [(victim, day, pattern, payment) for payment in payments]

    # Attacks that run past the end of the period are cut there.
    attacks = [a for a in attacks if a[1] * DAY + a[3].seconds < days * DAY]
    payments = [payment for _, _, _, payment in attacks]
    categories = np.array([_CAT[p.category] for p in payments], dtype=np.int64)
    return _Rows(
        customer=np.array([victim for victim, _, _, _ in attacks], dtype=np.int64),
        seconds=np.array([day * DAY + p.seconds for _, day, _, p in attacks], dtype=np.int64),
        category=categories,
        merchant=np.array([_popular_merchant(pop, c, rng) for c in categories], dtype=np.int64),
        amount=np.clip(np.round([p.amount for p in payments], 2), MIN_AMOUNT, MAX_AMOUNT),
        online=np.array([p.online for p in payments], dtype=bool),
        country=np.array([p.country for p in payments], dtype=np.int64),
        device=np.array([p.device for p in payments], dtype=object),
        fraud_probability=np.array([p.fraud_probability for p in payments], dtype=float),
        fraud_pattern=np.array([pattern for _, _, pattern, _ in attacks], dtype=object),
    )


def _card_testing(
    pop: _Population, customer: int, fraudster: str, price: float, rng: np.random.Generator
) -> list[_Payment]:
    """Tiny online payments minutes apart to test a stolen card number, then the real buys.

    Often at night and from abroad. The fraud probability grows with each test: the first
    tiny payment from a new device could still be the customer.
    """
    home = int(pop.home[customer])
    country = _attack_origin(home, rng) if rng.random() < 0.6 else home
    t = int(rng.integers(6 * HOUR) if rng.random() < 0.5 else rng.integers(DAY))
    payments = []
    for test in range(int(rng.integers(3, 9))):
        category = "digital_goods" if rng.random() < 0.7 else "online_retail"
        amount = rng.uniform(0.3, 3.0)
        if rng.random() < 0.5:
            amount = float(np.ceil(amount))
        probability = min(0.5 + 0.06 * test, 0.8)
        payments.append(_Payment(t, category, amount, True, country, fraudster, probability))
        t += int(rng.integers(15, 180))
    for _ in range(int(rng.integers(1, 3))):
        t += int(rng.integers(2 * 60, 40 * 60))
        category = str(
            rng.choice(["electronics", "online_retail", "digital_goods"], p=[0.5, 0.3, 0.2])
        )
        amount = rng.lognormal(np.log(450.0), 0.6) * price
        payments.append(_Payment(t, category, amount, True, country, fraudster, 0.92))
    return payments


def _account_takeover(
    pop: _Population, customer: int, fraudster: str, price: float, rng: np.random.Generator
) -> list[_Payment]:
    """A fraudster in the customer's online account: new device, new country, big buys."""
    country = _attack_origin(int(pop.home[customer]), rng)
    t = int(rng.integers(DAY))
    payments = []
    for purchase in range(int(rng.integers(1, 4))):
        category = str(
            rng.choice(
                ["electronics", "jewelry", "travel", "money_transfer"], p=[0.35, 0.15, 0.2, 0.3]
            )
        )
        amount = rng.lognormal(np.log(900.0), 0.7) * price
        probability = 0.8 if purchase == 0 else 0.9
        payments.append(_Payment(t, category, amount, True, country, fraudster, probability))
        t += int(rng.integers(10 * 60, 2 * HOUR))
    return payments


def _stolen_card(
    pop: _Population, customer: int, price: float, rng: np.random.Generator
) -> list[_Payment]:
    """The physical card used in shops: at home or next door, at odd hours, odd categories.

    No new device and no far-away country give it away, so it is the hardest pattern.
    """
    home = int(pop.home[customer])
    country = _neighbour(home, rng) if rng.random() < 0.2 else home
    card = f"{pop.device_prefix[customer]}_0"
    hour = (pop.active_hour[customer] + 12.0 + rng.normal(0.0, 2.0)) % 24  # customer asleep
    t = int(hour * HOUR)
    shops = ["electronics", "jewelry", "fuel", "entertainment", "grocery"]
    resale_value = np.array([3.0, 3.0, 1.0, 1.0, 0.5])
    rarity = 1 / (pop.category_preference[customer, [_CAT[c] for c in shops]] + 0.02)
    weights = resale_value * rarity
    payments = []
    for purchase in range(int(rng.integers(2, 6))):
        category = str(rng.choice(shops, p=weights / weights.sum()))
        amount = rng.lognormal(np.log(350.0), 0.7) * price
        probability = min(0.55 + 0.08 * purchase, 0.85)
        payments.append(_Payment(t, category, amount, False, country, card, probability))
        t += int(rng.integers(5 * 60, HOUR))
    return payments


def _friendly_fraud_gift_cards(
    pop: _Population, customer: int, rng: np.random.Generator
) -> list[_Payment]:
    """The customer buys gift cards on their own phone, at home, and disputes them later."""
    phone = f"{pop.device_prefix[customer]}_{1 + np.argmax(pop.device_weights[customer])}"
    home = int(pop.home[customer])
    hour = (pop.active_hour[customer] + rng.normal(0.0, pop.hour_spread[customer])) % 24
    t = int(hour * HOUR)
    payments = []
    for _ in range(int(rng.integers(1, 4))):
        amount = float(rng.choice([25.0, 50.0, 100.0, 150.0, 200.0]))  # gift card values
        payments.append(_Payment(t, "digital_goods", amount, True, home, phone, 0.6))
        t += int(rng.integers(10 * 60, 4 * HOUR))
    return payments


def _new_device_id(pop: _Population, customer: int, period: str, devices_seen: Counter) -> str:
    """The id of a device first seen on the customer's account during this period."""
    devices_seen[customer] += 1
    return f"{pop.device_prefix[customer]}_{period}_{devices_seen[customer]}"


def _time_difference(country: np.ndarray, home: np.ndarray) -> np.ndarray:
    """Hours that local time in `country` is ahead of the time at `home`."""
    offsets = np.array([UTC_OFFSET_HOURS[c] for c in COUNTRIES])
    return offsets[country] - offsets[home]


def _destination(home: int, rng: np.random.Generator) -> int:
    """A trip's country: usually in the home region, otherwise anywhere else."""
    if rng.random() < 0.6:
        return _neighbour(home, rng)
    shares = _probabilities(HOME_COUNTRY_SHARE)
    shares[home] = 0.0
    return int(rng.choice(len(COUNTRIES), p=shares / shares.sum()))


def _neighbour(home: int, rng: np.random.Generator) -> int:
    region = REGION[COUNTRIES[home]]
    nearby = [i for i, c in enumerate(COUNTRIES) if REGION[c] == region and i != home]
    if not nearby:  # a region of one country
        nearby = [i for i in range(len(COUNTRIES)) if i != home]
    return int(rng.choice(nearby))


def _attack_origin(home: int, rng: np.random.Generator) -> int:
    shares = _probabilities(ATTACK_ORIGIN_SHARE)
    shares[home] = 0.0
    return int(rng.choice(len(COUNTRIES), p=shares / shares.sum()))


def _popular_merchant(pop: _Population, category: int, rng: np.random.Generator) -> int:
    return int(rng.choice(pop.category_merchants[category], p=pop.merchant_popularity[category]))


def _probabilities(shares: dict[str, float]) -> np.ndarray:
    """Shares keyed by country, as probabilities in the order of COUNTRIES."""
    p = np.array([shares[c] for c in COUNTRIES], dtype=float)
    return p / p.sum()


def _draw_index(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise categorical draws: the first column whose cumulative probability exceeds u."""
    return np.minimum((u[:, None] >= cumulative).sum(axis=1), cumulative.shape[1] - 1)
