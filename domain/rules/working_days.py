"""Working days (工作日) for the periods of 行政处罚法 (2021) 第85条: "本法中'二日''三日''五日''七日'的规定是
指工作日，不含法定节假日" — the 2-, 3-, 5- and 7-day periods count working days only.

A working day is Monday to Friday, except a public holiday (法定节假日 and the days off the State Council's yearly
arrangement adds around it), plus a make-up working day (调休上班) that falls on a weekend. The holidays and make-up
days are data: the base pack holds the national arrangement (国务院办公厅's yearly notice: ``calendar.holidays``,
``calendar.makeup_workdays``), and a jurisdiction's local pack adds its own (``calendar.local_holidays``,
``calendar.local_makeup_workdays``), so that a local pack never drops the national days.

A period "within N working days after" a day does not count that day (the day of service is not counted: the
counting starts the next working day) and ends at the end of the N-th working day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from domain.rules import RulesPack


@dataclass(frozen=True)
class WorkingCalendar:
    """Weekends, public holidays and make-up working days of one jurisdiction."""

    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
        if days < 1:
            raise ValueError("a period counts at least one working day")
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
        return sum(1 for offset in range(1, (end - start).days + 1)
                   if self.is_working_day(start + timedelta(days=offset)))


def _dates(values: Iterable[str]) -> frozenset[date]:
    return frozenset(date.fromisoformat(value) for value in values)


def calendar_for(pack: RulesPack) -> WorkingCalendar:
    """The working calendar of a pack: the national arrangement plus the local additions."""
    return WorkingCalendar(
        holidays=_dates([*pack["calendar.holidays"], *pack.rules.get("calendar.local_holidays", ())]),
        makeup_workdays=_dates([*pack["calendar.makeup_workdays"],
                                *pack.rules.get("calendar.local_makeup_workdays", ())]),
    )
