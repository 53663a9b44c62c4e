"""Proof bundles: show, on any computer, that a record existed back then,
or that an entry of the ledger was written when it says.

When a survivor saves a record, each saved version puts a salted
commitment to its content into the ledger. The survivor can download a
proof bundle for a version and check it, or hand it to someone who needs
to be convinced (a lawyer, a committee, themselves years later):

    python -m faced.ledger.bundle proof.json --key 'example.org/ledger+...'
    faced ledger check-proof proof.json --key 'example.org/ledger+...'

A record's bundle is one JSON object:

    {
      "format": "faced-proof-bundle/1",
      "record": {...the record's fields as saved...},
      "commitment": {"salt": "<base64, 32 bytes>", "value": "<64 hex>"},
      "entry": {"sequence": 1284, "leaf_data": "<the entry's JSON text>"},
      "inclusion": {"tree_size": 1302, "proof": ["<base64 hash>", ...]},
      "checkpoint": "<the log's signed checkpoint note>",
      "log_key": "<the log's verifier key>"
    }

The checks, in order: the record and salt give the commitment value
(HMAC-SHA256 keyed with the salt, over the record's RFC 8785 canonical
JSON); the ledger entry is a record_saved event holding that commitment,
at the place the bundle says; the checkpoint is signed by the log key; and
the RFC 9162 inclusion proof leads from the entry to the checkpoint's
root. The first one that does not hold is named.

An entry's bundle proves one entry of the ledger, whatever its type (each
step of a survivor's case, say), with no record and no commitment:

    {
      "format": "faced-entry-proof/1",
      "entry": {"sequence": 1290, "leaf_data": "<the entry's JSON text>"},
      "inclusion": {"tree_size": 1302, "proof": ["<base64 hash>", ...]},
      "checkpoint": "<the log's signed checkpoint note>",
      "log_key": "<the log's verifier key>"
    }

Its checks: the entry is a ledger event (sequence, time, type, event) in
the canonical JSON the ledger writes, its own sequence is the place the
bundle says and its time is a real one; then the checkpoint and the
inclusion proof, as for a record. The entry's text is the proof's
subject: anyone can read in it when the event was written, its type and
what it says, and the inclusion proof shows that the log holds exactly
that text at that place.

What a bundle proves, and what it does not:

- The ledger holds only the commitment, never the record. The salt is 32
  random bytes so that no one reading the public ledger can confirm a
  guess about a short record ("reported: yes") by recomputing it. A
  bundle holds the record and its salt: whoever is given the bundle can
  read the record.
- An entry's bundle holds only what the public ledger already shows: no
  record and no words. It proves that the log holds the entry, with its
  time and type, and nothing beyond what the entry itself says.
- Without a trusted key, a bundle only shows that it holds together:
  anyone can make a log key and a bundle of their own. Checked with the
  key the organization published (--key), it shows that the
  organization's log holds the entry.
- The time is the server's clock, written into the entry; the signed
  checkpoint fixes it once the log has grown past the entry. Members who
  watch the log (faced.ledger.watch) are what stops a server from
  rewriting its history later to slip in a backdated entry.

Nothing here imports Django: a survivor's own computer runs this module,
with no settings, no database and no secret key.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeGuard

from faced.crypto.signing import canonical_json
from faced.ledger.merkle import leaf_hash, verify_inclusion
from faced.ledger.note import (
    CheckpointError,
    NoteError,
    key_id,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
)

__all__ = [
    "ENTRY_FORMAT",
    "EVENT_TYPE",
    "FORMAT",
    "SALT_BYTES",
    "BundleCheck",
    "BundleInvalid",
    "BundleNotJSON",
    "build_bundle",
    "build_entry_bundle",
    "check_bundle",
    "commit",
    "dumps_bundle",
    "main",
    "new_salt",
]

FORMAT = "faced-proof-bundle/1"
ENTRY_FORMAT = "faced-entry-proof/1"
EVENT_TYPE = "record_saved"
SALT_BYTES = 32
HASH_BYTES = 32
# Text taken from a bundle is quoted back to the reader; it is cut short
# and stripped of control characters so a crafted bundle cannot flood or
# rewrite the terminal.
MAX_QUOTED = 200

# Earlier or later versions of either format: named as such rather than
# as something that is no faced bundle at all.
_FORMAT_FAMILIES = ("faced-proof-bundle/", "faced-entry-proof/")
_COMMITMENT = re.compile(r"[0-9a-f]{64}")
# The one spelling the server writes (faced.ledger.services.timestamp).
# [0-9] rather than \d: \d would also accept digits of other scripts.
_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"
)
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Month names are spelled out here rather than by strftime("%B"), which
# follows the computer's locale: the message must read the same anywhere.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class BundleInvalid(ValueError):
    """The bundle does not prove what it claims; the message says why."""


class BundleNotJSON(BundleInvalid):
    """The bundle's text is not JSON at all: nothing could be checked."""


@dataclass(frozen=True)
class BundleCheck:
    """A bundle that holds: when its entry (a record's saving, or any
    other event) was written, of what type, and where."""

    written_at: dt.datetime
    sequence: int
    tree_size: int
    origin: str
    message: str
    log_key: str
    event_type: str = EVENT_TYPE


# Making bundles (the server's side).


def new_salt() -> bytes:
    """Return a fresh salt for a commitment: 32 random bytes."""
    return secrets.token_bytes(SALT_BYTES)


def commit(record: Mapping[str, object], salt: bytes) -> str:
    """The commitment to RECORD: HMAC-SHA256(salt, canonical JSON), hex.

    Raises ValueError when RECORD holds what JSON cannot (RFC 8785 refuses
    NaN, infinities and integers beyond 2**53) or the salt is not 32
    bytes.
    """
    if not isinstance(salt, bytes):
        raise TypeError("A salt must be bytes.")
    if len(salt) != SALT_BYTES:
        raise ValueError(
            f"A salt is {SALT_BYTES} bytes, not {len(salt)}: a shorter one "
            "would let a reader of the ledger guess short records."
        )
    message = canonical_json(dict(record))
    return hmac.new(salt, message, hashlib.sha256).hexdigest()


def build_bundle(
    *,
    record: Mapping[str, object],
    salt: bytes,
    sequence: int,
    leaf_data: str,
    tree_size: int,
    proof: Sequence[bytes],
    checkpoint_note: str,
    log_key: str,
) -> dict[str, object]:
    """Assemble the proof bundle of one saved version of a record.

    LEAF_DATA is the ledger entry's exact text, SEQUENCE its place; PROOF
    is its inclusion proof in the tree of TREE_SIZE entries that
    CHECKPOINT_NOTE signs with LOG_KEY. The bundle is checked, as JSON
    text, before it is returned: BundleInvalid here means the server is
    about to hand out a proof that would fail in the survivor's hands.
    """
    return _checked(
        {
            "format": FORMAT,
            "record": dict(record),
            "commitment": {
                "salt": _encode_base64(salt),
                "value": commit(record, salt),
            },
            **_entry_and_proof(
                sequence, leaf_data, tree_size, proof, checkpoint_note, log_key
            ),
        }
    )


def build_entry_bundle(
    *,
    sequence: int,
    leaf_data: str,
    tree_size: int,
    proof: Sequence[bytes],
    checkpoint_note: str,
    log_key: str,
) -> dict[str, object]:
    """Assemble the proof bundle of one ledger entry, of any type.

    The arguments are those of build_bundle without the record: LEAF_DATA
    is the entry's exact text, SEQUENCE its place, PROOF its inclusion
    proof in the tree of TREE_SIZE entries that CHECKPOINT_NOTE signs with
    LOG_KEY. Checked as JSON text before it is returned, as build_bundle
    does.
    """
    return _checked(
        {
            "format": ENTRY_FORMAT,
            **_entry_and_proof(
                sequence, leaf_data, tree_size, proof, checkpoint_note, log_key
            ),
        }
    )


def _entry_and_proof(
    sequence: int,
    leaf_data: str,
    tree_size: int,
    proof: Sequence[bytes],
    checkpoint_note: str,
    log_key: str,
) -> dict[str, object]:
    """The part both formats share: the entry, its inclusion proof, and
    the signed checkpoint and key the proof leads to."""
    return {
        "entry": {"sequence": sequence, "leaf_data": leaf_data},
        "inclusion": {
            "tree_size": tree_size,
            "proof": [_encode_base64(node) for node in proof],
        },
        "checkpoint": checkpoint_note,
        "log_key": log_key,
    }


def _checked(bundle: dict[str, object]) -> dict[str, object]:
    # Checked as the survivor will receive it, after a trip through JSON,
    # so that a value JSON would change (a tuple, a float key) is caught
    # here and not years later.
    check_bundle(dumps_bundle(bundle))
    return bundle


def dumps_bundle(bundle: Mapping[str, object]) -> str:
    """The bundle as the file a survivor downloads: indented JSON, keys
    sorted, ending in a newline. Non-ASCII text stays readable, so the
    file must be written as UTF-8."""
    text = json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False)
    return f"{text}\n"


# Checking bundles (anyone's side).


def check_bundle(
    bundle: Mapping[str, object] | str, *, trusted_key: str | None = None
) -> BundleCheck:
    """Check that BUNDLE proves its record, or its entry, is in the log;
    say when it was written.

    BUNDLE is the parsed JSON object or its text, in either format
    (FORMAT for a record, ENTRY_FORMAT for an entry). TRUSTED_KEY, if given,
    is the log's verifier key as the organization published it; the
    bundle must be signed by that key. Raises BundleInvalid, naming the
    first thing that does not hold (BundleNotJSON when the text is not
    JSON), and ValueError when TRUSTED_KEY is not a verifier key.
    """
    trusted = None if trusted_key is None else _trusted(trusted_key)
    document = _load_json(bundle) if isinstance(bundle, str) else bundle
    if not isinstance(document, Mapping):
        raise BundleInvalid("The bundle is not a JSON object.")
    # A record's bundle proves its commitment first; an entry's has none.
    of_record = _check_format(document) == FORMAT
    value = (
        _check_commitment(document, _object(document, "record"))
        if of_record
        else None
    )
    entry = _object(document, "entry")
    sequence = _count(entry, "sequence", "entry")
    leaf_text = _string(entry, "leaf_data", "entry")
    if value is not None:
        kind, written_at = EVENT_TYPE, _check_entry(leaf_text, sequence, value)
    else:
        kind, written_at = _check_event(leaf_text, sequence)
    origin, tree_size, root_hash, log_key = _check_checkpoint(
        document, trusted
    )
    _check_inclusion(document, leaf_text, sequence, tree_size, root_hash)
    if of_record:
        message = (
            f"ok: this record existed on {_date_in_words(written_at)} — "
            f"entry {sequence:,} of the ledger {_quoted(origin)}, included "
            f"in its checkpoint of {_entries(tree_size)}"
        )
    else:
        message = (
            f"ok: this entry ({_quoted(kind)}) was written on "
            f"{_date_in_words(written_at)} — entry {sequence:,} of the "
            f'ledger "{_quoted(origin)}", included in its checkpoint of '
            f"{_entries(tree_size)}"
        )
    return BundleCheck(
        written_at=written_at,
        sequence=sequence,
        tree_size=tree_size,
        origin=origin,
        message=message,
        log_key=log_key,
        event_type=kind,
    )


def _trusted(trusted_key: str) -> tuple[str, bytes]:
    try:
        return parse_verifier_key(trusted_key.strip())
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"The trusted key is not a verifier key: {error}"
        ) from None


def _load_json(text: str) -> object:
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as error:
        raise BundleNotJSON(
            f"The bundle is not JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno})."
        ) from None
    except (ValueError, RecursionError) as error:
        if isinstance(error, BundleInvalid):
            raise
        # Numbers of thousands of digits, or nesting deeper than Python
        # reads, are no bundle faced writes.
        raise BundleNotJSON(
            f"The bundle is not readable JSON: {error}"
        ) from None


def _refuse_duplicate_keys(
    pairs: list[tuple[str, object]],
) -> dict[str, object]:
    """A JSON object, refused if a key appears twice: readers disagree on
    which value counts, so one bundle could say two things."""
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise BundleInvalid(
                f"The bundle's JSON has the key {_quoted(key)!r} twice in "
                "one object: it could be read two ways."
            )
        seen[key] = value
    return seen


def _check_format(bundle: Mapping[str, object]) -> str:
    """The bundle's format, once it is one this checker reads."""
    if "format" not in bundle:
        raise BundleInvalid(
            "This is not a faced proof bundle: it has no 'format'."
        )
    found = bundle["format"]
    if found in (FORMAT, ENTRY_FORMAT):
        return str(found)
    if isinstance(found, str) and found.startswith(_FORMAT_FAMILIES):
        raise BundleInvalid(
            f"This bundle is in the format {_quoted(found)!r}, which this "
            f"checker does not read: it reads {FORMAT!r} and "
            f"{ENTRY_FORMAT!r} only (a newer faced may read it)."
        )
    raise BundleInvalid(
        f"This is not a faced proof bundle: its format is "
        f"{_quoted(repr(found))}, not {FORMAT!r} or {ENTRY_FORMAT!r}."
    )


def _check_commitment(
    bundle: Mapping[str, object], record: Mapping[str, object]
) -> str:
    """The commitment value, once the record and salt are shown to give
    it."""
    commitment = _object(bundle, "commitment")
    salt = _decode_base64(
        _string(commitment, "salt", "commitment"), "commitment.salt"
    )
    if len(salt) != SALT_BYTES:
        raise BundleInvalid(
            f"The bundle's commitment.salt is {len(salt)} bytes, not "
            f"{SALT_BYTES}."
        )
    value = _string(commitment, "value", "commitment")
    if not _COMMITMENT.fullmatch(value):
        raise BundleInvalid(
            "The bundle's commitment.value is not 64 lowercase hexadecimal "
            "digits."
        )
    try:
        recomputed = commit(record, salt)
    except (ValueError, RecursionError) as error:
        raise BundleInvalid(
            f"The record holds a value a commitment cannot cover ({error}); "
            "faced never saves one, so the record was changed after it was "
            "saved."
        ) from None
    if not hmac.compare_digest(recomputed, value):
        raise BundleInvalid(
            "The record was changed after it was saved: its fields and "
            "salt do not give the commitment the bundle holds."
        )
    return value


def _check_entry(leaf_text: str, sequence: int, value: str) -> dt.datetime:
    """When the entry was written, once it is shown to be the saving of
    this record at place SEQUENCE."""
    leaf = _read_leaf(leaf_text)
    kind = _field(leaf, "type", "the ledger entry")
    if kind != EVENT_TYPE:
        shown = _quoted(kind) if isinstance(kind, str) else _quoted(repr(kind))
        raise BundleInvalid(
            f"The ledger entry is a {shown!r} event, not the saving of a "
            "record."
        )
    event = _field(leaf, "event", "the ledger entry")
    committed = event.get("commitment") if isinstance(event, dict) else None
    if not isinstance(committed, str):
        raise BundleInvalid("The ledger entry's event holds no commitment.")
    if not hmac.compare_digest(committed.encode(), value.encode()):
        raise BundleInvalid(
            "The ledger entry commits to another record version, not to "
            f"this one: it holds {_quoted(committed)}, the record gives "
            f"{value}."
        )
    _check_place(leaf, sequence)
    return _written_at(_field(leaf, "time", "the ledger entry"))


def _check_event(leaf_text: str, sequence: int) -> tuple[str, dt.datetime]:
    """The entry's type and when it was written, once it is shown to be a
    ledger event, of any type, at place SEQUENCE."""
    leaf = _read_leaf(leaf_text)
    _check_place(leaf, sequence)
    kind = _field(leaf, "type", "the ledger entry")
    if not isinstance(kind, str) or not kind:
        raise BundleInvalid("The ledger entry's type is empty or not text.")
    if not isinstance(_field(leaf, "event", "the ledger entry"), dict):
        raise BundleInvalid("The ledger entry's event is not a JSON object.")
    return kind, _written_at(_field(leaf, "time", "the ledger entry"))


def _read_leaf(leaf_text: str) -> dict[str, object]:
    """The entry's fields, once its text is shown to be as the ledger
    writes it."""
    try:
        leaf = json.loads(leaf_text, object_pairs_hook=_refuse_duplicate_keys)
    except BundleInvalid:
        raise
    except (ValueError, RecursionError):
        raise BundleInvalid(
            "The ledger entry's leaf_data is not JSON."
        ) from None
    if not isinstance(leaf, dict):
        raise BundleInvalid("The ledger entry is not a JSON object.")
    try:
        canonical = canonical_json(leaf).decode("utf-8")
    except (ValueError, RecursionError):
        canonical = None
    # The ledger writes only canonical JSON; any other spelling of the
    # entry was made by hand, and would also hash to another leaf.
    if canonical != leaf_text:
        raise BundleInvalid(
            "The ledger entry's text is not the canonical JSON the ledger "
            "writes: it was edited."
        )
    return leaf


def _check_place(leaf: Mapping[str, object], sequence: int) -> None:
    place = _field(leaf, "sequence", "the ledger entry")
    if not _is_count(place):
        raise BundleInvalid(
            "The ledger entry's sequence is not a whole number."
        )
    if place != sequence:
        raise BundleInvalid(
            f"The ledger entry says it is entry {place:,}, but the bundle "
            f"places it at {sequence:,}."
        )


def _written_at(time: object) -> dt.datetime:
    if not isinstance(time, str) or not _TIME.fullmatch(time):
        raise BundleInvalid(
            "The ledger entry's time is not written as the ledger writes "
            "it (YYYY-MM-DDTHH:MM:SS.ffffffZ)."
        )
    try:
        moment = dt.datetime.strptime(time, _TIME_FORMAT)
    except ValueError:
        raise BundleInvalid(
            f"The ledger entry's time {time} is not a real date and time."
        ) from None
    return moment.replace(tzinfo=dt.UTC)


def _check_checkpoint(
    bundle: Mapping[str, object], trusted: tuple[str, bytes] | None
) -> tuple[str, int, bytes, str]:
    """The origin, size and root the log key signed, and the key."""
    note = _string(bundle, "checkpoint")
    log_key = _string(bundle, "log_key")
    try:
        name, public_key = parse_verifier_key(log_key)
    except ValueError as error:
        raise BundleInvalid(
            f"The bundle's log_key is not a verifier key: {error}"
        ) from None
    if trusted is not None and trusted != (name, public_key):
        trusted_name, trusted_public_key = trusted
        raise BundleInvalid(
            "This bundle is signed by a different log key than the one you "
            f"trust: it names {_quoted(name)}+"
            f"{key_id(name, public_key).hex()}, you trust {trusted_name}+"
            f"{key_id(trusted_name, trusted_public_key).hex()}."
        )
    identity = f"{_quoted(name)}+{key_id(name, public_key).hex()}"
    try:
        text = open_note(note, [(name, public_key)])
    except NoteError as error:
        raise BundleInvalid(
            f"The checkpoint is not signed by the bundle's log key "
            f"{identity}: {error}"
        ) from None
    try:
        checkpoint = parse_checkpoint(text)
    except CheckpointError as error:
        raise BundleInvalid(
            f"The signed checkpoint is malformed: {error}"
        ) from None
    # faced names its log key after the log (log_key_create), as the
    # checkpoint specification suggests: a key named for one log signing
    # another log's checkpoint is not how faced signs.
    if checkpoint.origin != name:
        raise BundleInvalid(
            f"The checkpoint is for the log {_quoted(checkpoint.origin)!r}, "
            f"but the log key is named {_quoted(name)!r}."
        )
    return (
        checkpoint.origin,
        checkpoint.tree_size,
        checkpoint.root_hash,
        log_key,
    )


def _check_inclusion(
    bundle: Mapping[str, object],
    leaf_text: str,
    sequence: int,
    tree_size: int,
    root_hash: bytes,
) -> None:
    inclusion = _object(bundle, "inclusion")
    proof_size = _count(inclusion, "tree_size", "inclusion")
    nodes = _field(inclusion, "proof", _where("inclusion"))
    if not isinstance(nodes, list):
        raise BundleInvalid("The bundle's inclusion.proof is not a list.")
    proof = []
    for number, node in enumerate(nodes, start=1):
        where = f"hash {number} of inclusion.proof"
        if not isinstance(node, str):
            raise BundleInvalid(f"The bundle's {where} is not a string.")
        decoded = _decode_base64(node, where)
        if len(decoded) != HASH_BYTES:
            raise BundleInvalid(
                f"The bundle's {where} is {len(decoded)} bytes, not "
                f"{HASH_BYTES}."
            )
        proof.append(decoded)
    if proof_size != tree_size:
        raise BundleInvalid(
            f"The inclusion proof is for a ledger of {_entries(proof_size)}, "
            f"but the checkpoint signs a ledger of {_entries(tree_size)}."
        )
    if sequence >= tree_size:
        raise BundleInvalid(
            f"Entry {sequence:,} is not in the checkpoint, which covers "
            f"only the first {_entries(tree_size)}: it was signed before "
            "the entry was written."
        )
    if not verify_inclusion(
        leaf_hash(leaf_text.encode("utf-8")),
        sequence,
        tree_size,
        proof,
        root_hash,
    ):
        raise BundleInvalid(
            f"The ledger entry is not in the signed checkpoint: its "
            f"inclusion proof does not lead from entry {sequence:,} to the "
            f"root of the ledger of {_entries(tree_size)}. The entry, its "
            "place or the proof was altered."
        )


# Reading fields with a plain-language error for anything missing or of
# the wrong type: a bundle comes from elsewhere, and a traceback tells a
# survivor nothing.


def _field(mapping: Mapping[str, object], key: str, where: str) -> object:
    if key not in mapping:
        raise BundleInvalid(f"{where[0].upper()}{where[1:]} has no {key!r}.")
    return mapping[key]


def _object(
    mapping: Mapping[str, object], key: str, parent: str | None = None
) -> dict[str, object]:
    name = key if parent is None else f"{parent}.{key}"
    found = _field(mapping, key, _where(parent))
    if not isinstance(found, dict):
        raise BundleInvalid(f"The bundle's {name} is not a JSON object.")
    return found


def _string(
    mapping: Mapping[str, object], key: str, parent: str | None = None
) -> str:
    name = key if parent is None else f"{parent}.{key}"
    found = _field(mapping, key, _where(parent))
    if not isinstance(found, str):
        raise BundleInvalid(f"The bundle's {name} is not a string.")
    return found


def _count(mapping: Mapping[str, object], key: str, parent: str) -> int:
    found = _field(mapping, key, _where(parent))
    if not _is_count(found):
        raise BundleInvalid(
            f"The bundle's {parent}.{key} is not a whole number of 0 or more."
        )
    return found


def _where(parent: str | None) -> str:
    return "the bundle" if parent is None else f"the bundle's {parent}"


def _is_count(value: object) -> TypeGuard[int]:
    # bool is an int to Python, but true is not a place in a log.
    return (
        isinstance(value, int) and not isinstance(value, bool) and value >= 0
    )


def _encode_base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _decode_base64(text: str, where: str) -> bytes:
    """Standard base64 in its one canonical spelling, as the server
    writes it."""
    try:
        value = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise BundleInvalid(f"The bundle's {where} is not base64.") from None
    if _encode_base64(value) != text:
        raise BundleInvalid(f"The bundle's {where} is not canonical base64.")
    return value


# Words.


def _date_in_words(moment: dt.datetime) -> str:
    return (
        f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year} at "
        f"{moment:%H:%M} UTC"
    )


def _entries(count: int) -> str:
    return f"{count:,} entry" if count == 1 else f"{count:,} entries"


def _quoted(text: str) -> str:
    shown = "".join(
        character if character.isprintable() else "?"
        for character in text[:MAX_QUOTED]
    )
    return shown + ("..." if len(text) > MAX_QUOTED else "")


# The command line.


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faced ledger check-proof",
        description=(
            "Check a faced proof bundle on your own computer: that the "
            "record in it is the one saved, and that the ledger's signed "
            "checkpoint includes its saving; or, for the proof of a "
            "ledger entry, that the checkpoint includes that entry. Also "
            "runs as `python -m faced.ledger.bundle`."
        ),
        epilog=(
            "Exit status: 0 when the bundle holds; 1 when it does not; 2 "
            "when it could not be checked (unreadable file, not JSON, a "
            "--key that is not a verifier key)."
        ),
    )
    parser.add_argument("bundle", type=Path, help="the proof bundle file")
    parser.add_argument(
        "--key",
        metavar="TRUSTED_VERIFIER_KEY",
        help=(
            "the log's verifier key as your organization published it "
            "(on paper, at a meeting, ...): without it, the bundle is "
            "only checked against the key it carries itself"
        ),
    )
    return parser


def _say(text: str, stream: TextIO) -> None:
    """Print TEXT even where the terminal cannot show every character
    (the em dash, a record's own language)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    with contextlib.suppress(LookupError):
        text = text.encode(encoding, "replace").decode(encoding)
    print(text, file=stream)


def main(argv: list[str] | None = None) -> int:
    """Check a bundle file from the command line; return the exit status."""
    arguments = _parser().parse_args(argv)
    path: Path = arguments.bundle
    if arguments.key is not None:
        try:
            _trusted(arguments.key)
        except ValueError as error:
            _say(f"Could not check the bundle: --key: {error}", sys.stderr)
            return 2
    try:
        # utf-8-sig: some editors add a byte-order mark when saving.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        _say(
            f"Could not check {path}: it is not UTF-8 text, so it is no "
            "proof bundle.",
            sys.stderr,
        )
        return 2
    except OSError as error:
        _say(f"Could not read {path}: {error.strerror or error}.", sys.stderr)
        return 2
    try:
        result = check_bundle(text, trusted_key=arguments.key)
    except BundleNotJSON as error:
        _say(f"Could not check {path}: {error}", sys.stderr)
        return 2
    except BundleInvalid as problem:
        _say(f"NOT OK: {problem}", sys.stderr)
        return 1
    _say(result.message, sys.stdout)
    if arguments.key is None:
        _say(
            f"Signed by the log key {result.log_key}. Compare it with the "
            "key your organization published, or check again with --key: "
            "anyone can sign a bundle with a key of their own.",
            sys.stdout,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
