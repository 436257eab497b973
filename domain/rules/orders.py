"""Orders on the spot (现场处理措施, docs/rules.md R8): when the authority's re-inspection (复查) of an ordered
rectification falls due — a pure function over the order's deadline and the day the rectification was submitted.

The order's deadline (整改期限, 安全生产法 第65条第一款第(二)项: 要求限期改正) bounds it: the re-inspection is due
``orders.reinspection.working_days`` working days after the deadline — or after the day the enterprise submitted the
rectification, if it did so before the deadline. The number of days is **local practice** (the pack's
``orders.reinspection.basis`` says so): no text at hand in this work states one. Working days: the pack's calendar
(``domain.rules.working_days``), the day itself not counted.
"""

from __future__ import annotations

from datetime import date

from domain.rules import RulesPack
from domain.rules.working_days import calendar_for


def reinspection_due(pack: RulesPack, deadline: date, submitted_on: date | None = None) -> date:
    """The last day of the 复查: the pack's working days after the deadline, or after an earlier submission."""
    start = deadline if submitted_on is None else min(deadline, submitted_on)
    return calendar_for(pack).add_working_days(start, pack["orders.reinspection.working_days"])
