"""Writes to the ledger: appending events and signing checkpoints."""

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from faced.crypto.signing import canonical_json
from faced.ledger import merkle
from faced.ledger.log_key import log_public_key, log_signer
from faced.ledger.models import Checkpoint, LedgerEntry, LedgerHead, LedgerNode
from faced.ledger.note import (
    NoteError,
    format_checkpoint,
    open_note,
    parse_checkpoint,
    sign_note,
)
from faced.ledger.selectors import consistency_proof, root_at, subtree_hashes

EVENT_TYPE_LENGTH = 60


def timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def leaf_data_for(
    *,
    sequence: int,
    moment: dt.datetime,
    event_type: str,
    payload: Mapping[str, object],
) -> str:
    """The canonical JSON a leaf commits to: its place, time, type and
    event. Putting the sequence inside the leaf means two swapped rows no
    longer match their hashes."""
    return canonical_json(
        {
            "sequence": sequence,
            "time": timestamp(moment),
            "type": event_type,
            "event": dict(payload),
        }
    ).decode("utf-8")


def subject_of(event_type: str, payload: Mapping[str, object]) -> str:
    """The indexed subject of an event: the case it is about, or the
    person whose keys it publishes; empty for anything else."""
    field = "person" if event_type == "keys_created" else "case"
    subject = payload.get(field, "")
    return subject if isinstance(subject, str) else ""


def _previous_about(subject: str) -> int | None:
    return (
        LedgerEntry.objects.filter(subject=subject)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )


def _lock_head() -> LedgerHead:
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        LedgerHead.objects.get_or_create(pk=1)
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


def ledger_append(
    *, event_type: str, payload: Mapping[str, object]
) -> LedgerEntry:
    """Append an event inside the caller's transaction.

    The event and the caller's change commit together or not at all. The
    head row is locked first, so that concurrent appenders queue: none can
    fork the tree, skip or reuse a sequence number (on SQLite the
    immediate transaction holds the write lock already).
    """
    if not event_type or len(event_type) > EVENT_TYPE_LENGTH:
        raise ValueError("An event type is 1 to 60 characters.")
    subject = subject_of(event_type, payload)
    with transaction.atomic():
        head = _lock_head()
        sequence = head.size
        moment = timezone.now()
        if subject:
            # Each entry about a subject names the one before it, so that
            # a subject's history (a case's timeline) shows a gap where an
            # entry was hidden or removed, without reading the whole log.
            payload = {**payload, "previous": _previous_about(subject)}
        leaf_data = leaf_data_for(
            sequence=sequence,
            moment=moment,
            event_type=event_type,
            payload=payload,
        )
        leaf = merkle.leaf_hash(leaf_data.encode("utf-8"))
        entry = LedgerEntry.objects.create(
            sequence=sequence,
            created_at=moment,
            event_type=event_type,
            subject=subject,
            leaf_data=leaf_data,
            leaf_hash=leaf,
        )
        LedgerNode.objects.bulk_create(_completed_nodes(sequence, leaf))
        head.size = sequence + 1
        head.save(update_fields=["size"])
        transaction.on_commit(_schedule_checkpoint)
    return entry


def _completed_nodes(sequence: int, leaf: bytes) -> list[LedgerNode]:
    """The perfect subtrees the new leaf completes: one per trailing one
    bit of its index, each joining the subtree to its left."""
    wanted = []
    level, index = 0, sequence
    while index % 2 == 1:
        wanted.append((level, index - 1))
        level, index = level + 1, index // 2
    lefts = subtree_hashes(set(wanted))
    nodes = []
    current = leaf
    for level, left_index in wanted:
        current = merkle.node_hash(lefts[(level, left_index)], current)
        nodes.append(
            LedgerNode(level=level + 1, position=left_index // 2, hash=current)
        )
    return nodes


def _schedule_checkpoint() -> None:
    from faced.ledger.tasks import sign_checkpoint

    sign_checkpoint.enqueue()


class HistoryRewritten(RuntimeError):
    """The stored tree no longer extends the last signed checkpoint."""


def _refuse_a_rewritten_history(
    latest: Checkpoint, size: int, root: bytes, name: str
) -> None:
    """Sign nothing over a history that was rewritten in the database:
    the stored tree must extend what the last checkpoint signed (checked
    against its signed root, not the stored column)."""
    try:
        signed = parse_checkpoint(
            open_note(latest.note, {name: log_public_key()})
        )
        proof = consistency_proof(signed.tree_size, size)
    except (NoteError, ValueError, LookupError) as error:
        raise HistoryRewritten(
            f"the last checkpoint cannot be checked ({error}); run "
            "`faced ledger verify`"
        ) from None
    if signed.tree_size > size or not merkle.verify_consistency(
        signed.tree_size, size, signed.root_hash, root, proof
    ):
        raise HistoryRewritten(
            f"the log no longer extends its checkpoint at {signed.tree_size} "
            "entries: its history was rewritten. Nothing was signed; run "
            "`faced ledger verify`."
        )


def checkpoint_sign(*, force: bool = False) -> Checkpoint | None:
    """Sign a checkpoint of the log as it is now.

    Appends schedule this after they commit; when several appends come
    together, the first task signs them all and the others find nothing
    new (unless FORCE, for `faced ledger checkpoint`).
    """
    with transaction.atomic():
        size = (
            LedgerHead.objects.filter(pk=1)
            .values_list("size", flat=True)
            .first()
            or 0
        )
        latest = Checkpoint.objects.order_by("-tree_size").first()
        if not force and latest is not None and latest.tree_size >= size:
            return None
        root = root_at(size)
        name, seed = log_signer()
        if latest is not None:
            _refuse_a_rewritten_history(latest, size, root, name)
        note = sign_note(format_checkpoint(name, size, root), name, seed)
        return Checkpoint.objects.create(
            tree_size=size, root_hash=root, note=note
        )
