"""The published contract, served: the JSON Schema of every event type's envelope (docs/schemas/, docs/stream.md)."""

from __future__ import annotations

from functools import cache
from typing import Any

import orjson
from fastapi.responses import Response

from api.catalogue import event_classes
from api.deps import PrincipalDep
from api.problems import responses
from api.routing import Router
from domain.errors import NotFound
from infrastructure.stream.schemas import INDEX, render_schemas

router = Router(tags=["event stream"])
SCHEMA_MEDIA_TYPE = "application/schema+json"


@cache
def _files() -> dict[str, bytes]:
    return {name: text.encode() for name, text in render_schemas(event_classes()).items()}


@router.get("/schemas", responses=responses(401), summary="Index of the published event types and their schemas")
def schema_index(_: PrincipalDep) -> dict[str, Any]:
    index = orjson.loads(_files()[INDEX])
    for entry in index["types"]:
        entry["url"] = f"/api/v1/schemas/{entry['type']}"
    return index


@router.get("/schemas/{event_type}", responses={200: {"content": {SCHEMA_MEDIA_TYPE: {}}}, **responses(401, 404)},
            summary="The JSON Schema (2020-12) of one event type's CloudEvents envelope")
def schema(event_type: str, _: PrincipalDep) -> Response:
    body = _files().get(f"{event_type.removesuffix('.json')}.json")
    if body is None or event_type == INDEX.removesuffix(".json"):
        raise NotFound("unknown-event-type", f"no published event type {event_type!r}; see GET /api/v1/schemas")
    return Response(body, media_type=SCHEMA_MEDIA_TYPE)
