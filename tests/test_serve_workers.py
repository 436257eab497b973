"""``zeren serve --workers N`` on PostgreSQL (issue #15): several processes answer requests, the followers run once,
in one child process. Commands reach the store from every worker (a worker's cached state moved on by another
worker is decided again, not lost), an idempotency key sent to several workers at once is stored once, and every
follower applies every event exactly once. Not timed: the deadlines only bound a failing test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
from click.testing import CliRunner
from sqlalchemy import select

from api.auth import issue_token
from api.bootstrap import System, bootstrap
from api.cli import cli
from domain.units import RiskColour
from infrastructure.audit.sealer import NAME as SEALER
from infrastructure.following import positions
from infrastructure.settings import Settings
from projections.audit_trail import EVENTS
from tests.builders import World
from tests.conftest import COUNTY, make_settings
from tests.kafka_broker import free_port

DEADLINE = 120.0
WORKERS = 2
ACCESS = re.compile(r"\[(\d+)\] \S+ - \"POST /api/v1/units/\S+/risk-colour HTTP/1.1\" 200")


def _environment(settings: Settings) -> dict[str, str]:
    assert settings.database_url
    assert settings.jwt_secret
    return {**os.environ, "ZEREN_DATABASE_URL": settings.database_url, "ZEREN_DATA_DIR": str(settings.data_dir),
            "ZEREN_JWT_SECRET": settings.jwt_secret}


def _served_by(log: Path) -> set[int]:
    """The processes whose access lines show a command answered."""
    return {int(pid) for pid in ACCESS.findall(log.read_text())}


def _all_followed(system: System, head: int) -> bool:
    names = [*system.runner.projections, SEALER]
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        reached = positions(system.db, names)
        if all(reached.get(name, 0) >= head for name in names):
            return True
        time.sleep(0.05)
    return False


def test_zeren_serve_workers_answer_from_several_processes_and_every_follower_sees_each_event_once(
        pg: Settings, tmp_path: Path) -> None:
    system = bootstrap(pg)
    world = World(system)
    assert pg.jwt_secret
    token = issue_token(pg.jwt_secret, subject="test:registrar", role="registrar", jurisdiction=COUNTY)
    units = [world.enterprise, *(world.enterprise_in(world.town_a, 2 + n) for n in range(3))]
    port, log = free_port(), tmp_path / "access.log"
    headers = {"Authorization": f"Bearer {token}"}
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port),
             "--workers", str(WORKERS)], env=_environment(pg), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + DEADLINE
        while True:
            assert server.poll() is None, log.read_text()[-3000:]
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=5.0).status_code == 200:
                    break
            except httpx2.HTTPError:
                pass
            assert time.monotonic() < deadline, "zeren serve --workers did not answer /healthz in time"
            time.sleep(0.2)

        def grade(unit: int, turn: int, key: str | None = None) -> Any:
            """One command on a connection of its own: each may land in any worker."""
            sent = {**headers, "Idempotency-Key": key} if key else headers
            response = httpx2.post(f"http://127.0.0.1:{port}/api/v1/units/{units[unit]}/risk-colour",
                                   headers=sent, timeout=60.0,
                                   json={"colour": list(RiskColour)[turn % 4], "reason": f"#{turn}"})
            assert response.status_code == 200, response.text
            return response.json()

        with ThreadPoolExecutor(4) as pool:
            turn = 0
            while len(_served_by(log)) < WORKERS and turn < 100:  # the kernel shares connections out unevenly
                # Four units at once, each graded in turn by whichever worker its connection reached: a worker's
                # cached state of a unit goes stale whenever another worker graded it last.
                list(pool.map(grade, range(len(units)), [turn] * len(units)))
                turn += 1
            assert len(_served_by(log)) == WORKERS, "commands were answered by every worker process"

            head = system.store.head()
            answers = list(pool.map(lambda _: grade(0, turn, key="once"), range(8)))
            assert sorted(answer.pop("replayed") for answer in answers) == [False] + [True] * 7
            assert all(answer == answers[0] for answer in answers)  # the first answer, replayed
            once = [e for e in system.store.read(head, 100_000) if e.event.envelope.command_id == "once"]
            assert len(once) == 1  # one key, one write, whichever workers answered (the policy worker may write too)
    finally:
        server.terminate()
        server.wait(DEADLINE)
    assert server.returncode is not None

    head = system.store.head()
    try:
        assert _all_followed(system, head), "the followers' child process followed to the head"
        with system.db.read() as conn:
            trail = conn.execute(select(EVENTS.c.position).order_by(EVENTS.c.position)).scalars().all()
        assert trail == [e.position for e in system.store.read(0, 100_000)]  # each event once (its key), none lost
        assert system.audit.check(system.audit.keys()).ok  # the sealer sealed every event once, in log order
    finally:
        system.close()


def test_workers_need_postgresql(tmp_path: Path) -> None:
    """SQLite is written by one process (its write lock is the process's): ``--workers`` above 1 is refused."""
    settings, _ = make_settings("sqlite", tmp_path, None)
    result = CliRunner().invoke(cli, ["serve", "--workers", "2"],
                                env={"ZEREN_SQLITE_PATH": str(settings.sqlite_path), "ZEREN_DATABASE_URL": None})
    assert result.exit_code == 2
    assert "--workers above 1 needs PostgreSQL" in result.output
