"""The event store: one ordered log for every aggregate, through the ``eventsourcing`` library.

- Events are pydantic models stored as orjson bytes (the library's *aggregate7* mapper style).
- Schema changes: an event class with ``class_version = N`` stores that number; loading an older event runs the
  class's ``upcast_v1_v2`` … ``upcast_v{N-1}_v{N}`` on the stored dict first (old events stay as they were).
- The recorders add, in the same transaction as the events, the idempotency receipt (:data:`RECEIPTS`) of the
  command that wrote them, and protect stored events: a trigger rejects UPDATE and DELETE (docs/architecture.md §1).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import orjson
import psycopg
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    Mapper,
    OperationalError,
    StoredEvent,
    Transcoder,
    Transcoding,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import get_topic, resolve_topic, retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composable, Composed, Identifier, Literal
from pydantic import BaseModel
from sqlalchemy import Column, LargeBinary, Table

from application.ports import Receipt, StoredReceipt
from domain.base import upcast
from infrastructure.durable import DURABLE
from infrastructure.group_commit import GroupCommit, Refused, Save, admit, involved, preconditions
from projections.columns import BigInt, Key


class OrjsonTranscoder(Transcoder):
    """All stored JSON goes through orjson."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)

    def register(self, transcoding: Transcoding) -> None:
        raise TypeError("events are pydantic models; no transcodings are registered")


class PydanticMapper(Mapper):
    """Maps pydantic events to stored events and back, upcasting old shapes on the way in."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        model: BaseModel = domain_event
        state = model.model_dump()
        class_version = getattr(type(model), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(type(model)),
            state=self.transcoder.encode(state),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """The stored event as its class (:func:`decode`)."""
        return decode(stored_event.topic, stored_event.state)


def decode(topic: str, state: bytes) -> Any:
    """A stored event as its class, the one decode every reader uses (followers, the aggregate load, the dossier's
    build and its offline check). An event stored at its class's current schema version is validated straight from
    its bytes (pydantic's JSON validation: one pass, no intermediate dict — about a fifth cheaper than
    ``orjson.loads`` + ``model_validate``, the same values); an older one is decoded to a dict and upcast first."""
    cls = resolve_topic(topic)
    if getattr(cls, "class_version", 1) == 1 and _CLASS_VERSION not in state:
        return cls.model_validate_json(state)
    return cls.model_validate(upcast(cls, orjson.loads(state)))


_CLASS_VERSION = b'"class_version"'
"""Stored only for classes past version 1 (:meth:`PydanticMapper.to_stored_event`): an event stored with it, or of a
class past version 1, goes through the upcasters."""


RECEIPTS = Table(
    "command_receipts", DURABLE,
    Column("scope", Key, primary_key=True),
    Column("key", Key, primary_key=True),
    Column("fingerprint", Key, nullable=False),
    Column("response", LargeBinary, nullable=False),
    Column("last_position", BigInt, nullable=False),
)
"""Idempotency receipts, written by the recorders below in the transaction of the command's events (created by the
migrations, ``infrastructure/migrations``)."""
RECEIPTS_TABLE = RECEIPTS.name


class Stale(IntegrityError):
    """A record the command read but did not change is no longer at the version it decided on: another writer
    changed it first. The command is decided again on the new state (``application.service``)."""


def _check_versions(read: dict[UUID, int], current: dict[UUID, int]) -> None:
    changed = [str(i) for i, version in read.items() if current.get(i, 0) != version]
    if changed:
        raise Stale(f"changed since read: {', '.join(changed)}")


def channel(schema: str, table: str) -> str:
    """The ``NOTIFY`` channel of the events table of ``schema``. The library names it after the table alone, but a
    channel is database-wide: every store of the database (one per schema) would wake every listener for nothing.
    Channels are identifiers of at most 63 bytes; a longer name is shortened with a digest of the schema."""
    name = f"{table}@{schema}"
    if len(name.encode()) > 63:
        name = f"{table}@{hashlib.sha256(schema.encode()).hexdigest()[:16]}"
    return name


COPY_FROM = 64
"""PostgreSQL: a save of at least this many events (a bulk import's batch: ``bench/generator.py``'s
``BufferedLog``, a migration) is written with ``COPY`` (:meth:`PostgresEventRecorder._copy_events`); a command's few
events go in by the append function (one statement, its commit included: :meth:`PostgresEventRecorder._append`)."""

LogRow = tuple[int, bytes, int, str, bytes]
"""A stored event as the audit sealer reads it: position, the aggregate id's 16 bytes, version, topic, stored bytes."""
PositionedRow = tuple[int, UUID | str, int, str, bytes]
"""A stored event read by position or record: position, aggregate id (a ``UUID`` on PostgreSQL, its text on SQLite),
version, topic, stored bytes."""
FIRST_ID, LAST_ID = -(1 << 63), (1 << 63) - 1
"""The bounds of a notification id (a 64-bit integer on both databases): a read from the very first row, whatever
its id, starts at the first."""

EVENTS_TABLE = "zeren_events"
"""The events table: the PostgreSQL factory names it after the application; SQLite is given the same name."""


class SQLiteEventRecorder(SQLiteApplicationRecorder):
    """SQLite recorder with receipts and an immutability trigger."""

    def __init__(self, datastore: Any, events_table_name: str = EVENTS_TABLE):
        super().__init__(datastore, events_table_name=events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        table = self.events_table_name
        return [
            *super().construct_create_table_statements(),
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'stored events are immutable: UPDATE rejected'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'stored events are immutable: DELETE rejected'); END",
        ]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        ids = super()._insert_events(c, stored_events, **kwargs)
        read: dict[UUID, int] | None = kwargs.get("read")
        if read:  # after the insert: this transaction holds the write lock, nobody commits before it ends
            marks = ",".join("?" * len(read))
            c.execute(f"SELECT originator_id, MAX(originator_version) FROM {self.events_table_name} "
                      f"WHERE originator_id IN ({marks}) GROUP BY originator_id", [i.hex for i in read])
            _check_versions(read, {UUID(row[0]): row[1] for row in c.fetchall()})
        receipt: Receipt | None = kwargs.get("receipt")
        if receipt is not None and ids:
            c.execute(
                f"INSERT INTO {RECEIPTS_TABLE} VALUES (?,?,?,?,?)",
                (receipt.scope, receipt.key, receipt.fingerprint, receipt.response, max(ids)),
            )
        receipts: Sequence[tuple[Receipt, int]] = kwargs.get("receipts") or ()
        if receipts:
            assert ids is not None
            c.executemany(f"INSERT INTO {RECEIPTS_TABLE} VALUES (?,?,?,?,?)",
                          [(r.scope, r.key, r.fingerprint, r.response, ids[last]) for r, last in receipts])
        return ids

    def find_receipt(self, scope: str, key: str) -> StoredReceipt | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT fingerprint, response, last_position FROM {RECEIPTS_TABLE} WHERE scope=? AND key=?",
                (scope, key),
            )
            row = c.fetchone()
        return StoredReceipt(row[0], bytes(row[1]), row[2]) if row else None

    def select_rows(self, after: int | None, limit: int) -> list[LogRow]:
        """Up to ``limit`` rows after position ``after`` (``None``: from the very first, whatever its id), in
        position order, as tuples: the audit sealer's read of the log, without the library's notification objects
        (issue #15)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table_name} "
                      "WHERE rowid >= ? ORDER BY rowid LIMIT ?", (FIRST_ID if after is None else after + 1, limit))
            return [(r[0], UUID(r[1]).bytes, r[2], r[3], bytes(r[4])) for r in c.fetchall()]

    def select_positions(self, positions: Sequence[int]) -> list[PositionedRow]:
        """The rows at these log positions (position, aggregate id — its text here —, version, topic, stored
        bytes), in one query per 500 positions (a dossier's scattered records read at once, not one
        ``select_events`` per record)."""
        return self._among("rowid", list(positions))

    def select_records(self, originator_ids: Sequence[UUID], last: int) -> list[PositionedRow]:
        """The rows of these records' events at or below position ``last`` (as :meth:`select_positions`), in
        position order, in one query per 500 records (the primary key's ``originator_id``, stored as its hex)."""
        return sorted(self._among("originator_id", [i.hex for i in originator_ids], "AND rowid <= ?", (last,)))

    def _among(self, column: str, values: list[Any], further: str = "", parameters: Sequence[Any] = ()
               ) -> list[PositionedRow]:
        """The rows (as :meth:`select_positions`) whose ``column`` is one of ``values``, in one query per 500 of
        them (SQLite's bound variables are limited), ``further`` a condition on its ``parameters``."""
        rows: list[PositionedRow] = []
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(values), 500):
                chunk = values[start:start + 500]
                c.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM "
                          f"{self.events_table_name} WHERE {column} IN ({','.join('?' * len(chunk))}) {further}",
                          [*chunk, *parameters])
                rows += [(r[0], r[1], r[2], r[3], bytes(r[4])) for r in c.fetchall()]
        return rows


class PostgresEventRecorder(PostgresApplicationRecorder):
    """PostgreSQL recorder with receipts and a trigger that rejects UPDATE, DELETE and TRUNCATE of events."""

    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        self.channel_name = channel(self.datastore.schema, self.events_table_name)
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        function = Identifier(f"{self.events_table_name}_immutable")
        self.sql_create_statements[:0] = [SQL("CREATE SCHEMA IF NOT EXISTS {0}").format(schema)]
        self.sql_create_statements += [
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'stored events are immutable: % rejected', TG_OP "
                "USING ERRCODE = 'insufficient_privilege'; END $$"
            ).format(schema=schema, function=function),
            SQL(
                "CREATE OR REPLACE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {schema}.{table} "
                "FOR EACH ROW EXECUTE FUNCTION {schema}.{function}()"
            ).format(trigger=Identifier(f"{self.events_table_name}_immutable"), schema=schema, table=table,
                     function=function),
            SQL(
                "CREATE OR REPLACE TRIGGER {trigger} BEFORE TRUNCATE ON {schema}.{table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{function}()"
            ).format(trigger=Identifier(f"{self.events_table_name}_no_truncate"), schema=schema, table=table,
                     function=function),
            self._create_append_function(schema, table),
        ]
        # Under the table lock the transaction's own events are the last: their highest id is the receipt's position.
        self.insert_receipt_statement = SQL(
            "INSERT INTO {schema}.{receipts} VALUES "
            "(%s, %s, %s, %s, (SELECT MAX(notification_id) FROM {schema}.{table}))"
        ).format(schema=schema, receipts=Identifier(RECEIPTS_TABLE), table=table).as_bytes()
        self.insert_positioned_receipt_statement = SQL(
            "INSERT INTO {schema}.{receipts} VALUES (%s, %s, %s, %s, %s)"
        ).format(schema=schema, receipts=Identifier(RECEIPTS_TABLE))
        self.select_versions_statement = SQL(
            "SELECT originator_id, MAX(originator_version) AS version FROM {schema}.{table} "
            "WHERE originator_id = ANY(%s) GROUP BY originator_id"
        ).format(schema=schema, table=table).as_bytes()
        self.select_positions_statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {schema}.{table} "
            "WHERE notification_id = ANY(%s)"
        ).format(schema=schema, table=table)
        self.select_records_statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {schema}.{table} "
            "WHERE originator_id = ANY(%s) AND notification_id <= %s ORDER BY notification_id"
        ).format(schema=schema, table=table)
        self.select_rows_statement = SQL(
            "SELECT notification_id, uuid_send(originator_id), originator_version, topic, state FROM {schema}.{table} "
            "WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
        ).format(schema=schema, table=table)
        self.select_head_statement = SQL(
            "SELECT COALESCE(MAX(notification_id), 0) AS head FROM {schema}.{table}").format(schema=schema, table=table)
        self.copy_events_statement = SQL(
            "COPY {schema}.{table} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)"
        ).format(schema=schema, table=table)
        self.select_copied_statement = SQL(
            "SELECT MIN(notification_id) AS first, MAX(notification_id) AS last, COUNT(*) AS count "
            "FROM {schema}.{table} WHERE notification_id > %s"
        ).format(schema=schema, table=table)
        self.select_ids_statement = SQL(
            "SELECT notification_id FROM {schema}.{table} WHERE notification_id > %s ORDER BY notification_id"
        ).format(schema=schema, table=table)
        self.append_statement = SQL(
            "SELECT * FROM {schema}.{append}(%b::{id}[], %b::bigint[], %b::text[], %b::bytea[], %b::{id}[], "
            "%b::bigint[], %b::text[], %b::text[], %b::text[], %b::bytea[], %b::{id}[], %b::bigint[], %s)"
        ).format(schema=schema, append=Identifier(f"{self.events_table_name}_append"),
                 id=Identifier(self.datastore.originator_id_type)).as_bytes()
        self.lock_timeout = f"{self.datastore.lock_timeout}s"
        """The library's ``SET LOCAL lock_timeout`` before its table lock, set by the append function."""
        self.insert_grouped_statement = (self.insert_events_statement
                                         + SQL(", originator_id, originator_version")).as_bytes()
        self.select_receipts_statement = SQL(
            "SELECT scope, key FROM {schema}.{receipts} WHERE scope = ANY(%s) AND key = ANY(%s)"
        ).format(schema=schema, receipts=Identifier(RECEIPTS_TABLE)).as_bytes()
        self.insert_receipt_at_statement = SQL(
            "INSERT INTO {schema}.{receipts} SELECT %s, %s, %s, %s, notification_id FROM {schema}.{table} "
            "WHERE originator_id = %s AND originator_version = %s"
        ).format(schema=schema, receipts=Identifier(RECEIPTS_TABLE), table=table).as_bytes()
        # A command's save runs these statements as bytes, rendered once here: psycopg renders a composed statement
        # again on every execution (issue #15).
        self.lock_table_statements = [statement.as_bytes() if isinstance(statement, Composable) else statement
                                      for statement in self.lock_table_statements]
        self.notify_statement = SQL("NOTIFY {0}").format(Identifier(self.channel_name)).as_bytes()
        self.group = GroupCommit(self._insert_group, self._insert_alone)
        """Concurrent commands of this process share a transaction (``infrastructure.group_commit``)."""
        self.select_receipt_statement = SQL(
            "SELECT fingerprint, response, last_position FROM {schema}.{receipts} WHERE scope = %s AND key = %s"
        ).format(schema=schema, receipts=Identifier(RECEIPTS_TABLE))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_rows(self, after: int | None, limit: int) -> list[LogRow]:
        """Up to ``limit`` rows after position ``after`` (``None``: from the very first, whatever its id), in
        position order, as tuples read in binary (the aggregate id's 16 bytes as the server sends them): the audit
        sealer's read of the log, without the library's dict rows and notification objects (issue #15)."""
        with self.datastore.get_connection() as conn, conn.cursor(binary=True, row_factory=tuple_row) as curs:
            curs.execute(self.select_rows_statement, (FIRST_ID if after is None else after + 1, limit), prepare=True)
            return curs.fetchall()

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """A command's save joins the process's group commit (:meth:`_insert_group`; alone when no other command
        saves meanwhile: :meth:`_insert_alone`); a bulk import's batch goes in by ``COPY``."""
        read: dict[UUID, int] = kwargs.get("read") or {}
        receipt: Receipt | None = kwargs.get("receipt")
        receipts: Sequence[tuple[Receipt, int]] = kwargs.get("receipts") or ()
        if len(stored_events) >= COPY_FROM or receipts:
            return self._copy_events(stored_events, read, receipt, receipts)
        return self.group.save(Save(stored_events, dict(read), receipt))

    def _notify_channel(self, curs: Any) -> None:
        curs.execute(self.notify_statement)

    def _create_append_function(self, schema: Identifier, table: Identifier) -> Composed:
        """The append function (issue #15): a command's save, or a group's, in **one statement** — one round trip, its
        transaction the statement's own, committed before the answer. Under the library's table lock (which keeps
        notification ids in commit order), it checks that every record in ``ids`` is at its version in ``versions``
        (a record absent at 0) and returns no row, writing nothing, if one is not; else it inserts the events in the
        given order, the receipts each at the position of the event given by ``at_ids``/``at_versions``, notifies
        the followers' channel and returns each event's position. A key taken (an event's version, a receipt's key)
        fails the statement: nothing is written."""
        return SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{append}(event_ids {id}[], event_versions bigint[], topics text[], "
            "states bytea[], ids {id}[], versions bigint[], scopes text[], keys text[], fingerprints text[], "
            "responses bytea[], at_ids {id}[], at_versions bigint[], timeout text) "
            "RETURNS TABLE (log_position bigint, record_id {id}, record_version bigint) "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "PERFORM set_config('lock_timeout', timeout, true); "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "IF EXISTS (SELECT FROM unnest(ids, versions) AS expected (record, version) "
            "WHERE COALESCE((SELECT MAX(e.originator_version) FROM {schema}.{table} AS e "
            "WHERE e.originator_id = expected.record), 0) <> expected.version) THEN RETURN; END IF; "
            "PERFORM pg_notify({channel}, ''); "
            "RETURN QUERY WITH inserted AS ("
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(event_ids, event_versions, topics, states) "
            "RETURNING notification_id, originator_id, originator_version), "
            "stamped AS (INSERT INTO {schema}.{receipts} "
            "SELECT r.scope, r.key, r.fingerprint, r.response, inserted.notification_id "
            "FROM unnest(scopes, keys, fingerprints, responses, at_ids, at_versions) "
            "AS r (scope, key, fingerprint, response, record, version) "
            "JOIN inserted ON inserted.originator_id = r.record AND inserted.originator_version = r.version) "
            "SELECT inserted.notification_id, inserted.originator_id, inserted.originator_version FROM inserted; "
            "END $$"
        ).format(schema=schema, table=table, append=Identifier(f"{self.events_table_name}_append"),
                 id=Identifier(self.datastore.originator_id_type),
                 receipts=Identifier(RECEIPTS_TABLE), channel=Literal(self.channel_name))

    def _append(self, saves: Sequence[Save],
                expected: Mapping[UUID, int] | Mapping[UUID | str, int]) -> dict[tuple[Any, int], int] | None:
        """The saves' events and receipts by the append function, if every record in ``expected`` is at its version
        (else ``None``: nothing was written): each event's position by its (record, version)."""
        events = [e for s in saves for e in s.events]
        stamped = [(s.receipt, s.events[-1]) for s in saves if s.receipt is not None and s.events]
        # No versions to check, no receipts: NULL arrays, not empty lists (psycopg dumps each list in Python).
        receipts = ([r.scope for r, _ in stamped], [r.key for r, _ in stamped], [r.fingerprint for r, _ in stamped],
                    [r.response for r, _ in stamped], [e.originator_id for _, e in stamped],
                    [e.originator_version for _, e in stamped]) if stamped else (None,) * 6
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.append_statement, (
                [e.originator_id for e in events], [e.originator_version for e in events], [e.topic for e in events],
                [e.state for e in events], list(expected) or None, list(expected.values()) or None, *receipts,
                self.lock_timeout), prepare=True)
            positions = {(record, version): position for position, record, version in curs.fetchall()}
        return positions if positions or not events else None

    def _insert_alone(self, save: Save) -> list[int]:
        """One save in one statement (:meth:`_append`): the records it read checked, the events and the receipt;
        a record read at another version raises :class:`Stale`, a changed state's version or the key taken
        ``IntegrityError`` — nothing written either way."""
        positions = self._append([save], save.read)
        if positions is None:
            raise Stale(f"changed since read: {', '.join(str(i) for i in save.read)}")
        return [positions[(e.originator_id, e.originator_version)] for e in save.events]

    def _insert_group(self, group: list[Save]) -> list[list[int] | Refused]:
        """Two or more commands' saves in one transaction and one commit (``infrastructure.group_commit``). When the
        saves can all hold together (:func:`preconditions`), in one statement (:meth:`_append`), which writes them
        all if the log still holds what they decided on; otherwise, or if it does not (a record changed meanwhile, a
        key taken), each save is decided under the lock (:meth:`_decide_group`)."""
        expected = preconditions(group)
        if expected is not None:
            try:
                positions = self._append(group, expected)
            except IntegrityError:  # a version or an idempotency key taken: nothing was written
                positions = None
            if positions is not None:
                return [[positions[(e.originator_id, e.originator_version)] for e in s.events] for s in group]
        return self._decide_group(group)

    def _decide_group(self, group: list[Save]) -> list[list[int] | Refused]:
        """A group whose saves may not all hold, decided save by save in one transaction, in two round trips.
        Under the table lock, pipelined: the versions of every record the group
        changes or read, the receipts of its idempotency keys, the notification; then each save is admitted or
        refused on its own (:func:`admit`), and the admitted ones' events go in with one ``INSERT`` (in queue order,
        so their notification ids follow it), their receipts each at its last event's position, and the commit."""
        keys = [(s.receipt.scope, s.receipt.key) for s in group if s.receipt is not None]
        failure: Exception | None = None
        decided: list[Refused | None] = []
        with self.datastore.get_connection() as conn, conn.cursor() as inserted:
            with conn.pipeline() as pipeline, conn.transaction(), \
                    conn.cursor() as curs, conn.cursor() as versions, conn.cursor() as receipts:
                try:
                    self._lock_table(curs)
                    versions.execute(self.select_versions_statement, (involved(group),), prepare=True)
                    if keys:
                        receipts.execute(self.select_receipts_statement,
                                         ([k[0] for k in keys], [k[1] for k in keys]), prepare=True)
                    self._notify_channel(curs)
                    pipeline.sync()
                    used = {(r["scope"], r["key"]) for r in receipts.fetchall()} if keys else set()
                    decided = admit(group, {r["originator_id"]: r["version"] for r in versions.fetchall()}, used)
                except Exception as exc:  # the server's errors re-raised outside the pipeline (psycopg warns)
                    failure = exc
                if failure is not None and not isinstance(failure, psycopg.Error):
                    raise failure  # inside the transaction: it rolls back (after a server error it is aborted)
                admitted = [s for s, refusal in zip(group, decided, strict=True) if refusal is None] \
                    if failure is None else []
                rows = [self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
                        for s in admitted for e in s.events]
                if rows:
                    inserted.execute(self.insert_grouped_statement, (rows,), prepare=True)
                    stamped = [(s.receipt.scope, s.receipt.key, s.receipt.fingerprint, s.receipt.response,
                                s.events[-1].originator_id, s.events[-1].originator_version)
                               for s in admitted if s.receipt is not None and s.events]
                    if stamped:
                        curs.executemany(self.insert_receipt_at_statement, stamped)
            if failure is not None:
                raise failure
            # The commit was synced at the pipeline's end; the positions the INSERT returned are read now.
            positions = {(r["originator_id"], r["originator_version"]): r["notification_id"]
                         for r in (inserted.fetchall() if rows else ())}
        return [refusal if refusal is not None else
                [positions[(e.originator_id, e.originator_version)] for e in s.events]
                for s, refusal in zip(group, decided, strict=True)]

    def _copy_events(self, stored_events: Sequence[StoredEvent], read: dict[UUID, int],
                     receipt: Receipt | None, receipts: Sequence[tuple[Receipt, int]] = ()) -> list[int]:
        """A large save (a bulk import's batch, :data:`COPY_FROM`): the events go in with one binary ``COPY``, in the
        same transaction and under the same table lock as any save — so notification ids still follow the commit
        order, and a follower reading "after my position" never skips an event committed late (the library's
        optional insert functions, which skip the lock, stay off). The lock, the head, the versions read and the
        notification are pipelined; then the ``COPY``, the receipt and the ids given. Under the lock the ids are
        the sequence's next values, so the copied rows are the ones above the head. ``receipts``: the receipts of
        the many commands of a bulk import's batch, each with the index in ``stored_events`` of its command's last
        event (its position, as a command's own receipt has)."""
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs, \
                conn.cursor() as versions, conn.cursor() as heads:
            with conn.pipeline():
                self._lock_table(curs)
                heads.execute(self.select_head_statement, prepare=True)
                if read:
                    versions.execute(self.select_versions_statement, (list(read),), prepare=True)
                self._notify_channel(curs)
            head = heads.fetchone()
            assert head is not None
            if read:
                _check_versions(read, {r["originator_id"]: r["version"] for r in versions.fetchall()})
            with curs.copy(self.copy_events_statement) as copy:
                copy.set_types(["uuid", "int8", "text", "bytea"])
                for e in stored_events:
                    copy.write_row((e.originator_id, e.originator_version, e.topic, e.state))
            if receipt is not None:
                curs.execute(self.insert_receipt_statement,
                             (receipt.scope, receipt.key, receipt.fingerprint, receipt.response), prepare=True)
            curs.execute(self.select_copied_statement, (head["head"],), prepare=True)
            copied = curs.fetchone()
            assert copied is not None
            assert copied["count"] == len(stored_events), "under the table lock only this COPY adds rows"
            if copied["last"] - copied["first"] + 1 == copied["count"]:
                ids = list(range(copied["first"], copied["last"] + 1))
            else:
                curs.execute(self.select_ids_statement, (head["head"],))
                ids = [row["notification_id"] for row in curs.fetchall()]
            if receipts:
                curs.executemany(self.insert_positioned_receipt_statement,
                                 [(r.scope, r.key, r.fingerprint, r.response, ids[last]) for r, last in receipts])
            return ids

    def find_receipt(self, scope: str, key: str) -> StoredReceipt | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_receipt_statement, (scope, key))
            row = curs.fetchone()
        return StoredReceipt(row["fingerprint"], bytes(row["response"]), row["last_position"]) if row else None

    def select_positions(self, positions: Sequence[int]) -> list[PositionedRow]:
        """The rows at these log positions (position, aggregate id — a ``UUID`` here —, version, topic, stored
        bytes), in one query, as the driver's tuples (a dossier reads ~1,100)."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.select_positions_statement, (list(positions),))
            rows: list[PositionedRow] = curs.fetchall()
            return rows

    def select_records(self, originator_ids: Sequence[UUID], last: int) -> list[PositionedRow]:
        """The rows of these records' events at or below position ``last`` (as :meth:`select_positions`), in
        position order, in one query (the primary key's ``originator_id``)."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.select_records_statement, (list(originator_ids), last))
            rows: list[PositionedRow] = curs.fetchall()
            return rows
