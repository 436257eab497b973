"""Commands never decide on a read model that lags (issue #10, item 3): with the projector in its own process
(``zeren projections run``, as in production) held back, ``MoveUnit``, ``DecideSectorLead``, ``EscalateListing``
and ``MakeRandomDraw`` are right straight after the data they depend on was written, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from api.bootstrap import System
from application import hazards as h
from application import inspections as ai
from application import organisation as o
from application.authorization import SYSTEM_PRINCIPAL
from domain import hazards as hz
from domain import random_draws as rd
from domain.calendar import end_of_day
from domain.posts import Post
from domain.responsibility import ResponsibilityList
from domain.supervision import LeadCandidate
from domain.units import CommitteeProfile, Unit
from infrastructure.following import wait_for
from infrastructure.settings import Settings
from tests.conftest import ADMIN, REGISTRAR, TOWN_B
from tests.inspection_scene import Scene
from tests.test_hazards import Desk, overdue_major


class Projector:
    """``zeren projections run`` in a process of its own, on the test's database."""

    def __init__(self, system: System, settings: Settings, workdir: Path):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZEREN_")}
        env |= {"ZEREN_DATA_DIR": str(settings.data_dir), "ZEREN_JWT_SECRET": settings.jwt_secret or ""}
        if settings.database_url:
            env["ZEREN_DATABASE_URL"] = settings.database_url
        else:
            env["ZEREN_SQLITE_PATH"] = str(settings.sqlite_path)
        self.system = system
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from api.cli import main; main()", "projections", "run", "--poll", "0.05"],
            cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def caught_up(self) -> None:
        """Wait until the projector process has read the whole log (it is the one that moves them here)."""
        names = list(self.system.runner.projections)
        assert wait_for(self.system.db, names, self.system.store.head(), timeout=60), "the projector is not running"
        assert self.process.poll() is None

    @contextmanager
    def held_back(self) -> Iterator[None]:
        """Stop the projector process, so that what is written now is not in the read models; it goes on after a
        second (if a command waits for a batch it was in the middle of) or when the block ends."""
        self.process.send_signal(signal.SIGSTOP)
        resume = threading.Timer(1.0, self.process.send_signal, (signal.SIGCONT,))
        resume.start()
        try:
            yield
        finally:
            resume.cancel()
            self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        _, err = self.process.communicate(timeout=30)
        assert self.process.returncode in (0, -signal.SIGTERM), err.decode()


@pytest.fixture
def projector(system: System, settings: Settings, tmp_path: Path) -> Iterator[Projector]:
    process = Projector(system, settings, tmp_path)
    yield process
    process.stop()


def get(system: System, aggregate_id: Any, kind: type) -> Any:
    state = system.store.get(aggregate_id)
    assert isinstance(state, kind)
    return state


def test_moving_a_unit_moves_the_post_and_the_list_made_a_moment_before(system: System,
                                                                       projector: Projector) -> None:
    scene = Scene(system)
    projector.caught_up()
    with projector.held_back():
        post = scene.world.post(scene.enterprise, title="新设岗位")
        duty_list = scene.world.duty_list(scene.enterprise)
        system.service.execute(o.MoveUnit(unit_id=scene.enterprise, parent_id=scene.world.town_b), REGISTRAR)
        assert get(system, post, Post).jurisdiction == TOWN_B
        assert get(system, duty_list, ResponsibilityList).jurisdiction == TOWN_B
    projector.caught_up()


def test_a_sector_lead_takes_on_the_enterprise_registered_a_moment_before(system: System,
                                                                          projector: Projector) -> None:
    scene = Scene(system)
    projector.caught_up()
    with projector.held_back():
        newcomer = scene.world.enterprise_in(scene.world.town_a, 7, sector="电动自行车充电")
        assert get(system, newcomer, Unit).supervision is None, "no department leads the new business yet"
        system.service.execute(o.DecideSectorLead(territory_id=scene.world.county, sector="电动自行车充电", candidates=[
            LeadCandidate(department_id=scene.department, competent=True)]), REGISTRAR)
        supervision = get(system, newcomer, Unit).supervision
        assert supervision is not None
        assert supervision.department_id == scene.department
    projector.caught_up()


def test_an_escalation_goes_to_the_committee_set_up_a_moment_before(system: System, projector: Projector,
                                                                   clock) -> None:
    desk = Desk(system)
    major, deadline = overdue_major(desk)
    clock.set(end_of_day(deadline) + timedelta(hours=2))
    system.service.execute(h.MarkHazardOverdue(hazard_id=major, deadline=deadline), SYSTEM_PRINCIPAL)
    projector.caught_up()
    with projector.held_back():
        committee = desk.world.run(ADMIN, o.RegisterUnit(profile=CommitteeProfile(
            kind="safety_committee", name="泉州市安全生产委员会"), parent_id=desk.world.city))
        system.service.execute(h.EscalateListing(hazard_id=major), SYSTEM_PRINCIPAL)
        listing = get(system, major, hz.Hazard).listing
        assert listing is not None
        assert (listing.authority_id, listing.level) == (committee, "city")
    projector.caught_up()


def test_a_draw_pools_the_enterprise_and_excludes_the_inspection_of_a_moment_before(system: System,
                                                                                    projector: Projector,
                                                                                    clock) -> None:
    scene = Scene(system)
    fourth = scene.world.person(14, name="检查员4")
    projector.caught_up()
    with projector.held_back():
        newcomer = scene.world.enterprise_in(scene.world.town_b, 8)
        assert get(system, newcomer, Unit).supervision is not None, "城管 leads 城镇燃气: supervised on registration"
        first = scene.completed()  # by inspectors 0 and 1
        clock.advance(timedelta(days=1))
        draw = scene.run(scene.inspector(0), ai.MakeRandomDraw(
            department_id=scene.department, seed="2025-第1批", target_pool=None,
            inspector_pool=[*scene.inspectors, fourth], targets=2)).id
        event = system.store.history(draw)[0]
        assert isinstance(event, rd.RandomDrawMade)
        assert set(event.target_pool) == {scene.enterprise, newcomer}
        assert {(x.target_id, x.inspector_id, x.previous_inspection_id) for x in event.exclusions} == {
            (scene.enterprise, scene.inspectors[0], first), (scene.enterprise, scene.inspectors[1], first)}
    projector.caught_up()
