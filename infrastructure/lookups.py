"""What commands look up in the read models (``application.ports.Directory``), never from a read model that lags.

A lookup answers only once its read model has read the log up to the head as of the call: when it is behind, the
lookup brings that one projection up to the head itself (``Runner.catch_up``; each batch locks the projection's
tracking row, so this is safe beside a projector in another process, as in production) and then reads. So a
command never decides on a stale read (a post created a moment earlier is always found), and it does not depend
on the projector being up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain.random_draws import PreviousInspection
from infrastructure.following import Runner, positions
from projections.accountability import AccountabilityQueries, AccountabilityRecords
from projections.cases import CaseLedger, CaseQueries
from projections.directory import DirectoryProjection, DirectoryQueries
from projections.inspection_ledger import InspectionLedger, InspectionLedgerQueries


class Lookups:
    """The ``Directory`` port over the directory, the inspection ledger, the case ledger and the accountability
    records, each read at the head of the log."""

    def __init__(self, runner: Runner, directory: DirectoryQueries, inspections: InspectionLedgerQueries,
                 cases: CaseQueries, accountability: AccountabilityQueries):
        self.runner = runner
        self.directory = directory
        self.inspections = inspections
        self.cases = cases
        self.accountability = accountability

    def _at_head(self, projection: str) -> None:
        """Bring ``projection`` up to the head of the log unless it is there already."""
        if positions(self.runner.db, [projection]).get(projection, 0) < self.runner.log.head():
            self.runner.catch_up(projection)

    def posts_of(self, unit_id: UUID) -> list[UUID]:
        self._at_head(DirectoryProjection.name)
        return self.directory.posts_of(unit_id)

    def lists_of(self, unit_id: UUID) -> list[UUID]:
        self._at_head(DirectoryProjection.name)
        return self.directory.lists_of(unit_id)

    def unsupervised_enterprises(self, jurisdiction: str, sector: str) -> list[UUID]:
        self._at_head(DirectoryProjection.name)
        return self.directory.unsupervised_enterprises(jurisdiction, sector)

    def units_under(self, parent_id: UUID, kind: str) -> list[UUID]:
        self._at_head(DirectoryProjection.name)
        return self.directory.units_under(parent_id, kind)

    def supervised_units(self, department_id: UUID) -> list[UUID]:
        self._at_head(DirectoryProjection.name)
        return self.directory.supervised_units(department_id)

    def previous_inspections(self, target_ids: Sequence[UUID], before: datetime) -> list[PreviousInspection]:
        self._at_head(InspectionLedger.name)
        return self.inspections.previous_inspections(list(target_ids), before)

    def hazards_of(self, unit_id: UUID) -> list[UUID]:
        self._at_head(CaseLedger.name)
        return self.cases.hazards_of(unit_id)

    def cases_of(self, unit_id: UUID) -> list[UUID]:
        self._at_head(CaseLedger.name)
        return self.cases.cases_of(unit_id)

    def vetoes_naming(self, unit_id: UUID, year: int) -> list[UUID]:
        self._at_head(AccountabilityRecords.name)
        return self.accountability.vetoes_naming(unit_id, year)
