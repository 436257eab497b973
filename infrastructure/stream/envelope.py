"""The published contract: every stored event as a CloudEvents 1.0 structured JSON envelope (docs/architecture.md §7).

The envelope is a pure function of the stored event and the deployment's name, so the same event always has the
same envelope, on Kafka and on the HTTP feed alike; ``docs/stream.md`` explains it to consumers:

- ``id`` = ``DomainEvent.id`` (``uuid5`` of "<aggregate id>:<aggregate version>", ``domain.base.event_id``): an
  aggregate version is stored once, so the id names the event for ever (consumers dedupe on it), and a policy
  event's ``zerencausation`` is the ``id`` of the event that caused it;
- ``source`` = ``zeren://<deployment>/<jurisdiction>``; ``type`` = ``cn.zeren.<context>.<EventName>.v<N>``;
  ``subject`` = the aggregate id; ``time`` = recorded time; ``data`` = the event's public fields only: redacted
  fields (``DomainEvent.redacted``, e.g. a sealed identity number) never leave the store;
- extension attributes ``zeren…`` carry the log position, the aggregate version and the rest of the event's
  envelope (docs/architecture.md §3). Their names follow CloudEvents 1.0 §3.1.1 (a–z, 0–9, at most 20 characters).

Attributes are validated by the ``cloudevents`` SDK's ``CloudEvent``; the JSON is written with orjson.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

import orjson
from cloudevents.core.bindings import kafka
from cloudevents.core.bindings.common import CONTENT_TYPE_HEADER
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from application.ports import LogEntry
from domain.base import DomainEvent

SPECVERSION: Final = "1.0"
TYPE_PREFIX: Final = "cn.zeren"
DATA_CONTENT_TYPE: Final = "application/json"
STRUCTURED_CONTENT_TYPE: Final = "application/cloudevents+json; charset=utf-8"
"""The ``content-type`` of a Kafka message (and of an HTTP body) holding one structured envelope."""

EXTENSIONS: Final[dict[str, str]] = {
    "zerenposition": "Position in Zeren's one ordered log: increases along the log, but may skip numbers.",
    "zerenversion": "Version of the aggregate (the subject) this event made: 1, 2, 3 … without gaps.",
    "zereneffective": "Effective time (RFC 3339): when it happened in the world; `time` is when it was recorded.",
    "zerencorrelation": "Id of the command, or of the case, this event belongs to.",
    "zerencausation": "Id of the command or event that caused it.",
    "zerenactor": "The authenticated principal that caused it (`system:zeren` for events a rule derived).",
    "zerenrole": "The role the actor acted in.",
    "zerenbasis": "The document or rule it rests on, e.g. 安全生产法 第94条.",
    "zerenrules": "The rules pack and version that decided it.",
}
"""Zeren's extension attributes and what they mean (the schemas and docs/stream.md describe them from here)."""
INTEGER_EXTENSIONS: Final = frozenset({"zerenposition", "zerenversion"})
OPTIONAL_EXTENSIONS: Final = frozenset({"zerencausation", "zerenbasis", "zerenrules"})
"""Present only when the event has them."""


def event_type(cls: type[DomainEvent]) -> str:
    """``cn.zeren.<context>.<EventName>.v<N>``: a changed event schema gets a new ``N`` (docs/stream.md)."""
    return f"{TYPE_PREFIX}.{cls.context}.{cls.__name__}.v{cls.class_version}"


def source(deployment: str, jurisdiction: str) -> str:
    return f"zeren://{deployment}/{jurisdiction}"


def rfc3339(moment: datetime) -> str:
    """A time as RFC 3339 UTC text, written as the SDK writes ``time`` (so ``ce_time`` mirrors the JSON); a time
    that has no UTC equivalent (an event stored before ``domain.bounds``: ``0001-01-01T00:00:00+08:00``) keeps
    its own offset."""
    try:
        text = moment.astimezone(UTC).isoformat()
    except (OverflowError, ValueError):
        return moment.isoformat()
    return text.removesuffix("+00:00") + "Z"


def cloud_event(entry: LogEntry, deployment: str) -> CloudEvent:
    """The CloudEvent of one log entry (attributes checked by the SDK)."""
    event, env = entry.event, entry.event.envelope
    attributes: dict[str, Any] = {
        "specversion": SPECVERSION,
        "id": str(event.id),
        "source": source(deployment, env.jurisdiction),
        "type": event_type(type(event)),
        "subject": str(event.originator_id),
        "time": event.timestamp.astimezone(UTC),
        "datacontenttype": DATA_CONTENT_TYPE,
        "zerenposition": entry.position,
        "zerenversion": event.originator_version,
        "zereneffective": rfc3339(env.effective_at),
        "zerencorrelation": str(env.correlation_id),
        "zerenactor": env.actor.principal,
        "zerenrole": env.actor.role,
    }
    optional = {"zerencausation": env.causation_id, "zerenbasis": env.basis, "zerenrules": env.rules_version}
    attributes.update({name: str(value) for name, value in optional.items() if value is not None})
    return CloudEvent(attributes, event.public_data())


def to_json(event: CloudEvent) -> dict[str, Any]:
    """The structured-mode JSON object of a CloudEvent: its attributes and ``data``."""
    document = dict(event.get_attributes())
    document["time"] = rfc3339(document["time"])
    document["data"] = event.get_data()
    return document


def envelope(entry: LogEntry, deployment: str) -> dict[str, Any]:
    """The published envelope of one log entry, as a JSON object (the HTTP feed's item, the Kafka value)."""
    return to_json(cloud_event(entry, deployment))


class StructuredJSON(JSONFormat):
    """The SDK's JSON event format, written with orjson as UTF-8 (the project's one JSON library)."""

    def write(self, event: Any) -> bytes:
        return orjson.dumps(to_json(event))

    def write_data(self, data: Any, datacontenttype: str | None) -> bytes:
        return orjson.dumps(data) if isinstance(data, dict) else super().write_data(data, datacontenttype)

    def get_content_type(self) -> str:
        return STRUCTURED_CONTENT_TYPE


FORMAT: Final = StructuredJSON()


def _subject(event: Any) -> str:
    return event.get_subject()


def kafka_message(event: CloudEvent) -> kafka.KafkaMessage:
    """The Kafka record of an event: key = aggregate id (per-aggregate order), value = the structured envelope,
    and headers: ``content-type`` (structured mode) plus the binary mode's ``ce_*`` headers mirroring every
    attribute, so consumers can route without parsing (Kafka protocol binding §3.3.3 allows both)."""
    structured = kafka.to_structured(event, FORMAT, key_mapper=_subject)
    mirrored = kafka.to_binary(event, FORMAT, key_mapper=_subject).headers
    mirrored.pop(CONTENT_TYPE_HEADER, None)  # binary mode's content-type is datacontenttype; ours is the format
    return kafka.KafkaMessage(headers={**mirrored, **structured.headers}, key=structured.key, value=structured.value)
