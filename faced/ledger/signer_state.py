"""What the checkpoint signer last signed, remembered outside the database.

Someone who can write the database can delete the last entries and the
checkpoints after them, and fix the head and the stored hashes so that the
database alone looks whole. The signer then has nothing in the database to
compare with; so it keeps, in a file beside the log key
(FACED_LEDGER_SIGNER_STATE_FILE), the last checkpoint it signed, and signs
nothing that does not extend it.

The file holds that checkpoint (a signed note) and a MAC over it: BLAKE2b
keyed with the log key's seed, personalized for this use. The MAC, not
the checkpoint's own signature, is what makes the file trusted: every
checkpoint faced ever signed is public, so a signature alone would let
anyone put back an older one and with it the shortening it allows.
Editing the file is detected; a copy of an earlier state file (from a
backup) is not, which is why it is kept as carefully as the key.
"""

import base64
import binascii
import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from nacl.signing import SigningKey

from faced.ledger.note import (
    CheckpointError,
    NoteError,
    open_note,
    parse_checkpoint,
)
from faced.ledger.watch import write_atomically

STATE_FORMAT = "faced-signer-state/1"
# BLAKE2b's personalization (16 bytes at most) keeps the MAC key's use
# apart from the Ed25519 signatures the same seed makes.
_MAC_PERSON = b"faced-signer-mac"


class SignerStateDamaged(ValueError):
    """The state file is there but does not check with the log key."""


class SignerLockFailed(RuntimeError):
    """The signer's lock file cannot be opened or locked."""


@dataclass(frozen=True)
class SignerState:
    """The last checkpoint the signer signed and remembered."""

    tree_size: int
    root_hash: bytes
    note: str


def signer_state_path() -> Path:
    return Path(settings.LEDGER_SIGNER_STATE_FILE)


def _mac(note: str, seed: bytes) -> bytes:
    message = f"{STATE_FORMAT}\n{note}".encode()
    return hashlib.blake2b(
        message, key=seed, person=_MAC_PERSON, digest_size=32
    ).digest()


def signer_state_read(*, name: str, seed: bytes) -> SignerState | None:
    """The state the signer last wrote, checked with the log key; None
    when there is no state file. Raises SignerStateDamaged when the file
    cannot be read, was edited, or was written under another key."""
    path = signer_state_path()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise SignerStateDamaged(f"it cannot be read: {error}") from None
    try:
        stored = json.loads(raw)
    except ValueError:
        raise SignerStateDamaged("it is not the JSON faced writes") from None
    if not isinstance(stored, dict) or stored.get("format") != STATE_FORMAT:
        raise SignerStateDamaged(f"it is not a {STATE_FORMAT} file")
    note, mac = stored.get("checkpoint"), stored.get("mac")
    if not isinstance(note, str) or not isinstance(mac, str):
        raise SignerStateDamaged("its checkpoint or MAC is missing")
    try:
        given = base64.b64decode(mac, validate=True)
    except binascii.Error:
        given = b""
    if not hmac.compare_digest(given, _mac(note, seed)):
        raise SignerStateDamaged(
            "its MAC does not check with the log key: the file was edited, "
            "or written under another key"
        )
    try:
        checkpoint = parse_checkpoint(
            open_note(note, {name: bytes(SigningKey(seed).verify_key)})
        )
    except (NoteError, CheckpointError) as error:
        raise SignerStateDamaged(
            f"its checkpoint does not hold: {error}"
        ) from None
    if checkpoint.origin != name:
        raise SignerStateDamaged(
            f"its checkpoint is of the log {checkpoint.origin!r}, not {name!r}"
        )
    return SignerState(checkpoint.tree_size, checkpoint.root_hash, note)


def signer_state_write(*, note: str, seed: bytes) -> None:
    """Remember NOTE, a checkpoint just signed, in one step: a crash or a
    full disk leaves the old state or the new one, never half of either
    (a temporary file, flushed to disk, then renamed over the old one;
    the folder is flushed too, so that the rename itself survives)."""
    path = signer_state_path()
    text = (
        json.dumps(
            {
                "format": STATE_FORMAT,
                "checkpoint": note,
                "mac": base64.b64encode(_mac(note, seed)).decode("ascii"),
            },
            indent=2,
        )
        + "\n"
    )
    # Readable by faced's user only, as the log key file is.
    write_atomically(path, text)
    _flush_folder(path.parent)


def _flush_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def signer_state_set_aside() -> Path | None:
    """Move the state file aside, for a re-anchoring: it is kept, not
    deleted, since it may be the only evidence of what was signed before.
    Returns where it went, or None if there was none."""
    path = signer_state_path()
    if not path.exists():
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.replaced-{stamp}")
    os.replace(path, aside)
    _flush_folder(path.parent)
    return aside


@contextlib.contextmanager
def signer_state_lock() -> Iterator[None]:
    """Hold the signer's lock: one signer at a time reads the state,
    checks the log against it, signs and writes the state.

    Without it, two worker processes could both check against the same
    state and then write their states in either order, so that the file
    would end up remembering the smaller checkpoint. The lock is a file of
    its own beside the state (the state is replaced by a rename, so a lock
    on the state file itself would lock a file no longer there). flock
    locks are per open file, so threads of one process exclude one
    another too; the lock goes with the process if it dies.
    """
    path = signer_state_path()
    lock = path.with_name(f"{path.name}.lock")
    try:
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise SignerLockFailed(f"{lock}: {error.strerror or error}") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError as error:
            raise SignerLockFailed(
                f"{lock}: {error.strerror or error}"
            ) from None
        yield
    finally:
        os.close(descriptor)
