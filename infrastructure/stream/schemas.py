"""JSON Schemas of the published envelopes, one per event type, generated from the event classes.

Each schema (JSON Schema 2020-12) describes a whole structured envelope: the CloudEvents attributes, Zeren's
extension attributes and, under ``data``, the event's public fields as pydantic declares them — redacted fields
are not in the schema, and ``data`` admits no other property, so a leaked field fails validation. Written to
``docs/schemas/<type>.json`` with an ``index.json`` by ``zeren docs schemas`` (generated, not committed); served at
``/api/v1/schemas``. What is committed is the freeze of the released versions (``docs/schemas.released.json``: the
digest of each released type's schema, :func:`digest`), and the schema of a released version a ``class_version`` bump
superseded (``docs/schemas-superseded/``) until its retirement: a test holds the code to both (docs/stream.md).
The superseded schemas are served and indexed beside the current ones (:func:`render_schemas`), so a consumer can
read an old event's shape; the image copies them into the package (``superseded/``, docker/Dockerfile).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import orjson

from domain.base import DomainEvent
from infrastructure.stream.envelope import (
    DATA_CONTENT_TYPE,
    EXTENSIONS,
    INTEGER_EXTENSIONS,
    OPTIONAL_EXTENSIONS,
    SPECVERSION,
    event_type,
)

SUPERSEDED: Final = (Path(__file__).parent / "superseded", Path(__file__).resolve().parents[2] / "docs"
                     / "schemas-superseded")
"""Where the committed schemas of superseded versions are: copied into the package (an installed image), or in
the source tree's ``docs/schemas-superseded/``."""
DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
INDEX: Final = "index.json"
_NOT_DATA = frozenset(DomainEvent.model_fields)
_UUID = {"type": "string", "format": "uuid"}
_TIME = {"type": "string", "format": "date-time"}


def data_schema(cls: type[DomainEvent]) -> dict[str, Any]:
    """The schema of ``cls().public_data()``: the model's serialised fields less the envelope and redacted ones."""
    schema = cls.model_json_schema(mode="serialization")
    hidden = _NOT_DATA | cls.redacted
    schema["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k not in hidden}
    schema["required"] = [k for k in schema.get("required", []) if k not in hidden]
    schema.pop("title", None)
    defs = schema.pop("$defs", {})
    used = set(_references(schema, defs))
    if used:
        schema["$defs"] = {name: defs[name] for name in sorted(used)}
    return schema


def _references(node: Any, defs: dict[str, Any], seen: set[str] | None = None) -> Iterator[str]:
    """The ``$defs`` names reachable from ``node``."""
    seen = set() if seen is None else seen
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and (name := ref.removeprefix("#/$defs/")) not in seen:
            seen.add(name)
            yield name
            yield from _references(defs[name], defs, seen)
        for value in node.values():
            yield from _references(value, defs, seen)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value, defs, seen)


def _extension(name: str) -> dict[str, Any]:
    if name in INTEGER_EXTENSIONS:
        shape: dict[str, Any] = {"type": "integer", "minimum": 1}
    elif name == "zereneffective":
        shape = dict(_TIME)
    elif name in ("zerencorrelation", "zerencausation"):
        shape = dict(_UUID)
    else:
        shape = {"type": "string", "minLength": 1}
    return {**shape, "description": EXTENSIONS[name]}


def event_schema(cls: type[DomainEvent]) -> dict[str, Any]:
    """The schema of the envelope of ``cls`` events."""
    kind = event_type(cls)
    data = data_schema(cls)
    defs = data.pop("$defs", {})
    doc = (cls.__doc__ or "").strip()
    properties: dict[str, Any] = {
        "specversion": {"const": SPECVERSION},
        "id": {**_UUID, "description": "Stable id of the event: the same event always has the same id; dedupe on it."},
        "source": {"type": "string", "pattern": "^zeren://[^/]+/[0-9]+(/[0-9]+)*$",
                   "description": "zeren://<deployment>/<jurisdiction path of 行政区划代码>"},
        "type": {"const": kind},
        "subject": {**_UUID, "description": "Id of the aggregate (record) the event belongs to; the Kafka key."},
        "time": {**_TIME, "description": "Recorded time: when Zeren stored the event."},
        "datacontenttype": {"const": DATA_CONTENT_TYPE},
        **{name: _extension(name) for name in EXTENSIONS},
        "data": data,
    }
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": f"urn:zeren:schema:{kind}",
        "title": f"{kind} — {cls.term}",
        "description": f"{doc}\n\nA CloudEvents 1.0 structured envelope; see docs/stream.md.",
        "type": "object",
        "required": [name for name in properties if name not in OPTIONAL_EXTENSIONS],
        "properties": properties,
    }
    if defs:
        schema["$defs"] = defs
    return schema


def superseded_schemas() -> dict[str, dict[str, Any]]:
    """Type → schema of every superseded version still published (``docs/schemas-superseded/``)."""
    directory = next((d for d in SUPERSEDED if d.is_dir()), None)
    files = sorted(directory.glob("*.json")) if directory else []
    return {path.stem: orjson.loads(path.read_bytes()) for path in files}


def schema_index(classes: Iterable[type[DomainEvent]],
                 superseded: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Every published type with its event name, Chinese term, context, version and schema file: the current
    versions (``status: current``, with the older versions the class upcasts from, ``supersedes``) and the superseded
    versions still published (``status: superseded``, ``superseded_by`` the type their events are published as now,
    ``upcaster`` the function that brings their ``data`` to the next version)."""
    classes, superseded = list(classes), superseded or {}
    by_type = {event_type(cls): cls for cls in classes}
    types: list[dict[str, Any]] = []
    for kind, cls in by_type.items():
        older = [kind.rsplit(".v", 1)[0] + f".v{v}" for v in range(1, cls.class_version)]
        types.append({"type": kind, "event": cls.__name__, "term": cls.term, "context": cls.context,
                      "version": cls.class_version, "schema": f"{kind}.json", "status": "current",
                      "supersedes": [{"type": t, "schema": f"{t}.json" if t in superseded else None} for t in older]})
    for kind in sorted(superseded):
        stem, version = kind.rsplit(".v", 1)
        current = next((k for k in by_type if k.rsplit(".v", 1)[0] == stem), None)
        newer = by_type.get(current) if current else None
        types.append({"type": kind, "event": stem.rsplit(".", 1)[-1], "term": newer.term if newer else None,
                      "context": stem.split(".")[2], "version": int(version), "schema": f"{kind}.json",
                      "status": "superseded", "superseded_by": current,
                      "upcaster": f"upcast_v{version}_v{int(version) + 1}" if current else None})
    return {
        "description": "JSON Schemas of the Zeren event stream, one per CloudEvents type (see docs/stream.md): the "
                       "current versions and the superseded ones still published until their retirement.",
        "types": types,
    }


def _text(value: dict[str, Any]) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"


def render_schemas(classes: Iterable[type[DomainEvent]], *, superseded: bool = True) -> dict[str, str]:
    """File name → text of every schema and of the index; ``superseded``: with the superseded versions still
    published (:func:`superseded_schemas`)."""
    classes = list(classes)
    old = superseded_schemas() if superseded else {}
    files = {f"{kind}.json": _text(schema) for kind, schema in old.items()}
    files.update({f"{event_type(cls)}.json": _text(event_schema(cls)) for cls in classes})
    files[INDEX] = _text(schema_index(classes, old))
    return files


def write_schemas(directory: Path, classes: Iterable[type[DomainEvent]]) -> list[Path]:
    """Write the schemas into ``directory``. Files of superseded versions already there stay until their
    documented retirement (docs/stream.md, versioning): this never deletes one."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas(classes).items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def digest(schema: dict[str, Any]) -> str:
    """The fingerprint of the shape of an envelope schema's ``data`` (its properties, types and definitions; prose —
    descriptions and titles — left out, so a docstring may change), as the freeze of released versions records it."""
    shape = _without_prose({"data": schema["properties"]["data"], "$defs": schema.get("$defs", {})})
    return hashlib.sha256(orjson.dumps(shape, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _without_prose(node: Any, names: bool = False) -> Any:
    """``node`` without its prose keywords; ``names``: a mapping of names (``properties``, ``$defs``) kept whole."""
    if isinstance(node, dict):
        return {k: _without_prose(v, names=not names and k in ("properties", "$defs")) for k, v in node.items()
                if names or k not in ("description", "title")}
    if isinstance(node, list):
        return [_without_prose(v) for v in node]
    return node
