"""The stored Merkle tree: leaves, complete subtrees and signed heads, and the proofs they answer.

Tables (written only by the sealer, never rebuilt from the log):

- ``audit_leaves(leaf_index, position, leaf_hash)``: leaf ``i`` is the ``i``-th sealed event; positions may have
  holes (a PostgreSQL sequence value taken by a rolled-back transaction), leaf indices never do;
- ``audit_nodes(level, node_index, hash)``: every complete subtree of ``2**level`` leaves (level ≥ 1) starting at
  leaf ``node_index * 2**level``, stored when its last leaf is sealed, so the hash of any range is O(log n)
  look-ups (``merkle.range_hash``);
- ``audit_heads(tree_size, root_hash, signed_at, key_id, signature)``: the signed tree heads.
"""

from __future__ import annotations

import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier
from sqlalchemy import Column, Connection, Integer, LargeBinary, Table, func, insert, select

from infrastructure.audit import merkle
from infrastructure.audit.signing import TreeHead, milliseconds
from infrastructure.database import Database
from infrastructure.durable import DURABLE
from projections.columns import BigInt, Timestamp

LEAVES = Table(
    "audit_leaves", DURABLE,
    Column("leaf_index", BigInt, primary_key=True, autoincrement=False),
    Column("position", BigInt, nullable=False, unique=True),
    Column("leaf_hash", LargeBinary, nullable=False),
)
NODES = Table(
    "audit_nodes", DURABLE,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("node_index", BigInt, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
)
HEADS = Table(
    "audit_heads", DURABLE,
    Column("tree_size", BigInt, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary, nullable=False),
    Column("signed_at", Timestamp, nullable=False),
    Column("key_id", LargeBinary, nullable=False),
    Column("signature", LargeBinary, nullable=False),
)
TABLES = (LEAVES, NODES, HEADS)
CACHE_ENTRIES = 65_536
"""Node hashes kept in memory while proofs are made (≈ 6 MB at most: exports stay in constant memory)."""


_COPY_SIGNATURE, _COPY_TRAILER = b"PGCOPY\n\xff\r\n\x00" + bytes(8), b"\xff\xff"
"""PostgreSQL's binary ``COPY`` stream: its signature, no flags, no header extension; its end."""
_COPY_ROWS = {LEAVES.name: (struct.Struct(">hiqiqi32s").pack, 8), NODES.name: (struct.Struct(">hiiiqi32s").pack, 4)}
"""A row of each table in that stream: 3 fields, each its length and its value, big-endian — the leaf index (int8)
or the level (int4), then the position or the node index (int8), then the hash (SHA-256's 32 bytes); and the width
of the first field."""


Row = tuple[int, int, bytes]
"""A leaf ``(leaf_index, position, leaf_hash)`` or a node ``(level, node_index, hash)``."""


@contextmanager
def _copy(driver: psycopg.Connection[Any], table: Table) -> Iterator[Callable[[list[Row]], None]]:
    """A binary ``COPY`` into ``table`` (of :data:`_COPY_ROWS`): the function given writes rows into it."""
    fields, first = _COPY_ROWS[table.name]
    with driver.cursor() as cursor, cursor.copy(SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            Identifier(table.name), SQL(", ").join(Identifier(c.name) for c in table.columns))) as copy:
        copy.write(_COPY_SIGNATURE)
        yield lambda rows: copy.write(b"".join([fields(3, first, a, 8, b, 32, h) for a, b, h in rows]))
        copy.write(_COPY_TRAILER)


class MissingNode(LookupError):
    """A node or leaf the tree should hold is not stored."""


def head_from_row(row: Mapping[Any, Any]) -> TreeHead:
    return TreeHead(tree_size=row["tree_size"], timestamp_ms=milliseconds(row["signed_at"]),
                    root_hash=bytes(row["root_hash"]), key_id=bytes(row["key_id"]),
                    signature=bytes(row["signature"]))


class StoredTree:
    """Reads of the stored tree, within a caller's transaction; node hashes are cached (a stored node never changes;
    the live check reads without this cache)."""

    def __init__(self, db: Database):
        self.db = db
        self._cache: OrderedDict[tuple[int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    # sizes and heads

    @staticmethod
    def size(conn: Connection) -> int:
        """How many leaves are sealed."""
        last = conn.execute(select(func.max(LEAVES.c.leaf_index))).scalar()
        return 0 if last is None else last + 1

    @staticmethod
    def size_at(conn: Connection, position: int) -> int:
        """How many leaves seal the events up to log ``position``."""
        last = conn.execute(select(func.max(LEAVES.c.leaf_index)).where(LEAVES.c.position <= position)).scalar()
        return 0 if last is None else last + 1

    @staticmethod
    def latest_head(conn: Connection) -> TreeHead | None:
        row = conn.execute(select(HEADS).order_by(HEADS.c.tree_size.desc()).limit(1)).mappings().first()
        return head_from_row(row) if row else None

    @staticmethod
    def head(conn: Connection, tree_size: int) -> TreeHead | None:
        row = conn.execute(select(HEADS).where(HEADS.c.tree_size == tree_size)).mappings().first()
        return head_from_row(row) if row else None

    @staticmethod
    def heads(conn: Connection, after: int = -1, below: int | None = None, limit: int = 1000) -> list[TreeHead]:
        """Heads with ``after < tree_size`` (``< below`` if given), smallest first."""
        query = select(HEADS).where(HEADS.c.tree_size > after)
        if below is not None:
            query = query.where(HEADS.c.tree_size < below)
        rows = conn.execute(query.order_by(HEADS.c.tree_size).limit(limit)).mappings()
        return [head_from_row(r) for r in rows]

    @staticmethod
    def store_heads(conn: Connection, heads: list[TreeHead]) -> None:
        """Add signed heads (one statement)."""
        conn.execute(insert(HEADS), [{"tree_size": head.tree_size, "root_hash": head.root_hash,
                                      "signed_at": head.signed_at, "key_id": head.key_id,
                                      "signature": head.signature} for head in heads])

    # leaves and nodes

    @staticmethod
    def leaf_at(conn: Connection, position: int) -> dict[str, Any] | None:
        row = conn.execute(select(LEAVES).where(LEAVES.c.position == position)).mappings().first()
        return dict(row) if row else None

    @staticmethod
    def leaves(conn: Connection, first: int, end: int, limit: int) -> list[dict[str, Any]]:
        """Leaves ``first ≤ leaf_index < end``, in order, at most ``limit``."""
        query = (select(LEAVES).where(LEAVES.c.leaf_index >= first, LEAVES.c.leaf_index < end)
                 .order_by(LEAVES.c.leaf_index).limit(limit))
        return [dict(r) for r in conn.execute(query).mappings()]

    @staticmethod
    def leaf_bounds(conn: Connection, size: int, from_position: int | None,
                    to_position: int | None) -> tuple[int, int]:
        """``(first, end)``: the leaf indices below ``size`` whose positions lie in ``[from, to]``."""
        below = LEAVES.c.leaf_index < size
        first = conn.execute(select(func.min(LEAVES.c.leaf_index))
                             .where(LEAVES.c.position >= (from_position or 0), below)).scalar()
        last: int | None = size - 1
        if to_position is not None:
            last = conn.execute(select(func.max(LEAVES.c.leaf_index))
                                .where(LEAVES.c.position <= to_position, below)).scalar()
        if first is None or last is None or last < first:
            return 0, 0
        return first, last + 1

    @staticmethod
    @contextmanager
    def appending(conn: Connection) -> Iterator[Callable[[list[Row], list[Row]], None]]:
        """Add sealed leaves ``(leaf_index, position, leaf_hash)`` and completed nodes ``(level, node_index, hash)``,
        a chunk at a time (the function given), inside the caller's transaction: the seal's batch commits or rolls
        back whole.

        On PostgreSQL the leaves are streamed into one binary ``COPY`` as the chunks come — the server inserts a
        chunk while the sealer makes the next — and the nodes go in with one ``COPY`` when the batch is done (a
        ``COPY`` a chunk and table cost the server ≈ 2 µs more per event than one a batch, issue #15): thousands of
        rows on the driver's connection without a statement to parse or arrays to build, as the bulk append copies
        events (``PostgresEventRecorder._copy_events``). The stream is packed here, one ``struct`` call per row
        (psycopg's ``write_row`` dumped each field in Python); every hash is SHA-256's 32 bytes. A row already
        stored still fails its primary key, as an ``INSERT`` did. SQLite inserts each chunk as it comes, row by row,
        the rows handed to the driver as they are (integers and bytes need no conversion)."""
        if conn.dialect.name != "postgresql":
            def insert_rows(leaves: list[Row], nodes: list[Row]) -> None:
                for table, rows in ((LEAVES, leaves), (NODES, nodes)):
                    if rows:
                        conn.exec_driver_sql(str(insert(table).compile(dialect=conn.dialect)), rows)

            yield insert_rows
            return
        driver = conn.connection.driver_connection
        assert driver is not None
        nodes: list[Row] = []
        with _copy(driver, LEAVES) as copy:
            def add(leaves: list[Row], more: list[Row]) -> None:
                copy(leaves)
                nodes.extend(more)

            yield add
        if nodes:
            with _copy(driver, NODES) as copy:
                copy(nodes)

    def node(self, conn: Connection, level: int, index: int) -> bytes:
        """The complete subtree ``(level, index)``; level 0 is the leaf hash."""
        key = (level, index)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        if level == 0:
            value = conn.execute(select(LEAVES.c.leaf_hash).where(LEAVES.c.leaf_index == index)).scalar()
        else:
            value = conn.execute(select(NODES.c.hash).where(NODES.c.level == level,
                                                            NODES.c.node_index == index)).scalar()
        if value is None:
            raise MissingNode(f"the stored tree has no node at level {level}, index {index}")
        self._remember(key, bytes(value))
        return bytes(value)

    def _remember(self, key: tuple[int, int], value: bytes) -> None:
        with self._lock:
            self._cache[key] = value
            if len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)

    @staticmethod
    def nodes(conn: Connection, level: int, lo: int, hi: int) -> list[tuple[int, bytes]]:
        """``(index, hash)`` of the stored nodes of ``level`` (0: the leaves) with ``lo ≤ index ≤ hi``."""
        if level == 0:
            query = select(LEAVES.c.leaf_index, LEAVES.c.leaf_hash).where(LEAVES.c.leaf_index.between(lo, hi))
        else:
            query = select(NODES.c.node_index, NODES.c.hash).where(NODES.c.level == level,
                                                                   NODES.c.node_index.between(lo, hi))
        return [(i, bytes(h)) for i, h in conn.execute(query)]

    def prefetch(self, conn: Connection, first: int, end: int, size: int) -> None:
        """Load, one query per level, the nodes the proofs of leaves ``first … end-1`` in a tree of ``size`` use."""
        for level in range(max(size - 1, 1).bit_length() + 1):
            for index, value in self.nodes(conn, level, max((first >> level) - 1, 0), (end >> level) + 1):
                self._remember((level, index), value)

    def frontier(self, conn: Connection, size: int) -> merkle.Frontier:
        """The right edge of the stored tree of ``size`` leaves, to append to."""
        return merkle.Frontier(size, [self.node(conn, level, index)
                                      for level, index in merkle.Frontier.subtrees(size)])

    def mth(self, conn: Connection) -> merkle.Mth:
        return lambda start, end: merkle.range_hash(start, end, lambda level, i: self.node(conn, level, i))

    def root(self, conn: Connection, size: int) -> bytes:
        return self.mth(conn)(0, size)

    def inclusion(self, conn: Connection, index: int, size: int) -> list[bytes]:
        return merkle.inclusion_path(index, size, self.mth(conn))

    def consistency(self, conn: Connection, first: int, second: int) -> list[bytes]:
        return merkle.consistency_path(first, second, self.mth(conn))
