"""Alembic's entry point for the prediction log's revisions (versions/).

Not run with the `alembic` command: adapters/predlog.py (`_migrate`) runs alembic's
`command.stamp` and `command.upgrade` with a connection already inside its transaction,
passed in `config.attributes["connection"]`; the revisions run on it, and commit with it.
"""

from alembic import context

context.configure(connection=context.config.attributes["connection"])
with context.begin_transaction():
    context.run_migrations()
