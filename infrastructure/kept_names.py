"""The units' names beside a read model's rows, kept while the directory's read model stands still (issue #15).

A read model shows a unit's name and colour by asking the directory's query object (it reads only its own tables:
docs/DEVELOPING.md, "Read models"), so every hazard ledger page made a second statement for them: ~0.45 ms of the
page's ~2.1 ms of CPU (docs/performance.md, "Ninth round, the ledger page's CPU"). The directory's tables change
only in a transaction that also moves its ``follower_tracking`` row — a round advances its position, a rebuild's
swap starts the row anew, each with a new ``updated_at`` — so names read after that row, and kept until the row
differs, are never older than the row says. One statement on the row, the names' own only for units not kept yet.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, select

from infrastructure.database import Database
from infrastructure.following import TRACKING
from projections.directory import DirectoryProjection, DirectoryQueries

_STANDS = select(TRACKING.c.position, TRACKING.c.version, TRACKING.c.updated_at).where(
    TRACKING.c.name == DirectoryProjection.name)


class KeptNames(DirectoryQueries):
    """The directory's queries, with :meth:`unit_names` kept per state of the directory's tracking row."""

    def __init__(self, db: Database):
        super().__init__(db)
        self._kept: tuple[Row[Any, Any, Any] | None, dict[str, dict[str, Any]]] = (None, {})

    def unit_names(self, unit_ids: Collection[UUID | str | None], *,
                   within: Connection | None = None) -> dict[str, dict[str, Any]]:
        wanted = {str(i) for i in unit_ids if i is not None}
        if not wanted:
            return {}
        with self.db.read(within) as conn:
            stands = conn.execute(_STANDS).one_or_none()
            row, kept = self._kept
            if stands is None or stands != row:
                kept = {}
            missing = wanted - kept.keys()
            if missing:
                kept = {**kept, **super().unit_names(missing, within=conn)}
                self._kept = stands, kept
        return {unit: kept[unit] for unit in wanted if unit in kept}
