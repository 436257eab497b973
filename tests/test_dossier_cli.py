"""``zeren dossier ID -o FILE`` and ``zeren dossier verify FILE --public-key KEY``: a saved dossier verifies
offline; one altered line fails with one readable line."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from api.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.test_accidents import Scene
from tests.test_audit_cli import one_line_error, workdir  # noqa: F401  (the fixture)
from tests.test_cli import run


def test_build_verify_and_a_tampered_line(workdir: Path, capsys: pytest.CaptureFixture[str],  # noqa: F811
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    run(capsys, "audit", "keygen", "-o", "audit.pem")
    monkeypatch.setenv("ZEREN_AUDIT_KEY_PATH", str(workdir / "audit.pem"))
    system = bootstrap(Settings())
    scene = Scene(system)
    now = system.service.clock.now()  # the units exist from now on (real clock): the accident follows
    accident = scene.record(occurred_at=now, unit_head_informed_at=now, known_at=now)
    system.close()
    code, out, err = run(capsys, "dossier", str(accident), "-o", "dossier.json")
    assert code == 0, err
    assert out.startswith("wrote dossier.json: 6 lines")
    code, out, _ = run(capsys, "dossier", "verify", "dossier.json", "--public-key", "audit.pem.pub")
    assert code == 0
    assert out.startswith(f"dossier of accident {accident} verified: 6 lines from ")
    saved = orjson.loads((workdir / "dossier.json").read_bytes())
    entity = next(x for x in saved["content"]["lines"] if x["line"] == "entity")
    entity["facts"]["unit"]["name"] = "另一家公司"
    (workdir / "tampered.json").write_bytes(orjson.dumps(saved))
    error = one_line_error(*run(capsys, "dossier", "verify", "tampered.json", "--public-key", "audit.pem.pub"))
    assert "line 'entity' (企业主体责任) differs from what its evidence shows" in error
    code, _, _ = run(capsys, "dossier", str(accident), "--format", "html", "-o", "dossier.html")
    page = (workdir / "dossier.html").read_text(encoding="utf-8")
    assert code == 0
    assert "一案四查卷宗" in page
    assert "@media print" in page
    assert "测试燃气有限公司1" in page
    code, _, _ = run(capsys, "dossier", str(accident), "--format", "pdf", "-o", "dossier.pdf")
    assert code == 0
    assert (workdir / "dossier.pdf").read_bytes().startswith(b"%PDF-")
    error = one_line_error(*run(capsys, "dossier", str(scene.world.county), "-o", "x.json"))
    assert "no sealed accident, hazard or tip" in error
