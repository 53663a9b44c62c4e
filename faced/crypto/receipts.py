"""Receipts: how an anonymous survivor comes back without an account.

A receipt is a passphrase of random words from the EFF's large word list,
shown once. From it and the deployment's salt, Argon2id derives a lookup id
(which the server stores, to find the survivor's records) and an X25519 key
pair (whose public half the server stores, so records can be sealed to it).
The server keeps neither the receipt nor the private key: whoever has the
receipt can open the records, and nobody else can.
"""

import hashlib
import math
import secrets
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nacl.public import PrivateKey
from nacl.pwhash import argon2id

from faced.crypto.keys import DEFAULT_COST, DerivationCost

WORDLIST_PATH = Path(__file__).parent / "wordlists" / "eff_large_wordlist.txt"
# Seven words of 7,776 carry 7 * log2(7776) = 90.5 bits, above the 90 bits
# that make guessing hopeless even for someone holding the database.
RECEIPT_WORDS = 7
MINIMUM_BITS = 90


@cache
def wordlist() -> tuple[str, ...]:
    words = tuple(WORDLIST_PATH.read_text(encoding="utf-8").split())
    if len(words) != 7776 or len(set(words)) != 7776:
        raise RuntimeError("The receipt word list is damaged.")
    return words


def receipt_bits(word_count: int = RECEIPT_WORDS) -> float:
    return word_count * math.log2(len(wordlist()))


def new_receipt(word_count: int = RECEIPT_WORDS) -> str:
    if receipt_bits(word_count) < MINIMUM_BITS:
        raise ValueError(f"A receipt needs at least {MINIMUM_BITS} bits.")
    words = wordlist()
    return " ".join(secrets.choice(words) for _ in range(word_count))


def normalize_receipt(receipt: str) -> str:
    """The receipt as derived from: case, spacing and line breaks ignored.

    Raises ValueError, with a message a person can act on, for a word that
    is not on the list or a wrong number of words.
    """
    text = unicodedata.normalize("NFKC", receipt).casefold()
    words = text.replace(",", " ").replace(".", " ").split()
    known = set(wordlist())
    unknown = [word for word in words if word not in known]
    if unknown:
        raise ValueError(
            "These words are not in any receipt: "
            + ", ".join(unknown[:3])
            + ". Check them against your copy."
        )
    if len(words) != RECEIPT_WORDS:
        raise ValueError(
            f"A receipt has {RECEIPT_WORDS} words; this has {len(words)}."
        )
    return " ".join(words)


@dataclass(frozen=True, repr=False)
class ReceiptKeys:
    lookup_id: bytes
    box_private_key: bytes
    signing_seed: bytes

    def __repr__(self) -> str:
        return f"ReceiptKeys(lookup_id={self.lookup_id.hex()})"

    @property
    def box_public_key(self) -> bytes:
        return bytes(PrivateKey(self.box_private_key).public_key)


def derive_receipt_keys(
    receipt: str,
    deployment_salt: bytes,
    cost: DerivationCost = DEFAULT_COST,
) -> ReceiptKeys:
    """The lookup id and key pair of a receipt.

    One slow Argon2id derivation, then two keyed BLAKE2b derivations with
    different labels, so that the lookup id the server stores says nothing
    about the private key.
    """
    if len(deployment_salt) != argon2id.SALTBYTES:
        raise ValueError(f"The salt must be {argon2id.SALTBYTES} bytes.")
    master = argon2id.kdf(
        32,
        normalize_receipt(receipt).encode("utf-8"),
        deployment_salt,
        opslimit=cost.opslimit,
        memlimit=cost.memlimit,
    )

    def part(label: bytes) -> bytes:
        return hashlib.blake2b(label, key=master, digest_size=32).digest()

    return ReceiptKeys(
        lookup_id=part(b"faced receipt lookup id"),
        box_private_key=part(b"faced receipt box key"),
        signing_seed=part(b"faced receipt signing key"),
    )
