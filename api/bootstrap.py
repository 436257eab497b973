"""The composition root: the one place that wires adapters to the service layer and the read models."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from application import hazards, inspections, organisation, oversight, people, responsibility, tips
from application.clock import RandomIds, SystemClock
from application.policies import Worker
from application.ports import Clock, Ids
from application.service import Handler, Zeren
from domain.hazards import Hazard
from domain.people import Person
from domain.posts import Post
from domain.responsibility import ResponsibilityList
from domain.supervision import SupervisionCatalogue
from domain.units import Unit
from infrastructure.audit.service import Audit
from infrastructure.database import Database
from infrastructure.eventstore import EventStore, register_snapshotting
from infrastructure.settings import Settings
from infrastructure.vault import Vault
from projections.audit_trail import AuditTrail, AuditTrailQueries
from projections.coverage_gaps import CoverageGaps
from projections.deadlines import DeadlineQueries, Deadlines
from projections.directory import DirectoryProjection, DirectoryQueries
from projections.follower import Projection, Runner
from projections.hazard_ledger import HazardLedger, HazardQueries
from projections.hazard_statistics import HazardStatistics, StatisticsQueries
from projections.inspection_ledger import InspectionLedger, InspectionLedgerQueries
from projections.lookups import Lookups
from projections.one_plus_n import OnePlusNLedger
from projections.oversight import OversightFlags, OversightQueries
from projections.responsibility_ledger import LedgerQueries, ResponsibilityLedger
from projections.tips import TipLedger, TipQueries

HANDLERS: dict[type, Handler] = {**organisation.HANDLERS, **people.HANDLERS, **responsibility.HANDLERS,
                             **inspections.HANDLERS, **hazards.HANDLERS, **tips.HANDLERS,
                             **oversight.HANDLERS}

register_snapshotting(Unit, Post, Person, ResponsibilityList, SupervisionCatalogue, Hazard)


def projections() -> list[Projection]:
    return [DirectoryProjection(), ResponsibilityLedger(), AuditTrail(), InspectionLedger(), HazardLedger(),
            Deadlines(), HazardStatistics(), TipLedger(), OversightFlags()]


@dataclass
class System:
    """Everything one Zeren process uses."""

    settings: Settings
    db: Database
    store: EventStore
    vault: Vault
    app: Zeren
    runner: Runner
    directory: DirectoryQueries
    ledger: LedgerQueries
    gaps: CoverageGaps
    audit_trail: AuditTrailQueries
    inspections: InspectionLedgerQueries
    hazards: HazardQueries
    statistics: StatisticsQueries
    tips: TipQueries
    oversight: OversightQueries
    one_plus_n: OnePlusNLedger
    worker: Worker
    audit: Audit
    """The audit seal: sealer, signed heads, proofs, exports and the live check (infrastructure.audit)."""
    followers: list[Callable[[threading.Event], None]] = field(default_factory=list)
    """Followers besides the projections (sealer, policies …) that ``zeren serve`` runs in-process (embedded
    mode); each runs until the event is set. In production each runs as its own ``zeren`` process."""

    def close(self) -> None:
        self.store.close()
        self.db.close()


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None, ids: Ids | None = None) -> System:
    """Build a system on ``settings`` (default: from the environment); creates schemas on first start."""
    settings = settings or Settings()
    db = Database(settings)
    store = EventStore(settings)
    vault = Vault(db, settings.resolved_master_key)
    vault.create_schema()
    directory = DirectoryQueries(db)
    tip_queries = TipQueries(db, settings.projection_wait_seconds)
    runner = Runner(db, store, projections())
    runner.setup()
    inspection_queries = InspectionLedgerQueries(db)
    app = Zeren(store, clock or SystemClock(), ids or RandomIds(), vault, HANDLERS,
                Lookups(runner, directory, inspection_queries), tip_queries)
    app.listeners.append(runner.wake)
    oversight = OversightQueries(db)
    worker = Worker(app, app.clock, DeadlineQueries(db), oversight)
    audit = Audit(db, store, settings, app.clock)
    audit.setup()
    app.listeners.append(audit.sealer.wake)
    ledger, hazard_queries = LedgerQueries(db), HazardQueries(db)
    return System(
        settings=settings, db=db, store=store, vault=vault, app=app, runner=runner, directory=directory,
        ledger=ledger, gaps=CoverageGaps(db), audit_trail=AuditTrailQueries(db), inspections=inspection_queries,
        hazards=hazard_queries, statistics=StatisticsQueries(db), tips=tip_queries, oversight=oversight,
        one_plus_n=OnePlusNLedger(directory, ledger, hazard_queries, inspection_queries), worker=worker, audit=audit,
        followers=[lambda stop: worker.run(stop, settings.worker_poll_seconds), audit.sealer.run],
    )
