"""Alembic migrations of the durable tables (see ``infrastructure.migrate``)."""
