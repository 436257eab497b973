"""``zeren accountability board --year`` and ``zeren accountability record PERSON``: what the read model holds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from api.bootstrap import bootstrap
from api.cli.console import every_page
from application import accountability as a
from domain import accountability as ac
from domain.rules import pack_for
from domain.rules.assessment import assessment_scheme
from infrastructure.settings import Settings
from tests.builders import World
from tests.conftest import ADMIN
from tests.test_audit_cli import workdir  # noqa: F401  (the fixture)
from tests.test_cli import run


def test_the_board_and_a_record_from_the_command_line(workdir: Path,  # noqa: F811
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    system = bootstrap(Settings())
    world = World(system)
    now = system.service.clock.now()
    world.run(ADMIN, a.IssueSlip(kind=ac.SlipKind.assignment, issuer_unit_id=world.county,
                                 target_unit_id=world.town_a, matter="燃气隐患交办", deadline=now + timedelta(days=3)))
    person = world.person(60, "赵某")
    system.runner.catch_up()
    system.close()
    code, out, err = run(capsys, "accountability", "board", "--year", str(now.year))
    assert code == 0, err
    assert "交办单" in out
    assert "山腰街道: open" in out
    code, out, err = run(capsys, "accountability", "record", str(person))
    assert code == 0, err
    assert out.strip() == "0 entries"
    code, _, err = run(capsys, "accountability", "board", "--year", "1800")
    assert code != 0
    assert "1800" in err


def test_assessments_and_the_department_board_from_the_command_line(workdir: Path,  # noqa: F811
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    system = bootstrap(Settings())
    world = World(system)
    year = system.service.clock.now().year
    scores = [a.ItemScore(code=item.code, score=Decimal(95))
              for item in assessment_scheme(pack_for("350000/350500/350505")).items]
    world.run(ADMIN, a.RecordAssessment(unit_id=world.town_a, year=year, scores=scores))
    system.runner.catch_up()
    system.close()
    code, out, err = run(capsys, "accountability", "assessments", "--year", str(year))
    assert code == 0, err
    assert "山腰街道  95.00  优秀  [placeholder scheme]" in out
    code, out, err = run(capsys, "accountability", "departments", "--year", str(year))
    assert (code, out) == (0, ""), err


def test_a_listing_reads_every_page() -> None:
    """The command line lists every row of a paged query, page after page, never only the first page's 500."""
    rows = [{"n": n} for n in range(7)]
    asked: list[int] = []

    def page(offset: int) -> list[dict[str, int]]:
        asked.append(offset)
        return rows[offset:offset + 3]

    assert list(every_page(page)) == rows
    assert asked == [0, 3, 6, 7]
