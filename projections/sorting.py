"""A ledger sorted by the server (issue #14): the caller names one key of the ledger's allow-list, ``-`` before it
for descending; the record's id breaks ties, so the pages of a sorted ledger continue one order. Empty values sort
last either way, on SQLite and PostgreSQL alike (``NULLS LAST``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement

Sorts = Mapping[str, ColumnElement[Any]]
"""A ledger's allow-list: the API's field name → the column it sorts by."""


def ordering(sorts: Sorts, sort: str | None, default: Sequence[Any], tiebreak: ColumnElement[Any]) -> list[Any]:
    """The ``ORDER BY`` of a page: ``sort`` (a key of ``sorts``, validated by the API) then ``tiebreak``, or the
    ledger's ``default`` order when no key is asked for."""
    if not sort:
        return [*default]
    descending = sort.startswith("-")
    column = sorts[sort.removeprefix("-")]
    return [(column.desc() if descending else column.asc()).nulls_last(), tiebreak]
