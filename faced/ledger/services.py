"""Writes to the ledger: appending events and signing checkpoints."""

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from faced.crypto.signing import canonical_json
from faced.ledger import merkle
from faced.ledger.acts import (
    SERVER,
    SIGNATURE,
    SIGNER,
    act_sign,
    act_statement,
)
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
from faced.ledger.signer_state import (
    SignerLockFailed,
    SignerState,
    SignerStateDamaged,
    signer_state_lock,
    signer_state_path,
    signer_state_read,
    signer_state_set_aside,
    signer_state_write,
)

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


def _previous_about(subject: str) -> tuple[int, bytes] | None:
    """The sequence and leaf hash of the latest entry about SUBJECT."""
    found = (
        LedgerEntry.objects.filter(subject=subject)
        .order_by("-sequence")
        .values_list("sequence", "leaf_hash")
        .first()
    )
    return None if found is None else (found[0], bytes(found[1]))


@dataclass(frozen=True)
class ActSigner:
    """Who signs an act (acts.py: "person/<id>", "survivor" or "server")
    and the Ed25519 seed they sign with, unlocked for this one request."""

    name: str
    seed: bytes = field(repr=False)


def server_signer() -> ActSigner:
    """The log key, for what only the server can state."""
    _origin, seed = log_signer()
    return ActSigner(SERVER, seed)


def _lock_head() -> LedgerHead:
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        LedgerHead.objects.get_or_create(pk=1)
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


def ledger_append(
    *,
    event_type: str,
    payload: Mapping[str, object],
    signer: ActSigner | None = None,
) -> LedgerEntry:
    """Append an event inside the caller's transaction, signed by SIGNER
    when it records somebody's act (see acts.py).

    The event and the caller's change commit together or not at all. The
    head row is locked first, so that concurrent appenders queue: none can
    fork the tree, skip or reuse a sequence number (on SQLite the
    immediate transaction holds the write lock already). The signature is
    made under that lock, over the entry the act follows.
    """
    if not event_type or len(event_type) > EVENT_TYPE_LENGTH:
        raise ValueError("An event type is 1 to 60 characters.")
    subject = subject_of(event_type, payload)
    with transaction.atomic():
        head = _lock_head()
        sequence = head.size
        moment = timezone.now()
        previous = _previous_about(subject) if subject else None
        if subject:
            # Each entry about a subject names the one before it, so that
            # a subject's history (a case's timeline) shows a gap where an
            # entry was hidden or removed, without reading the whole log.
            payload = {
                **payload,
                "previous": None if previous is None else previous[0],
            }
        if signer is not None:
            payload = {**payload, SIGNER: signer.name}
            statement = act_statement(
                origin=log_signer()[0],
                event_type=event_type,
                event=payload,
                follows=None if previous is None else previous[1],
            )
            payload = {**payload, SIGNATURE: act_sign(signer.seed, statement)}
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


class CheckpointRefused(RuntimeError):
    """The signer signed nothing: the log, or the signer's own memory of
    what it signed, does not hold. The message says what and what to
    run."""


class HistoryRewritten(CheckpointRefused):
    """The stored tree no longer extends what was signed before."""


class SignerStateUnusable(CheckpointRefused):
    """The signer's memory of what it signed is missing, edited or cannot
    be written."""


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


def _entries(count: int) -> str:
    return f"{count:,} entr{'y' if count == 1 else 'ies'}"


def _refuse_what_does_not_extend(
    remembered: SignerState, size: int, root: bytes
) -> None:
    """Sign nothing that does not extend the last checkpoint this signer
    signed, as it remembers it outside the database: the database's own
    checkpoints can be deleted with the entries they cover."""
    signed = remembered.tree_size
    where = signer_state_path()
    advice = (
        "Nothing was signed. `faced ledger verify` names what does not "
        "hold; restore the database from a backup that holds all "
        f'{_entries(signed)}, or see "When the signer refuses" in '
        "docs/operators.md."
    )
    if size < signed:
        raise HistoryRewritten(
            f"the log has {_entries(size)}, but this server already signed "
            f"a checkpoint of {_entries(signed)} (remembered in {where}): "
            "entries were deleted from the database, with the checkpoints "
            f"that covered them. {advice}"
        )
    try:
        proof = consistency_proof(signed, size) if 0 < signed < size else []
    except LookupError as error:
        raise HistoryRewritten(
            f"the log of {_entries(size)} cannot be checked against the "
            f"checkpoint of {_entries(signed)} this server signed ({error}). "
            f"{advice}"
        ) from None
    if not merkle.verify_consistency(
        signed, size, remembered.root_hash, root, proof
    ):
        change = (
            "has the same number of entries but not the same ones"
            if size == signed
            else "does not extend it"
        )
        raise HistoryRewritten(
            f"this server signed a checkpoint of {_entries(signed)} "
            f"(remembered in {where}), and the log of {_entries(size)} "
            f"{change}: entries already signed were rewritten in the "
            f"database. {advice}"
        )


def _remembered(name: str, seed: bytes) -> SignerState | None:
    try:
        return signer_state_read(name=name, seed=seed)
    except SignerStateDamaged as damage:
        raise SignerStateUnusable(
            f"the signer's memory of the last checkpoint it signed "
            f"({signer_state_path()}) does not hold: {damage}. Nothing was "
            "signed. Restore the file from the backup kept with the log "
            "key, or, if there is none, run `faced ledger reanchor` (see "
            "docs/operators.md)."
        ) from None


def _write_state(note: str, seed: bytes) -> None:
    """Remember NOTE before it is stored: a checkpoint someone may see is
    always one the signer remembers."""
    try:
        signer_state_write(note=note, seed=seed)
    except OSError as error:
        raise SignerStateUnusable(
            f"the signer cannot write its memory of what it signed "
            f"({signer_state_path()}): {error.strerror or error}. Nothing "
            "was signed. faced's user must be able to write that folder; "
            "set FACED_LEDGER_SIGNER_STATE_FILE to a file it may write (see "
            "docs/configuration.md)."
        ) from None


@contextlib.contextmanager
def _signing() -> Iterator[None]:
    """The signer's transaction and lock, in that order everywhere.

    Durable: a checkpoint is signed, and remembered, only over entries
    already committed, never inside a caller's transaction that could
    still roll them back and leave the memory ahead of the log. On SQLite
    the transaction takes the write lock first; the file lock then keeps
    signers of other databases' connections (PostgreSQL) from
    interleaving. Taking them in one order means no two signers wait on
    each other in a circle."""
    try:
        with transaction.atomic(durable=True), signer_state_lock():
            yield
    except SignerLockFailed as error:
        raise SignerStateUnusable(
            f"the signer cannot take its lock ({error}). Nothing was "
            "signed. faced's user must be able to write the folder of "
            "FACED_LEDGER_SIGNER_STATE_FILE (see docs/configuration.md)."
        ) from None


def _log_now() -> tuple[int, Checkpoint | None, bytes]:
    """The log's size, latest stored checkpoint and root, read once the
    lock is held: a size read before it could be older than what another
    signer has just signed, and would look like a shortened log."""
    size = (
        LedgerHead.objects.filter(pk=1).values_list("size", flat=True).first()
        or 0
    )
    latest = Checkpoint.objects.order_by("-tree_size").first()
    return size, latest, root_at(size)


def _sign_and_store(
    size: int, root: bytes, name: str, seed: bytes
) -> Checkpoint:
    note = sign_note(format_checkpoint(name, size, root), name, seed)
    _write_state(note, seed)
    return Checkpoint.objects.create(tree_size=size, root_hash=root, note=note)


def checkpoint_sign(*, force: bool = False) -> Checkpoint | None:
    """Sign a checkpoint of the log as it is now.

    Appends schedule this after they commit; when several appends come
    together, the first task signs them all and the others find nothing
    new (unless FORCE, for `faced ledger checkpoint`).

    Raises CheckpointRefused, signing nothing, when the log does not
    extend the last checkpoint this signer remembers signing (smaller, or
    not an extension by a consistency proof), when that memory is edited,
    or missing while the database holds checkpoints, and when the log does
    not extend the database's latest checkpoint (the second line).
    """
    name, seed = log_signer()
    with _signing():
        size, latest, root = _log_now()
        remembered = _remembered(name, seed)
        if remembered is None and latest is not None:
            raise SignerStateUnusable(
                f"the signer's memory of the last checkpoint it signed "
                f"({signer_state_path()}) is missing, but the database "
                f"holds checkpoints of up to {_entries(latest.tree_size)}. "
                "Nothing was signed: without that memory, a log shortened "
                "in the database would be signed again. Restore the file "
                "from the backup kept with the log key; if it is lost, "
                "`faced ledger reanchor` starts again from the database's "
                "latest checkpoint (see docs/operators.md)."
            )
        if remembered is not None:
            _refuse_what_does_not_extend(remembered, size, root)
        if not force and latest is not None and latest.tree_size >= size:
            return None
        if latest is not None:
            _refuse_a_rewritten_history(latest, size, root, name)
        return _sign_and_store(size, root, name, seed)


@dataclass(frozen=True)
class Reanchored:
    """What `checkpoint_reanchor` did."""

    checkpoint: Checkpoint
    # The size the signer's memory held before, or None when the memory
    # was missing or did not hold.
    remembered_size: int | None
    # Where the previous state file was moved, kept as evidence; None
    # when there was none, or it was intact and the log extends it.
    set_aside: Path | None


def checkpoint_reanchor(*, accept_rollback: bool = False) -> Reanchored:
    """Start the signer's memory again from the log as it is, and sign it.

    For an operator who lost the state file, or whose state file was
    damaged, or who restored a database older than what was signed
    (ACCEPT_ROLLBACK). The log must still extend the database's latest
    checkpoint, whose signature must check with the log key (the second
    line); with no checkpoint at all, the log is taken as it is. The
    previous state file, if any, is moved aside, not deleted.
    """
    name, seed = log_signer()
    with _signing():
        size, latest, root = _log_now()
        try:
            remembered = signer_state_read(name=name, seed=seed)
        except SignerStateDamaged:
            remembered = None
        intact = remembered is not None
        if remembered is not None:
            try:
                _refuse_what_does_not_extend(remembered, size, root)
            except HistoryRewritten as refused:
                if not accept_rollback:
                    raise HistoryRewritten(
                        f"{refused} The signer's memory is intact: "
                        "re-anchoring would sign a log that does not extend "
                        "a checkpoint already signed, and members' watchers "
                        "will rightly report it. Only if those entries are "
                        "truly lost, tell the members, then run `faced "
                        "ledger reanchor --accept-rollback`."
                    ) from None
                intact = False
        if latest is not None:
            _refuse_a_rewritten_history(latest, size, root, name)
        aside = None
        if not intact:
            # A memory that is damaged, or that the log no longer
            # extends, is kept as evidence of what was signed before.
            try:
                aside = signer_state_set_aside()
            except OSError as error:
                raise SignerStateUnusable(
                    f"the signer cannot move its memory "
                    f"({signer_state_path()}) aside: "
                    f"{error.strerror or error}. Nothing was signed."
                ) from None
        checkpoint = _sign_and_store(size, root, name, seed)
    return Reanchored(
        checkpoint,
        remembered.tree_size if remembered is not None else None,
        aside,
    )
