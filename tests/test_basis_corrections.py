"""Citations that travel in events' ``basis`` (cn-base@2024.6): each cites the paragraph that says it.

- 四个一律 — seed 000 ¶22: "严格落实“四个一律”要求，采取停业整顿、关闭取缔、上限处罚、追究法律责任等执法措施".
- 网格 — seed 001 ¶13: "健全…党政同责网格化监管领导体制"; seed 002 ¶16: 网格员“巡查”.
- dispatched and intern workers — seed 000 ¶19–20: "将接受其作业指令的劳务派遣人员和灵活用人员纳入本单位统一管理".
- 回头看 — seed 003 ¶16: "结合实际组织整改落实情况“回头看”核查…确保闭环销号".
- the lead-unit rule — seed 000 ¶7, seed 002 ¶9 (谁主管谁牵头、谁为主谁牵头、谁靠近谁牵头); who breaks a tie is said by
  neither: local practice.
- 第一责任人 of a territory — 《地方党政领导干部安全生产责任制规定》第四条 ("地方各级党委和政府主要负责人是本地区
  安全生产第一责任人"; cn-base@2024.9), not 第三条 (up to 2024.5) nor 第五条 (2024.6–2024.8).

Old events keep the basis they were decided under: the pack version they carry says which.
"""

from __future__ import annotations

import pytest

from api.bootstrap import System
from application import hazards as h
from application import organisation as o
from application.authorization import Principal
from domain import hazards as hz
from domain import units as u
from domain.posts import PostEstablished, PostKind, WorkerCategory
from domain.rules import pack_for
from domain.supervision import LeadCandidate, SectorLeadDecided, catalogue_id
from tests.builders import World, latest
from tests.conftest import COUNTY, REGISTRAR

QUANGANG = "350000/350500/350505"


def base_release(version_tag: str) -> tuple[int, ...]:
    """The base pack's release in a version tag (``cn-base@2025.1+quangang@2022.4`` → (2025, 1)), compared as
    numbers: as text, "2024.10" would sort before "2024.6"."""
    base = next(tag for tag in version_tag.split("+") if tag.startswith("cn-base@"))
    return tuple(int(part) for part in base.removeprefix("cn-base@").split("."))


@pytest.mark.parametrize(("key", "cites"), [
    ("unit.ban.basis", "149号 ¶22"),
    ("inspection.grid.basis", "53号 ¶13"),
    ("posts.all_staff.basis", "149号 ¶19–20"),
    ("hazard.review.basis", "狮安委〔2023〕3号 ¶16"),
    ("supervision.lead.basis", "149号 ¶7"),
    ("supervision.lead.committee.basis", "local practice"),
    ("posts.joint_responsibility.basis", "第四条"),
])
def test_the_pack_cites_the_paragraph_that_says_it(key: str, cites: str) -> None:
    pack = pack_for(QUANGANG)
    assert cites in pack[key]
    assert base_release(pack.version_tag) >= (2024, 6)


def test_events_decided_now_carry_the_corrected_basis_and_the_pack_version(system: System) -> None:
    world = World(system)
    secretary = world.post(world.town_a, PostKind.party_secretary, "党工委书记")
    dispatched = world.post(world.enterprise, title="劳务派遣入户安检员", category=WorkerCategory.dispatched)
    for post_id, cites in ((secretary, "第四条"), (dispatched, "¶19–20")):
        event = system.store.history(post_id)[0]
        assert isinstance(event, PostEstablished)
        assert cites in (event.envelope.basis or "")
        assert base_release(event.envelope.rules_version or "") >= (2024, 6)
    world.run(REGISTRAR, o.CloseUnit(unit_id=world.enterprise, closure=u.Closure.banned, reason="非法储存液化气"))
    assert "¶22" in (latest(system, world.enterprise, u.UnitClosed).envelope.basis or "")


def test_a_tie_broken_by_the_committee_cites_local_practice(system: System) -> None:
    world = World(system)
    other = world.run(REGISTRAR, o.RegisterUnit(profile=u.DepartmentProfile(name="泉港区应急管理局",
                                                                             functions=("新业态",)),
                                                parent_id=world.county))
    tied = [LeadCandidate(department_id=world.department), LeadCandidate(department_id=other)]
    world.run(REGISTRAR, o.DecideSectorLead(territory_id=world.county, sector="新业态", candidates=tied,
                                            committee_choice=other))
    decided = latest(system, catalogue_id(world.county), SectorLeadDecided)
    committee_basis = pack_for(QUANGANG)["supervision.lead.committee.basis"]
    assert (decided.clause, decided.envelope.basis) == ("安委会研究确定", committee_basis)
    world.run(REGISTRAR, o.DecideSectorLead(territory_id=world.county, sector="新业态2",
                                            candidates=[LeadCandidate(department_id=other, competent=True)]))
    assert "¶7" in (latest(system, catalogue_id(world.county), SectorLeadDecided).envelope.basis or "")


def test_a_follow_up_review_cites_seed_003_paragraph_16(system: System) -> None:
    world = World(system)
    inspector = world.person(11, "林检查")
    officer = Principal("insp", "inspector", COUNTY, unit_id=world.department, person_id=inspector)
    hazard_id = world.run(officer, h.ReportHazard(unit_id=world.enterprise, grade=hz.HazardGrade.general,
                                                  description="燃气报警器失效", source=hz.HazardSource.self_reported))
    world.run(officer, h.RectifyOnTheSpot(hazard_id=hazard_id, measures="当场更换"))
    world.run(officer, h.ReviewHazard(hazard_id=hazard_id, findings="回头看: 未反弹", reopen=False))
    review = latest(system, hazard_id, hz.FollowUpReviewed)
    assert "¶16" in (review.envelope.basis or "")


@pytest.mark.parametrize(("jurisdiction", "levels"), [("", 0), ("350000/350500/350581", 0), (QUANGANG, 1),
                                                      (f"{QUANGANG}/350505001000", 1)])
def test_escalation_one_level_up_is_only_a_local_packs_setting(jurisdiction: str, levels: int) -> None:
    """No seed or law escalates an overdue listing one level up (seed 001 ¶5 says only 分级督办): the base pack sets
    0 levels (cn-base@2024.7); the 泉港区 pack sets 1 as its local practice, and the escalation cites it so."""
    pack = pack_for(jurisdiction)
    assert pack["hazard.escalation.levels"] == levels
    assert pack["hazard.escalation.basis"].startswith("local practice")
