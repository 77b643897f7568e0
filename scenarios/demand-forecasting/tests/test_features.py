"""Sales features: horizon-safe, past-only, the same offline and online, and right by hand."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ package_name }}.core.schema_inference import CALENDAR as INFERRED_CALENDAR
from {{ package_name }}.domain.features import (
    CALENDAR,
    DEFAULT_SETTINGS,
    REQUIRED_COLUMNS,
    engineer_features,
    feature_names,
    history_from_dict,
    last_seen,
    new_history,
    period_starts,
    periods,
    validated_settings,
)
from {{ package_name }}.domain.simulate import SIZES, simulate

# One series, daily, a short horizon: small enough to check by hand.
TOY = {
    "series": [],
    "time": "date",
    "frequency": "day",
    "target": "units",
    "horizon": 2,
    "lags": [2, 3],
    "windows": [2],
    "price": "price",
    "price_window": 3,
}
# The hourly bike-sharing settings of config/real_data.yaml.
HOURLY = {
    "series": [],
    "time": "dteday",
    "hour": "hr",
    "frequency": "hour",
    "target": "cnt",
    "horizon": 24,
    "lags": [24, 48, 168, 336],
    "windows": [24, 168],
}


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    return simulate(*SIZES["small"], seed=3).rows


def _features(rows: pd.DataFrame, settings: dict = DEFAULT_SETTINGS) -> pd.DataFrame:
    return engineer_features(rows, new_history(settings))


def _toy(units: list, prices: list | None = None, start: str = "2026-03-02") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.date_range(start, periods=len(units), freq="D"),
            "price": prices if prices is not None else [2.0] * len(units),
            "units": pd.array(units, dtype="Int64"),
        }
    )


def test_names_follow_the_settings():
    assert feature_names(TOY) == [
        "units_lag_2",
        "units_lag_3",
        "units_mean_2",
        "price_vs_regular",
        "price_change",
        "day_of_week",
        "day_of_year",
        "month",
    ]
    assert feature_names({}) == feature_names(DEFAULT_SETTINGS)
    assert "units_sold_lag_14" in feature_names({})  # the seasonal-naive baseline
    assert feature_names(HOURLY)[:4] == ["cnt_lag_24", "cnt_lag_48", "cnt_lag_168", "cnt_lag_336"]
    assert "hour_of_day" in feature_names(HOURLY)
    assert "price_vs_regular" not in feature_names(HOURLY)
    assert set(REQUIRED_COLUMNS) == {"store_id", "item_id", "date", "price"}


def test_lags_shorter_than_the_horizon_are_refused():
    with pytest.raises(ValueError, match=r"lags \[7\] are shorter than the horizon 14"):
        new_history({**DEFAULT_SETTINGS, "lags": [7, 14]})
    with pytest.raises(ValueError, match="frequency"):
        new_history({**DEFAULT_SETTINGS, "frequency": "fortnight"})
    with pytest.raises(ValueError, match="unknown"):
        new_history({**DEFAULT_SETTINGS, "lag": [14]})
    with pytest.raises(ValueError, match="lack"):
        new_history({"time": "date", "target": "units"})


def test_a_hand_built_series():
    rows = _toy([10, 20, 30, 40, 50, 60], prices=[2.0, 2.0, 1.0, 2.0, 2.0, 1.5])
    f = _features(rows, TOY)
    assert f["units_lag_2"].tolist()[2:] == [10, 20, 30, 40]
    assert f["units_lag_3"].tolist()[3:] == [10, 20, 30]
    assert f[["units_lag_2", "units_lag_3", "units_mean_2"]].iloc[0].isna().all()
    # The mean of the two days ending two days back; one known day is a mean of one.
    assert np.isnan(f["units_mean_2"][1])
    assert f["units_mean_2"].tolist()[2:] == [10, 15, 25, 35]
    # Regular price: the median over the three days ending two days back.
    assert np.isnan(f["price_vs_regular"][1])
    assert f["price_vs_regular"][2] == pytest.approx(1.0 / 2.0)  # median of [2]
    assert f["price_vs_regular"][4] == pytest.approx(2.0 / 2.0)  # median of [2, 2, 1]
    assert f["price_vs_regular"][5] == pytest.approx(1.5 / 2.0)  # median of [2, 1, 2]
    assert f["price_change"][2] == pytest.approx(1.0 / 2.0 - 1)
    assert f["price_change"][4] == pytest.approx(2.0 / 1.0 - 1)
    assert f["day_of_week"].tolist() == [0, 1, 2, 3, 4, 5]  # 2026-03-02 is a Monday
    assert f["day_of_year"][0] == 61 and f["month"][0] == 3


def test_weekly_lags_count_weeks_whatever_the_weekday_of_the_stamps():
    # Friday stamps, one week missing (2012-11-02): its lag is empty, never shifted.
    fridays = ["2012-10-12", "2012-10-19", "2012-10-26", "2012-11-09", "2012-11-16"]
    rows = pd.DataFrame(
        {"date": pd.to_datetime(fridays), "units": pd.array([10, 20, 30, 50, 60], dtype="Int64")}
    )
    settings = {**TOY, "frequency": "week", "horizon": 1, "lags": [1, 2, 52], "price": None}
    f = _features(rows, settings)
    assert f["units_lag_1"].tolist()[1:3] == [10, 20]
    assert np.isnan(f["units_lag_1"][3]) and f["units_lag_1"][4] == 50
    assert f["units_lag_2"][3] == 30  # two weeks before 2012-11-09: 2012-10-26
    assert f["units_lag_52"].isna().all()
    assert feature_names(settings)[-2:] == ["week_of_year", "month"]
    assert f["week_of_year"].tolist() == [41, 42, 43, 45, 46]
    # A week runs from Monday: the history's last actual is the week of Monday 2012-11-12.
    history = new_history(settings)
    engineer_features(rows, history)
    assert last_seen(rows.iloc[[0]], history).iloc[0] == pd.Timestamp("2012-11-12")
    # Without a price_window, the regular price is taken over about two months: 8 weeks.
    unwindowed = {k: v for k, v in settings.items() if k != "price_window"}
    assert validated_settings({**unwindowed, "price": "price"})["price_window"] == 8


def test_monthly_lags_count_calendar_months():
    months = pd.date_range("2011-01-01", periods=14, freq="MS") + pd.Timedelta(days=14)
    rows = pd.DataFrame({"date": months, "units": pd.array(range(1, 15), dtype="Int64")})
    settings = {**TOY, "frequency": "month", "horizon": 1, "lags": [1, 12], "windows": [3]}
    f = _features(rows.assign(price=2.0), settings)
    assert f["units_lag_12"].tolist()[12:] == [1, 2]  # the same month a year back
    assert f["units_lag_1"].tolist()[1:3] == [1, 2]
    assert f["units_mean_3"][3] == pytest.approx((1 + 2 + 3) / 3)
    assert feature_names(settings)[-1:] == ["month"] and "day_of_week" not in f.columns
    assert periods(rows.iloc[[0, 13]], settings).tolist() == [492, 505]  # months since 1970
    starts = period_starts(pd.array([492, None], dtype="Int64"), settings)
    assert starts[0] == pd.Timestamp("2011-01-01") and pd.isna(starts[1])


def test_daily_and_hourly_settings_keep_their_features():
    # A configuration written before weeks and months existed means what it meant.
    assert feature_names(DEFAULT_SETTINGS)[-3:] == ["day_of_week", "day_of_year", "month"]
    assert feature_names(HOURLY)[-4:] == ["hour_of_day", "day_of_week", "day_of_year", "month"]
    unwindowed = {k: v for k, v in DEFAULT_SETTINGS.items() if k != "price_window"}
    assert validated_settings(unwindowed)["price_window"] == 56
    day = pd.DataFrame({"date": pd.to_datetime(["1970-01-02", "2026-03-02"])})
    assert periods(day, TOY).tolist() == [1, 20514]


def test_series_have_separate_histories():
    rows = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-03-02", "2026-03-02", "2026-03-04", "2026-03-04"]),
            "store_id": ["s01", "s02", "s01", "s02"],
            "item_id": ["milk", "milk", "milk", "milk"],
            "price": [1.0, 1.0, 1.0, 1.0],
            "units_sold": pd.array([5, 7, 0, 0], dtype="Int64"),
        }
    )
    settings = {**DEFAULT_SETTINGS, "horizon": 2, "lags": [2], "windows": [], "price": None}
    f = _features(rows, settings)
    assert f["units_sold_lag_2"].tolist()[2:] == [5, 7]


def test_a_missing_period_gives_nan_not_a_shifted_lag():
    # Hourly: 03:00 is missing. The lag 2 of 05:00 is 03:00, which is unknown.
    rows = pd.DataFrame(
        {
            "dteday": pd.to_datetime(["2012-05-01"] * 5),
            "hr": pd.array([0, 1, 2, 4, 5], dtype="Int64"),
            "cnt": pd.array([10, 11, 12, 14, 15], dtype="Int64"),
        }
    )
    settings = {**HOURLY, "horizon": 2, "lags": [2], "windows": [3]}
    f = _features(rows, settings)
    assert f["cnt_lag_2"].tolist()[2:4] == [10, 12] and np.isnan(f["cnt_lag_2"][4])
    # The window of 05:00 covers 01:00 to 03:00: the mean of the two known hours.
    assert f["cnt_mean_3"][4] == pytest.approx((11 + 12) / 2)
    assert f["hour_of_day"].tolist() == [0, 1, 2, 4, 5]
    # Across midnight: 00:00 of the next day reads 22:00 of the day before.
    nights = pd.DataFrame(
        {
            "dteday": pd.to_datetime(["2012-05-01", "2012-05-02"]),
            "hr": pd.array([22, 0], dtype="Int64"),
            "cnt": pd.array([7, 3], dtype="Int64"),
        }
    )
    assert _features(nights, settings)["cnt_lag_2"].tolist()[1] == 7


def test_the_bike_file_layout_gets_hourly_lags():
    hours = pd.date_range("2011-01-01", periods=24 * 20, freq="h")
    rows = pd.DataFrame(
        {
            "dteday": hours.normalize(),
            "hr": pd.array(hours.hour, dtype="Int64"),
            "cnt": pd.array(np.arange(len(hours)), dtype="Int64"),
        }
    )
    f = _features(rows, HOURLY)
    assert (f["cnt_lag_168"][168:] == np.arange(len(hours) - 168)).all()
    assert f["cnt_lag_168"][:168].isna().all()
    assert f["cnt_mean_24"][24] == pytest.approx(np.mean(np.arange(0, 1)))
    assert f["cnt_mean_168"][400] == pytest.approx(np.mean(np.arange(400 - 24 - 167, 400 - 24 + 1)))


def test_features_of_a_row_do_not_depend_on_later_rows(sales):
    full = _features(sales)
    cut = len(sales) // 2
    pd.testing.assert_frame_equal(_features(sales.iloc[:cut]), full.iloc[:cut])

    # Rewrite the future: other units and prices after the cut.
    rng = np.random.default_rng(0)
    altered = sales.copy()
    later = altered.index[cut:]
    for column in ("units_sold", "price"):
        altered.loc[later, column] = rng.permutation(altered.loc[later, column].to_numpy())
    changed = _features(altered)
    pd.testing.assert_frame_equal(changed.iloc[:cut], full.iloc[:cut])
    assert not changed.iloc[cut:].equals(full.iloc[cut:])


def test_a_row_never_reads_its_own_target(sales):
    rows = sales.iloc[:4000]
    full = _features(rows)
    last_day = rows["date"] == rows["date"].max()
    changed = rows.assign(units_sold=rows["units_sold"].where(~last_day, 999))
    pd.testing.assert_frame_equal(_features(changed), full)


def test_rows_without_target_read_the_history_and_add_nothing(sales):
    """Forecast requests (no units yet) get horizon-safe lags from the actuals known so far."""
    days = np.sort(sales["date"].unique())
    origin = days[199]
    known, ahead = sales[sales["date"] <= origin], sales[sales["date"] > origin]
    ahead = ahead[ahead["date"] <= origin + np.timedelta64(14, "D")]
    batch = _features(pd.concat([known, ahead]))

    history = new_history(DEFAULT_SETTINGS)
    engineer_features(known, history)
    before = json.dumps(history.to_dict())
    forecast = engineer_features(ahead.drop(columns="units_sold"), history)
    assert json.dumps(history.to_dict()) == before
    # Every feature of the next 14 days is known at the origin, and the same as in training.
    pd.testing.assert_frame_equal(forecast, batch.loc[ahead.index])
    assert forecast["units_sold_lag_14"].notna().all()


def test_chunked_and_one_by_one_equal_one_batch(sales):
    """The service featurises one row at a time, with actuals arriving in between."""
    rows = sales.iloc[:6000]
    batch = _features(rows)

    history = new_history(DEFAULT_SETTINGS)
    first = engineer_features(rows.iloc[:3500], history)
    rest = engineer_features(rows.iloc[3500:], history)
    pd.testing.assert_frame_equal(pd.concat([first, rest]), batch)

    history = new_history(DEFAULT_SETTINGS)
    engineer_features(rows.iloc[:5800], history)
    one_by_one = [engineer_features(rows.iloc[[i]], history) for i in range(5800, 6000)]
    pd.testing.assert_frame_equal(pd.concat(one_by_one), batch.iloc[5800:])


def test_history_survives_a_json_round_trip(sales):
    cut = len(sales) // 2
    kept = new_history(DEFAULT_SETTINGS)
    engineer_features(sales.iloc[:cut], kept)

    saved = json.dumps(kept.to_dict(), allow_nan=False)
    restored = history_from_dict(json.loads(saved))
    assert restored.to_dict() == kept.to_dict()
    assert restored.settings == kept.settings

    continued = engineer_features(sales.iloc[cut:], kept)
    pd.testing.assert_frame_equal(engineer_features(sales.iloc[cut:], restored), continued)


def test_history_keeps_only_what_the_features_read(sales):
    history = new_history(DEFAULT_SETTINGS)
    engineer_features(sales, history)
    # The longest reach: a 91-day window ending 14 days back.
    assert history.span == 14 + 91 - 1
    series = history.to_dict()["series"]
    assert len(series) == SIZES["small"][0]
    assert all(len(s["periods"]) == history.span for s in series.values())


def test_the_input_contract_is_enforced(sales):
    with pytest.raises(KeyError, match="price"):
        _features(sales.drop(columns="price"))
    with pytest.raises(ValueError, match="time order"):
        _features(sales.iloc[::-1])
    features = _features(sales.iloc[:300].set_axis(np.arange(1000, 1300)))
    assert (features.dtypes == np.float64).all()
    assert features.index.equals(pd.RangeIndex(1000, 1300))
    assert list(features.columns) == feature_names(DEFAULT_SETTINGS)


def test_schema_inference_excludes_the_calendar_inputs_these_features_make():
    # `infer` writes monitoring.exclude_from_drift for the data's frequency without importing
    # this module (it runs with the standard library alone): the two lists must agree.
    assert INFERRED_CALENDAR == CALENDAR


def test_settings_without_a_time_column_name_the_fix():
    with pytest.raises(ValueError, match="feature settings time must name a column of the data"):
        validated_settings({**DEFAULT_SETTINGS, "time": None})


def test_a_raw_column_named_like_a_made_feature_is_refused_as_an_input(tmp_path):
    import yaml

    from {{ package_name }}.config import ConfigError, load_config

    project = Path(__file__).resolve().parents[1] / "config" / "pipeline.yaml"
    text = yaml.safe_load(project.read_text())
    text["data"]["columns"]["month"] = {"type": "int", "min": 1, "max": 12, "feature": True}
    (tmp_path / "pipeline.yaml").write_text(yaml.safe_dump(text, sort_keys=False))
    with pytest.raises(ConfigError, match="month marked `feature: true` have the name of a"):
        load_config(tmp_path / "pipeline.yaml")
