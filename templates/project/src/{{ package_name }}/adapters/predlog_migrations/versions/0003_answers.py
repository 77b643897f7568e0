"""Idempotent ids: the answer returned, kept with its row (JSON), so that a repeated id gets
it again. Rows logged before have none.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = sa.inspect(op.get_bind()).get_columns("predictions")
    if "answer" not in {column["name"] for column in columns}:
        op.add_column("predictions", sa.Column("answer", sa.Text))


def downgrade() -> None:
    raise NotImplementedError("the prediction log is migrated forward only: it keeps its rows")
