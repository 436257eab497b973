"""The web UI is served whole by the app and needs nothing from outside it: every script, style and font is local,
and the vendored libraries are the files their VENDORED.md names (version, hash, licence)."""

from __future__ import annotations

import hashlib
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import web

STATIC = web.STATIC
VENDORED = {
    "echarts/echarts.min.js": "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0",
    "write-excel-file/write-excel-file.min.js": "d57b59731b19d443f6b7333c5af0aa7250c87146a106f8a746f63429e7694c8e",
}


def test_the_vendored_libraries_are_the_recorded_files_with_their_licences() -> None:
    for path, digest in VENDORED.items():
        file = STATIC / "vendor" / path
        assert hashlib.sha256(file.read_bytes()).hexdigest() == digest, path
        notes = (file.parent / "VENDORED.md").read_text(encoding="utf-8")
        assert digest in notes
        assert "Licence" in notes
        assert (file.parent / "LICENSE").read_text(encoding="utf-8").strip()
    assert (STATIC / "vendor" / "echarts" / "NOTICE").exists()


def test_every_reference_of_the_pages_is_local() -> None:
    """No http(s):// or protocol-relative URL in the UI's own HTML, CSS and modules (the vendored files are checked by
    hash above; the browser tests abort and fail any request that leaves the app)."""
    for file in [*STATIC.glob("*.html"), *STATIC.glob("css/*.css"), *STATIC.glob("js/*.js")]:
        text = file.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href|url)\s*[=(]\s*["']?(https?:)?//""", text), file
        assert "@import" not in text, file
        assert "@font-face" not in text, file


def test_the_app_serves_the_ui_under_ui() -> None:
    app = FastAPI()
    web.mount(app)
    with TestClient(app) as client:
        page = client.get("/ui/")
        assert page.status_code == 200
        assert 'lang="zh-CN"' in page.text
        assert client.get("/ui/js/app.js").headers["content-type"].startswith("text/javascript")
        assert client.get("/ui", follow_redirects=False).status_code in (307, 308)
        assert client.get("/ui/vendor/echarts/echarts.min.js").status_code == 200
        assert client.get("/ui/../pyproject.toml").status_code == 404
