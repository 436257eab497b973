"""The project keeps its promises about itself: docs generated from code, ruff and mypy clean, CI runs the README's
tests."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from api.catalogue import event_classes, render_events

ROOT = Path(__file__).resolve().parent.parent


def test_event_catalogue_is_generated_from_the_code() -> None:
    assert (ROOT / "docs" / "events.md").read_text(encoding="utf-8") == render_events(), (
        "docs/events.md is stale: run `zeren docs events`"
    )


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


def test_event_schemas_are_generated_from_the_code() -> None:
    from infrastructure.stream.envelope import event_type
    from infrastructure.stream.schemas import render_schemas

    directory = ROOT / "docs" / "schemas"
    for name, text in render_schemas(event_classes()).items():
        path = directory / name
        stale = f"docs/schemas/{name} is missing or stale: run `zeren docs schemas`"
        assert path.exists(), stale
        assert path.read_text(encoding="utf-8") == text, stale
    current = {event_type(cls): cls.class_version for cls in event_classes()}
    for path in directory.glob("*.json"):
        if path.name == "index.json" or path.stem in current:
            continue
        name, _, version = path.stem.rpartition(".v")
        newer = [current[t] for t in current if t.rpartition(".v")[0] == name]
        unexpected = f"docs/schemas/{path.name} is neither a current type nor a superseded version of one"
        assert newer, unexpected
        assert int(version) < newer[0], unexpected
