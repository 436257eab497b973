"""专项行动 (campaign) periods, as data of the local packs that declare them (docs/rules.md R12).

Seed 004 (方积政发〔2023〕11号) §三(一)1(4): "专项行动期间，主要负责人每月要带队对本单位重大事故隐患排查整治情况
至少开展1次检查" — during the campaign, an enterprise's main responsible person leads a check of their own unit at
least once a month. §四 (阶段安排): the campaign "至12月底结束"; its first phase (动员部署) ends "2023年5月下旬前".
A pack lists its campaigns under ``campaign.periods``: code, title, first and last month judged, checks per
month, and the text.
"""

from __future__ import annotations

from domain.base import Frozen
from domain.jurisdiction import covers
from domain.rules import local


class Campaign(Frozen):
    """One campaign of a local pack: the months it binds the main responsible persons of the enterprises in
    ``scope`` to a monthly check of their own unit."""

    code: str
    title: str
    scope: str
    first_month: str
    last_month: str
    per_month: int
    basis: str
    pack: str

    def covers_month(self, month: str) -> bool:
        return self.first_month <= month <= self.last_month


def campaigns_in(month: str) -> list[Campaign]:
    """The campaigns of every local pack that run in ``month`` (YYYY-MM)."""
    found = [Campaign(scope=pack.scope, pack=f"{pack.name}@{pack.version}", **period)
             for pack in local.LOCAL_PACKS for period in pack.rules.get("campaign.periods", ())]
    return [c for c in found if c.covers_month(month)]


def campaign_for(jurisdiction: str, code: str, month: str) -> Campaign | None:
    """The campaign ``code`` that binds ``jurisdiction`` in ``month``, if any."""
    return next((c for c in campaigns_in(month) if c.code == code and covers(c.scope, jurisdiction)), None)
