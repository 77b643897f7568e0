"""The payment simulator: reproducible, schema-true, and its ground truth is really the truth."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ package_name }}.config import load_config
from {{ package_name }}.core.schema import validate_frame
from {{ package_name }}.domain.simulate import SIZES, UTC_OFFSET_HOURS, simulate

# The declared schema is the contract: config/pipeline.yaml as the template wrote it (the
# tests' copy, in tests/fixtures), read as the pipeline reads it.
CONFIG = load_config(Path(__file__).resolve().parent / "fixtures" / "config" / "pipeline.yaml")
ATTACKS = {"card_testing", "account_takeover", "stolen_card"}

N_CUSTOMERS, DAYS = SIZES["small"]


@pytest.fixture(scope="module")
def training():
    return simulate(N_CUSTOMERS, DAYS, seed=7)


@pytest.fixture(scope="module")
def production():
    """The 14 days after the training period: same customers, new payments."""
    return simulate(N_CUSTOMERS, 14, seed=7, start="2026-01-31")


def _usual_country(transactions: pd.DataFrame) -> pd.Series:
    """Per customer, the country most of their card-present payments come from."""
    shops = transactions[transactions["channel"] == "card_present"]
    return shops.groupby("customer_id")["country"].agg(lambda c: c.value_counts().index[0])


def test_the_same_arguments_give_identical_frames(training):
    again = simulate(N_CUSTOMERS, DAYS, seed=7)
    pd.testing.assert_frame_equal(training.transactions, again.transactions)
    pd.testing.assert_frame_equal(training.truth, again.truth)


def test_different_seeds_give_different_payments(training):
    other = simulate(N_CUSTOMERS, DAYS, seed=8).transactions
    assert len(other) != len(training.transactions) or not np.array_equal(
        other["amount"], training.transactions["amount"]
    )
    homes = _usual_country(training.transactions)
    other_homes = _usual_country(other).reindex(homes.index)
    assert (homes != other_homes).mean() > 0.3  # a different population, not a reshuffle


def test_columns_types_and_values_follow_the_pipeline_schema(training):
    tx = training.transactions
    assert list(tx.columns) == list(CONFIG.data.columns)
    # Written to CSV and read back as text, every row passes the pipeline's own validation.
    as_text = tx.astype(str).assign(timestamp=tx["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S"))
    assert len(validate_frame(as_text, CONFIG.data.columns, source="simulated")) == len(tx)
    assert pd.api.types.is_datetime64_dtype(tx["timestamp"])
    assert tx["timestamp"].dt.tz is None
    assert (tx["timestamp"] == tx["timestamp"].dt.floor("s")).all()
    assert tx["timestamp"].is_monotonic_increasing
    assert tx["timestamp"].min() >= pd.Timestamp("2026-01-01")
    assert tx["timestamp"].max() < pd.Timestamp("2026-01-01") + pd.Timedelta(days=DAYS)
    for column in ("transaction_id", "customer_id", "merchant_id", "device_id"):
        assert tx[column].map(type).eq(str).all(), column
    assert set(tx["channel"]) == set(CONFIG.data.columns["channel"].allowed)
    assert tx["amount"].dtype == np.float64
    assert tx["amount"].between(0.01, 50_000).all()
    assert np.allclose(tx["amount"], tx["amount"].round(2))
    assert tx["is_fraud"].dtype == np.int64
    assert set(tx["is_fraud"]) == {0, 1}
    assert tx["transaction_id"].is_unique
    assert tx["transaction_id"].str.fullmatch(r"tx_20260101_\d{6}").all()
    assert tx["merchant_id"].str.fullmatch(r"m_\d{5}").all()
    assert 300 <= tx["merchant_id"].nunique() <= 3000


def test_transaction_ids_are_unique_across_periods(training, production):
    ids = [*training.transactions["transaction_id"], *production.transactions["transaction_id"]]
    assert len(set(ids)) == len(ids)


def test_small_size_is_a_realistic_test_set():
    tx = simulate(*SIZES["small"]).transactions
    assert 35_000 <= len(tx) <= 55_000
    assert 0.004 <= tx["is_fraud"].mean() <= 0.012


def test_devices_belong_to_the_customer_and_cards_are_used_in_shops(training):
    tx = training.transactions
    customer_number = tx["customer_id"].str.removeprefix("c_")
    assert (tx["device_id"].str.split("_").str[1] == customer_number).all()
    shops = tx["channel"] == "card_present"
    assert (tx.loc[shops, "device_id"] == "d_" + customer_number[shops] + "_0").all()
    assert not (tx.loc[~shops, "device_id"].str.endswith("_0")).any()


def test_truth_is_aligned_with_the_transactions(training):
    tx, truth = training
    assert list(truth.columns) == ["transaction_id", "fraud_probability", "fraud_pattern"]
    assert truth["transaction_id"].tolist() == tx["transaction_id"].tolist()
    assert truth["fraud_probability"].between(0.0, 1.0).all()
    assert set(truth["fraud_pattern"]) == {"none"} | ATTACKS
    attack = truth["fraud_pattern"] != "none"
    assert truth.loc[attack, "fraud_probability"].between(0.5, 0.95).all()
    assert truth.loc[~attack, "fraud_probability"].max() <= 0.5
    assert truth.loc[~attack, "fraud_probability"].median() < 0.001


def test_labels_are_drawn_from_the_fraud_probability():
    # A medium run (about 2,000 frauds) so that a miscalibration of a few percent shows.
    tx, truth = simulate(*SIZES["medium"], seed=5)
    fraud, p = tx["is_fraud"].to_numpy(), truth["fraud_probability"].to_numpy()
    everyday = (truth["fraud_pattern"] == "none").to_numpy()
    for rows in (np.ones(len(p), dtype=bool), everyday, ~everyday):
        expected, spread = p[rows].sum(), np.sqrt((p[rows] * (1 - p[rows])).sum())
        assert abs(fraud[rows].sum() - expected) < 4 * spread
    assert 0.004 <= fraud.mean() <= 0.01


def test_attacks_look_like_what_they_are_named_after(training):
    tx, truth = training
    pattern = truth["fraud_pattern"]
    usual = tx["customer_id"].map(_usual_country(tx))
    first_seen_in_period = tx["device_id"].str.contains("_20260101_")

    testing = tx[pattern == "card_testing"]
    assert (testing["channel"] == "online").all()
    assert first_seen_in_period[testing.index].all()
    assert (testing["amount"] <= 3.0).mean() > 0.5  # mostly tiny test payments

    takeover = tx[pattern == "account_takeover"]
    assert (takeover["channel"] == "online").all()
    assert first_seen_in_period[takeover.index].all()
    assert (takeover["country"] != usual[takeover.index]).all()
    expensive = {"electronics", "jewelry", "travel", "money_transfer"}
    assert set(takeover["merchant_category"]) <= expensive

    stolen = tx[pattern == "stolen_card"]
    assert (stolen["channel"] == "card_present").all()
    assert stolen["amount"].median() > 5 * tx.loc[pattern == "none", "amount"].median()


def _follows_a_tiny_payment(transactions: pd.DataFrame) -> pd.Series:
    """Tiny online payments whose customer paid another tiny amount minutes before: a burst."""
    by_customer = transactions.groupby("customer_id")
    tiny = (transactions["amount"] < 5) & (transactions["channel"] == "online")
    gap = transactions["timestamp"] - by_customer["timestamp"].shift()
    return tiny & (by_customer["amount"].shift() < 5) & (gap < pd.Timedelta(minutes=10))


def test_bursts_of_tiny_payments_are_fraud_only_from_a_fresh_device(training):
    """In-app purchases look like card testing; the device tells them apart."""
    tx, truth = training
    burst = _follows_a_tiny_payment(tx)
    fresh = tx["device_id"].str.contains("_20260101_")
    p = truth["fraud_probability"]
    honest = burst & ~fresh & (truth["fraud_pattern"] == "none")
    assert honest.sum() > 2 * (burst & fresh).sum() > 100  # honest bursts are the common ones
    assert p[honest].max() < 0.01
    assert p[burst & fresh].mean() > 0.5


def test_travellers_pay_at_local_hours_which_look_like_night_at_home(training):
    """An odd hour is a thief's at home and jet lag abroad."""
    tx, truth = training
    usual = tx["customer_id"].map(_usual_country(tx))
    time_difference = tx["country"].map(UTC_OFFSET_HOURS) - usual.map(UTC_OFFSET_HOURS)
    night = tx["timestamp"].dt.hour < 6
    honest = truth["fraud_pattern"] == "none"
    far_away = honest & (time_difference.abs() >= 5)
    assert far_away.sum() > 100
    assert night[far_away].mean() > 3 * night[honest & (tx["country"] == usual)].mean()
    assert truth.loc[far_away, "fraud_probability"].median() < 0.001


def test_a_later_period_has_the_same_customers_with_the_same_habits(training, production):
    before, after = training.transactions, production.transactions
    assert after["timestamp"].min() >= before["timestamp"].max()
    assert set(after["customer_id"]) <= set(before["customer_id"])
    homes_before, homes_after = _usual_country(before), _usual_country(after)
    both = homes_before.index.intersection(homes_after.index)
    assert len(both) > 0.8 * N_CUSTOMERS
    assert (homes_before[both] == homes_after[both]).mean() > 0.9
    # Busy customers stay busy, big spenders stay big spenders.
    for habit in ("size", "median"):
        per_customer = pd.concat(
            [before.groupby("customer_id")["amount"].agg(habit),
             after.groupby("customer_id")["amount"].agg(habit)],
            axis=1,
            join="inner",
        )  # fmt: skip
        assert per_customer.corr(method="spearman").iloc[0, 1] > 0.5, habit


def test_drift_shifts_amounts_channels_categories_and_fraud(production):
    normal = production.transactions
    drifted_sim = simulate(N_CUSTOMERS, 14, seed=7, start="2026-01-31", drift=True)
    drifted = drifted_sim.transactions

    assert drifted["amount"].median() > 1.25 * normal["amount"].median()
    assert (drifted["channel"] == "online").mean() > (normal["channel"] == "online").mean() + 0.08
    shifted_to = ["digital_goods", "online_retail", "money_transfer"]
    share = drifted["merchant_category"].isin(shifted_to).mean()
    assert share > normal["merchant_category"].isin(shifted_to).mean() + 0.08
    usual = _usual_country(normal)
    abroad_normal = (normal["country"] != normal["customer_id"].map(usual)).mean()
    abroad_drifted = (drifted["country"] != drifted["customer_id"].map(usual)).mean()
    assert abroad_drifted > 1.5 * abroad_normal
    assert "friendly_fraud_gift_cards" in set(drifted_sim.truth["fraud_pattern"])
    assert "friendly_fraud_gift_cards" not in set(production.truth["fraud_pattern"])


def test_sizes_are_ordered():
    customer_days = {name: n_customers * days for name, (n_customers, days) in SIZES.items()}
    assert customer_days["small"] < customer_days["medium"] < customer_days["large"]
    # About one payment per customer and day: "medium" is about 300,000 rows, whose held-out
    # fifth holds enough frauds (a few hundred) to tell the model from the baseline.
    assert 250_000 <= customer_days["medium"] <= 350_000


def test_invalid_arguments_are_refused():
    with pytest.raises(ValueError):
        simulate(0, 10)
    with pytest.raises(ValueError):
        simulate(10, 10, start="first of January")
