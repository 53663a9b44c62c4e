"""Per-object keys, sealed to each person allowed to read the object.

Every record, case, message and attachment is encrypted under its own
random content key (XChaCha20-Poly1305). The content key is then sealed
with crypto_box_seal to the X25519 public key of each reader, so the
server stores only ciphertext and sealed copies of the key: it can open
neither without a reader's private key.

An :class:`Envelope` holds one ciphertext and the sealed copies. Adding a
reader seals the same key once more; removing a reader rotates the key, so
that a copy the removed reader kept cannot open the new version; shredding
destroys every sealed copy, so nobody can open the content again.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import nacl.bindings
import nacl.exceptions
import nacl.public

from faced.crypto.lengths import require_length

KEY_BYTES = 32
NONCE_BYTES = 24
TAG_BYTES = 16
PUBLIC_KEY_BYTES = 32
PRIVATE_KEY_BYTES = 32
SEAL_OVERHEAD_BYTES = 48


class DecryptionError(ValueError):
    """Authentication failed: the data was changed, or the key is wrong."""

    def __init__(
        self,
        message: str = (
            "Cannot decrypt: the data was changed, or this is the wrong key."
        ),
    ) -> None:
        super().__init__(message)


class NotAReader(ValueError):
    """The envelope holds no sealed key for this reader."""

    def __init__(self, reader_id: str) -> None:
        super().__init__(
            f"{reader_id!r} is not a reader of this envelope: no key is "
            "sealed to them."
        )
        self.reader_id = reader_id


def new_content_key() -> bytes:
    """Return a fresh random 32-byte content key."""
    return secrets.token_bytes(KEY_BYTES)


def generate_box_keypair() -> tuple[bytes, bytes]:
    """Return a new X25519 keypair as (public key, private key)."""
    private_key = nacl.public.PrivateKey.generate()
    return bytes(private_key.public_key), bytes(private_key)


def encrypt(
    key: bytes, plaintext: bytes, *, associated_data: bytes = b""
) -> bytes:
    """Encrypt PLAINTEXT under KEY; return nonce || ciphertext || tag.

    The 24-byte nonce is random: XChaCha20's nonce is long enough that
    random nonces never repeat in practice, so no counter has to be kept
    in step across servers. ASSOCIATED_DATA is authenticated but not
    encrypted; passing the owning object's identifier there stops a
    ciphertext from being moved onto another object unnoticed.
    """
    require_length(key, KEY_BYTES, "content key")
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        plaintext, associated_data, nonce, key
    )
    return nonce + bytes(sealed)


def decrypt(
    key: bytes, ciphertext: bytes, *, associated_data: bytes = b""
) -> bytes:
    """Decrypt what :func:`encrypt` produced, or raise DecryptionError."""
    require_length(key, KEY_BYTES, "content key")
    if not isinstance(ciphertext, bytes):
        raise TypeError("The ciphertext must be bytes.")
    if len(ciphertext) < NONCE_BYTES + TAG_BYTES:
        # Too short to hold a nonce and a tag: cut short in storage or
        # transit, which is a change to the data like any other.
        raise DecryptionError()
    nonce, body = ciphertext[:NONCE_BYTES], ciphertext[NONCE_BYTES:]
    try:
        plaintext = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            body, associated_data, nonce, key
        )
    except nacl.exceptions.CryptoError as error:
        raise DecryptionError() from error
    return bytes(plaintext)


def seal_key(content_key: bytes, reader_public_key: bytes) -> bytes:
    """Seal CONTENT_KEY so that only the holder of the private key opens it.

    crypto_box_seal uses a fresh ephemeral keypair for every seal, so the
    sealed copy does not reveal who sealed it, and two seals of the same
    key to the same reader look unrelated.
    """
    require_length(content_key, KEY_BYTES, "content key")
    require_length(reader_public_key, PUBLIC_KEY_BYTES, "public key")
    return bytes(nacl.bindings.crypto_box_seal(content_key, reader_public_key))


def open_sealed_key(
    sealed: bytes, reader_public_key: bytes, reader_private_key: bytes
) -> bytes:
    """Open a key sealed by :func:`seal_key`, or raise DecryptionError."""
    require_length(reader_public_key, PUBLIC_KEY_BYTES, "public key")
    require_length(reader_private_key, PRIVATE_KEY_BYTES, "private key")
    if not isinstance(sealed, bytes):
        raise TypeError("The sealed key must be bytes.")
    if len(sealed) != SEAL_OVERHEAD_BYTES + KEY_BYTES:
        raise DecryptionError()
    try:
        content_key = nacl.bindings.crypto_box_seal_open(
            sealed, reader_public_key, reader_private_key
        )
    except nacl.exceptions.CryptoError as error:
        raise DecryptionError() from error
    return bytes(content_key)


@dataclass(frozen=True)
class Reader:
    """One reader's X25519 public key and the content key sealed to it."""

    public_key: bytes
    sealed_key: bytes


def _frozen_readers(readers: Mapping[str, Reader]) -> Mapping[str, Reader]:
    return MappingProxyType(dict(readers))


@dataclass(frozen=True)
class Envelope:
    """A ciphertext and its content key, sealed to each reader.

    Envelopes are immutable: every change returns a new envelope, which
    the caller stores in place of the old one. The old one must then be
    deleted, since its sealed keys still open its ciphertext.
    """

    ciphertext: bytes
    readers: Mapping[str, Reader] = field(
        default_factory=lambda: MappingProxyType({})
    )
    key_version: int = 1

    def __post_init__(self) -> None:
        # A read-only view, so that nobody edits the sealed copies of a
        # stored envelope behind its back.
        object.__setattr__(self, "readers", _frozen_readers(self.readers))

    @classmethod
    def create(
        cls,
        plaintext: bytes,
        readers: Mapping[str, bytes],
        *,
        associated_data: bytes = b"",
    ) -> Envelope:
        """Encrypt PLAINTEXT under a new key sealed to every reader.

        READERS maps each reader's identifier to their X25519 public key.
        """
        if not readers:
            raise ValueError(
                "An envelope needs at least one reader; otherwise nobody "
                "could ever open it."
            )
        content_key = new_content_key()
        return cls(
            ciphertext=encrypt(
                content_key, plaintext, associated_data=associated_data
            ),
            readers=_seal_to_readers(content_key, readers),
            key_version=1,
        )

    def content_key(self, reader_id: str, private_key: bytes) -> bytes:
        """Open the content key with a reader's private key."""
        reader = self.readers.get(reader_id)
        if reader is None:
            raise NotAReader(reader_id)
        return open_sealed_key(
            reader.sealed_key, reader.public_key, private_key
        )

    def open(
        self,
        reader_id: str,
        private_key: bytes,
        *,
        associated_data: bytes = b"",
    ) -> bytes:
        """Return the plaintext, as READER_ID with their PRIVATE_KEY."""
        content_key = self.content_key(reader_id, private_key)
        return decrypt(
            content_key, self.ciphertext, associated_data=associated_data
        )

    def add_reader(
        self,
        reader_id: str,
        public_key: bytes,
        *,
        opener_id: str,
        opener_private_key: bytes,
    ) -> Envelope:
        """Seal the content key to one more reader.

        Only an existing reader can add another: the server alone never
        holds the content key. The ciphertext and key version are
        unchanged.
        """
        if reader_id in self.readers:
            raise ValueError(f"{reader_id!r} is already a reader.")
        content_key = self.content_key(opener_id, opener_private_key)
        readers = dict(self.readers)
        readers[reader_id] = Reader(
            public_key=public_key,
            sealed_key=seal_key(content_key, public_key),
        )
        return Envelope(
            ciphertext=self.ciphertext,
            readers=readers,
            key_version=self.key_version,
        )

    def remove_reader(
        self,
        reader_id: str,
        *,
        opener_id: str,
        opener_private_key: bytes,
        associated_data: bytes = b"",
    ) -> Envelope:
        """Remove a reader and rotate the content key.

        Deleting the reader's sealed copy alone would not be enough: the
        removed reader may have kept the content key, which would still
        open this ciphertext and every later version encrypted under it.
        So the content is re-encrypted under a new key, sealed again to
        every remaining reader. What the removed reader already read
        cannot be taken back; what changes after removal stays closed.

        The opener may be the reader being removed (a member declaring a
        conflict gives up their own copy).
        """
        if reader_id not in self.readers:
            raise NotAReader(reader_id)
        remaining = {
            other_id: reader.public_key
            for other_id, reader in self.readers.items()
            if other_id != reader_id
        }
        if not remaining:
            raise ValueError(
                "Cannot remove the last reader: nobody could open the "
                "envelope afterwards. Use shred() to destroy it on purpose."
            )
        plaintext = self.open(
            opener_id, opener_private_key, associated_data=associated_data
        )
        content_key = new_content_key()
        return Envelope(
            ciphertext=encrypt(
                content_key, plaintext, associated_data=associated_data
            ),
            readers=_seal_to_readers(content_key, remaining),
            key_version=self.key_version + 1,
        )

    def replace_content(
        self,
        plaintext: bytes,
        *,
        opener_id: str,
        opener_private_key: bytes,
        associated_data: bytes = b"",
    ) -> Envelope:
        """Encrypt new PLAINTEXT for the same readers (an edited draft).

        The content key stays the same; a fresh random nonce keeps the two
        versions unlinkable.
        """
        content_key = self.content_key(opener_id, opener_private_key)
        return Envelope(
            ciphertext=encrypt(
                content_key, plaintext, associated_data=associated_data
            ),
            readers=self.readers,
            key_version=self.key_version,
        )

    def shred(self) -> Envelope:
        """Destroy every sealed copy of the content key.

        The ciphertext stays, but without any sealed copy nobody can open
        it: this is crypto-shredding, which works even where the
        ciphertext itself survives in backups. The caller must delete the
        stored sealed keys, and every older version of the envelope, for
        the shredding to mean anything.
        """
        return Envelope(
            ciphertext=self.ciphertext,
            readers={},
            key_version=self.key_version,
        )


def _seal_to_readers(
    content_key: bytes, readers: Mapping[str, bytes]
) -> dict[str, Reader]:
    """Seal CONTENT_KEY to each reader's public key."""
    return {
        reader_id: Reader(
            public_key=public_key,
            sealed_key=seal_key(content_key, public_key),
        )
        for reader_id, public_key in readers.items()
    }
