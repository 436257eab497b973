"""Rules packs: thresholds and tables as data, one pack per jurisdiction level with a version (docs/architecture.md §5).

The national base pack holds the law; a local pack (one per jurisdiction and year) overrides or adds keys. The pack
that decides an event is recorded in the event's envelope as ``rules_version`` (e.g.
``cn-base@2024.1+huiji@2014.1``), so a replay years later explains itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from domain.jurisdiction import covers
from domain.rules import local
from domain.rules.base import BASE_RULES


@dataclass(frozen=True)
class RulesPack:
    """The rules in force for one jurisdiction: the base pack merged with the local packs above it."""

    version_tag: str
    rules: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.rules[key]

    @property
    def three_musts_basis(self) -> str:
        return str(self.rules["three_musts.basis"])


BASE_NAME, BASE_VERSION = "cn-base", "2025.2"
"""2024.5: the aggravating triggers and the exemption of R7 left the base pack for the local packs that state them.
2024.6: corrected citations in events' basis (四个一律 seed 000 ¶22, 网格 seed 001 ¶13, dispatched and intern workers
seed 000 ¶19–20, 回头看 seed 003 ¶16, the lead-unit tie-break as local practice, 第一责任人 第五条 unverified), and the
专委会主任's monthly inspection counted in their own sector only.
2024.7: the escalation of an overdue major hazard's listing one level up left the base pack (levels 0): it is local
practice, set by a local pack (泉港区 ``quangang@2022.4``).
2024.8: the blacklist's keys (blacklist.*, docs/rules.md R10).
2024.9: 第一责任人 cites 第四条 of 《地方党政领导干部安全生产责任制规定》 (confirmed; 2024.6–2024.8 cited
第五条); the bar on promotion (accountability.bar.basis, accountability.promotion.ranks); the assessment's rating bands
(assessment.scheme.ratings, placeholders).
2025.1: citations checked against the published texts (docs/cases.md): the closure rule is 安全生产法 第113条第(一)项
(was cited as 第(四)项); 第97条 and 第101条 fine the persons only after 逾期未改正 (their first-branch person range
removed); 第105条 added (fines unit and persons in its first branch); 第114条第二款 (2–5 × the first paragraph's
fine) as articles a case decides under, and the blacklist ground a decision under it meets
(``blacklist.decision_grounds``); orders' 文书编号 (``documents.*``) and the 复查 due day (``orders.reinspection.*``),
both local practice.
2025.2: the interval of a contractor's 动态审核 (``outsourcing.review.*``, seed 000 ¶18), local practice."""


def pack_for(jurisdiction: str) -> RulesPack:
    """The pack for ``jurisdiction``: base, then each local pack whose scope covers it, outermost first."""
    merged: dict[str, Any] = dict(BASE_RULES)
    tags = [f"{BASE_NAME}@{BASE_VERSION}"]
    for pack in sorted(local.LOCAL_PACKS, key=lambda p: len(p.scope)):
        if covers(pack.scope, jurisdiction):
            merged.update(pack.rules)
            tags.append(f"{pack.name}@{pack.version}")
    return RulesPack(version_tag="+".join(tags), rules=MappingProxyType(merged))
