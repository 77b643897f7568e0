"""The closed loop: the challenger's shadow answers, and each outcome's own columns.

`shadow` keeps the challenger's answer to each request beside the champion's;
`labels.outcome` keeps the outcome's columns as they arrived (JSON: the target, and what is
known only after it), so that retraining can rebuild complete rows. Labels recorded before
have none.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Earlier versions added both on first open, one statement each: a log made before
    # migrations may have one of them already.
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("shadow"):
        op.create_table(
            "shadow",
            sa.Column("request_id", sa.Text, primary_key=True),
            sa.Column("model_version", sa.Text, nullable=False),
            sa.Column("score", sa.Float, nullable=False),
            sa.Column("decision", sa.Text, nullable=False),
        )
    if "outcome" not in {column["name"] for column in inspector.get_columns("labels")}:
        op.add_column("labels", sa.Column("outcome", sa.Text))


def downgrade() -> None:
    raise NotImplementedError("the prediction log is migrated forward only: it keeps its rows")
