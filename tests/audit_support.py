"""Helpers of the audit tests: a sealed history, bundles written to files, bundles rewritten by a tamperer."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from api.bootstrap import System
from api.demo.identifiers import resident_id
from application import organisation as o
from application import people as pp
from domain.units import RiskColour
from infrastructure.audit.export import Selection
from tests.builders import World
from tests.conftest import REGISTRAR, TOWN_A

ID_NUMBER = resident_id(date(1980, 5, 17), 42)
"""A planted 居民身份证号: it must never appear in a bundle."""


class SealedHistory:
    """A small world, a person with a sealed identity, three signed heads (so bundles carry earlier heads)."""

    def __init__(self, system: System):
        self.system = system
        self.world = World(system)
        system.audit.sealer.seal_now()
        self.person = system.service.execute(pp.RegisterPerson(name="王五", id_number=ID_NUMBER, jurisdiction=TOWN_A),
                                             REGISTRAR).id
        self.grade(RiskColour.red, RiskColour.yellow)
        system.audit.sealer.seal_now()
        self.grade(RiskColour.blue)
        _, self.head = system.audit.sealer.seal_now()

    def grade(self, *colours: RiskColour) -> None:
        for colour in colours:
            self.system.service.execute(o.GradeRiskColour(unit_id=self.world.enterprise, colour=colour, reason="复核"),
                                        REGISTRAR)

    def keys(self) -> dict:
        return self.system.audit.keys()

    def export(self, path: Path, selection: Selection | None = None) -> Path:
        plan = self.system.audit.export(selection or Selection())
        with path.open("wb") as f:
            for chunk in plan.chunks():
                f.write(chunk)
        return path

    def public_key(self, path: Path) -> Path:
        path.write_text(self.system.audit.signer.public_pem())
        return path


def rewrite(source: Path, target: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of a bundle with one member changed (the manifest left as it was, unless it is the member)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info.filename, change(data) if info.filename == member else data)
    return target


def lines_of(bundle: Path, member: str = "events.jsonl") -> list[bytes]:
    with zipfile.ZipFile(bundle) as archive:
        return archive.read(member).splitlines(keepends=True)


def everything_in(bundle: Path) -> bytes:
    """Every member's bytes, plus every event's stored bytes decoded from base64."""
    import base64

    import orjson

    with zipfile.ZipFile(bundle) as archive:
        parts = [archive.read(name) for name in archive.namelist()]
    parts += [base64.b64decode(orjson.loads(line)["stored"]) for line in lines_of(bundle)]
    return b"\n".join(parts)
