"""Attachments, encrypted as a stream in constant memory.

libsodium's secretstream (XChaCha20-Poly1305) encrypts a file as a header
followed by chunks of at most CHUNK_BYTES each. Every chunk carries its own
authentication tag and a position in the stream, so a changed, reordered,
dropped or duplicated chunk fails to decrypt; the last chunk carries the
FINAL tag, so a stream cut short at a chunk boundary is detected as well.
Only one chunk is held in memory at a time, so a 50 MB attachment costs no
more memory than a small one.

Layout: header (24 bytes), then chunks of CHUNK_BYTES + 17 bytes, the last
one shorter (or just 17 bytes for an empty file) and tagged FINAL.

Decryption writes each chunk as soon as it is authenticated, before the end
of the stream has been seen. Until decrypt_stream returns, what it wrote may
be a truncated prefix: a caller must write to a temporary place and discard
it when StreamError is raised.
"""

from __future__ import annotations

import secrets
from typing import BinaryIO

import nacl.exceptions
from nacl import bindings as sodium

KEY_BYTES = 32
CHUNK_BYTES = 64 * 1024
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
HEADER_BYTES: int = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
TAG_OVERHEAD_BYTES: int = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
ENCRYPTED_CHUNK_BYTES = CHUNK_BYTES + TAG_OVERHEAD_BYTES

_TAG_MESSAGE: int = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL: int = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL


class StreamError(ValueError):
    """An encrypted stream is damaged, incomplete, or under the wrong key."""


class TooLarge(StreamError):
    """A file is larger than the size allowed for it."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            f"The file is too large: the limit is {_describe_size(max_bytes)}."
        )
        self.max_bytes = max_bytes


def _describe_size(size: int) -> str:
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def new_stream_key() -> bytes:
    """Return a fresh random 32-byte key for one attachment."""
    return secrets.token_bytes(KEY_BYTES)


def _require_key(key: bytes) -> None:
    if not isinstance(key, bytes):
        raise TypeError("The stream key must be bytes.")
    if len(key) != KEY_BYTES:
        raise ValueError(
            f"The stream key must be {KEY_BYTES} bytes long, not {len(key)}."
        )


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    """Read SIZE bytes, or fewer only at the end of SOURCE.

    A raw file, pipe or socket may return fewer bytes than asked for
    before its end; chunk boundaries must not depend on that.
    """
    parts: list[bytes] = []
    remaining = size
    while remaining:
        part = source.read(remaining)
        if part is None:
            # A non-blocking source with nothing ready is not at its end;
            # taking it for the end would silently cut the attachment.
            raise ValueError(
                "The source had no data ready; read attachments from a "
                "blocking file or stream."
            )
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    if len(parts) == 1:
        return parts[0]
    return b"".join(parts)


def encrypt_stream(
    key: bytes,
    source: BinaryIO,
    destination: BinaryIO,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    associated_data: bytes = b"",
) -> int:
    """Encrypt SOURCE into DESTINATION; return the plaintext size.

    Raises TooLarge as soon as more than MAX_BYTES have been read, without
    reading the rest: an oversized upload is refused before it costs more
    than one extra byte of reading. What was written to DESTINATION by
    then must be discarded.
    """
    _require_key(key)
    if max_bytes < 0:
        raise ValueError("max_bytes cannot be negative.")
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    destination.write(header)

    total = 0

    def read_chunk() -> bytes:
        nonlocal total
        # Never ask for more than one byte past the limit, so that an
        # oversized source is noticed without reading any further.
        allowance = max_bytes - total + 1
        chunk = _read_exactly(source, min(CHUNK_BYTES, allowance))
        total += len(chunk)
        if total > max_bytes:
            raise TooLarge(max_bytes)
        return chunk

    # One chunk of read-ahead tells whether the current chunk is the last,
    # which must carry the FINAL tag. A short read means the source ended.
    chunk = read_chunk()
    while True:
        following = read_chunk() if len(chunk) == CHUNK_BYTES else b""
        is_last = not following
        destination.write(
            sodium.crypto_secretstream_xchacha20poly1305_push(
                state,
                chunk,
                associated_data,
                _TAG_FINAL if is_last else _TAG_MESSAGE,
            )
        )
        if is_last:
            return total
        chunk = following


class EncryptingWriter:
    """Encrypts what is written to it into DESTINATION, in the format of
    encrypt_stream, for data that arrives piece by piece (an upload).

    Holds at most one chunk of plaintext; raises TooLarge as soon as more
    than MAX_BYTES were written. What was written to DESTINATION by then
    must be discarded.
    """

    def __init__(
        self,
        key: bytes,
        destination: BinaryIO,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        associated_data: bytes = b"",
    ) -> None:
        _require_key(key)
        if max_bytes < 0:
            raise ValueError("max_bytes cannot be negative.")
        self._destination = destination
        self._max_bytes = max_bytes
        self._associated_data = associated_data
        self._state = sodium.crypto_secretstream_xchacha20poly1305_state()
        destination.write(
            sodium.crypto_secretstream_xchacha20poly1305_init_push(
                self._state, key
            )
        )
        self._buffer = bytearray()
        self.size = 0
        self._closed = False

    def write(self, data: bytes) -> None:
        if self._closed:
            raise ValueError("This stream is closed.")
        self.size += len(data)
        if self.size > self._max_bytes:
            raise TooLarge(self._max_bytes)
        self._buffer += data
        # A chunk goes out only once more data follows it: the last chunk
        # must carry the FINAL tag, as encrypt_stream writes it.
        while len(self._buffer) > CHUNK_BYTES:
            self._push(bytes(self._buffer[:CHUNK_BYTES]), _TAG_MESSAGE)
            del self._buffer[:CHUNK_BYTES]

    def close(self) -> int:
        """Write the final chunk; return the plaintext size."""
        if not self._closed:
            self._push(bytes(self._buffer), _TAG_FINAL)
            self._buffer.clear()
            self._closed = True
        return self.size

    def _push(self, chunk: bytes, tag: int) -> None:
        self._destination.write(
            sodium.crypto_secretstream_xchacha20poly1305_push(
                self._state, chunk, self._associated_data, tag
            )
        )


def decrypt_stream(
    key: bytes,
    source: BinaryIO,
    destination: BinaryIO,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    associated_data: bytes = b"",
) -> int:
    """Decrypt SOURCE into DESTINATION; return the plaintext size.

    Raises StreamError if any chunk was changed, reordered or dropped, if
    the stream ends before its FINAL chunk, if anything follows that chunk,
    or if the key or associated data is wrong; TooLarge if the plaintext
    exceeds MAX_BYTES. On any error, what was written must be discarded.
    """
    _require_key(key)
    header = _read_exactly(source, HEADER_BYTES)
    if len(header) != HEADER_BYTES:
        raise StreamError(
            "This is not an encrypted attachment: it is too short to hold "
            "a stream header."
        )
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(
            state, header, key
        )
    except nacl.exceptions.CryptoError as error:
        raise StreamError("The stream header is damaged.") from error

    total = 0
    while True:
        encrypted_chunk = _read_exactly(source, ENCRYPTED_CHUNK_BYTES)
        if len(encrypted_chunk) < TAG_OVERHEAD_BYTES:
            raise StreamError(
                "The attachment is incomplete: it ends before its final chunk."
            )
        try:
            chunk, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(
                state, encrypted_chunk, associated_data
            )
        except nacl.exceptions.CryptoError as error:
            raise StreamError(
                "Cannot decrypt the attachment: it was changed, or this is "
                "the wrong key."
            ) from error
        if tag not in (_TAG_MESSAGE, _TAG_FINAL):
            raise StreamError("The attachment uses an unexpected chunk tag.")
        is_last = tag == _TAG_FINAL
        if not is_last and len(encrypted_chunk) != ENCRYPTED_CHUNK_BYTES:
            # Only the final chunk may be short; a short chunk without the
            # FINAL tag means the stream was cut inside a chunk boundary.
            raise StreamError(
                "The attachment is incomplete: it ends before its final chunk."
            )
        total += len(chunk)
        if total > max_bytes:
            raise TooLarge(max_bytes)
        destination.write(chunk)
        if is_last:
            if source.read(1):
                raise StreamError(
                    "The attachment has data after its final chunk."
                )
            return total
