"""A person's keys, and how they are kept wrapped.

Each person has an X25519 key pair (sealed keys are addressed to it) and an
Ed25519 key pair (to sign findings). The private halves are stored only
wrapped: encrypted under a key derived from the person's password with
Argon2id, and separately under a random recovery key shown to them once.
The server never holds the password or the recovery key, so it, its
operator and anyone with its database hold only ciphertext.
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass

from nacl.public import PrivateKey
from nacl.pwhash import argon2id
from nacl.signing import SigningKey

from faced.crypto.envelope import DecryptionError, decrypt, encrypt

SALT_BYTES = argon2id.SALTBYTES
RECOVERY_KEY_BYTES = 32


@dataclass(frozen=True)
class DerivationCost:
    """Argon2id's cost: passes over memory, and memory in bytes.

    Argon2id is slow and memory-hard on purpose: a stolen database must
    not let anyone try passwords quickly. 3 passes over 64 MiB take about
    65 ms on a small 2-core server (see `make bench`) and cost an
    attacker the same 64 MiB per guess; more memory would limit how many
    people a small server can sign in at once.
    """

    opslimit: int = 3
    memlimit: int = 64 * 1024 * 1024


DEFAULT_COST = DerivationCost()


@dataclass(frozen=True, repr=False)
class PersonKeys:
    """The private halves of a person's two key pairs."""

    box_private_key: bytes
    signing_seed: bytes

    def __post_init__(self) -> None:
        if len(self.box_private_key) != 32 or len(self.signing_seed) != 32:
            raise ValueError("A person's private keys are 32 bytes each.")

    def __repr__(self) -> str:
        # Never print private keys, not even in a traceback.
        return f"PersonKeys(box_public_key={self.box_public_key.hex()})"

    @property
    def box_public_key(self) -> bytes:
        return bytes(PrivateKey(self.box_private_key).public_key)

    @property
    def verify_key(self) -> bytes:
        return bytes(SigningKey(self.signing_seed).verify_key)

    def to_bytes(self) -> bytes:
        return self.box_private_key + self.signing_seed

    @classmethod
    def from_bytes(cls, raw: bytes) -> "PersonKeys":
        if len(raw) != 64:
            raise ValueError("A person's private keys are 64 bytes in all.")
        return cls(box_private_key=raw[:32], signing_seed=raw[32:])


def generate_person_keys() -> PersonKeys:
    return PersonKeys(
        box_private_key=bytes(PrivateKey.generate()),
        signing_seed=secrets.token_bytes(32),
    )


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def derive_wrapping_key(
    password: str, salt: bytes, cost: DerivationCost = DEFAULT_COST
) -> bytes:
    """The key that wraps a person's private keys, from their password."""
    if len(salt) != SALT_BYTES:
        raise ValueError(f"The salt must be {SALT_BYTES} bytes.")
    return bytes(
        argon2id.kdf(
            32,
            password.encode("utf-8"),
            salt,
            opslimit=cost.opslimit,
            memlimit=cost.memlimit,
        )
    )


def wrap_keys(
    keys: PersonKeys, wrapping_key: bytes, *, associated_data: bytes
) -> bytes:
    """Encrypt the private keys; ASSOCIATED_DATA binds them to one owner,
    so wrapped keys moved to another person's row do not open."""
    return encrypt(
        wrapping_key, keys.to_bytes(), associated_data=associated_data
    )


def unwrap_keys(
    wrapped: bytes, wrapping_key: bytes, *, associated_data: bytes
) -> PersonKeys:
    """Raises DecryptionError for a wrong password or recovery key."""
    return PersonKeys.from_bytes(
        decrypt(wrapping_key, wrapped, associated_data=associated_data)
    )


def new_recovery_key() -> str:
    """A random recovery key, written for people: groups of 4 letters and
    digits (base32, so no 0/O or 1/I confusion), 256 bits in all."""
    text = base64.b32encode(secrets.token_bytes(RECOVERY_KEY_BYTES))
    letters = text.decode("ascii").rstrip("=")
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def recovery_wrapping_key(recovery_key: str) -> bytes:
    """The wrapping key from a recovery key as a person typed it.

    A recovery key already carries 256 random bits, so no slow derivation
    is needed: a keyed BLAKE2b separates its use from any other.
    """
    letters = "".join(
        ch for ch in recovery_key.upper() if ch.isalnum()
    ).translate(str.maketrans("018", "OIB"))
    try:
        raw = base64.b32decode(letters + "=" * (-len(letters) % 8))
    except ValueError:
        raise ValueError(
            "That is not a recovery key: it has letters that never appear "
            "in one. Check it against your printed copy."
        ) from None
    if len(raw) != RECOVERY_KEY_BYTES:
        raise ValueError(
            "That recovery key is too short or too long. It has 13 groups "
            "of four letters and digits."
        )
    return hashlib.blake2b(
        b"faced recovery key", key=raw, digest_size=32
    ).digest()


__all__ = [
    "DEFAULT_COST",
    "DecryptionError",
    "DerivationCost",
    "PersonKeys",
    "derive_wrapping_key",
    "generate_person_keys",
    "new_recovery_key",
    "new_salt",
    "recovery_wrapping_key",
    "unwrap_keys",
    "wrap_keys",
]
