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

import threading
from collections import OrderedDict
from typing import Any

from infrastructure.audit import merkle
from infrastructure.audit.signing import TreeHead, milliseconds
from projections.sql import ReadDatabase, Tx

DDL = (
    "CREATE TABLE IF NOT EXISTS audit_leaves (leaf_index {BIGINT} PRIMARY KEY, position {BIGINT} NOT NULL UNIQUE, "
    "leaf_hash {BLOB} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS audit_nodes (level INTEGER NOT NULL, node_index {BIGINT} NOT NULL, "
    "hash {BLOB} NOT NULL, PRIMARY KEY (level, node_index))",
    "CREATE TABLE IF NOT EXISTS audit_heads (tree_size {BIGINT} PRIMARY KEY, root_hash {BLOB} NOT NULL, "
    "signed_at {TS} NOT NULL, key_id {BLOB} NOT NULL, signature {BLOB} NOT NULL)",
)
CACHE_ENTRIES = 65_536
"""Node hashes kept in memory while proofs are made (≈ 6 MB at most: exports stay in constant memory)."""


class MissingNode(LookupError):
    """A node or leaf the tree should hold is not stored."""


def head_from_row(row: dict[str, Any]) -> TreeHead:
    return TreeHead(tree_size=row["tree_size"], timestamp_ms=milliseconds(row["signed_at"]),
                    root_hash=bytes(row["root_hash"]), key_id=bytes(row["key_id"]),
                    signature=bytes(row["signature"]))


class StoredTree:
    """Reads of the stored tree, within a caller's transaction; node hashes are cached (a stored node never changes;
    the live check reads without this cache)."""

    def __init__(self, db: ReadDatabase):
        self.db = db
        self._cache: OrderedDict[tuple[int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def create_tables(self) -> None:
        with self.db.transaction() as tx:
            for statement in DDL:
                tx.execute(self.db.ddl(statement))

    # sizes and heads

    @staticmethod
    def size(tx: Tx) -> int:
        """How many leaves are sealed."""
        last = tx.scalar("SELECT MAX(leaf_index) AS n FROM audit_leaves")
        return 0 if last is None else last + 1

    @staticmethod
    def latest_head(tx: Tx) -> TreeHead | None:
        row = tx.one("SELECT * FROM audit_heads ORDER BY tree_size DESC LIMIT 1")
        return head_from_row(row) if row else None

    @staticmethod
    def head(tx: Tx, tree_size: int) -> TreeHead | None:
        row = tx.one("SELECT * FROM audit_heads WHERE tree_size = :n", {"n": tree_size})
        return head_from_row(row) if row else None

    @staticmethod
    def heads(tx: Tx, after: int = -1, below: int | None = None, limit: int = 1000) -> list[TreeHead]:
        """Heads with ``after < tree_size`` (``< below`` if given), smallest first."""
        sql = "SELECT * FROM audit_heads WHERE tree_size > :after"
        params: dict[str, Any] = {"after": after, "limit": limit}
        if below is not None:
            sql += " AND tree_size < :below"
            params["below"] = below
        return [head_from_row(r) for r in tx.all(sql + " ORDER BY tree_size LIMIT :limit", params)]

    @staticmethod
    def store_head(tx: Tx, head: TreeHead) -> None:
        tx.execute(
            "INSERT INTO audit_heads (tree_size, root_hash, signed_at, key_id, signature) VALUES (:n, :r, :t, :k, :s)",
            {"n": head.tree_size, "r": head.root_hash, "t": head.signed_at, "k": head.key_id, "s": head.signature},
        )

    # leaves and nodes

    @staticmethod
    def leaf_at(tx: Tx, position: int) -> dict[str, Any] | None:
        return tx.one("SELECT leaf_index, position, leaf_hash FROM audit_leaves WHERE position = :p", {"p": position})

    @staticmethod
    def leaves(tx: Tx, first: int, end: int, limit: int) -> list[dict[str, Any]]:
        """Leaves ``first ≤ leaf_index < end``, in order, at most ``limit``."""
        return tx.all("SELECT leaf_index, position, leaf_hash FROM audit_leaves WHERE leaf_index >= :a "
                      "AND leaf_index < :b ORDER BY leaf_index LIMIT :limit", {"a": first, "b": end, "limit": limit})

    @staticmethod
    def leaf_bounds(tx: Tx, size: int, from_position: int | None, to_position: int | None) -> tuple[int, int]:
        """``(first, end)``: the leaf indices below ``size`` whose positions lie in ``[from, to]``."""
        first = tx.scalar("SELECT MIN(leaf_index) AS i FROM audit_leaves WHERE position >= :p AND leaf_index < :n",
                          {"p": from_position or 0, "n": size})
        if to_position is None:
            last = size - 1
        else:
            last = tx.scalar("SELECT MAX(leaf_index) AS i FROM audit_leaves WHERE position <= :p AND leaf_index < :n",
                             {"p": to_position, "n": size})
        if first is None or last is None or last < first:
            return 0, 0
        return first, last + 1

    def node(self, tx: Tx, level: int, index: int) -> bytes:
        """The complete subtree ``(level, index)``; level 0 is the leaf hash."""
        key = (level, index)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        if level == 0:
            value = tx.scalar("SELECT leaf_hash FROM audit_leaves WHERE leaf_index = :i", {"i": index})
        else:
            value = tx.scalar("SELECT hash FROM audit_nodes WHERE level = :l AND node_index = :i",
                              {"l": level, "i": index})
        if value is None:
            raise MissingNode(f"the stored tree has no node at level {level}, index {index}")
        self._remember(key, bytes(value))
        return bytes(value)

    def _remember(self, key: tuple[int, int], value: bytes) -> None:
        with self._lock:
            self._cache[key] = value
            if len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)

    def prefetch(self, tx: Tx, first: int, end: int, size: int) -> None:
        """Load, one query per level, the nodes the proofs of leaves ``first … end-1`` in a tree of ``size`` use."""
        for level in range(max(size - 1, 1).bit_length() + 1):
            lo, hi = max((first >> level) - 1, 0), (end >> level) + 1
            if level == 0:
                rows = tx.all("SELECT leaf_index AS i, leaf_hash AS h FROM audit_leaves WHERE leaf_index BETWEEN "
                              ":lo AND :hi", {"lo": lo, "hi": hi})
            else:
                rows = tx.all("SELECT node_index AS i, hash AS h FROM audit_nodes WHERE level = :l AND node_index "
                              "BETWEEN :lo AND :hi", {"l": level, "lo": lo, "hi": hi})
            for row in rows:
                self._remember((level, row["i"]), bytes(row["h"]))

    def frontier(self, tx: Tx, size: int) -> merkle.Frontier:
        """The right edge of the stored tree of ``size`` leaves, to append to."""
        return merkle.Frontier(size, [self.node(tx, level, index) for level, index in merkle.Frontier.subtrees(size)])

    def mth(self, tx: Tx) -> merkle.Mth:
        return lambda start, end: merkle.range_hash(start, end, lambda level, i: self.node(tx, level, i))

    def root(self, tx: Tx, size: int) -> bytes:
        return self.mth(tx)(0, size)

    def inclusion(self, tx: Tx, index: int, size: int) -> list[bytes]:
        return merkle.inclusion_path(index, size, self.mth(tx))

    def consistency(self, tx: Tx, first: int, second: int) -> list[bytes]:
        return merkle.consistency_path(first, second, self.mth(tx))

