"""The published envelope: stable ids, CloudEvents naming rules, the Kafka record, and schemas that catch leaks."""

from __future__ import annotations

import re
from uuid import uuid5

import jsonschema
import orjson
import pytest
from cloudevents.core.bindings import kafka
from cloudevents.core.formats.json import JSONFormat
from jsonschema import Draft202012Validator

from api.bootstrap import System
from api.catalogue import event_classes
from domain.base import EVENT_NAMESPACE
from domain.people import PersonRegistered
from infrastructure.stream.envelope import (
    STRUCTURED_CONTENT_TYPE,
    cloud_event,
    envelope,
    event_type,
    kafka_message,
)
from infrastructure.stream.schemas import event_schema
from tests.builders import World

CORE = {"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data"}


@pytest.fixture
def entries(system: System) -> list:
    world = World(system)
    world.person(5)
    return system.store.read(0, 1000)


def test_the_same_event_always_has_the_same_envelope(system: System, entries: list) -> None:
    again = system.store.read(0, 1000)
    first = [envelope(e, "prod") for e in entries]
    assert first == [envelope(e, "prod") for e in again]
    assert len({e["id"] for e in first}) == len(first)
    for entry, published in zip(entries, first, strict=True):
        name = f"{entry.event.originator_id}:{entry.event.originator_version}"
        assert published["id"] == str(uuid5(EVENT_NAMESPACE, name))
        assert published["subject"] == str(entry.event.originator_id)
        assert published["zerenposition"] == entry.position
        assert published["zerenversion"] == entry.event.originator_version
        assert published["source"] == f"zeren://prod/{entry.event.envelope.jurisdiction}"
        assert published["time"].endswith("Z")


def test_attribute_names_follow_the_cloudevents_naming_rules(entries: list) -> None:
    for entry in entries:
        for name in envelope(entry, "prod"):
            assert re.fullmatch(r"[a-z0-9]{1,20}", name), name
    extensions = set(envelope(entries[0], "prod")) - CORE
    assert {"zerenposition", "zerenversion", "zereneffective", "zerenactor", "zerenrole"} <= extensions
    assert event_type(PersonRegistered) == "cn.zeren.people.PersonRegistered.v1"


def test_optional_attributes_appear_only_when_the_event_has_them(entries: list) -> None:
    for entry in entries:
        published = envelope(entry, "prod")
        assert ("zerenbasis" in published) == (entry.event.envelope.basis is not None)
        assert ("zerenrules" in published) == (entry.event.envelope.rules_version is not None)
    assert any("zerenbasis" in envelope(e, "prod") for e in entries), "the sector lead decision names its basis"


def test_the_kafka_record_is_structured_with_mirroring_ce_headers(entries: list) -> None:
    for entry in entries:
        event = cloud_event(entry, "prod")
        message = kafka_message(event)
        published = envelope(entry, "prod")
        assert orjson.loads(message.value) == published
        assert message.key == published["subject"]
        assert message.headers["content-type"] == STRUCTURED_CONTENT_TYPE.encode()
        mirrored = {k.removeprefix("ce_"): v.decode() for k, v in message.headers.items() if k.startswith("ce_")}
        assert mirrored == {k: str(v) for k, v in published.items() if k not in ("data", "datacontenttype")}
        back = kafka.from_structured(message, JSONFormat())
        assert back.get_id() == published["id"]
        assert back.get_data() == published["data"]


def test_each_type_has_a_valid_schema_that_catches_a_leaked_field(entries: list) -> None:
    for cls in event_classes():
        Draft202012Validator.check_schema(event_schema(cls))
    person = next(e for e in entries if isinstance(e.event, PersonRegistered))
    validator = Draft202012Validator(event_schema(PersonRegistered), format_checker=Draft202012Validator.FORMAT_CHECKER)
    published = envelope(person, "prod")
    validator.validate(published)
    leaked = {**published, "data": {**published["data"], "id_number_digest": person.event.id_number_digest}}
    with pytest.raises(jsonschema.ValidationError, match="id_number_digest"):
        validator.validate(leaked)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**published, "time": "yesterday"})
