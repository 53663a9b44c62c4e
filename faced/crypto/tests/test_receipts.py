"""Receipts: random words, at least 90 bits, deriving a lookup id and keys."""

import hashlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faced.crypto.keys import DerivationCost
from faced.crypto.receipts import (
    MINIMUM_BITS,
    RECEIPT_WORDS,
    WORDLIST_PATH,
    derive_receipt_keys,
    new_receipt,
    normalize_receipt,
    receipt_bits,
    wordlist,
)

CHEAP = DerivationCost(opslimit=1, memlimit=8192)
SALT = b"s" * 16


class WordlistTests:
    def test_it_ships_the_eff_large_wordlist_unchanged(self):
        """The shipped list is the EFF's, as its README's checksum says."""
        digest = hashlib.sha256(WORDLIST_PATH.read_bytes()).hexdigest()
        assert digest == (
            "6d557f0693958fb5e650b68b5bee585eb82cf4da32965505c789e924743bc522"
        )
        assert len(wordlist()) == 7776
        assert len(set(wordlist())) == 7776
        readme = (WORDLIST_PATH.parent / "README.md").read_text()
        assert digest in readme
        assert "CC" in readme or "Creative Commons" in readme

    def test_a_receipt_carries_at_least_90_bits(self):
        assert receipt_bits() >= MINIMUM_BITS
        assert receipt_bits() == pytest.approx(RECEIPT_WORDS * math.log2(7776))
        with pytest.raises(ValueError):
            new_receipt(word_count=6)


class ReceiptTests:
    def test_it_draws_words_from_the_list(self):
        receipts = {new_receipt() for _ in range(50)}
        assert len(receipts) == 50
        for receipt in receipts:
            words = receipt.split(" ")
            assert len(words) == RECEIPT_WORDS
            assert set(words) <= set(wordlist())

    @settings(max_examples=30, deadline=None)
    @given(st.sampled_from(["  ", "\n", " \t "]), st.booleans())
    def test_it_ignores_case_and_spacing(self, gap, upper):
        receipt = new_receipt()
        typed = gap.join(receipt.split())
        typed = typed.upper() if upper else typed
        assert normalize_receipt(typed) == receipt
        assert derive_receipt_keys(typed, SALT, CHEAP) == (
            derive_receipt_keys(receipt, SALT, CHEAP)
        )

    def test_it_derives_separate_lookup_id_and_key(self):
        keys = derive_receipt_keys(new_receipt(), SALT, CHEAP)
        assert len(keys.lookup_id) == 32
        assert len(keys.box_private_key) == 32
        assert keys.lookup_id != keys.box_private_key
        assert keys.box_public_key not in (keys.lookup_id,)
        assert keys.box_private_key.hex() not in repr(keys)

    def test_it_differs_by_salt(self):
        receipt = new_receipt()
        assert (
            derive_receipt_keys(receipt, SALT, CHEAP).lookup_id
            != derive_receipt_keys(receipt, b"t" * 16, CHEAP).lookup_id
        )

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("abacus " * 6, "has 7 words"),
            ("abacus " * 8, "has 7 words"),
            ("abacus abacus abacus abacus abacus abacus xyzzy", "xyzzy"),
            ("", "has 7 words"),
        ],
    )
    def test_it_says_what_is_wrong(self, typed, message):
        with pytest.raises(ValueError, match=message):
            normalize_receipt(typed)
