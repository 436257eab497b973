"""The zeren command line: one readable line on bad input, a non-zero exit, and the demo."""

from __future__ import annotations

from pathlib import Path

import jwt
import orjson
import pytest

from tests.builders import run_zeren as run


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("ZEREN_DATABASE_URL", "ZEREN_SQLITE_PATH", "ZEREN_JWT_SECRET", "ZEREN_MASTER_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_token_issue_prints_a_token_with_the_claims(workdir: Path, capsys) -> None:
    code, out, _ = run(capsys, "token", "issue", "--role", "viewer", "--jurisdiction", "350000/350500/350505")
    assert code == 0
    secret = (workdir / ".zeren" / "jwt.secret").read_text().strip()
    claims = jwt.decode(out.strip(), secret, algorithms=["HS256"], issuer="zeren")
    assert (claims["role"], claims["jur"]) == ("viewer", "350000/350500/350505")


def test_a_token_can_name_the_unit_and_the_person_who_signs(workdir: Path, capsys) -> None:
    unit, person = "6f1c3a52-7d0e-4b8e-9a57-2c1f0b6f2a10", "a3d5e2f4-1b6c-4e8f-9d0a-7c5b3e1f2d44"
    code, out, _ = run(capsys, "token", "issue", "--role", "inspector", "--jurisdiction", "350000/350500/350505",
                       "--unit", unit, "--person", person)
    assert code == 0
    secret = (workdir / ".zeren" / "jwt.secret").read_text().strip()
    claims = jwt.decode(out.strip(), secret, algorithms=["HS256"], issuer="zeren")
    assert (claims["unit"], claims["person"]) == (unit, person)


@pytest.mark.parametrize(("argv", "message"), [
    (["token", "issue", "--role", "boss", "--jurisdiction", "350000"], "unknown role 'boss'"),
    (["token", "issue", "--role", "viewer", "--jurisdiction", "泉港区"], "not a path of 行政区划代码"),
    (["token", "issue", "--role", "viewer"], "Missing option '--jurisdiction'"),
    (["token", "issue", "--role", "enterprise", "--jurisdiction", "350000"], "needs --unit (its enterprise)"),
    (["token", "issue", "--role", "inspector", "--jurisdiction", "350000"], "needs --unit (its department)"),
    (["token", "issue", "--role", "inspector", "--jurisdiction", "350000", "--unit", "x"], "not a valid UUID"),
    (["replay", "not-a-uuid"], "not a valid UUID"),
    (["projections", "rebuild", "nonsense"], "no projection named 'nonsense'"),
    (["no-such-command"], "No such command"),
])
def test_wrong_arguments_give_one_line_and_a_nonzero_exit(workdir: Path, capsys, argv: list[str],
                                                          message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("zeren: error: ")
    assert message in err


def test_demo_loads_once_and_replay_prints_an_aggregate(workdir: Path, capsys) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "events" in out
    code, _, err = run(capsys, "demo")
    assert code == 1
    assert err.strip() == "zeren: error: the store already holds events; the demo loads into an empty one"
    code, out, _ = run(capsys, "projections", "status")
    assert code == 0
    assert "lag       0" in out
    from api.demo.identifiers import credit_code
    from domain.units import EnterpriseProfile, unit_id_for

    gas_co = unit_id_for(EnterpriseProfile(name="x", credit_code=credit_code(101), sector="x", address="x",
                                           legal_representative="x", staff_count=1))
    code, out, _ = run(capsys, "replay", str(gas_co), "--as-of", "2025-01-01")
    assert code == 0
    body = orjson.loads(out)
    assert body["state"]["profile"]["name"] == "泉港华润燃气有限公司"
    assert body["state"]["risk_colour"] == "orange", "the 2026 regrading to yellow is not yet in effect"
    code, _, err = run(capsys, "replay", str(gas_co), "--known-at", "2020-01-01")
    assert code == 1
    assert "no events" in err


def test_rebuild_reports_what_it_applied(workdir: Path, capsys) -> None:
    run(capsys, "demo")
    code, out, _ = run(capsys, "projections", "rebuild", "audit_trail")
    assert code == 0
    assert out.startswith("rebuilt audit_trail: ")


def test_verify_draw_reruns_a_recorded_random_draw(workdir: Path, capsys) -> None:
    from uuid import uuid4

    from api.bootstrap import bootstrap
    from application import inspections as ai
    from infrastructure.settings import Settings
    from tests.inspection_scene import Scene

    system = bootstrap(Settings())
    try:
        scene = Scene(system)
        draw_id = scene.run(scene.inspector(0), ai.MakeRandomDraw(
            department_id=scene.department, seed="2025-第3批", target_pool=[scene.enterprise],
            inspector_pool=scene.inspectors, targets=1)).id
        recorded = system.store.get(draw_id)
    finally:
        system.close()
    code, out, _ = run(capsys, "inspections", "verify-draw", str(draw_id))
    assert code == 0
    first, _, rest = out.partition("\n")
    assert first.startswith(f"random draw {draw_id} reproduces (sha256-rank/1, seed '2025-第3批')")
    assert orjson.loads(rest) == [a.model_dump(mode="json") for a in recorded.result]
    code, out, err = run(capsys, "inspections", "verify-draw", str(uuid4()))
    assert code == 1
    assert out == ""
    assert err.startswith("zeren: error: no random draw ")
    assert len(err.strip().splitlines()) == 1


def test_blacklist_list_prints_the_public_list(workdir: Path, capsys) -> None:
    code, out, _ = run(capsys, "blacklist", "list", "--public", "--as-of", "2026-01-01T00:00:00+08:00")
    assert (code, out.strip().splitlines()[-1]) == (0, "0 listed")
    code, _, err = run(capsys, "blacklist", "list", "--as-of", "soon")
    assert code != 0
    assert err.startswith("zeren: error: ")


def test_orders_issue_list_and_show(workdir: Path, capsys) -> None:
    """``zeren orders issue`` gives the department's next 文书编号; a refusal is one line and writes nothing."""
    from datetime import datetime, timedelta
    from uuid import UUID

    from api.bootstrap import bootstrap
    from application import hazards as h
    from domain import hazards as hz
    from domain.calendar import CST
    from infrastructure.settings import Settings
    from tests.inspection_scene import Scene

    today = datetime.now(CST).date()
    system = bootstrap(Settings())
    try:
        scene = Scene(system)
        hazard = scene.run(scene.inspector(0), h.ReportHazard(
            unit_id=scene.enterprise, grade=hz.HazardGrade.general, description="燃气管道腐蚀",
            source=hz.HazardSource.grid_patrol)).id
        department, inspector = scene.department, scene.inspectors[0]
    finally:
        system.close()
    deadline = (today + timedelta(days=10)).isoformat()
    issue = ["orders", "issue", str(hazard), "--department", str(department), "--inspector", str(inspector),
             "--deadline", deadline, "--requirements", "更换腐蚀管段"]
    code, out, _ = run(capsys, *issue)
    assert code == 0
    assert out.startswith(f"泉港区城市管理局责改〔{today.year}〕1号  ordered {hazard}")
    code, _, err = run(capsys, *issue)
    assert (code, err.strip().count("\n")) == (1, 0)
    assert err.startswith("zeren: error: ")
    run(capsys, "projections", "rebuild", "orders")
    code, out, _ = run(capsys, "orders", "list", "--open")
    lines = out.strip().splitlines()
    assert (code, lines[-1]) == (0, "1 orders")
    order_id = UUID(lines[0].split()[0])
    code, out, _ = run(capsys, "orders", "show", str(order_id))
    assert code == 0
    assert f"document_no          泉港区城市管理局责改〔{today.year}〕1号" in out
