"""Reads of the ledger: roots and proofs for any tree size, from stored
perfect-subtree hashes, in two queries whatever the size of the log."""

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from faced.ledger import merkle
from faced.ledger.acts import established_keys
from faced.ledger.bundle import build_bundle, build_entry_bundle
from faced.ledger.log_key import log_signer, log_verifier_key
from faced.ledger.models import Checkpoint, LedgerEntry, LedgerHead, LedgerNode

Computed = TypeVar("Computed")


def ledger_size() -> int:
    size = LedgerHead.objects.filter(pk=1).values_list("size", flat=True)
    return size.first() or 0


def subtree_hashes(
    wanted: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], bytes]:
    """The stored hashes of the given perfect subtrees (level, index);
    level 0 is a leaf hash, kept with its entry."""
    wanted = set(wanted)
    found: dict[tuple[int, int], bytes] = {}
    leaves = [index for level, index in wanted if level == 0]
    if leaves:
        for sequence, leaf in LedgerEntry.objects.filter(
            sequence__in=leaves
        ).values_list("sequence", "leaf_hash"):
            found[(0, sequence)] = bytes(leaf)
    upper = [pair for pair in wanted if pair[0] > 0]
    if upper:
        # One row-value IN over the composite primary key: a single index
        # probe per node on both databases.
        for level, index, node in LedgerNode.objects.filter(
            pk__in=upper
        ).values_list("level", "position", "hash"):
            found[(level, index)] = bytes(node)
    missing = wanted - set(found)
    if missing:
        raise LookupError(
            "The ledger is missing stored hashes "
            f"{sorted(missing)[:5]}: run `faced ledger verify`."
        )
    return found


def _with_stored_nodes(
    compute: Callable[[merkle.SubtreeHash], Computed],
) -> Computed:
    """Run COMPUTE against the stored nodes, fetched in one go: which
    nodes a computation reads never depends on their values."""
    table = subtree_hashes(merkle.nodes_needed(compute))
    return compute(lambda level, index: table[(level, index)])


def root_at(size: int) -> bytes:
    return _with_stored_nodes(lambda nodes: merkle.root_from(nodes, size))


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    return _with_stored_nodes(
        lambda nodes: merkle.inclusion_proof_from(nodes, index, tree_size)
    )


def inclusion_proofs(
    indices: Iterable[int], tree_size: int
) -> dict[int, list[bytes]]:
    """Inclusion proofs of several entries in one tree, with the stored
    nodes of all of them fetched in one go (a case's timeline checks
    dozens at once)."""
    indices = sorted(set(indices))

    def compute_all(nodes: merkle.SubtreeHash) -> dict[int, list[bytes]]:
        return {
            index: merkle.inclusion_proof_from(nodes, index, tree_size)
            for index in indices
        }

    return _with_stored_nodes(compute_all)


def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    return _with_stored_nodes(
        lambda nodes: merkle.consistency_proof_from(nodes, old_size, new_size)
    )


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size", "-id").first()


def entries_page(start: int, limit: int) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(sequence__gte=start).order_by("sequence")[
            :limit
        ]
    )


@dataclass(frozen=True)
class EntryInclusion:
    """An entry's inclusion proof, in the tree a signed checkpoint
    covers."""

    checkpoint: Checkpoint
    proof: list[bytes]


def entry_inclusion(sequence: int) -> EntryInclusion:
    """The inclusion proof of entry SEQUENCE in the latest checkpoint that
    covers it, signing one first if none does yet (the entry was just
    written and the worker has not signed since)."""
    # Imported here: services imports this module for roots and subtree
    # hashes.
    from faced.ledger.services import checkpoint_sign

    checkpoint = (
        Checkpoint.objects.filter(tree_size__gt=sequence)
        .order_by("-tree_size", "-id")
        .first()
    ) or checkpoint_sign(force=True)
    if checkpoint is None or checkpoint.tree_size <= sequence:
        raise LookupError(f"Entry {sequence} is not in the ledger.")
    return EntryInclusion(
        checkpoint, inclusion_proof(sequence, checkpoint.tree_size)
    )


def entry_bundle(
    sequence: int,
    *,
    record: Mapping[str, object] | None = None,
    salt: bytes = b"",
) -> dict[str, object]:
    """Everything needed to prove, offline, that entry SEQUENCE is in the
    log as it reads: the entry, its inclusion proof and a signed
    checkpoint that covers it; with RECORD, also the record and the SALT
    that open the entry's commitment to it. Raises
    LedgerEntry.DoesNotExist for a sequence the log does not have."""
    entry = LedgerEntry.objects.get(sequence=sequence)
    included = entry_inclusion(entry.sequence)
    proven: dict[str, Any] = {
        "sequence": entry.sequence,
        "leaf_data": entry.leaf_data,
        "tree_size": included.checkpoint.tree_size,
        "proof": included.proof,
        "checkpoint_note": included.checkpoint.note,
        "log_key": log_verifier_key(),
    }
    if record is None:
        return build_entry_bundle(**proven)
    return build_bundle(record=record, salt=salt, **proven)


def published_keys(
    person: str, *, before: int | None = None
) -> dict[str, Any] | None:
    """The public keys the ledger established for PERSON (a person
    reference), as their keys_created event holds them (parsed JSON, so
    its values are typed by whoever reads them), before entry BEFORE if
    given; None if never. The first keys are taken on first use; later
    ones count only if the key before them signed them (acts.py), never
    simply because they are newest: keys appended behind faced's back
    are not used to seal anything or to check any signature."""
    history = keys_history(person)
    if before is not None:
        history = [entry for entry in history if entry[0] < before]
    return established_keys(history, origin=log_signer()[0])


def keys_history(person: str) -> list[tuple[int, dict[str, Any], bytes]]:
    """PERSON's keys_created entries in order: (sequence, event, leaf
    hash) each, for `acts.established_keys`."""
    return [
        (sequence, json.loads(leaf_data)["event"], bytes(leaf_hash))
        for sequence, leaf_data, leaf_hash in LedgerEntry.objects.filter(
            event_type="keys_created", subject=person
        )
        .order_by("sequence")
        .values_list("sequence", "leaf_data", "leaf_hash")
    ]
