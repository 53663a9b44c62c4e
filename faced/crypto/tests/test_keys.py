"""People's keys: wrapped under a password or a recovery key."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faced.crypto.envelope import DecryptionError
from faced.crypto.keys import (
    DerivationCost,
    PersonKeys,
    derive_wrapping_key,
    generate_person_keys,
    new_recovery_key,
    new_salt,
    recovery_wrapping_key,
    unwrap_keys,
    wrap_keys,
)
from faced.crypto.signing import sign, verify

CHEAP = DerivationCost(opslimit=1, memlimit=8192)
AD = b"faced person keys|1|password"


class WrappingTests:
    @settings(max_examples=20, deadline=None)
    @given(st.text(min_size=1, max_size=64))
    def test_it_unwraps_with_the_same_password_only(self, password):
        keys = generate_person_keys()
        salt = new_salt()
        wrapped = wrap_keys(
            keys,
            derive_wrapping_key(password, salt, CHEAP),
            associated_data=AD,
        )
        assert (
            unwrap_keys(
                wrapped,
                derive_wrapping_key(password, salt, CHEAP),
                associated_data=AD,
            )
            == keys
        )
        with pytest.raises(DecryptionError):
            unwrap_keys(
                wrapped,
                derive_wrapping_key(password + "x", salt, CHEAP),
                associated_data=AD,
            )
        with pytest.raises(DecryptionError):
            unwrap_keys(
                wrapped,
                derive_wrapping_key(password, new_salt(), CHEAP),
                associated_data=AD,
            )
        with pytest.raises(DecryptionError):
            unwrap_keys(
                wrapped,
                derive_wrapping_key(password, salt, CHEAP),
                associated_data=b"faced person keys|2|password",
            )

    def test_the_keys_work_for_signing(self):
        keys = generate_person_keys()
        signature = sign(keys.signing_seed, {"finding": "upheld"})
        assert verify(keys.verify_key, {"finding": "upheld"}, signature)

    def test_it_never_prints_private_keys(self):
        keys = generate_person_keys()
        assert keys.box_private_key.hex() not in repr(keys)
        assert keys.signing_seed.hex() not in repr(keys)
        assert PersonKeys.from_bytes(keys.to_bytes()) == keys


class RecoveryKeyTests:
    def test_it_reads_a_recovery_key_however_it_is_typed(self):
        recovery_key = new_recovery_key()
        assert len(recovery_key.split("-")) == 13
        wanted = recovery_wrapping_key(recovery_key)
        for typed in (
            recovery_key.lower(),
            recovery_key.replace("-", " "),
            recovery_key.replace("-", "").replace("O", "0"),
            " " + recovery_key + "\n",
        ):
            assert recovery_wrapping_key(typed) == wanted

    @pytest.mark.parametrize("typed", ["", "AAAA", "A" * 60, "????"])
    def test_it_refuses_what_is_not_a_recovery_key(self, typed):
        with pytest.raises(ValueError, match="recovery key"):
            recovery_wrapping_key(typed)

    def test_different_recovery_keys_give_different_wrapping_keys(self):
        assert recovery_wrapping_key(new_recovery_key()) != (
            recovery_wrapping_key(new_recovery_key())
        )
