"""Customer-history features: past-only, the same offline and online, and right by hand."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from {{ package_name }}.domain.features import (
    FEATURE_NAMES,
    REQUIRED_COLUMNS,
    engineer_features,
    history_from_dict,
    new_history,
)
from {{ package_name }}.domain.simulate import SIZES, simulate

THIRTY_DAYS = 30 * 24 * 3600


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    return simulate(*SIZES["small"], seed=3).transactions


def _features(transactions: pd.DataFrame) -> pd.DataFrame:
    return engineer_features(transactions, new_history())


def _payment(
    timestamp: str,
    customer: str = "c_1",
    amount: float = 20.0,
    device: str = "d_1_1",
    merchant: str = "m_1",
    country: str = "US",
    category: str = "grocery",
    channel: str = "card_present",
) -> dict:
    return {
        "transaction_id": f"tx_{timestamp}_{customer}",
        "timestamp": pd.Timestamp(timestamp),
        "customer_id": customer,
        "merchant_id": merchant,
        "merchant_category": category,
        "amount": amount,
        "channel": channel,
        "country": country,
        "device_id": device,
        "is_fraud": 0,
    }


def test_output_is_float64_in_model_order_with_the_input_index(transactions):
    rows = transactions.iloc[:500].set_axis(np.arange(1000, 1500))
    features = _features(rows)
    assert list(features.columns) == list(FEATURE_NAMES)
    assert (features.dtypes == np.float64).all()
    assert features.index.equals(rows.index)
    assert np.isfinite(features.to_numpy()).all()
    assert set(REQUIRED_COLUMNS) <= set(transactions.columns)
    assert "is_fraud" not in REQUIRED_COLUMNS


def test_a_hand_built_customer_story():
    rows = pd.DataFrame(
        [
            # 12:00 first payment ever, in a shop.
            _payment("2026-01-01 12:00:00", amount=20.0),
            # Another customer in between: their own, separate history.
            _payment("2026-01-01 12:05:00", customer="c_2", device="d_2_0", amount=999.0),
            # 12:10, ten minutes later: twice the amount, online from a new device.
            _payment("2026-01-01 12:10:00", amount=40.0, device="d_1_2", channel="online"),
            # 12:30: a tiny digital purchase from France on the same device.
            _payment(
                "2026-01-01 12:30:00",
                amount=5.0,
                device="d_1_2",
                merchant="m_2",
                country="FR",
                category="digital_goods",
                channel="online",
            ),
            # 13:20: the 12:00 and 12:10 payments are more than an hour ago.
            _payment("2026-01-01 13:20:00", amount=20.0, merchant="m_2"),
            # Exactly 24 hours after the first payment, which leaves the 24-hour window.
            _payment("2026-01-02 12:00:00", amount=20.0),
        ]
    )
    f = _features(rows)

    first = f.iloc[0]
    assert first["amount_log"] == pytest.approx(math.log1p(20.0))
    assert first["hour_of_day"] == 12 and first["is_night"] == 0
    assert first["seconds_since_last_tx"] == THIRTY_DAYS
    assert first[["tx_count_1h", "tx_count_24h", "amount_sum_24h", "customer_tx_count"]].eq(0).all()
    assert first["amount_vs_customer_mean"] == 1.0 and first["amount_zscore"] == 0.0
    assert first[["new_device", "new_merchant", "new_country"]].eq(1).all()
    assert first["foreign_country"] == 0 and first["category_share"] == 0
    assert first["online_share"] == 0.5 and first["hours_from_usual_time"] == 0

    other_customer = f.iloc[1]
    assert other_customer["customer_tx_count"] == 0 and other_customer["tx_count_1h"] == 0
    assert other_customer["new_device"] == 1

    second = f.iloc[2]
    assert second["seconds_since_last_tx"] == 600
    assert second["tx_count_1h"] == 1 and second["tx_count_24h"] == 1
    assert second["amount_sum_24h"] == 20.0
    assert second["customer_tx_count"] == 1
    assert second["amount_vs_customer_mean"] == pytest.approx(2.0)
    # One earlier payment: its variance is shrunk towards the prior, (0 + 3 * 1) / (1 + 3).
    assert second["amount_zscore"] == pytest.approx(
        (math.log1p(40.0) - math.log1p(20.0)) / math.sqrt(0.75)
    )
    assert second["new_device"] == 1 and second["new_merchant"] == 0
    assert second["new_country"] == 0 and second["foreign_country"] == 0
    assert second["category_share"] == 1.0
    assert second["online_share"] == pytest.approx(0.5 / 2)
    assert second["hours_from_usual_time"] == pytest.approx(10 / 60)

    third = f.iloc[3]
    assert third["tx_count_1h"] == 2 and third["amount_sum_24h"] == 60.0
    assert third["amount_vs_customer_mean"] == pytest.approx(5.0 / 30.0)
    assert third["new_device"] == 0 and third["new_merchant"] == 1
    assert third["new_country"] == 1 and third["foreign_country"] == 1
    assert third["category_share"] == 0.0
    assert third["online_share"] == pytest.approx(1.5 / 3)

    fourth = f.iloc[4]
    assert fourth["tx_count_1h"] == 1 and fourth["tx_count_24h"] == 3
    assert fourth["seconds_since_last_tx"] == 50 * 60
    assert fourth["new_merchant"] == 0 and fourth["new_country"] == 0
    assert fourth["foreign_country"] == 0
    assert fourth["category_share"] == pytest.approx(2 / 3)

    next_day = f.iloc[5]
    assert next_day["tx_count_24h"] == 3  # 12:10, 12:30 and 13:20; 12:00 is 24 hours ago
    assert next_day["amount_sum_24h"] == 65.0
    assert next_day["tx_count_1h"] == 0
    assert next_day["customer_tx_count"] == 4


def test_a_hand_built_card_testing_attack():
    rows = pd.DataFrame(
        [
            # Day 1: two grocery payments with the card, at home.
            _payment("2026-01-01 12:00:00", amount=40.0, device="d_1_0"),
            _payment("2026-01-01 18:00:00", amount=60.0, device="d_1_0"),
            # Day 2: another customer's grocery payment; grocery prices are everyone's.
            _payment("2026-01-02 10:00:00", customer="c_2", amount=100.0, device="d_2_0"),
            # Day 3, 2 am: a fraudster tries the card with tiny payments from a new device...
            *(
                _payment(
                    f"2026-01-03 02:0{minute}:00",
                    amount=float(test),
                    device="d_x",
                    merchant="m_9",
                    country="NG",
                    category="digital_goods",
                    channel="online",
                )
                for test, minute in ((1, 0), (2, 1), (3, 3))
            ),
            # ... and, twenty minutes after the first test, buys a laptop.
            _payment(
                "2026-01-03 02:20:00",
                amount=900.0,
                device="d_x",
                merchant="m_8",
                country="NG",
                category="electronics",
                channel="online",
            ),
        ]
    )
    f = _features(rows)
    new_columns = [
        "device_age",
        "device_tx_count",
        "device_tx_count_1h",
        "country_age",
        "tiny_tx_count_1h",
        "amount_vs_customer_max",
        "amount_vs_category_habit",
        "seconds_since_last_in_category",
        "burst_tx_count",
        "hours_from_usual_time_in_sds",
    ]
    first = f.iloc[0][new_columns]
    assert first.to_dict() == {
        **dict.fromkeys(new_columns, 0.0),
        "amount_vs_customer_max": 1.0,
        "seconds_since_last_in_category": THIRTY_DAYS,
    }

    second = f.iloc[1]
    assert second["device_age"] == second["country_age"] == 6 * 3600
    assert second["seconds_since_last_in_category"] == 6 * 3600
    assert second["device_tx_count"] == 1 and second["burst_tx_count"] == 0
    assert second["amount_vs_customer_max"] == pytest.approx(60 / 40)
    # Grocery so far: one payment of 40, its variance shrunk as in amount_zscore.
    assert second["amount_vs_category_habit"] == pytest.approx(
        (math.log1p(60) - math.log1p(40)) / math.sqrt(0.75)
    )
    # Six hours from the only earlier payment; one payment says nothing of the spread, so
    # the prior spread of four hours applies: (1 * 0 + 3 * 4) / (1 + 3) = 3 hours.
    assert second["hours_from_usual_time_in_sds"] == pytest.approx(6 / 3)

    other_customer = f.iloc[2]
    logs = [math.log1p(40), math.log1p(60)]
    mean = sum(logs) / 2
    spread = math.sqrt((sum((x - mean) ** 2 for x in logs) + 3) / (2 + 3))
    assert other_customer["amount_vs_category_habit"] == pytest.approx(
        (math.log1p(100) - mean) / spread
    )

    first_test, third_test, laptop = f.iloc[3], f.iloc[5], f.iloc[6]
    assert first_test["new_device"] == 1 and first_test["device_age"] == 0
    assert first_test["country_age"] == 0 and first_test["tiny_tx_count_1h"] == 0
    assert third_test["device_age"] == third_test["country_age"] == 180
    assert third_test["tiny_tx_count_1h"] == 2 and third_test["device_tx_count_1h"] == 2
    assert third_test["seconds_since_last_in_category"] == 120
    assert third_test["burst_tx_count"] == 2
    assert laptop["new_device"] == 0 and laptop["device_age"] == 20 * 60
    assert laptop["device_tx_count"] == 3 and laptop["device_tx_count_1h"] == 3
    assert laptop["tiny_tx_count_1h"] == 3 and laptop["burst_tx_count"] == 3
    assert laptop["amount_vs_customer_max"] == pytest.approx(900 / 60)
    assert laptop["seconds_since_last_in_category"] == THIRTY_DAYS


def test_features_of_a_row_do_not_depend_on_later_rows(transactions):
    full = _features(transactions)
    cut = len(transactions) // 2
    prefix = _features(transactions.iloc[:cut])
    pd.testing.assert_frame_equal(prefix, full.iloc[:cut])

    # Rewrite the future: other amounts, devices, countries and merchants after the cut.
    rng = np.random.default_rng(0)
    altered = transactions.copy()
    later = altered.index[cut:]
    for column in ("amount", "device_id", "country", "merchant_id"):
        altered.loc[later, column] = rng.permutation(altered.loc[later, column].to_numpy())
    changed = _features(altered)
    pd.testing.assert_frame_equal(changed.iloc[:cut], full.iloc[:cut])
    assert not changed.iloc[cut:].equals(full.iloc[cut:])


def test_the_label_is_never_read(transactions):
    full = _features(transactions)
    pd.testing.assert_frame_equal(_features(transactions.drop(columns="is_fraud")), full)
    flipped = transactions.assign(is_fraud=1 - transactions["is_fraud"])
    pd.testing.assert_frame_equal(_features(flipped), full)


def test_chunked_and_one_by_one_equal_one_batch(transactions):
    """The service featurises one payment at a time with the history carried over."""
    rows = transactions.iloc[:3000]
    batch = _features(rows)

    history = new_history()
    first = engineer_features(rows.iloc[:1700], history)
    rest = engineer_features(rows.iloc[1700:], history)
    pd.testing.assert_frame_equal(pd.concat([first, rest]), batch)

    history = new_history()
    engineer_features(rows.iloc[:2800], history)
    one_by_one = [engineer_features(rows.iloc[[i]], history) for i in range(2800, 3000)]
    pd.testing.assert_frame_equal(pd.concat(one_by_one), batch.iloc[2800:])


def test_history_survives_a_json_round_trip(transactions):
    cut = len(transactions) // 2
    kept = new_history()
    engineer_features(transactions.iloc[:cut], kept)

    saved = json.dumps(kept.to_dict())
    restored = history_from_dict(json.loads(saved))
    assert restored.to_dict() == kept.to_dict()

    continued = engineer_features(transactions.iloc[cut:], kept)
    pd.testing.assert_frame_equal(engineer_features(transactions.iloc[cut:], restored), continued)


def test_history_stays_bounded():
    start = pd.Timestamp("2026-01-01")
    rows = pd.DataFrame(
        [
            _payment(str(start + pd.Timedelta(hours=i)), merchant=f"m_{i}", device=f"d_1_{i}")
            for i in range(200)
        ]
    )
    history = new_history()
    engineer_features(rows, history)
    state = history.to_dict()["customers"]["c_1"]
    assert state["count"] == 200
    assert len(state["merchants"]) <= 50 and len(state["devices"]) <= 50
    assert "m_199" in state["merchants"] and "m_0" not in state["merchants"]
    assert len(state["recent"]) == 24  # only the last 24 hours are kept
    assert state["devices"]["d_1_199"] == [int(rows["timestamp"].iloc[-1].timestamp()), 1]


def test_the_input_contract_is_enforced(transactions):
    with pytest.raises(KeyError, match="device_id"):
        _features(transactions.drop(columns="device_id"))
    with pytest.raises(ValueError, match="sorted"):
        _features(transactions.iloc[::-1])
