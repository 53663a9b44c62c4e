"""Ed25519 signatures over canonical JSON (RFC 8032, RFC 8785).

Findings and appeal decisions are JSON objects signed by each signing
panel member. JSON itself allows many spellings of the same object (key
order, whitespace, number formats), so the bytes signed are the object's
RFC 8785 canonical form: whoever checks a signature recomputes the same
bytes from the same object, whatever spelling it travelled in.

A signature covers only the object, not what kind of document it is; the
objects signed carry their own kind and organization, so that a signature
on one document cannot be presented as a signature on another.
"""

from __future__ import annotations

from typing import Any, cast

import nacl.exceptions
import nacl.signing
import rfc8785

from faced.crypto.lengths import require_length

SEED_BYTES = 32
VERIFY_KEY_BYTES = 32
SIGNATURE_BYTES = 64


def canonical_json(obj: object) -> bytes:
    """Return the RFC 8785 canonical UTF-8 encoding of OBJ.

    Raises ValueError (rfc8785.CanonicalizationError) for what RFC 8785
    cannot represent exactly: NaN, infinities, integers beyond 2**53 and
    types JSON does not have. Such values must be written as strings.
    """
    # rfc8785 checks every value's type itself as it serializes, so the
    # object is passed on as it is and refused there if JSON cannot hold it.
    return bytes(rfc8785.dumps(cast(Any, obj)))


def generate_signing_key() -> tuple[bytes, bytes]:
    """Return a new Ed25519 keypair as (32-byte seed, verify key)."""
    signing_key = nacl.signing.SigningKey.generate()
    return bytes(signing_key), bytes(signing_key.verify_key)


def verify_key_for(signing_key: bytes) -> bytes:
    """Return the verify (public) key belonging to a 32-byte seed."""
    require_length(signing_key, SEED_BYTES, "signing key")
    return bytes(nacl.signing.SigningKey(signing_key).verify_key)


def sign_bytes(signing_key: bytes, message: bytes) -> bytes:
    """Return the 64-byte detached Ed25519 signature of MESSAGE."""
    require_length(signing_key, SEED_BYTES, "signing key")
    signed = nacl.signing.SigningKey(signing_key).sign(message)
    return bytes(signed.signature)


def verify_bytes(verify_key: bytes, message: bytes, signature: bytes) -> bool:
    """Return whether SIGNATURE is VERIFY_KEY's signature of MESSAGE.

    A malformed key is a programming error and raises ValueError; a
    signature of the wrong length is simply not a valid signature.
    libsodium's verification is strict: it refuses non-canonical
    signatures and small-order keys, so a signature cannot be altered into
    a second valid one.
    """
    require_length(verify_key, VERIFY_KEY_BYTES, "verify key")
    if not isinstance(signature, bytes):
        raise TypeError("The signature must be bytes.")
    if len(signature) != SIGNATURE_BYTES:
        return False
    try:
        nacl.signing.VerifyKey(verify_key).verify(message, signature)
    except nacl.exceptions.BadSignatureError:
        return False
    return True


def sign(signing_key: bytes, obj: object) -> bytes:
    """Sign the canonical JSON form of OBJ with a 32-byte Ed25519 seed."""
    return sign_bytes(signing_key, canonical_json(obj))


def verify(verify_key: bytes, obj: object, signature: bytes) -> bool:
    """Return whether SIGNATURE signs the canonical JSON form of OBJ."""
    return verify_bytes(verify_key, canonical_json(obj), signature)
