"""Signed notes and log checkpoints (C2SP signed-note, tlog-checkpoint).

A signed note is a text followed by a blank line and one or more
signature lines, each "— <key name> base64(key ID || signature)". The
ledger signs its checkpoints this way, so that anyone can check them with
the verifier key the deployment publishes, using faced's own tools or any
other implementation of the format (Go's golang.org/x/mod/sumdb/note,
transparency-dev's formats, ...).

Only Ed25519 keys (signature type 0x01) are supported: supporting several
signature types at once is what the specification asks implementations
to avoid, and Ed25519 is the one every implementation reads.

Specifications: https://c2sp.org/signed-note and
https://c2sp.org/tlog-checkpoint. The key encodings are those of Go's
sumdb/note package, which the specification's examples use.

Nothing here imports Django: a member's own computer runs this module
(through faced.ledger.watch) to check the server.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import nacl.exceptions
import nacl.signing

ED25519_TYPE = 0x01
PUBLIC_KEY_BYTES = 32
SEED_BYTES = 32
SIGNATURE_BYTES = 64
KEY_ID_BYTES = 4
HASH_BYTES = 32
# The specification asks verifiers to accept at least 16 signatures and to
# cap them somewhere; 100 is Go's cap, so that a note with many witness
# cosignatures opens here wherever it opens in Go.
MAX_SIGNATURES = 100
# Tree sizes are uint64 in RFC 9162 and in every other implementation.
MAX_TREE_SIZE = 2**64 - 1

SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space
SIGNER_KEY_PREFIX = "PRIVATE+KEY+"

_TREE_SIZE = re.compile(r"0|[1-9][0-9]*")
_KEY_ID_HEX = re.compile(r"[0-9a-fA-F]{8}")


class NoteError(ValueError):
    """A signed note is malformed or its signatures do not verify."""


class CheckpointError(ValueError):
    """A note's text is not a well-formed checkpoint."""


@dataclass(frozen=True)
class Checkpoint:
    """A log's signed statement of its size and root hash."""

    origin: str
    tree_size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()


# Names and keys.


def _control_character(text: str, *, allow_newline: bool) -> str | None:
    """The first ASCII control character of TEXT that is not allowed."""
    for character in text:
        if character < " " and not (allow_newline and character == "\n"):
            return character
    return None


def _require_utf8(text: str, what: str, error: type[ValueError]) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Only lone surrogates get here: a str holding one cannot be
        # written as UTF-8, which the format requires.
        raise error(f"{what} is not valid UTF-8.") from None


def check_name(name: str) -> None:
    """Raise ValueError unless NAME may name a key.

    The specification asks for a non-empty name with no Unicode space and
    no plus sign (the plus separates the parts of an encoded key). Control
    characters are refused as well, since no note may contain one.
    """
    if not isinstance(name, str):
        raise TypeError("A key name must be a str.")
    if not name:
        raise ValueError("A key name must not be empty.")
    _require_utf8(name, f"The key name {name!r}", ValueError)
    if "+" in name:
        raise ValueError(
            f"The key name {name!r} contains a plus sign, which separates "
            "the parts of an encoded key."
        )
    if any(character.isspace() for character in name):
        raise ValueError(f"The key name {name!r} contains a space.")
    if _control_character(name, allow_newline=False) is not None:
        raise ValueError(
            f"The key name {name!r} contains a control character."
        )


def _require_bytes(value: bytes, length: int, what: str) -> None:
    if not isinstance(value, bytes):
        raise TypeError(f"The {what} must be bytes.")
    if len(value) != length:
        raise ValueError(
            f"The {what} must be {length} bytes long, not {len(value)}."
        )


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte ID of an Ed25519 key named NAME.

    SHA-256(name || "\\n" || 0x01 || public key)[:4], as the specification
    recommends: the ID binds the name and the signature type as well as
    the key, so the same key under another name is another signer.
    """
    check_name(name)
    _require_bytes(public_key, PUBLIC_KEY_BYTES, "Ed25519 public key")
    digest = hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([ED25519_TYPE]) + public_key
    ).digest()
    return digest[:KEY_ID_BYTES]


def _encode_base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _decode_base64(text: str) -> bytes:
    """Decode standard base64, refusing any other spelling of the bytes.

    Accepting only the canonical spelling means one value has one text,
    so no one can re-spell a signature or hash into a "different" line.
    """
    try:
        value = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise ValueError("not valid base64") from None
    if _encode_base64(value) != text:
        raise ValueError("not canonical base64")
    return value


def _public_key_for(seed: bytes) -> bytes:
    return bytes(nacl.signing.SigningKey(seed).verify_key)


def verifier_key(name: str, public_key: bytes) -> str:
    """Encode a verifier key: "name+keyid+base64(0x01 || public key)".

    This is the text the deployment publishes and members keep: with it,
    anyone can check the log's checkpoints.
    """
    identifier = key_id(name, public_key)
    encoded = _encode_base64(bytes([ED25519_TYPE]) + public_key)
    return f"{name}+{identifier.hex()}+{encoded}"


def _split_key(
    text: str, what: str, *, secret: bool
) -> tuple[str, bytes, bytes]:
    """Split "name+keyid+base64" into the name, key ID and typed key.

    When the text is SECRET, errors do not quote any part of it: a
    mistyped signer key may put part of the seed where the name or the
    key ID belongs.
    """
    # Split at the first two plus signs only: base64 may contain more.
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise ValueError(
            f"A {what} has three parts, name+keyid+key, joined by '+'."
        )
    name, identifier_hex, encoded = parts
    try:
        check_name(name)
    except ValueError as error:
        reason = "" if secret else f": {error}"
        raise ValueError(f"The {what}'s name is not valid{reason}") from None
    if not _KEY_ID_HEX.fullmatch(identifier_hex):
        shown = "" if secret else f", not {identifier_hex[:20]!r}"
        raise ValueError(
            f"The {what}'s key ID must be 8 hexadecimal digits{shown}."
        )
    try:
        typed_key = _decode_base64(encoded)
    except ValueError as error:
        raise ValueError(f"The {what}'s key part is {error}.") from None
    if not typed_key or typed_key[0] != ED25519_TYPE:
        raise ValueError(
            f"The {what} is not an Ed25519 key (type byte 0x01); no other "
            "type is supported."
        )
    if len(typed_key) != 1 + PUBLIC_KEY_BYTES:
        raise ValueError(
            f"The {what}'s Ed25519 key must be {PUBLIC_KEY_BYTES} bytes, "
            f"not {len(typed_key) - 1}."
        )
    return name, bytes.fromhex(identifier_hex), typed_key[1:]


def parse_verifier_key(text: str) -> tuple[str, bytes]:
    """Decode a verifier key into (name, Ed25519 public key).

    Raises ValueError, naming the problem, if the text is not a verifier
    key or its key ID does not match its name and key: a mismatch means
    the text was mistyped or altered.
    """
    if not isinstance(text, str):
        raise TypeError("A verifier key must be a str.")
    if text.startswith(SIGNER_KEY_PREFIX):
        raise ValueError(
            "This is a signer key, which is secret; give the verifier key "
            "(name+keyid+key) instead."
        )
    name, identifier, public_key = _split_key(
        text, "verifier key", secret=False
    )
    if identifier != key_id(name, public_key):
        raise ValueError(
            f"The verifier key's ID {identifier.hex()} does not match its "
            f"name and key (which give {key_id(name, public_key).hex()}): "
            "the key was mistyped or altered."
        )
    return name, public_key


def signer_key(name: str, seed: bytes) -> str:
    """Encode a signer key: "PRIVATE+KEY+name+keyid+base64(0x01 || seed)".

    The key ID is that of the public key, as in Go's sumdb/note, so the
    signer and verifier keys of one pair carry the same ID. The leading
    "PRIVATE+KEY" marks the text as secret wherever it is pasted.
    """
    _require_bytes(seed, SEED_BYTES, "Ed25519 seed")
    identifier = key_id(name, _public_key_for(seed))
    encoded = _encode_base64(bytes([ED25519_TYPE]) + seed)
    return f"{SIGNER_KEY_PREFIX}{name}+{identifier.hex()}+{encoded}"


def parse_signer_key(text: str) -> tuple[str, bytes]:
    """Decode a signer key into (name, 32-byte Ed25519 seed).

    Error messages never repeat the key's text: it is a secret.
    """
    if not isinstance(text, str):
        raise TypeError("A signer key must be a str.")
    if not text.startswith(SIGNER_KEY_PREFIX):
        raise ValueError(
            f"A signer key begins with {SIGNER_KEY_PREFIX!r}; this text "
            "does not."
        )
    name, identifier, seed = _split_key(
        text.removeprefix(SIGNER_KEY_PREFIX), "signer key", secret=True
    )
    if identifier != key_id(name, _public_key_for(seed)):
        raise ValueError(
            "The signer key's ID does not match its name and key: the key "
            "was mistyped or altered."
        )
    return name, seed


def generate_signer_key(name: str) -> str:
    """Return a new, random signer key named NAME."""
    check_name(name)
    return signer_key(name, bytes(nacl.signing.SigningKey.generate()))


# Notes.


def _check_note_text(text: str) -> None:
    if not isinstance(text, str):
        raise TypeError("A note's text must be a str.")
    if not text.endswith("\n"):
        raise NoteError("A note's text must end with a newline.")
    if text.endswith("\n\n") or text == "\n":
        # The last blank line of a note separates the text from its
        # signatures. Opening such a note would still find the right
        # split, but a text ending in a blank line is nearly always a
        # text that carries a separator or a signature block already.
        raise NoteError("A note's text must not end with a blank line.")
    _require_utf8(text, "The note's text", NoteError)
    character = _control_character(text, allow_newline=True)
    if character is not None:
        raise NoteError(
            f"A note's text must not contain the control character "
            f"{character!r}."
        )


def sign_note(text: str, name: str, seed: bytes) -> str:
    """Sign TEXT with the Ed25519 key SEED named NAME; return the note.

    The signature covers the UTF-8 bytes of TEXT, final newline included.
    Ed25519 is deterministic: the same text and key give the same note.
    """
    _check_note_text(text)
    check_name(name)
    _require_bytes(seed, SEED_BYTES, "Ed25519 seed")
    signing_key = nacl.signing.SigningKey(seed)
    identifier = key_id(name, bytes(signing_key.verify_key))
    signature = signing_key.sign(text.encode("utf-8")).signature
    line = f"{SIGNATURE_PREFIX}{name} {_encode_base64(identifier + signature)}"
    return f"{text}\n{line}\n"


def _known_keys(
    verifiers: Mapping[str, bytes] | Iterable[tuple[str, bytes]],
) -> dict[tuple[str, bytes], bytes]:
    """Index trusted keys by (name, key ID), as signature lines name them."""
    pairs = verifiers.items() if isinstance(verifiers, Mapping) else verifiers
    known: dict[tuple[str, bytes], bytes] = {}
    for name, public_key in pairs:
        slot = (name, key_id(name, public_key))
        if known.setdefault(slot, public_key) != public_key:
            # Two trusted keys share a name and ID: only a broken or
            # tampered list of trusted keys does that.
            raise ValueError(
                f"Two different trusted keys are both {name}+"
                f"{slot[1].hex()}; the list of trusted keys is wrong."
            )
    return known


def _signature_lines(note: str) -> tuple[str, list[str]]:
    """Split NOTE into its text and its signature lines, or say why not."""
    if not isinstance(note, str):
        raise TypeError("A note must be a str.")
    _require_utf8(note, "The note", NoteError)
    character = _control_character(note, allow_newline=True)
    if character is not None:
        raise NoteError(
            f"Malformed note: it contains the control character {character!r}."
        )
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError(
            "Malformed note: no blank line separates the text from the "
            "signatures."
        )
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise NoteError("Malformed note: it has no signature lines.")
    if not block.endswith("\n"):
        raise NoteError(
            "Malformed note: its last signature line does not end with a "
            "newline."
        )
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(
            f"Malformed note: it has {len(lines)} signature lines; at most "
            f"{MAX_SIGNATURES} are read."
        )
    return text, lines


def _parse_signature_line(line: str, number: int) -> tuple[str, bytes]:
    """The name and base64-decoded key ID + signature of one line."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError(
            f"Malformed note: signature line {number} does not begin with "
            "an em dash (U+2014) and a space."
        )
    name, _space, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
    try:
        check_name(name)
    except ValueError as error:
        raise NoteError(
            f"Malformed note: signature line {number} has no valid key "
            f"name ({error})"
        ) from None
    try:
        signature = _decode_base64(encoded)
    except ValueError as error:
        raise NoteError(
            f"Malformed note: the signature on line {number} is {error}."
        ) from None
    if len(signature) <= KEY_ID_BYTES:
        raise NoteError(
            f"Malformed note: the signature on line {number} is too short "
            "to hold a key ID and a signature."
        )
    return name, signature


def open_note(
    note: str,
    verifiers: Mapping[str, bytes] | Iterable[tuple[str, bytes]],
) -> str:
    """Check NOTE's signatures; return its text if a trusted key signed it.

    VERIFIERS are the trusted keys, (name, Ed25519 public key), as a
    mapping or a list (a list may hold several keys of one name, during a
    key rotation). Following the specification, signatures by other keys
    are ignored, even when they share a name or an ID (but not both) with
    a trusted key; every signature by a trusted key must verify. Raises
    NoteError, naming the problem, when the note is malformed, when a
    trusted key's signature does not verify, or when no trusted key
    signed it.
    """
    known = _known_keys(verifiers)
    text, lines = _signature_lines(note)
    message = text.encode("utf-8")
    verified = 0
    others: list[str] = []
    for number, line in enumerate(lines, start=1):
        name, signature = _parse_signature_line(line, number)
        identifier, raw = signature[:KEY_ID_BYTES], signature[KEY_ID_BYTES:]
        public_key = known.get((name, identifier))
        if public_key is None:
            others.append(f"{name}+{identifier.hex()}")
            continue
        try:
            if len(raw) != SIGNATURE_BYTES:
                raise nacl.exceptions.BadSignatureError
            nacl.signing.VerifyKey(public_key).verify(message, raw)
        except nacl.exceptions.BadSignatureError:
            raise NoteError(
                f"Bad signature: the signature by {name}+{identifier.hex()} "
                "does not verify; the text was altered or the signature "
                "forged."
            ) from None
        verified += 1
    if not verified:
        signers = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise NoteError(
            f"No signature by a trusted key: the note is signed only by "
            f"{signers}."
        )
    return text


# Checkpoints.


def _check_line(value: str, what: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"The {what} must be a str.")
    if not value:
        raise CheckpointError(f"The {what} must not be empty.")
    _require_utf8(value, f"The {what}", CheckpointError)
    if _control_character(value, allow_newline=False) is not None:
        raise CheckpointError(
            f"The {what} must be one line with no control characters."
        )


def _check_tree_size(tree_size: int) -> None:
    # bool is an int to Python, but True is not a tree size.
    if not isinstance(tree_size, int) or isinstance(tree_size, bool):
        raise TypeError("The tree size must be an int.")
    if not 0 <= tree_size <= MAX_TREE_SIZE:
        raise CheckpointError(
            f"The tree size must be between 0 and 2**64 - 1, not {tree_size}."
        )


def format_checkpoint(
    origin: str,
    tree_size: int,
    root_hash: bytes,
    extensions: Sequence[str] = (),
) -> str:
    """The text of a checkpoint, ready for sign_note.

    One line each: the origin (the log's name), the tree size in decimal,
    the base64 root hash, then any extension lines.
    """
    _check_line(origin, "origin")
    _check_tree_size(tree_size)
    _require_bytes(root_hash, HASH_BYTES, "root hash")
    if isinstance(extensions, str):
        raise TypeError("The extensions must be a sequence of lines.")
    for extension in extensions:
        _check_line(extension, "extension line")
    lines = [origin, str(tree_size), _encode_base64(root_hash), *extensions]
    return "".join(f"{line}\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint's text (the text of an opened note).

    Raises CheckpointError, naming the problem, unless the text is exactly
    a checkpoint: a non-empty origin, a decimal tree size without leading
    zeros, a base64 32-byte root hash and non-empty extension lines, each
    line ending in a newline.
    """
    if not isinstance(text, str):
        raise TypeError("A checkpoint must be a str.")
    if not text.endswith("\n"):
        raise CheckpointError("A checkpoint must end with a newline.")
    _require_utf8(text, "The checkpoint", CheckpointError)
    if _control_character(text, allow_newline=True) is not None:
        raise CheckpointError("A checkpoint must not contain control codes.")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError(
            f"A checkpoint has at least three lines (origin, tree size, "
            f"root hash); this one has {len(lines)}."
        )
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise CheckpointError("The checkpoint's origin line is empty.")
    if not _TREE_SIZE.fullmatch(size_text):
        raise CheckpointError(
            f"The checkpoint's tree size {size_text[:30]!r} is not a "
            "decimal number without leading zeros."
        )
    tree_size = int(size_text)
    if tree_size > MAX_TREE_SIZE:
        raise CheckpointError(
            f"The checkpoint's tree size {size_text[:30]} is beyond 2**64."
        )
    try:
        root_hash = _decode_base64(root_text)
    except ValueError as error:
        raise CheckpointError(
            f"The checkpoint's root hash is {error}."
        ) from None
    if len(root_hash) != HASH_BYTES:
        raise CheckpointError(
            f"The checkpoint's root hash is {len(root_hash)} bytes, not "
            f"{HASH_BYTES}."
        )
    for number, extension in enumerate(extensions, start=4):
        if not extension:
            raise CheckpointError(
                f"Line {number} of the checkpoint (an extension line) is "
                "empty."
            )
    return Checkpoint(origin, tree_size, root_hash, tuple(extensions))
