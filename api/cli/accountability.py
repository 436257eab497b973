"""``zeren accountability``: a person's accountability record and a jurisdiction's board for a year."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import click

from api.bootstrap import bootstrap
from api.cli.console import every_page
from domain.accountability import FORM_TERMS, NOTICE_TERMS, SLIP_TERMS
from domain.calendar import CST
from domain.rules.assessment import RATING_TERMS, Rating


@click.group(help="Acts of accountability: slips, summons, circulars; a person's record; the assessment veto.")
def accountability() -> None:
    """Accountability commands."""


@accountability.command("record", help="Print a person's accountability record: every act, as holder of which post.")
@click.argument("person_id", type=click.UUID)
def accountability_record(person_id: UUID) -> None:
    system = bootstrap()
    rows = system.queries.accountability.person_record("", person_id)
    for r in rows:
        what = FORM_TERMS.get(r["form"] or "") or {"exoneration": "尽职免责", "commendation": "表彰"}.get(r["kind"], "")
        post = f"as {r['post_title']} of {r['unit_name'] or r['unit_id']} at {r['held_at']:%Y-%m-%d}" \
            if r["post_id"] else r["title"]
        bar = f", barred until {r['barred_until']}" if r["barred_until"] else ""
        finding = r["finding"] or {}
        click.echo(f"{r['no']:>3}  {r['decided_on']}  {what:<6} {post}; on {finding.get('kind', '-')} "
                   f"{finding.get('record_id', '')}{bar}")
    click.echo(f"{len(rows)} entries")


@accountability.command("board", help="Print the year's slips (open and late), summons, letters, circulars and "
                                      "veto findings.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
def accountability_board(year: int) -> None:
    system = bootstrap()
    board = system.queries.accountability.board("", year, now=datetime.now(CST))
    for s in board["slips"]:
        state = "open" if s["open"] else "answered"
        click.echo(f"{SLIP_TERMS[s['kind']]} {s['slip_id']}  {s['target_name']}: {state}"
                   f"{', late' if s['late'] else ''}  due {s['deadline']:%Y-%m-%d}  {s['matter']}")
    for m in board["summons"]:
        open_commitments = sum(1 for c in m["commitments"] if c["kept"] is None)
        click.echo(f"约谈 {m['summons_id']}  {m['target_name']} {m['held_at']:%Y-%m-%d}: {len(m['summoned'])} "
                   f"summoned, {open_commitments} commitments open")
    for n in board["notices"]:
        click.echo(f"{NOTICE_TERMS[n['kind']]} {n['notice_id']}  {n['issued_at']:%Y-%m-%d}: {n['matter']}")
    for v in system.queries.accountability.vetoes("", year):
        click.echo(f"一票否决认定 {v['territory_name']}: {v['consequence']} ({v['illegal_acts']} acts, "
                   f"{v['fatal_accidents']} fatal accidents)")


@accountability.command("departments", help="Print the year's veto board per department (seed 001 ¶30).")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
def accountability_departments(year: int) -> None:
    system = bootstrap()
    for d in system.queries.accountability.department_vetoes("", year):
        status = "一票否决" if d["vetoed"] else "not vetoed"
        towns = ", ".join(f"{f['territory_name']}: {f['consequence']}" for f in d["findings"])
        click.echo(f"{d['department_name'] or d['department_id']}  {status}  ({towns})")


@accountability.command("assessments", help="Print the year's assessment results (考核), the veto applied; the scheme "
                                            "is a placeholder unless a jurisdiction set its own.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
def accountability_assessments(year: int) -> None:
    system = bootstrap()
    queries = system.queries.accountability
    for r in every_page(lambda offset: queries.assessments_of("", year, offset=offset)):
        placeholder = "  [placeholder scheme]" if r["placeholder"] else ""
        click.echo(f"{r['unit_name'] or r['unit_id']}  {r['score']}  {RATING_TERMS[Rating(r['rating'])]}{placeholder}")
    for p in every_page(lambda offset: queries.project_vetoes_of("", year, offset=offset)):
        click.echo(f"项目一票否决 {p['decided_at']:%Y-%m-%d}  {p['issuer_name']}: {p['name']} ({p['document']}) — "
                   f"{p['risk']}")
