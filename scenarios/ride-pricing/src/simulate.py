"""A seeded simulator of ride requests in a fictional city, whose expected fares are known.

A ride-hailing platform quotes a price before the ride starts, from what it knows at the
moment of the request: where and when, how far the routed trip is, which vehicle, and how
many open requests there are for each available driver nearby (the surge signal). The fare
actually charged then varies around what the tariff predicts (a detour, a toll, a closed
street). This simulator generates such requests together with their *truth*: for every ride
the expected fare given the request. Predicting that expectation is the best any pricing
model could do (the oracle), so a model is judged against the oracle as well as against a
simple rate card.

How the data is generated
-------------------------
The city. Sixteen named zones, each a disc with a centre (in km from the old town), a
radius, a kind (central, business, residential, nightlife, leisure, airport) and a traffic
congestion factor. The airport lies 19 km out; four central zones levy a congestion charge
on weekdays from 7:00 to 19:00.

Riders. A fixed population that depends only on ``(n_riders, seed)``: each rider has a home
zone and a work zone, and how often they take a ride to commute, to go out, to run errands
and to catch a flight, and how much they prefer a comfort or an XL car. Because the
population ignores the period's ``start``, a later period (production after training) has
the same riders with the same habits; its rides get new ids.

Rides. Per rider and day: weekday commutes (home to work around 8:15, back around 17:45),
evenings out (home to a nightlife or leisure zone, more on Fridays and Saturdays, usually
with a ride back a few hours later), daytime errands, and now and then a ride to or from the
airport. Groups travel together on evenings out and to the airport; five or more passengers
need an XL car. The pickup and drop-off points are drawn in their zones, and the quoted
distance is the straight line times a routing factor (streets are not straight lines).

Demand and supply. ``demand_supply_ratio`` is the number of open requests per available
driver in the pickup zone at the request. Its logarithm follows a weekly rhythm per zone
kind (residential zones run short of drivers in the morning rush, business and central zones
in the evening rush, nightlife zones on Friday and Saturday nights, the airport at the
morning and evening flight waves, every zone in the small hours), plus a city-wide shock per
day (weather, events), a shock per zone and hour, and a little per request.

Price (``expected_fare``). The tariff every rider is quoted:

    metered = max(MINIMUM_FARE, BASE_FARE + PER_KM * distance + PER_MINUTE * minutes)
    expected_fare = metered * VEHICLE_MULTIPLIER[vehicle] * surge(ratio) + fees

``minutes`` is the expected duration: the distance at a speed that drops in the rush hours
and in congested zones and rises at night and on longer trips (which use arterial roads).
Because the speed's rise with distance is bounded, the duration, and so the price, never
decreases with distance when everything else is fixed; a pricing model may (and should) be
constrained to be monotone in distance. ``surge`` is 1 up to a ratio of 1, then rises
smoothly with the ratio towards a cap of 2.5. Fees: an airport fee for a pickup or drop-off
at the airport, and the congestion charge. Fees are not surged.

Fare. The fare charged is ``expected_fare * exp(FARE_NOISE_SIGMA * z - FARE_NOISE_SIGMA**2 / 2)``
with z standard normal: a lognormal factor of mean one (tolls, detours, waiting), so that
``expected_fare`` is exactly the mean fare given the request. Everything the truth depends on
is a column of the request (``expected_fare`` computes it from the columns), so a model can
come close to the oracle, whose own error the noise keeps at about 8 % of the fare.

Drift. ``drift=True`` simulates a later market: fuel prices push the per-km rate up 15 % and
the per-minute rate 5 %, with a 0.60 fuel surcharge on the base fare; a driver shortage raises
the demand/supply ratio by a quarter everywhere; and airport trips (long, with a fee) are
three times as frequent. A model trained before underprices every ride.

Everything is drawn from numpy generators seeded from ``seed`` (the riders) and from
``(seed, start, drift)`` (the period), so the same arguments always give the same frames.
"""

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

# A production period (`simulate --production`) lasts this long: a week of rides.
PRODUCTION_DAYS = 7

# Size flag -> (n_riders, days). About 0.33 rides per rider and day: "small" is about 25,000
# rides (tests; 50 days, so that its validation rows, the monitoring reference, span more
# than a week, as a production week does), "medium" (the default) about 140,000, "large"
# three times medium.
SIZES: dict[str, tuple[int, int]] = {
    "small": (1500, 50),
    "medium": (7000, 60),
    "large": (21000, 60),
}

COLUMNS = (
    "ride_id",
    "requested_at",
    "pickup_zone",
    "dropoff_zone",
    "distance_km",
    "vehicle_type",
    "passengers",
    "demand_supply_ratio",
    "fare",
)
VEHICLE_TYPES = ("standard", "comfort", "xl")
MAX_PASSENGERS = 6
XL_FROM_PASSENGERS = 5  # groups this large need an XL car
XL_TASTE = 0.04  # chance that a smaller group orders an XL car anyway
MIN_RATIO, MAX_RATIO = 0.1, 8.0  # demand/supply ratio is clipped to this range


class Zone(NamedTuple):
    x: float  # centre, km east of the old town
    y: float  # centre, km north of the old town
    radius: float  # km
    kind: str  # central, business, residential, nightlife, leisure or airport
    congestion: float  # traffic slowdown: speeds are divided by it (1 = free-flowing)
    home: float  # relative weight as a rider's home zone
    work: float  # ... as a rider's work zone
    venue: float  # ... as the destination of an evening out
    errand: float  # ... as the destination of an errand


ZONES: dict[str, Zone] = {
    "old_town": Zone(0.0, 0.0, 1.0, "nightlife", 1.45, 0.04, 0.06, 0.30, 0.12),
    "financial_district": Zone(1.8, -0.6, 0.8, "central", 1.55, 0.01, 0.22, 0.02, 0.06),
    "central_station": Zone(-0.9, -1.5, 0.6, "central", 1.40, 0.02, 0.08, 0.02, 0.10),
    "midtown": Zone(0.4, 2.4, 1.2, "central", 1.35, 0.05, 0.20, 0.06, 0.12),
    "arts_quarter": Zone(-1.2, 1.0, 0.8, "nightlife", 1.30, 0.05, 0.04, 0.22, 0.06),
    "harbor": Zone(2.6, -3.4, 1.2, "leisure", 1.10, 0.04, 0.03, 0.14, 0.06),
    "university": Zone(-3.2, 2.2, 1.2, "residential", 1.10, 0.08, 0.05, 0.05, 0.06),
    "riverside": Zone(-2.6, -2.2, 1.3, "residential", 1.00, 0.13, 0.02, 0.03, 0.06),
    "stadium": Zone(5.2, 2.0, 1.0, "leisure", 1.00, 0.01, 0.01, 0.10, 0.02),
    "tech_park": Zone(7.0, -2.2, 1.5, "business", 0.90, 0.02, 0.16, 0.01, 0.05),
    "north_hills": Zone(-1.0, 7.2, 2.5, "residential", 0.80, 0.16, 0.02, 0.01, 0.06),
    "west_end": Zone(-7.2, 0.6, 2.0, "residential", 0.85, 0.14, 0.02, 0.02, 0.06),
    "east_village": Zone(4.2, 5.2, 1.8, "residential", 0.90, 0.13, 0.03, 0.05, 0.06),
    "south_bay": Zone(1.0, -8.2, 2.5, "residential", 0.80, 0.12, 0.02, 0.04, 0.05),
    "industrial_park": Zone(8.2, -7.2, 2.0, "business", 0.75, 0.00, 0.08, 0.00, 0.02),
    "airport": Zone(14.0, -12.5, 1.5, "airport", 0.80, 0.00, 0.02, 0.00, 0.00),
}
ZONE_NAMES = tuple(ZONES)
AIRPORT_ZONE = "airport"
CONGESTION_CHARGE_ZONES = ("old_town", "financial_district", "central_station", "midtown")

# The tariff. Minutes are the expected duration of the routed trip.
BASE_FARE = 2.50
PER_KM = 1.10
PER_MINUTE = 0.30
MINIMUM_FARE = 7.00  # of the metered part, before the vehicle multiplier and surge
VEHICLE_MULTIPLIER: dict[str, float] = {"standard": 1.0, "comfort": 1.3, "xl": 1.6}
AIRPORT_FEE = 5.00  # once per ride from or to the airport
CONGESTION_CHARGE = 2.75  # weekdays 7:00-19:00, pickup or drop-off in a charge zone
CONGESTION_CHARGE_HOURS = (7.0, 19.0)
# surge(r) = 1 + (SURGE_CAP - 1) * tanh(SURGE_SLOPE * (r - 1) / (SURGE_CAP - 1)) above r = 1:
# slope SURGE_SLOPE at r = 1, 1.73 at r = 2, 2.18 at r = 3, never above SURGE_CAP.
SURGE_CAP = 2.5
SURGE_SLOPE = 0.8
# Tolls, detours and waiting: the fare is the expected fare times a lognormal of mean one.
FARE_NOISE_SIGMA = 0.10

# Speed: FREE_FLOW_KMH, times the hour's traffic factor, times 1 + ARTERIAL_GAIN * d / (d +
# ARTERIAL_KM) for a trip of d km (long trips take faster roads), divided by the geometric
# mean of the pickup and drop-off zones' congestion. Duration d / speed rises with d, since
# the arterial factor grows more slowly than d.
FREE_FLOW_KMH = 32.0
ARTERIAL_GAIN = 0.6
ARTERIAL_KM = 8.0

# Quoted distance: 0.4 km to reach the street grid, plus the straight line times the routing
# factor, times a lognormal of spread ROUTE_SIGMA (one-way streets, bridges).
ROUTE_FACTOR = 1.3
ROUTE_OFFSET_KM = 0.4
ROUTE_SIGMA = 0.08

# Demand/supply: log(ratio) = BASE_LOG_RATIO + the zone kind's weekly rhythm + a city-wide
# shock per day + a shock per zone and hour + a little per request.
BASE_LOG_RATIO = -0.55
DAY_SHOCK_SIGMA = 0.20
ZONE_HOUR_SHOCK_SIGMA = 0.25
REQUEST_SHOCK_SIGMA = 0.05

# Rides per rider and day, by purpose (population means; each rider has their own rate).
COMMUTE_SHARE = 0.12  # chance of riding each commute leg on a working day
OUTINGS_PER_DAY = 0.05  # evenings out (x OUTING_WEEKDAY_FACTOR)
RETURN_RIDE_SHARE = 0.75  # evenings out that end with a ride home
ERRANDS_PER_DAY = 0.05  # daytime errands (x 1.3 at weekends)
FLIGHTS_PER_DAY = 0.006  # rides to or from the airport
# Monday .. Sunday: evenings out happen mostly on Fridays and Saturdays.
OUTING_WEEKDAY_FACTOR = np.array([0.6, 0.6, 0.8, 1.0, 2.0, 2.2, 0.9])
WEEKEND_ERRAND_FACTOR = 1.3

# Drifted market.
DRIFT_PER_KM_FACTOR = 1.15
DRIFT_PER_MINUTE_FACTOR = 1.05
DRIFT_FUEL_SURCHARGE = 0.60  # added to the base fare
DRIFT_SHORTAGE_FACTOR = 1.25  # fewer drivers: every demand/supply ratio a quarter higher
DRIFT_FLIGHT_FACTOR = 3.0

DAY = 86_400
HOUR = 3_600

# Independent random streams: the population must not depend on the period.
_POPULATION_STREAM, _PERIOD_STREAM = 0, 1

_ZONE_INDEX = {name: i for i, name in enumerate(ZONE_NAMES)}
_ZONE_FIELD = {
    field: np.array([getattr(z, field) for z in ZONES.values()]) for field in Zone._fields
}
_IS_AIRPORT = np.array([name == AIRPORT_ZONE for name in ZONE_NAMES])
_IS_CHARGED = np.isin(np.array(ZONE_NAMES), CONGESTION_CHARGE_ZONES)


class Simulation(NamedTuple):
    """What `simulate` returns: the ride requests with their fares and, row for row, the truth.

    `rows` has the columns of config/pipeline.yaml and is sorted by `requested_at`. `truth`
    has ride_id and expected_fare, the mean fare given the request (the oracle's quote).
    """

    rows: pd.DataFrame
    truth: pd.DataFrame


class _Riders(NamedTuple):
    home: np.ndarray  # zone index
    work: np.ndarray  # zone index
    commute_share: np.ndarray  # chance of riding each commute leg
    outings_per_day: np.ndarray
    errands_per_day: np.ndarray
    flights_per_day: np.ndarray
    comfort_taste: np.ndarray  # chance of ordering a comfort car (XL_TASTE: an XL car)


class _Trips(NamedTuple):
    """Rides under construction, one array per field (not yet sorted)."""

    seconds: np.ndarray  # since the start of the period
    pickup: np.ndarray  # zone index
    dropoff: np.ndarray  # zone index
    passengers: np.ndarray
    comfort_taste: np.ndarray  # the rider's, raised for airport trips


def simulate(
    n_riders: int,
    days: int,
    *,
    seed: int = 42,
    start: str = "2026-01-01",
    drift: bool = False,
) -> Simulation:
    """Simulate `days` days of ride requests by `n_riders` riders, starting at `start`.

    `start` is an ISO date. Calling again with a later `start` and the same `n_riders` and
    `seed` continues with the same riders (and new ride ids); `drift=True` shifts the market
    (see the module docstring).
    """
    if n_riders < 1 or days < 1:
        raise ValueError("n_riders and days must be at least 1")
    first_day = dt.date.fromisoformat(start)
    period = first_day.strftime("%Y%m%d")
    riders = _riders(n_riders, seed)
    period_seed = np.random.SeedSequence([seed, _PERIOD_STREAM, first_day.toordinal(), int(drift)])
    trip_rng, market_rng, fare_rng = (np.random.default_rng(s) for s in period_seed.spawn(3))

    weekday = (first_day.weekday() + np.arange(days)) % 7
    trips = _trips(riders, weekday, drift, trip_rng)
    order = np.argsort(trips.seconds, kind="stable")
    trips = _Trips(*(field[order] for field in trips))
    n = len(trips.seconds)

    requested_at = np.datetime64(first_day, "s") + trips.seconds.astype("timedelta64[s]")
    distance = _quoted_distance(trips.pickup, trips.dropoff, market_rng)
    ratio = _demand_supply_ratio(trips, weekday, drift, market_rng)
    vehicle = _vehicle(trips, market_rng)

    width = max(6, len(str(n)))
    rides = pd.DataFrame(
        {
            "ride_id": np.array([f"ride_{period}_{i:0{width}d}" for i in range(1, n + 1)], object),
            "requested_at": requested_at.astype("datetime64[ns]"),
            "pickup_zone": np.array(ZONE_NAMES, dtype=object)[trips.pickup],
            "dropoff_zone": np.array(ZONE_NAMES, dtype=object)[trips.dropoff],
            "distance_km": distance,
            "vehicle_type": np.array(VEHICLE_TYPES, dtype=object)[vehicle],
            "passengers": trips.passengers.astype(np.int64),
            "demand_supply_ratio": ratio,
        }
    )
    expected = expected_fare(rides, drift=drift)
    noise = np.exp(FARE_NOISE_SIGMA * fare_rng.standard_normal(n) - FARE_NOISE_SIGMA**2 / 2)
    rides["fare"] = np.round(expected * noise, 2)
    truth = pd.DataFrame({"ride_id": rides["ride_id"], "expected_fare": expected})
    return Simulation(rides[list(COLUMNS)], truth)


def expected_fare(rides: pd.DataFrame, *, drift: bool = False) -> np.ndarray:
    """The tariff: the mean fare of each ride request, from the request's columns alone.

    Reads requested_at, pickup_zone, dropoff_zone, distance_km, vehicle_type and
    demand_supply_ratio. Non-decreasing in distance_km when the other columns are fixed.
    """
    moment = pd.DatetimeIndex(rides["requested_at"])
    hour = (moment.hour + moment.minute / 60 + moment.second / 3600).to_numpy(np.float64)
    working_day = moment.weekday.to_numpy() < 5
    pickup = rides["pickup_zone"].map(_ZONE_INDEX).to_numpy(np.int64)
    dropoff = rides["dropoff_zone"].map(_ZONE_INDEX).to_numpy(np.int64)
    distance = rides["distance_km"].to_numpy(np.float64)
    ratio = rides["demand_supply_ratio"].to_numpy(np.float64)
    multiplier = rides["vehicle_type"].map(VEHICLE_MULTIPLIER).to_numpy(np.float64)

    congestion = np.sqrt(_ZONE_FIELD["congestion"][pickup] * _ZONE_FIELD["congestion"][dropoff])
    arterial = 1 + ARTERIAL_GAIN * distance / (distance + ARTERIAL_KM)
    speed_kmh = FREE_FLOW_KMH * _traffic(hour, working_day) * arterial / congestion
    minutes = 60 * distance / speed_kmh

    base, per_km, per_minute = BASE_FARE, PER_KM, PER_MINUTE
    if drift:
        base += DRIFT_FUEL_SURCHARGE
        per_km *= DRIFT_PER_KM_FACTOR
        per_minute *= DRIFT_PER_MINUTE_FACTOR
    metered = np.maximum(MINIMUM_FARE, base + per_km * distance + per_minute * minutes)

    airport = _IS_AIRPORT[pickup] | _IS_AIRPORT[dropoff]
    low, high = CONGESTION_CHARGE_HOURS
    charged = (
        (_IS_CHARGED[pickup] | _IS_CHARGED[dropoff]) & working_day & (hour >= low) & (hour < high)
    )
    fees = AIRPORT_FEE * airport + CONGESTION_CHARGE * charged
    return metered * multiplier * surge(ratio) + fees


def surge(ratio: np.ndarray) -> np.ndarray:
    """The surge multiplier: 1 up to one request per driver, then rising smoothly to the cap."""
    excess = np.maximum(np.asarray(ratio, dtype=np.float64) - 1.0, 0.0)
    return 1 + (SURGE_CAP - 1) * np.tanh(SURGE_SLOPE * excess / (SURGE_CAP - 1))


def _traffic(hour: np.ndarray, working_day: np.ndarray) -> np.ndarray:
    """Speed factor by time of day: rush hours on working days, a quiet midday at weekends,
    free roads in the small hours."""
    working = 1 - 0.45 * _bump(hour, 8.25, 1.1) - 0.40 * _bump(hour, 17.75, 1.4)
    weekend = 1 - 0.20 * _bump(hour, 14.0, 3.0)
    return np.where(working_day, working, weekend) + 0.25 * _bump(hour, 3.5, 2.0)


def _bump(hour: np.ndarray, centre: float, width: float) -> np.ndarray:
    """A Gaussian bump over the 24-hour clock (23:00 is one hour from midnight)."""
    gap = np.abs(hour - centre) % 24
    gap = np.minimum(gap, 24 - gap)
    return np.exp(-0.5 * (gap / width) ** 2)


def _riders(n_riders: int, seed: int) -> _Riders:
    """The riders: a function of (n_riders, seed) only."""
    rng = np.random.default_rng([seed, _POPULATION_STREAM, n_riders])
    n = n_riders
    home_p = _ZONE_FIELD["home"] / _ZONE_FIELD["home"].sum()
    work_p = _ZONE_FIELD["work"] / _ZONE_FIELD["work"].sum()
    return _Riders(
        home=rng.choice(len(ZONES), size=n, p=home_p),
        work=rng.choice(len(ZONES), size=n, p=work_p),
        commute_share=rng.beta(1.0, 1.0 / COMMUTE_SHARE - 1.0, size=n),
        outings_per_day=rng.gamma(2.0, OUTINGS_PER_DAY / 2.0, size=n),
        errands_per_day=rng.gamma(2.0, ERRANDS_PER_DAY / 2.0, size=n),
        flights_per_day=rng.gamma(2.0, FLIGHTS_PER_DAY / 2.0, size=n),
        comfort_taste=rng.beta(1.0, 5.0, size=n),
    )


def _trips(riders: _Riders, weekday: np.ndarray, drift: bool, rng: np.random.Generator) -> _Trips:
    """Every rider's rides of the period, by purpose (vectorised over riders and days)."""
    n_riders, days = len(riders.home), len(weekday)
    working_day = weekday < 5
    venue_p = _ZONE_FIELD["venue"] / _ZONE_FIELD["venue"].sum()
    errand_p = _ZONE_FIELD["errand"] / _ZONE_FIELD["errand"].sum()
    airport = _ZONE_INDEX[AIRPORT_ZONE]
    parts: list[_Trips] = []

    def add(rider, day, hour, pickup, dropoff, extra_passengers, comfort_bonus=0.0) -> None:
        passengers = 1 + np.minimum(rng.poisson(extra_passengers, len(rider)), MAX_PASSENGERS - 1)
        seconds = day * DAY + (hour * HOUR).astype(np.int64)
        comfort = np.minimum(riders.comfort_taste[rider] + comfort_bonus, 1.0 - XL_TASTE)
        parts.append(_Trips(seconds, pickup, dropoff, passengers, comfort))

    # Commutes: each leg of each working day, with the rider's own probability.
    for leg, (centre, spread) in enumerate(((8.25, 0.8), (17.75, 1.0))):
        rides = (rng.random((n_riders, days)) < riders.commute_share[:, None]) & working_day
        rider, day = np.nonzero(rides)
        hour = np.clip(rng.normal(centre, spread, len(rider)), 5.0, 22.0)
        origin, destination = (riders.home, riders.work) if leg == 0 else (riders.work, riders.home)
        add(rider, day, hour, origin[rider], destination[rider], 0.05)

    # Evenings out: to a venue around 20:30, and often back home a few hours later.
    rate = riders.outings_per_day[:, None] * OUTING_WEEKDAY_FACTOR[weekday]
    rider, day = _events(rng.poisson(rate))
    venue = rng.choice(len(ZONES), size=len(rider), p=venue_p)
    hour = np.clip(rng.normal(20.5, 1.5, len(rider)), 16.0, 23.9)
    add(rider, day, hour, riders.home[rider], venue, 0.9)
    back = rng.random(len(rider)) < RETURN_RIDE_SHARE
    later = hour[back] + rng.gamma(4.0, 0.8, back.sum())
    add(rider[back], day[back], later, venue[back], riders.home[rider[back]], 0.9)

    # Errands in the daytime, from home or from anywhere.
    rate = riders.errands_per_day[:, None] * np.where(working_day, 1.0, WEEKEND_ERRAND_FACTOR)
    rider, day = _events(rng.poisson(rate))
    origin = np.where(
        rng.random(len(rider)) < 0.6,
        riders.home[rider],
        rng.choice(len(ZONES), size=len(rider), p=errand_p),
    )
    destination = rng.choice(len(ZONES), size=len(rider), p=errand_p)
    add(rider, day, rng.uniform(8.0, 20.0, len(rider)), origin, destination, 0.3)

    # Flights: to the airport from home (4:00-21:00) or back home (6:00-24:00).
    flights = riders.flights_per_day * (DRIFT_FLIGHT_FACTOR if drift else 1.0)
    rider, day = _events(rng.poisson(np.repeat(flights[:, None], days, axis=1)))
    outbound = rng.random(len(rider)) < 0.5
    hour = np.where(
        outbound, rng.uniform(4.0, 21.0, len(rider)), rng.uniform(6.0, 24.0, len(rider))
    )
    home = riders.home[rider]
    pickup = np.where(outbound, home, airport)
    dropoff = np.where(outbound, airport, home)
    add(rider, day, hour, pickup, dropoff, 0.6, comfort_bonus=0.15)

    trips = _Trips(*(np.concatenate(field) for field in zip(*parts, strict=True)))
    inside = trips.seconds < days * DAY  # late rides home may fall after the period
    return _Trips(*(field[inside] for field in trips))


def _events(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rider, day) of each event, from a (riders, days) matrix of event counts."""
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    return cell // counts.shape[1], cell % counts.shape[1]


def _quoted_distance(
    pickup: np.ndarray, dropoff: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Routed distance in km between random points of the pickup and drop-off zones."""
    points = []
    for zone in (pickup, dropoff):
        radius = _ZONE_FIELD["radius"][zone] * np.sqrt(rng.random(len(zone)))
        angle = rng.uniform(0.0, 2 * np.pi, len(zone))
        points.append(
            (
                _ZONE_FIELD["x"][zone] + radius * np.cos(angle),
                _ZONE_FIELD["y"][zone] + radius * np.sin(angle),
            )
        )
    straight = np.hypot(points[0][0] - points[1][0], points[0][1] - points[1][1])
    detour = np.exp(ROUTE_SIGMA * rng.standard_normal(len(pickup)))
    return np.round(ROUTE_OFFSET_KM + ROUTE_FACTOR * straight * detour, 2)


def _demand_supply_ratio(
    trips: _Trips, weekday: np.ndarray, drift: bool, rng: np.random.Generator
) -> np.ndarray:
    """Open requests per available driver in the pickup zone at each request."""
    days = len(weekday)
    hour_index = trips.seconds // HOUR
    day = hour_index // 24
    hour = (trips.seconds % DAY) / HOUR
    # A night out belongs to the evening it started: 1:00 on Saturday is Friday night.
    night_of = weekday[np.maximum(day - (hour < 6), 0)]
    kind = _ZONE_FIELD["kind"][trips.pickup]
    working_day = weekday[day] < 5
    weekend_night = np.isin(night_of, (4, 5))

    rhythm = np.select(
        [kind == "residential", kind == "central", kind == "business", kind == "nightlife",
         kind == "leisure", kind == "airport"],
        [
            0.8 * _bump(hour, 8.0, 1.2) * working_day,
            0.8 * _bump(hour, 17.8, 1.3) * working_day + 0.3 * _bump(hour, 13.0, 2.0),
            0.7 * _bump(hour, 17.5, 1.2) * working_day,
            (0.3 + 0.8 * weekend_night) * _bump(hour, 23.5, 2.0),
            (0.2 + 0.4 * ~working_day) * (_bump(hour, 15.0, 3.0) + _bump(hour, 22.0, 1.5)),
            0.6 * _bump(hour, 7.0, 1.5) + 0.6 * _bump(hour, 19.0, 2.0),
        ],
    )  # fmt: skip
    rhythm += 0.3 * _bump(hour, 4.0, 1.5)  # few drivers in the small hours
    day_shock = DAY_SHOCK_SIGMA * rng.standard_normal(days)
    zone_hour_shock = ZONE_HOUR_SHOCK_SIGMA * rng.standard_normal((len(ZONES), days * 24))
    log_ratio = (
        BASE_LOG_RATIO
        + rhythm
        + day_shock[day]
        + zone_hour_shock[trips.pickup, hour_index]
        + REQUEST_SHOCK_SIGMA * rng.standard_normal(len(day))
    )
    if drift:
        log_ratio += np.log(DRIFT_SHORTAGE_FACTOR)
    return np.round(np.clip(np.exp(log_ratio), MIN_RATIO, MAX_RATIO), 2)


def _vehicle(trips: _Trips, rng: np.random.Generator) -> np.ndarray:
    """Index into VEHICLE_TYPES: XL for large groups, otherwise the rider's taste."""
    u = rng.random(len(trips.seconds))
    taste = np.where(u < XL_TASTE, 2, np.where(u < XL_TASTE + trips.comfort_taste, 1, 0))
    return np.where(trips.passengers >= XL_FROM_PASSENGERS, 2, taste)
