"""The settings a regression adds to the configuration: the interval, the baseline, and the
metrics that cannot judge everywhere."""

import textwrap

import pytest

from {{ package_name }}.config import ConfigError, load_config

CONFIG = """
schema_version: 1
data:
  path: data.csv
  target: fare
  columns:
    distance: {type: float, feature: true}
    fare: {type: float, min: 0}
training:
  interval: [0.1, 0.9]
evaluation:
  baseline: {kind: linear, columns: [distance]}
  gate: {limits: {mae: 1000}}
registry: {model_name: test_model}
monitoring: {}
"""


def write_config(tmp_path, text: str):
    path = tmp_path / "config" / "pipeline.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_the_minimal_configuration_is_valid(tmp_path):
    config = load_config(write_config(tmp_path, CONFIG))
    assert config.training.interval == [0.1, 0.9]
    assert config.evaluation.baseline_columns == ["distance"]


def test_a_signed_or_model_only_metric_is_refused_where_it_cannot_judge(tmp_path):
    path = write_config(tmp_path, CONFIG.replace("limits: {", "limits: {bias: 0.05, "))
    with pytest.raises(ConfigError, match="bias is signed.*use abs_bias"):
        load_config(path)
    model_only = CONFIG.replace("limits: {", "beat_baseline: [coverage], limits: {")
    path = write_config(tmp_path, model_only)
    with pytest.raises(ConfigError, match="coverage cannot be used in beat_baseline"):
        load_config(path)


@pytest.mark.parametrize("interval", ["[0.9, 0.1]", "[0.1]", "[0, 0.9]"])
def test_an_interval_is_two_rising_quantiles(tmp_path, interval):
    path = write_config(tmp_path, CONFIG.replace("[0.1, 0.9]", interval))
    with pytest.raises(ConfigError, match="two quantiles"):
        load_config(path)


def test_the_baseline_reads_declared_columns_only(tmp_path):
    path = write_config(tmp_path, CONFIG.replace("columns: [distance]", "columns: [duration]"))
    with pytest.raises(ConfigError, match="'duration' is not declared"):
        load_config(path)
