"""零执法 and 零处罚 (docs/rules.md R12): which month of a supervising department is flagged — pure functions over
the counts the policy gathers.

Source: 泉港城管〔2022〕149号 ¶25 (seed 000): "纠正不会执法、不想执法、不敢执法和以检查代替执法、以整改代替执法等
问题，消除'零执法、零处罚'现象". An inspection is not an enforcement act (以检查代替执法 is the fault the notice names);
the enforcement acts counted are a penalty decided (行政处罚决定) and an order on the spot (现场处理措施: 责令限期整改,
责令暂时停产停业, 安全生产法 第65条第一款第(二)(三)项) — issue #12's reading of 零执法. 零处罚 counts the penalties
alone, whatever else the department did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ZERO_ENFORCEMENT, ZERO_PENALTY = "zero_enforcement", "zero_penalty"


@dataclass(frozen=True)
class MonthCounts:
    """What a supervising department did in a month: penalties decided (with a fine), orders issued, inspections
    completed (inspections only inform: they are not an enforcement act)."""

    penalties: int
    orders: int
    inspections: int = 0


def zero_enforcement(counts: MonthCounts) -> bool:
    """零执法: no penalty decided and no order issued in the month (seed 000 ¶25)."""
    return counts.penalties == 0 and counts.orders == 0


def zero_penalty(counts: MonthCounts) -> bool:
    """零处罚: no penalty decided in the month (seed 000 ¶25)."""
    return counts.penalties == 0


def acts_found(kind: str, counts: MonthCounts) -> int:
    """The enforcement acts that answer a flag of ``kind``: penalties and orders for 零执法, penalties for 零处罚 (a
    flag is withdrawn once later records show at least one)."""
    return counts.penalties + (counts.orders if kind == ZERO_ENFORCEMENT else 0)


FLAGGED: dict[str, Callable[[MonthCounts], bool]] = {ZERO_ENFORCEMENT: zero_enforcement, ZERO_PENALTY: zero_penalty}
"""Each department flag's judgement, by flag kind."""
