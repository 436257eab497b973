"""Local packs: one per jurisdiction and year, overriding or adding to the base pack.

Rules marked *(unverified)* in ``shared/design/RULES.md`` live here so that they can be edited without touching
the law.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LocalPack:
    name: str
    version: str
    scope: str
    """The jurisdiction path it applies to (and below)."""
    source: str
    rules: dict[str, Any]


LOCAL_PACKS: tuple[LocalPack, ...] = (
    LocalPack(
        name="quangang",
        version="2022.1",
        scope="350000/350500/350505",
        source="泉港城管〔2022〕149号",
        rules={
            "three_musts.basis": "泉港城管〔2022〕149号 §4 (三管三必须、谁主管谁负责)",
        },
    ),
)
