"""Ride features: from the request alone, the same offline and online, and right by hand."""

import json

import numpy as np
import pandas as pd
import pytest

from {{ package_name }}.domain.features import (
    REQUIRED_COLUMNS,
    engineer_features,
    feature_names,
    history_from_dict,
    new_history,
    required_columns,
)
from {{ package_name }}.domain.simulate import SIZES, simulate

SIMULATED = {
    "time_column": "requested_at",
    "pickup_zone_column": "pickup_zone",
    "dropoff_zone_column": "dropoff_zone",
    "airport_zones": ["airport"],
}
NYC = {
    "time_column": "pickup",
    "pickup_zone_column": "pickup_zone",
    "dropoff_zone_column": "dropoff_zone",
    "airport_zones": ["JFK Airport", "LaGuardia Airport", "Newark Airport"],
}


def _typed(rides: pd.DataFrame) -> pd.DataFrame:
    """Rows as the pipeline hands them over: text as pandas strings, integers as Int64."""
    return rides.astype(
        {
            "ride_id": "string",
            "pickup_zone": "string",
            "dropoff_zone": "string",
            "vehicle_type": "string",
            "passengers": "Int64",
        }
    )


@pytest.fixture(scope="module")
def rides() -> pd.DataFrame:
    return _typed(simulate(*SIZES["small"], seed=3).rows)


def _features(rides: pd.DataFrame, settings: dict | None = None) -> pd.DataFrame:
    return engineer_features(rides, new_history(SIMULATED if settings is None else settings))


def _ride(when: str, pickup: str = "midtown", dropoff: str = "harbor", km: float = 4.0) -> dict:
    return {
        "ride_id": f"ride_{when}",
        "requested_at": pd.Timestamp(when),
        "pickup_zone": pickup,
        "dropoff_zone": dropoff,
        "distance_km": km,
        "vehicle_type": "standard",
        "passengers": 1,
        "demand_supply_ratio": 1.0,
    }


def test_output_is_float64_in_model_order_with_the_input_index(rides):
    rows = rides.iloc[:500].set_axis(np.arange(1000, 1500))
    features = _features(rows)
    assert list(features.columns) == feature_names(SIMULATED)
    assert feature_names(SIMULATED) == [
        "hour_of_day",
        "weekday",
        "is_weekend",
        "is_rush_hour",
        "is_night",
        "same_zone",
        "airport_trip",
    ]
    assert (features.dtypes == np.float64).all()
    assert features.index.equals(rows.index)
    assert np.isfinite(features.to_numpy()).all()
    assert set(REQUIRED_COLUMNS) == set(required_columns(SIMULATED)) <= set(rides.columns)


def test_hand_built_requests():
    rows = _typed(
        pd.DataFrame(
            [
                _ride("2026-01-05 05:59:59"),  # Monday, the last second of the night
                _ride("2026-01-05 07:00:00"),  # the morning rush starts
                _ride("2026-01-05 08:30:00", "north_hills", "north_hills"),
                _ride("2026-01-05 10:00:00"),  # the morning rush is over
                _ride("2026-01-09 18:45:00", "midtown", "airport"),  # Friday evening rush
                _ride("2026-01-10 08:30:00", "airport", "old_town"),  # Saturday: no rush hour
                _ride("2026-01-11 22:00:00"),  # Sunday night
            ]
        )
    )
    f = _features(rows)
    expected = pd.DataFrame(
        [
            [5 + 59 / 60 + 59 / 3600, 0, 0, 0, 1, 0, 0],
            [7.0, 0, 0, 1, 0, 0, 0],
            [8.5, 0, 0, 1, 0, 1, 0],
            [10.0, 0, 0, 0, 0, 0, 0],
            [18.75, 4, 0, 1, 0, 0, 1],
            [8.5, 5, 1, 0, 0, 0, 1],
            [22.0, 6, 1, 0, 1, 0, 0],
        ],
        columns=feature_names(SIMULATED),
        dtype=np.float64,
    )
    pd.testing.assert_frame_equal(f, expected)


def test_distance_and_the_fare_are_never_read(rides):
    """Distance reaches the model only as its raw, monotone-constrained column."""
    full = _features(rides)
    longer = rides.assign(distance_km=rides["distance_km"] * 3 + 1)
    pd.testing.assert_frame_equal(_features(longer), full)
    pd.testing.assert_frame_equal(_features(rides.drop(columns=["fare", "distance_km"])), full)


def test_features_of_a_row_do_not_depend_on_other_rows(rides):
    full = _features(rides)
    cut = len(rides) // 2
    pd.testing.assert_frame_equal(_features(rides.iloc[:cut]), full.iloc[:cut])
    rng = np.random.default_rng(0)
    altered = rides.copy()
    later = altered.index[cut:]
    for column in ("requested_at", "pickup_zone", "dropoff_zone"):
        altered.loc[later, column] = rng.permutation(altered.loc[later, column].to_numpy())
    changed = _features(altered)
    pd.testing.assert_frame_equal(changed.iloc[:cut], full.iloc[:cut])
    assert not changed.iloc[cut:].equals(full.iloc[cut:])


def test_chunked_and_one_by_one_equal_one_batch(rides):
    """The service quotes one request at a time with the history it was trained with."""
    rows = rides.iloc[:1000]
    batch = _features(rows)
    history = new_history(SIMULATED)
    first = engineer_features(rows.iloc[:700], history)
    rest = engineer_features(rows.iloc[700:], history)
    pd.testing.assert_frame_equal(pd.concat([first, rest]), batch)
    one_by_one = [engineer_features(rows.iloc[[i]], history) for i in range(900, 1000)]
    pd.testing.assert_frame_equal(pd.concat(one_by_one), batch.iloc[900:])


def test_history_survives_a_json_round_trip(rides):
    kept = new_history(NYC)
    saved = json.dumps(kept.to_dict())
    restored = history_from_dict(json.loads(saved))
    assert restored.to_dict() == kept.to_dict()
    assert restored.settings == NYC
    assert history_from_dict(new_history({}).to_dict()).settings == SIMULATED
    used = new_history(SIMULATED)
    engineer_features(rides, used)
    assert used.to_dict() == new_history(SIMULATED).to_dict()  # nothing to remember
    with pytest.raises(ValueError, match="format"):
        history_from_dict({"format": 99, "settings": {}})


def test_settings_name_the_columns_of_nyc_taxi_trips():
    trips = pd.DataFrame(
        {
            "pickup": pd.to_datetime(
                ["2019-03-23 20:21:09", "2019-03-04 16:11:55", "2019-03-10 01:23:59",
                 "2019-03-11 10:17:31", "2019-03-12 19:52:36"]
            ),
            "pickup_zone": pd.array(
                ["Lenox Hill West", "Upper West Side South", "JFK Airport", None, None],
                dtype="string",
            ),
            "dropoff_zone": pd.array(
                ["UN/Turtle Bay South", "Upper West Side South", "Hudson Sq", "LaGuardia Airport",
                 None],
                dtype="string",
            ),
        }
    )  # fmt: skip
    f = _features(trips, NYC)
    assert list(f.columns) == feature_names(NYC) == feature_names(SIMULATED)
    assert f["hour_of_day"].round(4).tolist() == [20.3525, 16.1986, 1.3997, 10.2919, 19.8767]
    assert f["weekday"].tolist() == [5, 0, 6, 0, 1]
    assert f["is_rush_hour"].tolist() == [0, 1, 0, 0, 0]
    # A missing zone: unknown whether the trip stays in one zone or touches an airport,
    # unless the known zone is an airport.
    np.testing.assert_array_equal(f["same_zone"], [0, 1, 0, np.nan, np.nan])
    np.testing.assert_array_equal(f["airport_trip"], [0, 0, 1, 1, np.nan])


def test_zone_features_can_be_switched_off():
    no_airports = {"airport_zones": []}
    assert feature_names(no_airports)[-1] == "same_zone"
    no_zones = {"time_column": "pickup", "pickup_zone_column": None, "dropoff_zone_column": None}
    assert feature_names(no_zones) == feature_names(SIMULATED)[:5]
    assert required_columns(no_zones) == ("pickup",)
    trips = pd.DataFrame({"pickup": pd.to_datetime(["2019-03-23 20:21:09"])})
    assert list(_features(trips, no_zones).columns) == feature_names(no_zones)


def test_the_input_contract_is_enforced(rides):
    with pytest.raises(KeyError, match="dropoff_zone"):
        _features(rides.drop(columns="dropoff_zone"))
    with pytest.raises(KeyError, match="pickup"):
        _features(rides, NYC)
    with pytest.raises(ValueError, match="airport_zone"):
        new_history({"airport_zone": ["airport"]})  # a typo is refused, not ignored
