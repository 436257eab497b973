"""The Merkle tree of RFC 9162 (Certificate Transparency v2) §2.1: hashes, roots, inclusion and consistency proofs.

Pure functions, no I/O. Hashes are SHA-256 (RFC 9162 §2.1.1):

- the empty tree: ``MTH({}) = SHA-256()``;
- a leaf: ``MTH({d}) = SHA-256(0x00 ‖ d)``;
- a node over ``n > 1`` leaves: ``MTH(D[n]) = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))``, where ``k`` is the largest
  power of two smaller than ``n``.

Proof generation takes a function ``mth(start, end)`` that returns ``MTH(D[start:end])``: a stored tree answers it
from its complete subtrees in O(log n) look-ups (:func:`range_hash`), a list of leaf hashes answers it directly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Generic, TypeVar

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

T = TypeVar("T")
Mth = Callable[[int, int], bytes]
"""``mth(start, end)``: the Merkle tree hash of the leaves ``start … end-1``."""
State = tuple[int, int, bytes]
"""``(fn, sn, r)``: a state of RFC 9162 §2.1.3.2's walk from a leaf to the root."""
Complete = Callable[[int, int], bytes]
"""``complete(level, index)``: the hash of the complete subtree of ``2**level`` leaves starting at
``index * 2**level`` (level 0: the leaf hash itself)."""


class ProofError(ValueError):
    """A proof does not verify, or was asked for sizes that have none; the message says why."""


def leaf_hash(leaf: bytes) -> bytes:
    """``SHA-256(0x00 ‖ leaf)`` (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 ‖ left ‖ right)`` (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n > 1``): where RFC 9162 splits a tree of ``n`` leaves."""
    if n < 2:
        raise ValueError("only a tree of two or more leaves is split")
    return 1 << ((n - 1).bit_length() - 1)


def range_hash(start: int, end: int, complete: Complete) -> bytes:
    """``MTH(D[start:end])`` for a range that occurs in the RFC 9162 recursion of some tree (its start is a multiple
    of the smallest power of two ≥ its size), from complete subtrees: O(log n) calls of ``complete``."""
    size = end - start
    if size <= 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0 and start % size == 0:
        return complete(size.bit_length() - 1, start // size)
    k = split(size)
    return node_hash(range_hash(start, start + k, complete), range_hash(start + k, end, complete))


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """``MTH`` of a list of leaf hashes."""
    frontier = Frontier()
    for h in leaf_hashes:
        frontier.append(h)
    return frontier.root()


class Frontier:
    """The right edge of a growing tree: one complete subtree per set bit of its size, largest first.

    Appending a leaf returns the complete subtrees (level ≥ 1) it completes, so a store can keep every complete
    subtree incrementally; :meth:`root` folds the edge from the right, which is ``MTH`` of RFC 9162 §2.1.1.
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()):
        levels = [level for level in range(size.bit_length() - 1, -1, -1) if size >> level & 1]
        if len(hashes) != len(levels):
            raise ValueError(f"a tree of {size} leaves has {len(levels)} complete subtrees on its edge, "
                             f"not {len(hashes)}")
        self.size = size
        self._edge: list[tuple[int, bytes]] = list(zip(levels, hashes, strict=True))

    def copy(self) -> Frontier:
        return Frontier(self.size, [h for _, h in self._edge])

    @staticmethod
    def subtrees(size: int) -> list[tuple[int, int]]:
        """``(level, index)`` of the complete subtrees on the edge of a tree of ``size`` leaves, left to right."""
        out, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                out.append((level, start >> level))
                start += 1 << level
        return out

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; returns ``(level, index, hash)`` of each complete subtree it completes (level ≥ 1).

        The new size's trailing zero bits are the subtrees the leaf completes: each merges the rightmost subtree of
        the edge (one per set bit of the old size, so its level is the one reached) with what the leaf made so far."""
        self.size = size = self.size + 1
        edge, made, level, right = self._edge, [], 0, leaf
        while not size >> level & 1:
            right = hashlib.sha256(b"\x01" + edge.pop()[1] + right).digest()  # node_hash, inline: once per leaf
            level += 1
            made.append((level, (size >> level) - 1, right))
        edge.append((level, right))
        return made

    def extend(self, leaves: Sequence[bytes]) -> list[tuple[int, int, bytes]]:
        """:meth:`append` of each of ``leaves`` in turn, level by level: the same complete subtrees, returned by
        level (a sealer's batch: one node hash per pair in a list comprehension, not a Python step per leaf).

        At each level the new nodes are a run of consecutive indices; when the run starts at an odd index its left
        sibling is the edge's subtree of that level (the old size has that bit set), taken off the edge. Pairs make
        the next level's run; an unpaired last node is the new edge's subtree of that level."""
        edge, sha256 = self._edge, hashlib.sha256
        made: list[tuple[int, int, bytes]] = []
        first, row, level, kept = self.size, list(leaves), 0, []
        self.size += len(row)
        while row:
            if first & 1:
                row.insert(0, edge.pop()[1])
                first -= 1
            if len(row) & 1:
                kept.append((level, row.pop()))
            row = [sha256(b"\x01" + left + right).digest() for left, right in zip(row[::2], row[1::2], strict=True)]
            level, first = level + 1, first >> 1
            made.extend(zip(repeat(level), range(first, first + len(row)), row))
        edge.extend(reversed(kept))
        return made

    def root(self) -> bytes:
        if not self._edge:
            return EMPTY_ROOT
        result = self._edge[-1][1]
        for _, h in reversed(self._edge[:-1]):
            result = node_hash(h, result)
        return result


def inclusion_path(index: int, size: int, mth: Mth) -> list[bytes]:
    """``PATH(index, D[size])`` of RFC 9162 §2.1.3.1: the sibling hashes from the leaf up to the root."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            path.append(mth(start + k, end))
            end = start + k
        else:
            path.append(mth(start, start + k))
            start += k
    return path[::-1]


def _inclusion_step(fn: int, sn: int, r: bytes, p: bytes) -> tuple[int, int, bytes]:
    """One step of RFC 9162 §2.1.3.2's walk (step 3 for one path item ``p``): the next ``(fn, sn, r)``."""
    if fn & 1 or fn == sn:
        r = node_hash(p, r)
        while not fn & 1 and fn != 0:
            fn >>= 1
            sn >>= 1
    else:
        r = node_hash(r, p)
    return fn >> 1, sn >> 1, r


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """The root an inclusion path leads to from a leaf hash (RFC 9162 §2.1.3.2, steps 1–4)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not below the tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofError(f"the inclusion path is longer than a tree of {size} leaves allows")
        fn, sn, r = _inclusion_step(fn, sn, r, p)
    if sn != 0:
        raise ProofError(f"the inclusion path is shorter than a tree of {size} leaves needs")
    return r


class Inclusions(Generic[T]):
    """Verifies the inclusion proofs of many leaves of one tree, hashing once what consecutive proofs share.

    RFC 9162 §2.1.3.2 walks from the leaf to the root through states ``(fn, sn, r)``, consuming the path. When a
    proof reaches a state the last verified proof passed through, and the rest of its path is the same, the rest of
    the walk is the same computation, so it ends at the same (verified) root: only the hashes below the point where
    two proofs meet are computed (about two per leaf when the leaves come in order). The path's items are given as
    they are written (e.g. hex) with ``decode``, which returns the hash an item stands for or ``None`` when it stands
    for none; so only the items walked are decoded, and the rest equal items decoded before. :meth:`holds` accepts
    exactly the proofs :func:`verify_inclusion` accepts with every item decoded."""

    def __init__(self, size: int, root_hash: bytes, decode: Callable[[T], bytes | None]):
        self.size, self.root, self.decode = size, root_hash, decode
        self._chain: list[State] = []
        """The states of the last verified walk (and of the walks it met), from the root's side down to its leaf."""
        self._where: dict[State, tuple[Sequence[T], int, int]] = {}
        """Each state of the chain: the path whose rest, from the offset given, walks it to the root; its place in
        the chain. Only verified walks are kept, so a state found here with the same rest of the path holds."""

    def holds(self, index: int, leaf: bytes, path: Sequence[T]) -> bool:
        """Whether ``path`` proves leaf ``index`` with hash ``leaf`` against the tree's root."""
        if not 0 <= index < self.size:
            return False
        fn, sn, r = index, self.size - 1, leaf
        where, decode, sha256 = self._where, self.decode, hashlib.sha256
        made: list[tuple[State, int]] = []
        for used, item in enumerate(path):
            state = (fn, sn, r)
            known = where.get(state)
            if known is not None and known[0][known[1]:] == path[used:]:
                self._keep(path, made, known[2] + 1)
                return True
            made.append((state, used))
            p = decode(item)
            if sn == 0 or p is None:
                return False
            if fn & 1 or fn == sn:  # _inclusion_step, inline: two of these per leaf of a large bundle
                r = sha256(b"\x01" + p + r).digest()
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
            else:
                r = sha256(b"\x01" + r + p).digest()
            fn >>= 1
            sn >>= 1
        if sn != 0 or r != self.root:
            return False
        self._keep(path, made, 0)
        return True

    def _keep(self, path: Sequence[T], made: list[tuple[State, int]], kept: int) -> None:
        """The chain after a verified walk: its first ``kept`` states (from the root's side: those the walk met and
        shared), then the states ``made`` below them, from the last made down to the leaf. A walk's ``sn`` falls at
        every step, so no state is in the chain twice."""
        chain, where = self._chain, self._where
        for state in chain[kept:]:
            del where[state]
        del chain[kept:]
        for state, used in reversed(made):
            where[state] = (path, used, len(chain))
            chain.append(state)


_ITEM = 67
"""Bytes of one path item as JSON writes it in a list: ``"`` 64 lowercase hex digits ``"`` and the comma after it."""


def quoted(h: bytes) -> bytes:
    """A hash as a JSON string of its lowercase hex (as :class:`Paths` compares path items)."""
    return b'"' + h.hex().encode() + b'"'


class Paths:
    """The inclusion paths of every leaf of one tree, given in leaf order, compared with the tree their leaves build.

    Each path is given as the JSON text of its list of hex hashes, without spaces (``["…","…"]``). Leaf ``m``'s path
    (RFC 9162 §2.1.3.1) is, from the bottom: the siblings inside the complete subtree of the tree's right edge that
    holds the leaf (one per level; the leaf's bit at that level says left or right), then ``MTH`` of the leaves after
    that subtree (unless it is the last), then the edge's subtrees before it, nearest first. A *left* sibling covers
    leaves already given, so its hash is known and compared at once; a *right* one is a claim, kept and compared when
    the leaves it covers are given (the leaves of one subtree all name the same right sibling: consecutive paths
    differ in their lowest items only, so each path is compared whole, in one comparison, with the last path as
    updated by what is known). :meth:`holds` returns ``False`` as soon as a path differs from what the tree makes
    it; :meth:`complete` says, after the last leaf, whether every claim held and the root is ``root_hash``.

    When every leaf was given and :meth:`complete` is true, each path *is* ``PATH(m, D[n])`` of the given leaves, so
    walking it from its leaf ends at the root: :func:`verify_inclusion` accepts each of them. (The converse holds
    unless SHA-256 has a collision: a caller that needs the same outcome in every case checks again with
    :func:`verify_inclusion` when this says no.) About one node hash per leaf, no walk of the path."""

    def __init__(self, size: int, root_hash: bytes):
        self.size, self.root = size, root_hash
        self.tree = Frontier()
        self.edge = Frontier.subtrees(size)
        """The complete subtrees of the tree's right edge, ``(level, index)``, left to right."""
        self.part = -1
        """Which of them holds the leaves given now."""
        self.end = 0
        """The first leaf after it."""
        self.path = bytearray()
        """The last path given, its items since replaced by those the next leaf's path must have."""
        self.claims: list[bytes] = [b""] * 64
        """Per level: what the leaves of a left subtree say its right sibling is (compared when it is complete)."""
        self.rests: list[tuple[int, bytes]] = []
        """What the leaves of an edge subtree say ``MTH`` of the leaves after it is: ``(which subtree, item)``."""

    def holds(self, index: int, leaf: bytes, path: bytes) -> bool:
        """Whether ``path`` is leaf ``index``'s (the next leaf: ``index`` is the number of leaves given) as far as the
        leaves given so far tell; then ``leaf`` is added to the tree."""
        m = self.tree.size
        if index != m or m >= self.size:
            return False
        if m == self.end:
            if not self._enter(path):
                return False
        else:
            current, t = self.path, (m & -m).bit_length() - 1
            at = 1 + _ITEM * t
            self.claims[t] = bytes(current[at:at + 66])  # the right sibling the leaves before said: this subtree
            current[at:at + 66] = quoted(self.tree._edge[-1][1])  # the left sibling: the subtree just completed
            for level in range(t):  # new right siblings, each said first here (compared when complete)
                at = 1 + _ITEM * level
                current[at:at + 66] = path[at:at + 66]
            if path != current:
                return False
        top = self.edge[self.part][0]
        if m & 1 and top and quoted(leaf) != self.claims[0]:
            return False
        return all(quoted(h) == self.claims[level] for level, index, h in self.tree.append(leaf)
                   if index & 1 and level < top)

    def _enter(self, path: bytes) -> bool:
        """The first leaf of the next subtree of the edge: the path's form, and the subtrees before it."""
        self.part += 1
        level = self.edge[self.part][0]
        self.end += 1 << level
        before = [h for _, h in reversed(self.tree._edge)]
        rest = self.part < len(self.edge) - 1
        items = level + rest + len(before)
        if (len(path) != (_ITEM * items + 1 if items else 2) or path[:1] != b"[" or path[-1:] != b"]"
                or path[_ITEM:-1:_ITEM] != b"," * (items - 1)):
            return False
        top = 1 + _ITEM * (level + rest)
        if any(path[top + _ITEM * i:top + _ITEM * i + 66] != quoted(h) for i, h in enumerate(before)):
            return False
        if rest:
            self.rests.append((self.part, bytes(path[top - _ITEM:top - 1])))
        self.path = bytearray(path)
        return True

    def complete(self) -> bool:
        """Whether every leaf was given, each path held, and the tree's root is the one expected."""
        if self.tree.size != self.size:
            return False
        edge = [h for _, h in self.tree._edge]
        for part, item in self.rests:
            after = edge[-1]
            for h in reversed(edge[part + 1:-1]):
                after = node_hash(h, after)
            if quoted(after) != item:
                return False
        return self.tree.root() == self.root


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root_hash: bytes) -> None:
    """Raise :class:`ProofError` unless ``path`` proves leaf ``index`` of a tree of ``size`` leaves with
    ``root_hash`` (RFC 9162 §2.1.3.2)."""
    if root_from_inclusion(index, size, leaf, path) != root_hash:
        raise ProofError("the inclusion path does not lead to the root hash")


def consistency_path(first: int, second: int, mth: Mth) -> list[bytes]:
    """``PROOF(first, D[second])`` of RFC 9162 §2.1.4.1; empty when ``first`` is 0 or equals ``second``."""
    if not 0 <= first <= second:
        raise ProofError(f"no consistency proof from tree size {first} to {second}")
    if first in (0, second):
        return []
    path: list[bytes] = []
    start, end, whole = 0, second, True
    while True:
        size = end - start
        if first - start == size:
            if not whole:
                path.append(mth(start, end))
            break
        k = split(size)
        if first - start <= k:
            path.append(mth(start + k, end))
            end = start + k
        else:
            path.append(mth(start, start + k))
            start += k
            whole = False
    return path[::-1]


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       path: Sequence[bytes]) -> None:
    """Raise :class:`ProofError` unless ``path`` proves that the tree of ``first`` leaves with ``first_root`` is a
    prefix of the tree of ``second`` leaves with ``second_root`` (RFC 9162 §2.1.4.2)."""
    if not 0 <= first <= second:
        raise ProofError(f"tree size {first} is larger than {second}: no consistency to prove")
    if first == second:
        if path:
            raise ProofError("a consistency proof between equal sizes is empty")
        if first_root != second_root:
            raise ProofError("the two roots of the same tree size differ")
        return
    if first == 0:
        if path:
            raise ProofError("a consistency proof from the empty tree is empty")
        return
    if not path:
        raise ProofError("the consistency path is empty")
    proof = list(path)
    if first & (first - 1) == 0:
        proof.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise ProofError("the consistency path is longer than the tree sizes allow")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency path is shorter than the tree sizes need")
    if fr != first_root:
        raise ProofError(f"the consistency path does not lead to the root of tree size {first}")
    if sr != second_root:
        raise ProofError(f"the consistency path does not lead to the root of tree size {second}")
