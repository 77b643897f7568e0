"""The ride simulator: reproducible, schema-true, and its expected fare is really the mean fare."""

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from {{ package_name }}.domain.simulate import (
    FARE_NOISE_SIGMA,
    SIZES,
    VEHICLE_MULTIPLIER,
    expected_fare,
    simulate,
    surge,
)

# The declared schema is the contract: the `data` section of config/pipeline.yaml as the
# template wrote it (the tests' copy, in tests/fixtures).
DATA = yaml.safe_load(
    (Path(__file__).resolve().parent / "fixtures" / "config" / "pipeline.yaml").read_text()
)["data"]
N_RIDERS, DAYS = SIZES["small"]
# The day after the small training period (which starts on 2026-01-01).
PRODUCTION_START = (dt.date(2026, 1, 1) + dt.timedelta(days=DAYS)).isoformat()


@pytest.fixture(scope="module")
def training():
    return simulate(N_RIDERS, DAYS, seed=7)


@pytest.fixture(scope="module")
def production():
    """The 14 days after the training period: the same riders, new rides."""
    return simulate(N_RIDERS, 14, seed=7, start=PRODUCTION_START)


def _request(when: str, pickup: str, dropoff: str, km: float, vehicle: str, ratio: float) -> dict:
    return {
        "requested_at": pd.Timestamp(when),
        "pickup_zone": pickup,
        "dropoff_zone": dropoff,
        "distance_km": km,
        "vehicle_type": vehicle,
        "demand_supply_ratio": ratio,
    }


def _fares(*requests: dict, drift: bool = False) -> np.ndarray:
    return expected_fare(pd.DataFrame(list(requests)), drift=drift)


def test_the_same_arguments_give_identical_frames(training):
    again = simulate(N_RIDERS, DAYS, seed=7)
    pd.testing.assert_frame_equal(training.rows, again.rows)
    pd.testing.assert_frame_equal(training.truth, again.truth)


def test_different_seeds_give_different_rides(training):
    other = simulate(N_RIDERS, DAYS, seed=8).rows
    assert len(other) != len(training.rows) or not np.array_equal(
        other["fare"], training.rows["fare"]
    )


def test_columns_types_and_values_follow_the_pipeline_schema(training):
    rides = training.rows
    columns = DATA["columns"]
    assert list(rides.columns) == list(columns)
    for name, spec in columns.items():
        values = rides[name]
        assert values.notna().all(), name
        if spec["type"] == "datetime":
            values = values.dt.year  # the bounds of a time are years
        if "allowed" in spec:
            assert set(values) <= set(spec["allowed"]), name
        if "min" in spec:
            assert values.min() >= spec["min"], name
        if "max" in spec:
            assert values.max() <= spec["max"], name
    for name in ("ride_id", "pickup_zone", "dropoff_zone", "vehicle_type"):
        assert rides[name].map(type).eq(str).all(), name
    assert set(rides["pickup_zone"]) == set(columns["pickup_zone"]["allowed"])
    assert set(rides["vehicle_type"]) == set(columns["vehicle_type"]["allowed"])
    assert rides["passengers"].dtype == np.int64
    for name in ("distance_km", "demand_supply_ratio", "fare"):
        assert rides[name].dtype == np.float64, name
        assert np.allclose(rides[name], rides[name].round(2)), name
    when = rides["requested_at"]
    assert pd.api.types.is_datetime64_dtype(when) and when.dt.tz is None
    assert (when == when.dt.floor("s")).all()
    assert when.is_monotonic_increasing
    assert when.min() >= pd.Timestamp("2026-01-01")
    assert when.max() < pd.Timestamp("2026-01-01") + pd.Timedelta(days=DAYS)
    assert rides["ride_id"].is_unique
    assert rides["ride_id"].str.fullmatch(r"ride_20260101_\d{6}").all()
    assert DATA["id_column"] == "ride_id" and DATA["time_column"] == "requested_at"
    assert DATA["truth"]["column"] == "expected_fare"
    assert columns["distance_km"]["monotone"] == "increasing"


def test_ride_ids_are_unique_across_periods(training, production):
    ids = [*training.rows["ride_id"], *production.rows["ride_id"]]
    assert len(set(ids)) == len(ids)


def test_small_size_is_a_realistic_test_set(training):
    rides = training.rows
    assert 15_000 <= len(rides) <= 35_000
    assert 10 <= rides["fare"].median() <= 40
    assert 0.2 <= (rides["demand_supply_ratio"] > 1).mean() <= 0.5  # surge is common, not the rule
    airport = (rides["pickup_zone"] == "airport") | (rides["dropoff_zone"] == "airport")
    assert 0.01 <= airport.mean() <= 0.06


def test_large_groups_ride_in_xl_cars(training):
    rides = training.rows
    assert (rides.loc[rides["passengers"] >= 5, "vehicle_type"] == "xl").all()
    assert set(rides.loc[rides["passengers"] < 5, "vehicle_type"]) == {"standard", "comfort", "xl"}


def test_truth_is_the_tariff_of_the_request_columns(training):
    rides, truth = training
    assert list(truth.columns) == ["ride_id", "expected_fare"]
    assert truth["ride_id"].tolist() == rides["ride_id"].tolist()
    np.testing.assert_allclose(truth["expected_fare"], expected_fare(rides), rtol=1e-12)
    assert (truth["expected_fare"] > 0).all() and (rides["fare"] > 0).all()


def test_fares_scatter_around_the_expected_fare_with_the_documented_noise():
    rides, truth = simulate(*SIZES["medium"], seed=5)
    log_ratio = np.log(rides["fare"] / truth["expected_fare"])
    assert log_ratio.std() == pytest.approx(FARE_NOISE_SIGMA, rel=0.02)
    ratio = rides["fare"] / truth["expected_fare"]
    spread = ratio.std() / math.sqrt(len(ratio))
    assert abs(ratio.mean() - 1.0) < 4 * spread  # mean one: the truth is the mean fare
    # ... in every segment, not just on average.
    airport = (rides["pickup_zone"] == "airport") | (rides["dropoff_zone"] == "airport")
    for segment in (rides["vehicle_type"], rides["demand_supply_ratio"] > 1.5, airport):
        by_segment = ratio.groupby(segment.to_numpy()).mean()
        assert by_segment.between(0.99, 1.01).all(), by_segment


def test_a_short_ride_pays_the_minimum_fare_plus_fees():
    fares = _fares(
        # Sunday 3:00, inside the old town, no surge: the minimum fare.
        _request("2026-01-04 03:00", "old_town", "old_town", 0.5, "standard", 0.8),
        # Monday 8:00 in a charge zone: plus the congestion charge.
        _request("2026-01-05 08:00", "old_town", "old_town", 0.5, "standard", 0.8),
        # The same in a comfort car at two requests per driver: multiplier and surge.
        _request("2026-01-05 08:00", "old_town", "old_town", 0.5, "comfort", 2.0),
        # Monday 19:00 the charge is over; at the airport the fee applies.
        _request("2026-01-05 19:00", "airport", "airport", 0.5, "standard", 0.8),
    )
    surge_at_2 = 1 + 1.5 * math.tanh(0.8 / 1.5)
    assert fares == pytest.approx([7.0, 7.0 + 2.75, 7.0 * 1.3 * surge_at_2 + 2.75, 7.0 + 5.0])


def test_a_long_ride_by_hand():
    # Sunday 14:00, riverside (congestion 1.00) to west end (0.85), 10 km, standard, no surge.
    traffic = 1 - 0.20 + 0.25 * math.exp(-0.5 * (10.5 / 2.0) ** 2)  # quiet Sunday midday
    arterial = 1 + 0.6 * 10 / (10 + 8)
    speed = 32.0 * traffic * arterial / math.sqrt(1.00 * 0.85)
    minutes = 60 * 10 / speed
    fare = 2.50 + 1.10 * 10 + 0.30 * minutes
    by_hand = _fares(_request("2026-01-04 14:00", "riverside", "west_end", 10.0, "standard", 1.0))
    assert by_hand == pytest.approx([fare], rel=1e-12)
    drifted = _fares(
        _request("2026-01-04 14:00", "riverside", "west_end", 10.0, "standard", 1.0), drift=True
    )
    assert drifted == pytest.approx([3.10 + 1.10 * 1.15 * 10 + 0.30 * 1.05 * minutes], rel=1e-12)


def test_surge_is_one_below_one_request_per_driver_then_rises_to_the_cap():
    ratio = np.array([0.0, 0.5, 1.0, 1.2, 2.0, 3.0, 5.0, 50.0])
    multiplier = surge(ratio)
    assert multiplier[:3].tolist() == [1.0, 1.0, 1.0]
    assert np.all(np.diff(multiplier[2:]) > 0)
    assert multiplier[-1] == pytest.approx(2.5) and multiplier.max() <= 2.5


def test_the_price_never_falls_with_distance(training):
    """The property the model's monotone constraint relies on, for every simulated request."""
    rides = training.rows
    base = expected_fare(rides)
    for extra_km in (0.01, 0.5, 3.0, 25.0):
        longer = rides.assign(distance_km=rides["distance_km"] + extra_km)
        assert (expected_fare(longer) >= base).all(), extra_km
    grid = pd.DataFrame(
        [
            _request(f"{day} {h:02d}:30", p, q, km, v, r)
            for day in ("2026-01-05", "2026-01-10")
            for h in (3, 8, 13, 18, 23)
            for p, q in (("old_town", "old_town"), ("airport", "midtown"), ("tech_park", "harbor"))
            for v in VEHICLE_MULTIPLIER
            for r in (0.5, 2.5)
            for km in np.linspace(0.1, 80.0, 400)
        ]
    )
    fares = expected_fare(grid).reshape(-1, 400)
    assert (np.diff(fares, axis=1) >= 0).all()


def test_demand_follows_the_rush_hours(training):
    rides = training.rows
    hour = rides["requested_at"].dt.hour
    weekday = rides["requested_at"].dt.weekday < 5
    residential = rides["pickup_zone"].isin(["north_hills", "west_end", "east_village"])
    ratio = rides["demand_supply_ratio"]
    morning_rush = ratio[residential & weekday & hour.between(7, 8)].median()
    midday = ratio[residential & weekday & hour.between(11, 13)].median()
    assert morning_rush > 1.5 * midday
    to_work = rides.loc[weekday & hour.between(7, 9), "dropoff_zone"]
    assert to_work.isin(["financial_district", "midtown", "tech_park"]).mean() > 0.4


def test_a_later_period_has_the_same_riders(training, production):
    """Morning commutes go between the same homes and workplaces in both periods."""

    def commute_routes(rides: pd.DataFrame) -> pd.Series:
        at = rides["requested_at"]
        morning = rides[(at.dt.weekday < 5) & at.dt.hour.between(6, 9)]
        return morning.groupby(["pickup_zone", "dropoff_zone"]).size()

    before = commute_routes(training.rows)
    after = commute_routes(production.rows)
    elsewhere = commute_routes(simulate(N_RIDERS, 14, seed=8, start=PRODUCTION_START).rows)
    assert production.rows["requested_at"].min() >= training.rows["requested_at"].max()
    same = pd.concat([before, after], axis=1).fillna(0).corr().iloc[0, 1]
    other = pd.concat([before, elsewhere], axis=1).fillna(0).corr().iloc[0, 1]
    assert same > 0.9 and same > other + 0.05


def test_drift_raises_prices_surge_and_airport_trips(production):
    drifted = simulate(N_RIDERS, 14, seed=7, start=PRODUCTION_START, drift=True)
    rides = drifted.rows
    old_tariff = expected_fare(rides)
    new_tariff = drifted.truth["expected_fare"]
    assert (new_tariff >= old_tariff).all()  # the minimum fare did not move
    assert (new_tariff > old_tariff).mean() > 0.95
    normal = production.rows
    assert rides["demand_supply_ratio"].median() > 1.15 * normal["demand_supply_ratio"].median()

    def airport_share(r: pd.DataFrame) -> float:
        return ((r["pickup_zone"] == "airport") | (r["dropoff_zone"] == "airport")).mean()

    assert airport_share(rides) > 2 * airport_share(normal)
    assert rides["fare"].median() > 1.15 * normal["fare"].median()


def test_sizes_are_ordered_and_medium_suits_a_laptop():
    rider_days = {name: n_riders * days for name, (n_riders, days) in SIZES.items()}
    assert rider_days["small"] < rider_days["medium"] < rider_days["large"]
    assert 100_000 <= len(simulate(*SIZES["medium"]).rows) <= 160_000


def test_invalid_arguments_are_refused():
    with pytest.raises(ValueError):
        simulate(0, 10)
    with pytest.raises(ValueError):
        simulate(10, 0)
    with pytest.raises(ValueError):
        simulate(10, 10, start="first of January")
