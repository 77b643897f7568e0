"""The sales simulator: reproducible, schema-true, and its expected units are really the truth."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from {{ package_name }}.domain.simulate import HOLIDAYS, ITEM_IDS, SIZES, simulate

# The declared schema is the contract: config/pipeline.yaml as the template wrote it (the
# tests' copy, in tests/fixtures), read as plain YAML.
DATA = yaml.safe_load(
    (Path(__file__).resolve().parent / "fixtures" / "config" / "pipeline.yaml").read_text()
)["data"]

N_SERIES, DAYS = SIZES["small"]


@pytest.fixture(scope="module")
def training():
    return simulate(N_SERIES, DAYS, seed=7)


@pytest.fixture(scope="module")
def production():
    """The 91 days after the training period: the same series, new days."""
    return simulate(N_SERIES, 91, seed=7, start="2027-02-05")


def test_the_same_arguments_give_identical_frames(training):
    again = simulate(N_SERIES, DAYS, seed=7)
    pd.testing.assert_frame_equal(training.rows, again.rows)
    pd.testing.assert_frame_equal(training.truth, again.truth)


def test_different_seeds_give_different_series(training):
    other = simulate(N_SERIES, DAYS, seed=8)
    assert not np.array_equal(other.rows["units_sold"], training.rows["units_sold"])
    levels = training.truth.groupby(training.rows["store_id"])["expected_units"].mean()
    other_levels = other.truth.groupby(other.rows["store_id"])["expected_units"].mean()
    assert not np.allclose(levels, other_levels, rtol=0.05)  # other stores, not a reshuffle


def test_columns_types_and_values_follow_the_pipeline_schema(training):
    rows = training.rows
    columns = DATA["columns"]
    assert list(rows.columns) == list(columns)
    for name, spec in columns.items():
        if "allowed" in spec:
            assert set(rows[name].astype(str)) <= {str(v) for v in spec["allowed"]}, name
        # The bounds of a time are years.
        values = rows[name].dt.year if spec["type"] == "datetime" else rows[name]
        if "min" in spec:
            assert values.min() >= spec["min"], name
        if "max" in spec:
            assert values.max() <= spec["max"], name
    assert pd.api.types.is_datetime64_dtype(rows["date"]) and rows["date"].dt.tz is None
    assert (rows["date"] == rows["date"].dt.normalize()).all()
    for column in ("row_id", "store_id", "item_id"):
        assert rows[column].map(type).eq(str).all(), column
    assert rows["price"].dtype == np.float64
    assert np.allclose(rows["price"], rows["price"].round(2))
    for column in ("promotion", "holiday", "units_sold"):
        assert rows[column].dtype == np.int64, column
    assert rows["row_id"].is_unique
    date_text = rows["date"].dt.strftime("%Y-%m-%d")
    assert (rows["row_id"] == rows["store_id"] + "-" + rows["item_id"] + "-" + date_text).all()


def test_rows_are_in_time_order_one_per_series_and_day(training):
    rows = training.rows
    assert len(rows) == N_SERIES * DAYS
    assert rows["date"].is_monotonic_increasing
    assert rows["date"].min() == pd.Timestamp("2026-01-01")
    assert rows["date"].nunique() == DAYS
    # Within a day: store, then item in catalogue order.
    day = rows[rows["date"] == rows["date"].iloc[0]]
    assert day["store_id"].tolist() == sorted(day["store_id"])
    assert day["item_id"].tolist()[: len(ITEM_IDS)] == list(ITEM_IDS)
    assert (rows.groupby(["store_id", "item_id"]).size() == DAYS).all()


def test_medium_is_five_stores_of_twenty_items_over_two_years():
    n_series, days = SIZES["medium"]
    assert (n_series, days) == (100, 730)
    rows = simulate(n_series, 7).rows
    assert rows["store_id"].nunique() == 5 and rows["item_id"].nunique() == 20


def test_truth_is_aligned_and_drives_the_units(training):
    rows, truth = training
    assert list(truth.columns) == ["row_id", "expected_units"]
    assert truth["row_id"].tolist() == rows["row_id"].tolist()
    expected = truth["expected_units"].to_numpy()
    units = rows["units_sold"].to_numpy()
    assert (expected > 0).all()
    # Unbiased: the units sum to the expected units within a few standard deviations of the
    # negative binomial (variance = mean + mean^2 / shape, shape 8).
    spread = np.sqrt((expected + expected**2 / 8).sum())
    assert abs(units.sum() - expected.sum()) < 4 * spread
    # Overdispersed as declared: the squared errors average the negative binomial variance.
    dispersion = ((units - expected) ** 2).sum() / (expected + expected**2 / 8).sum()
    assert 0.9 < dispersion < 1.1
    # Rows expected to sell more do sell more, bucket by bucket.
    buckets = pd.qcut(expected, 10, labels=False)
    means = pd.Series(units).groupby(buckets).mean()
    assert means.is_monotonic_increasing


def test_holidays_follow_the_fixed_calendar(training):
    rows = training.rows
    month_day = list(zip(rows["date"].dt.month, rows["date"].dt.day, strict=True))
    assert (rows["holiday"] == [int(md in HOLIDAYS) for md in month_day]).all()
    truth = training.truth.assign(item=rows["item_id"], holiday=rows["holiday"])
    wine = truth[truth["item"] == "sparkling_wine"].groupby("holiday")["expected_units"].mean()
    assert wine[1] > 1.8 * wine[0]


def test_promotions_cut_the_price_and_lift_the_units(training):
    rows, truth = training
    promoted = rows["promotion"] == 1
    assert 0.08 < promoted.mean() < 0.2
    regular = rows[~promoted].groupby(["store_id", "item_id"])["price"].agg(["min", "max"])
    assert (regular["min"] == regular["max"]).all()  # one regular price per series
    regular_price = rows.set_index(["store_id", "item_id"]).index.map(regular["min"])
    cut = 1 - rows["price"].to_numpy() / regular_price.to_numpy()
    assert (cut[~promoted] == 0).all()
    assert ((cut[promoted] > 0.08) & (cut[promoted] < 0.42)).all()
    lift = truth["expected_units"][promoted].mean() / truth["expected_units"][~promoted].mean()
    assert lift > 1.4


def test_seasonal_items_sell_in_their_season(training):
    rows, truth = training
    month = rows["date"].dt.month
    per_item_month = truth["expected_units"].groupby([rows["item_id"], month]).mean()
    assert per_item_month["ice_cream"][7] > 2 * per_item_month["ice_cream"][1]
    assert per_item_month["soup"][1] > 1.5 * per_item_month["soup"][7]
    # Saturday is the busiest day of the common shopping week.
    weekday = truth["expected_units"].groupby(rows["date"].dt.dayofweek).mean()
    assert weekday.idxmax() == 5


def test_a_later_period_continues_the_same_series(training, production):
    before, after = training.rows, production.rows
    assert after["date"].min() == before["date"].max() + pd.Timedelta(days=1)
    key = ["store_id", "item_id"]
    price_before = before[before["promotion"] == 0].groupby(key)["price"].first()
    price_after = after[after["promotion"] == 0].groupby(key)["price"].first()
    pd.testing.assert_series_equal(price_before, price_after)
    # The last 91 days before and the 91 days after: the same series levels.
    recent = before["date"] > before["date"].max() - pd.Timedelta(days=91)
    level_before = (
        training.truth["expected_units"][recent]
        .groupby([before["store_id"], before["item_id"]])
        .mean()
    )
    level_after = (
        production.truth["expected_units"].groupby([after["store_id"], after["item_id"]]).mean()
    )
    assert np.corrcoef(level_before, level_after.reindex(level_before.index))[0, 1] > 0.95
    assert 0.8 < level_after.sum() / level_before.sum() < 1.25


def test_drift_opens_a_competitor_next_to_some_stores(production):
    drifted = simulate(N_SERIES, 91, seed=7, start="2027-02-05", drift=True)
    ratio = (
        drifted.truth["expected_units"].groupby(drifted.rows["store_id"]).sum()
        / production.truth["expected_units"].groupby(production.rows["store_id"]).sum()
    )
    # Two stores in the small run: one gets the competitor, the other sells as before.
    assert ratio.min() < 0.8
    assert ratio.max() == pytest.approx(1.0)
    for column in ("row_id", "date", "price", "promotion", "holiday"):
        pd.testing.assert_series_equal(drifted.rows[column], production.rows[column])
    # The competitor's shoppers also react more to promotions.
    store = drifted.rows["store_id"] == ratio.idxmin()
    promoted = store & (drifted.rows["promotion"] == 1)
    lift = drifted.truth["expected_units"] / production.truth["expected_units"]
    assert (lift[promoted] > lift[store & ~promoted].max()).all()


def test_sizes_are_ordered():
    series_days = {name: n * days for name, (n, days) in SIZES.items()}
    assert series_days["small"] < series_days["medium"] < series_days["large"]
    assert 50_000 <= series_days["medium"] <= 150_000


def test_invalid_arguments_are_refused():
    with pytest.raises(ValueError, match="population"):
        simulate(0, 10)
    with pytest.raises(ValueError, match="population"):
        simulate(201, 10)
    with pytest.raises(ValueError):
        simulate(10, 10, start="first of January")
