"""`faced ledger verify`: recompute everything and say what does not hold.

Every leaf hash is recomputed from its stored event, every stored subtree
hash from the leaves under it, and every stored checkpoint is checked for
the log key's signature and against the tree as it is now. The first
thing that does not hold is named, with what it most likely means.
"""

import json
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass

from faced.ledger import merkle
from faced.ledger.acts import ActChecker
from faced.ledger.log_key import log_public_key, log_signer
from faced.ledger.models import Checkpoint, LedgerEntry, LedgerNode
from faced.ledger.note import (
    Checkpoint as SignedCheckpoint,
)
from faced.ledger.note import (
    NoteError,
    open_note,
    parse_checkpoint,
)
from faced.ledger.selectors import ledger_size
from faced.ledger.services import subject_of, timestamp
from faced.ledger.signer_state import (
    SignerStateDamaged,
    signer_state_path,
    signer_state_read,
)

HASH = 32


class LedgerBroken(Exception):
    """What does not hold, in words an operator or a member can act on."""


@dataclass(frozen=True)
class VerifiedLedger:
    size: int
    root: bytes

    def __str__(self) -> str:
        return f"ok: {self.size} entries, root {self.root.hex()}"


def _check_entries() -> bytearray:
    """Leaf hashes recomputed from the stored events, in order; each act
    checked for its actor's signature (acts.py) on the way."""
    leaves = bytearray()

    def leaf_hash_at(sequence: int) -> bytes | None:
        if not 0 <= sequence < len(leaves) // HASH:
            return None
        return bytes(leaves[sequence * HASH : (sequence + 1) * HASH])

    name, _seed = log_signer()
    acts = ActChecker(
        origin=name, server_key=log_public_key(), leaf_hash_at=leaf_hash_at
    )
    rows = (
        LedgerEntry.objects.order_by("sequence")
        .values_list(
            "sequence",
            "created_at",
            "event_type",
            "subject",
            "leaf_data",
            "leaf_hash",
        )
        .iterator(chunk_size=5000)
    )
    with closing(rows):
        for expected, row in enumerate(rows):
            sequence, created_at, event_type, subject, leaf_data, stored = row
            if sequence != expected:
                raise LedgerBroken(
                    f"entry {expected} is missing (the next stored entry is "
                    f"{sequence}): a row was deleted."
                )
            leaf = merkle.leaf_hash(leaf_data.encode("utf-8"))
            if bytes(stored) != leaf:
                raise LedgerBroken(
                    f"entry {sequence}: its stored leaf hash does not match "
                    "its event: the event or its hash was edited."
                )
            try:
                data = json.loads(leaf_data)
                claimed = data["sequence"]
            except (ValueError, KeyError, TypeError):
                raise LedgerBroken(
                    f"entry {sequence}: its event is not a ledger event."
                ) from None
            if claimed != sequence:
                raise LedgerBroken(
                    f"entry {sequence} holds the event of entry {claimed}: "
                    "entries were swapped or renumbered."
                )
            if data.get("type") != event_type or data.get("time") != timestamp(
                created_at
            ):
                raise LedgerBroken(
                    f"entry {sequence}: its type or time column was edited "
                    "(they differ from the event the hash covers)."
                )
            event = data.get("event")
            if subject != subject_of(
                event_type, event if isinstance(event, dict) else {}
            ):
                raise LedgerBroken(
                    f"entry {sequence}: its subject column was edited (it "
                    "differs from the event the hash covers), which would "
                    "hide the entry from a case's timeline."
                )
            problem = acts.check(
                sequence=sequence,
                event_type=event_type,
                event=event if isinstance(event, dict) else {},
            )
            if problem is not None:
                raise LedgerBroken(problem)
            leaves += leaf
    return leaves


def _levels(leaves: bytearray) -> list[bytearray]:
    """Every perfect subtree hash, level by level, as packed bytes."""
    levels = [leaves]
    while len(levels[-1]) >= 2 * HASH:
        below = levels[-1]
        above = bytearray()
        for offset in range(0, len(below) - HASH, 2 * HASH):
            above += merkle.node_hash(
                bytes(below[offset : offset + HASH]),
                bytes(below[offset + HASH : offset + 2 * HASH]),
            )
        levels.append(above)
    return levels


def _check_nodes(levels: list[bytearray]) -> None:
    expected = sum(len(level) // HASH for level in levels[1:])
    seen = 0
    rows = (
        LedgerNode.objects.order_by("level", "position")
        .values_list("level", "position", "hash")
        .iterator(chunk_size=5000)
    )
    with closing(rows):
        for level, index, stored in rows:
            if (
                level < 1
                or level >= len(levels)
                or (index + 1) * HASH > len(levels[level])
            ):
                raise LedgerBroken(
                    f"stored node {level}/{index} does not belong to a log "
                    f"of {len(levels[0]) // HASH} entries: it was added "
                    "behind faced's back."
                )
            computed = levels[level][index * HASH : (index + 1) * HASH]
            if bytes(stored) != computed:
                raise LedgerBroken(
                    f"stored node {level}/{index} does not match the entries "
                    "under it: it was edited."
                )
            seen += 1
    if seen != expected:
        raise LedgerBroken(
            f"{expected - seen} stored node(s) are missing: rows were deleted."
        )


def _accessor(levels: list[bytearray]) -> Callable[[int, int], bytes]:
    def subtree(level: int, index: int) -> bytes:
        return bytes(levels[level][index * HASH : (index + 1) * HASH])

    return subtree


def check_checkpoint_note(
    note: str, levels: list[bytearray], *, label: str
) -> SignedCheckpoint:
    """Check one signed checkpoint against the recomputed tree."""
    name, _seed = log_signer()
    size = len(levels[0]) // HASH
    try:
        checkpoint = parse_checkpoint(
            open_note(note, {name: log_public_key()})
        )
    except NoteError as error:
        raise LedgerBroken(
            f"{label} has no valid signature by this log's key ({error}): "
            "it was altered or forged."
        ) from None
    except ValueError as error:
        raise LedgerBroken(f"{label} is not a checkpoint: {error}") from None
    if checkpoint.origin != name:
        raise LedgerBroken(
            f"{label} is for the log {checkpoint.origin!r}, not {name!r}."
        )
    if checkpoint.tree_size > size:
        raise LedgerBroken(
            f"{label} was signed when the log had {checkpoint.tree_size} "
            f"entries, but it has only {size}: entries were removed."
        )
    if checkpoint.tree_size and (
        merkle.root_from(_accessor(levels), checkpoint.tree_size)
        != checkpoint.root_hash
    ):
        raise LedgerBroken(
            f"{label} (at {checkpoint.tree_size} entries) does not match "
            "the log: the history before it was rewritten."
        )
    return checkpoint


def _check_signer_memory(levels: list[bytearray]) -> None:
    """Check the log against the last checkpoint the signer remembers
    signing, outside the database: the one checkpoint that deleting rows
    cannot take away."""
    where = signer_state_path()
    name, seed = log_signer()
    try:
        remembered = signer_state_read(name=name, seed=seed)
    except SignerStateDamaged as damage:
        raise LedgerBroken(
            f"the signer's memory of the last checkpoint it signed ({where}) "
            f"does not hold: {damage}."
        ) from None
    if remembered is not None:
        check_checkpoint_note(
            remembered.note,
            levels,
            label=f"the checkpoint this server last signed (remembered in "
            f"{where})",
        )


def ledger_verify(*, checkpoint_note: str | None = None) -> VerifiedLedger:
    """Raise LedgerBroken naming the first thing that does not hold."""
    levels = _levels(_check_entries())
    size = len(levels[0]) // HASH
    head = ledger_size()
    if head > size:
        raise LedgerBroken(
            f"entry {size} is missing: the log holds {size} entries but "
            f"its head says {head}: the last entries were removed behind "
            "faced's back."
        )
    if head < size:
        raise LedgerBroken(
            f"the log holds {size} entries but its head says {head}: "
            "entries were added behind faced's back."
        )
    _check_nodes(levels)
    for stored in Checkpoint.objects.order_by("id"):
        label = f"checkpoint #{stored.pk}"
        signed = check_checkpoint_note(stored.note, levels, label=label)
        if signed.tree_size != stored.tree_size or (
            signed.root_hash != bytes(stored.root_hash)
        ):
            raise LedgerBroken(
                f"{label}: its size or root column differs from its signed "
                "note: the row was edited."
            )
    if checkpoint_note is not None:
        check_checkpoint_note(
            checkpoint_note, levels, label="your saved checkpoint"
        )
    _check_signer_memory(levels)
    root = merkle.root_from(_accessor(levels), size)
    return VerifiedLedger(size=size, root=root)
