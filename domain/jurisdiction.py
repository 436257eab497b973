"""Jurisdiction paths: every unit and every event belongs to a territory (docs/architecture.md §3, §9).

A path lists the 行政区划代码 of the territorial units from the top down, joined by ``/``:
``350000/350500/350505/350505100000`` is 山腰街道 under 泉港区 under 泉州市 under 福建省.
Codes never change when a unit is renamed, so paths stay stable. A scope covers itself and everything below it;
the empty scope ``""`` covers every path (the system itself, an operator at the command line).
"""

from __future__ import annotations

SEPARATOR = "/"


def child_path(parent_path: str, code: str) -> str:
    """The path of a territorial unit with ``code`` under ``parent_path`` (or a root when the parent is empty)."""
    return f"{parent_path}{SEPARATOR}{code}" if parent_path else code


def covers(scope: str, path: str) -> bool:
    """Whether a caller scoped to ``scope`` may see or change what belongs to ``path``."""
    return not scope or path == scope or path.startswith(scope + SEPARATOR)


def like_pattern(scope: str) -> str:
    """The SQL ``LIKE`` pattern matching paths strictly below ``scope`` (codes are digits: no escaping)."""
    return scope + SEPARATOR + "%" if scope else "%"


def parent_of(path: str) -> str | None:
    """The path one level up, or ``None`` at the top."""
    head, sep, _ = path.rpartition(SEPARATOR)
    return head if sep else None
