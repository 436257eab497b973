"""Days and periods as the records count them: in China Standard Time (UTC+8).

A deadline of 2025-03-31 (整改时限) runs to the end of that day in Beijing time, whatever zone a timestamp was
written in; statistics count by local day, ISO week and month (日记录、周调度、月分析, seed 000 §28).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")


def local_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in China Standard Time."""
    return moment.astimezone(CST).date()


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` ends (exclusive bound): a deadline on ``day`` is missed from then on."""
    return datetime.combine(day + timedelta(days=1), time(0), CST)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0), CST)


def year_of(moment: datetime) -> int:
    """The calendar year of ``moment`` in China Standard Time (a plan's year, an inspection's year)."""
    return moment.astimezone(CST).year


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """``[1 January, 1 January next year)`` of ``year`` in China Standard Time."""
    return datetime(year, 1, 1, tzinfo=CST), datetime(year + 1, 1, 1, tzinfo=CST)


def month_label(moment: datetime | date) -> str:
    """``2025-03``: the month a moment falls in (local time for datetimes)."""
    day = local_day(moment) if isinstance(moment, datetime) else moment
    return f"{day.year:04d}-{day.month:02d}"


def week_label(moment: datetime | date) -> str:
    """``2025-W03``: the ISO week a moment falls in (local time for datetimes)."""
    day = local_day(moment) if isinstance(moment, datetime) else moment
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def month_bounds(label: str) -> tuple[datetime, datetime]:
    """The half-open interval ``[first instant, first instant of the next month)`` of a ``YYYY-MM`` label."""
    year, month = (int(part) for part in label.split("-"))
    start = datetime(year, month, 1, tzinfo=CST)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=CST)
    return start, end


def previous_month(label: str) -> str:
    year, month = (int(part) for part in label.split("-"))
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"
