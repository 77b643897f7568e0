"""The prediction log as first released: predictions, and the labels that join them by id.

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite's 64-bit rowid is its INTEGER PRIMARY KEY; PostgreSQL's INTEGER stops at 2**31.
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Earlier versions made these tables "if not exists", one by one: a log made before
    # migrations may hold some of them already, and keeps them as they are.
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    if "predictions" not in tables:
        op.create_table(
            "predictions",
            sa.Column("id", ROW_ID, primary_key=True),
            sa.Column("request_id", sa.Text, nullable=False, unique=True),
            sa.Column("logged_at", sa.Text, nullable=False),
            sa.Column("entity_id", sa.Text),
            sa.Column("model_version", sa.Text, nullable=False),
            sa.Column("score", sa.Float, nullable=False),
            sa.Column("decision", sa.Text, nullable=False),
            sa.Column("inputs", sa.Text, nullable=False),
            sa.Column("payload", sa.Text, nullable=False),
        )
        indexes: set[str] = set()
    else:
        indexes = {index["name"] for index in inspector.get_indexes("predictions")}
    if "predictions_entity" not in indexes:
        op.create_index("predictions_entity", "predictions", ["entity_id"])
    if "predictions_version" not in indexes:
        op.create_index("predictions_version", "predictions", ["model_version"])
    if "labels" not in tables:
        op.create_table(
            "labels",
            sa.Column("entity_id", sa.Text, primary_key=True),
            sa.Column("label", sa.Float, nullable=False),
            sa.Column("labelled_at", sa.Text, nullable=False),
        )


def downgrade() -> None:
    raise NotImplementedError("the prediction log is migrated forward only: it keeps its rows")
