"""The dossier as a printable Chinese HTML report (one self-contained page with a print stylesheet).

Every value is escaped; the report shows what ``content`` says and, per line, the log positions it rests on, and
ends with the signed tree head that the JSON dossier's proofs refer to (the JSON is what ``zeren dossier verify``
checks; the page is for reading and printing).
"""

from __future__ import annotations

from html import escape
from typing import Any

from domain.accidents import IRREGULARITY_TERMS, KNOWN_FROM_TERMS
from domain.rules.accidents import GRADE_TERMS

STYLE = """
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif; margin: 2em; color: #111; }
h1 { font-size: 1.6em; text-align: center; } h2 { border-bottom: 2px solid #333; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; font-size: .92em; }
th, td { border: 1px solid #777; padding: .25em .4em; vertical-align: top; text-align: left; }
th { background: #eee; } .gap { color: #a00; font-weight: bold; } .proof { font-size: .8em; color: #555; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } table { page-break-inside: auto; }
  tr { page-break-inside: avoid; } @page { size: A4; margin: 18mm 15mm; } }
"""


def _cell(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_cell(v) for v in value)
    return escape(str(value))


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return "<p>（无）</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _people(holders: list[dict[str, Any]]) -> str:
    return "、".join(f"{h.get('name') or h['person_id']}" for h in holders)


def _posts(posts: list[dict[str, Any]]) -> str:
    rows = [[p["title"], p["kind_term"], p.get("portfolio"), _people(p["holders"]) or "（空缺）"] for p in posts]
    return _table(["岗位", "类别", "分管领域", "在岗人员"], rows)


def _lists(lists: list[dict[str, Any]]) -> str:
    rows = [[lst["title"], d["line_term"], d["text"], d["scope"], d["source_document"]]
            for lst in lists for d in lst["duties"]]
    return _table(["清单", "责任类别", "职责", "范围", "依据"], rows)


def _hazards(hazards: list[dict[str, Any]]) -> str:
    rows = [[h["description"], h["grade"], h["found_at"], h["status_term"], h["deadline"], h["overdue_since"],
             (h["listing"] or {}).get("age_days")] for h in hazards]
    return _table(["隐患", "等级", "发现时间", "当时状态", "整改期限", "逾期起", "挂牌天数"], rows)


def _checks(inspections: list[dict[str, Any]]) -> str:
    rows = [[i["inspected_at"], i["title"], _people(i["inspectors"]), i["covered"],
             "；".join(f["description"] for f in i["findings"])] for i in inspections]
    return _table(["检查时间", "检查", "检查人员", "已查事项", "发现问题"], rows)


def _leader_months(leaders: list[dict[str, Any]]) -> str:
    rows = [[leader["name"], m["month"], m["checks"]] for leader in leaders for m in leader["months"]]
    return _table(["主要负责人", "月份", "带队或参加的检查次数"], rows)


def _reach(hazards: list[dict[str, Any]]) -> str:
    rows = [[h["description"], h["item_code"] or "（未对应检查表事项）", i["inspected_at"], len(i["signed_by"]),
             i["term"]] for h in hazards for i in h["inspections"] or [{"inspected_at": None, "signed_by": [],
                                                                         "term": "—"}]]
    return _table(["隐患", "检查表事项", "检查时间", "签名数", "结论"], rows)


def _cases(cases: list[dict[str, Any]]) -> str:
    rows = [[c["opened_on"], c["article"], c["violation"], c["status_term"], (c["decision"] or {}).get("decision_no"),
             (c["decision"] or {}).get("unit_yuan"), (c["transfer"] or {}).get("to")] for c in cases]
    return _table(["立案日期", "条款", "违法行为", "状态", "决定书", "单位罚款(元)", "移送"], rows)


def _slips(slips: list[dict[str, Any]], notices: list[dict[str, Any]]) -> str:
    rows = [[s["term"], s["matter"], s["deadline"], s["answered_at"] or "（未反馈）", s["late_flagged"]] for s in slips]
    rows += [[n["term"], n["matter"], n["issued_at"], "—", "—"] for n in notices]
    return _table(["交办督办与函件", "事项", "期限/日期", "反馈", "逾期"], rows)


def _summons(summons: list[dict[str, Any]]) -> str:
    kept = {True: "已履行", False: "未履行", None: "待跟踪"}
    rows = [[m["held_at"], "、".join(s["post_title"] for s in m["summoned"]),
             "；".join(f"{c['text']}（{c['due']}，{kept[c['kept']]}）" for c in m["commitments"])] for m in summons]
    return _table(["约谈时间", "被约谈岗位", "承诺事项"], rows)


def _acts(posts: list[dict[str, Any]]) -> str:
    rows = [[h.get("name") or h["person_id"], a["post_title"], a["term"], a["decided_on"], a["document"],
             a["finding"]["term"], "事后" if a["after_as_of"] else "事前"]
            for p in posts for h in p["holders"] for a in h.get("accountability", [])]
    return _table(["人员", "所任岗位", "问责/免责", "决定日期", "文号", "依据", "相对事发"], rows) if rows else ""


def _grid(members: list[dict[str, Any]]) -> str:
    rows = [[m["title"], "、".join(m["grids"]), _people(m["holders"]) or "（空缺）", "是" if m["covers_unit"] else ""]
            for m in members]
    return "<p>网格员</p>" + _table(["岗位", "负责网格", "在岗人员", "负责本单位所在网格"], rows)


def _findings(findings: list[dict[str, Any]]) -> str:
    rows = [[f["finding_no"], f["line_term"], f["unit"], (f["person"] or {}).get("name"),
             (f["duty"] or {}).get("text"), f["description"], f["disposition_term"]] for f in findings]
    return _table(["序号", "责任类别", "单位", "人员", "未履行的职责（事发时清单）", "认定", "处理建议"], rows)


def _blacklist(listings: list[dict[str, Any]]) -> str:
    rows = [[x["proposed_at"], x["ground_text"], x["status_term"], x["decision_no"], x["listed_on"], x["expires_on"],
             x["removed_on"], x["in_force"]] for x in listings]
    headers = ["建议时间", "列入情形", "当时状态", "决定书", "列入日", "期满日", "提前移出日", "事发时在名单"]
    return _table(headers, rows)


def _outsourcing(relations: list[dict[str, Any]]) -> str:
    def last(r: dict[str, Any]) -> str:
        review = r.get("last_review")
        if not review:
            return "（无）"
        return f"{review['reviewed_on']} {review['outcome_term']}" + ("（发现不符合要求）" if review["wanting"] else "")

    rows = [[r["kind_term"], r["contractor"], r["scope"], r["agreement_term"], r["qualification"] or "（未载明）",
             r["starts_on"], r["ends_on"], last(r), r.get("review_due"), "；".join(c["term"] for c in r["concerns"])]
            for r in relations]
    return _table(["方式", "承包/承租方", "项目、场所或设备", "安全生产管理职责", "资质或条件", "起", "止",
                   "最近动态审核", "下次审核", "记录欠缺"], rows)


def _subject(facts: dict[str, Any]) -> str:
    if "accident_id" not in facts:
        return _table(["项目", "内容"], [[k, v] for k, v in facts.items()])
    figures = facts["figures"]
    rows = [["发生时间", facts["occurred_at"]], ["地点", facts["place"]], ["经过", facts["description"]],
            ["等级", GRADE_TERMS.get(facts["grade"], facts["grade"])],
            ["死亡/失踪/重伤", f"{figures['deaths']} / {figures['missing']} / {figures['serious_injuries']}"],
            ["直接经济损失(元)", figures["direct_loss_yuan"]],
            ["单位负责人获知时间", facts["unit_head_informed_at"] or "（未记录）"],
            ["首次获知途径", KNOWN_FROM_TERMS.get(facts["known_from"], facts["known_from"])],
            ["疑似瞒报", facts["concealment_suspected"]], ["提级调查建议", facts["escalation_proposed"]]]
    flags = [[IRREGULARITY_TERMS.get(f["irregularity"], f["irregularity"]), f["detail"]] for f in facts["flags"]]
    reports = [[r["no"], r["kind"], r["receiving_level"], r["received_at"], r["summary"]] for r in facts["reports"]]
    chain = _table(["序号", "类别", "接收层级", "接收时间", "摘要"], reports)
    return (_table(["项目", "内容"], rows) + "<h3>报告链</h3>" + chain + "<h3>报告问题</h3>"
            + _table(["问题", "说明"], flags))


def _line(line: dict[str, Any]) -> str:
    facts, name = line["facts"], line["line"]
    if name == "subject":
        body = _subject(facts)
    elif name == "entity":
        unit = facts.get("unit") or {}
        body = (f"<p>{_cell(unit.get('name'))}（{_cell(unit.get('sector'))}，统一社会信用代码 "
                f"{_cell(unit.get('credit_code'))}）</p><h3>岗位与在岗人员</h3>{_posts(facts.get('posts', []))}"
                f"{_acts(facts.get('posts', []))}"
                f"<h3>责任清单</h3>{_lists(facts.get('duty_lists', []))}<h3>事故前的隐患及其当时状态</h3>"
                f"{_hazards(facts.get('hazards', []))}<h3>企业自查</h3>{_checks(facts.get('self_checks', []))}"
                f"<h3>主要负责人带队检查（按月）</h3>{_leader_months(facts.get('main_leader_checks', []))}"
                f"<h3>此前的行政处罚</h3>{_cases(facts.get('prior_penalties', []))}"
                f"<h3>严重失信主体名单记录</h3>{_blacklist(facts.get('blacklist', []))}"
                f"<h3>外包外租（事发时有效）</h3>{_outsourcing(facts.get('outsourcing', []))}"
                f"<h3>调查认定（企业主体责任）</h3>{_findings(facts.get('findings', []))}"
                f"<h3>调查认定（中介机构责任）</h3>{_findings(facts.get('intermediary_findings', []))}")
    elif name == "supervisory":
        departments = "".join(f"<h3>{escape(dep['name'])}（{escape(dep['clause'])}）</h3>{_posts(dep['posts'])}"
                              f"{_acts(dep['posts'])}{_lists(dep['duty_lists'])}"
                              f"{_slips(dep.get('slips', []), dep.get('notices', []))}"
                              f"{_summons(dep.get('summons', []))}"
                              for dep in facts.get("supervising_departments", []))
        inspections = [[i["inspected_at"], i["title"], _people(i["inspectors"]), len(i["signatures"]),
                        i["covered"], "；".join(f["description"] for f in i["findings"])]
                       for i in facts.get("inspections", [])]
        checks = _table(["检查时间", "检查", "检查人员", "签名数", "已查事项", "发现问题"], inspections)
        body = (f"<p>行业领域：{_cell(facts.get('sector'))}</p>{departments or '<p class=gap>（无监管部门）</p>'}"
                f"<h3>检查记录</h3>{checks}<h3>事故背后的隐患：此前各次检查是否在范围内而漏查</h3>"
                f"{_reach(facts.get('hazards_behind', []))}<h3>行政处罚案件及结果</h3>{_cases(facts.get('cases', []))}"
                f"<h3>挂牌督办</h3>{_hazards(facts.get('listed_supervision', []))}"
                f"<h3>调查认定（部门监管责任）</h3>{_findings(facts.get('findings', []))}")
    elif name in ("territorial", "leadership"):
        parts = []
        for territory in facts.get("territories", []):
            posts = territory.get("leaders", territory.get("posts", []))
            parts.append(f"<h3>{escape(territory['name'])}</h3>{_posts(posts)}{_acts(posts)}"
                         + (_grid(territory["grid_members"]) if territory.get("grid_members") else "")
                         + (_lists(territory["duty_lists"]) if "duty_lists" in territory else "")
                         + (_slips(territory["slips"], territory["notices"]) if "slips" in territory else "")
                         + (_summons(territory["summons"]) if "summons" in territory else ""))
        if name == "territorial":
            covering = "、".join(f"{m['name']}{m['title']}" for m in facts.get("grid_members_of_unit", []))
            parts.insert(0, f"<p>所在网格：{_cell(facts.get('grid'))}；网格员：{escape(covering) or '（无）'}</p>")
        body = ("".join(parts) or "<p>（无）</p>") + f"<h3>调查认定</h3>{_findings(facts.get('findings', []))}"
    else:
        rows = [[e["effective_at"], "企业" if e["side"] == "enterprise" else "监管", e["term"],
                 e.get("verdict") or (e.get("outcome") or {}).get("kind")] for e in facts.get("timeline", [])]
        body = _table(["时间", "方面", "事项", "结论/结果"], rows)
    positions = ", ".join(str(p) for p in line["positions"])
    return (f"<section><h2>{escape(line['title'])}</h2>{body}"
            f"<p class=proof>依据日志位置：{escape(positions) or '—'}</p></section>")


def render(dossier: dict[str, Any]) -> str:
    content, head = dossier["content"], dossier["head"]
    gaps = _table(["缺口", "说明"], [[g["term"], g["detail"]] for g in content["gaps"]])
    lines = "".join(_line(line) for line in content["lines"])
    return (f"<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><title>一案四查卷宗</title>"
            f"<style>{STYLE}</style></head><body><h1>一案四查卷宗</h1>"
            f"<p>截至（事发时点）：{escape(content['as_of'])}；依据系统截至 {escape(content['known_at'])} 所知；"
            f"查阅范围：{escape(content['scope'])}</p>{lines}<section><h2>责任缺口</h2><div class=gap>{gaps}</div>"
            f"</section><section><h2>签名树头</h2><p class=proof>树大小 {head['tree_size']}，根哈希 "
            f"{escape(head['root_hash'])}，签名时间 {escape(head['signed_at'])}，密钥 {escape(head['key_id'])}。"
            f"以 <code>zeren dossier verify</code> 核验 JSON 卷宗。</p></section></body></html>")
