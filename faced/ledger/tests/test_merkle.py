"""The RFC 9162 Merkle tree: published vectors, properties, node budgets.

No database and no Django: faced.ledger.merkle is a pure module.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faced.ledger import merkle
from faced.ledger.merkle import (
    InMemoryTree,
    SubtreeHash,
    consistency_proof,
    consistency_proof_from,
    inclusion_proof,
    inclusion_proof_from,
    leaf_hash,
    node_hash,
    nodes_needed,
    perfect_subtrees,
    range_hash,
    root,
    root_from,
    verify_consistency,
    verify_inclusion,
)

# ---------------------------------------------------------------------------
# Published test vectors.
#
# The leaves, roots and node hashes are those of transparency-dev/merkle
# testonly/constants.go (LeafInputs, RootHashes, NodeHashes), which come
# from google/certificate-transparency cpp/merkletree/merkle_tree_test.cc
# (kInputs, kSHA256Roots). The proofs are those of transparency-dev/merkle
# proof/verify_test.go (inclusionProofs, consistencyProofs), the same as
# kSHA256Paths and kSHA256Proofs in merkle_tree_test.cc. Copied exactly;
# only the notation changed.
# ---------------------------------------------------------------------------


def h(hex_digits: str) -> bytes:
    return bytes.fromhex(hex_digits)


LEAF_INPUTS = [
    h(""),
    h("00"),
    h("10"),
    h("2021"),
    h("3031"),
    h("40414243"),
    h("5051525354555657"),
    h("606162636465666768696a6b6c6d6e6f"),
]

EMPTY_ROOT = h(
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

# ROOTS[n] is the root of the tree of the first n leaf inputs.
ROOTS = [
    EMPTY_ROOT,
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

# NODE_HASHES[level][index]: every perfect subtree of the 8-leaf tree.
NODE_HASHES = [
    [
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        h("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        h("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        h("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        h("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [
        h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
    ],
]

# (leaf, tree size, path). The sources number leaves from 1 (leaf 0
# standing for "no leaf"); the 0-based index is leaf - 1.
_INCLUSION_PROOFS_HEX: list[tuple[int, int, list[str]]] = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        3,
        3,
        [
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        ],
    ),
    (
        2,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
INCLUSION_PROOFS = [
    (first, second, [h(digest) for digest in proof])
    for first, second, proof in _INCLUSION_PROOFS_HEX
]

# (size1, size2, proof).
_CONSISTENCY_PROOFS_HEX: list[tuple[int, int, list[str]]] = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CONSISTENCY_PROOFS = [
    (first, second, [h(digest) for digest in proof])
    for first, second, proof in _CONSISTENCY_PROOFS_HEX
]

# verify_test.go's sha256SomeHash: a well-formed hash of nothing at all.
SOME_HASH = h(
    "abacaba000000000000000000000000000000000000000000060061e00123456"
)

# The nodes each proof reads, as (level, index): transparency-dev/merkle
# proof/proof_test.go (TestInclusion, TestConsistency), whose node IDs are
# compact.NewNodeID(level, index). That suite lists them in proof order;
# here only the set matters, as nodes_needed answers a set.
INCLUSION_NODES: list[tuple[int, int, set[tuple[int, int]]]] = [
    # (index, size, nodes)
    (0, 1, set()),
    (0, 2, {(0, 1)}),
    (1, 2, {(0, 0)}),
    (1, 3, {(0, 0), (0, 2)}),
    (0, 7, {(0, 1), (1, 1), (0, 6), (1, 2)}),
    (1, 7, {(0, 0), (1, 1), (0, 6), (1, 2)}),
    (2, 7, {(0, 3), (1, 0), (0, 6), (1, 2)}),
    (3, 7, {(0, 2), (1, 0), (0, 6), (1, 2)}),
    (4, 7, {(0, 5), (0, 6), (2, 0)}),
    (5, 7, {(0, 4), (0, 6), (2, 0)}),
    (6, 7, {(1, 2), (2, 0)}),
    (2, 4, {(0, 3), (1, 0)}),
    (3, 5, {(0, 2), (1, 0), (0, 4)}),
    (3, 6, {(0, 2), (1, 0), (1, 2)}),
    (4, 6, {(0, 5), (2, 0)}),
    (10, 15, {(0, 11), (1, 4), (0, 14), (1, 6), (3, 0)}),
    (24, 31, {(0, 25), (1, 13), (0, 30), (1, 14), (3, 2), (4, 0)}),
    (
        81,
        95,
        {
            (0, 80),
            (1, 41),
            (2, 21),
            (0, 94),
            (1, 46),
            (2, 22),
            (4, 4),
            (6, 0),
        },
    ),
]

CONSISTENCY_NODES: list[tuple[int, int, set[tuple[int, int]]]] = [
    # (size1, size2, nodes)
    (1, 2, {(0, 1)}),
    (1, 4, {(0, 1), (1, 1)}),
    (1, 6, {(0, 1), (1, 1), (1, 2)}),
    (2, 3, {(0, 2)}),
    (2, 8, {(1, 1), (2, 1)}),
    (3, 7, {(0, 2), (0, 3), (1, 0), (0, 6), (1, 2)}),
    (4, 7, {(0, 6), (1, 2)}),
    (5, 7, {(0, 4), (0, 5), (0, 6), (2, 0)}),
    (6, 7, {(1, 2), (0, 6), (2, 0)}),
    (7, 8, {(0, 6), (0, 7), (1, 2), (2, 0)}),
    (1, 1, set()),
    (2, 2, set()),
    (3, 3, set()),
    (4, 4, set()),
    (5, 5, set()),
    (7, 7, set()),
    (8, 8, set()),
    (2, 4, {(1, 1)}),
    (3, 5, {(0, 2), (0, 3), (1, 0), (0, 4)}),
    (3, 6, {(0, 2), (0, 3), (1, 0), (1, 2)}),
    (4, 6, {(1, 2)}),
    (1, 7, {(0, 1), (1, 1), (0, 6), (1, 2)}),
    (10, 15, {(1, 4), (1, 5), (0, 14), (1, 6), (3, 0)}),
    (24, 31, {(3, 2), (0, 30), (1, 14), (2, 6), (4, 0)}),
    (
        81,
        95,
        {
            (0, 80),
            (0, 81),
            (1, 41),
            (2, 21),
            (0, 94),
            (1, 46),
            (2, 22),
            (4, 4),
            (6, 0),
        },
    ),
]

VECTOR_LEAVES = [leaf_hash(data) for data in LEAF_INPUTS]


# ---------------------------------------------------------------------------
# The RFC's recursive definitions, written out literally, as an oracle.
# ---------------------------------------------------------------------------


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def reference_mth(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]), RFC 9162 section 2.1.1, over leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(reference_mth(leaves[:k]), reference_mth(leaves[k:]))


def reference_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]), RFC 9162 section 2.1.3.1."""
    if len(leaves) == 1:
        return []
    k = split_point(len(leaves))
    if m < k:
        return [*reference_path(m, leaves[:k]), reference_mth(leaves[k:])]
    return [*reference_path(m - k, leaves[k:]), reference_mth(leaves[:k])]


def reference_subproof(
    m: int, leaves: Sequence[bytes], known: bool
) -> list[bytes]:
    """SUBPROOF(m, D[n], b), RFC 9162 section 2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if known else [reference_mth(leaves)]
    k = split_point(n)
    if m <= k:
        return [
            *reference_subproof(m, leaves[:k], known),
            reference_mth(leaves[k:]),
        ]
    return [
        *reference_subproof(m - k, leaves[k:], False),
        reference_mth(leaves[:k]),
    ]


def path_shape(m: int, n: int) -> list[bool]:
    """For PATH(m, D[n]), bottom up: whether each sibling is on the left."""
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return [*path_shape(m, k), False]
    return [*path_shape(m - k, n - k), True]


# ---------------------------------------------------------------------------
# Shared trees and helpers.
# ---------------------------------------------------------------------------

MAX_SIZE = 300
LEAVES = [leaf_hash(b"faced test leaf %d" % i) for i in range(MAX_SIZE)]
TREE = InMemoryTree()
for _leaf in LEAVES:
    TREE.append_leaf_hash(_leaf)

PROPERTIES = settings(max_examples=150, deadline=None)


def reproducible_random(seed: int) -> random.Random:
    """A seeded generator for test inputs that must repeat run to run."""
    return random.Random(seed)  # noqa: S311 (test inputs, not secrets)


def inclusion_nodes(index: int, size: int) -> set[tuple[int, int]]:
    return nodes_needed(
        lambda subtree: inclusion_proof_from(subtree, index, size)
    )


def consistency_nodes(old: int, size: int) -> set[tuple[int, int]]:
    return nodes_needed(
        lambda subtree: consistency_proof_from(subtree, old, size)
    )


def root_nodes(size: int) -> set[tuple[int, int]]:
    return nodes_needed(lambda subtree: root_from(subtree, size))


def table_accessor(table: dict[tuple[int, int], bytes]) -> SubtreeHash:
    """An accessor over fetched hashes; a node not fetched is a KeyError."""
    return lambda level, index: table[(level, index)]


def computations(size: int) -> list[Callable[[SubtreeHash], object]]:
    """A root, an inclusion proof and a consistency proof at SIZE."""
    return [
        lambda subtree: root_from(subtree, size),
        lambda subtree: inclusion_proof_from(subtree, size // 3, size),
        lambda subtree: consistency_proof_from(
            subtree, max(1, size // 2 - 1), size
        ),
    ]


class ReadLog:
    """An accessor over TREE that remembers every read, in order."""

    def __init__(self) -> None:
        self.reads: list[tuple[int, int]] = []

    def __call__(self, level: int, index: int) -> bytes:
        self.reads.append((level, index))
        return TREE.subtree(level, index)


def flip(data: bytes, position: int, mask: int) -> bytes:
    """DATA with the byte at POSITION (wrapped) XORed with a nonzero MASK."""
    position %= len(data)
    return (
        data[:position] + bytes([data[position] ^ mask]) + data[position + 1 :]
    )


def drawn_flips(
    data: st.DataObject, proof: list[bytes]
) -> Iterator[list[bytes]]:
    """PROOF with one element changed in turn, each at a drawn byte by a
    drawn nonzero mask."""
    for element in range(len(proof)):
        position = data.draw(st.integers(0, 31))
        mask = data.draw(st.integers(1, 255))
        broken = list(proof)
        broken[element] = flip(broken[element], position, mask)
        yield broken


def stored_subtrees(
    tree: InMemoryTree, size: int
) -> dict[tuple[int, int], bytes]:
    """Every complete perfect subtree of TREE's first SIZE leaves."""
    return {
        (level, index): tree.subtree(level, index)
        for level in range(size.bit_length())
        for index in range(size >> level)
    }


def corrupted_inclusions(
    index: int, size: int, proof: list[bytes], root_: bytes, leaf: bytes
) -> list[tuple[str, int, int, list[bytes], bytes, bytes]]:
    """verify_test.go's corruptInclusionProof, with merkle_tree_test.cc's
    VerifierCheck substitutions: (why, index, size, proof, root, leaf)."""
    probes = [
        ("leaf index - 1", index - 1, size, proof, root_, leaf),
        ("leaf index + 1", index + 1, size, proof, root_, leaf),
        ("leaf index ^ 2", index ^ 2, size, proof, root_, leaf),
        ("tree size * 2", index, size * 2, proof, root_, leaf),
        ("tree size / 2", index, size // 2, proof, root_, leaf),
        ("wrong leaf", index, size, proof, root_, b"WrongLeaf"),
        ("wrong leaf hash", index, size, proof, root_, leaf_hash(b"Wrong")),
        ("empty root", index, size, proof, EMPTY_ROOT, leaf),
        ("random root", index, size, proof, SOME_HASH, leaf),
        ("trailing garbage", index, size, [*proof, b""], root_, leaf),
        ("trailing root", index, size, [*proof, root_], root_, leaf),
        ("preceding garbage", index, size, [b"", *proof], root_, leaf),
        ("preceding root", index, size, [root_, *proof], root_, leaf),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = flip(flipped[i], 0, 8)
        probes.append((f"proof[{i}] bit 3", index, size, flipped, root_, leaf))
        replaced = list(proof)
        replaced[i] = EMPTY_ROOT
        probes.append(
            (f"proof[{i}] replaced", index, size, replaced, root_, leaf)
        )
    if proof:
        probes.append(
            ("removed component", index, size, proof[:-1], root_, leaf)
        )
    if len(proof) > 1:
        probes.append(
            (
                "inserted component",
                index,
                size,
                [proof[0], SOME_HASH, *proof[1:]],
                root_,
                leaf,
            )
        )
        probes.append(("swapped order", index, size, proof[::-1], root_, leaf))
    return probes


def corrupted_consistencies(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> list[tuple[str, int, int, bytes, bytes, list[bytes]]]:
    """verify_test.go's corruptConsistencyProof, with merkle_tree_test.cc's
    VerifierConsistencyCheck substitutions: (why, size1, size2, root1,
    root2, proof)."""
    probes = [
        ("size1 - 1", size1 - 1, size2, root1, root2, proof),
        ("size1 + 1", size1 + 1, size2, root1, root2, proof),
        ("size1 ^ 2", size1 ^ 2, size2, root1, root2, proof),
        ("size2 * 2", size1, size2 * 2, root1, root2, proof),
        ("size2 / 2", size1, size2 // 2, root1, root2, proof),
        ("wrong root1", size1, size2, b"WrongRoot", root2, proof),
        ("wrong root2", size1, size2, root1, b"WrongRoot", proof),
        ("other root1", size1, size2, SOME_HASH, root2, proof),
        ("other root2", size1, size2, root1, SOME_HASH, proof),
        ("swapped roots", size1, size2, root2, root1, proof),
        ("empty proof", size1, size2, root1, root2, []),
        ("trailing garbage", size1, size2, root1, root2, [*proof, b""]),
        ("trailing root1", size1, size2, root1, root2, [*proof, root1]),
        ("trailing root2", size1, size2, root1, root2, [*proof, root2]),
        ("trailing last", size1, size2, root1, root2, [*proof, proof[-1]]),
        ("preceding garbage", size1, size2, root1, root2, [b"", *proof]),
        ("preceding root1", size1, size2, root1, root2, [root1, *proof]),
        ("preceding root2", size1, size2, root1, root2, [root2, *proof]),
        ("preceding proof[0]", size1, size2, root1, root2, [proof[0], *proof]),
        ("truncated proof", size1, size2, root1, root2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = flip(flipped[i], 0, 16)
        probes.append(
            (f"proof[{i}] bit 4", size1, size2, root1, root2, flipped)
        )
        replaced = list(proof)
        replaced[i] = EMPTY_ROOT
        probes.append(
            (f"proof[{i}] replaced", size1, size2, root1, root2, replaced)
        )
    if len(proof) > 1:
        probes.append(
            ("swapped order", size1, size2, root1, root2, proof[::-1])
        )
    return probes


def accepted_inclusion_probes(
    index: int, size: int, proof: list[bytes], root_: bytes, leaf: bytes
) -> list[str]:
    return [
        why
        for why, index_, size_, proof_, root__, leaf_ in corrupted_inclusions(
            index, size, proof, root_, leaf
        )
        if verify_inclusion(leaf_, index_, size_, proof_, root__)
    ]


def accepted_consistency_probes(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> list[str]:
    return [
        why
        for why, size1_, size2_, root1_, root2_, proof_ in (
            corrupted_consistencies(size1, size2, root1, root2, proof)
        )
        if verify_consistency(size1_, size2_, root1_, root2_, proof_)
    ]


class SparseTree:
    """A tree of any size, up to 2**64 leaves, whose leaves are all alike
    except a chosen few, so that any subtree hash costs O(log n) hashes."""

    def __init__(self, distinct: Iterable[int]) -> None:
        self.distinct = sorted(set(distinct))
        self.plain = [leaf_hash(b"")]
        for _ in range(64):
            self.plain.append(node_hash(self.plain[-1], self.plain[-1]))
        self.known: dict[tuple[int, int], bytes] = {}

    def leaf(self, index: int) -> bytes:
        if self.is_plain(index, index + 1):
            return self.plain[0]
        return leaf_hash(b"distinct leaf %d" % index)

    def is_plain(self, start: int, end: int) -> bool:
        at = bisect_left(self.distinct, start)
        return at == len(self.distinct) or self.distinct[at] >= end

    def subtree(self, level: int, index: int) -> bytes:
        start = index << level
        if self.is_plain(start, start + (1 << level)):
            return self.plain[level]
        if level == 0:
            return self.leaf(index)
        key = (level, index)
        if key not in self.known:
            self.known[key] = node_hash(
                self.subtree(level - 1, 2 * index),
                self.subtree(level - 1, 2 * index + 1),
            )
        return self.known[key]


# ---------------------------------------------------------------------------
# Tests.
# ---------------------------------------------------------------------------


class HashingTests:
    def test_it_prefixes_leaves_with_zero(self) -> None:
        """A leaf hash is SHA-256 of 0x00 then the data."""
        assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()

    def test_it_prefixes_nodes_with_one(self) -> None:
        """A node hash is SHA-256 of 0x01, the left hash, the right hash."""
        left, right = bytes(range(32)), bytes(range(32, 64))
        assert (
            node_hash(left, right)
            == hashlib.sha256(b"\x01" + left + right).digest()
        )

    def test_it_keeps_leaves_and_nodes_apart(self) -> None:
        """The same 64 bytes hash differently as a leaf and as a node."""
        left, right = bytes(32), bytes(range(32))
        assert leaf_hash(left + right) != node_hash(left, right)

    def test_it_gives_the_empty_tree_the_hash_of_nothing(self) -> None:
        """The empty tree's root is SHA-256 of the empty string."""
        assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
        assert root_from(TREE.subtree, 0) == EMPTY_ROOT
        assert InMemoryTree().root() == EMPTY_ROOT


class RootVectorTests:
    def test_it_matches_the_published_roots(self) -> None:
        """Roots of the reference tree at sizes 0 to 8 match the vectors."""
        for size, expected in enumerate(ROOTS):
            assert root(VECTOR_LEAVES[:size]) == expected, size

    def test_it_matches_the_published_roots_when_built_leaf_by_leaf(
        self,
    ) -> None:
        """An in-memory tree grown one leaf at a time has every root."""
        tree = InMemoryTree()
        assert tree.root() == ROOTS[0]
        for size, data in enumerate(LEAF_INPUTS, start=1):
            assert tree.append(data) == size - 1
            assert tree.size == size
            assert tree.root() == ROOTS[size]
            for earlier in range(size + 1):
                assert tree.root(earlier) == ROOTS[earlier]

    def test_it_matches_the_published_node_hashes(self) -> None:
        """Every perfect subtree of the 8-leaf tree matches the vectors."""
        tree = InMemoryTree()
        for data in LEAF_INPUTS:
            tree.append(data)
        for level, hashes in enumerate(NODE_HASHES):
            for index, expected in enumerate(hashes):
                assert tree.subtree(level, index) == expected
                assert (
                    range_hash(
                        tree.subtree, index << level, (index + 1) << level
                    )
                    == expected
                )


class InclusionVectorTests:
    @pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION_PROOFS)
    def test_it_produces_the_published_paths(
        self, leaf: int, size: int, path: list[bytes]
    ) -> None:
        """Inclusion proofs of the reference tree match the vectors."""
        assert inclusion_proof(VECTOR_LEAVES[:size], leaf - 1) == path
        tree = InMemoryTree()
        for data in LEAF_INPUTS:
            tree.append(data)
        assert tree.inclusion_proof(leaf - 1, size) == path

    @pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION_PROOFS)
    def test_it_verifies_the_published_paths(
        self, leaf: int, size: int, path: list[bytes]
    ) -> None:
        """Each published path proves its leaf against the published root."""
        assert verify_inclusion(
            VECTOR_LEAVES[leaf - 1], leaf - 1, size, path, ROOTS[size]
        )

    @pytest.mark.parametrize(
        ("leaf", "size", "path"),
        [vector for vector in INCLUSION_PROOFS if vector[1] > 1],
    )
    def test_it_rejects_every_corruption_of_the_published_paths(
        self, leaf: int, size: int, path: list[bytes]
    ) -> None:
        """Wrong index, size, leaf or root, and a truncated, extended,
        altered or reordered path, are all rejected."""
        assert (
            accepted_inclusion_probes(
                leaf - 1, size, path, ROOTS[size], VECTOR_LEAVES[leaf - 1]
            )
            == []
        )

    def test_it_rejects_the_invalid_probes_of_the_reference_suites(
        self,
    ) -> None:
        """Index outside the tree, or an empty tree, never verifies
        (verify_test.go TestVerifyInclusion)."""
        for index, size in [(0, 0), (0, 1), (1, 0), (2, 1)]:
            assert not verify_inclusion(SOME_HASH, index, size, [], b"")
            assert not verify_inclusion(b"", index, size, [], EMPTY_ROOT)
            assert not verify_inclusion(SOME_HASH, index, size, [], EMPTY_ROOT)

    def test_it_verifies_a_single_entry_against_itself_only(self) -> None:
        """In a one-leaf tree the root is the leaf hash and the proof is
        empty (verify_test.go TestVerifyInclusionSingleEntry)."""
        leaf = leaf_hash(b"data")
        assert verify_inclusion(leaf, 0, 1, [], leaf)
        assert not verify_inclusion(b"", 0, 1, [], leaf)
        assert not verify_inclusion(leaf, 0, 1, [], b"")
        assert not verify_inclusion(b"", 0, 1, [], b"")


class ConsistencyVectorTests:
    @pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY_PROOFS)
    def test_it_produces_the_published_proofs(
        self, size1: int, size2: int, proof: list[bytes]
    ) -> None:
        """Consistency proofs of the reference tree match the vectors."""
        assert consistency_proof(VECTOR_LEAVES[:size2], size1) == proof
        tree = InMemoryTree()
        for data in LEAF_INPUTS:
            tree.append(data)
        assert tree.consistency_proof(size1, size2) == proof

    @pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY_PROOFS)
    def test_it_verifies_the_published_proofs(
        self, size1: int, size2: int, proof: list[bytes]
    ) -> None:
        """Each published proof links the published roots."""
        assert verify_consistency(
            size1, size2, ROOTS[size1], ROOTS[size2], proof
        )

    @pytest.mark.parametrize(
        ("size1", "size2", "proof"),
        [vector for vector in CONSISTENCY_PROOFS if vector[2]],
    )
    def test_it_rejects_every_corruption_of_the_published_proofs(
        self, size1: int, size2: int, proof: list[bytes]
    ) -> None:
        """Wrong sizes or roots, and an empty, truncated, extended, altered
        or reordered proof, are all rejected."""
        assert (
            accepted_consistency_probes(
                size1, size2, ROOTS[size1], ROOTS[size2], proof
            )
            == []
        )

    def test_it_decides_the_edge_cases_of_the_reference_suite(self) -> None:
        """verify_test.go TestVerifyConsistency's table, with its "don't
        care" roots replaced by 32-byte hashes (shorter roots are refused
        here) and a root for size 0 required to be the empty tree's."""
        root1 = leaf_hash(b"don't care 1")
        root2 = leaf_hash(b"don't care 2")
        empty = EMPTY_ROOT
        cases = [
            (0, 0, empty, root2, [], False),
            (1, 1, root1, root2, [], False),
            # Sizes that are always consistent.
            (0, 0, empty, empty, [], True),
            (0, 1, empty, root2, [], True),
            (1, 1, root2, root2, [], True),
            # Time travel to the past.
            (1, 0, root1, root2, [], False),
            (2, 1, root1, root2, [], False),
            # Empty proof.
            (1, 2, root1, root2, [], False),
            # Roots do not match.
            (1, 1, empty, root2, [], False),
            # Roots match but the proof is not empty.
            (0, 0, empty, empty, [empty], False),
            (0, 1, empty, empty, [empty], False),
            (1, 1, empty, empty, [empty], False),
        ]
        for size1, size2, first, second, proof, expected in cases:
            assert (
                verify_consistency(size1, size2, first, second, proof)
                is expected
            ), (size1, size2)

    def test_it_requires_the_empty_root_for_an_empty_old_tree(self) -> None:
        """A tree of no leaves has one root; any other is refused."""
        assert verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
        assert not verify_consistency(0, 5, ROOTS[1], ROOTS[5], [])
        assert not verify_consistency(0, 0, ROOTS[1], ROOTS[1], [])


class NodeSelectionVectorTests:
    @pytest.mark.parametrize(("index", "size", "nodes"), INCLUSION_NODES)
    def test_it_reads_the_reference_nodes_for_inclusion(
        self, index: int, size: int, nodes: set[tuple[int, int]]
    ) -> None:
        """An inclusion proof reads the nodes proof_test.go lists."""
        assert inclusion_nodes(index, size) == nodes

    @pytest.mark.parametrize(("size1", "size2", "nodes"), CONSISTENCY_NODES)
    def test_it_reads_the_reference_nodes_for_consistency(
        self, size1: int, size2: int, nodes: set[tuple[int, int]]
    ) -> None:
        """A consistency proof reads the nodes proof_test.go lists."""
        assert consistency_nodes(size1, size2) == nodes


class ReferenceAgreementTests:
    def test_it_agrees_with_the_rfc_definitions_exhaustively(self) -> None:
        """Up to 40 leaves, every root, path and consistency proof equals
        the RFC's recursive definition."""
        for size in range(1, 41):
            leaves = LEAVES[:size]
            assert root(leaves) == reference_mth(leaves)
            for index in range(size):
                assert inclusion_proof(leaves, index) == reference_path(
                    index, leaves
                )
            for old in range(1, size + 1):
                assert consistency_proof(leaves, old) == reference_subproof(
                    old, leaves, True
                )

    @PROPERTIES
    @given(data=st.data())
    def test_it_agrees_with_the_rfc_definitions_on_larger_trees(
        self, data: st.DataObject
    ) -> None:
        """Beyond 40 leaves, drawn proofs equal the RFC's definition."""
        size = data.draw(st.integers(41, MAX_SIZE))
        index = data.draw(st.integers(0, size - 1))
        old = data.draw(st.integers(1, size))
        leaves = LEAVES[:size]
        assert root(leaves) == reference_mth(leaves)
        assert inclusion_proof(leaves, index) == reference_path(index, leaves)
        assert consistency_proof(leaves, old) == reference_subproof(
            old, leaves, True
        )


def assert_tiles(blocks: list[tuple[int, int]], start: int, end: int) -> None:
    """BLOCKS cover [start, end) left to right, without gap or overlap."""
    position = start
    for level, index in blocks:
        assert index << level == position
        position += 1 << level
    assert position == end


class PerfectSubtreeTests:
    def test_it_splits_a_range_into_aligned_blocks(self) -> None:
        """Ranges split into maximal aligned perfect subtrees, in order."""
        assert perfect_subtrees(0, 7) == [(2, 0), (1, 2), (0, 6)]
        assert perfect_subtrees(0, 8) == [(3, 0)]
        assert perfect_subtrees(0, 0) == []
        assert perfect_subtrees(5, 5) == []
        assert perfect_subtrees(3, 13) == [(0, 3), (2, 1), (2, 2), (0, 12)]
        assert perfect_subtrees(6, 7) == [(0, 6)]
        assert perfect_subtrees(1, 5) == [(0, 1), (1, 1), (0, 4)]
        assert perfect_subtrees(1, 2) == [(0, 1)]

    def test_it_uses_the_fewest_blocks_for_every_small_range(self) -> None:
        """For every range within 64 leaves, the blocks tile it and are as
        few as any tiling by aligned perfect subtrees can be."""
        fewest: dict[tuple[int, int], int] = {}
        for start in range(64, -1, -1):
            for end in range(start, 65):
                if start == end:
                    fewest[(start, end)] = 0
                    continue
                fewest[(start, end)] = 1 + min(
                    fewest[(start + (1 << level), end)]
                    for level in range(7)
                    if start % (1 << level) == 0
                    and start + (1 << level) <= end
                )
                blocks = perfect_subtrees(start, end)
                assert_tiles(blocks, start, end)
                assert len(blocks) == fewest[(start, end)], (start, end)

    @PROPERTIES
    @given(start=st.integers(0, 2**40), length=st.integers(0, 2**40))
    def test_it_covers_any_range_with_maximal_blocks(
        self, start: int, length: int
    ) -> None:
        """The blocks tile the range, each aligned to its own size, and no
        two neighbours could merge into one aligned block."""
        end = start + length
        blocks = perfect_subtrees(start, end)
        assert_tiles(blocks, start, end)
        for (level, index), (next_level, _) in itertools.pairwise(blocks):
            merged = level == next_level and index % 2 == 0
            assert not merged
        assert len(blocks) <= 2 * max(length, 1).bit_length()

    def test_it_refuses_backward_or_negative_ranges(self) -> None:
        """A range that ends before it starts, or below 0, is a bug."""
        with pytest.raises(ValueError, match="after"):
            perfect_subtrees(5, 4)
        with pytest.raises(ValueError, match="negative"):
            perfect_subtrees(-1, 4)


class RangeHashTests:
    def test_it_equals_the_recursive_hash_for_every_node_range(self) -> None:
        """For every node range within 70 leaves, the hash from perfect
        subtrees equals MTH computed recursively from the leaves."""
        checked = 0
        for start in range(70):
            for end in range(start + 1, 71):
                span = 1 << (end - start - 1).bit_length()
                if start % span:
                    continue
                assert range_hash(TREE.subtree, start, end) == reference_mth(
                    LEAVES[start:end]
                ), (start, end)
                checked += 1
        assert checked > 250

    @PROPERTIES
    @given(data=st.data())
    def test_it_equals_the_recursive_hash_for_random_node_ranges(
        self, data: st.DataObject
    ) -> None:
        """Random node ranges within 300 leaves hash like MTH."""
        length = data.draw(st.integers(1, MAX_SIZE))
        span = 1 << (length - 1).bit_length()
        start = span * data.draw(st.integers(0, (MAX_SIZE - length) // span))
        assert range_hash(
            TREE.subtree, start, start + length
        ) == reference_mth(LEAVES[start : start + length])

    def test_it_is_not_a_left_fold_of_the_perfect_subtrees(self) -> None:
        """Seven leaves hash as H(p4, H(p2, p1)), not H(H(p4, p2), p1)."""
        p4, p2, p1 = (TREE.subtree(*node) for node in perfect_subtrees(0, 7))
        assert range_hash(TREE.subtree, 0, 7) == node_hash(
            p4, node_hash(p2, p1)
        )
        assert range_hash(TREE.subtree, 0, 7) != node_hash(
            node_hash(p4, p2), p1
        )

    def test_it_refuses_ranges_that_are_no_node(self) -> None:
        """A misaligned or empty range has no RFC 9162 hash."""
        for start, end in [(1, 3), (2, 5), (4, 9), (6, 9), (3, 3), (5, 2)]:
            with pytest.raises(ValueError):
                range_hash(TREE.subtree, start, end)
        with pytest.raises(ValueError):
            range_hash(TREE.subtree, -2, 0)


class ProofPropertyTests:
    @PROPERTIES
    @given(size=st.integers(1, MAX_SIZE))
    def test_it_proves_every_leaf_of_any_tree(self, size: int) -> None:
        """Every inclusion proof verifies against the tree's root."""
        expected_root = root(LEAVES[:size])
        for index in range(size):
            proof = TREE.inclusion_proof(index, size)
            assert verify_inclusion(
                LEAVES[index], index, size, proof, expected_root
            )

    @PROPERTIES
    @given(size=st.integers(1, MAX_SIZE))
    def test_it_proves_every_earlier_size_of_any_tree(self, size: int) -> None:
        """Every consistency proof, from each size 1 to n, verifies."""
        new_root = TREE.root(size)
        for old in range(1, size + 1):
            proof = TREE.consistency_proof(old, size)
            assert verify_consistency(
                old, size, TREE.root(old), new_root, proof
            )

    @PROPERTIES
    @given(data=st.data())
    def test_it_rejects_any_flipped_byte_in_an_inclusion_proof(
        self, data: st.DataObject
    ) -> None:
        """Changing any byte of any proof element breaks the proof."""
        size = data.draw(st.integers(2, MAX_SIZE))
        index = data.draw(st.integers(0, size - 1))
        proof = inclusion_proof(LEAVES[:size], index)
        expected_root = root(LEAVES[:size])
        for broken in drawn_flips(data, proof):
            assert not verify_inclusion(
                LEAVES[index], index, size, broken, expected_root
            )

    @PROPERTIES
    @given(data=st.data())
    def test_it_rejects_any_flipped_byte_in_a_consistency_proof(
        self, data: st.DataObject
    ) -> None:
        """Changing any byte of any proof element breaks the proof."""
        size = data.draw(st.integers(2, MAX_SIZE))
        old = data.draw(st.integers(1, size - 1))
        proof = consistency_proof(LEAVES[:size], old)
        old_root, new_root = TREE.root(old), TREE.root(size)
        for broken in drawn_flips(data, proof):
            assert not verify_consistency(
                old, size, old_root, new_root, broken
            )

    def test_it_rejects_the_reference_corruptions_up_to_128_leaves(
        self,
    ) -> None:
        """As merkle_tree_test.cc does with its reference generators: for
        every proof of every tree up to 128 leaves, each corruption fails."""
        for size in range(1, 129):
            size_root = TREE.root(size)
            for index in range(size):
                proof = TREE.inclusion_proof(index, size)
                assert verify_inclusion(
                    LEAVES[index], index, size, proof, size_root
                )
                assert (
                    accepted_inclusion_probes(
                        index, size, proof, size_root, LEAVES[index]
                    )
                    == []
                ), (index, size)
            for old in range(1, size):
                proof = TREE.consistency_proof(old, size)
                assert (
                    accepted_consistency_probes(
                        old, size, TREE.root(old), size_root, proof
                    )
                    == []
                ), (old, size)

    @PROPERTIES
    @given(data=st.data())
    def test_it_rejects_the_reference_corruptions_on_any_tree(
        self, data: st.DataObject
    ) -> None:
        """The corruptions of the reference suites fail on any tree."""
        size = data.draw(st.integers(2, MAX_SIZE))
        index = data.draw(st.integers(0, size - 1))
        old = data.draw(st.integers(1, size - 1))
        assert (
            accepted_inclusion_probes(
                index,
                size,
                TREE.inclusion_proof(index, size),
                TREE.root(size),
                LEAVES[index],
            )
            == []
        )
        assert (
            accepted_consistency_probes(
                old,
                size,
                TREE.root(old),
                TREE.root(size),
                TREE.consistency_proof(old, size),
            )
            == []
        )

    @PROPERTIES
    @given(data=st.data())
    def test_it_rejects_a_proof_under_another_index(
        self, data: st.DataObject
    ) -> None:
        """A proof for one leaf never passes for another leaf's index."""
        size = data.draw(st.integers(2, MAX_SIZE))
        index = data.draw(st.integers(0, size - 1))
        other = data.draw(
            st.integers(0, size - 1).filter(lambda i: i != index)
        )
        proof = TREE.inclusion_proof(index, size)
        assert not verify_inclusion(
            LEAVES[index], other, size, proof, TREE.root(size)
        )

    @PROPERTIES
    @given(data=st.data())
    def test_it_accepts_another_size_only_with_the_same_path_shape(
        self, data: st.DataObject
    ) -> None:
        """An inclusion proof passes under another tree size only when the
        leaf's path has the same shape there (leaf 0 of 3 and of 4
        leaves): the proof does not bind the size; a signed checkpoint
        does. Against that size's true root it always fails."""
        size = data.draw(st.integers(1, MAX_SIZE))
        index = data.draw(st.integers(0, size - 1))
        other = data.draw(
            st.integers(index + 1, MAX_SIZE).filter(lambda n: n != size)
        )
        proof = TREE.inclusion_proof(index, size)
        assert verify_inclusion(
            LEAVES[index], index, other, proof, TREE.root(size)
        ) == (path_shape(index, other) == path_shape(index, size))
        if TREE.inclusion_proof(index, other) != proof:
            assert not verify_inclusion(
                LEAVES[index], index, other, proof, TREE.root(other)
            )

    @PROPERTIES
    @given(data=st.data())
    def test_it_rejects_a_consistency_proof_for_other_sizes(
        self, data: st.DataObject
    ) -> None:
        """A consistency proof for two sizes fails for any other two sizes
        with those sizes' true roots, unless the proofs coincide."""
        size = data.draw(st.integers(2, MAX_SIZE))
        old = data.draw(st.integers(1, size - 1))
        other_size = data.draw(st.integers(2, MAX_SIZE))
        other_old = data.draw(st.integers(1, other_size - 1))
        proof = TREE.consistency_proof(old, size)
        if (other_old, other_size) == (old, size) or (
            TREE.consistency_proof(other_old, other_size) == proof
        ):
            return
        assert not verify_consistency(
            other_old,
            other_size,
            TREE.root(other_old),
            TREE.root(other_size),
            proof,
        )

    def test_it_shows_an_example_of_the_unbound_size(self) -> None:
        """Leaf 0's proof in a 3-leaf tree also passes as a 4-leaf claim
        with the 3-leaf root: RFC 9162 inclusion proofs do not bind the
        size, so callers must take root and size from one checkpoint."""
        proof = TREE.inclusion_proof(0, 3)
        assert verify_inclusion(LEAVES[0], 0, 4, proof, TREE.root(3))
        assert not verify_inclusion(LEAVES[0], 0, 4, proof, TREE.root(4))


class AccessorAgreementTests:
    @PROPERTIES
    @given(data=st.data())
    def test_it_gives_the_same_answers_from_perfect_subtrees(
        self, data: st.DataObject
    ) -> None:
        """The *_from functions over stored subtrees agree with the list
        functions over all leaves."""
        size = data.draw(st.integers(1, MAX_SIZE))
        index = data.draw(st.integers(0, size - 1))
        old = data.draw(st.integers(1, size))
        leaves = LEAVES[:size]
        subtree = table_accessor(stored_subtrees(TREE, size))
        assert root_from(subtree, size) == root(leaves)
        assert inclusion_proof_from(subtree, index, size) == inclusion_proof(
            leaves, index
        )
        assert consistency_proof_from(subtree, old, size) == consistency_proof(
            leaves, old
        )

    def test_it_refuses_an_accessor_answer_that_is_no_hash(self) -> None:
        """A stored hash of the wrong length is reported, not used."""
        with pytest.raises(ValueError, match="32 bytes"):
            root_from(lambda level, index: b"short", 3)


class InMemoryTreeTests:
    def test_it_agrees_with_the_list_functions_at_every_size(self) -> None:
        """At every size up to 300, the tree's roots and proofs equal those
        computed from all leaves."""
        rng = reproducible_random(9162)
        tree = InMemoryTree()
        for size, leaf in enumerate(LEAVES, start=1):
            assert tree.append_leaf_hash(leaf) == size - 1
            leaves = LEAVES[:size]
            assert tree.size == size
            assert tree.root() == root(leaves)
            index = rng.randrange(size)
            assert tree.inclusion_proof(index) == inclusion_proof(
                leaves, index
            )
            old = rng.randrange(1, size + 1)
            assert tree.consistency_proof(old) == consistency_proof(
                leaves, old
            )
            earlier = rng.randrange(size + 1)
            assert tree.root(earlier) == root(LEAVES[:earlier])

    def test_it_appends_with_amortized_constant_hashing(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Appending n leaves computes n minus popcount(n) node hashes:
        fewer than one per leaf."""
        calls = 0
        real = merkle.node_hash

        def counting(left: bytes, right: bytes) -> bytes:
            nonlocal calls
            calls += 1
            return real(left, right)

        monkeypatch.setattr(merkle, "node_hash", counting)
        tree = InMemoryTree()
        for size in range(1, 1001):
            tree.append(b"%d" % size)
            assert calls == size - size.bit_count()

    def test_it_keeps_only_complete_subtrees(self) -> None:
        """Subtrees that are not complete yet are refused."""
        tree = InMemoryTree()
        for data in LEAF_INPUTS[:5]:
            tree.append(data)
        assert tree.subtree(2, 0) == NODE_HASHES[2][0]
        assert tree.subtree(0, 4) == NODE_HASHES[0][4]
        for level, index in [(0, 5), (1, 2), (2, 1), (3, 0), (70, 0)]:
            with pytest.raises(ValueError, match="not complete"):
                tree.subtree(level, index)
        with pytest.raises(ValueError):
            tree.subtree(-1, 0)

    def test_it_refuses_sizes_beyond_its_leaves(self) -> None:
        """Roots and proofs for more leaves than it holds are refused."""
        tree = InMemoryTree()
        for data in LEAF_INPUTS[:3]:
            tree.append(data)
        with pytest.raises(ValueError):
            tree.root(4)
        with pytest.raises(ValueError):
            tree.inclusion_proof(0, 4)
        with pytest.raises(ValueError):
            tree.inclusion_proof(3)
        with pytest.raises(ValueError):
            tree.consistency_proof(2, 4)
        with pytest.raises(ValueError):
            tree.root(-1)

    def test_it_refuses_leaf_hashes_of_the_wrong_length(self) -> None:
        """A leaf hash is 32 bytes."""
        with pytest.raises(ValueError):
            InMemoryTree().append_leaf_hash(b"short")


class NodesNeededTests:
    def test_it_records_exactly_the_nodes_a_real_call_reads(self) -> None:
        """The recorded nodes are the ones the real call reads, so fetching
        them, and only them, is enough to run it for real."""
        for size in [1, 2, 5, 8, 13, 64, 100, 255, 300]:
            for compute in computations(size):
                needed = nodes_needed(compute)
                log = ReadLog()
                expected = compute(log)
                assert set(log.reads) == needed
                fetched = {node: TREE.subtree(*node) for node in needed}
                assert compute(table_accessor(fetched)) == expected

    def test_it_reads_each_node_once_per_call(self) -> None:
        """Within one call no node is fetched twice, so a database round
        trip or a recomputation is never repeated."""
        for size in range(1, 160):
            for compute in computations(size):
                log = ReadLog()
                compute(log)
                assert len(log.reads) == len(set(log.reads)), size
            for old in range(1, size + 1):
                log = ReadLog()
                consistency_proof_from(log, old, size)
                assert len(log.reads) == len(set(log.reads)), (old, size)

    def test_it_needs_logarithmically_many_nodes(self) -> None:
        """Proofs at sizes up to 2**20 + 12345 need at most
        2 * log2(n) + 2 stored nodes; a root needs one per one bit."""
        rng = reproducible_random(6962)
        sizes = [
            *range(1, 130),
            2**20 - 1,
            2**20,
            2**20 + 1,
            2**20 + 12345,
            *(rng.randrange(2, 2**20 + 12346) for _ in range(20)),
        ]
        for size in sizes:
            bound = 2 * math.log2(size) + 2
            indexes = {0, size - 1, size // 2}
            indexes.update(rng.randrange(size) for _ in range(20))
            for index in indexes:
                assert len(inclusion_nodes(index, size)) <= bound, (
                    index,
                    size,
                )
            olds = {1, size, max(1, size - 1), max(1, size // 2)}
            olds.update(rng.randrange(1, size + 1) for _ in range(20))
            for old in olds:
                assert len(consistency_nodes(old, size)) <= bound, (old, size)
            assert len(root_nodes(size)) == size.bit_count()


HUGE_SIZES = [2**20 + 12345, 2**32 + 7, 3 * 2**40 + 5, 2**63 - 1]


class LargeSparseTreeTests:
    @pytest.mark.parametrize("size", HUGE_SIZES)
    def test_it_proves_leaves_of_huge_trees(self, size: int) -> None:
        """In trees far too big to hash in full, proofs for chosen leaves
        verify and tampered ones do not."""
        rng = reproducible_random(size)
        chosen = {0, 1, size // 2, size - 2, size - 1}
        chosen.update(rng.randrange(size) for _ in range(5))
        tree = SparseTree(chosen)
        tree_root = root_from(tree.subtree, size)
        for index in chosen:
            proof = inclusion_proof_from(tree.subtree, index, size)
            assert len(proof) <= size.bit_length()
            assert verify_inclusion(
                tree.leaf(index), index, size, proof, tree_root
            )
            assert not verify_inclusion(
                tree.leaf(index), index ^ 1, size, proof, tree_root
            )
            broken = [flip(proof[0], 7, 1), *proof[1:]]
            assert not verify_inclusion(
                tree.leaf(index), index, size, broken, tree_root
            )

    @pytest.mark.parametrize("size", HUGE_SIZES)
    def test_it_proves_consistency_of_huge_trees(self, size: int) -> None:
        """Consistency proofs between huge sizes verify; tampered ones do
        not."""
        rng = reproducible_random(~size)
        olds = {1, 2, size // 3, size - 1, size}
        olds.update(rng.randrange(1, size) for _ in range(5))
        # Leaves near each boundary differ, so the proof's hashes matter.
        tree = SparseTree(
            edge for old in olds for edge in (old - 2, old - 1, old, old + 1)
        )
        new_root = root_from(tree.subtree, size)
        for old in olds:
            old_root = root_from(tree.subtree, old)
            proof = consistency_proof_from(tree.subtree, old, size)
            assert verify_consistency(old, size, old_root, new_root, proof)
            if proof:
                broken = [*proof[:-1], flip(proof[-1], 3, 0x80)]
                assert not verify_consistency(
                    old, size, old_root, new_root, broken
                )
                assert not verify_consistency(
                    old, size, new_root, new_root, proof
                )

    def test_it_computes_roots_of_perfect_huge_trees(self) -> None:
        """A perfect tree's root is its one perfect subtree's hash."""
        tree = SparseTree([5, 2**33 + 1])
        assert root_from(tree.subtree, 2**40) == tree.subtree(40, 0)


class ValidationTests:
    def test_it_refuses_impossible_proof_requests(self) -> None:
        """Negative or out-of-range indexes and sizes raise ValueError."""
        leaves = LEAVES[:5]
        for index in [-1, 5, 6]:
            with pytest.raises(ValueError):
                inclusion_proof(leaves, index)
        with pytest.raises(ValueError):
            inclusion_proof([], 0)
        for old in [-1, 6]:
            with pytest.raises(ValueError):
                consistency_proof(leaves, old)
        with pytest.raises(ValueError):
            root_from(TREE.subtree, -1)
        with pytest.raises(ValueError, match="larger"):
            consistency_proof_from(TREE.subtree, 6, 5)

    def test_it_refuses_a_consistency_proof_from_the_empty_tree(self) -> None:
        """RFC 9162 defines no consistency proof from size 0."""
        with pytest.raises(ValueError, match="empty tree"):
            consistency_proof(LEAVES[:5], 0)
        with pytest.raises(ValueError, match="empty tree"):
            consistency_proof_from(TREE.subtree, 0, 0)

    def test_it_refuses_leaf_hashes_of_the_wrong_length(self) -> None:
        """The list functions take 32-byte leaf hashes only."""
        with pytest.raises(ValueError, match="Leaf hash 1"):
            root([LEAVES[0], b"not a hash", LEAVES[2]])

    def test_it_refuses_sizes_that_are_not_ints(self) -> None:
        """A float or bool size is a caller's bug, reported as such."""
        with pytest.raises(TypeError):
            root_from(TREE.subtree, 2.0)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            inclusion_proof_from(TREE.subtree, True, 2)

    def test_it_answers_false_to_malformed_inclusion_claims(self) -> None:
        """Malformed arguments make verify_inclusion false, not raise."""
        proof = TREE.inclusion_proof(3, 10)
        good = (LEAVES[3], 3, 10, proof, TREE.root(10))
        assert verify_inclusion(*good)
        bad_claims: list[tuple[bytes, int, int, list[bytes], bytes]] = [
            (LEAVES[3][:31], 3, 10, proof, TREE.root(10)),
            (LEAVES[3] + b"\x00", 3, 10, proof, TREE.root(10)),
            (LEAVES[3], 3, 10, proof, TREE.root(10)[:31]),
            (LEAVES[3], -1, 10, proof, TREE.root(10)),
            (LEAVES[3], 10, 10, proof, TREE.root(10)),
            (LEAVES[3], 3, -10, proof, TREE.root(10)),
            (LEAVES[3], 3, 0, proof, TREE.root(10)),
            (LEAVES[3], 3, 10, [*proof[:-1], proof[-1][:31]], TREE.root(10)),
            (LEAVES[3], 3, 10, [*proof, *proof], TREE.root(10)),
            (LEAVES[3], 3, 10, [], TREE.root(10)),
        ]
        for claim in bad_claims:
            assert verify_inclusion(*claim) is False

    def test_it_answers_false_to_malformed_consistency_claims(self) -> None:
        """Malformed arguments make verify_consistency false, not raise."""
        proof = TREE.consistency_proof(3, 10)
        old_root, new_root = TREE.root(3), TREE.root(10)
        assert verify_consistency(3, 10, old_root, new_root, proof)
        bad_claims: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
            (3, 10, old_root[:31], new_root, proof),
            (3, 10, old_root, new_root + b"\x00", proof),
            (-3, 10, old_root, new_root, proof),
            (3, -10, old_root, new_root, proof),
            (10, 3, old_root, new_root, proof),
            (3, 10, old_root, new_root, [*proof[:-1], proof[-1][:31]]),
            (3, 10, old_root, new_root, [*proof, *proof]),
            (3, 10, old_root, new_root, []),
            (0, 10, old_root, new_root, proof),
        ]
        for claim in bad_claims:
            assert verify_consistency(*claim) is False


class InterfaceTests:
    def test_it_exports_exactly_the_documented_interface(self) -> None:
        """The public names are the documented ones, no more."""
        assert set(merkle.__all__) == {
            "InMemoryTree",
            "SubtreeHash",
            "consistency_proof",
            "consistency_proof_from",
            "inclusion_proof",
            "inclusion_proof_from",
            "leaf_hash",
            "node_hash",
            "nodes_needed",
            "perfect_subtrees",
            "range_hash",
            "root",
            "root_from",
            "verify_consistency",
            "verify_inclusion",
        }
        public = {name for name in vars(merkle) if not name.startswith("_")}
        imported = {
            "hashlib",
            "Callable",
            "Sequence",
            "TypeAlias",
            "annotations",
        }
        assert public - imported == set(merkle.__all__)
