"""文书编号 (document numbers): each department numbers the documents of a series one by one within a year — the
next number decided from the event store (the series' register), never from a read model, so a number is never
given twice, even by two officers at the same moment (the second write meets the register's new version and is
retried or refused).

The series and the number's wording are a pack's (``documents.series``): no national text fixes the format of a
文书编号 in this work — local practice (docs/rules.md R8).
"""

from __future__ import annotations

from uuid import UUID, uuid5

from domain.base import Aggregate, CommandContext, DomainEvent, created, first_event
from domain.calendar import local_day
from domain.rules import RulesPack
from domain.units import Unit

REGISTER_NAMESPACE = UUID("4c0e7d2a-96b1-4f3e-8a57-1d2b9c6e0f83")
ORDER_SERIES = {"deadline": "rectification_order", "suspension": "suspension_order"}
"""The series of an order by its mode: 责令限期整改指令书, 现场处理措施决定书 (责令暂时停产停业)."""


class DocumentRegister(Aggregate):
    """A department's register of one series for one year: the last number it gave."""

    department_id: UUID
    series: str
    year: int
    last: int


class DocumentNumbered(DomainEvent):
    """文书编号: the next number of the department's series for the year, given to one document."""

    term = "文书编号"
    context = "documents"
    department_id: UUID
    series: str
    year: int
    number: int
    document_no: str
    document_of: UUID
    """The record the document belongs to (for an order: its hazard)."""

    def apply(self, state: DocumentRegister | None) -> DocumentRegister:
        if state is None:
            return created(DocumentRegister, self, department_id=self.department_id, series=self.series,
                           year=self.year, last=self.number)
        return state.evolved(self, last=self.number)


def register_id(department_id: UUID, series: str, year: int) -> UUID:
    """The register of ``department_id``'s ``series`` for ``year`` (one per department, series and year)."""
    return uuid5(REGISTER_NAMESPACE, f"{department_id}:{series}:{year}")


def document_no(pack: RulesPack, series: str, issuer: str, year: int, number: int) -> str:
    """The number as the pack words it (``documents.series[series]``, e.g. ``{issuer}责改〔{year}〕{n}号``)."""
    return str(pack["documents.series"][series]).format(issuer=issuer, year=year, n=number)


def next_number(ctx: CommandContext, register: DocumentRegister | None, pack: RulesPack, department: Unit,
                series: str, document_of: UUID) -> DocumentNumbered:
    """The next number of the department's series in the year of the document's day (Beijing time): 1 for the first
    document of the year, one more than the register's last otherwise."""
    year = local_day(ctx.effective_at).year
    number = 1 if register is None else register.last + 1
    fields = {"department_id": department.id, "series": series, "year": year, "number": number,
              "document_no": document_no(pack, series, department.name, year, number), "document_of": document_of,
              "basis": pack["documents.basis"], "rules_version": pack.version_tag}
    if register is None:
        return first_event(DocumentNumbered, ctx, id=register_id(department.id, series, year),
                           jurisdiction=department.jurisdiction, **fields)
    return register.next_event(DocumentNumbered, ctx, **fields)
