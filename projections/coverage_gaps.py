"""Coverage gaps: where the responsibility system leaves something without an owner (as of a day).

Computed over the directory and the bitemporal ledger, so it answers for any past day as recorded now:
- ``unsupervised``: an enterprise without a supervising department (三管三必须, 安全生产法 第3条; seed 000 §4);
- ``vacant_post``: a post nobody holds (人员变更动态调整, seed 002: never a post without a holder);
- ``no_all_staff_list`` / ``position_without_duties``: an enterprise without an all-staff list, or a position its
  list leaves without duties (全员安全生产责任制, 安全生产法 第22条; seeds 001 §20, 004);
- ``no_duty_list``: a department or a territorial unit (区, 镇/街道, 村/社区) with no duty in force from a duty list
  (责任清单: 党政同责、一岗双责、三管三必须 — seed 000 §3–4; seed 002 §(一)–(三));
- ``missing_first_responsible``: a territorial unit without both a party secretary and a government head post
  (党政同责, 《地方党政领导干部安全生产责任制规定》第3条);
- ``portfolio_without_safety_duty``: a leader's portfolio area with no safety duty (一岗双责, seeds 000 §2, 001 §3);
- ``certificate_missing``: a holder without a valid certificate the post requires (安全生产法 第27、30条).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projections.directory import DirectoryQueries
from projections.responsibility_ledger import LedgerQueries

GAP_TERMS = {
    "unsupervised": "无监管部门",
    "vacant_post": "岗位无人",
    "no_all_staff_list": "未建立全员安全生产责任清单",
    "no_duty_list": "未制定责任清单",
    "position_without_duties": "岗位无职责",
    "missing_first_responsible": "第一责任人岗位缺失",
    "portfolio_without_safety_duty": "分管领域无安全职责",
    "certificate_missing": "持证缺失或过期",
}


def _gap(code: str, row: dict[str, Any], detail: str, **extra: Any) -> dict[str, Any]:
    return {"gap": code, "term": GAP_TERMS[code], "unit_id": row.get("unit_id"), "unit_name": row.get("unit_name"),
            "jurisdiction": row["jurisdiction"], "detail": detail, "post_id": extra.get("post_id"),
            "person_id": extra.get("person_id")}


class CoverageGaps:
    """Asks the directory and the responsibility ledger through their queries (never their tables)."""

    def __init__(self, directory: DirectoryQueries, ledger: LedgerQueries):
        self.directory = directory
        self.ledger = ledger

    def find(self, scope: str, *, as_of: datetime, known_at: datetime) -> list[dict[str, Any]]:
        gaps: list[dict[str, Any]] = []
        units = [{**u, "unit_name": u["name"]} for u in
                 self.directory.open_units(scope, ("enterprise", "territorial", "department"))]
        for row in units:
            if row["kind"] == "enterprise" and row["supervising_department_id"] is None:
                gaps.append(_gap("unsupervised", row, f"no department supervises its sector {row['sector']}"))
        territorial = [u for u in units if u["kind"] == "territorial"]
        departments = [u for u in units if u["kind"] == "department"]
        enterprises = [u for u in units if u["kind"] == "enterprise"]
        posts = self.directory.open_posts(scope)
        holders, duties = self.ledger.in_force(scope, as_of=as_of, known_at=known_at)
        _, everywhere = self.ledger.in_force(None, as_of=as_of, known_at=known_at)
        duty_list_units = {d["unit_id"] for d in everywhere if d["list_kind"] in ("duty_list", "work_list")}
        all_staff_units = {d["unit_id"] for d in everywhere if d["list_kind"] == "all_staff"}
        valid_certs = self.directory.valid_certificates(as_of.date())

        held: dict[str, list[str]] = {}
        for h in holders:
            held.setdefault(h["post_id"], []).append(h["person_id"])
        post_duties: dict[str, list[dict[str, Any]]] = {}
        for d in duties:
            post_duties.setdefault(d["post_id"], []).append(d)

        for post in posts:
            people = held.get(post["post_id"], [])
            if not people:
                gaps.append(_gap("vacant_post", post, f"{post['title']} has no holder", post_id=post["post_id"]))
            if post["unit_kind"] == "enterprise" and post["unit_id"] in all_staff_units and not any(
                d["list_kind"] == "all_staff" for d in post_duties.get(post["post_id"], [])
            ):
                gaps.append(_gap("position_without_duties", post,
                                 f"the all-staff list gives {post['title']} no duties", post_id=post["post_id"]))
            covered = {area for d in post_duties.get(post["post_id"], []) for area in d["scope_json"]}
            for area in post["portfolio_json"]:
                if area not in covered:
                    gaps.append(_gap("portfolio_without_safety_duty", post,
                                     f"{post['title']} is in charge of {area} but has no safety duty for it",
                                     post_id=post["post_id"]))
            for person_id in people:
                for kind in post["requires_json"]:
                    if (person_id, kind) not in valid_certs:
                        gaps.append(_gap("certificate_missing", post,
                                         f"the holder of {post['title']} has no valid {kind} certificate",
                                         post_id=post["post_id"], person_id=person_id))

        kinds_by_unit: dict[str, set[str]] = {}
        for post in posts:
            kinds_by_unit.setdefault(post["unit_id"], set()).add(post["kind"])
        for unit in territorial:
            missing = {"party_secretary", "government_head"} - kinds_by_unit.get(unit["unit_id"], set())
            for kind in sorted(missing):
                gaps.append(_gap("missing_first_responsible", unit, f"no {kind} post (党政同责)"))
        for unit in [*territorial, *departments]:
            if unit["unit_id"] not in duty_list_units:
                gaps.append(_gap("no_duty_list", unit, "no duties in force from a duty list (责任清单)"))
        for unit in enterprises:
            if unit["unit_id"] not in all_staff_units:
                gaps.append(_gap("no_all_staff_list", unit, "no duties in force from an all-staff list"))
        return sorted(gaps, key=lambda g: (g["jurisdiction"], g["gap"], str(g["unit_id"]), str(g["post_id"])))
