"""Writes to the ledger: appending events and signing checkpoints."""

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from faced.crypto.signing import canonical_json
from faced.ledger import merkle
from faced.ledger.log_key import log_signer
from faced.ledger.models import Checkpoint, LedgerEntry, LedgerHead, LedgerNode
from faced.ledger.note import format_checkpoint, sign_note
from faced.ledger.selectors import root_at, subtree_hashes

EVENT_TYPE_LENGTH = 60


def timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def leaf_data_for(
    *, sequence: int, moment: dt.datetime, event_type: str, payload: Mapping
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


def subject_of(payload: Mapping) -> str:
    """The indexed subject of an event: its "case" field, if any."""
    subject = payload.get("case", "")
    return subject if isinstance(subject, str) else ""


def _lock_head() -> LedgerHead:
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        LedgerHead.objects.get_or_create(pk=1)
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


def ledger_append(*, event_type: str, payload: Mapping) -> LedgerEntry:
    """Append an event inside the caller's transaction.

    The event and the caller's change commit together or not at all. The
    head row is locked first, so that concurrent appenders queue: none can
    fork the tree, skip or reuse a sequence number (on SQLite the
    immediate transaction holds the write lock already).
    """
    if not event_type or len(event_type) > EVENT_TYPE_LENGTH:
        raise ValueError("An event type is 1 to 60 characters.")
    with transaction.atomic():
        head = _lock_head()
        sequence = head.size
        moment = timezone.now()
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
            subject=subject_of(payload),
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
        note = sign_note(format_checkpoint(name, size, root), name, seed)
        return Checkpoint.objects.create(
            tree_size=size, root_hash=root, note=note
        )
