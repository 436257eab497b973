"""The API served by a real server process on loopback: commands over HTTP against the same commands in-process, and
a filtered ledger page at 20 concurrent clients with the server's RSS (issue #15's two HTTP rows).

``zeren serve`` runs in a subprocess on a free port over a store the suite already generated (embedded mode: the
projections and the sealer follow in the server's process, as they do in production's single-process deployment);
the command clients and the ledger page's 20 clients are ``wrk``'s keep-alive connections (Debian's package: threads
of C, so the load costs the 2 cores little and the figures are the server's) when it is installed, else threads in
this process, each with its own keep-alive ``httpx2.Client`` (≈ 1 ms of CPU a request on the same cores: with one
client, a quarter of each command's round trip; docs/performance.md, "Tenth round, commands over HTTP"). The tokens
come from the app's own token issuing (``api.auth.issue_token``) with the store's secret. The RSS is read from
``/proc/<pid>/status`` of the server process (``VmRSS`` now, ``VmHWM`` its peak); its CPU time from
``/proc/<pid>/stat``, with its children's (the followers' process).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from uuid import UUID

import httpx2

from api.auth import issue_token
from infrastructure.settings import Settings

COLOURS = ("red", "orange", "yellow", "blue")
STARTUP_SECONDS = 300.0


@dataclass
class Server:
    url: str
    pid: int
    token: str

    def rss_mb(self) -> tuple[float, float, list[float]]:
        """(VmRSS, VmHWM) of the server process in MB, from ``/proc/<pid>/status``, and the VmRSS of each of its
        descendants (``--workers``' processes, the followers' process, multiprocessing's resource tracker)."""
        return *_memory(self.pid), [_memory(pid)[0] for pid in _descendants(self.pid)]

    def cpu_seconds(self) -> float:
        """User and system CPU seconds of the server process and its children so far (``/proc``)."""
        return _cpu(self.pid)

    def client(self) -> httpx2.Client:
        return httpx2.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=120.0)


def _memory(pid: int) -> tuple[float, float]:
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.split()
    return int(fields["VmRSS"][0]) / 1024, int(fields["VmHWM"][0]) / 1024


def _descendants(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            kids = [int(k) for k in children.read().split()]
    except OSError:  # gone meanwhile
        return []
    return [d for k in kids for d in (k, *_descendants(k))]


def _cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            kids = [int(k) for k in children.read().split()]
    except OSError:  # gone meanwhile
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + sum(_cpu(k) for k in kids)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def environment(settings: Settings) -> dict[str, str]:
    env = {**os.environ, "ZEREN_DATA_DIR": str(settings.data_dir), "ZEREN_SQLITE_PATH": str(settings.sqlite_path)}
    if settings.database_url:
        env["ZEREN_DATABASE_URL"] = settings.database_url
    else:
        env.pop("ZEREN_DATABASE_URL", None)
    return env


@contextmanager
def served(settings: Settings, *options: str) -> Iterator[Server]:
    """``zeren serve [options]`` on a free loopback port over ``settings``' store, until the block ends."""
    secret = settings.resolved_jwt_secret  # made here first if need be: the server reads the same file
    token = issue_token(secret, subject="bench", role="admin", jurisdiction="350000")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port), *options],
        env=environment(settings), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"zeren serve exited: {process.stderr.read().decode()[-2000:]}"
                                   if process.stderr else "zeren serve exited")
            try:
                if httpx2.get(url + "/healthz", timeout=5.0).status_code < 500:
                    break
            except httpx2.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("zeren serve did not answer /healthz in time")
            time.sleep(0.2)
        yield Server(url, process.pid, token)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def clients(server: Server, count: int, per_client: int, request: Callable[[httpx2.Client, int, int], None],
            ) -> tuple[float, list[float]]:
    """``count`` threads, each with its own keep-alive client making ``per_client`` requests (one warm-up request
    first, not counted): returns requests per second and every request's milliseconds."""
    waits: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(count + 1)

    def run(c: int) -> None:
        with server.client() as http:
            try:
                request(http, c, -1)  # opens the connection
            except BaseException:
                ready.abort()  # the others must not wait for this one
                raise
            ready.wait()
            mine = []
            for i in range(per_client):
                started = time.perf_counter()
                request(http, c, i)
                mine.append((time.perf_counter() - started) * 1000)
            with lock:
                waits.extend(mine)

    threads = [threading.Thread(target=run, args=(c,)) for c in range(count)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return count * per_client / (time.perf_counter() - started), waits


_GRADED: dict[UUID, int] = {}
"""How often each unit was graded over HTTP in this process: each grading gives the next colour, so it changes the
unit (a colour graded again writes nothing: a cheaper command than the in-process baseline's). A unit's first
grading over HTTP may repeat the colour the in-process rows left: at most one such no-op per unit."""


_TURNS: dict[UUID, int] = {}
"""Per unit, the colour last sent to it (an index into :data:`COLOURS`), kept across runs."""


def grading(units: list[UUID], count: int) -> Callable[[httpx2.Client, int, int], None]:
    """``POST /units/{id}/risk-colour``: client ``c`` grades its own share of the units (as the in-process
    writers do), each time the colour after the one it last sent to the unit, so every command writes an event (a
    colour graded again is no change: a cheaper command than the in-process baseline's)."""
    def request(http: httpx2.Client, c: int, i: int) -> None:
        mine = units[c::count]
        unit = mine[i % len(mine)]
        turn = _TURNS[unit] = _TURNS.get(unit, i) + 1
        response = http.post(f"/api/v1/units/{unit}/risk-colour",
                             json={"colour": COLOURS[turn % 4], "reason": "bench"})
        response.raise_for_status()
    return request


WRK_TIMEOUT = "--timeout=120s"
"""wrk counts an answer slower than its time-out (2 s by default) as an error, which fails the run: a slow answer is a
latency to measure, as the Python clients' 120 s time-out treats it, not a failure."""

COMMANDS_WRK_SCRIPT = """
local threads, made = {}, 0
setup = function(thread)
  thread:set("id", made)
  made = made + 1
  table.insert(threads, thread)
end
local units = {%s}
local turns = {%s}
local colours = {"red", "orange", "yellow", "blue"}
sent = 0
request = function()
  local k = id + (sent %% math.floor((#units - id - 1) / %d + 1)) * %d + 1
  sent = sent + 1
  turns[k] = turns[k] + 1
  return wrk.format("POST", "/api/v1/units/" .. units[k] .. "/risk-colour",
    {["Authorization"] = "Bearer %s", ["Content-Type"] = "application/json"},
    '{"colour":"' .. colours[(turns[k] %% 4) + 1] .. '","reason":"bench"}')
end
done = function(summary, latency, requests)
  io.write(string.format("commands %%d\\nseconds %%f\\nerrors %%d\\n", summary.requests, summary.duration / 1e6,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
  for _, thread in ipairs(threads) do
    io.write(string.format("sent %%d %%d\\n", thread:get("id"), thread:get("sent")))
  end
end
"""


def commands_by_wrk(server: Server, units: list[UUID], count: int, seconds: int) -> tuple[int, float] | None:
    """``count`` keep-alive clients of ``wrk`` (a thread of C and one connection each) grading risk colours for
    ``seconds``, as :func:`grading`'s threads do: client ``c`` its own share of the units in turn, each time the
    colour after the one last sent to the unit, so every command writes an event. Returns (commands answered,
    seconds) or ``None`` when ``wrk`` is not installed."""
    if shutil.which("wrk") is None:
        return None
    turns = [_TURNS.get(unit, 0) for unit in units]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(COMMANDS_WRK_SCRIPT % (", ".join(f'"{u}"' for u in units), ", ".join(map(str, turns)), count,
                                            count, server.token))
        script.flush()
        out = subprocess.run(["wrk", f"-t{count}", f"-c{count}", f"-d{seconds}s", WRK_TIMEOUT, "-s", script.name,
                              server.url],
                             capture_output=True, text=True, check=True).stdout
    found = dict(re.findall(r"^(commands|seconds|errors) (\S+)$", out, re.M))
    if float(found["errors"]):
        raise RuntimeError(f"wrk: {found['errors']} failed commands\n{out}")
    for c, sent in re.findall(r"^sent (\d+) (\d+)$", out, re.M):  # what each client's request() graded, in turn
        mine = units[int(c)::count]
        for k, unit in enumerate(mine):
            _TURNS[unit] = _TURNS.get(unit, 0) + int(sent) // len(mine) + (1 if k < int(sent) % len(mine) else 0)
    return int(found["commands"]), float(found["seconds"])


FILTERS: tuple[dict[str, str | int | bool], ...] = (
    {"open": True}, {"status": "closed"}, {"grade": "general"}, {"sort": "-deadline_on"}, {"grade": "major"},
    {"open": True, "jurisdiction": "350000"})


def ledger_page(http: httpx2.Client, c: int, i: int) -> None:
    """``GET /hazards?limit=50`` with one of several filters."""
    response = http.get("/api/v1/hazards", params={"limit": 50, **FILTERS[(c + i) % len(FILTERS)]})
    response.raise_for_status()


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Authorization"] = "Bearer %s"})
end
done = function(summary, latency, requests)
  io.write(string.format("pages %%d\\nerrors %%d\\n", summary.requests, summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
  for _, p in ipairs({50, 95}) do io.write(string.format("p%%d %%f\\n", p, latency:percentile(p) / 1000)) end
end
"""


def pages_by_wrk(server: Server, count: int, seconds: float) -> tuple[float, float, float] | None:
    """``count`` keep-alive connections of ``wrk`` asking for ledger pages for ``seconds``: (pages/s, p50, p95 in
    ms), or ``None`` when ``wrk`` is not installed. wrk's latencies are per request, as the threads' are."""
    if shutil.which("wrk") is None:
        return None
    paths = ", ".join('"/api/v1/hazards?' + "&".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                                                     for k, v in {"limit": 50, **f}.items()) + '"' for f in FILTERS)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % (paths, server.token))
        script.flush()
        out = subprocess.run(["wrk", "-t2", f"-c{count}", f"-d{seconds:.0f}s", WRK_TIMEOUT, "-s", script.name,
                              server.url],
                             capture_output=True, text=True, check=True).stdout
    found = dict(re.findall(r"^(pages|errors|p50|p95) (\S+)$", out, re.M))
    if float(found["errors"]):
        raise RuntimeError(f"wrk: {found['errors']} failed requests\\n{out}")
    return float(found["pages"]) / seconds, float(found["p50"]), float(found["p95"])


def main() -> None:
    """``python -m bench.over_http [--events N] [--runs 3]``: only these rows, on a freshly generated PostgreSQL
    store."""
    import argparse
    import tempfile
    from pathlib import Path

    from bench.backends import POSTGRES
    from bench.suite import enterprises_of, generate, over_http, store, table

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--commands", type=int, default=400)
    parser.add_argument("--pages", type=int, default=25, help="requests per reading client and run")
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--serve", default="", help="options for zeren serve, e.g. '--followers threads'")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name, store("postgres", args.postgres, Path(name)) as settings:
        started = time.perf_counter()
        system, _, _ = generate(settings, args.events)
        print(f"generated {system.store.head():,} events in {time.perf_counter() - started:.0f} s", flush=True)
        try:
            system.runner.catch_up()
            rows = over_http(system, settings, enterprises_of(system), args.commands, args.runs, 20, args.pages,
                             tuple(args.serve.split()))
        finally:
            system.close()
    print(table(rows))


if __name__ == "__main__":
    main()
