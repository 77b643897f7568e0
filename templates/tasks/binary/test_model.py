"""Fitting for a binary outcome: the positive class's weight, and the step after fitting that
calibrates the scores and chooses the thresholds on the validation rows."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from {{ package_name }}.task.model import booster_params, fit_answer
from {{ package_name }}.task.settings import Costs

COSTS = Costs(false_positive=1.0, false_negative=10.0)


def test_the_positive_class_weighs_as_configured():
    y = np.array([1] * 10 + [0] * 90)
    weight = {
        setting: booster_params(SimpleNamespace(positive_weight=setting), y)["scale_pos_weight"]
        for setting in ("none", "balanced", "sqrt_balanced")
    }
    assert weight == pytest.approx({"none": 1.0, "balanced": 9.0, "sqrt_balanced": 3.0})


@pytest.mark.parametrize("calibrate", [False, True])
def test_the_answer_is_a_threshold_chosen_on_the_validation_rows(calibrate):
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"signal": rng.normal(size=2000)})
    y = (x["signal"] + rng.normal(scale=0.5, size=2000) > 1.5).astype(int).to_numpy()
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 2},
        xgb.DMatrix(x.iloc[:1000], label=y[:1000]),
        num_boost_round=20,
    )
    training = SimpleNamespace(calibrate=calibrate)
    evaluation = SimpleNamespace(costs=COSTS)

    answer = fit_answer(
        training,
        evaluation,
        booster,
        x_valid=x.iloc[1000:],
        matrix_valid=x.iloc[1000:].to_numpy(),
        y_valid=y[1000:],
        w_valid=None,
        baseline_valid=np.full(1000, y.mean()),
        monotone_constraints=(0,),
    )

    assert 0 < answer.fitted["threshold"] < 1
    assert (answer.fitted["calibration"] is not None) == calibrate
    assert answer.record["threshold"] == answer.fitted["threshold"]
    assert set(answer.validation) == {"pr_auc", "roc_auc"}
    assert answer.validation["roc_auc"] > 0.8
    assert len(answer.validation_scores) == 1000 and answer.models == {}
