"""The Kafka relay against a real Kafka wire-protocol broker (Tansu), read back with two independent clients.

The demo history goes out through the relay and comes back through kafka-python and confluent-kafka (librdkafka):
every envelope equals the HTTP feed's, validates against its published JSON Schema, keeps per-aggregate order, and
carries no redacted field. A network outage pauses the relay without moving its position; a broker that dies and
comes back empty gets every event again from the relay's position. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from api.app import create_app
from api.auth import issue_token
from api.bootstrap import System
from api.catalogue import event_classes
from api.demo.identifiers import resident_id
from application import people as pp
from domain.identifiers import mask_certificate_number
from domain.people import Certificate, CertificateKind, PersonRegistered
from infrastructure.settings import Settings
from infrastructure.stream.envelope import STRUCTURED_CONTENT_TYPE
from infrastructure.stream.relay import BrokerUnavailable, Relay, relay_statuses
from infrastructure.stream.schemas import render_schemas
from tests.conftest import REGISTRAR
from tests.kafka_broker import Consumed, ProxiedBroker, Tansu, consume_confluent, consume_kafka_python, unique

pytestmark = pytest.mark.kafka


def relay_settings(settings: Settings, bootstrap: str, **overrides: Any) -> Settings:
    return settings.model_copy(update={
        "kafka_bootstrap": bootstrap, "kafka_topic": unique("zeren.events"), "kafka_partitions": 3,
        "relay_batch_size": 40, "relay_timeout_seconds": 2.0, "relay_poll_seconds": 0.05, **overrides,
    })


def bearer(settings: Settings, role: str, jurisdiction: str) -> dict[str, str]:
    token = issue_token(settings.resolved_jwt_secret, subject=f"{role}@{jurisdiction}", role=role,
                        jurisdiction=jurisdiction)
    return {"Authorization": f"Bearer {token}"}


def feed(system: System, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every envelope the HTTP feed serves to ``headers``, page by page."""
    items: list[dict[str, Any]] = []
    after = 0
    with TestClient(create_app(system, follow=False)) as client:
        while True:
            page = client.get(f"/api/v1/events?after={after}&limit=1000", headers=headers)
            assert page.status_code == 200, page.text
            body = page.json()
            if body["next_after"] == after:
                return items
            items += body["items"]
            after = body["next_after"]


def validators() -> dict[str, Draft202012Validator]:
    """What a consumer that knows only docs/stream.md and the schemas (``zeren docs schemas``) would build."""
    files = render_schemas(event_classes())
    index = orjson.loads(files["index.json"])
    return {entry["type"]: Draft202012Validator(orjson.loads(files[entry["schema"]]),
                                                format_checker=Draft202012Validator.FORMAT_CHECKER)
            for entry in index["types"]}


def first_occurrences(records: list[Consumed]) -> list[dict[str, Any]]:
    """What a consumer keeps after deduplicating on the envelope id, in the order it read them."""
    seen: set[str] = set()
    kept = []
    for record in records:
        envelope = record.envelope
        if envelope["id"] not in seen:
            seen.add(envelope["id"])
            kept.append(envelope)
    return kept


def assert_per_aggregate_order(envelopes: list[dict[str, Any]]) -> None:
    """Each aggregate's versions arrive 1, 2, 3 … in order: a consumer sees no gap."""
    versions: dict[str, list[int]] = defaultdict(list)
    for envelope in envelopes:
        versions[envelope["subject"]].append(envelope["zerenversion"])
    for subject, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), f"{subject}: versions arrived as {seen}"


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.05)


def lag(system: System, relay: Relay) -> int:
    return next(s.lag for s in relay_statuses(system.db, system.store, relay.topic) if s.name == relay.name)


def test_the_demo_history_round_trips_through_two_clients(demo: System, kafka_broker: Tansu) -> None:
    settings = relay_settings(demo.settings, kafka_broker.bootstrap)
    relay = Relay(settings, demo.db, demo.store)
    try:
        published = relay.catch_up()
    finally:
        relay.close()
    events = demo.store.read(0, 100_000)
    assert published == len(events) > 200
    assert lag(demo, relay) == 0
    with TestClient(create_app(demo, follow=False)) as http:
        relays = {r["name"]: r for r in http.get("/healthz").json()["relays"]}
    assert relays[relay.name]["lag"] == 0, "/healthz reports the relay caught up"

    # the HTTP feed is scoped: the demo's two provinces (泉港区 in 福建, 惠济区 in 河南) together are the whole log
    served = [e for province in ("350000", "410000")
              for e in feed(demo, bearer(demo.settings, "admin", province))]  # a stream token gets tips outlined
    expected = sorted({e["id"]: e for e in served}.values(), key=lambda e: e["zerenposition"])
    assert [e["zerenposition"] for e in expected] == [e.position for e in events]
    by_id = {e["id"]: e for e in expected}
    check = validators()

    def enough(records: list[Consumed]) -> bool:
        return len(records) >= len(events)

    topic = settings.kafka_topic
    for client, records in (("kafka-python", consume_kafka_python(kafka_broker.bootstrap, topic, enough)),
                            ("confluent-kafka", consume_confluent(kafka_broker.bootstrap, topic, enough))):
        assert len(records) == len(events), client
        for record in records:
            envelope = record.envelope
            assert envelope == by_id[envelope["id"]], f"{client}: the Kafka envelope differs from the feed's"
            check[envelope["type"]].validate(envelope)
            assert record.key == envelope["subject"].encode()
            assert record.headers["content-type"] == STRUCTURED_CONTENT_TYPE.encode()
            for attribute in ("id", "type", "source", "specversion", "subject", "time", "zerenposition",
                              "zerenversion", "zereneffective"):
                assert record.headers[f"ce_{attribute}"] == str(envelope[attribute]).encode(), (client, attribute)
            if envelope["type"] == "cn.zeren.people.PersonRegistered.v1":
                assert set(envelope["data"]) == {"name", "id_number_masked"}, "redacted fields were published"
        by_partition: dict[int, list[Consumed]] = defaultdict(list)
        for record in records:
            by_partition[record.partition].append(record)
        for partition in by_partition.values():
            positions = [r.envelope["zerenposition"] for r in sorted(partition, key=lambda r: r.offset)]
            assert positions == sorted(positions), f"{client}: a partition is out of log order"
        assert_per_aggregate_order(sorted((r.envelope for r in records), key=lambda e: e["zerenposition"]))
        parsed = ce_kafka.from_structured(ce_kafka.KafkaMessage(records[0].headers, records[0].key, records[0].value),
                                          JSONFormat())
        assert parsed.get_id() == records[0].envelope["id"], "the CloudEvents SDK reads the structured message"


def test_redacted_fields_reach_neither_kafka_nor_the_feed(system: System, kafka_broker: Tansu, token) -> None:
    from tests.builders import World

    """Nor does a certificate number go out whole: a 特种作业操作证 number is "T" + the holder's 身份证号 (issue 9
    §2), so Kafka, like the feed, carries it masked (``DomainEvent.masked``, docs/stream.md)."""
    World(system)
    id_number = resident_id(date(1979, 3, 2), 11)
    person = system.service.execute(pp.RegisterPerson(name="王五", id_number=id_number), REGISTRAR).id
    number = "T" + id_number
    system.service.execute(pp.IssueCertificate(person_id=person, certificate=Certificate(
        number=number, kind=CertificateKind.special_operation, operation="焊接与热切割作业", issuer="泉州市应急管理局",
        issued_on=date(2024, 1, 1), expires_on=date(2030, 1, 1))), REGISTRAR)
    system.service.execute(pp.RevokeCertificate(person_id=person, number=number, reason="违章作业"), REGISTRAR)
    stored = system.store.history(person)[0]
    assert isinstance(stored, PersonRegistered)
    secrets = [stored.id_number_sealed, stored.id_number_digest, id_number, id_number[4:-4]]
    settings = relay_settings(system.settings, kafka_broker.bootstrap)
    relay = Relay(settings, system.db, system.store)
    try:
        relay.catch_up()
    finally:
        relay.close()
    records = consume_kafka_python(kafka_broker.bootstrap, settings.kafka_topic,
                                   lambda rs: len(rs) >= system.store.head())
    raw = b"".join(r.value + b"".join(r.headers.values()) for r in records)
    with TestClient(create_app(system, follow=False)) as client:
        served = client.get("/api/v1/events?limit=1000", headers=token("admin", "350000")).content
    registered = [r.envelope for r in records if r.envelope["subject"] == str(person)]
    assert registered
    assert registered[0]["data"] == {"name": "王五", "id_number_masked": stored.id_number_masked}
    assert [r["data"]["certificate"]["number"] for r in registered if "certificate" in r["data"]] == [
        mask_certificate_number(number)]
    assert [r["data"]["number"] for r in registered if "number" in r["data"]] == [mask_certificate_number(number)]
    for secret in secrets:
        assert secret.encode() not in raw
        assert secret.encode() not in served


def test_an_outage_pauses_the_relay_and_it_resumes_without_loss(demo: System, kafka_proxy: ProxiedBroker) -> None:
    settings = relay_settings(demo.settings, kafka_proxy.bootstrap, relay_batch_size=25, relay_timeout_seconds=1.0)
    relay = Relay(settings, demo.db, demo.store)
    for _ in range(3):
        relay.step()
    before = relay.position()
    assert 0 < before < demo.store.head()

    kafka_proxy.proxy.cut()
    with pytest.raises(BrokerUnavailable):
        relay.step()
    assert relay.position() == before, "the relay advanced without the broker's acknowledgement"
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        written_during_outage = demo.service.execute(
            pp.RegisterPerson(name="赵六", id_number=resident_id(date(1985, 8, 8), 12),
                              jurisdiction="350000/350500/350505"), REGISTRAR).id
        time.sleep(2.5)
        assert relay.position() == before, "the relay advanced during the outage"
        assert lag(demo, relay) > 0

        kafka_proxy.proxy.restore()
        wait_until(lambda: lag(demo, relay) == 0, 30, "the relay caught up after the outage")
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()

    events = demo.store.read(0, 100_000)
    records = consume_kafka_python(kafka_proxy.bootstrap, settings.kafka_topic,
                                   lambda rs: {r.envelope["zerenposition"] for r in rs} >= {e.position for e in events})
    kept = first_occurrences(records)
    assert [e["zerenposition"] for e in sorted(kept, key=lambda e: e["zerenposition"])] == [e.position for e in events]
    assert str(written_during_outage) in {e["subject"] for e in kept}
    assert_per_aggregate_order(kept)


def test_a_broker_that_dies_and_comes_back_empty_gets_every_event_again(demo: System, tmp_path: Path) -> None:
    broker = Tansu(tmp_path)
    broker.start()
    try:
        settings = relay_settings(demo.settings, broker.bootstrap, relay_batch_size=30, relay_timeout_seconds=1.0)
        relay = Relay(settings, demo.db, demo.store)
        for _ in range(4):
            relay.step()
        killed_at = relay.position()
        events = demo.store.read(0, 100_000)
        assert 0 < killed_at < events[-1].position
        before_kill = consume_kafka_python(broker.bootstrap, settings.kafka_topic,
                                           lambda rs: max((r.envelope["zerenposition"] for r in rs), default=0)
                                           >= killed_at)

        broker.kill()
        stop = threading.Event()
        thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
        thread.start()
        try:
            time.sleep(1.5)
            assert relay.position() == killed_at, "the relay advanced while the broker was dead"
            broker.start()  # same port, empty: memory storage
            wait_until(lambda: lag(demo, relay) == 0, 30, "the relay caught up with the restarted broker")
        finally:
            stop.set()
            thread.join(timeout=10)

        after_restart = consume_confluent(broker.bootstrap, settings.kafka_topic,
                                          lambda rs: len(rs) >= len([e for e in events if e.position > killed_at]))
        assert min(r.envelope["zerenposition"] for r in after_restart) > killed_at, "re-sent what was acknowledged"
        kept = first_occurrences(before_kill + after_restart)
        assert sorted(e["zerenposition"] for e in kept) == [e.position for e in events], "an event was lost"
        assert_per_aggregate_order(kept)
    finally:
        broker.kill()
