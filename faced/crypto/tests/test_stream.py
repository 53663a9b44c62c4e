"""Attachments encrypted as a stream: round trips, tampering, size limits,
and memory that stays constant however large the file."""

from __future__ import annotations

import io
import random
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from faced.crypto.stream import (
    CHUNK_BYTES,
    DEFAULT_MAX_BYTES,
    ENCRYPTED_CHUNK_BYTES,
    HEADER_BYTES,
    TAG_OVERHEAD_BYTES,
    EncryptingWriter,
    StreamError,
    TooLarge,
    decrypt_stream,
    encrypt_stream,
    new_stream_key,
)

CRYPTO = settings(max_examples=50, deadline=None)

BOUNDARY_SIZES = [
    0,
    1,
    CHUNK_BYTES - 1,
    CHUNK_BYTES,
    CHUNK_BYTES + 1,
    2 * CHUNK_BYTES,
    3 * CHUNK_BYTES,
]


def pattern(size: int, seed: int = 0) -> bytes:
    """SIZE reproducible pseudo-random bytes (cheaper than hypothesis's)."""
    # Test data, not a secret: reproducible beats unpredictable here.
    return random.Random(seed).randbytes(size)  # noqa: S311


def streamed_in_memory(
    stream: Callable[..., object], key: bytes, source: bytes, **options: Any
) -> bytes:
    """What STREAM (encrypt_stream or decrypt_stream) writes from SOURCE."""
    destination = io.BytesIO()
    stream(key, io.BytesIO(source), destination, **options)
    return destination.getvalue()


def encrypted(
    key: bytes, plaintext: bytes, *, associated_data: bytes = b""
) -> bytes:
    return streamed_in_memory(
        encrypt_stream, key, plaintext, associated_data=associated_data
    )


def decrypted(
    key: bytes,
    ciphertext: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    associated_data: bytes = b"",
) -> bytes:
    return streamed_in_memory(
        decrypt_stream,
        key,
        ciphertext,
        max_bytes=max_bytes,
        associated_data=associated_data,
    )


def chunk_boundaries(ciphertext: bytes) -> list[tuple[int, int]]:
    """The (start, end) offsets of each encrypted chunk after the header."""
    boundaries = []
    start = HEADER_BYTES
    while start < len(ciphertext):
        end = min(start + ENCRYPTED_CHUNK_BYTES, len(ciphertext))
        boundaries.append((start, end))
        start = end
    return boundaries


def three_chunks() -> tuple[bytes, bytes, list[bytes]]:
    """A key, and a stream of three full chunks under it cut into its
    header and its chunks."""
    key = new_stream_key()
    ciphertext = encrypted(key, pattern(3 * CHUNK_BYTES))
    chunks = [
        ciphertext[start:end] for start, end in chunk_boundaries(ciphertext)
    ]
    return key, ciphertext[:HEADER_BYTES], chunks


class GeneratedSource:
    """A file-like source that makes its bytes as they are read.

    It never holds more than one read's worth, and counts what was read,
    so a test can tell how far encryption read before it stopped.
    """

    def __init__(self, size: int | None) -> None:
        self.remaining = size
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            raise AssertionError("the stream must never read everything")
        if self.remaining is not None:
            size = min(size, self.remaining)
            self.remaining -= size
        self.bytes_read += size
        return b"\xa5" * size


class DiscardingSink:
    """A file-like destination that only counts what is written to it."""

    def __init__(self) -> None:
        self.bytes_written = 0

    def write(self, data: bytes) -> int:
        self.bytes_written += len(data)
        return len(data)


class TrickleSource:
    """A source that returns at most a few bytes per read, like a pipe."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self.data.read(min(size, 7))


class NothingReadySource:
    """A non-blocking source with no data ready yet."""

    def read(self, size: int = -1) -> None:
        return None


class RoundTripTests:
    @CRYPTO
    @given(
        size=st.sampled_from(BOUNDARY_SIZES)
        | st.integers(min_value=0, max_value=3 * CHUNK_BYTES + 1),
        seed=st.integers(min_value=0, max_value=2**32),
    )
    def test_it_round_trips_sizes_around_chunk_boundaries(
        self, size: int, seed: int
    ) -> None:
        """Any size, including 0, exact chunks and one byte either side of
        a chunk boundary, decrypts to the same bytes."""
        key = new_stream_key()
        plaintext = pattern(size, seed)
        destination = io.BytesIO()
        written = encrypt_stream(key, io.BytesIO(plaintext), destination)
        assert written == size
        ciphertext = destination.getvalue()
        chunks = max(1, -(-size // CHUNK_BYTES))
        assert (
            len(ciphertext)
            == HEADER_BYTES + size + chunks * TAG_OVERHEAD_BYTES
        )
        output = io.BytesIO()
        assert decrypt_stream(key, io.BytesIO(ciphertext), output) == size
        assert output.getvalue() == plaintext

    @pytest.mark.parametrize("size", BOUNDARY_SIZES)
    def test_it_round_trips_each_boundary(self, size: int) -> None:
        """Each boundary size round-trips, checked explicitly."""
        key = new_stream_key()
        plaintext = pattern(size)
        assert decrypted(key, encrypted(key, plaintext)) == plaintext

    def test_it_does_not_depend_on_how_the_source_splits_reads(self) -> None:
        """A source returning a few bytes per read gives the same chunks."""
        key = new_stream_key()
        plaintext = pattern(2 * CHUNK_BYTES + 3)
        destination = io.BytesIO()
        encrypt_stream(
            key, cast(BinaryIO, TrickleSource(plaintext)), destination
        )
        output = io.BytesIO()
        decrypt_stream(
            key,
            cast(BinaryIO, TrickleSource(destination.getvalue())),
            output,
        )
        assert output.getvalue() == plaintext

    def test_it_refuses_a_source_with_nothing_ready(self) -> None:
        """A non-blocking source is not mistaken for an empty file, which
        would silently store a truncated attachment."""
        with pytest.raises(ValueError, match="no data ready"):
            encrypt_stream(
                new_stream_key(),
                cast(BinaryIO, NothingReadySource()),
                io.BytesIO(),
            )

    def test_it_binds_associated_data(self) -> None:
        """A stream bound to one attachment does not open as another."""
        key = new_stream_key()
        ciphertext = encrypted(key, b"photo", associated_data=b"attachment 1")
        assert (
            decrypted(key, ciphertext, associated_data=b"attachment 1")
            == b"photo"
        )
        with pytest.raises(StreamError):
            decrypted(key, ciphertext, associated_data=b"attachment 2")


class TamperingTests:
    @CRYPTO
    @given(
        size=st.sampled_from([0, 1, CHUNK_BYTES, 2 * CHUNK_BYTES + 5]),
        index=st.integers(min_value=0),
        mask=st.integers(min_value=1, max_value=255),
    )
    @example(size=2 * CHUNK_BYTES + 5, index=0, mask=1)
    @example(size=2 * CHUNK_BYTES + 5, index=HEADER_BYTES, mask=0x80)
    def test_it_refuses_a_flipped_byte_anywhere(
        self, size: int, index: int, mask: int
    ) -> None:
        """Changing any one byte, header included, is detected."""
        key = new_stream_key()
        ciphertext = bytearray(encrypted(key, pattern(size)))
        ciphertext[index % len(ciphertext)] ^= mask
        with pytest.raises(StreamError):
            decrypted(key, bytes(ciphertext))

    @pytest.mark.parametrize(
        "size", [0, 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES]
    )
    def test_it_refuses_a_stream_without_its_last_chunk(
        self, size: int
    ) -> None:
        """Dropping the final chunk is detected: the FINAL tag is missing."""
        key = new_stream_key()
        ciphertext = encrypted(key, pattern(size))
        last_start, _ = chunk_boundaries(ciphertext)[-1]
        with pytest.raises(StreamError, match="incomplete"):
            decrypted(key, ciphertext[:last_start])

    @CRYPTO
    @given(cut=st.integers(min_value=1))
    def test_it_refuses_a_stream_cut_anywhere(self, cut: int) -> None:
        """A stream cut short at any byte is detected."""
        key = new_stream_key()
        ciphertext = encrypted(key, pattern(2 * CHUNK_BYTES + 5))
        with pytest.raises(StreamError):
            decrypted(
                key, ciphertext[: len(ciphertext) - 1 - cut % len(ciphertext)]
            )

    @pytest.mark.parametrize("extra", [b"\x00", b"more data", bytes(17)])
    @pytest.mark.parametrize("size", [0, CHUNK_BYTES - 1, CHUNK_BYTES + 1])
    def test_it_refuses_data_after_a_short_final_chunk(
        self, size: int, extra: bytes
    ) -> None:
        """Bytes appended to a short final chunk are read as part of it,
        so the chunk fails to authenticate."""
        key = new_stream_key()
        ciphertext = encrypted(key, pattern(size))
        with pytest.raises(StreamError):
            decrypted(key, ciphertext + extra)

    @pytest.mark.parametrize("extra", [b"\x00", b"more data", bytes(17)])
    @pytest.mark.parametrize("size", [CHUNK_BYTES, 2 * CHUNK_BYTES])
    def test_it_refuses_data_after_a_full_final_chunk(
        self, size: int, extra: bytes
    ) -> None:
        """Bytes after a full final chunk are noticed as trailing data."""
        key = new_stream_key()
        ciphertext = encrypted(key, pattern(size))
        with pytest.raises(StreamError, match="after its final chunk"):
            decrypted(key, ciphertext + extra)

    def test_it_refuses_a_stream_appended_to_itself(self) -> None:
        """A second complete stream after the first is also extra data."""
        key = new_stream_key()
        ciphertext = encrypted(key, b"photo")
        with pytest.raises(StreamError):
            decrypted(key, ciphertext + ciphertext)

    def test_it_refuses_swapped_chunks(self) -> None:
        """Exchanging two chunks is detected: each knows its position."""
        key, header, (first, second, third) = three_chunks()
        with pytest.raises(StreamError):
            decrypted(key, header + second + first + third)

    def test_it_refuses_a_repeated_chunk(self) -> None:
        """Replaying a chunk in place of the next is detected."""
        key, header, (first, _second, third) = three_chunks()
        with pytest.raises(StreamError):
            decrypted(key, header + first + first + third)

    def test_it_refuses_the_wrong_key(self) -> None:
        """Another key cannot decrypt the stream."""
        ciphertext = encrypted(new_stream_key(), pattern(CHUNK_BYTES + 1))
        with pytest.raises(StreamError, match="wrong key"):
            decrypted(new_stream_key(), ciphertext)

    def test_it_refuses_a_stream_shorter_than_a_header(self) -> None:
        """Bytes too short to be a stream are refused plainly."""
        with pytest.raises(StreamError, match="too short"):
            decrypted(new_stream_key(), b"\x00" * (HEADER_BYTES - 1))

    def test_it_refuses_keys_of_the_wrong_length(self) -> None:
        """A stream key must be 32 bytes."""
        with pytest.raises(ValueError, match="32 bytes"):
            encrypted(b"short", b"photo")
        with pytest.raises(ValueError, match="32 bytes"):
            decrypted(b"short", b"\x00" * 64)


class SizeLimitTests:
    @pytest.mark.parametrize(
        "max_bytes", [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, 2 * CHUNK_BYTES + 3]
    )
    def test_it_stops_reading_just_past_the_limit(
        self, max_bytes: int
    ) -> None:
        """Given an endless upload, encryption refuses it having read at
        most one byte past the limit."""
        source = GeneratedSource(size=None)
        with pytest.raises(TooLarge):
            encrypt_stream(
                new_stream_key(),
                cast(BinaryIO, source),
                cast(BinaryIO, DiscardingSink()),
                max_bytes=max_bytes,
            )
        assert source.bytes_read == max_bytes + 1

    @pytest.mark.parametrize("max_bytes", [0, 1, CHUNK_BYTES, 3 * CHUNK_BYTES])
    def test_it_accepts_a_file_of_exactly_the_limit(
        self, max_bytes: int
    ) -> None:
        """The limit itself is allowed, both ways."""
        key = new_stream_key()
        plaintext = pattern(max_bytes)
        destination = io.BytesIO()
        encrypt_stream(
            key, io.BytesIO(plaintext), destination, max_bytes=max_bytes
        )
        assert (
            decrypted(key, destination.getvalue(), max_bytes=max_bytes)
            == plaintext
        )

    def test_it_refuses_too_large_a_plaintext_when_decrypting(self) -> None:
        """A stream that decrypts to more than the limit is refused."""
        key = new_stream_key()
        ciphertext = encrypted(key, pattern(CHUNK_BYTES + 1))
        with pytest.raises(TooLarge):
            decrypted(key, ciphertext, max_bytes=CHUNK_BYTES)

    def test_it_says_what_the_limit_is(self) -> None:
        """The message names the limit in words a person can read."""
        with pytest.raises(TooLarge, match="50 MB"):
            encrypt_stream(
                new_stream_key(),
                cast(BinaryIO, GeneratedSource(size=None)),
                cast(BinaryIO, DiscardingSink()),
            )


class ConstantMemoryTests:
    SIZE = 20 * 1024 * 1024
    PEAK_LIMIT = 1024 * 1024

    def test_it_encrypts_20_mb_in_constant_memory(self) -> None:
        """Encrypting 20 MB never holds more than about a chunk or two."""
        source = GeneratedSource(size=self.SIZE)
        sink = DiscardingSink()
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            written = encrypt_stream(
                new_stream_key(),
                cast(BinaryIO, source),
                cast(BinaryIO, sink),
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert written == self.SIZE
        assert peak < self.PEAK_LIMIT, f"peak traced memory {peak} bytes"

    def test_it_decrypts_20_mb_in_constant_memory(
        self, tmp_path: Path
    ) -> None:
        """Decrypting 20 MB from disk never holds more than a chunk or two."""
        key = new_stream_key()
        path = tmp_path / "attachment.enc"
        with path.open("wb") as destination:
            encrypt_stream(
                key,
                cast(BinaryIO, GeneratedSource(size=self.SIZE)),
                destination,
            )
        sink = DiscardingSink()
        with path.open("rb") as source:
            tracemalloc.start()
            try:
                tracemalloc.reset_peak()
                written = decrypt_stream(key, source, cast(BinaryIO, sink))
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        assert written == sink.bytes_written == self.SIZE
        assert peak < self.PEAK_LIMIT, f"peak traced memory {peak} bytes"


class EncryptingWriterTests:
    @pytest.mark.parametrize(
        "pieces",
        [
            [],
            [b""],
            [b"a"],
            [b"x" * CHUNK_BYTES],
            [b"x" * (CHUNK_BYTES - 1), b"yz"],
            [b"p" * 1000] * 200,
            [b"q" * (3 * CHUNK_BYTES)],
        ],
    )
    def test_it_writes_what_encrypt_stream_would(self, pieces):
        """Pieces written one by one decrypt to their concatenation, and
        the stream has the same shape as encrypt_stream's."""
        key = new_stream_key()
        target = io.BytesIO()
        writer = EncryptingWriter(key, target, associated_data=b"ad")
        for piece in pieces:
            writer.write(piece)
        assert writer.close() == sum(len(p) for p in pieces)
        reference = io.BytesIO()
        encrypt_stream(
            key,
            io.BytesIO(b"".join(pieces)),
            reference,
            associated_data=b"ad",
        )
        assert len(target.getvalue()) == len(reference.getvalue())
        plain = io.BytesIO()
        target.seek(0)
        decrypt_stream(key, target, plain, associated_data=b"ad")
        assert plain.getvalue() == b"".join(pieces)

    def test_it_refuses_more_than_the_limit(self):
        writer = EncryptingWriter(new_stream_key(), io.BytesIO(), max_bytes=10)
        writer.write(b"x" * 10)
        with pytest.raises(TooLarge):
            writer.write(b"y")
