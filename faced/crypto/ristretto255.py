"""The ristretto255 prime-order group (RFC 9496), over libsodium.

A thin, typed layer over pysodium's crypto_core_ristretto255_* and
crypto_scalarmult_ristretto255* functions. Elements and scalars stay in
their 32-byte encodings: elements as RFC 9496 section 4.3.2 encodes them,
scalars little-endian and reduced modulo the group order.

libsodium refuses a scalar multiplication whose result is the identity
element, and pysodium reports that as a bare ValueError; the functions
here say why instead.
"""

import hmac

import pysodium

ELEMENT_BYTES = 32
SCALAR_BYTES = 32
UNIFORM_BYTES = 64

# The identity element encodes as 32 zero bytes, and that is its only
# encoding: RFC 9496 decoding rejects every non-canonical one.
IDENTITY = bytes(ELEMENT_BYTES)
ZERO_SCALAR = bytes(SCALAR_BYTES)


def _require_bytes(value: object, *, name: str, length: int) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    if len(value) != length:
        raise ValueError(
            f"{name} must be {length} bytes long, not {len(value)}"
        )
    return value


def is_valid_encoding(encoding: bytes) -> bool:
    """Whether ENCODING is the canonical encoding of a group element.

    The identity element counts as valid here; protocols that must refuse
    it use `check_element`.
    """
    # pysodium hands the buffer to libsodium unchecked, which would read
    # past the end of a short one.
    if not isinstance(encoding, bytes) or len(encoding) != ELEMENT_BYTES:
        return False
    return bool(pysodium.crypto_core_ristretto255_is_valid_point(encoding))


def is_identity(encoding: bytes) -> bool:
    """Whether ENCODING is the identity element."""
    return hmac.compare_digest(encoding, IDENTITY)


def check_element(encoding: bytes, *, name: str = "element") -> bytes:
    """Return ENCODING if it is a valid element other than the identity.

    Raise ValueError naming NAME otherwise.
    """
    _require_bytes(encoding, name=name, length=ELEMENT_BYTES)
    if not is_valid_encoding(encoding):
        raise ValueError(
            f"{name} is not a valid ristretto255 element encoding"
        )
    if is_identity(encoding):
        raise ValueError(f"{name} is the identity element")
    return encoding


def is_canonical_scalar(scalar: bytes) -> bool:
    """Whether SCALAR is a 32-byte little-endian integer below the order."""
    if not isinstance(scalar, bytes) or len(scalar) != SCALAR_BYTES:
        return False
    # Reducing through libsodium keeps the comparison constant-time, which
    # matters because the scalar is often a private key or a blind.
    reduced = pysodium.crypto_core_ristretto255_scalar_reduce(
        scalar + bytes(UNIFORM_BYTES - SCALAR_BYTES)
    )
    return hmac.compare_digest(reduced, scalar)


def is_zero_scalar(scalar: bytes) -> bool:
    """Whether SCALAR is zero."""
    return hmac.compare_digest(scalar, ZERO_SCALAR)


def check_scalar(
    scalar: bytes, *, name: str = "scalar", allow_zero: bool = False
) -> bytes:
    """Return SCALAR if it is canonical (and non-zero unless ALLOW_ZERO).

    Raise ValueError naming NAME otherwise.
    """
    _require_bytes(scalar, name=name, length=SCALAR_BYTES)
    if not is_canonical_scalar(scalar):
        raise ValueError(
            f"{name} is not a canonical ristretto255 scalar "
            "(it is not below the group order)"
        )
    if not allow_zero and is_zero_scalar(scalar):
        raise ValueError(f"{name} is zero")
    return scalar


def from_uniform_bytes(uniform: bytes) -> bytes:
    """Map 64 uniform bytes to an element (RFC 9496 section 4.3.4)."""
    _require_bytes(uniform, name="uniform bytes", length=UNIFORM_BYTES)
    result: bytes = pysodium.crypto_core_ristretto255_from_hash(uniform)
    return result


def scalar_mult(scalar: bytes, element: bytes) -> bytes:
    """Return SCALAR * ELEMENT.

    Raise ValueError when the product is the identity element, which
    libsodium refuses to return; in a prime-order group that happens only
    when the scalar is zero or the element is the identity.
    """
    _require_bytes(scalar, name="scalar", length=SCALAR_BYTES)
    _require_bytes(element, name="element", length=ELEMENT_BYTES)
    try:
        result: bytes = pysodium.crypto_scalarmult_ristretto255(
            scalar, element
        )
    except ValueError:
        raise ValueError(
            "scalar multiplication failed: the element is invalid or the "
            "product is the identity element"
        ) from None
    return result


def scalar_mult_base(scalar: bytes) -> bytes:
    """Return SCALAR * the generator; ValueError if that is the identity."""
    _require_bytes(scalar, name="scalar", length=SCALAR_BYTES)
    try:
        result: bytes = pysodium.crypto_scalarmult_ristretto255_base(scalar)
    except ValueError:
        raise ValueError(
            "scalar multiplication of the generator gave the identity "
            "element (the scalar is zero modulo the group order)"
        ) from None
    return result


def scalar_mult_or_identity(scalar: bytes, element: bytes) -> bytes:
    """Return SCALAR * ELEMENT, the identity included.

    For sums such as s*A + c*B, where a zero scalar is legitimate.
    """
    if is_zero_scalar(scalar) or is_identity(element):
        return IDENTITY
    return scalar_mult(scalar, element)


def scalar_mult_base_or_identity(scalar: bytes) -> bytes:
    """Return SCALAR * the generator, the identity included."""
    if is_zero_scalar(scalar):
        return IDENTITY
    return scalar_mult_base(scalar)


def add(a: bytes, b: bytes) -> bytes:
    """Return A + B."""
    try:
        result: bytes = pysodium.crypto_core_ristretto255_add(a, b)
    except ValueError:
        raise ValueError(
            "cannot add: an operand is not a valid element"
        ) from None
    return result


def sub(a: bytes, b: bytes) -> bytes:
    """Return A - B."""
    try:
        result: bytes = pysodium.crypto_core_ristretto255_sub(a, b)
    except ValueError:
        raise ValueError(
            "cannot subtract: an operand is not a valid element"
        ) from None
    return result


def scalar_reduce(wide: bytes) -> bytes:
    """Reduce a 64-byte little-endian integer modulo the group order."""
    _require_bytes(wide, name="wide scalar", length=UNIFORM_BYTES)
    result: bytes = pysodium.crypto_core_ristretto255_scalar_reduce(wide)
    return result


def scalar_sub(x: bytes, y: bytes) -> bytes:
    """Return X - Y modulo the group order."""
    result: bytes = pysodium.crypto_core_ristretto255_scalar_sub(x, y)
    return result


def scalar_mul(x: bytes, y: bytes) -> bytes:
    """Return X * Y modulo the group order."""
    result: bytes = pysodium.crypto_core_ristretto255_scalar_mul(x, y)
    return result


def scalar_invert(scalar: bytes) -> bytes:
    """Return the inverse of SCALAR; ValueError if it is zero."""
    try:
        result: bytes = pysodium.crypto_core_ristretto255_scalar_invert(scalar)
    except ValueError:
        raise ValueError("zero has no inverse") from None
    return result


def scalar_random() -> bytes:
    """Return a uniformly random non-zero scalar."""
    # libsodium draws until the scalar is canonical and non-zero.
    result: bytes = pysodium.crypto_core_ristretto255_scalar_random()
    return result
