"""Per-object keys sealed to readers: opening, adding, rotating, shredding."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faced.crypto.envelope import (
    KEY_BYTES,
    DecryptionError,
    Envelope,
    NotAReader,
    Reader,
    decrypt,
    encrypt,
    generate_box_keypair,
    new_content_key,
    open_sealed_key,
    seal_key,
)

# Keypairs made once: X25519 key generation is quick, but the properties
# below are about envelopes, not about key generation.
SURVIVOR = generate_box_keypair()
MEMBER = generate_box_keypair()
SECOND_MEMBER = generate_box_keypair()
OUTSIDER = generate_box_keypair()

CRYPTO = settings(max_examples=50, deadline=None)

plaintexts = st.binary(max_size=2048)


def flip(data: bytes, index: int, mask: int) -> bytes:
    """DATA with the byte at INDEX (wrapped) XORed with a nonzero MASK."""
    index %= len(data)
    return data[:index] + bytes([data[index] ^ mask]) + data[index + 1 :]


def envelope_for_two(
    plaintext: bytes, associated_data: bytes = b""
) -> Envelope:
    return Envelope.create(
        plaintext,
        {"survivor": SURVIVOR[0], "member": MEMBER[0]},
        associated_data=associated_data,
    )


class SymmetricEncryptionTests:
    @CRYPTO
    @given(plaintext=plaintexts, associated_data=st.binary(max_size=64))
    def test_it_round_trips_any_bytes(
        self, plaintext: bytes, associated_data: bytes
    ) -> None:
        """Decrypting what was encrypted gives back the same bytes."""
        key = new_content_key()
        ciphertext = encrypt(key, plaintext, associated_data=associated_data)
        opened = decrypt(key, ciphertext, associated_data=associated_data)
        assert opened == plaintext

    @CRYPTO
    @given(
        plaintext=plaintexts,
        index=st.integers(min_value=0),
        mask=st.integers(min_value=1, max_value=255),
    )
    def test_it_refuses_any_flipped_byte(
        self, plaintext: bytes, index: int, mask: int
    ) -> None:
        """A single changed byte anywhere in the ciphertext is detected."""
        key = new_content_key()
        ciphertext = encrypt(key, plaintext)
        with pytest.raises(DecryptionError):
            decrypt(key, flip(ciphertext, index, mask))

    def test_it_uses_a_fresh_nonce_each_time(self) -> None:
        """The same plaintext under the same key encrypts differently."""
        key = new_content_key()
        assert encrypt(key, b"same") != encrypt(key, b"same")

    def test_it_refuses_a_truncated_ciphertext(self) -> None:
        """A ciphertext cut short is treated as changed."""
        key = new_content_key()
        ciphertext = encrypt(key, b"statement")
        for length in (0, 10, 39, len(ciphertext) - 1):
            with pytest.raises(DecryptionError):
                decrypt(key, ciphertext[:length])

    def test_it_refuses_keys_of_the_wrong_length(self) -> None:
        """A key that is not 32 bytes is a ValueError, before any work."""
        for key in (b"", b"k" * (KEY_BYTES - 1), b"k" * (KEY_BYTES + 1)):
            with pytest.raises(ValueError, match="32 bytes"):
                encrypt(key, b"statement")
            with pytest.raises(ValueError, match="32 bytes"):
                decrypt(key, b"\x00" * 64)

    def test_it_explains_a_failure_plainly(self) -> None:
        """The error says what may have happened."""
        ciphertext = encrypt(new_content_key(), b"statement")
        with pytest.raises(DecryptionError) as raised:
            decrypt(new_content_key(), ciphertext)
        assert "changed" in str(raised.value)
        assert "wrong key" in str(raised.value)


class SealedKeyTests:
    def test_it_opens_with_the_matching_private_key(self) -> None:
        """A sealed key opens with the reader's keypair."""
        key = new_content_key()
        sealed = seal_key(key, MEMBER[0])
        assert open_sealed_key(sealed, MEMBER[0], MEMBER[1]) == key

    def test_it_refuses_another_private_key(self) -> None:
        """Someone else's private key cannot open a sealed key."""
        sealed = seal_key(new_content_key(), MEMBER[0])
        with pytest.raises(DecryptionError):
            open_sealed_key(sealed, MEMBER[0], OUTSIDER[1])
        with pytest.raises(DecryptionError):
            open_sealed_key(sealed, OUTSIDER[0], OUTSIDER[1])

    @CRYPTO
    @given(
        index=st.integers(min_value=0),
        mask=st.integers(min_value=1, max_value=255),
    )
    def test_it_refuses_any_flipped_byte(self, index: int, mask: int) -> None:
        """A single changed byte anywhere in a sealed key is detected."""
        sealed = seal_key(new_content_key(), MEMBER[0])
        with pytest.raises(DecryptionError):
            open_sealed_key(flip(sealed, index, mask), MEMBER[0], MEMBER[1])

    def test_it_refuses_malformed_keys(self) -> None:
        """Public and private keys must be 32 bytes."""
        with pytest.raises(ValueError, match="32 bytes"):
            seal_key(new_content_key(), b"short")
        sealed = seal_key(new_content_key(), MEMBER[0])
        with pytest.raises(ValueError, match="32 bytes"):
            open_sealed_key(sealed, MEMBER[0], b"short")


class EnvelopeOpeningTests:
    @CRYPTO
    @given(plaintext=plaintexts)
    def test_it_round_trips_for_every_reader(self, plaintext: bytes) -> None:
        """Every reader the key was sealed to opens the same plaintext."""
        envelope = envelope_for_two(plaintext)
        assert envelope.open("survivor", SURVIVOR[1]) == plaintext
        assert envelope.open("member", MEMBER[1]) == plaintext
        assert envelope.key_version == 1

    @CRYPTO
    @given(
        plaintext=plaintexts,
        index=st.integers(min_value=0),
        mask=st.integers(min_value=1, max_value=255),
    )
    def test_it_refuses_a_flipped_byte_in_the_ciphertext(
        self, plaintext: bytes, index: int, mask: int
    ) -> None:
        """Given a stored envelope, when one ciphertext byte changes,
        then no reader can open it."""
        envelope = envelope_for_two(plaintext)
        tampered = dataclasses.replace(
            envelope, ciphertext=flip(envelope.ciphertext, index, mask)
        )
        with pytest.raises(DecryptionError):
            tampered.open("member", MEMBER[1])

    @CRYPTO
    @given(
        index=st.integers(min_value=0),
        mask=st.integers(min_value=1, max_value=255),
    )
    def test_it_refuses_a_flipped_byte_in_a_sealed_key(
        self, index: int, mask: int
    ) -> None:
        """Given a stored envelope, when one byte of a reader's sealed key
        changes, then that reader cannot open it."""
        envelope = envelope_for_two(b"statement")
        reader = envelope.readers["member"]
        readers = dict(envelope.readers)
        readers["member"] = Reader(
            public_key=reader.public_key,
            sealed_key=flip(reader.sealed_key, index, mask),
        )
        tampered = dataclasses.replace(envelope, readers=readers)
        with pytest.raises(DecryptionError):
            tampered.open("member", MEMBER[1])

    def test_it_refuses_the_wrong_readers_key(self) -> None:
        """A reader's id with another person's private key fails, and so
        does someone who is not a reader at all."""
        envelope = envelope_for_two(b"statement")
        with pytest.raises(DecryptionError):
            envelope.open("member", SURVIVOR[1])
        with pytest.raises(DecryptionError):
            envelope.open("member", OUTSIDER[1])
        with pytest.raises(NotAReader):
            envelope.open("outsider", OUTSIDER[1])

    @CRYPTO
    @given(
        bound=st.binary(max_size=32),
        presented=st.binary(max_size=32),
    )
    def test_it_refuses_other_associated_data(
        self, bound: bytes, presented: bytes
    ) -> None:
        """Ciphertext bound to one object does not open as another's."""
        envelope = envelope_for_two(b"statement", associated_data=bound)
        if presented == bound:
            assert (
                envelope.open("member", MEMBER[1], associated_data=presented)
                == b"statement"
            )
        else:
            with pytest.raises(DecryptionError):
                envelope.open("member", MEMBER[1], associated_data=presented)

    def test_it_needs_at_least_one_reader(self) -> None:
        """An envelope nobody could open is refused."""
        with pytest.raises(ValueError, match="at least one reader"):
            Envelope.create(b"statement", {})

    def test_it_cannot_be_edited_in_place(self) -> None:
        """The readers of a stored envelope are read-only."""
        envelope = envelope_for_two(b"statement")
        with pytest.raises(TypeError):
            envelope.readers["outsider"] = envelope.readers["member"]  # type: ignore[index]
        with pytest.raises(dataclasses.FrozenInstanceError):
            envelope.key_version = 2  # type: ignore[misc]


class AddReaderTests:
    @CRYPTO
    @given(plaintext=plaintexts)
    def test_it_lets_the_new_reader_open(self, plaintext: bytes) -> None:
        """Given an envelope, when a reader adds a second member, then the
        new member opens the same plaintext."""
        envelope = Envelope.create(plaintext, {"survivor": SURVIVOR[0]})
        widened = envelope.add_reader(
            "member",
            MEMBER[0],
            opener_id="survivor",
            opener_private_key=SURVIVOR[1],
        )
        assert widened.open("member", MEMBER[1]) == plaintext
        assert widened.open("survivor", SURVIVOR[1]) == plaintext
        assert widened.ciphertext == envelope.ciphertext
        assert widened.key_version == envelope.key_version
        assert "member" not in envelope.readers

    def test_it_needs_an_existing_reader_to_open_the_key(self) -> None:
        """Someone who is not a reader cannot add anyone."""
        envelope = Envelope.create(b"statement", {"survivor": SURVIVOR[0]})
        with pytest.raises(NotAReader):
            envelope.add_reader(
                "outsider",
                OUTSIDER[0],
                opener_id="outsider",
                opener_private_key=OUTSIDER[1],
            )
        with pytest.raises(DecryptionError):
            envelope.add_reader(
                "outsider",
                OUTSIDER[0],
                opener_id="survivor",
                opener_private_key=OUTSIDER[1],
            )

    def test_it_refuses_a_duplicate_reader(self) -> None:
        """A reader is added once."""
        envelope = envelope_for_two(b"statement")
        with pytest.raises(ValueError, match="already a reader"):
            envelope.add_reader(
                "member",
                OUTSIDER[0],
                opener_id="survivor",
                opener_private_key=SURVIVOR[1],
            )


class RemoveReaderTests:
    @CRYPTO
    @given(plaintext=plaintexts, associated_data=st.binary(max_size=16))
    def test_it_rotates_the_key(
        self, plaintext: bytes, associated_data: bytes
    ) -> None:
        """Given three readers, when one is removed, then the others open
        the new version, the key changed and its version went up, and the
        removed reader's old sealed key cannot open the new ciphertext."""
        envelope = Envelope.create(
            plaintext,
            {
                "survivor": SURVIVOR[0],
                "member": MEMBER[0],
                "second": SECOND_MEMBER[0],
            },
            associated_data=associated_data,
        )
        old_sealed_key = envelope.readers["second"].sealed_key
        old_key = envelope.content_key("second", SECOND_MEMBER[1])

        rotated = envelope.remove_reader(
            "second",
            opener_id="member",
            opener_private_key=MEMBER[1],
            associated_data=associated_data,
        )

        assert set(rotated.readers) == {"survivor", "member"}
        assert rotated.key_version == envelope.key_version + 1
        for reader_id, private_key in (
            ("survivor", SURVIVOR[1]),
            ("member", MEMBER[1]),
        ):
            assert (
                rotated.open(
                    reader_id, private_key, associated_data=associated_data
                )
                == plaintext
            )
        new_key = rotated.content_key("member", MEMBER[1])
        assert new_key != old_key
        assert rotated.ciphertext != envelope.ciphertext
        with pytest.raises(NotAReader):
            rotated.open("second", SECOND_MEMBER[1])
        # The removed reader kept their old sealed key (and so the old
        # content key): neither opens the new version.
        kept_key = open_sealed_key(
            old_sealed_key, SECOND_MEMBER[0], SECOND_MEMBER[1]
        )
        with pytest.raises(DecryptionError):
            decrypt(
                kept_key,
                rotated.ciphertext,
                associated_data=associated_data,
            )

    def test_it_lets_a_reader_remove_themselves(self) -> None:
        """A member declaring a conflict gives up their own copy."""
        envelope = envelope_for_two(b"statement")
        rotated = envelope.remove_reader(
            "member", opener_id="member", opener_private_key=MEMBER[1]
        )
        assert set(rotated.readers) == {"survivor"}
        assert rotated.open("survivor", SURVIVOR[1]) == b"statement"

    def test_it_counts_every_rotation(self) -> None:
        """Each removal adds one to the key version."""
        envelope = Envelope.create(
            b"statement",
            {
                "survivor": SURVIVOR[0],
                "member": MEMBER[0],
                "second": SECOND_MEMBER[0],
            },
        )
        once = envelope.remove_reader(
            "second", opener_id="survivor", opener_private_key=SURVIVOR[1]
        )
        twice = once.remove_reader(
            "member", opener_id="survivor", opener_private_key=SURVIVOR[1]
        )
        assert (envelope.key_version, once.key_version) == (1, 2)
        assert twice.key_version == 3

    def test_it_refuses_to_remove_the_last_reader(self) -> None:
        """Removing the last reader is refused; shredding is explicit."""
        envelope = Envelope.create(b"statement", {"survivor": SURVIVOR[0]})
        with pytest.raises(ValueError, match="shred"):
            envelope.remove_reader(
                "survivor",
                opener_id="survivor",
                opener_private_key=SURVIVOR[1],
            )

    def test_it_refuses_to_remove_a_stranger(self) -> None:
        """Removing someone who is not a reader is an error."""
        envelope = envelope_for_two(b"statement")
        with pytest.raises(NotAReader):
            envelope.remove_reader(
                "outsider",
                opener_id="survivor",
                opener_private_key=SURVIVOR[1],
            )

    def test_it_needs_a_reader_to_rotate(self) -> None:
        """Someone who cannot open the envelope cannot rotate it."""
        envelope = envelope_for_two(b"statement")
        with pytest.raises(DecryptionError):
            envelope.remove_reader(
                "member",
                opener_id="survivor",
                opener_private_key=OUTSIDER[1],
            )


class ReplaceContentTests:
    def test_it_keeps_readers_and_changes_ciphertext(self) -> None:
        """An edited draft opens for the same readers under the same key."""
        envelope = envelope_for_two(b"first draft")
        edited = envelope.replace_content(
            b"second draft",
            opener_id="survivor",
            opener_private_key=SURVIVOR[1],
        )
        assert edited.open("member", MEMBER[1]) == b"second draft"
        assert edited.key_version == envelope.key_version
        assert edited.readers == envelope.readers


class ShredTests:
    @CRYPTO
    @given(plaintext=plaintexts)
    def test_it_leaves_nobody_able_to_open(self, plaintext: bytes) -> None:
        """Given an envelope, when it is shredded, then no former reader
        can open it and no key can be added back."""
        envelope = envelope_for_two(plaintext)
        shredded = envelope.shred()
        assert dict(shredded.readers) == {}
        for reader_id, private_key in (
            ("survivor", SURVIVOR[1]),
            ("member", MEMBER[1]),
        ):
            with pytest.raises((NotAReader, DecryptionError)):
                shredded.open(reader_id, private_key)
        with pytest.raises(NotAReader):
            shredded.add_reader(
                "member",
                MEMBER[0],
                opener_id="survivor",
                opener_private_key=SURVIVOR[1],
            )
