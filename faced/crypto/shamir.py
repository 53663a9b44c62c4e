"""Shamir secret sharing over a prime field, as the matching escrow uses it.

In the Callisto design each survivor who names the same person derives the
same polynomial from a key that only that name yields (the OPRF output).
Each escrow entry stores one share: the polynomial evaluated at the entry's
own point. Fewer than THRESHOLD shares at distinct points say nothing about
the polynomial's constant term; THRESHOLD of them interpolate it, and the
constant term unlocks the entries' payloads.

The polynomial is derived, not random, so that entries made independently,
by people who never meet, land on the same polynomial. The cost is that
anyone holding the key can compute the constant term directly; the key
therefore never leaves the survivor's side of the key service, and the
server sees only the shares, sealed to the counselors.

The point of each share must be the same for every entry a given survivor
makes about the same person (see point_from_identity): two shares at one
point are no better than one, so one survivor filing twice cannot reach the
threshold alone.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

# 2**255 - 19 is the prime of Curve25519: 255 bits, so that any 32-byte
# secret fits once reduced, and well studied, so nobody has to trust a
# home-made prime. The field's size makes a share's point and value each
# fit in 32 bytes.
PRIME = 2**255 - 19

ELEMENT_BYTES = 32
SHARE_BYTES = 2 * ELEMENT_BYTES
MAX_KEY_BYTES = 64

# BLAKE2b personalization strings (at most 16 bytes): each derivation has
# its own, so that a coefficient can never equal a point or another
# coefficient derived from the same key by accident.
_COEFFICIENT_PERSON = b"faced.shamir.cf"
_POINT_PERSON = b"faced.shamir.pt"

Share = tuple[int, int]


def _require_key(key: bytes) -> None:
    if not isinstance(key, bytes):
        raise TypeError("The key must be bytes.")
    if not 1 <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(
            f"The key must be 1 to {MAX_KEY_BYTES} bytes long, not {len(key)}."
        )


def _require_threshold(threshold: int) -> None:
    if threshold < 2:
        raise ValueError(
            "The threshold must be at least 2: with a threshold of 1, "
            "every single share would reveal the secret."
        )


def _derive_element(key: bytes, person: bytes, message: bytes) -> int:
    """Derive a field element from KEY with keyed BLAKE2b.

    64 bytes reduced modulo a 255-bit prime: the bias this leaves is
    about 2**-257, far below anything observable.
    """
    digest = hashlib.blake2b(
        message, digest_size=64, key=key, person=person
    ).digest()
    return int.from_bytes(digest, "little") % PRIME


def polynomial_from_key(key: bytes, threshold: int) -> list[int]:
    """Return the coefficients a0 .. a(THRESHOLD-1) derived from KEY.

    The threshold is part of every derivation, so that shares made under
    one threshold never combine with shares made under another.
    """
    _require_key(key)
    _require_threshold(threshold)
    return [
        _derive_element(
            key,
            _COEFFICIENT_PERSON,
            threshold.to_bytes(4, "big") + index.to_bytes(4, "big"),
        )
        for index in range(threshold)
    ]


def evaluate(coefficients: Sequence[int], x: int) -> int:
    """Evaluate the polynomial with COEFFICIENTS (a0 first) at X."""
    if not coefficients:
        raise ValueError("A polynomial needs at least one coefficient.")
    x %= PRIME
    result = 0
    for coefficient in reversed(coefficients):
        result = (result * x + coefficient) % PRIME
    return result


def random_point() -> int:
    """Return a uniformly random nonzero field element."""
    return secrets.randbelow(PRIME - 1) + 1


def point_from_identity(key: bytes, identity: bytes) -> int:
    """Return the share point for one survivor's entries under KEY.

    The same survivor naming the same person always gets the same point,
    so their second entry adds no second share; keyed by KEY, so that the
    points a survivor gets for different people cannot be linked.
    """
    _require_key(key)
    point = _derive_element(key, _POINT_PERSON, identity)
    # Zero is the one point that must never be used: the share there is
    # the secret itself. The chance of deriving it is 2**-255.
    return point or 1


def _require_point(x: int) -> int:
    x %= PRIME
    if x == 0:
        raise ValueError(
            "A share point cannot be 0: the value there is the secret."
        )
    return x


def make_share(key: bytes, threshold: int, x: int | None = None) -> Share:
    """Return the share (x, f(x)) of the polynomial derived from KEY.

    X defaults to a random point; escrow entries pass the survivor's
    point_from_identity instead.
    """
    point = random_point() if x is None else _require_point(x)
    return point, evaluate(polynomial_from_key(key, threshold), point)


def recover_secret(shares: Sequence[Share]) -> int:
    """Interpolate the constant term from SHARES at distinct points.

    With at least THRESHOLD shares the result is the secret; with fewer it
    is an unrelated field element, and nothing here can tell the two
    apart: the caller learns which by whether the payload key it yields
    opens the payload.
    """
    if len(shares) < 2:
        raise ValueError("Recovering a secret needs at least two shares.")
    points = [_require_point(x) for x, _ in shares]
    if len(set(points)) != len(points):
        raise ValueError(
            "Two shares have the same point; each share must come from a "
            "different point."
        )
    values = [y % PRIME for _, y in shares]
    secret = 0
    for j, (x_j, y_j) in enumerate(zip(points, values, strict=True)):
        # Lagrange basis polynomial for point j, evaluated at 0.
        numerator = 1
        denominator = 1
        for m, x_m in enumerate(points):
            if m != j:
                numerator = numerator * x_m % PRIME
                denominator = denominator * (x_m - x_j) % PRIME
        secret = (
            secret + y_j * numerator * pow(denominator, -1, PRIME)
        ) % PRIME
    return secret


def secret_to_bytes(secret: int) -> bytes:
    """Encode a field element as 32 bytes, little endian."""
    if not 0 <= secret < PRIME:
        raise ValueError("The secret must be a field element (0 <= s < p).")
    return secret.to_bytes(ELEMENT_BYTES, "little")


def secret_key(key: bytes, threshold: int) -> bytes:
    """Return the 32-byte constant term derived from KEY.

    This is what THRESHOLD shares recover, and what a holder of KEY
    computes directly.
    """
    return secret_to_bytes(polynomial_from_key(key, threshold)[0])


def share_to_bytes(share: Share) -> bytes:
    """Encode a share as 64 bytes: x then y, each 32 bytes little endian."""
    x, y = share
    return secret_to_bytes(_require_point(x)) + secret_to_bytes(y % PRIME)


def share_from_bytes(encoded: bytes) -> Share:
    """Decode what share_to_bytes produced, refusing non-canonical values."""
    if len(encoded) != SHARE_BYTES:
        raise ValueError(
            f"A share is {SHARE_BYTES} bytes long, not {len(encoded)}."
        )
    x = int.from_bytes(encoded[:ELEMENT_BYTES], "little")
    y = int.from_bytes(encoded[ELEMENT_BYTES:], "little")
    if x >= PRIME or y >= PRIME:
        raise ValueError("A share's values must be below the field prime.")
    return _require_point(x), y


def split(secret: int, threshold: int, count: int) -> list[Share]:
    """Split SECRET into COUNT shares, any THRESHOLD of which recover it.

    Unlike the escrow's derived polynomials, the coefficients here are
    random, so the shares reveal nothing without THRESHOLD of them.
    """
    _require_threshold(threshold)
    if count < threshold:
        raise ValueError(
            "There must be at least as many shares as the threshold."
        )
    if not 0 <= secret < PRIME:
        raise ValueError("The secret must be a field element (0 <= s < p).")
    coefficients = [secret] + [
        secrets.randbelow(PRIME) for _ in range(threshold - 1)
    ]
    points: set[int] = set()
    while len(points) < count:
        points.add(random_point())
    return [(x, evaluate(coefficients, x)) for x in sorted(points)]
