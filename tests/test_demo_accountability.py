"""The demo's acts of accountability (api/demo/accountability.py): a slip answered late and flagged once, a summons
of 山腰街道's leaders that still names its head as such after his transfer, and the admonition of the 应急管理局 head
on the dust explosion's finding, with its bar."""

from __future__ import annotations

from datetime import datetime

from api.bootstrap import System
from domain import accountability as ac


def test_the_demo_slip_summons_and_admonition(demo: System) -> None:
    board = demo.queries.accountability.board("350000", 2025, now=datetime.fromisoformat("2026-10-31T17:00:00+08:00"))
    (slip,) = board["slips"]
    assert (slip["target_name"], slip["open"], slip["late"], slip["late_flagged"]) == ("山腰街道", False, True, True)
    (summons,) = board["summons"]
    assert [s["post_title"] for s in summons["summoned"]] == ["山腰街道党工委书记", "山腰街道办事处主任"]
    assert summons["commitments"][0]["kept"] is True
    assert summons["finding"]["kind"] == "slip_overdue"
    head = summons["summoned"][1]["person_id"]
    record = demo.queries.accountability.person_record("350000", head)
    assert record == [], "summoned, not held to account"
    acts = [r for r in demo.queries.ledger.duties("350000", as_of=datetime.fromisoformat("2026-10-01T12:00:00+08:00"),
                                                  known_at=datetime.fromisoformat("2026-10-31T12:00:00+08:00"))
            if r["post_title"] == "区应急管理局局长"]
    (admonished,) = demo.queries.accountability.person_record("350000", acts[0]["person_id"])
    assert (admonished["form"], admonished["post_title"], admonished["finding"]["kind"]) == (
        ac.AccountabilityForm.admonition, "区应急管理局局长", "investigation")
    assert admonished["barred_until"] is not None
