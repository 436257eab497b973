"""The RFC 9162 Merkle tree: reference test vectors, and every proof against a tree computed naively.

The vectors are the RFC 6962 / RFC 9162 test data of the Certificate Transparency project as published by
transparency-dev/merkle (``testonly/constants.go``: leaf inputs, root hashes for sizes 0–8; ``proof/verify_test.go``:
inclusion and consistency proofs). They are data only; the code under test was written from RFC 9162 §2.1.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from infrastructure.audit import merkle

LEAF_INPUTS = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]


def hx(*values: str) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


# (leaf index, tree size, path): proof/verify_test.go lists leaves 1-based; here they are 0-based.
INCLUSION = [
    (0, 1, []),
    (0, 8, hx("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (5, 8, hx("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
    (2, 3, hx("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (1, 5, hx("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
]
CONSISTENCY = [
    (1, 1, []),
    (1, 8, hx("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (6, 8, hx("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
    (2, 5, hx("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
    (6, 7, hx("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
              "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
]
HASHES = [merkle.leaf_hash(d) for d in LEAF_INPUTS]


# A naive tree, straight from the definitions of RFC 9162 §2.1 (recursion over lists, nothing shared with the
# module under test but the two hash functions).

def naive_mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(naive_mth(leaves[:k]), naive_mth(leaves[k:]))


def naive_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_mth(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_mth(leaves[:k])]


def naive_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [naive_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*naive_subproof(m, leaves[:k], whole), naive_mth(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_mth(leaves[:k])]


def leaves_of(n: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    return [merkle.leaf_hash(rng.randbytes(rng.randrange(0, 40))) for _ in range(n)]


def from_list(leaves: list[bytes]) -> merkle.Mth:
    return lambda start, end: naive_mth(leaves[start:end])


def from_complete_subtrees(leaves: list[bytes]) -> merkle.Mth:
    """The way a stored tree answers: only complete subtrees are looked up, each checked to be aligned."""

    def complete(level: int, index: int) -> bytes:
        part = leaves[index << level:(index + 1) << level]
        assert len(part) == 1 << level, "only complete subtrees are looked up"
        return naive_mth(part)

    return lambda start, end: merkle.range_hash(start, end, complete)


def test_roots_match_the_reference_vectors() -> None:
    for size, expected in enumerate(ROOTS):
        assert merkle.root(HASHES[:size]) == expected, size
    assert ROOTS[0] == merkle.EMPTY_ROOT
    assert merkle.leaf_hash(b"") == ROOTS[1], "a leaf hash is SHA-256(0x00 ‖ leaf)"


def test_the_split_is_the_largest_power_of_two_below_n() -> None:
    assert [merkle.split(n) for n in (2, 3, 4, 5, 7, 8, 9, 1000)] == [1, 2, 2, 4, 4, 4, 8, 512]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_the_reference_vectors(index: int, size: int, path: list[bytes]) -> None:
    assert merkle.inclusion_path(index, size, from_list(HASHES)) == path
    merkle.verify_inclusion(index, size, HASHES[index], path, ROOTS[size])


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_proofs_match_the_reference_vectors(first: int, second: int, path: list[bytes]) -> None:
    assert merkle.consistency_path(first, second, from_list(HASHES)) == path
    merkle.verify_consistency(first, second, ROOTS[first], ROOTS[second], path)


def test_every_proof_of_every_tree_up_to_64_leaves_matches_the_naive_tree() -> None:
    leaves = leaves_of(64)
    for n in range(1, 65):
        tree, root = leaves[:n], naive_mth(leaves[:n])
        stored = from_complete_subtrees(tree)
        assert merkle.root(tree) == root
        assert stored(0, n) == root
        for m in range(n):
            path = merkle.inclusion_path(m, n, stored)
            assert path == naive_path(m, tree), (m, n)
            merkle.verify_inclusion(m, n, tree[m], path, root)
        for m in range(1, n + 1):
            path = merkle.consistency_path(m, n, stored)
            assert path == (naive_subproof(m, tree, True) if m < n else []), (m, n)
            merkle.verify_consistency(m, n, naive_mth(leaves[:m]), root, path)


def test_random_proofs_in_larger_trees() -> None:
    rng = random.Random(2026)
    leaves = leaves_of(1500, seed=3)
    for _ in range(60):
        n = rng.randrange(65, len(leaves) + 1)
        tree, root = leaves[:n], naive_mth(leaves[:n])
        stored = from_complete_subtrees(tree)
        m = rng.randrange(n)
        merkle.verify_inclusion(m, n, tree[m], merkle.inclusion_path(m, n, stored), root)
        first = rng.randrange(1, n)
        path = merkle.consistency_path(first, n, stored)
        assert path == naive_subproof(first, tree, True)
        merkle.verify_consistency(first, n, naive_mth(leaves[:first]), root, path)


def test_the_frontier_stores_each_complete_subtree_once_and_knows_every_root() -> None:
    leaves = leaves_of(100)
    frontier, made = merkle.Frontier(), {}
    for n, leaf in enumerate(leaves, 1):
        for level, index, value in frontier.append(leaf):
            assert (level, index) not in made
            assert value == naive_mth(leaves[index << level:(index + 1) << level])
            made[(level, index)] = value
        assert frontier.root() == naive_mth(leaves[:n])
        reloaded = merkle.Frontier(n, [naive_mth(leaves[i << lv:(i + 1) << lv])
                                       for lv, i in merkle.Frontier.subtrees(n)])
        assert reloaded.root() == frontier.root()
    assert len(made) == 100 - bin(100).count("1"), "a tree of n leaves has n - popcount(n) complete inner subtrees"


def test_extending_the_frontier_by_a_batch_is_appending_each_leaf() -> None:
    """:meth:`Frontier.extend` (the sealer's batch) makes the same complete subtrees, edge and root as
    :meth:`Frontier.append` of each leaf, whatever the size it starts from and the batch's length."""
    leaves = leaves_of(300)
    rng = random.Random(9162)
    for start, count in [(0, 0), (0, 1), (1, 1), (3, 5), (4, 4), (7, 1), (8, 9), (63, 2), (64, 64),
                         *[(rng.randrange(200), rng.randrange(100)) for _ in range(200)]]:
        one, batch = merkle.Frontier(), merkle.Frontier()
        for leaf in leaves[:start]:
            one.append(leaf)
            batch.append(leaf)
        made = [node for leaf in leaves[start:start + count] for node in one.append(leaf)]
        assert sorted(batch.extend(leaves[start:start + count])) == sorted(made), (start, count)
        assert (batch.size, batch.root()) == (one.size, one.root())
        assert batch.copy().extend(leaves[:2]) == one.copy().extend(leaves[:2]), "the same edge"


def flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 8]) + h[1:]


@pytest.mark.parametrize(("index", "size", "path"), [v for v in INCLUSION if v[2]])
def test_a_wrong_inclusion_proof_is_refused(index: int, size: int, path: list[bytes]) -> None:
    leaf, root = HASHES[index], ROOTS[size]
    wrong = [
        (index ^ 1, size, leaf, path, root), (index, size * 2, leaf, path, root), (index, size, flip(leaf), path, root),
        (index, size, leaf, path, ROOTS[0]), (index, size, leaf, [*path, root], root),
        (index, size, leaf, [root, *path], root), (index, size, leaf, path[:-1], root),
        *[(index, size, leaf, [flip(p) if j == i else p for j, p in enumerate(path)], root) for i in range(len(path))],
    ]
    if index:
        wrong.append((index - 1, size, leaf, path, root))
    for probe in wrong:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(*probe)


@pytest.mark.parametrize(("first", "second", "path"), [v for v in CONSISTENCY if v[2]])
def test_a_wrong_consistency_proof_is_refused(first: int, second: int, path: list[bytes]) -> None:
    r1, r2 = ROOTS[first], ROOTS[second]
    wrong = [
        (first + 1, second, r1, r2, path), (first, second * 2, r1, r2, path), (first, second, r2, r1, path),
        (first, second, flip(r1), r2, path), (first, second, r1, flip(r2), path), (first, second, r1, r2, []),
        (first, second, r1, r2, [*path, r2]), (first, second, r1, r2, [r1, *path]), (first, second, r1, r2, path[:-1]),
        (second, first, r2, r1, path),
        *[(first, second, r1, r2, [flip(p) if j == i else p for j, p in enumerate(path)]) for i in range(len(path))],
    ]
    if first > 1:
        wrong.append((first - 1, second, r1, r2, path))
    for probe in wrong:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(*probe)


def test_degenerate_sizes() -> None:
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_path(3, 3, from_list(HASHES))
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(0, 0, HASHES[0], [], ROOTS[0])
    assert merkle.consistency_path(0, 5, from_list(HASHES)) == []
    merkle.verify_consistency(0, 5, ROOTS[0], ROOTS[5], [])
    merkle.verify_consistency(4, 4, ROOTS[4], ROOTS[4], [])
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(4, 4, ROOTS[4], ROOTS[5], [])


def test_many_proofs_of_one_tree_accept_exactly_what_each_proof_alone_accepts() -> None:
    """``Inclusions`` hashes what consecutive proofs share once (the bundle verifier's fast path): in order, out of
    order and repeated, every genuine proof holds, and every changed one — a sibling, the leaf, the index, a path
    one hash short or long, an item that is no hash — is refused exactly as :func:`merkle.verify_inclusion` refuses
    it, even right after a genuine proof of the same or the next leaf."""
    rng = random.Random(15)
    for n in (1, 2, 3, 7, 8, 64, 100, 333):
        tree, root = leaves_of(n, seed=n), naive_mth(leaves_of(n, seed=n))
        paths = [[h.hex() for h in naive_path(m, tree)] for m in range(n)]
        inclusions: merkle.Inclusions[str] = merkle.Inclusions(
            n, root, lambda item: bytes.fromhex(item) if len(item) == 64 else None)
        order = list(range(n)) + [rng.randrange(n) for _ in range(n)]
        for m in order:
            assert inclusions.holds(m, tree[m], paths[m]), (m, n)
            other = rng.randrange(n)
            wrong = list(paths[other])
            if wrong:
                wrong[rng.randrange(len(wrong))] = hashlib.sha256(b"x").hexdigest()
            for index, leaf, path in ((other, tree[other], wrong), (other, b"\x00" * 32, paths[other]),
                                      ((other + 1) % n, tree[other], paths[other]),
                                      (other, tree[other], paths[other][:-1]),
                                      (other, tree[other], [*paths[other], paths[other][-1] if paths[other] else
                                                            "00" * 32]),
                                      (other, tree[other], [*paths[other][:-1], "zz"] if paths[other] else ["zz"]),
                                      (n, tree[0], paths[0])):
                try:
                    decoded = [bytes.fromhex(h) for h in path]
                    merkle.verify_inclusion(index, n, leaf, decoded, root)
                    alone = True
                except (merkle.ProofError, ValueError):
                    alone = False
                assert inclusions.holds(index, leaf, path) is alone, (index, n, path)


def path_text(path: list[bytes]) -> bytes:
    """An inclusion path as the exporter's JSON writes it: a list of hex strings, no spaces."""
    return b"[" + b",".join(b'"' + h.hex().encode() + b'"' for h in path) + b"]"


def paths_hold(n: int, leaves: list[bytes], texts: list[bytes], root: bytes) -> bool:
    """Whether ``merkle.Paths`` takes every leaf's path, in order, and is then complete."""
    paths = merkle.Paths(n, root)
    return all(paths.holds(m, leaves[m], texts[m]) for m in range(len(texts))) and paths.complete()


def test_every_path_of_a_tree_compared_with_the_tree_its_leaves_build() -> None:
    """``Paths`` (a full bundle's proofs, in leaf order): every genuine set of paths holds, and any one item changed —
    a sibling on the left (known when its line is read) or on the right (compared only when its leaves come), the
    rest of the tree after the leaf's subtree — in one path or in every path that names it, or a path one item short
    or long, spaced, upper-case, or given for another leaf, a leaf left out, a wrong root or leaf, is refused, by
    :meth:`holds` or at the end by :meth:`complete`; and each accepted path is one :func:`merkle.verify_inclusion`
    accepts."""
    rng = random.Random(15)
    for n in (1, 2, 3, 4, 5, 7, 8, 9, 13, 64, 100):
        tree, root = leaves_of(n, seed=n), naive_mth(leaves_of(n, seed=n))
        genuine = [path_text(naive_path(m, tree)) for m in range(n)]
        assert paths_hold(n, tree, genuine, root), n
        for m in range(n):
            merkle.verify_inclusion(m, n, tree[m], naive_path(m, tree), root)
        assert not paths_hold(n, tree, genuine[:-1], root), "a leaf short"
        assert not paths_hold(n, tree, genuine, hashlib.sha256(b"x").digest())
        other = [*tree]
        other[rng.randrange(n)] = hashlib.sha256(b"y").digest()
        assert not paths_hold(n, other, genuine, root), "another leaf"
        for m in range(n):
            items = naive_path(m, tree)
            changed: list[bytes] = [path_text([*items, items[-1] if items else tree[0]]), genuine[m][:-1] + b" ]",
                                    genuine[m].upper(), genuine[(m + 1) % n] if n > 1 else b"[0]"]
            if items:
                changed.append(path_text(items[:-1]))
                for at in range(len(items)):
                    wrong = [*items]
                    wrong[at] = hashlib.sha256(wrong[at]).digest()
                    changed.append(path_text(wrong))
            for text in changed:
                if text != genuine[m]:
                    assert not paths_hold(n, tree, [*genuine[:m], text, *genuine[m + 1:]], root), (n, m, text)
        for item in {h for m in range(n) for h in naive_path(m, tree)}:  # one sibling forged in every path naming it
            forged = [text.replace(item.hex().encode(), hashlib.sha256(item).hexdigest().encode()) for text in genuine]
            assert not paths_hold(n, tree, forged, root), (n, item)
