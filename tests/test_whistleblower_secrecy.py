"""The planted identity never leaves its seal: every surface of the system is searched for it.

docs/rules.md R11 (never reveal the reporter or show the original tip), seed 000 ¶31 (不得泄露举报人个人有关信息),
docs/architecture.md §9. A tip is received with a distinctive name, phone number and original text, and taken
through its whole life over HTTP and the command line — verified, a hazard reported through it, rewarded, paid,
answered, its identity disclosed once, a disclosure refused, inputs refused that pydantic would echo, shredded. Then
every surface :data:`COLLECTORS` knows is searched for the planted strings. The one place they may appear is the
answer to the recorded disclosure, which the test checks does show them (so the search could find them elsewhere).

A new outbound path adds its collector to :data:`COLLECTORS` — a function of the :class:`Lifecycle` returning
``{surface name: text}``. The outbound paths searched include the Kafka stream (every message the relay publishes,
as a consumer reads it), the HTTP event feed (every page of ``/events``) and the audit export (every byte of the
bundle, the exported stored bytes decoded).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import text

from api.bootstrap import System
from api.catalogue import event_classes, render_events
from application import cases as c
from application.authorization import Principal
from domain import cases as cs
from domain import tips as t
from infrastructure.persistence import EVENTS_TABLE
from infrastructure.settings import Settings
from infrastructure.stream.relay import Relay
from infrastructure.stream.schemas import render_schemas
from tests.audit_support import everything_in
from tests.builders import World, run_zeren
from tests.conftest import COUNTY
from tests.kafka_broker import Tansu, consume_kafka_python, unique
from tests.test_tips_api import cli_env

ROOT = Path(__file__).resolve().parent.parent
NAME = "欧阳密语"
PHONE = "13988776655"
ORIGINAL = "举报原文标记QX7-PLANTED: 储罐区夜间关闭可燃气体报警仪后动火"
PLANTED = (NAME, PHONE, ORIGINAL, "QX7-PLANTED")
"""What must never appear: the name, the phone, the original text, and a marker inside it (a part would leak)."""


def forms(text: str) -> set[str]:
    """A planted string as it could appear in a surface: as is, and JSON-escaped (``\\uXXXX``)."""
    return {text, json.dumps(text)[1:-1]}


@dataclass
class Lifecycle:
    """One tip's whole life, and everything it left behind to search."""

    system: System
    client: TestClient
    settings: Settings
    caplog: pytest.LogCaptureFixture
    capsys: pytest.CaptureFixture[str]
    kafka: Tansu | None = None
    feed_headers: dict[str, str] = field(default_factory=dict)
    tip_id: str = ""
    received_at: int = 0
    """The log position of the receipt."""
    responses: list[tuple[str, str]] = field(default_factory=list)
    disclosures: list[str] = field(default_factory=list)
    command_line: list[tuple[str, str]] = field(default_factory=list)

    def call(self, method: str, path: str, headers: dict[str, str], json_body: Any = None) -> Any:
        response = self.client.request(method, path, headers=headers, json=json_body)
        self.responses.append((f"HTTP {method} {path} → {response.status_code}",
                               "\n".join([*(f"{k}: {v}" for k, v in response.headers.items()), response.text])))
        return response

    def zeren(self, *argv: str) -> str:
        code, out, err = run_zeren(self.capsys, *argv)
        self.command_line.append((f"zeren {' '.join(argv)}", out + err))
        assert not code, err
        return out


def stored_events(run: Lifecycle) -> dict[str, str]:
    """The exact stored bytes of every event: sealed fields must be ciphertext."""
    found = {}
    for entry in run.system.store.read(0, 1_000_000):
        found[f"stored event {entry.position} {type(entry.event).__name__} {entry.event.originator_id}"] = (
            entry.state.decode("utf-8"))
        if isinstance(entry.event, t.TipReceived):
            assert entry.event.reporter_sealed.startswith("zk1:tip:")
            assert entry.event.original_sealed.startswith("zk1:tip:")
    return found


def _text(value: Any) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def database_tables(run: Lifecycle) -> dict[str, str]:
    """Every row of every table in the database: the event store, receipts, data keys, every read model."""
    db = run.system.db
    listing = ("SELECT name AS t FROM sqlite_master WHERE type = 'table'" if db.dialect == "sqlite" else
               "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema()")
    found = {}
    with db.read() as conn:
        tables = list(conn.execute(text(listing)).scalars())
        for table in tables:
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).mappings()
            found[f"table {table}"] = "\n".join(" | ".join(_text(v) for v in row.values()) for row in rows)
    projected = set(run.system.runner.tables())
    assert projected <= set(tables), "every projection's tables were dumped"
    assert {"tip_ledger", "tip_outcomes", "audit_events", "data_keys", "command_receipts"} <= set(tables)
    return found


def http_responses(run: Lifecycle) -> dict[str, str]:
    """Every API answer and error body of the lifecycle (headers included), but the recorded disclosures."""
    return {f"{i:02d} {label}": text for i, (label, text) in enumerate(run.responses)}


def command_line_output(run: Lifecycle) -> dict[str, str]:
    return dict(run.command_line)


def logs(run: Lifecycle) -> dict[str, str]:
    """Everything logged at DEBUG and above, by any logger (the app's, uvicorn's, the libraries')."""
    records = run.caplog.records
    assert records, "logging was captured"
    return {"logs": "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in records)}


def docs(_: Lifecycle) -> dict[str, str]:
    """The committed docs and the generated ones (``zeren docs events``, ``zeren docs schemas``)."""
    generated = {"docs/events.md": render_events(),
                 **{f"docs/schemas/{name}": text for name, text in render_schemas(event_classes()).items()}}
    return {**{f"docs/{p.relative_to(ROOT / 'docs')}": p.read_bytes().decode("utf-8", errors="replace")
               for p in sorted((ROOT / "docs").rglob("*")) if p.is_file()}, **generated}  # a screenshot too


def kafka_stream(run: Lifecycle) -> dict[str, str]:
    """Every message the relay publishes for the whole log, as a consumer reads it: value, key and headers."""
    assert run.kafka is not None
    settings = run.settings.model_copy(update={"kafka_bootstrap": run.kafka.bootstrap, "kafka_partitions": 1,
                                               "kafka_topic": unique("secrecy"), "relay_timeout_seconds": 5.0})
    relay = Relay(settings, run.system.db, run.system.store)
    try:
        published = relay.catch_up()
    finally:
        relay.close()
    assert published == len(run.system.store.read(0, 1_000_000)), "the whole log was published"
    records = consume_kafka_python(run.kafka.bootstrap, settings.kafka_topic, lambda got: len(got) >= published)
    return {f"kafka {r.partition}:{r.offset}": "\n".join([_text(r.key), _text(r.value),
                                                          *(f"{k}: {_text(v)}" for k, v in r.headers.items())])
            for r in records}


def event_feed(run: Lifecycle) -> dict[str, str]:
    """Every page of the HTTP event feed from the start of the log."""
    pages, after = {}, 0
    while True:
        response = run.client.get(f"/api/v1/events?after={after}&limit=200", headers=run.feed_headers)
        assert response.status_code == 200, response.text
        pages[f"event feed after {after}"] = response.text
        page = response.json()
        if not page["items"]:
            return pages
        after = page["next_after"]


def live_tail(run: Lifecycle) -> dict[str, str]:
    """The SSE live tail (``/events/live``) from the start of the log up to its head."""
    head, lines = run.system.store.head(), []
    with run.client.stream("GET", "/api/v1/events/live", headers=run.feed_headers) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            lines.append(line)
            if line == f"id: {head}":
                break
    return {"SSE live tail": "\n".join(lines)}


def audit_export(run: Lifecycle) -> dict[str, str]:
    """Every byte of a full audit bundle, with each event's exported stored bytes decoded."""
    bundle = run.settings.data_dir / "secrecy-bundle.zip"
    run.zeren("audit", "seal")
    run.zeren("audit", "export", "-o", str(bundle))
    return {"audit bundle": everything_in(bundle).decode("utf-8", errors="replace")}


COLLECTORS: tuple[Callable[[Lifecycle], dict[str, str]], ...] = (
    stored_events, database_tables, http_responses, command_line_output, logs, docs, kafka_stream, event_feed,
    live_tail, audit_export,
)
"""Every surface an identity could leak through; an outbound path added to Zeren adds its collector here."""


def collect_surfaces(run: Lifecycle) -> dict[str, str]:
    surfaces: dict[str, str] = {}
    for collect in COLLECTORS:
        surfaces.update(collect(run))
    return surfaces


def decided_case(system: System, world: World, tip_id: UUID, fine: Decimal, decision: str) -> UUID:
    """The penalty case the tip led to (安全生产法 第102条), decided 20 days on with ``fine``: the reward reads it."""
    officer = Principal("test:enforcement", "enforcement", COUNTY)
    now = system.service.clock.now()
    case_id = system.service.execute(c.OpenCase(
        unit_id=world.enterprise, department_id=world.department, article="安全生产法 第102条",
        violation="动火作业未办理作业票证", violated_at=now - timedelta(days=1), source_kind=cs.SourceKind.tip,
        source_id=tip_id), officer).id
    system.service.execute(c.ServePenaltyNotice(case_id=case_id), officer)
    later = now + timedelta(days=20)
    system.service.execute(c.CompleteLegalReview(case_id=case_id, opinion="同意", effective_at=later), officer)
    system.service.execute(c.DecideCase(case_id=case_id, decision_no=decision, unit_yuan=fine, effective_at=later,
                                        departure_reason="情节较重"), officer)
    return case_id


def live(run: Lifecycle, system: System, token: Callable[..., dict[str, str]]) -> None:
    """The tip's life: over HTTP wherever the API offers it, and the command line for the rest."""
    world = World(system)
    inspector_person = world.person(31, "林检查")
    officer, admin = token("tip_officer", COUNTY), token("admin", "350000")
    run.feed_headers = token("stream", "350000")
    inspector = token("inspector", COUNTY, unit_id=world.department, person_id=inspector_person)
    body = {"channel": "internal_whistleblower", "receiving_unit_id": str(world.department),
            "subject": {"kind": "unit", "unit_id": str(world.enterprise), "description": "储罐区动火作业不规范"},
            "summary": "内部员工反映储罐区违规动火", "original_text": ORIGINAL,
            "reporter": {"name": NAME, "contact": PHONE}}

    invalid_tag = run.call("POST", "/api/v1/tips", officer, {**body, "subject": {"kind": f"{NAME} {PHONE}"}})
    assert (invalid_tag.status_code, invalid_tag.json()["code"]) == (422, "invalid-request")
    too_long = run.call("POST", "/api/v1/tips", officer, {**body, "reporter": {"name": NAME * 20, "contact": PHONE}})
    assert too_long.status_code == 422
    naming = run.call("POST", "/api/v1/tips", officer, {**body, "summary": f"{NAME}反映储罐区违规动火"})
    assert (naming.status_code, naming.json()["code"]) == (422, "text-names-reporter")

    created = run.call("POST", "/api/v1/tips", officer, body)
    assert created.status_code == 201
    run.tip_id = tip_id = created.json()["id"]
    run.received_at = created.json()["position"]
    assert run.call("POST", f"/api/v1/tips/{tip_id}/verification", officer,
                    {"verdict": "substantiated", "finding": "现场查实未办理动火作业票证"}).status_code == 200
    hazard = run.call("POST", "/api/v1/hazards", inspector, {
        "unit_id": str(world.enterprise), "grade": "general", "description": "动火作业未办理作业票证",
        "source": "tip", "tip_id": tip_id})
    assert hazard.status_code == 201, hazard.text
    hazard_id = hazard.json()["id"]
    case_id = decided_case(system, world, UUID(tip_id), Decimal(30000), "泉港应急罚〔2026〕21号")
    system.runner.catch_up()  # the reward rule asks the tip ledger which tips reported the same matter
    proposed = run.call("POST", f"/api/v1/tips/{tip_id}/reward-proposal", officer,
                        {"outcome_id": hazard_id, "case_id": str(case_id)})
    assert proposed.status_code == 200, proposed.text
    assert run.call("POST", f"/api/v1/tips/{tip_id}/reward-payment", officer,
                    {"amount_yuan": "4500.00", "payment_ref": "JL-2026-0021"}).status_code == 200
    assert run.call("POST", f"/api/v1/tips/{tip_id}/feedback", officer,
                    {"method": "phone", "content": "经查属实, 已责令整改并依法处罚, 奖励已发放"}).status_code == 200

    refused = run.call("POST", f"/api/v1/tips/{tip_id}/identity-disclosures", admin, {"reason": "想看看"})
    assert refused.status_code == 403
    disclosed = run.client.post(f"/api/v1/tips/{tip_id}/identity-disclosures", headers=officer,
                                json={"reason": "核实奖励领取人身份"})
    assert disclosed.status_code == 200
    run.disclosures.append(disclosed.text)

    position = disclosed.json()["disclosure"]["position"]
    for path in (f"/api/v1/tips?min_position={position}", f"/api/v1/tips/{tip_id}", f"/api/v1/hazards/{hazard_id}",
                 f"/api/v1/audit-trail?aggregate_id={tip_id}", "/api/v1/audit-trail?limit=1000",
                 f"/api/v1/aggregates/{tip_id}/replay", f"/api/v1/aggregates/{hazard_id}/replay"):
        assert run.call("GET", path, officer).status_code == 200, path
    run.zeren("replay", tip_id)

    run.zeren("tips", "shred", tip_id, "--reason", "举报人申请删除个人信息")
    gone = run.call("POST", f"/api/v1/tips/{tip_id}/identity-disclosures", officer, {"reason": "再次核实"})
    assert (gone.status_code, gone.json()["code"]) == (410, "identity-shredded")
    system.runner.catch_up()
    position = system.store.head()
    for path in (f"/api/v1/tips/{tip_id}?min_position={position}",
                 f"/api/v1/audit-trail?aggregate_id={tip_id}&min_position={position}",
                 f"/api/v1/aggregates/{tip_id}/replay"):
        assert run.call("GET", path, officer).status_code == 200, f"{path} still loads after shredding"
    replayed = run.zeren("replay", tip_id)
    assert "ReporterIdentityShredded" in replayed
    system.runner.rebuild()
    system.runner.catch_up()
    [rebuilt] = system.queries.tips.ledger(COUNTY, tip_id=tip_id)
    assert rebuilt["identity_shredded_at"] is not None, "the read models rebuild from the shredded history"


def test_the_planted_identity_is_found_nowhere(system: System, client: TestClient, settings: Settings, token,
                                               monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
                                               capsys: pytest.CaptureFixture[str], kafka_broker: Tansu) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "fastapi", "httpx", "eventsourcing", "psycopg",
                 "api", "application", "projections", "infrastructure"):
        caplog.set_level(logging.DEBUG, logger=name)
    cli_env(settings, monkeypatch)
    run = Lifecycle(system, client, settings, caplog, capsys, kafka=kafka_broker)
    live(run, system, token)

    # The search can find them: the recorded disclosure shows them; pydantic's own message for the refused tag
    # quotes them, so the problem body had to leave them out.
    assert all(text in run.disclosures[0] for text in (NAME, PHONE, ORIGINAL))
    with pytest.raises(ValidationError) as raw:
        TypeAdapter(t.TipSubject).validate_python({"kind": f"{NAME} {PHONE}"})
    assert NAME in raw.value.errors()[0]["msg"]

    surfaces = collect_surfaces(run)
    assert len(surfaces) > 50
    leaks = {name: sorted(p for p in PLANTED if any(f in text for f in forms(p)))
             for name, text in surfaces.items()}
    assert {name: found for name, found in leaks.items() if found} == {}

    # Not even the ciphertext leaves the store — but for the audit bundle, which must carry the exact stored bytes
    # for an auditor to recompute their hashes (docs/audit.md); its key is shredded, so it is noise for good.
    received = system.store.history(UUID(run.tip_id))[0]
    assert isinstance(received, t.TipReceived)
    assert received.reporter_sealed is not None, "the planted reporter is named"
    sealed = (received.reporter_sealed, received.original_sealed)
    carriers = {name for name, text in surfaces.items() if any(s in text for s in sealed)}
    assert carriers == {f"stored event {run.received_at} TipReceived {run.tip_id}", f"table {EVENTS_TABLE}",
                        "audit bundle"}
    assert any(name.startswith("kafka ") for name in surfaces)
    assert any(name.startswith("event feed ") for name in surfaces)
    assert "TipReceived" in surfaces["SSE live tail"]
