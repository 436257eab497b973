"""A deterministic province-like history of any size, written through the real application layer (issue #15).

    zeren bench generate --events N --seed S [--bulk]

福建省 → its 市 → 区/县 (the published GB/T 2260 codes, ``domain/divisions.tsv``) → 镇/街道 → 村/社区 (12-digit codes
under their county), two departments per county (城市管理局: 城镇燃气, 餐饮用气; 应急管理局: 危险化学品, 工贸) with
their inspectors, sector leads, about one enterprise per 100 events with its main responsible person in post, the
county's duty list revised every year, then month after month: enforcement inspections (two inspectors, a
checklist, findings, both sign), the hazards they find (most fixed on the spot or rectified and struck off, some
left past their deadline for the policy worker to mark overdue), and tips (received, verified, answered).

Every command goes through ``Zeren.execute`` (authorisation, references, decisions, the unit of work), so every
invariant of the slow path holds. The **bulk path** (``--bulk``) runs the very same commands with the same clock
and ids; only where their events go and where the reads outside the unit of work are answered differ. The slow path
saves each command in its own transaction and, at each month's end, brings every read model of the store to the
head for the policy worker. The bulk path keeps the events of many commands — the worker's idempotent ones with
their receipts — in :class:`BufferedLog` and appends them ``batch`` at a time in one transaction (one ``COPY`` on
PostgreSQL), months at once; the command path's lookups, the tip register and the worker read the read models they
need from :class:`PolicyReadSide`, the same projections run in this process on the generator's own events and
brought to the head before each read. So both paths store exactly the same events and receipts
(``tests/test_bench.py`` compares them), and no command or policy reads a read model behind the log.
"""

from __future__ import annotations

import bisect
import random
import tempfile
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from api.bootstrap import HANDLERS, Queries, System
from api.demo.identifiers import credit_code, resident_id
from api.demo.scene import Demo
from application import hazards as h
from application import inspections as ai
from application import organisation as o
from application import people as pp
from application import responsibility as rs
from application import tips as tp
from application.authorization import Principal
from application.clock import ManualClock, SeededIds
from application.policies import Worker
from application.ports import Directory, EventLog, LogEntry, Receipt, StoredReceipt, TipRegister
from application.service import Zeren
from domain import hazards as hz
from domain import tips as t
from domain.calendar import CST
from domain.divisions import table
from domain.inspections import ChecklistItem, InspectionKind
from domain.posts import PostDefinition, PostKind
from domain.responsibility import DutyTerms, Line, ListKind
from domain.supervision import LeadCandidate
from domain.units import DepartmentProfile, EnterpriseProfile, Level, RiskColour, TerritorialProfile
from infrastructure.database import Database
from infrastructure.eventstore import EventStore
from infrastructure.following import Runner
from infrastructure.lookups import Lookups
from infrastructure.migrate import upgrade
from infrastructure.settings import Settings
from projections.accident_checks import AccidentChecks
from projections.accountability import AccountabilityRecords
from projections.cases import CaseLedger
from projections.deadlines import HazardDeadlines
from projections.directory import DirectoryProjection
from projections.inspection_ledger import InspectionLedger
from projections.orders import Orders
from projections.oversight import OversightFlags
from projections.responsibility_ledger import ResponsibilityLedger
from projections.tips import TipLedger

START = datetime(2016, 1, 4, 9, 0, tzinfo=CST)
PROVINCE = "350000"
EVENTS_PER_ENTERPRISE = 100
ENTERPRISES_PER_COUNTY = 120
TOWNS, VILLAGES = 3, 3
DEPARTMENTS = {"chengguan": ("城市管理局", ("城镇燃气", "餐饮用气")), "yingji": ("应急管理局", ("危险化学品", "工贸"))}
SECTOR_DEPARTMENT = {s: d for d, (_, sectors) in DEPARTMENTS.items() for s in sectors}
LAW = "安全生产法"
CHECKLIST = (ChecklistItem(code="C1", text="主要负责人和安全管理人员考核合格", basis=f"{LAW} 第27条"),
             ChecklistItem(code="C2", text="事故隐患排查治理制度落实、隐患台账完整", basis=f"{LAW} 第41条"),
             ChecklistItem(code="C3", text="生产安全事故应急救援预案及演练", basis=f"{LAW} 第81条"))
FINDINGS = ("可燃气体报警探头失效", "疏散通道堆放杂物", "有限空间作业未审批", "临时用电线路私拉乱接", "应急预案未修订")
SURNAMES = "陈林黄郑王刘庄蔡吴许李何张杨苏洪柯连骆潘"
GIVEN = "建志秀国丽文海振淑永晓雪德玉俊美家春伟桂"


class BufferedLog:
    """The store seen by the bulk path: the events of many commands — the policy worker's idempotent ones with
    their receipts — are kept and written in one transaction of the store (``EventStore.append``: one ``COPY`` on
    PostgreSQL) every ``batch`` events, whatever the months they span.

    Reads see the pending states first, then the store's cached state (one writer: the generator, so the cache is
    the store), so each command decides on exactly the state the slow path would show it. What is read from outside
    the unit of work — the command path's lookups, the tip register, the policy worker's read models — is read from
    :class:`PolicyReadSide`, projected in this process from :attr:`tail`, never from a lagging read model.
    Positions are counted on from the store's head."""

    def __init__(self, store: EventStore, batch: int):
        self.store, self.batch = store, batch
        self.states: dict[UUID, Any] = {}
        self.events: list[Any] = []
        self.stored: list[StoredEvent] = []
        """The pending events as stored, each encoded once when saved (for the append and the tail alike)."""
        self.receipts: dict[tuple[str, str], tuple[Receipt, int]] = {}
        """Pending receipts by (scope, key), each with the index in :attr:`events` of its command's last event."""
        self.history_of: dict[UUID, list[Any]] = {}
        self.position = store.head()
        """The position of the last event saved (pending or written)."""
        self.tail: list[LogEntry] = []
        """The entries not yet projected by :class:`PolicyReadSide`, written or not."""
        self.written, self.seconds = 0, 0.0
        """Events written and the time spent writing them (the bulk append rate, ``bench.suite``)."""

    def writing(self) -> AbstractContextManager[Any]:
        return nullcontext()

    def get(self, aggregate_id: UUID, version: int | None = None) -> Any | None:
        state = self.states.get(aggregate_id)
        if state is not None and (version is None or version == state.version):
            return state
        if version is None:
            return self.store.recent(aggregate_id)  # the saved states are cached; nobody else writes
        if state is not None:
            self.flush()
        return self.store.get(aggregate_id, version)

    def recent(self, aggregate_id: UUID) -> Any | None:
        return self.get(aggregate_id)

    def history(self, aggregate_id: UUID) -> list[Any]:
        return [*self.store.history(aggregate_id), *self.history_of.get(aggregate_id, [])]

    def save(self, states: Sequence[Any], events: Sequence[Any], receipt: Receipt | None,
             read: Mapping[UUID, int] | None = None) -> int:
        for state in states:
            self.states[state.id] = state
        for event in events:
            self.history_of.setdefault(event.originator_id, []).append(event)
            self.position += 1
            stored = self.store.encode(event)
            self.stored.append(stored)
            self.tail.append(LogEntry(self.position, event, stored.topic, stored.state))
        self.events.extend(events)
        if receipt is not None:
            self.receipts[(receipt.scope, receipt.key)] = (receipt, len(self.events) - 1)
        position = self.position
        if len(self.events) >= self.batch:
            self.flush()
        return position

    def flush(self) -> None:
        if self.events:
            started = time.perf_counter()
            with self.store.writing():  # SQLite: in turn with the service's own commands
                self.position = self.store.append(list(self.states.values()), self.events, self.stored,
                                                  list(self.receipts.values()))
            self.seconds += time.perf_counter() - started
            self.written += len(self.events)
        self.states, self.events, self.stored, self.history_of, self.receipts = {}, [], [], {}, {}

    def read(self, after: int, limit: int) -> list[LogEntry]:
        """The entries after ``after``: from :attr:`tail`, the older ones from the store."""
        older: list[LogEntry] = []
        first = self.tail[0].position if self.tail else self.position + 1
        if after + 1 < first:
            self.flush()
            older = self.store.read(after, min(limit, first - 1 - after))
        start = bisect.bisect_right(self.tail, after, key=lambda e: e.position)
        return [*older, *self.tail[start:start + limit - len(older)]]

    def head(self) -> int:
        return self.position

    def find_receipt(self, scope: str, key: str) -> StoredReceipt | None:
        pending = self.receipts.get((scope, key))
        if pending is None:
            return self.store.find_receipt(scope, key)
        receipt, last = pending
        return StoredReceipt(receipt.fingerprint, receipt.response, self.position - len(self.events) + 1 + last)


POLICY_READ_MODELS = (DirectoryProjection, ResponsibilityLedger, InspectionLedger, HazardDeadlines, TipLedger,
                      OversightFlags, AccidentChecks, CaseLedger, AccountabilityRecords, Orders)
"""The read models the command path's lookups (``infrastructure.lookups``), the tip register and the policy worker
read."""


class PolicyReadSide:
    """The bulk path's read side: the read models of :data:`POLICY_READ_MODELS` in a scratch SQLite database of this
    process, projected by the same projections from the generator's own events (:attr:`BufferedLog.tail`) before
    each read — so the lookups and the worker read exactly what the slow path reads from the store's read models
    brought to the head, without waiting for the events to be written. The store's own read models are not
    brought up meanwhile (``zeren bench generate`` catches them up at the end)."""

    def __init__(self, buffer: BufferedLog):
        self.buffer = buffer
        self.scratch = tempfile.TemporaryDirectory(prefix="zeren-policies-")
        # Explicitly SQLite: the ZEREN_* environment names the store, never the scratch read side.
        settings = Settings(database_url=None, sqlite_path=Path(self.scratch.name) / "read.db",
                            data_dir=Path(self.scratch.name))
        self.db = Database(settings)
        upgrade(self.db)
        self.runner = Runner(self.db, buffer, [projection() for projection in POLICY_READ_MODELS])
        self.runner.setup()
        self.queries = Queries(self.db, settings)
        self.lookups = Lookups(self.runner, self.queries.directory, self.queries.inspections, self.queries.cases,
                               self.queries.accountability)

    def catch_up(self) -> None:
        """Every read model to the head; the tail they have all projected is dropped."""
        self.runner.catch_up()
        self.buffer.tail = []

    def close(self) -> None:
        self.db.close()
        self.scratch.cleanup()


@dataclass
class County:
    code: str
    path: str
    id: UUID
    registrar: Principal
    villages: list[UUID] = field(default_factory=list)
    departments: dict[str, UUID] = field(default_factory=dict)
    inspectors: dict[str, list[UUID]] = field(default_factory=dict)
    enterprises: list[tuple[UUID, str, UUID]] = field(default_factory=list)
    """(enterprise, sector, its main responsible person)"""
    duty_list: UUID | None = None
    duties: list[tuple[UUID, UUID]] = field(default_factory=list)
    """(duty, post)"""


class Generator:
    """Plays the history until at least ``events`` events are stored."""

    def __init__(self, system: System, events: int, seed: int, *, bulk: bool = False, batch: int = 2000):
        self.system, self.target, self.seed = system, events, seed
        self.random = random.Random(seed)
        self.clock = ManualClock(START)
        self.log: EventLog = system.store
        directory: Directory = system.service.directory
        tips: TipRegister | None = system.service.tips
        deadlines, oversight, accidents = system.queries.deadlines, system.queries.oversight, \
            system.queries.accident_checks
        cases, accountability = system.queries.cases, system.queries.accountability
        self.buffer: BufferedLog | None = None
        self.policies: PolicyReadSide | None = None
        if bulk:
            self.buffer = BufferedLog(system.store, batch)
            self.log = self.buffer
            self.policies = PolicyReadSide(self.buffer)
            read = self.policies.queries
            directory, tips = self.policies.lookups, read.tips
            deadlines, oversight, accidents = read.deadlines, read.oversight, read.accident_checks
            cases, accountability = read.cases, read.accountability
        self.service = Zeren(self.log, self.clock, SeededIds(seed), system.vault, HANDLERS, directory, tips)
        self.worker = Worker(self.service, self.clock, deadlines, oversight, accidents, cases, accountability,
                             accountability)
        self.demo = Demo(self.service, self.clock)
        self.counties: list[County] = []
        self.people = 0
        self.credit = 0
        self.admin = Principal("bench:admin", "admin", PROVINCE)

    # --- the run -----------------------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        enterprises = max(4, self.target // EVENTS_PER_ENTERPRISE)
        self._territory((enterprises + ENTERPRISES_PER_COUNTY - 1) // ENTERPRISES_PER_COUNTY)
        for n in range(enterprises):
            self._enterprise(self.counties[n % len(self.counties)], n)
        month = START.replace(day=1) + timedelta(days=40)
        while self.log.head() < self.target:
            month = self._month(month.replace(day=1))
        self.demo.run_agenda()
        self._tick(self.clock.now())
        if self.buffer is not None:
            self.buffer.flush()
        return {"commands": self.demo.commands, "events": self.system.store.head(), "counties": len(self.counties),
                "enterprises": enterprises, "until": self.clock.now().date().isoformat()}

    def close(self) -> None:
        """Drop the bulk path's scratch read side (its files are removed when the generator is collected anyway)."""
        if self.policies is not None:
            self.policies.close()

    def do(self, who: Principal, command: Any, when: datetime, lag: timedelta = timedelta(minutes=30)) -> UUID:
        return self.demo.do(who, command, when=when, lag=lag)

    # --- founding ------------------------------------------------------------------------------------------------
    def _territory(self, counties: int) -> None:
        when = START
        codes = table()
        province = self.do(self.admin, o.RegisterUnit(profile=TerritorialProfile(
            name=codes[PROVINCE], level=Level.province, code=PROVINCE)), when)
        city_ids: dict[str, UUID] = {}
        under = [c for c in codes if c.startswith("35") and not c.endswith("00")]
        for n in range(counties):
            code = under[n % len(under)]
            city = code[:4] + "00"
            if city not in city_ids:
                city_ids[city] = self.do(self.admin, o.RegisterUnit(profile=TerritorialProfile(
                    name=codes[city], level=Level.city, code=city), parent_id=province), when)
            if n >= len(under):
                break  # 福建省 has this many counties; more enterprises per county beyond
            path = f"{PROVINCE}/{city}/{code}"
            county_id = self.do(self.admin, o.RegisterUnit(profile=TerritorialProfile(
                name=codes[code], level=Level.county, code=code), parent_id=city_ids[city]), when)
            county = County(code, path, county_id, Principal(f"bench:registrar@{code}", "registrar", path))
            self._county(county, when)
            self.counties.append(county)

    def _county(self, c: County, when: datetime) -> None:
        for town in range(1, TOWNS + 1):
            town_code = f"{c.code}{town:03d}000"
            town_id = self.do(c.registrar, o.RegisterUnit(profile=TerritorialProfile(
                name=f"第{town}街道", level=Level.town, code=town_code), parent_id=c.id), when)
            for village in range(1, VILLAGES + 1):
                code = f"{c.code}{town:03d}{200 + village}"
                c.villages.append(self.do(c.registrar, o.RegisterUnit(profile=TerritorialProfile(
                    name=f"第{town}街道第{village}社区", level=Level.village, code=code), parent_id=town_id), when))
        for key, (name, sectors) in DEPARTMENTS.items():
            department = self.do(c.registrar, o.RegisterUnit(profile=DepartmentProfile(
                name=name, functions=sectors), parent_id=c.id), when)
            c.departments[key] = department
            for sector in sectors:
                self.do(c.registrar, o.DecideSectorLead(
                    territory_id=c.id, sector=sector, candidates=[LeadCandidate(department_id=department,
                                                                                competent=True)],
                    basis="部门安全生产职责分工"), when)
            post = self.do(c.registrar, rs.EstablishPost(unit_id=department, definition=PostDefinition(
                title=f"{name}执法队员", kind=PostKind.position)), when)
            c.inspectors[key] = []
            for _ in range(3):
                person = self._person(c, when)
                self.do(c.registrar, rs.AppointHolder(post_id=post, person_id=person, document="任职文件"), when)
                c.inspectors[key].append(person)
        c.duty_list = self.do(c.registrar, rs.OpenResponsibilityList(
            unit_id=c.id, kind=ListKind.duty_list, title="党政领导干部安全生产责任清单"), when)
        for title, kind in (("书记", PostKind.party_secretary), ("县(区)长", PostKind.government_head)):
            post = self.do(c.registrar, rs.EstablishPost(unit_id=c.id, definition=PostDefinition(
                title=title, kind=kind)), when)
            self.do(c.registrar, rs.AppointHolder(post_id=post, person_id=self._person(c, when),
                                                  document="任职文件"), when)
            terms = DutyTerms(post_id=post, line=Line.territorial, text="对本地区安全生产工作负全面领导责任",
                              source_document="实施细则")
            result = self.service.execute(rs.AssignDuty(list_id=c.duty_list, terms=terms, effective_at=when),
                                          c.registrar)
            self.demo.commands += 1
            c.duties.append((result.created["duty_id"], post))
        self.do(c.registrar, rs.PublishList(list_id=c.duty_list, document_no=f"{c.code}〔{when.year}〕1号"), when)

    def _person(self, c: County, when: datetime) -> UUID:
        self.people += 1
        n = self.people
        born = date(1960, 1, 1) + timedelta(days=n % 14_000)
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)] + GIVEN[(n // len(GIVEN)) % len(GIVEN)]
        return self.do(c.registrar, pp.RegisterPerson(name=name, id_number=resident_id(born, n // 14_000 % 1000),
                                                      jurisdiction=c.path), when)

    def _enterprise(self, c: County, n: int) -> None:
        when = START + timedelta(days=1 + n // 200, minutes=n % 200)
        sector = list(SECTOR_DEPARTMENT)[n % len(SECTOR_DEPARTMENT)]
        self.credit += 1
        village = (n // len(self.counties)) % (TOWNS * VILLAGES)
        parent = c.villages[village]
        unit = self.do(c.registrar, o.RegisterUnit(profile=EnterpriseProfile(
            name=f"企业{n:06d}有限公司", credit_code=credit_code(self.credit), sector=sector, address=f"{n}号",
            legal_representative="法定代表人", staff_count=5 + n % 200), parent_id=parent), when)
        self.do(c.registrar, o.GradeRiskColour(unit_id=unit, colour=list(RiskColour)[n % 4], reason="年度风险分级评定"),
                when)
        post = self.do(c.registrar, rs.EstablishPost(unit_id=unit, definition=PostDefinition(
            title="总经理", kind=PostKind.main_responsible)), when)
        person = self._person(c, when)
        self.do(c.registrar, rs.AppointHolder(post_id=post, person_id=person, document="任职文件"), when)
        c.enterprises.append((unit, sector, person))

    # --- the months ----------------------------------------------------------------------------------------------
    def _month(self, first: datetime) -> datetime:
        """One month: the inspections of about a third of the enterprises, the tips, the worker's pass; each
        January the duty lists are revised."""
        if first.month == 1:
            for c in self.counties:
                self._revise(c, first + timedelta(days=5))
        for ci, c in enumerate(self.counties):
            for ei, enterprise in enumerate(c.enterprises):
                if (ei + first.month) % 3:
                    continue
                day = first + timedelta(days=(ei + ci) % 25, hours=(ei % 6))
                self.demo.later(day, partial(self._inspect, c, enterprise, day))
            tip_day = first + timedelta(days=ci % 25, hours=8)
            self.demo.later(tip_day, partial(self._tip, c, tip_day))
        end = first + timedelta(days=32)
        self.demo.run_agenda(end.replace(day=1))
        self._tick(end.replace(day=1, hour=7))
        return end

    def _tick(self, when: datetime) -> None:
        """The policy worker's pass on read models brought to the head (overdue marks, 零执法 flags)."""
        self.clock.set(max(self.clock.now(), when))
        if self.policies is not None:
            self.policies.catch_up()
        else:
            self.system.runner.catch_up()
        self.worker.tick()

    def _revise(self, c: County, when: datetime) -> None:
        assert c.duty_list is not None
        for duty, post in c.duties:
            self.do(c.registrar, rs.ReviseDuty(list_id=c.duty_list, duty_id=duty, terms=DutyTerms(
                post_id=post, line=Line.territorial, text=f"对本地区安全生产工作负全面领导责任({when.year}年修订)",
                source_document="实施细则")), when)
        self.do(c.registrar, rs.PublishList(list_id=c.duty_list, document_no=f"{c.code}〔{when.year}〕1号"), when)

    def _inspect(self, c: County, enterprise: tuple[UUID, str, UUID], when: datetime) -> None:
        unit, sector, _ = enterprise
        department = SECTOR_DEPARTMENT[sector]
        team = self.random.sample(c.inspectors[department], 2)
        inspector = Principal(f"bench:inspector@{c.code}", "inspector", c.path, unit_id=c.departments[department],
                              person_id=team[0])
        inspection = self.do(inspector, ai.OpenInspection(
            kind=InspectionKind.enforcement, title=f"{sector}安全生产执法检查", target_unit_id=unit,
            inspecting_unit_id=c.departments[department], inspectors=team, checklist=list(CHECKLIST)), when)
        self.do(inspector, ai.CoverChecklistItems(inspection_id=inspection, item_codes=[i.code for i in CHECKLIST]),
                when + timedelta(minutes=30))
        found = self.random.random() < 0.6
        if found:
            self.do(inspector, ai.RecordFinding(inspection_id=inspection, item_code="C2", hazard_suspected=True,
                                                description=self.random.choice(FINDINGS)), when + timedelta(minutes=50))
        for n, person in enumerate(team):
            signer = Principal(f"bench:inspector@{c.code}:{n}", "inspector", c.path,
                               unit_id=c.departments[department], person_id=person)
            self.do(signer, ai.SignInspection(inspection_id=inspection), when + timedelta(hours=2, minutes=n))
        done = when + timedelta(hours=3)
        summary = "责令限期整改" if found else "未发现问题"
        self.do(inspector, ai.CompleteInspection(inspection_id=inspection, summary=summary,
                                                 target_acknowledged_by="企业负责人"), done)
        if found:
            self._hazard(c, inspector, enterprise, inspection, done + timedelta(hours=1))

    def _hazard(self, c: County, inspector: Principal, enterprise: tuple[UUID, str, UUID], inspection: UUID,
                when: datetime) -> None:
        unit, _, main = enterprise
        hazard = self.do(inspector, h.ReportHazard(
            unit_id=unit, grade=hz.HazardGrade.general, description="检查发现的一般事故隐患",
            source=hz.HazardSource.inspection, inspection_id=inspection, finding_no=1), when)
        fate = self.random.random()
        if fate < 0.3:
            self.do(inspector, h.RectifyOnTheSpot(hazard_id=hazard, measures="当场责令整改并复核到位"),
                    when + timedelta(minutes=30))
            return
        owner = Principal(f"bench:enterprise:{unit}", "enterprise", c.path, unit_id=unit, person_id=main)
        planned = when + timedelta(days=1)
        deadline = planned.date() + timedelta(days=20)
        self.demo.later(planned, lambda: self.do(inspector, h.OrderRectification(  # 安全生产法 第65条: the authority's
            hazard_id=hazard, mode=hz.RectificationMode.deadline, deadline=deadline,
            requirements="整改到位并建立日常检查记录"), planned))
        if fate > 0.92:
            return  # left past its deadline: the worker marks it overdue
        submitted = planned + timedelta(days=15)
        self.demo.later(submitted, lambda: self.do(owner, h.SubmitRectification(
            hazard_id=hazard, report="已按整改方案完成整改", evidence=("整改后照片",)), submitted))
        accepted = submitted + timedelta(days=2)

        def accept() -> None:
            self.do(inspector, h.InspectAcceptance(hazard_id=hazard, passed=True, findings="现场验收: 整改到位"),
                    accepted)
            self.do(inspector, h.CloseOutHazard(hazard_id=hazard), accepted + timedelta(hours=1))

        self.demo.later(accepted, accept)

    def _tip(self, c: County, when: datetime) -> None:
        if not c.enterprises:
            return
        unit, sector, _ = self.random.choice(c.enterprises)
        officer = Principal(f"bench:tip_officer@{c.code}", "tip_officer", c.path)
        tip = self.do(officer, tp.ReceiveTip(
            channel=t.Channel.hotline_12345, receiving_unit_id=c.departments[SECTOR_DEPARTMENT[sector]],
            subject=t.UnitSubject(unit_id=unit, description="群众反映存在安全隐患"), summary="群众反映企业存在安全隐患",
            original_text="我家附近这家企业经常违规作业, 很危险"), when)
        verified = when + timedelta(days=5)
        substantiated = self.random.random() < 0.4
        self.demo.later(verified, lambda: self.do(officer, tp.VerifyTip(
            tip_id=tip, verdict=t.Verdict.substantiated if substantiated else t.Verdict.unsubstantiated,
            finding="现场核查"), verified))
        answered = verified + timedelta(days=3)
        self.demo.later(answered, lambda: self.do(officer, tp.GiveTipFeedback(
            tip_id=tip, method=t.FeedbackMethod.web, content="经核查, 已依法处理。感谢您的监督。"), answered))
