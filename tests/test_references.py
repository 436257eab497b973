"""Every id a command names is checked as a read would check it (issue 9 §2): outside the caller's jurisdiction it is
"no such record" (404), the refusal names nothing of it, and nothing is written."""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, get_args
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.bootstrap import HANDLERS, System
from api.demo.identifiers import credit_code, resident_id
from application import accidents as acc
from application import blacklist as bk
from application import cases as ac
from application import hazards as h
from application import inspections as ai
from application import organisation as o
from application import outsourcing as out
from application import people as pp
from application import responsibility as rs
from application import tips as tp
from application.authorization import Principal
from application.commands import Command
from domain import accidents as acd
from domain import cases as cs
from domain import enforcement_plans as ep
from domain import hazards as hz
from domain import outsourcing as os_
from domain import tips as t
from domain.base import SYSTEM, CommandContext, first_event
from domain.inspections import ChecklistItem, InspectionKind
from domain.posts import PostDefinition, PostKind
from domain.references import Path, Ref, dotted, references
from domain.responsibility import ListKind
from domain.rules.blacklist import Ground
from domain.rules.penalties import ClosureGround
from domain.units import DepartmentProfile, EnterpriseProfile, Level, RiskColour, TerritorialProfile
from tests.builders import World
from tests.conftest import ADMIN, COUNTY, TOWN_A, TOWN_B

CHECKLIST = [ChecklistItem(code="G1", text="燃气经营许可证在有效期内", basis="城镇燃气管理条例 第15条")]


def place(world: World, territory: UUID, jurisdiction: str, seq: int) -> dict[str, UUID]:
    """One record of every kind a command can name, all in ``jurisdiction``."""
    run = world.run
    department = run(ADMIN, o.RegisterUnit(parent_id=territory, profile=DepartmentProfile(
        name=f"应急管理局{seq}", functions=("危险化学品",))))
    enterprise = run(ADMIN, o.RegisterUnit(profile=EnterpriseProfile(
        name=f"化工有限公司{seq}", credit_code=credit_code(300 + seq), sector="危险化学品", address="测试路1号",
        legal_representative="张三", staff_count=20), parent_id=territory))
    run(ADMIN, o.AssignSupervision(unit_id=enterprise, department_id=department))
    people = [run(ADMIN, pp.RegisterPerson(name=f"人员{seq}{n}", jurisdiction=jurisdiction,
                                           id_number=resident_id(date(1981, 3, 4), 500 + seq * 10 + n)))
              for n in range(2)]
    post = run(ADMIN, rs.EstablishPost(unit_id=enterprise, definition=PostDefinition(
        title="总经理", kind=PostKind.main_responsible)))
    duty_list = run(ADMIN, rs.OpenResponsibilityList(unit_id=enterprise, kind=ListKind.duty_list, title="责任清单"))
    plan = run(ADMIN, ai.AdoptEnforcementPlan(department_id=department, year=2025, terms=ep.PlanTerms(
        scope="危险化学品", focus=("储存",), content="执法检查", planned_count=4)))
    draw = run(ADMIN, ai.MakeRandomDraw(department_id=department, target_pool=[enterprise], inspector_pool=people,
                                        targets=1, seed=f"seed-{seq}"))
    inspection = run(ADMIN, ai.OpenInspection(kind=InspectionKind.enforcement, title="执法检查",
                                              target_unit_id=enterprise, inspecting_unit_id=department,
                                              inspectors=people, checklist=CHECKLIST))
    hazard = run(ADMIN, h.ReportHazard(unit_id=enterprise, grade=hz.HazardGrade.general, description="x",
                                       source=hz.HazardSource.grid_patrol))
    tip = run(Principal("tips", "tip_officer", jurisdiction), tp.ReceiveTip(
        channel=t.Channel.letter, receiving_unit_id=department, summary="群众反映", original_text="原文",
        subject=t.UnitSubject(unit_id=enterprise, description="违规储存")))
    case = run(ADMIN, ac.OpenCase(unit_id=enterprise, department_id=department, article="安全生产法 第102条",
                                  violation="x", violated_at=datetime(2025, 1, 2, tzinfo=UTC),
                                  source_kind=cs.SourceKind.hazard, source_id=hazard))
    occurred = datetime.fromisoformat("2024-06-01T10:00:00+08:00")
    accident = run(ADMIN, acc.RecordAccident(unit_id=enterprise, kind=acd.AccidentKind.work, occurred_at=occurred,
                                             place="储罐区", description="泄漏", known_from=acd.KnownFrom.unit_report,
                                             known_at=occurred + timedelta(minutes=30)))
    listing = run(ADMIN, bk.ProposeListing(unit_id=enterprise, ground=Ground.concealed_accident,
                                           evidence=[bk.EvidenceRef(aggregate_id=accident)]))
    contractor = run(ADMIN, o.RegisterUnit(profile=EnterpriseProfile(
        name=f"检修有限公司{seq}", credit_code=credit_code(330 + seq), sector="建筑施工", address="测试路2号",
        legal_representative="李四", staff_count=10), parent_id=territory))
    outsourcing = run(ADMIN, out.RecordOutsourcing(
        unit_id=enterprise, contractor_unit_id=contractor, kind=os_.OutsourcingKind.contracting, scope="储罐检修",
        agreement=os_.Agreement.safety_agreement, starts_on=date(2025, 1, 1)))
    return {"Unit": enterprise, "Person": people[0], "Post": post, "ResponsibilityList": duty_list,
            "EnforcementPlan": plan, "RandomDraw": draw, "Inspection": inspection, "Hazard": hazard, "Tip": tip,
            "PenaltyCase": case, "ClosureProposal": closure(world, jurisdiction, enterprise, hazard),
            "Accident": accident, "BlacklistEntry": listing, "Outsourcing": outsourcing}


def closure(world: World, jurisdiction: str, unit: UUID, hazard: UUID) -> UUID:
    """A closure proposal as the 第113条 policy would store it (its ground is not what this test is about)."""
    ctx = CommandContext(actor=SYSTEM, recorded_at=world.system.service.clock.now(),
                         effective_at=world.system.service.clock.now(), correlation_id=uuid4())
    ground = ClosureGround(rule="3_in_180_days", window_from=date(2024, 7, 10), window_to=date(2025, 1, 5),
                           penalties=(date(2024, 8, 1), date(2024, 9, 1), date(2025, 1, 5)), basis="安全生产法 第113条")
    event = first_event(cs.ClosureProposed, ctx, id=uuid4(), jurisdiction=jurisdiction, unit_id=unit,
                        hazard_id=hazard, ground=ground, cases=())
    world.system.store.save([event.apply(None)], [event], None)
    return event.originator_id


def _ids(schema: Any, spec: dict[str, Any], depth: int = 0) -> int:
    """How many id fields a schema holds (a union's member with the most is the one to walk)."""
    if isinstance(schema, str):
        schema = {"$ref": schema}
    if depth > 6:
        return 0
    if "$ref" in schema:
        return _ids(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], spec, depth + 1)
    if schema.get("format") == "uuid":
        return 1
    parts = [*schema.get("properties", {}).values(), *schema.get("oneOf", ()), *schema.get("anyOf", ())]
    if "items" in schema:
        parts.append(schema["items"])
    return sum(_ids(part, spec, depth + 1) for part in parts)


def example(schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """A small value the schema accepts; every optional field that may hold an id is filled too."""
    if "$ref" in schema:
        return example(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], spec)
    if "discriminator" in schema:
        tag, ref = next(iter(sorted(schema["discriminator"]["mapping"].items(), key=lambda item: -_ids(item[1], spec))))
        return {**example({"$ref": ref}, spec), schema["discriminator"]["propertyName"]: tag}
    for union in ("oneOf", "anyOf"):
        if union in schema:
            options = [s for s in schema[union] if s.get("type") != "null"]
            return example(max(options, key=lambda s: _ids(s, spec)), spec)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        wanted = set(schema.get("required", ())) | {name for name, sub in schema.get("properties", {}).items()
                                                      if _ids(sub, spec)}
        return {name: example(sub, spec) for name, sub in schema.get("properties", {}).items() if name in wanted}
    if kind == "array":
        return [example(schema["items"], spec) for _ in range(max(schema.get("minItems", 1), 1))]
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "uuid":
            return str(uuid4())
        if fmt == "date":
            return "2025-03-01"
        if fmt == "date-time":
            return "2025-03-01T10:00:00+08:00"
        return "x" * max(schema.get("minLength", 1), 1)
    if kind in ("integer", "number"):
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    raise AssertionError(f"no example for {schema}")


def put(body: dict[str, Any], path: Path, value: str) -> None:
    target: Any = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def command_routes(client: TestClient) -> list[tuple[str, type[Command], dict[str, Any]]]:
    spec = client.app.openapi()  # type: ignore[attr-defined]
    by_name = {command.__name__: command for command in HANDLERS}
    found = []
    for path, operations in spec["paths"].items():
        post = operations.get("post", {})
        if "x-command" in post:
            schema = post["requestBody"]["content"]["application/json"]["schema"]
            found.append((path, by_name[post["x-command"]], example(schema, spec)))
    return found


@pytest.fixture
def places(system: System) -> tuple[dict[str, UUID], dict[str, UUID]]:
    world = World(system)
    huian = world.run(ADMIN, o.RegisterUnit(profile=TerritorialProfile(name="惠安县", level=Level.county,
                                                                       code="350521"), parent_id=world.city))
    return place(world, world.county, COUNTY, 1), place(world, huian, "350000/350500/350521", 2)


def test_every_command_route_refuses_each_id_the_caller_cannot_read(system: System, client: TestClient, token,
                                                                      places) -> None:
    ours, theirs = places
    system.runner.catch_up()
    routes = command_routes(client)
    unrouted = {command.__name__ for command in HANDLERS} - {command.__name__ for _, command, _ in routes}
    assert unrouted == {"MarkHazardOverdue", "EscalateListing", "RaiseDepartmentFlag", "RaiseCampaignCheckFlag",
                        "RaiseUnsupervisedListingFlag", "FlagLateSlip", "RecordVetoFinding",
                        "RaiseLeaderInspectionFlag", "WithdrawFlag", "ShredReporterIdentity", "CloseHearingWindow",
                        "MarkDecisionOverdue", "MarkPaymentOverdue", "ProposeClosure", "FlagAccidentReporting",
                        "SuspectConcealment", "WithdrawAccidentFlag"}, (
        "every command but the policies' and the command line's shredding has a route")
    tried = 0
    for path, command, body in routes:
        role = "admin" if "admin" in command.roles else sorted(command.roles)[0]
        headers = token(role, COUNTY)
        path_fields = re.findall(r"{(\w+)}", path)
        values = {**body, **{name: str(uuid4()) for name in path_fields}}
        refs = [(where, ref) for where, ref, _ in references(command.model_validate(values))]
        for where, ref in refs:
            put(values, where, str(ours[ref.kind or "Hazard"]))
        for where, ref in refs:
            swapped = copy.deepcopy(values)
            put(swapped, where, str(theirs[ref.kind or "Hazard"]))
            url = path.format(**{name: swapped[name] for name in path_fields})
            head = system.store.head()
            response = client.post(url, json={k: v for k, v in swapped.items() if k not in path_fields},
                                   headers=headers)
            problem = response.json()
            assert (response.status_code, problem["code"], problem["field"]) == (404, "not-found", dotted(where)), (
                path, where, response.text)
            assert problem["detail"] == f"no {ref.label} with id {theirs[ref.kind or 'Hazard']}"
            assert system.store.head() == head, (path, where, "a refused command writes nothing")
            tried += 1
    assert tried >= 80, tried


def test_a_town_cannot_appoint_a_person_of_another_town(system: System, client: TestClient, token) -> None:
    """Issue 9 §2: a 南埔镇 admin appointed a 山腰街道 person it cannot read (200); the repeat's 409 named them."""
    world = World(system)
    village = world.run(ADMIN, o.RegisterUnit(profile=TerritorialProfile(
        name="南埔村", level=Level.village, code="350505101201"), parent_id=world.town_b))
    post = world.post(village, PostKind.position, "南埔村村委会主任")
    person = world.run(ADMIN, pp.RegisterPerson(name="庄海燕", id_number=resident_id(date(1979, 8, 1), 77),
                                                jurisdiction=TOWN_A))
    system.runner.catch_up()
    nanpu = token("admin", TOWN_B)
    assert client.get(f"/api/v1/people/{person}", headers=nanpu).status_code == 404
    head = system.store.head()
    for _ in range(2):
        response = client.post(f"/api/v1/posts/{post}/appointments", json={"person_id": str(person)}, headers=nanpu)
        assert (response.status_code, response.json().get("field")) == (404, "person_id"), response.text
        assert "庄海燕" not in response.text
        assert TOWN_A not in response.text
    assert system.store.head() == head


def test_a_town_cannot_inspect_in_the_name_of_the_county_with_others_inspectors(system: System, client: TestClient,
                                                                                 token) -> None:
    """Issue 9 §2: a 南埔镇 enforcement token opened an inspection for the county's 应急管理局 with inspectors of
    another town and of the county (201)."""
    world = World(system)
    nanpu_enterprise = world.enterprise_in(world.town_b, 2)
    county_person = world.person(1, "县级检查员")
    other_town_person = world.run(ADMIN, pp.RegisterPerson(
        name="山腰检查员", id_number=resident_id(date(1985, 1, 2), 8), jurisdiction=TOWN_A))
    nanpu_person = world.run(ADMIN, pp.RegisterPerson(
        name="南埔检查员", id_number=resident_id(date(1985, 1, 2), 9), jurisdiction=TOWN_B))
    system.runner.catch_up()
    body = {"kind": "enforcement", "title": "执法检查", "target_unit_id": str(nanpu_enterprise),
            "inspecting_unit_id": str(world.department), "inspectors": [str(nanpu_person), str(other_town_person)],
            "checklist": [c.model_dump() for c in CHECKLIST]}
    head = system.store.head()
    nanpu = token("enforcement", TOWN_B)
    for change, field in (({}, "inspecting_unit_id"),
                          ({"inspecting_unit_id": str(world.town_b)}, "inspectors[1]"),
                          ({"inspecting_unit_id": str(world.town_b), "inspectors": [str(nanpu_person),
                                                                                   str(county_person)]},
                           "inspectors[1]")):
        response = client.post("/api/v1/inspections", json={**body, **change}, headers=nanpu)
        assert (response.status_code, response.json()["field"]) == (404, field), response.text
    assert system.store.head() == head


def test_a_units_history_follows_it_to_its_new_town(system: System, client: TestClient, token) -> None:
    """Issue 9 §2: after a unit moved town, the new town saw none of its audit trail, the old one all of it. Now the
    new town sees the whole history; the old one what happened while the unit was there (and that it left)."""
    world = World(system)
    world.run(ADMIN, o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.yellow, reason="年度评定"))
    world.run(ADMIN, o.MoveUnit(unit_id=world.enterprise, parent_id=world.town_b))
    world.run(ADMIN, o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="复评"))
    system.runner.catch_up()

    def trail(town: str, query: str) -> list[str]:
        response = client.get(f"/api/v1/audit-trail?{query}", headers=token("viewer", town))
        assert response.status_code == 200, response.text
        return [i["event_type"] for i in response.json()["items"] if i["aggregate_id"] == str(world.enterprise)]

    history = ["UnitRegistered", "SupervisionAssigned", "RiskColourGraded", "UnitMoved", "RiskColourGraded"]
    for query in (f"aggregate_id={world.enterprise}", f"jurisdiction={TOWN_B}", ""):
        assert trail(TOWN_B, query) == history, query
    assert trail(TOWN_A, f"aggregate_id={world.enterprise}") == history[:4], "the old town: its period and the move"
    assert trail(TOWN_A, "") == history[:4]
    whole = client.get("/api/v1/audit-trail?limit=1000", headers=token("viewer", TOWN_B)).json()["items"]
    paged, after = [], 0
    while page := client.get(f"/api/v1/audit-trail?limit=2&after={after}", headers=token("viewer", TOWN_B)).json():
        if not page["items"]:
            break
        paged += page["items"]
        after = page["items"][-1]["position"]
    assert [i["position"] for i in paged] == [i["position"] for i in whole], "pages of 2 continue one log order"
    assert len({i["position"] for i in whole}) == len(whole), "an event recorded there of a record there: once"
    old = client.get(f"/api/v1/aggregates/{world.enterprise}/replay", headers=token("viewer", TOWN_A)).json()
    new = client.get(f"/api/v1/aggregates/{world.enterprise}/replay", headers=token("viewer", TOWN_B)).json()
    assert ([e["type"] for e in old["events"]], old["state"]["risk_colour"]) == (history[:4], "yellow"), (
        "the old town replays the unit as far as it was there")
    assert ([e["type"] for e in new["events"]], new["state"]["risk_colour"]) == (history, "red")


INNER_IDS = {"duty_id", "ban_id", "outcome_id"}
"""Ids of things inside a record (a duty in its list, a ban of a person, a tip's outcome by its target): their
record is named by another, declared field."""


def _id_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, bool]]:
    """Every field of ``model`` (and of the models inside it) that holds an id, with whether it is a declared
    reference."""
    found = []
    for name, field in model.model_fields.items():
        text = str(field.annotation)
        if "UUID" in text:
            declared = any(isinstance(m, Ref) for m in field.metadata) or "Ref(" in repr(field.annotation)
            found.append((prefix + name, declared))
        for inner in _models_in(field.annotation):
            found += _id_fields(inner, f"{prefix}{name}.")
    return found


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def test_every_id_field_of_every_command_is_a_declared_reference() -> None:
    """A new command gets the scope check by declaring its id fields (``domain/references.py``); this finds an id
    field that forgot to."""
    undeclared = [(command.__name__, name) for command in HANDLERS for name, declared in _id_fields(command)
                  if not declared and name.rsplit(".", 1)[-1] not in INNER_IDS]
    assert undeclared == []
