"""A regression answer: the prediction under its configured name, and its interval."""

from types import SimpleNamespace

import pandas as pd
from pydantic import create_model

from {{ package_name }}.task.answers import (
    answer_columns,
    answer_fields,
    answer_shape,
    answers,
    describe_answers,
    logged_decisions,
)

SPEC = SimpleNamespace(prediction_name="fare", interval=[0.1, 0.9])
PREDICTIONS = pd.DataFrame(
    {"distance": [2.0, 8.5], "score": [7.5, 21.0], "lower": [6.0, 18.0], "upper": [9.0, 25.0]}
)


def test_each_row_is_answered_with_its_prediction_and_interval():
    answered = answers(PREDICTIONS, SPEC)

    assert answered == [
        {"fare": 7.5, "fare_lower": 6.0, "fare_upper": 9.0},
        {"fare": 21.0, "fare_lower": 18.0, "fare_upper": 25.0},
    ]
    # The answer type takes exactly these fields.
    Answer = create_model("Answer", **answer_fields(SPEC))
    assert set(Answer.model_fields) == set(answered[0])
    Answer(**answered[0])


def test_without_an_interval_the_prediction_stands_alone():
    spec = SimpleNamespace(prediction_name="fare", interval=[])
    point = PREDICTIONS.drop(columns=["lower", "upper"])

    assert answers(point, spec) == [{"fare": 7.5}, {"fare": 21.0}]
    assert list(answer_fields(spec)) == ["fare"]
    assert list(answer_columns(point, spec)) == ["fare"]
    assert answer_shape(spec) != answer_shape(SPEC)


def test_the_log_has_no_decision_and_the_batch_file_has_the_interval():
    assert logged_decisions(PREDICTIONS) == ["", ""]
    columns = answer_columns(PREDICTIONS, SPEC)
    assert list(columns) == ["fare", "fare_lower", "fare_upper"]
    assert "fare_upper" in describe_answers(pd.DataFrame(columns))
