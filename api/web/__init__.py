"""The web UI (仪表盘、台账、调查控制台) at ``/ui/``: static files only, served by the API's own app.

Plain ES modules and a vendored Apache ECharts (``static/vendor/echarts/VENDORED.md``): no build step, no CDN, no
font or script from outside the app (government intranets are air-gapped). The pages call ``/api/v1`` with the
bearer token the user enters, so every figure they show is scoped to that token's jurisdiction by the API itself.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
UI_PREFIX = "/ui"


def mount(app: FastAPI) -> None:
    """Serve the UI under ``/ui/`` (``/ui`` redirects there); a mount stays out of the OpenAPI document."""
    app.mount(UI_PREFIX, StaticFiles(directory=STATIC, html=True), name="ui")
