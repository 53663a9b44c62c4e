"""Shamir sharing for the matching escrow: thresholds, derived polynomials,
distinct points, and the storage encoding."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from faced.crypto.shamir import (
    PRIME,
    evaluate,
    make_share,
    point_from_identity,
    polynomial_from_key,
    random_point,
    recover_secret,
    secret_key,
    secret_to_bytes,
    share_from_bytes,
    share_to_bytes,
    split,
)

FAST = settings(max_examples=50, deadline=None)

field_elements = st.integers(min_value=0, max_value=PRIME - 1)
keys = st.binary(min_size=1, max_size=64)


@st.composite
def threshold_and_count(draw: st.DrawFn) -> tuple[int, int]:
    threshold = draw(st.integers(min_value=2, max_value=6))
    count = draw(st.integers(min_value=threshold, max_value=8))
    return threshold, count


class SplitTests:
    @FAST
    @given(
        secret=field_elements,
        sizes=threshold_and_count(),
        data=st.data(),
    )
    def test_it_recovers_from_any_threshold_of_the_shares(
        self, secret: int, sizes: tuple[int, int], data: st.DataObject
    ) -> None:
        """Any THRESHOLD of the shares, in any order, give the secret."""
        threshold, count = sizes
        shares = split(secret, threshold, count)
        assert len(shares) == count
        chosen = data.draw(st.permutations(shares))[:threshold]
        assert recover_secret(chosen) == secret

    @FAST
    @given(secret=field_elements, sizes=threshold_and_count())
    def test_it_recovers_from_every_subset_and_from_more(
        self, secret: int, sizes: tuple[int, int]
    ) -> None:
        """Every subset of at least THRESHOLD shares gives the secret."""
        threshold, count = sizes
        shares = split(secret, threshold, count)
        for size in range(threshold, count + 1):
            for subset in itertools.combinations(shares, size):
                assert recover_secret(subset) == secret

    @FAST
    @given(
        secret=field_elements,
        threshold=st.integers(min_value=3, max_value=6),
    )
    def test_it_gives_something_else_below_the_threshold(
        self, secret: int, threshold: int
    ) -> None:
        """THRESHOLD - 1 shares interpolate to an unrelated value (the
        chance of hitting the secret is 1 in 2**255)."""
        shares = split(secret, threshold, threshold)
        assert recover_secret(shares[: threshold - 1]) != secret

    def test_it_refuses_a_threshold_below_two(self) -> None:
        """A threshold of 1 would make every share the secret."""
        with pytest.raises(ValueError, match="at least 2"):
            split(5, 1, 3)

    def test_it_refuses_fewer_shares_than_the_threshold(self) -> None:
        """Shares that could never reach the threshold are refused."""
        with pytest.raises(ValueError):
            split(5, 3, 2)

    def test_it_refuses_a_secret_outside_the_field(self) -> None:
        """The secret must be a field element."""
        with pytest.raises(ValueError):
            split(PRIME, 2, 2)
        with pytest.raises(ValueError):
            split(-1, 2, 2)


class DerivedPolynomialTests:
    @FAST
    @given(key=keys, threshold=st.integers(min_value=2, max_value=6))
    def test_it_derives_the_same_polynomial_from_the_same_key(
        self, key: bytes, threshold: int
    ) -> None:
        """Two survivors naming the same person derive one polynomial."""
        coefficients = polynomial_from_key(key, threshold)
        assert coefficients == polynomial_from_key(key, threshold)
        assert len(coefficients) == threshold
        assert all(0 <= value < PRIME for value in coefficients)

    @FAST
    @given(key=keys, threshold=st.integers(min_value=2, max_value=5))
    def test_it_recovers_the_secret_key_from_entries_at_distinct_points(
        self, key: bytes, threshold: int
    ) -> None:
        """Given THRESHOLD entries made independently from the same key at
        their own points, then together they recover secret_key(key)."""
        shares = [make_share(key, threshold) for _ in range(threshold)]
        recovered = recover_secret(shares)
        assert secret_to_bytes(recovered) == secret_key(key, threshold)

    @FAST
    @given(key=keys, other=keys)
    def test_it_does_not_combine_entries_from_different_keys(
        self, key: bytes, other: bytes
    ) -> None:
        """Entries naming different people interpolate to neither secret."""
        assume(key != other)
        shares = [make_share(key, 2), make_share(other, 2)]
        recovered = secret_to_bytes(recover_secret(shares))
        assert recovered != secret_key(key, 2)
        assert recovered != secret_key(other, 2)
        assert secret_key(key, 2) != secret_key(other, 2)

    @FAST
    @given(key=keys)
    def test_it_keeps_thresholds_apart(self, key: bytes) -> None:
        """Polynomials for different thresholds share no coefficient, so
        shares made under one threshold never combine with another."""
        two = polynomial_from_key(key, 2)
        three = polynomial_from_key(key, 3)
        assert not set(two) & set(three)

    def test_it_uses_the_point_it_is_given(self) -> None:
        """A share at a chosen point is the polynomial's value there."""
        key = b"oprf output"
        x, y = make_share(key, 2, x=12345)
        assert x == 12345
        assert y == evaluate(polynomial_from_key(key, 2), 12345)

    def test_it_refuses_the_point_zero(self) -> None:
        """The value at 0 is the secret itself, so 0 is never a point."""
        with pytest.raises(ValueError, match="cannot be 0"):
            make_share(b"oprf output", 2, x=0)
        with pytest.raises(ValueError, match="cannot be 0"):
            make_share(b"oprf output", 2, x=PRIME)

    def test_it_refuses_a_threshold_below_two(self) -> None:
        """A threshold of 1 would let one entry open itself."""
        with pytest.raises(ValueError, match="at least 2"):
            polynomial_from_key(b"oprf output", 1)

    def test_it_refuses_unusable_keys(self) -> None:
        """The key must be 1 to 64 bytes (BLAKE2b's key sizes)."""
        with pytest.raises(ValueError):
            polynomial_from_key(b"", 2)
        with pytest.raises(ValueError):
            polynomial_from_key(b"k" * 65, 2)


class IdentityPointTests:
    def test_it_gives_a_survivor_one_point_per_key(self) -> None:
        """Given one survivor filing twice about the same person, then
        both entries share a point and cannot reach a threshold of 2."""
        key = b"oprf output"
        point = point_from_identity(key, b"survivor-1")
        assert point == point_from_identity(key, b"survivor-1")
        first = make_share(key, 2, x=point)
        second = make_share(key, 2, x=point)
        assert first == second
        with pytest.raises(ValueError, match="same point"):
            recover_secret([first, second])

    def test_it_gives_different_survivors_different_points(self) -> None:
        """Two survivors together reach the threshold."""
        key = b"oprf output"
        shares = [
            make_share(key, 2, x=point_from_identity(key, identity))
            for identity in (b"survivor-1", b"survivor-2")
        ]
        assert secret_to_bytes(recover_secret(shares)) == secret_key(key, 2)

    def test_it_unlinks_points_across_keys(self) -> None:
        """One survivor's points for different people differ."""
        assert point_from_identity(b"key one", b"s") != point_from_identity(
            b"key two", b"s"
        )


class RecoveryTests:
    def test_it_refuses_duplicate_points(self) -> None:
        """Two shares at the same point are refused."""
        with pytest.raises(ValueError, match="same point"):
            recover_secret([(7, 1), (7, 2)])
        with pytest.raises(ValueError, match="same point"):
            recover_secret([(7, 1), (7 + PRIME, 2)])

    def test_it_needs_at_least_two_shares(self) -> None:
        """One share, or none, is not enough to interpolate."""
        with pytest.raises(ValueError, match="at least two"):
            recover_secret([(7, 1)])
        with pytest.raises(ValueError, match="at least two"):
            recover_secret([])

    def test_it_refuses_a_share_at_zero(self) -> None:
        """A share claiming the point 0 is refused."""
        with pytest.raises(ValueError, match="cannot be 0"):
            recover_secret([(0, 1), (1, 2)])


class EncodingTests:
    @FAST
    @given(x=st.integers(min_value=1, max_value=PRIME - 1), y=field_elements)
    def test_it_round_trips_a_share(self, x: int, y: int) -> None:
        """A share survives storage as 64 bytes."""
        encoded = share_to_bytes((x, y))
        assert len(encoded) == 64
        assert share_from_bytes(encoded) == (x, y)

    def test_it_is_little_endian_x_then_y(self) -> None:
        """The layout is x || y, each 32 bytes little endian."""
        assert share_to_bytes((1, 2)) == (
            b"\x01" + bytes(31) + b"\x02" + bytes(31)
        )

    def test_it_refuses_malformed_shares(self) -> None:
        """Wrong lengths, values beyond the prime, and x = 0 are refused."""
        too_big = PRIME.to_bytes(32, "little")
        one = (1).to_bytes(32, "little")
        for encoded in (
            bytes(63),
            bytes(65),
            too_big + one,
            one + too_big,
            bytes(32) + one,
        ):
            with pytest.raises(ValueError):
                share_from_bytes(encoded)

    @FAST
    @given(secret=field_elements)
    def test_it_encodes_secrets_in_32_bytes(self, secret: int) -> None:
        """A recovered secret encodes as 32 bytes, little endian."""
        encoded = secret_to_bytes(secret)
        assert len(encoded) == 32
        assert int.from_bytes(encoded, "little") == secret

    def test_it_refuses_to_encode_a_non_element(self) -> None:
        """Values outside the field have no encoding."""
        for value in (-1, PRIME):
            with pytest.raises(ValueError):
                secret_to_bytes(value)


class RandomPointTests:
    def test_it_never_returns_zero(self) -> None:
        """Random points are nonzero field elements."""
        points = {random_point() for _ in range(200)}
        assert all(0 < point < PRIME for point in points)
        assert len(points) == 200
