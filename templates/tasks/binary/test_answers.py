"""A binary answer: the score, the decision the threshold implies, the band, the threshold."""

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

SPEC = SimpleNamespace(threshold=0.3, risk_bands={"low": 0.0, "medium": 0.2, "high": 0.6})
PREDICTIONS = pd.DataFrame(
    {
        "amount": [10.0, 900.0, 50.0],
        "score": [0.05, 0.7, 0.3],
        "decision": ["ok", "review", "review"],
    }
)


def test_each_row_is_answered_with_its_decision_band_and_the_threshold():
    answered = answers(PREDICTIONS, SPEC)

    assert answered == [
        {"score": 0.05, "decision": "ok", "threshold": 0.3, "risk_band": "low"},
        {"score": 0.7, "decision": "review", "threshold": 0.3, "risk_band": "high"},
        {"score": 0.3, "decision": "review", "threshold": 0.3, "risk_band": "medium"},
    ]
    # The answer type takes exactly these fields.
    Answer = create_model("Answer", **answer_fields(SPEC))
    assert set(Answer.model_fields) == set(answered[0])
    Answer(**answered[0])


def test_without_risk_bands_there_is_no_band():
    spec = SimpleNamespace(threshold=0.3, risk_bands={})

    assert "risk_band" not in answers(PREDICTIONS, spec)[0]
    assert "risk_band" not in answer_fields(spec)
    assert answer_shape(spec) != answer_shape(SPEC)


def test_the_log_and_the_batch_file_keep_the_decision():
    assert logged_decisions(PREDICTIONS) == ["ok", "review", "review"]
    columns = answer_columns(PREDICTIONS, SPEC)
    assert list(columns) == ["score", "decision"]
    assert "review" in describe_answers(pd.DataFrame(columns))
