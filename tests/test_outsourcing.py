"""Outsourcing (外包外租; 安全生产法 第49条, seed 004 ¶(13)(14), seed 000 ¶18): a unit's contracting-out or
leasing-out relation recorded with its contractor, scope, agreement and period; refused when malformed (writing
nothing); listed in force on a day with what its record lacks; and on the dossier's entity line as in force at T —
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from api.bootstrap import System
from application import accidents as a
from application import outsourcing as o
from application.authorization import Forbidden, Principal
from application.clock import ManualClock
from domain import accidents as ac
from domain import outsourcing as os_
from domain.calendar import local_day
from domain.errors import Conflict, DomainError, Rejected
from domain.rules.accidents import Figures
from infrastructure import dossier
from tests.builders import World
from tests.conftest import COUNTY, T0, TOWN_B

ADMIN = Principal("admin", "admin", COUNTY)


class Site:
    """The gas company of 山腰街道 and two contractors of the same town."""

    def __init__(self, system: System, clock: ManualClock):
        self.system, self.clock = system, clock
        self.world = World(system)
        self.builder = self.world.enterprise_in(self.world.town_a, 2, sector="建筑施工")
        self.lessee = self.world.enterprise_in(self.world.town_a, 3, sector="仓储")
        self.today = local_day(clock.now())

    def record(self, who: Principal = ADMIN, **fields: Any) -> UUID:
        return self.system.service.execute(self.command(**fields), who).id

    def command(self, **fields: Any) -> o.RecordOutsourcing:
        defaults: dict[str, Any] = {
            "unit_id": self.world.enterprise, "contractor_unit_id": self.builder,
            "kind": os_.OutsourcingKind.contracting, "scope": "调压站改造工程",
            "agreement": os_.Agreement.safety_agreement, "qualification": "建筑业企业资质证书 D235000001",
            "starts_on": self.today, "ends_on": self.today + timedelta(days=90)}
        return o.RecordOutsourcing(**{**defaults, **fields})

    def refused(self, command: Any, error: type[DomainError] = Rejected, who: Principal = ADMIN) -> str:
        head = self.system.store.head()
        with pytest.raises(error) as caught:
            self.system.service.execute(command, who)
        assert self.system.store.head() == head, "a refused command writes nothing"
        return caught.value.code


@pytest.fixture
def site(system: System, clock: ManualClock) -> Site:
    return Site(system, clock)


def test_a_relation_is_refused_when_malformed_and_by_another_enterprise(site: Site) -> None:
    w = site.world
    assert site.refused(site.command(contractor_unit_id=w.enterprise)) == "same-unit"
    assert site.refused(site.command(contractor_unit_id=w.department)) == "not-a-contractor"
    assert site.refused(site.command(unit_id=w.town_a)) == "not-a-production-unit"
    assert site.refused(site.command(ends_on=site.today - timedelta(days=1))) == "period-inverted"
    assert site.refused(site.command(scope="  ")) == "scope-required"
    other = Principal("ent", "enterprise", COUNTY, unit_id=site.lessee)
    assert site.refused(site.command(), Forbidden, other) == "other-enterprise"
    own = Principal("ent", "enterprise", COUNTY, unit_id=w.enterprise)
    assert site.record(own) is not None


def test_in_force_on_a_day_with_what_the_record_lacks_and_ended_early(site: Site, system: System,
                                                                     clock: ManualClock) -> None:
    works = site.record()
    lease = site.record(contractor_unit_id=site.lessee, kind=os_.OutsourcingKind.leasing, scope="3号仓库",
                        agreement=os_.Agreement.none, qualification=None, ends_on=None)
    clock.advance(timedelta(days=10))
    system.service.execute(o.EndOutsourcing(outsourcing_id=works, ended_on=site.today + timedelta(days=5),
                                            reason="工程提前完工"), ADMIN)
    assert site.refused(o.EndOutsourcing(outsourcing_id=works, ended_on=site.today + timedelta(days=6), reason="x"),
                        Conflict) == "already-ended"
    assert site.refused(o.EndOutsourcing(outsourcing_id=lease, ended_on=site.today + timedelta(days=30),
                                         reason="x")) == "future-end"
    system.runner.catch_up()
    q = system.queries.outsourcing

    def in_force(day: date) -> dict[str, list[str]]:
        return {r["outsourcing_id"]: r["concerns"] for r in q.relations(COUNTY, day=day, in_force=True)}

    assert in_force(site.today + timedelta(days=1)) == {str(works): ["never_reviewed"], str(lease): [
        "no_agreement", "no_qualification_shown", "never_reviewed"]}
    assert in_force(site.today + timedelta(days=5)) == {str(lease): ["no_agreement", "no_qualification_shown",
                                                                     "never_reviewed"]}
    rows = q.relations(COUNTY, unit_id=site.world.enterprise, day=site.today, in_force=True,
                       role="enterprise", unit_of_role=site.world.enterprise)
    assert {(r["contractor_name"], r["kind_term"]) for r in rows} == {("测试燃气有限公司2", "发包"),
                                                                     ("测试燃气有限公司3", "出租")}
    assert q.relations(COUNTY, role="enterprise", unit_of_role=site.lessee) == []
    assert q.relations(TOWN_B) == [], "another town sees none of the relations of 山腰街道's enterprise"


def test_the_dossier_shows_the_contractors_in_force_at_the_accident(site: Site, system: System,
                                                                     clock: ManualClock) -> None:
    works = site.record()
    ended = site.record(contractor_unit_id=site.lessee, kind=os_.OutsourcingKind.leasing, scope="3号仓库",
                        agreement=os_.Agreement.none, qualification=None, ends_on=site.today + timedelta(days=3))
    occurred = T0 + timedelta(days=5)
    clock.set(occurred + timedelta(hours=1))
    accident = system.service.execute(a.RecordAccident(
        unit_id=site.world.enterprise, kind=ac.AccidentKind.work, occurred_at=occurred, place="调压站",
        description="施工中燃气泄漏", unit_head_informed_at=occurred + timedelta(minutes=5),
        known_from=ac.KnownFrom.unit_report, known_at=occurred + timedelta(minutes=30), figures=Figures(deaths=1)),
        Principal("inv", "investigator", COUNTY)).id
    system.audit.sealer.seal_now()
    saved = system.dossiers.build(accident, scope=COUNTY, known_at=clock.now())
    entity = next(x for x in saved["content"]["lines"] if x["line"] == "entity")
    (shown,) = entity["facts"]["outsourcing"]
    assert (shown["outsourcing_id"], shown["contractor"], shown["agreement"]) == (str(works), "测试燃气有限公司2",
                                                                                  "safety_agreement")
    assert str(ended) not in str(entity["facts"]["outsourcing"]), "its period ended before the accident"
    assert "verified" in dossier.verify(saved, system.audit.keys())


def review(outsourcing_id: UUID, day: date, *, wanting: bool = False, findings: str | None = "资质有效",
           outcome: os_.ReviewOutcome = os_.ReviewOutcome.retained) -> o.ReviewContractor:
    return o.ReviewContractor(outsourcing_id=outsourcing_id, reviewed_on=day, qualification_valid=True,
                              discredited=False, safety_management_adequate=not wanting, findings=findings,
                              outcome=outcome)


def test_review_concerns_at_their_boundaries() -> None:
    """seed 000 ¶18 (动态审核): none held → never_reviewed; the next review due on day n (local practice: 12 months
    after the last) is overdue on n+1, not on n−1 nor n; a contractor found wanting and kept on is shown so."""
    held = os_.Review(no=1, reviewed_on=date(2025, 1, 31), qualification_valid=True, discredited=False,
                      safety_management_adequate=True, outcome=os_.ReviewOutcome.retained,
                      next_due=os_.add_months(date(2025, 1, 31), 12))
    assert held.next_due == date(2026, 1, 31)
    assert os_.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert os_.review_concerns([], date(2025, 1, 1)) == ["never_reviewed"]
    assert os_.review_concerns([held], date(2025, 1, 30)) == ["never_reviewed"], "held after the day"
    assert os_.review_concerns([held], date(2026, 1, 30)) == []
    assert os_.review_concerns([held], date(2026, 1, 31)) == []
    assert os_.review_concerns([held], date(2026, 2, 1)) == ["review_overdue"]
    wanting = held.model_copy(update={"safety_management_adequate": False})
    assert os_.review_concerns([wanting], date(2025, 2, 1)) == ["retained_despite_findings"]
    cleared = wanting.model_copy(update={"outcome": os_.ReviewOutcome.cleared_out, "next_due": None})
    assert os_.review_concerns([cleared], date(2027, 1, 1)) == []


def test_a_contractor_review_is_refused_out_of_order_and_wanting_unsaid(site: Site, system: System,
                                                                         clock: ManualClock) -> None:
    works = site.record(starts_on=site.today - timedelta(days=30))
    past = site.today - timedelta(days=30)
    assert site.refused(review(works, site.today + timedelta(days=1))) == "future-review"
    assert site.refused(review(works, past - timedelta(days=1))) == "outside-period"
    assert site.refused(review(works, site.today, wanting=True, findings="  ")) == "findings-required"
    system.service.execute(review(works, site.today - timedelta(days=5)), ADMIN)
    assert site.refused(review(works, site.today - timedelta(days=6))) == "review-out-of-order"
    other = Principal("ent", "enterprise", COUNTY, unit_id=site.lessee)
    assert site.refused(review(works, site.today), Forbidden, other) == "other-enterprise"
    system.service.execute(review(works, site.today, wanting=True, findings="动火作业票证不全",
                                  outcome=os_.ReviewOutcome.cleared_out), ADMIN)
    assert site.refused(review(works, site.today), Conflict) == "already-ended", "清退 ended it"
    state = system.service.log.get(works)
    assert isinstance(state, os_.Outsourcing)
    assert (state.ended_on, [r.next_due for r in state.reviews]) == (
        site.today, [os_.add_months(site.today - timedelta(days=5), 12), None])
    assert (system.service.log.history(works)[-1].envelope.rules_version or "").startswith("cn-base@")


def test_reviews_in_the_read_model_and_on_the_dossier(site: Site, system: System, clock: ManualClock) -> None:
    works = site.record(starts_on=site.today - timedelta(days=400), ends_on=None)
    lease = site.record(contractor_unit_id=site.lessee, kind=os_.OutsourcingKind.leasing, scope="3号仓库",
                        starts_on=site.today - timedelta(days=10), ends_on=None)
    system.service.execute(review(works, site.today - timedelta(days=380), wanting=True, findings="安全管理制度缺失"),
                           ADMIN)
    system.runner.catch_up()
    rows = {r["outsourcing_id"]: r for r in system.queries.outsourcing.relations(COUNTY, day=site.today)}
    assert rows[str(works)]["concerns"] == ["review_overdue", "retained_despite_findings"]
    assert [(r["no"], r["outcome"]) for r in rows[str(works)]["reviews"]] == [(1, "retained")]
    assert rows[str(lease)]["concerns"] == ["never_reviewed"]
    occurred = T0 + timedelta(hours=1)
    clock.set(occurred + timedelta(hours=1))
    accident = system.service.execute(a.RecordAccident(
        unit_id=site.world.enterprise, kind=ac.AccidentKind.work, occurred_at=occurred, place="调压站",
        description="施工中燃气泄漏", unit_head_informed_at=occurred + timedelta(minutes=5),
        known_from=ac.KnownFrom.unit_report, known_at=occurred + timedelta(minutes=30), figures=Figures(deaths=1)),
        Principal("inv", "investigator", COUNTY)).id
    clock.advance(timedelta(days=1))
    system.service.execute(review(lease, local_day(clock.now()), wanting=True, findings="无资质",
                                  outcome=os_.ReviewOutcome.cleared_out), ADMIN)  # after T: absent as of T
    system.audit.sealer.seal_now()
    saved = system.dossiers.build(accident, scope=COUNTY, known_at=clock.now())
    entity = next(x for x in saved["content"]["lines"] if x["line"] == "entity")
    shown = {r["outsourcing_id"]: r for r in entity["facts"]["outsourcing"]}
    assert shown[str(works)]["last_review"]["wanting"] is True
    assert shown[str(works)]["review_due"] == os_.add_months(site.today - timedelta(days=380), 12).isoformat()
    assert [c["concern"] for c in shown[str(works)]["concerns"]] == ["review_overdue", "retained_despite_findings"]
    assert (shown[str(lease)]["reviews"], [c["concern"] for c in shown[str(lease)]["concerns"]]) == (
        [], ["never_reviewed"])
    assert "verified" in dossier.verify(saved, system.audit.keys())
