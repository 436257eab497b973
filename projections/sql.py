"""What a projection needs from the read-model database (implemented by ``infrastructure.database``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Tx(Protocol):
    dialect: str

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int: ...

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None: ...

    def all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]: ...

    def one(self, sql: str, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None: ...

    def scalar(self, sql: str, params: Mapping[str, Any] | None = None) -> Any: ...


class ReadDatabase(Protocol):
    dialect: str

    def ddl(self, template: str) -> str: ...

    def transaction(self) -> AbstractContextManager[Tx]: ...

    def read(self) -> AbstractContextManager[Tx]: ...


def scope_clause(column: str = "jurisdiction") -> str:
    """The SQL that keeps rows inside the caller's jurisdiction subtree (params ``:scope``, ``:scope_below``)."""
    return f"({column} = :scope OR {column} LIKE :scope_below)"


def scope_params(scope: str) -> dict[str, str]:
    from domain.jurisdiction import like_pattern

    return {"scope": scope, "scope_below": like_pattern(scope)}


def audience_clause(unit_column: str, role: str, unit_id: object | None) -> tuple[str, dict[str, object]]:
    """SQL narrowing rows about units to what a unit role may see, besides jurisdiction: an ``enterprise`` user
    its own enterprise, an ``inspector`` the units its department supervises (and the department itself).
    Other roles see their whole jurisdiction: ``("1=1", {})``."""
    if role == "enterprise":
        return f"{unit_column} = :audience_unit", {"audience_unit": unit_id}
    if role == "inspector":
        return (f"({unit_column} = :audience_unit OR {unit_column} IN (SELECT unit_id FROM units "
                "WHERE supervising_department_id = :audience_unit))"), {"audience_unit": unit_id}
    return "1=1", {}
