"""The units' names kept while the directory's read model stands still (``infrastructure.kept_names``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, update

from api.bootstrap import System
from application import hazards as h
from application import organisation as o
from application.authorization import Principal
from domain import hazards as hz
from domain.units import RiskColour
from infrastructure.kept_names import KeptNames
from projections.directory import UNITS
from tests.builders import World
from tests.conftest import COUNTY, REGISTRAR


def test_a_units_name_and_colour_are_the_directorys_as_it_moves(system: System) -> None:
    world = World(system)
    system.runner.catch_up()
    names = system.queries.directory
    assert isinstance(names, KeptNames)
    enterprise = str(world.enterprise)
    assert names.unit_names({enterprise})[enterprise]["risk_colour"] is None
    for colour in (RiskColour.red, RiskColour.blue):
        system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=colour, reason="复核"), REGISTRAR)
        system.runner.catch_up()
        assert names.unit_names({enterprise, str(world.department)})[enterprise]["risk_colour"] == colour.value


def test_names_are_kept_only_while_the_directorys_tracking_row_is_unchanged(system: System) -> None:
    """Every change to the directory's tables moves its tracking row in the same transaction; this test writes the
    table behind the follower's back to show what is kept, and that a move of the row lets it go."""
    world = World(system)
    system.runner.catch_up()
    names, enterprise = system.queries.directory, str(world.enterprise)
    before = names.unit_names({enterprise})[enterprise]["name"]
    with system.db.transaction() as conn:
        conn.execute(update(UNITS).where(UNITS.c.unit_id == enterprise).values(name="改名"))
    assert names.unit_names({enterprise})[enterprise]["name"] == before
    system.service.execute(o.GradeRiskColour(unit_id=world.enterprise, colour=RiskColour.red, reason="复核"), REGISTRAR)
    system.runner.catch_up()
    assert names.unit_names({enterprise})[enterprise]["name"] == "改名"


def test_a_ledger_page_reads_the_units_names_within_its_own_connection(system: System) -> None:
    """The page's statement, the tracking row and the names not kept yet: one connection out of the read pool."""
    world = World(system)
    officer = Principal("insp", "inspector", COUNTY, unit_id=world.department, person_id=world.person(11, "林检查"))
    world.run(officer, h.ReportHazard(unit_id=world.enterprise, grade=hz.HazardGrade.general,
                                      description="燃气报警器失效", source=hz.HazardSource.self_reported))
    system.runner.catch_up()
    checkouts: list[object] = []

    def checked_out(*_: object) -> None:
        checkouts.append(_)

    reads = system.db._reads  # the engine Database.read checks connections out of
    event.listen(reads, "checkout", checked_out)
    try:
        now = datetime.now(UTC)
        rows = system.queries.hazards.ledger("350000", as_of=now, known_at=now)
    finally:
        event.remove(reads, "checkout", checked_out)
    assert len(checkouts) == 1
    enterprise = str(world.enterprise)
    assert [r["unit_name"] for r in rows] == [system.queries.directory.unit_names({enterprise})[enterprise]["name"]]
