"""The project keeps its promises about itself: docs generated from code, ruff and mypy clean, CI runs the README's
tests."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

from api.catalogue import event_classes, render_events

ROOT = Path(__file__).resolve().parent.parent


def test_event_catalogue_is_generated_from_the_code() -> None:
    """``docs/events.md`` is written from the code when the docs are built (``zeren docs events``), never committed:
    every event class is in it, under its context, with its term."""
    catalogue = render_events()
    for cls in event_classes():
        assert f"### {cls.__name__} — {cls.term}" in catalogue, f"{cls.__name__} is not catalogued"
    assert not (ROOT / "docs" / "events.md").exists() or _ignored("docs/events.md"), "docs/events.md is generated"


def _ignored(path: str) -> bool:
    return subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0


def test_every_event_names_its_chinese_term_and_context() -> None:
    for cls in event_classes():
        assert cls.term, f"{cls.__name__} has no Chinese term"
        assert re.search(r"[\u4e00-\u9fff]", cls.term), f"{cls.__name__}.term is not Chinese"
        assert cls.context, f"{cls.__name__} has no bounded context"
        assert cls.__doc__, f"{cls.__name__} has no docstring"
        assert cls.term in cls.__doc__, f"{cls.__name__}'s docstring does not name its term {cls.term}"


def test_ruff_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_mypy_is_clean() -> None:
    """The type checker passes as ``[tool.mypy]`` configures it: strict for ``domain/`` and ``application/``, the
    default checks (bodies of untyped functions included) for the rest and the tests. Its cache lives in a temporary
    directory of this checkout's own, so a rerun takes seconds."""
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    cache = Path(tempfile.gettempdir()) / f"zeren-mypy-{checkout}"
    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache)], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^python3 -m venv .*$", readme, flags=re.MULTILINE)
    assert len(commands) == 2, "the README's first screen gives exactly two commands"
    serve, test = commands
    assert "zeren serve --demo" in serve
    assert "pytest" in test
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_released_event_schemas_never_change_shape() -> None:
    """The schemas are generated from the code (``zeren docs schemas``, ``GET /api/v1/schemas``) and not committed;
    the released versions are frozen (``docs/schemas.released.json``, by ``zeren docs schemas --release``): a released
    type's ``data`` keeps its shape (docs/stream.md, Versioning), and a released version a ``class_version`` bump
    superseded keeps its committed schema in ``docs/schemas-superseded/`` until its retirement."""
    from infrastructure.stream.envelope import event_type
    from infrastructure.stream.schemas import digest, event_schema

    frozen = orjson.loads((ROOT / "docs" / "schemas.released.json").read_bytes())
    current = {event_type(cls): cls for cls in event_classes()}
    versions = {kind.rpartition(".v")[0]: cls.class_version for kind, cls in current.items()}
    for kind, fingerprint in frozen.items():
        if kind in current:
            assert digest(event_schema(current[kind])) == fingerprint, (
                f"{kind} was released with another shape of data: bump {current[kind].__name__}.class_version and add "
                "an upcaster (docs/DEVELOPING.md), never change a released version")
            continue
        name, _, version = kind.rpartition(".v")
        assert int(version) < versions.get(name, 0), f"released {kind} is neither current nor superseded by a newer one"
        kept = ROOT / "docs" / "schemas-superseded" / f"{kind}.json"
        assert kept.exists(), f"superseded {kind} stays published until its retirement: commit it in {kept.parent}"
        assert digest(orjson.loads(kept.read_bytes())) == fingerprint, f"{kept} is not {kind} as released"
    assert _ignored("docs/schemas/index.json"), "docs/schemas/ is generated, not committed"
