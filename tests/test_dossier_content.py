"""The dossier's lines beyond the four duties: the enterprise's blacklist history (应急管理部令第11号), the findings of
the accident's investigation against their lines (seed 000 ¶32; 493号令), the acts of accountability against the
people of the territorial and leadership lines (《地方党政领导干部安全生产责任制规定》) and the summons of a town —
each proven like every line, and an act recorded after the accident absent as known before its recording; on
SQLite and PostgreSQL (issue 11; docs/dossier.md)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from api.bootstrap import System
from api.dossier_report import render
from application import accidents as a
from application import accountability as acc
from application import blacklist as b
from application import investigations as inv
from application import responsibility as rs
from application.authorization import Principal
from application.clock import ManualClock
from domain import accidents as ac
from domain import accountability as ac_acc
from domain import investigations as iv
from domain.posts import PostKind
from domain.responsibility import Line
from domain.rules.accidents import Figures
from domain.rules.blacklist import Ground
from infrastructure import dossier
from tests.builders import World
from tests.conftest import COUNTY, REGISTRAR, T0

ADMIN = Principal("admin", "admin", COUNTY)
INVESTIGATOR = Principal("inv", "investigator", COUNTY)
T = T0 + timedelta(days=1)
"""The accident."""


def line(content: dict[str, Any], name: str) -> dict[str, Any]:
    return next(x for x in content["lines"] if x["line"] == name)


class Aftermath:
    """The gas company of 山腰街道: listed as a serious dishonest entity before the accident (a concealed earlier
    accident), its town's leaders summoned before it; after it, the investigation finds the town's party secretary
    failed a duty of the town's list, and the secretary is admonished on that finding."""

    def __init__(self, system: System, clock: ManualClock):
        self.system, self.clock = system, clock
        self.world = world = World(system)
        self.secretary = world.person(50, "王书记")
        self.secretary_post = world.post(world.town_a, PostKind.party_secretary, "党工委书记")
        self.run(REGISTRAR, rs.AppointHolder(post_id=self.secretary_post, person_id=self.secretary,
                                             effective_at=T0 - timedelta(days=30)))
        self.list_id = world.duty_list(world.town_a)
        self.duty_id = world.duty(self.list_id, self.secretary_post, line=Line.territorial,
                                  text="督促辖区企业落实燃气安全隐患排查治理")
        earlier = T0 + timedelta(hours=1)
        clock.set(earlier + timedelta(hours=1))
        self.earlier = self.accident(earlier)
        self.listing = self.run(ADMIN, b.ProposeListing(
            unit_id=world.enterprise, ground=Ground.concealed_accident,
            evidence=[b.EvidenceRef(aggregate_id=self.earlier, note="调查认定瞒报")]))
        decider = Principal("insp", "inspector", COUNTY, unit_id=world.department,
                            person_id=world.person(31, "王决定"))
        self.run(decider, b.DecideListing(listing_id=self.listing, listed=True, reason="瞒报事故",
                                          decision_no="泉应急失信〔2025〕1号"))
        self.summons = self.run(ADMIN, acc.HoldSummons(
            issuer_unit_id=world.county, target_unit_id=world.town_a, record="约谈山腰街道党政主要负责人",
            summoned=[acc.Summoned(person_id=self.secretary, post_id=self.secretary_post)],
            commitments=[acc.Promise(text="一个月内完成辖区燃气企业全覆盖检查", due=date(2025, 2, 10))]))
        clock.set(T + timedelta(hours=1))
        self.accident_id = self.accident(T)
        clock.set(T + timedelta(days=2))
        self.investigation = self.run(INVESTIGATOR, inv.OpenInvestigation(
            accident_id=self.accident_id,
            team=(iv.TeamMember(person_id=world.person(32, "赵组长"), unit_id=world.county,
                                role=iv.TeamRole.leader),)))
        self.run(INVESTIGATOR, inv.FindResponsibility(
            investigation_id=self.investigation, line=iv.InvestigationLine.territorial, unit_id=world.town_a,
            person_id=self.secretary, duty=inv.DutyReference(list_id=self.list_id, duty_id=self.duty_id),
            evidence=(iv.EventRef(aggregate_id=self.summons, version=1),),
            description="约谈后未督促整改", disposition=iv.Disposition.accountability))
        self.before_act = clock.advance(timedelta(days=1))
        clock.advance(timedelta(days=1))
        self.run(ADMIN, acc.ImposeAccountability(
            person_id=self.secretary, post_id=self.secretary_post, held_at=T,
            form=ac_acc.AccountabilityForm.admonition, issuer_unit_id=world.county, document="泉港纪〔2025〕3号",
            finding=ac_acc.FindingRef(kind=ac_acc.FindingKind.investigation, record_id=self.investigation,
                                      finding_no=1)))
        system.audit.sealer.seal_now()

    def run(self, who: Principal, command: Any) -> UUID:
        return self.system.service.execute(command, who).id

    def accident(self, occurred: Any) -> UUID:
        return self.run(INVESTIGATOR, a.RecordAccident(
            unit_id=self.world.enterprise, kind=ac.AccidentKind.work, occurred_at=occurred, place="调压站",
            description="燃气泄漏", unit_head_informed_at=occurred + timedelta(minutes=5),
            known_from=ac.KnownFrom.unit_report, known_at=occurred + timedelta(minutes=30),
            figures=Figures(deaths=1)))

    def build(self, **fields: Any) -> dict[str, Any]:
        return self.system.dossiers.build(self.accident_id, scope=COUNTY,
                                          known_at=fields.pop("known_at", self.clock.now()), **fields)


def secretary_acts(content: dict[str, Any], name: str) -> list[dict[str, Any]]:
    (town,) = [t for t in line(content, name)["facts"]["territories"] if t["name"] == "山腰街道"]
    posts = town["leaders"] if name == "leadership" else town["posts"]
    (holder,) = next(p for p in posts if p["title"] == "党工委书记")["holders"]
    return holder["accountability"]


def test_blacklist_findings_acts_and_summons_are_shown_against_their_lines(system: System,
                                                                          clock: ManualClock) -> None:
    case = Aftermath(system, clock)
    saved = case.build()
    content = saved["content"]
    (listing,) = line(content, "entity")["facts"]["blacklist"]
    assert (listing["listing_id"], listing["status"], listing["in_force"]) == (str(case.listing), "listed", True)
    assert listing["decision_no"] == "泉应急失信〔2025〕1号"
    territorial = line(content, "territorial")["facts"]
    (finding,) = territorial["findings"]
    assert (finding["unit"], finding["person"]["name"], finding["disposition_term"]) == ("山腰街道", "王书记", "问责")
    assert finding["duty"]["text"] == "督促辖区企业落实燃气安全隐患排查治理"
    assert line(content, "entity")["facts"]["findings"] == []
    for name in ("territorial", "leadership"):
        (act,) = secretary_acts(content, name)
        assert (act["term"], act["document"], act["after_as_of"]) == ("诫勉", "泉港纪〔2025〕3号", True)
        assert act["finding"] == {"kind": "investigation", "term": "事故调查认定",
                                  "record_id": str(case.investigation), "finding_no": 1}
    (town,) = [t for t in territorial["territories"] if t["name"] == "山腰街道"]
    assert [s["summons_id"] for s in town["summons"]] == [str(case.summons)]
    assert "verified" in dossier.verify(saved, system.audit.keys())
    page = render(saved)
    assert "泉港纪〔2025〕3号" in page
    assert "泉应急失信〔2025〕1号" in page
    assert "约谈后未督促整改" in page


def test_an_act_recorded_after_the_accident_is_absent_as_known_before_its_recording(system: System,
                                                                                    clock: ManualClock) -> None:
    case = Aftermath(system, clock)
    before = case.build(known_at=case.before_act)
    content = before["content"]
    assert secretary_acts(content, "territorial") == []
    assert len(line(content, "territorial")["facts"]["findings"]) == 1, "the finding was known by then"
    assert "verified" in dossier.verify(before, system.audit.keys())
    earlier = case.build(known_at=T + timedelta(days=1))["content"]
    assert line(earlier, "territorial")["facts"]["findings"] == [], "no investigation yet"
