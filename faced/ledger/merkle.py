"""The RFC 9162 Merkle tree (Certificate Transparency 2.0) over SHA-256.

This is the tree of RFC 6962 and RFC 9162 section 2.1: a leaf hashes as
SHA-256(0x00 || data), an inner node as SHA-256(0x01 || left || right), and
a tree of n > 1 leaves splits at k, the largest power of two below n, so
that its left side is always a perfect (complete) subtree. The two prefixes
keep a leaf from ever being passed off as an inner node.

Two layers:

- List functions (``root``, ``inclusion_proof``, ``consistency_proof``)
  take every leaf hash of the tree and follow the RFC's definitions.
- Accessor functions (``root_from``, ``inclusion_proof_from``,
  ``consistency_proof_from``) read only hashes of perfect subtrees through
  a ``SubtreeHash`` callable. A stored log keeps exactly those, since they
  never change once complete, and any root or proof for any tree size needs
  only O(log n) of them. The list functions are built on this layer.

A perfect subtree is named ``(level, index)``: it covers the leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 is a leaf hash.

Which perfect subtrees a computation reads depends only on the sizes and
indexes asked for, never on hash values. ``nodes_needed`` exploits that: it
runs a computation against a recording accessor, so that a database can
fetch every needed node in one query and then run it again for real::

    def wanted(nodes):
        return inclusion_proof_from(nodes, index, tree_size)

    table = fetch(nodes_needed(wanted))  # one query
    proof = wanted(lambda level, index: table[(level, index)])

The verifiers (``verify_inclusion``, ``verify_consistency``) follow RFC 9162
sections 2.1.3.2 and 2.1.4.2 and answer False, rather than raising, for any
malformed proof: a proof comes from someone else, and a verifier that can
be made to crash is a verifier that can be skipped.

Nothing here imports Django or another part of faced, so that the tree can
be reviewed and tested on its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeAlias

__all__ = [
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
]

SubtreeHash: TypeAlias = Callable[[int, int], bytes]
"""The hash of the perfect subtree (level, index)."""

_HASH_BYTES = 32
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
# RFC 9162 section 2.1.1: the hash of an empty tree is the hash of an empty
# string.
_EMPTY_ROOT = hashlib.sha256(b"").digest()
# What nodes_needed hands out: any 32 bytes do, as values never steer which
# nodes are read.
_PLACEHOLDER = bytes(_HASH_BYTES)


def leaf_hash(data: bytes) -> bytes:
    """The RFC 9162 hash of a leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 9162 hash of an inner node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


# Argument checks. Producers raise on bad arguments (a caller's bug);
# verifiers use the _is_* forms and answer False instead.


def _is_count(value: object) -> bool:
    """VALUE is a non-negative int (bool, an int subclass, is refused)."""
    return (
        isinstance(value, int) and not isinstance(value, bool) and value >= 0
    )


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == _HASH_BYTES


def _require_count(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}.")
    if value < 0:
        raise ValueError(f"{name} must not be negative, not {value}.")


def _require_leaf_hashes(leaf_hashes: Sequence[bytes]) -> None:
    for position, value in enumerate(leaf_hashes):
        if not _is_hash(value):
            raise ValueError(
                f"Leaf hash {position} is not {_HASH_BYTES} bytes: leaf "
                "hashes are SHA-256 digests (see leaf_hash)."
            )


def _require_node_range(start: int, end: int) -> None:
    _require_count("start", start)
    _require_count("end", end)
    if start >= end:
        raise ValueError(
            f"The range [{start}, {end}) is empty: only the whole empty tree "
            "has a hash (see root_from)."
        )
    if start % _power_of_two_at_least(end - start):
        raise ValueError(
            f"The range [{start}, {end}) is not a node of any RFC 9162 tree: "
            "its start must be a multiple of a power of two at least as "
            "large as its length."
        )


def _largest_power_of_two_below(n: int) -> int:
    """The RFC's split point k for a tree of n >= 2 leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def _power_of_two_at_least(n: int) -> int:
    return 1 << (n - 1).bit_length()


def _memoized(subtree: SubtreeHash) -> SubtreeHash:
    """SUBTREE fetched at most once per node, and each answer checked.

    The proofs here happen to combine disjoint parts of the tree, but the
    cache makes "each node once per call" a guarantee rather than a
    property of today's code, as a fetch may be a database round trip or
    a recomputation.
    """
    seen: dict[tuple[int, int], bytes] = {}

    def read(level: int, index: int) -> bytes:
        key = (level, index)
        found = seen.get(key)
        if found is None:
            found = subtree(level, index)
            if not _is_hash(found):
                raise ValueError(
                    f"The hash of subtree {key} is not {_HASH_BYTES} bytes."
                )
            seen[key] = found
        return found

    return read


def perfect_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """The leaves [start, end) as maximal aligned perfect subtrees.

    Left to right, as (level, index); [0, 7) gives (2, 0), (1, 2), (0, 6).
    """
    _require_count("start", start)
    _require_count("end", end)
    if start > end:
        raise ValueError(f"start ({start}) is after end ({end}).")
    nodes: list[tuple[int, int]] = []
    while start < end:
        # The largest block that both fits before END and starts at a
        # multiple of its own size (0 is a multiple of every size).
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def _range_hash(read: SubtreeHash, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a node range (checked by the callers).

    A node range splits into perfect subtrees of strictly decreasing size
    (the binary digits of its length), and MTH splits off the largest power
    of two first: MTH = node_hash(p1, node_hash(p2, ... node_hash(pm-1,
    pm))). That is a fold from the right; a fold from the left would give
    another, wrong, hash.
    """
    nodes = perfect_subtrees(start, end)
    combined = read(*nodes[-1])
    for level, index in reversed(nodes[:-1]):
        combined = node_hash(read(level, index), combined)
    return combined


def range_hash(subtree: SubtreeHash, start: int, end: int) -> bytes:
    """MTH of the leaves [start, end), from perfect subtree hashes.

    [start, end) must be a node of some RFC 9162 tree: non-empty, and
    starting at a multiple of a power of two at least end - start (every
    node the RFC's recursive split produces is of that form). Raises
    ValueError otherwise.
    """
    _require_node_range(start, end)
    return _range_hash(_memoized(subtree), start, end)


def root_from(subtree: SubtreeHash, tree_size: int) -> bytes:
    """The root hash of the tree of the first TREE_SIZE leaves."""
    _require_count("tree_size", tree_size)
    if tree_size == 0:
        return _EMPTY_ROOT
    return _range_hash(_memoized(subtree), 0, tree_size)


def inclusion_proof_from(
    subtree: SubtreeHash, index: int, tree_size: int
) -> list[bytes]:
    """PATH(index, D[0:tree_size]) of RFC 9162 section 2.1.3.1.

    The hashes a verifier combines, in turn, with leaf INDEX's hash to
    reach the root of the tree of TREE_SIZE leaves, nearest the leaf first.
    """
    _require_count("index", index)
    _require_count("tree_size", tree_size)
    if index >= tree_size:
        raise ValueError(
            f"Leaf {index} is not in a tree of {tree_size} leaves."
        )
    read = _memoized(subtree)
    # Walk down from the root; each step keeps the side holding the leaf
    # and records the other side, so the list is root-first until reversed.
    siblings: list[bytes] = []
    low, high = 0, tree_size
    while high - low > 1:
        split = low + _largest_power_of_two_below(high - low)
        if index < split:
            siblings.append(_range_hash(read, split, high))
            high = split
        else:
            siblings.append(_range_hash(read, low, split))
            low = split
    siblings.reverse()
    return siblings


def consistency_proof_from(
    subtree: SubtreeHash, old_size: int, new_size: int
) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 section 2.1.4.1.

    Proves that the tree of OLD_SIZE leaves is a prefix of the tree of
    NEW_SIZE leaves. Empty when the sizes are equal. Raises ValueError for
    OLD_SIZE 0: the RFC defines no proof from the empty tree (every tree
    extends it, and its root is fixed, so there is nothing to prove).
    """
    _require_count("old_size", old_size)
    _require_count("new_size", new_size)
    if old_size == 0:
        raise ValueError(
            "A consistency proof from an empty tree is not defined "
            "(RFC 9162 section 2.1.4): every tree extends the empty tree."
        )
    if old_size > new_size:
        raise ValueError(
            f"The old size ({old_size}) is larger than the new size "
            f"({new_size}): a log only grows."
        )
    read = _memoized(subtree)
    # SUBPROOF(m, D[low:high], b) unrolled: each step records the side
    # that does not hold the old tree's right edge. OLD_ROOT_KNOWN is the
    # RFC's b: whether the node being examined is still the old tree's
    # root, whose hash the verifier already has.
    tail: list[bytes] = []
    low, high = 0, new_size
    old_root_known = True
    while high != old_size:
        split = low + _largest_power_of_two_below(high - low)
        if old_size <= split:
            tail.append(_range_hash(read, split, high))
            high = split
        else:
            tail.append(_range_hash(read, low, split))
            low = split
            old_root_known = False
    proof = [] if old_root_known else [_range_hash(read, low, high)]
    proof.extend(reversed(tail))
    return proof


def nodes_needed(
    compute: Callable[[SubtreeHash], object],
) -> set[tuple[int, int]]:
    """The (level, index) of every perfect subtree COMPUTE reads.

    COMPUTE is called once with an accessor that records each request and
    answers 32 placeholder bytes. The *_from functions choose what to read
    from sizes and indexes alone, so calling COMPUTE again with the real
    hashes reads exactly these nodes: a database can fetch them in one
    query first.
    """
    needed: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        needed.add((level, index))
        return _PLACEHOLDER

    compute(record)
    return needed


def _list_subtree(leaf_hashes: Sequence[bytes]) -> SubtreeHash:
    """An accessor computing perfect subtree hashes from all leaf hashes."""

    def subtree(level: int, index: int) -> bytes:
        start = index << level
        hashes = list(leaf_hashes[start : start + (1 << level)])
        while len(hashes) > 1:
            hashes = [
                node_hash(hashes[i], hashes[i + 1])
                for i in range(0, len(hashes), 2)
            ]
        return hashes[0]

    return subtree


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of RFC 9162 section 2.1.1 over every given leaf hash."""
    _require_leaf_hashes(leaf_hashes)
    return root_from(_list_subtree(leaf_hashes), len(leaf_hashes))


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) for the tree of every given leaf hash."""
    _require_leaf_hashes(leaf_hashes)
    return inclusion_proof_from(
        _list_subtree(leaf_hashes), index, len(leaf_hashes)
    )


def consistency_proof(
    leaf_hashes: Sequence[bytes], old_size: int
) -> list[bytes]:
    """PROOF(old_size, D[n]) for the tree of every given leaf hash."""
    _require_leaf_hashes(leaf_hashes)
    return consistency_proof_from(
        _list_subtree(leaf_hashes), old_size, len(leaf_hashes)
    )


def verify_inclusion(
    leaf_hash: bytes,
    index: int,
    tree_size: int,
    proof: Sequence[bytes],
    root: bytes,
) -> bool:
    """Whether PROOF shows LEAF_HASH at INDEX in the tree with ROOT.

    RFC 9162 section 2.1.3.2. False, never an exception, for hashes that
    are not 32 bytes, an index outside the tree, or a proof of the wrong
    length.

    The proof fixes the path's shape, not TREE_SIZE itself: two sizes in
    which the leaf's path has the same shape (leaf 0 in trees of 3 and 4
    leaves) accept the same proof. A signed checkpoint is what binds a root
    to its size.
    """
    if not (_is_hash(leaf_hash) and _is_hash(root)):
        return False
    if not (_is_count(index) and _is_count(tree_size)):
        return False
    if index >= tree_size:
        return False
    # fn is the node's index at the current level, sn the index of the
    # tree's last node at that level.
    fn, sn = index, tree_size - 1
    computed = leaf_hash
    for sibling in proof:
        if sn == 0 or not _is_hash(sibling):
            return False
        if fn & 1 or fn == sn:
            computed = node_hash(sibling, computed)
            # A right-edge node with no sibling at some levels is carried
            # up unchanged until it is a right child again.
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            computed = node_hash(computed, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and computed == root


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """Whether PROOF shows the tree OLD_ROOT is a prefix of NEW_ROOT.

    RFC 9162 section 2.1.4.2 for 0 < old_size < new_size. Equal sizes need
    an empty proof and equal roots. An empty old tree needs an empty proof
    and the empty tree's root, the only root a tree of no leaves can have.
    False, never an exception, for hashes that are not 32 bytes, sizes out
    of order, or a proof of the wrong length.
    """
    if not (_is_hash(old_root) and _is_hash(new_root)):
        return False
    if not (_is_count(old_size) and _is_count(new_size)):
        return False
    if old_size > new_size:
        return False
    if old_size == 0 and old_root != _EMPTY_ROOT:
        return False
    if old_size == new_size:
        return len(proof) == 0 and old_root == new_root
    if old_size == 0:
        return len(proof) == 0
    if len(proof) == 0:
        return False
    path = list(proof)
    if not all(_is_hash(node) for node in path):
        return False
    # A power-of-two old tree is itself a node of the new tree, so the
    # proof leaves it out and the verifier starts from the old root.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    old_computed = new_computed = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            old_computed = node_hash(node, old_computed)
            new_computed = node_hash(node, new_computed)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            new_computed = node_hash(new_computed, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and old_computed == old_root and new_computed == new_root


class InMemoryTree:
    """An append-only tree keeping every perfect subtree hash in memory.

    The reference for the database-backed log, which stores the same
    (level, index) nodes, and the baseline its benchmarks compare against.
    """

    def __init__(self) -> None:
        self._nodes: dict[tuple[int, int], bytes] = {}
        self._size = 0

    @property
    def size(self) -> int:
        """How many leaves the tree holds."""
        return self._size

    def append(self, data: bytes) -> int:
        """Add a leaf holding DATA; return its index."""
        return self.append_leaf_hash(leaf_hash(data))

    def append_leaf_hash(self, hash_: bytes) -> int:
        """Add a leaf whose hash is HASH_; return its index.

        Stores the leaf and each perfect subtree it completes: one per
        trailing one bit of its index, so two hashes per leaf on average.
        """
        if not _is_hash(hash_):
            raise ValueError(f"A leaf hash is {_HASH_BYTES} bytes.")
        index = self._size
        self._nodes[(0, index)] = hash_
        level, position, combined = 0, index, hash_
        while position & 1:
            combined = node_hash(self._nodes[(level, position - 1)], combined)
            level, position = level + 1, position >> 1
            self._nodes[(level, position)] = combined
        self._size = index + 1
        return index

    def subtree(self, level: int, index: int) -> bytes:
        """The hash of the complete perfect subtree (level, index)."""
        _require_count("level", level)
        _require_count("index", index)
        if level > self._size.bit_length() or (
            (index + 1) << level > self._size
        ):
            raise ValueError(
                f"Subtree ({level}, {index}) is not complete in a tree of "
                f"{self._size} leaves."
            )
        return self._nodes[(level, index)]

    def _size_or_current(self, size: int | None) -> int:
        if size is None:
            return self._size
        _require_count("size", size)
        if size > self._size:
            raise ValueError(f"The tree has {self._size} leaves, not {size}.")
        return size

    def root(self, size: int | None = None) -> bytes:
        """The root of the first SIZE leaves (default: all of them)."""
        return root_from(self.subtree, self._size_or_current(size))

    def inclusion_proof(
        self, index: int, size: int | None = None
    ) -> list[bytes]:
        """The inclusion proof of leaf INDEX in the tree of SIZE leaves."""
        return inclusion_proof_from(
            self.subtree, index, self._size_or_current(size)
        )

    def consistency_proof(
        self, old_size: int, new_size: int | None = None
    ) -> list[bytes]:
        """The consistency proof from OLD_SIZE to NEW_SIZE leaves."""
        return consistency_proof_from(
            self.subtree, old_size, self._size_or_current(new_size)
        )
