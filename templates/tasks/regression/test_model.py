"""Fitting for a numeric target: the configured objective, and the step after fitting that
gives the prediction its interval."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from {{ package_name }}.task.model import ObjectiveError, booster_params, fit_answer


def training(interval: list[float]) -> SimpleNamespace:
    return SimpleNamespace(
        objective="reg:squarederror",
        interval=interval,
        seed=0,
        max_rounds=200,
        early_stopping_rounds=10,
    )


def fitted(interval: list[float]):
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"size": rng.uniform(0, 10, 3000)})
    y = 3 * x["size"].to_numpy() + rng.normal(scale=2.0, size=3000)
    booster = xgb.train(
        {"max_depth": 3}, xgb.DMatrix(x.iloc[:1500], label=y[:1500]), num_boost_round=50
    )
    valid = x.iloc[1500:]
    return fit_answer(
        training(interval),
        SimpleNamespace(),
        booster,
        x_valid=valid,
        matrix_valid=valid.to_numpy(dtype=np.float32),
        y_valid=y[1500:],
        w_valid=None,
        baseline_valid=np.zeros(1500),
        monotone_constraints=(0,),
    )


def test_the_objective_is_the_configured_loss():
    assert booster_params(training([]), np.zeros(3)) == {"objective": "reg:squarederror"}


def test_without_an_interval_there_is_no_interval_booster():
    answer = fitted([])
    assert answer.models == {"interval_booster": None}
    assert answer.record == {"interval": None}
    assert set(answer.validation) == {"mae", "wape"}


def test_the_interval_booster_learns_the_error_s_quantiles():
    answer = fitted([0.1, 0.9])
    booster = answer.models["interval_booster"]
    errors = booster.inplace_predict(np.full((1, 1), 5.0, dtype=np.float32)).reshape(2)
    # Noise of scale 2: the 10% and 90% quantiles of the error are about -2.6 and +2.6.
    assert errors[0] == pytest.approx(-2.6, abs=1.0)
    assert errors[1] == pytest.approx(2.6, abs=1.0)
    assert answer.record == {"interval": [0.1, 0.9]}


@pytest.mark.parametrize(
    ("objective", "targets"),
    [("reg:gamma", [0.0, 3.0]), ("reg:gamma", [-2.0, 3.0]), ("count:poisson", [-1.0, 3.0])],
)
def test_a_loss_that_cannot_fit_the_targets_names_the_fix(objective, targets):
    config = training([])
    config.objective = objective
    with pytest.raises(ObjectiveError, match="set `objective: reg:squarederror`"):
        booster_params(config, np.array(targets))
    assert booster_params(config, np.array([0.5, 3.0])) == {"objective": objective}
