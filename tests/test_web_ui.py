"""The web UI end to end in Debian's Chromium, headless (../shared/design/BROWSER_TESTING.md): log in with a token,
the dashboard, a number followed to its ledger rows, a ledger on a past day, a CSV export, and a town's user who
never sees another town's numbers. One server per demo store for the module; every request must stay inside the app
(the route guard fails any other), and a console error or a page error fails the test. Screenshots go to
``test-artifacts/ui/`` (gitignored)."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from api.app import create_app
from api.auth import issue_token
from api.bootstrap import System
from api.demo.scene import NANPU, SHANYAO

CHROMIUM = Path("/usr/lib/chromium/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "ui"
RANGE = "from=2024-11&to=2026-10&month=2025-02"  # the demo's two years, and a month with 零执法 flags


class Server:
    def __init__(self, system: System, url: str):
        self.system, self.url = system, url

    def token(self, role: str, jurisdiction: str) -> str:
        return issue_token(self.system.settings.resolved_jwt_secret, subject=f"ui-test:{role}", role=role,
                           jurisdiction=jurisdiction, ttl=timedelta(hours=1))

    def api(self, token: str, path: str, **params: Any) -> Any:
        query = f"?{urlencode(params)}" if params else ""
        request = urllib.request.Request(f"{self.url}/api/v1{path}{query}",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


@contextmanager
def serving(system: System, *, follow: bool) -> Iterator[Server]:
    """The app on ``system``, served by uvicorn in a thread on a port the OS picks (no race)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(system, follow=follow), log_level="warning", timeout_graceful_shutdown=1)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not uv.started:
        thread.join(0.05)
        assert thread.is_alive(), "the test server did not start"
    yield Server(system, f"http://127.0.0.1:{sock.getsockname()[1]}")
    uv.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def server(demo: System) -> Iterator[Server]:
    """One server on the demo store for the module (the demo is only read)."""
    with serving(demo, follow=False) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian's Chromium is needed: apt-get install -y --no-install-recommends chromium"
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@contextmanager
def tab(browser: Browser, base: str) -> Iterator[Page]:
    """A fresh browser tab (its own sessionStorage) that may only talk to the app at ``base``, in Beijing time."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True,
                                  viewport={"width": 1400, "height": 1000})
    problems: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(base + "/"):
            route.continue_()
        else:
            problems.append(f"a request left the app: {route.request.url}")
            route.abort()

    context.route("**/*", guard)
    opened = context.new_page()
    opened.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    opened.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    yield opened
    context.close()
    assert not problems, problems


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    with tab(browser, server.url) as opened:
        yield opened


def log_in(page: Page, server: Server, token: str) -> None:
    page.goto(f"{server.url}/ui/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("访问令牌").fill(token)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="安委会仪表盘")).to_be_visible()


def unlabelled(page: Page) -> list[str]:
    """Form fields without a label and charts without a text alternative (keyboard and screen-reader users)."""
    return page.evaluate("""() => [
        ...[...document.querySelectorAll("main input, main select, main textarea")]
            .filter((el) => !el.labels.length && !el.getAttribute("aria-label")).map((el) => el.name || el.id),
        ...[...document.querySelectorAll("[role=img]")].filter((el) => !el.getAttribute("aria-label"))
            .map((el) => el.id),
    ]""")


def shoot(page: Page, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{backend}.png"), full_page=True)


def backend_of(system: System) -> str:
    return system.db.dialect


def test_log_in_follow_a_number_to_its_rows_look_at_a_past_day_and_export(page: Page, server: Server) -> None:
    admin = server.token("admin", "350000")
    log_in(page, server, admin)
    page.goto(f"{server.url}/ui/#/?{RANGE}")
    found = page.locator("a[data-metric=found]")
    stats = server.api(admin, "/statistics/hazards", period="month", **{"from": "2024-11-01", "to": "2026-10-31"})
    expected = sum(r["count"] for r in stats if r["metric"] == "found")
    expect(found).to_have_text(str(expected))
    expect(page.locator("#h-enforcement")).to_contain_text("2025-02")
    expect(page.locator("#h-accountability")).to_contain_text("2026")  # the year of the range's end
    page.wait_for_function("document.querySelector('#hazard-chart canvas') !== null")
    assert unlabelled(page) == []
    shoot(page, "dashboard", backend_of(server.system))

    found.click()  # the number opens the ledger rows it counts
    expect(page.get_by_role("heading", name="隐患统计明细")).to_be_visible()
    rows = page.locator("#ledger-table tbody tr")
    expect(rows).to_have_count(expected)
    expect(page.locator("#ledger-table tbody")).to_contain_text("发现隐患")

    page.goto(f"{server.url}/ui/#/ledger/hazards")
    now = server.api(admin, "/hazards", limit=1000)
    then = server.api(admin, "/hazards", as_of="2025-06-01T00:00:00+08:00", limit=1000)
    assert 0 < len(then) < len(now)
    expect(rows).to_have_count(min(len(now), 50))
    page.get_by_label("状态所在时间 as_of").fill("2025-06-01T00:00")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2025-06-01 00:00 的状态")
    expect(rows).to_have_count(len(then))
    expect(page.locator("#ledger-table tbody")).to_contain_text("整改中")  # still being fixed then
    assert unlabelled(page) == []
    shoot(page, "hazards-as-of", backend_of(server.system))

    with page.expect_download() as download:
        page.get_by_role("button", name="导出 CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["发现时间", "企业", "行业领域"]
    assert sorted(r[4] for r in table[1:]) == sorted(h["description"] for h in then)
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with zipfile.ZipFile(download.value.path()) as xlsx:  # an OOXML workbook holding the same rows
        cells = "".join(xlsx.read(name).decode() for name in xlsx.namelist() if name.startswith("xl/"))
    assert all(escape(h["description"]) in cells for h in then)

    page.goto(f"{server.url}/ui/#/ledger/cases")  # the case ledger (行政处罚案件台账) of the cases context
    expect(page.get_by_role("columnheader", name="违法行为")).to_be_visible()
    cases = server.api(admin, "/cases")
    expect(page.locator("#row-count")).to_have_text(f"共 {len(cases)} 行")
    decided = next(c for c in cases if c["decided_on"])  # the case ledger on the day after it opened: not decided
    opened = (decided["opened_on"], f"{decided['opened_on']}T23:59")
    older = server.api(admin, "/cases", as_of=f"{opened[1]}:00+08:00")
    assert [c["status"] for c in older if c["case_id"] == decided["case_id"]] not in (["decided"], [])
    page.get_by_label("状态所在时间 as_of").fill(opened[1])
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{opened[0]} 23:59 的状态")
    expect(page.locator("#row-count")).to_have_text(f"共 {len(older)} 行")
    statuses = page.locator("#ledger-table tbody tr td:nth-child(5)")
    expect(statuses).to_have_text([c["status_term"] for c in older])
    assert decided["decision_no"] not in page.locator("#ledger-table tbody").inner_text()
    shoot(page, "cases-as-of", backend_of(server.system))
    page.goto(f"{server.url}/ui/#/ledger/slips?year=2025")  # 交办单 / 督办单 of the accountability board
    slips = server.api(admin, "/accountability/board", year=2025)["slips"]
    expect(page.locator("#row-count")).to_have_text(f"共 {len(slips)} 行")


def test_an_accident_number_opens_its_rows_the_blacklist_and_a_sorted_ledger_across_pages(page: Page,
                                                                                         server: Server) -> None:
    admin = server.token("admin", "350000")
    log_in(page, server, admin)
    page.goto(f"{server.url}/ui/#/?{RANGE}")
    grades = server.api(admin, "/statistics/accidents", **{"from": "2024-11-01", "to": "2026-10-31"})
    graded = grades[0]
    number = page.locator("#accidents-by-grade tbody a", has_text=str(graded["accidents"])).first
    expect(number).to_have_attribute("aria-label", f"{graded['grade_term']} {graded['accidents']} 起")
    number.click()  # the number opens the accident ledger rows it counts
    expect(page.get_by_role("heading", name="事故台账")).to_be_visible()
    expect(page.locator("#ledger-table tbody tr")).to_have_count(graded["accidents"])
    expect(page.locator("#ledger-table tbody")).to_contain_text(graded["grade_term"])
    assert unlabelled(page) == []
    shoot(page, "accidents", backend_of(server.system))

    page.goto(f"{server.url}/ui/#/ledger/blacklist")  # 严重失信主体名单: every listing, its state today
    listings = server.api(admin, "/blacklist", limit=1000)
    assert listings
    expect(page.locator("#ledger-table tbody tr")).to_have_count(len(listings))
    expect(page.locator("#ledger-table tbody")).to_contain_text(listings[0]["ground_text"])
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 CSV").click()
    exported = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert exported[0][:3] == ["建议时间", "单位", "列入情形"]
    assert [r[1] for r in exported[1:]] == [x["unit_name"] for x in listings]
    shoot(page, "blacklist", backend_of(server.system))

    hazards = server.api(admin, "/hazards", sort="-deadline_on", limit=1000)
    assert len(hazards) > 20  # two pages of 20 rows
    page.goto(f"{server.url}/ui/#/ledger/hazards")
    header = page.locator("th[data-sort=deadline_on] button")
    header.click()
    expect(page.locator("th[data-sort=deadline_on]")).to_have_attribute("aria-sort", "ascending")
    header.click()  # again: descending, sorted by the server over the whole ledger
    expect(page.locator("th[data-sort=deadline_on]")).to_have_attribute("aria-sort", "descending")
    page.get_by_label("每页行数").select_option("20")
    deadlines = page.locator("#ledger-table tbody tr td:nth-child(9)")
    expect(deadlines).to_have_text([h["deadline_on"] or "" for h in hazards[:20]])
    page.get_by_role("link", name="下一页").click()  # the second page continues the order
    expect(page.locator("#row-count")).to_contain_text("第 2 页")
    expect(deadlines).to_have_text([h["deadline_on"] or "" for h in hazards[20:40]])
    expect(page.locator("#ledger-table tbody tr td:nth-child(5)")).to_have_text(
        [h["description"] for h in hazards[20:40]])
    assert page.locator("th[data-sort=unit_name]").count() == 0  # not on the allow-list: not sortable


def test_a_town_user_never_sees_another_towns_numbers(page: Page, server: Server) -> None:
    admin, town = server.token("admin", "350000"), server.token("viewer", NANPU)
    log_in(page, server, town)
    page.goto(f"{server.url}/ui/#/?{RANGE}")
    window = {"from": "2024-11-01", "to": "2026-10-31"}
    own = server.api(town, "/statistics/hazards", period="month", **window)
    other = server.api(admin, "/statistics/hazards", period="month", jurisdiction=SHANYAO, **window)
    found = sum(r["count"] for r in own if r["metric"] == "found")
    assert found
    assert sum(r["count"] for r in other if r["metric"] == "found")
    expect(page.locator("a[data-metric=found]")).to_have_text(str(found))
    page.wait_for_function("document.querySelector('#hazard-chart canvas') !== null")
    shoot(page, "town-dashboard", backend_of(server.system))
    text = page.locator("main").inner_text()
    shanyao = [u["name"] for u in server.api(admin, "/units", limit=500) if u["jurisdiction"].startswith(SHANYAO)]
    assert shanyao
    assert not [name for name in shanyao if name in text]
    assert "山腰" not in text

    page.goto(f"{server.url}/ui/#/ledger/facts?{urlencode({'jurisdiction': SHANYAO, **window})}")
    expect(page.locator("#ledger-table tbody")).to_have_text("没有记录")  # asking for the other town gives nothing
    page.goto(f"{server.url}/ui/#/ledger/hazards")
    expect(page.locator("#ledger-table tbody tr").first).to_be_visible()
    assert not [name for name in shanyao if name in page.locator("main").inner_text()]


def test_the_investigator_console_shows_a_hazard_on_any_day_its_trail_and_its_dossier(page: Page,
                                                                                     server: Server) -> None:
    admin = server.token("admin", "350000")
    major = server.api(admin, "/hazards/major", limit=1)[0]
    found_on = major["found_at"][:10]
    log_in(page, server, admin)
    page.goto(f"{server.url}/ui/#/console?{urlencode({'hazard': major['hazard_id'], 'day': found_on})}")
    expect(page.locator("#h-state")).to_contain_text(found_on)
    first = page.locator("#h-state ~ p").first.inner_text()
    trail = server.api(admin, "/audit-trail", aggregate_id=major["hazard_id"], limit=1000)["items"]
    expect(page.locator("#audit-trail tbody tr")).to_have_count(len(trail))
    slider = page.get_by_label("时间轴", exact=False)
    slider.focus()
    page.keyboard.press("End")  # the keyboard moves the time slider: to today, the hazard's whole history
    expect(page.locator("#h-state")).not_to_contain_text(found_on)
    expect(page.locator("#h-state ~ p").first).to_contain_text(f"由 {len(trail)} 个事件构成")
    assert first != page.locator("#h-state ~ p").first.inner_text()
    lines = page.locator("#dossier-lines tbody tr")
    expect(lines.first).to_be_visible(timeout=30_000)
    for title in ("企业主体责任", "部门监管责任", "属地管理责任", "党政领导责任"):
        expect(page.locator("#dossier-lines tbody")).to_contain_text(title)
    assert lines.count() == page.locator("#dossier-lines td.sealed", has_text="已封存").count()
    assert unlabelled(page) == []
    shoot(page, "console", backend_of(server.system))


def test_the_dashboard_counts_a_new_hazard_without_a_reload(browser: Browser, system: System) -> None:
    from tests.test_hazards import Desk  # a county inspector and an enterprise of a small world

    desk = Desk(system)
    month = desk.today().strftime("%Y-%m")
    with serving(system, follow=True) as running, tab(browser, running.url) as live:
        log_in(live, running, running.token("admin", "350000"))
        live.goto(f"{running.url}/ui/#/?from={month}&to={month}&month={month}")
        expect(live.locator("a[data-metric=found]")).to_have_text("0")
        expect(live.locator("#live-counter")).to_contain_text("已连接")
        desk.report()
        expect(live.locator("a[data-metric=found]")).to_have_text("1", timeout=15_000)
        expect(live.locator("#live-counter")).to_contain_text("收到新事件")


def test_the_system_page_shows_each_read_models_progress_until_it_has_caught_up(
        browser: Browser, system: System, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.builders import World

    World(system).person(5)
    with serving(system, follow=False) as running, tab(browser, running.url) as watching:
        log_in(watching, running, running.token("auditor", "350000"))
        watching.get_by_role("link", name="系统状态").click()
        behind = [s["name"] for s in system.runner.status() if s["lag"] > 0]
        assert behind
        bars = watching.locator("#read-models progress")
        expect(bars).to_have_count(len(behind))
        expect(watching.locator(f"#read-models tr[data-model={behind[0]}]")).to_contain_text("落后")
        assert unlabelled(watching) == []
        shoot(watching, "read-models", backend_of(system))
        system.runner.catch_up()  # the page polls: the bars go once every read model has read the log
        expect(bars).to_have_count(0, timeout=15_000)
        expect(watching.locator("#readmodels-summary")).to_contain_text("全部已同步")

        # a rebuild's bar moves while it fills its shadow tables: the rebuild itself (two events a batch) waits
        # before its third batch until the page shows how far it has got; no thread, no sleep
        head, shown = system.store.head(), []
        monkeypatch.setattr(system.runner, "rebuild_batch_size", 2)
        read = system.runner._read

        def reading(after: int, limit: int) -> Any:
            if limit == 2 and after in (2, 4):
                row = watching.locator("#read-models tr[data-model=audit_trail]")
                expect(row.locator("progress[data-rebuild]")).to_have_attribute("value", str(after), timeout=15_000)
                expect(row.locator("progress[data-rebuild]")).to_have_attribute("max", str(head))
                expect(row).to_contain_text(f"重建中 {after} / {head}")
                shown.append(after)
            return read(after, limit)

        monkeypatch.setattr(system.runner, "_read", reading)
        system.runner.rebuild("audit_trail")
        assert shown == [2, 4]
        expect(bars).to_have_count(0, timeout=15_000)


def test_a_town_user_sees_its_own_assessment_project_vetoes_and_outsourcing_only(browser: Browser,
                                                                                system: System) -> None:
    """考核结果, 项目一票否决 and 外包外租 pages: 南埔镇's user sees 南埔镇's rows, never 山腰街道's; a result scored
    under the shipped placeholder scheme says so."""
    from application import accountability as ac
    from application import outsourcing as o
    from domain import assessments as asm
    from domain import outsourcing as os_
    from domain.calendar import local_day
    from domain.rules import pack_for
    from domain.rules.assessment import assessment_scheme
    from tests.builders import World
    from tests.conftest import ADMIN, COUNTY, TOWN_B

    w = World(system)
    nanpu_owner, nanpu_contractor = w.enterprise_in(w.town_b, 3), w.enterprise_in(w.town_b, 4)
    shanyao_contractor = w.enterprise_in(w.town_a, 2)
    today = local_day(system.service.clock.now())
    items = assessment_scheme(pack_for(COUNTY)).items
    for territory, owner, contractor, scope, score, agreement in (
            (w.town_a, w.enterprise, shanyao_contractor, "山腰调压站改造工程", "80", os_.Agreement.safety_agreement),
            (w.town_b, nanpu_owner, nanpu_contractor, "南埔储罐区检修工程", "92.5", os_.Agreement.none)):
        w.run(ADMIN, o.RecordOutsourcing(unit_id=owner, contractor_unit_id=contractor,
                                         kind=os_.OutsourcingKind.contracting, scope=scope, agreement=agreement,
                                         qualification="资质证书 D235000001", starts_on=today,
                                         ends_on=today + timedelta(days=90)))
        w.run(ADMIN, ac.RecordAssessment(unit_id=territory, year=2025, scores=[
            ac.ItemScore(code=i.code, score=Decimal(score)) for i in items]))
        w.run(ADMIN, ac.VetoProject(issuer_unit_id=territory, kind=asm.ProjectKind.project, name=f"{scope}审批",
                                    risk="重大安全风险", document="文号〔2025〕1号"))
    system.runner.catch_up()
    with serving(system, follow=False) as running, tab(browser, running.url) as town:
        log_in(town, running, running.token("viewer", TOWN_B))
        town.get_by_role("link", name="考核结果").click()
        expect(town.locator("h1")).to_contain_text("年度考核结果")
        expect(town.locator("#row-count")).to_be_visible()  # this year's page, read: now the year asked for
        town.get_by_label("年度", exact=False).fill("2025")
        town.get_by_role("button", name="查询").click()
        rows = town.locator("#ledger-table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("南埔镇")
        expect(rows).to_contain_text("92.50")
        expect(rows).to_contain_text("占位方案（非本地决定）")  # placeholder: true, shown as such
        assert "山腰" not in town.locator("main").inner_text()
        assert unlabelled(town) == []
        shoot(town, "assessments", backend_of(system))

        town.get_by_role("link", name="项目一票否决").click()
        expect(town.locator("h1")).to_contain_text("项目一票否决")  # the page changed (not the last one's count)
        expect(town.locator("#row-count")).to_be_visible()  # this year's page, read: now the year asked for
        town.get_by_label("年度", exact=False).fill("2025")
        town.get_by_role("button", name="查询").click()
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("南埔储罐区检修工程审批")
        assert "山腰" not in town.locator("main").inner_text()

        town.get_by_role("link", name="外包外租").click()
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("测试燃气有限公司4")
        expect(rows).to_contain_text("未签订安全生产管理协议或约定各自职责")  # what the record lacks
        text = town.locator("main").inner_text()
        assert "山腰" not in text
        assert "测试燃气有限公司2" not in text
        assert unlabelled(town) == []
        shoot(town, "outsourcing", backend_of(system))


def test_picking_an_accident_in_the_console_shows_its_history_trail_and_sealed_dossier(page: Page,
                                                                                      server: Server) -> None:
    admin = server.token("admin", "350000")
    trails = {a["accident_id"]: server.api(admin, "/audit-trail", aggregate_id=a["accident_id"], limit=1000)["items"]
              for a in server.api(admin, "/accidents", limit=100)}
    accident, trail = max(trails.items(), key=lambda kv: len(kv[1]))  # the one with the longest history
    def beijing_day(value: str) -> str:
        return (datetime.fromisoformat(value) + timedelta(hours=8)).date().isoformat()

    first = beijing_day(trail[0]["effective_at"])
    assert any(beijing_day(e["effective_at"]) > first for e in trail), "a history that moves after its first day"
    log_in(page, server, admin)
    page.get_by_role("link", name="调查控制台").click()
    page.locator("#c-kind").select_option("accident")  # picked by hand: the kind, then the accident's number
    page.locator("#c-id").fill(accident)
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#h-state")).to_contain_text("Accident")
    expect(page.locator("#h-state ~ p").first).to_contain_text(f"由 {len(trail)} 个事件构成")  # today: all of it
    expect(page.locator("#audit-trail tbody tr")).to_have_count(len(trail))
    expect(page.locator("#audit-trail tbody tr").first).to_contain_text(trail[0]["event_type"])
    page.get_by_label("时间轴", exact=False).focus()
    page.keyboard.press("Home")  # the time slider to the first day: the accident as it stood then
    expect(page.locator("#h-state")).to_contain_text(first)
    expect(page.locator("#h-state ~ p").first).not_to_contain_text(f"由 {len(trail)} 个事件构成")
    lines = page.locator("#dossier-lines tbody tr")
    expect(lines.first).to_be_visible(timeout=30_000)
    for title in ("企业主体责任", "部门监管责任", "属地管理责任", "党政领导责任"):
        expect(page.locator("#dossier-lines tbody")).to_contain_text(title)
    assert lines.count() == page.locator("#dossier-lines td.sealed", has_text="已封存").count()
    assert lines.count() == page.locator("#dossier-lines td.sealed", has_text="可核验").count()
    assert unlabelled(page) == []
    shoot(page, "console-accident", backend_of(server.system))
