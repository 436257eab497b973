"""The composition root: the one place that wires adapters to the service layer and the read models."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial

from application import (
    accidents,
    accountability,
    blacklist,
    cases,
    hazards,
    inspections,
    investigations,
    organisation,
    outsourcing,
    oversight,
    people,
    responsibility,
    tips,
)
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
from infrastructure.dossier_build import Dossiers
from infrastructure.eventstore import EventStore, register_snapshotting
from infrastructure.following import Runner, wait_for
from infrastructure.kept_names import KeptNames
from infrastructure.lookups import Lookups
from infrastructure.migrate import upgrade
from infrastructure.notifications import Notifications
from infrastructure.rebuild_process import SecondProcess
from infrastructure.settings import Settings
from infrastructure.vault import Vault
from projections.accident_checks import AccidentCheckQueries, AccidentChecks
from projections.accident_ledger import AccidentLedger, AccidentQueries
from projections.accountability import AccountabilityQueries, AccountabilityRecords
from projections.audit_trail import AuditTrail, AuditTrailQueries
from projections.blacklist import Blacklist, BlacklistQueries
from projections.cases import CaseLedger, CaseQueries
from projections.coverage_gaps import CoverageGaps
from projections.deadlines import DeadlineQueries, HazardDeadlines
from projections.directory import DirectoryProjection, DirectoryQueries
from projections.dossier_index import DossierIndex, DossierIndexQueries
from projections.enforcement_plans import EnforcementPlanLedger, PlanQueries
from projections.hazard_ledger import HazardLedger, HazardQueries
from projections.hazard_statistics import HazardStatistics, StatisticsQueries
from projections.inspection_ledger import InspectionLedger, InspectionLedgerQueries
from projections.one_plus_n import OnePlusNLedger
from projections.orders import OrderQueries, Orders
from projections.outsourcing import OutsourcingLedger, OutsourcingQueries
from projections.oversight import OversightFlags, OversightQueries
from projections.projection import Projection
from projections.random_draws import DrawQueries, RandomDrawLedger
from projections.responsibility_ledger import LedgerQueries, ResponsibilityLedger
from projections.tips import TipLedger, TipQueries

HANDLERS: dict[type, Handler] = {**organisation.HANDLERS, **people.HANDLERS, **responsibility.HANDLERS,
                             **inspections.HANDLERS, **hazards.HANDLERS, **tips.HANDLERS,
                             **oversight.HANDLERS, **accidents.HANDLERS, **investigations.HANDLERS,
                             **cases.HANDLERS, **accountability.HANDLERS,
                             **blacklist.HANDLERS, **outsourcing.HANDLERS}

SNAPSHOTTED = (Unit, Post, Person, ResponsibilityList, SupervisionCatalogue, Hazard)
"""Long-lived aggregates, snapshotted every ``infrastructure.eventstore.SNAPSHOT_INTERVAL`` events."""


def projections() -> list[Projection]:
    return [DirectoryProjection(), ResponsibilityLedger(), AuditTrail(), InspectionLedger(), RandomDrawLedger(),
            EnforcementPlanLedger(), HazardLedger(), HazardDeadlines(), HazardStatistics(), TipLedger(),
            OversightFlags(), AccidentChecks(), CaseLedger(), AccountabilityRecords(), DossierIndex(),
            Orders(), Blacklist(), AccidentLedger(), OutsourcingLedger()]


class Queries:
    """The read side's questions, one object per read model, each made when first asked for: a new read model is
    one property here (and its projection in ``projections()``)."""

    def __init__(self, db: Database, settings: Settings):
        self.db = db
        self.settings = settings

    @cached_property
    def directory(self) -> DirectoryQueries:
        return KeptNames(self.db)

    @cached_property
    def ledger(self) -> LedgerQueries:
        return LedgerQueries(self.db, self.directory)

    @cached_property
    def gaps(self) -> CoverageGaps:
        return CoverageGaps(self.directory, self.ledger)

    @cached_property
    def audit_trail(self) -> AuditTrailQueries:
        return AuditTrailQueries(self.db)

    @cached_property
    def inspections(self) -> InspectionLedgerQueries:
        return InspectionLedgerQueries(self.db, self.directory)

    @cached_property
    def draws(self) -> DrawQueries:
        return DrawQueries(self.db, self.directory)

    @cached_property
    def plans(self) -> PlanQueries:
        return PlanQueries(self.db, self.directory, self.inspections)

    @cached_property
    def hazards(self) -> HazardQueries:
        return HazardQueries(self.db, self.directory)

    @cached_property
    def blacklist(self) -> BlacklistQueries:
        return BlacklistQueries(self.db, self.directory)

    @cached_property
    def outsourcing(self) -> OutsourcingQueries:
        return OutsourcingQueries(self.db, self.directory)

    @cached_property
    def orders(self) -> OrderQueries:
        return OrderQueries(self.db, self.directory)

    @cached_property
    def statistics(self) -> StatisticsQueries:
        return StatisticsQueries(self.db, self.directory, self.hazards)

    @cached_property
    def tips(self) -> TipQueries:
        return TipQueries(self.db, self.directory, partial(wait_for, self.db), self.settings.projection_wait_seconds)

    @cached_property
    def oversight(self) -> OversightQueries:
        return OversightQueries(self.db, self.directory, self.inspections, self.ledger, self.cases, self.orders)

    @cached_property
    def accountability(self) -> AccountabilityQueries:
        return AccountabilityQueries(self.db, self.directory)

    @cached_property
    def deadlines(self) -> DeadlineQueries:
        return DeadlineQueries(self.db)

    @cached_property
    def accidents(self) -> AccidentQueries:
        return AccidentQueries(self.db, self.directory)

    @cached_property
    def accident_checks(self) -> AccidentCheckQueries:
        return AccidentCheckQueries(self.db)

    @cached_property
    def cases(self) -> CaseQueries:
        return CaseQueries(self.db)

    @cached_property
    def dossier_index(self) -> DossierIndexQueries:
        return DossierIndexQueries(self.db)

    @cached_property
    def one_plus_n(self) -> OnePlusNLedger:
        return OnePlusNLedger(self.directory, self.ledger, self.hazards, self.inspections, self.orders, self.blacklist,
                              self.accountability)


@dataclass
class System:
    """Everything one Zeren process uses."""

    settings: Settings
    db: Database
    store: EventStore
    vault: Vault
    service: Zeren
    """The command path: every change of state goes through ``service.execute``."""
    runner: Runner
    queries: Queries
    worker: Worker
    audit: Audit
    """The audit seal: sealer, signed heads, proofs, exports and the live check (infrastructure.audit)."""
    followers: list[Callable[[threading.Event], None]] = field(default_factory=list)
    """Followers besides the projections (sealer, policies …) that ``zeren serve`` runs in-process (embedded
    mode); each runs until the event is set. In production each runs as its own ``zeren`` process."""

    @cached_property
    def dossiers(self) -> Dossiers:
        """一案四查 dossiers, from the sealed log through the dossier index (infrastructure.dossier_build), which is
        brought up to the head of the log before each build."""
        return Dossiers(self.audit, self.queries.dossier_index, partial(self.runner.catch_up, DossierIndex.name))

    def close(self) -> None:
        self.store.close()
        self.db.close()


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None, ids: Ids | None = None) -> System:
    """Build a system on ``settings`` (default: from the environment); creates schemas on first start."""
    settings = settings or Settings()
    register_snapshotting(*SNAPSHOTTED)
    db = Database(settings)
    upgrade(db)  # the durable tables first: the event store writes receipts from its first command
    store = EventStore(settings)
    vault = Vault(db, settings.resolved_master_key)
    queries = Queries(db, settings)
    notifications = Notifications(db.conninfo, store.recorder.channel_name) if settings.is_postgres else None
    runner = Runner(db, store, projections(), notifications=notifications,
                    elsewhere=SecondProcess(settings) if settings.is_postgres else None)
    runner.setup()
    service = Zeren(store, clock or SystemClock(), ids or RandomIds(), vault, HANDLERS,
                    Lookups(runner, queries.directory, queries.inspections, queries.cases,
                            queries.accountability), queries.tips)
    service.listeners.append(runner.wake)
    worker = Worker(service, service.clock, queries.deadlines, queries.oversight, queries.accident_checks,
                    queries.cases, queries.accountability, queries.accountability,
                    queries.blacklist)
    audit = Audit(db, store, settings, service.clock)
    audit.setup()
    service.listeners.append(audit.sealer.wake)
    return System(
        settings=settings, db=db, store=store, vault=vault, service=service, runner=runner, queries=queries,
        worker=worker, audit=audit,
        followers=[lambda stop: worker.run(stop, settings.worker_poll_seconds, runner.health), audit.sealer.run],
    )
