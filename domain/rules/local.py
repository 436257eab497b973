"""Local packs: one per jurisdiction and year, overriding or adding to the base pack.

Rules marked *(unverified)* in ``docs/rules.md`` live here so that they can be edited without touching
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
        version="2022.2",
        scope="350000/350500/350505",
        source="泉港城管〔2022〕149号",
        rules={
            "three_musts.basis": "泉港城管〔2022〕149号 §4 (三管三必须、谁主管谁负责)",
            # (unverified) Rotation of inspectors in 双随机 draws: the notice demands 双随机 and forbids 选择性执法
            # (§25); that an inspector is not drawn again for the target they inspected last time is local practice.
            "random_draw.exclude_previous_inspector": True,
            "random_draw.exclude_previous_inspector.source": "泉港城管〔2022〕149号 §25 (双随机, 杜绝选择性执法); "
                                                            "rotation of inspectors: local practice (unverified)",
        },
    ),
)
