"""The durable tables' registry: tables that are not rebuilt from the log (follower positions, command receipts, the
audit tree and heads, data keys). Each is declared once, beside the code that owns it, on :data:`DURABLE`; their
schema changes only through Alembic migrations (``infrastructure/migrations``, applied by ``zeren db upgrade`` and at
start). Read models are not here: they keep their version-and-rebuild rule (``projections.projection``)."""

from __future__ import annotations

from sqlalchemy import MetaData

DURABLE = MetaData()
