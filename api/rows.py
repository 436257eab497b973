"""List answers written straight from the read side's rows (issue #15: the ledger page's CPU).

A read model's query already types its columns (``projections.columns``: keys as text, aware UTC timestamps, dates,
integers, JSON as dicts), so validating each row into its response model and then serialising the models did the
work twice — and FastAPI validated the list once more, in its thread pool. :class:`Rows` picks the response model's
fields from each row and has orjson write them once, as pydantic would (``tests/test_rows.py`` compares the two
byte for byte); the route still declares the model (``response_model``), so the OpenAPI document is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from fastapi.responses import Response
from pydantic import BaseModel

JSON_OPTIONS = orjson.OPT_UTC_Z
"""A UTC timestamp as ``…Z``, as pydantic writes it."""


class Rows:
    """The JSON answer of a list of ``model``: every field of the model from each row, in the model's order."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.fields = tuple(model.model_fields)

    def json(self, rows: Iterable[Mapping[str, Any]]) -> bytes:
        fields = self.fields
        return orjson.dumps([{name: row[name] for name in fields} for row in rows], option=JSON_OPTIONS)

    def response(self, rows: Iterable[Mapping[str, Any]]) -> Response:
        return Response(self.json(rows), media_type="application/json")
