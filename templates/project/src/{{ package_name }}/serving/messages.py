"""The service's HTTP types, built from the served model's schema, and rows as frames.

What the model was trained on decides what the service accepts: the request type has the
columns of the model's schema (pipeline.json in its bundle), the target and what is known
only after it left out, so a missing field, a wrong type, a value outside the declared range,
an unknown category or an unknown extra field is answered with 400 and the reason. The answer
type has the fields the task gives an answer (`task/answers.py`), the row's id, the inputs
that moved the prediction most (`serving.top_factors`) and the model version.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, create_model

from ..config import ColumnSpec
from ..core.bundle import PipelineSpec
from ..core.schema import parse_datetimes, request_model
from ..task.answers import answer_fields
from .champion import CONFIG, SPEC

MAX_BATCH_ROWS = 1000
# The most bytes of JSON a request may have (413 beyond): room for one row of any schema here
# with every text at its longest (200 characters, each escaped as \uXXXX), and for a batch
# of MAX_BATCH_ROWS of them. A body is read in full before it is parsed: the limit bounds
# what one request can cost the worker.
MAX_ROW_BYTES = 16 * 1024
MAX_BATCH_BYTES = MAX_BATCH_ROWS * MAX_ROW_BYTES
TOP_FACTORS = CONFIG.serving.top_factors

Row = request_model("Row", SPEC.columns, exclude=(SPEC.target, *SPEC.known_after_outcome))
Row.__doc__ = (
    "One row, with the columns the model was trained on (the target, and what is known only "
    "after it, left out)."
)


class Batch(BaseModel):
    """Rows to score together; they are scored in time order."""

    model_config = ConfigDict(extra="forbid")
    rows: Annotated[list[Row], Field(min_length=1, max_length=MAX_BATCH_ROWS)]


class Factor(BaseModel):
    """One input and how far it moved this prediction (xgboost's own contribution)."""

    feature: str
    contribution: float


def _id_field() -> dict[str, Any]:
    """The row's id in the answer, typed as it was sent (nothing when the data has no id)."""
    if SPEC.id_column is None:
        return {}
    kind = {"int": int, "float": float}.get(SPEC.columns[SPEC.id_column].type, str)
    return {SPEC.id_column: (kind | None, None)}


def _factors_field() -> dict[str, Any]:
    """The inputs that moved the prediction most, when `serving.top_factors` asks for them."""
    if not TOP_FACTORS:
        return {}
    return {"factors": (list[Factor], Field(description="The inputs that moved it most"))}


Prediction = create_model(
    "Prediction",
    request_id=(str, Field(description="Identifies this prediction in the prediction log")),
    **_id_field(),
    **answer_fields(SPEC),
    **_factors_field(),
    model_version=(str, ...),
)


def _dtype_column(values: list[Any], spec: ColumnSpec) -> pd.Series:
    """One column typed as `schema.validate_frame` types a CSV column."""
    if spec.type == "datetime":
        return parse_datetimes(values)
    if spec.type == "int":
        return pd.Series(values, dtype="Int64")
    if spec.type == "float":
        return pd.Series(values, dtype="float64")
    return pd.Series(values, dtype="string")


def rows_frame(rows: list[dict[str, Any]], spec: PipelineSpec) -> pd.DataFrame:
    """Validated request rows (JSON values) as a DataFrame with the declared column types."""
    return pd.DataFrame(
        {
            name: _dtype_column([row.get(name) for row in rows], column)
            for name, column in spec.columns.items()
            if name != spec.target and name not in spec.known_after_outcome
        }
    )
