"""References: the fields of a command (or of a value inside it) that name a stored record.

A field declared with one of the types below (``person_id: PersonRef``, ``inspectors: list[PersonRef]``,
``replaces: PersonRef | None``) names a record of that kind. Before a command's handler runs, the unit of work
refuses the command unless the caller could read every record it names — with the answer a read gives for a record
outside the caller's jurisdiction (404, "no person with id …"), so a refusal never tells whether, or where, such a
record exists (docs/architecture.md §9). A new command gets the check by declaring its fields with these types.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, get_args, get_origin
from uuid import UUID

from pydantic import BaseModel


@dataclass(frozen=True)
class Ref:
    """Marks a field that names a stored record: ``kind`` is its aggregate class name (``None``: any kind)."""

    kind: str | None
    label: str
    above: bool = False
    """Also a record on the path above the caller's jurisdiction (the higher unit a listing is reported to)."""


UnitRef = Annotated[UUID, Ref("Unit", "unit")]
PersonRef = Annotated[UUID, Ref("Person", "person")]
PostRef = Annotated[UUID, Ref("Post", "post")]
ListRef = Annotated[UUID, Ref("ResponsibilityList", "responsibility list")]
PlanRef = Annotated[UUID, Ref("EnforcementPlan", "enforcement plan")]
DrawRef = Annotated[UUID, Ref("RandomDraw", "random draw")]
InspectionRef = Annotated[UUID, Ref("Inspection", "inspection")]
HazardRef = Annotated[UUID, Ref("Hazard", "hazard")]
TipRef = Annotated[UUID, Ref("Tip", "tip")]
FlagRef = Annotated[UUID, Ref("Flag", "oversight flag")]
CaseRef = Annotated[UUID, Ref("PenaltyCase", "penalty case")]
ClosureRef = Annotated[UUID, Ref("ClosureProposal", "closure proposal")]
AccidentRef = Annotated[UUID, Ref("Accident", "accident")]
ListingRef = Annotated[UUID, Ref("BlacklistEntry", "blacklist listing")]
OutsourcingRef = Annotated[UUID, Ref("Outsourcing", "outsourcing relation")]
HigherUnitRef = Annotated[UUID, Ref("Unit", "unit", above=True)]
RecordRef = Annotated[UUID, Ref(None, "record")]

Path = tuple[str | int, ...]


def dotted(path: Path) -> str:
    """``("terms", "post_id")`` → ``terms.post_id``; ``("inspectors", 1)`` → ``inspectors[1]`` (a problem's field)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _ref_in(annotation: Any) -> Ref | None:
    if get_origin(annotation) is Annotated:
        found = next((m for m in annotation.__metadata__ if isinstance(m, Ref)), None)
        if found is not None:
            return found
    return next((r for r in map(_ref_in, get_args(annotation)) if r is not None), None)


def _ids(value: Any, path: Path) -> Iterator[tuple[Path, UUID]]:
    if isinstance(value, UUID):
        yield path, value
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _ids(item, (*path, index))


@cache
def _declared(model_class: type[BaseModel]) -> tuple[tuple[str, Ref | None], ...]:
    """Each field of the class with the reference it declares (``None``: none), worked out once per class: a
    command's fields are walked on every command, their annotations never change."""
    return tuple((name, next((m for m in field.metadata if isinstance(m, Ref)), None) or _ref_in(field.annotation))
                 for name, field in model_class.model_fields.items())


def references(model: BaseModel, path: Path = ()) -> Iterator[tuple[Path, Ref, UUID]]:
    """Every record ``model`` names through a declared reference, with its field path, in declaration order."""
    for name, ref in _declared(type(model)):
        value = getattr(model, name)
        if ref is not None:
            for where, record_id in _ids(value, (*path, name)):
                yield where, ref, record_id
        elif isinstance(value, BaseModel):
            yield from references(value, (*path, name))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from references(item, (*path, name, index))
