"""The settings a binary outcome adds to the configuration: the positive label, the risk
bands, and the stratified split."""

import textwrap

import numpy as np
import pandas as pd
import pytest

from {{ package_name }}.config import ConfigError, load_config
from {{ package_name }}.core.data import labels, split_rows

CONFIG = """
schema_version: 1
data:
  path: data.csv
  target: outcome
  positive_label: "yes"
  columns:
    amount: {type: float, feature: true}
    outcome: {type: category, allowed: ["yes", "no"]}
split: {method: stratified}
evaluation:
  alert_rate: 0.1
  costs: {false_positive: 1, false_negative: 10}
  gate: {limits: {pr_auc: 0}}
registry: {model_name: test_model}
monitoring: {}
serving:
  risk_bands: {low: 0, medium: 0.2, high: 0.6}
"""


def write_config(tmp_path, text: str):
    path = tmp_path / "config" / "pipeline.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_the_positive_label_is_one_and_every_other_value_zero(tmp_path):
    config = load_config(write_config(tmp_path, CONFIG))
    frame = pd.DataFrame({"outcome": ["yes", "no", "no", "yes"]})
    assert labels(frame, config).tolist() == [1, 0, 0, 1]


@pytest.mark.parametrize("stored", [[1.0, 0.0, 0.0, 1.0], ["1.0", "0", "0.0", "1"]])
def test_a_numeric_positive_label_matches_its_value_however_it_is_written(tmp_path, stored):
    config = load_config(write_config(tmp_path, CONFIG.replace('"yes"', "1")))
    assert labels(pd.DataFrame({"outcome": stored}), config).tolist() == [1, 0, 0, 1]


@pytest.mark.parametrize("bands", ["{low: 0.1, high: 0.6}", "{low: 0, high: 0.6, medium: 0.2}"])
def test_risk_bands_start_at_zero_and_rise(tmp_path, bands):
    path = write_config(tmp_path, CONFIG.replace("{low: 0, medium: 0.2, high: 0.6}", bands))
    with pytest.raises(ConfigError, match="risk_bands must start at 0 and rise"):
        load_config(path)


def test_a_stratified_split_keeps_the_positive_rate_in_every_part(tmp_path):
    config = load_config(write_config(tmp_path, CONFIG))
    y = (np.arange(1000) % 20 == 0).astype(int)  # 5% positive, all in a regular pattern

    split = split_rows(y, config)

    for part in (split.train, split.validation, split.test):
        assert y[part].mean() == pytest.approx(0.05, abs=0.005)
    assert sorted(np.concatenate([split.train, split.validation, split.test])) == list(range(1000))
