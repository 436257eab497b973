"""Alembic environment: migrations run on the connection ``infrastructure.migrate.upgrade`` passes in."""

from alembic import context

from infrastructure.migrate import durable_metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=durable_metadata(), render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
