"""RFC 9497 oblivious pseudorandom functions, suite ristretto255-SHA512.

Only the OPRF mode (MODE_OPRF) and the verifiable VOPRF mode (MODE_VOPRF)
are provided; faced has no use for the partially oblivious POPRF mode.

The client blinds its input, the server evaluates the blinded element with
its private key, and the client unblinds and hashes the result:

    blind_scalar, blinded = blind(input)                # client
    evaluated = blind_evaluate(sk, blinded)             # server
    output = finalize(input, blind_scalar, evaluated)   # client

The server never sees the input or the output. In VOPRF mode the server
also proves, against its public key, that it used the same private key for
every evaluation (blind_evaluate_with_proof), and the client checks that
proof with verify_proof before calling finalize.

Elements, scalars and proofs travel as the RFC serializes them: 32-byte
ristretto255 encodings, 32-byte little-endian scalars, and a proof as the
64 bytes c || s. Malformed values raise ValueError with the reason.
"""

import hashlib
import hmac
from collections.abc import Sequence

from faced.crypto import ristretto255 as group

MODE_OPRF = 0
MODE_VOPRF = 1

_SUITE_IDENTIFIER = b"ristretto255-SHA512"
_HASH_BYTES = 64
_PROOF_BYTES = 2 * group.SCALAR_BYTES
# Inputs, info strings and list positions are framed with two-byte
# lengths (I2OSP(len, 2)), so nothing longer can be encoded.
_MAX_FRAMED_BYTES = 0xFFFF
# expand_message_xmd with SHA-512 (RFC 9380 section 5.3.1).
_SHA512_BLOCK_BYTES = 128
_SHA512_DIGEST_BYTES = 64
# DeriveKeyPair retries with counters 0..255 before giving up.
_DERIVE_KEY_PAIR_ATTEMPTS = 256


def _i2osp(value: int, length: int) -> bytes:
    return value.to_bytes(length, "big")


def _framed(value: bytes) -> bytes:
    return _i2osp(len(value), 2) + value


def _context_string(mode: int) -> bytes:
    if isinstance(mode, bool) or mode not in (MODE_OPRF, MODE_VOPRF):
        raise ValueError(
            f"mode must be MODE_OPRF ({MODE_OPRF}) or MODE_VOPRF "
            f"({MODE_VOPRF}), not {mode!r}"
        )
    return b"OPRFV1-" + _i2osp(mode, 1) + b"-" + _SUITE_IDENTIFIER


def _check_bytes(value: object, *, name: str) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    if len(value) > _MAX_FRAMED_BYTES:
        raise ValueError(
            f"{name} is {len(value)} bytes long; at most "
            f"{_MAX_FRAMED_BYTES} bytes fit the RFC 9497 framing"
        )
    return value


def _expand_message_xmd(msg: bytes, dst: bytes, length: int) -> bytes:
    """RFC 9380 section 5.3.1 expand_message_xmd, with SHA-512."""
    ell = -(-length // _SHA512_DIGEST_BYTES)
    if ell > 255 or length > _MAX_FRAMED_BYTES or length < 0:
        raise ValueError(f"cannot expand a message to {length} bytes")
    if len(dst) > 255:
        raise ValueError("the domain separation tag is over 255 bytes")
    dst_prime = dst + _i2osp(len(dst), 1)
    msg_prime = (
        bytes(_SHA512_BLOCK_BYTES)
        + msg
        + _i2osp(length, 2)
        + _i2osp(0, 1)
        + dst_prime
    )
    b_0 = hashlib.sha512(msg_prime).digest()
    b_i = hashlib.sha512(b_0 + _i2osp(1, 1) + dst_prime).digest()
    uniform = [b_i]
    for i in range(2, ell + 1):
        chained = bytes(x ^ y for x, y in zip(b_0, b_i, strict=True))
        b_i = hashlib.sha512(chained + _i2osp(i, 1) + dst_prime).digest()
        uniform.append(b_i)
    return b"".join(uniform)[:length]


def _hash_to_group(msg: bytes, *, mode: int) -> bytes:
    dst = b"HashToGroup-" + _context_string(mode)
    uniform = _expand_message_xmd(msg, dst, group.UNIFORM_BYTES)
    return group.from_uniform_bytes(uniform)


def _hash_to_scalar(msg: bytes, *, dst: bytes) -> bytes:
    uniform = _expand_message_xmd(msg, dst, group.UNIFORM_BYTES)
    return group.scalar_reduce(uniform)


def _hash_to_scalar_in_mode(msg: bytes, *, mode: int) -> bytes:
    return _hash_to_scalar(msg, dst=b"HashToScalar-" + _context_string(mode))


def _input_element(input: bytes, *, mode: int) -> bytes:
    element = _hash_to_group(input, mode=mode)
    if group.is_identity(element):
        # Reaching the identity means finding a preimage of it under the
        # hash, which no one is expected to manage; refuse regardless.
        raise ValueError("the input maps to the identity element")
    return element


def _output(input: bytes, element: bytes) -> bytes:
    hash_input = _framed(input) + _framed(element) + b"Finalize"
    return hashlib.sha512(hash_input).digest()


def _check_elements(elements: Sequence[bytes], *, name: str) -> list[bytes]:
    if isinstance(elements, (bytes, str)):
        raise TypeError(f"{name} must be a list of elements, not one value")
    checked = [
        group.check_element(element, name=f"{name}[{index}]")
        for index, element in enumerate(elements)
    ]
    if not checked:
        raise ValueError(f"{name} is empty; at least one element is needed")
    if len(checked) > _MAX_FRAMED_BYTES + 1:
        raise ValueError(
            f"{name} holds {len(checked)} elements; a batch proof covers "
            f"at most {_MAX_FRAMED_BYTES + 1}"
        )
    return checked


def _composite_seed(pk: bytes) -> bytes:
    seed_dst = b"Seed-" + _context_string(MODE_VOPRF)
    return hashlib.sha512(_framed(pk) + _framed(seed_dst)).digest()


def _composite_weight(
    seed: bytes, index: int, blinded: bytes, evaluated: bytes
) -> bytes:
    transcript = (
        _framed(seed)
        + _i2osp(index, 2)
        + _framed(blinded)
        + _framed(evaluated)
        + b"Composite"
    )
    return _hash_to_scalar_in_mode(transcript, mode=MODE_VOPRF)


def _compute_composites(
    pk: bytes, blinded: list[bytes], evaluated: list[bytes]
) -> tuple[bytes, bytes]:
    """ComputeComposites (RFC 9497 section 2.2.2), for the client."""
    seed = _composite_seed(pk)
    m = group.IDENTITY
    z = group.IDENTITY
    for index, (c_i, d_i) in enumerate(zip(blinded, evaluated, strict=True)):
        weight = _composite_weight(seed, index, c_i, d_i)
        m = group.add(group.scalar_mult_or_identity(weight, c_i), m)
        z = group.add(group.scalar_mult_or_identity(weight, d_i), z)
    return m, z


def _compute_composites_fast(
    sk: bytes, pk: bytes, blinded: list[bytes], evaluated: list[bytes]
) -> tuple[bytes, bytes]:
    """ComputeCompositesFast (RFC 9497 section 2.2.1), for the server."""
    seed = _composite_seed(pk)
    m = group.IDENTITY
    for index, (c_i, d_i) in enumerate(zip(blinded, evaluated, strict=True)):
        weight = _composite_weight(seed, index, c_i, d_i)
        m = group.add(group.scalar_mult_or_identity(weight, c_i), m)
    if group.is_identity(m):
        raise ValueError(
            "the blinded elements combine to the identity element"
        )
    return m, group.scalar_mult(sk, m)


def _challenge(pk: bytes, m: bytes, z: bytes, t2: bytes, t3: bytes) -> bytes:
    transcript = (
        _framed(pk)
        + _framed(m)
        + _framed(z)
        + _framed(t2)
        + _framed(t3)
        + b"Challenge"
    )
    return _hash_to_scalar_in_mode(transcript, mode=MODE_VOPRF)


def derive_key_pair(
    seed: bytes, info: bytes, mode: int = MODE_OPRF
) -> tuple[bytes, bytes]:
    """Derive (sk, pk) from a 32-byte secret SEED and a public INFO string.

    DeriveKeyPair of RFC 9497 section 3.2.1. The key is only as secret as
    SEED. MODE must match the mode the key serves, since it enters the
    derivation.
    """
    context = _context_string(mode)
    if not isinstance(seed, bytes):
        raise TypeError(f"seed must be bytes, not {type(seed).__name__}")
    if len(seed) != group.SCALAR_BYTES:
        raise ValueError(
            f"seed must be {group.SCALAR_BYTES} bytes long, not {len(seed)}"
        )
    derive_input = seed + _framed(_check_bytes(info, name="info"))
    dst = b"DeriveKeyPair" + context
    for counter in range(_DERIVE_KEY_PAIR_ATTEMPTS):
        sk = _hash_to_scalar(derive_input + _i2osp(counter, 1), dst=dst)
        if not group.is_zero_scalar(sk):
            return sk, group.scalar_mult_base(sk)
    raise ValueError("DeriveKeyPair found no non-zero key for this seed")


def generate_key_pair() -> tuple[bytes, bytes]:
    """Return a fresh random (sk, pk); GenerateKeyPair of RFC 9497."""
    sk = group.scalar_random()
    return sk, group.scalar_mult_base(sk)


def blind(
    input: bytes, *, mode: int = MODE_OPRF, blind: bytes | None = None
) -> tuple[bytes, bytes]:
    """Blind INPUT for the server; return (blind scalar, blinded element).

    Keep the blind scalar secret until finalize. BLIND fixes the blind
    scalar, for the RFC's test vectors only: reusing a blind links the
    requests that share it.
    """
    _check_bytes(input, name="input")
    if blind is None:
        blind = group.scalar_random()
    else:
        group.check_scalar(blind, name="blind")
    element = _input_element(input, mode=mode)
    return blind, group.scalar_mult(blind, element)


def blind_evaluate(sk: bytes, blinded_element: bytes) -> bytes:
    """Evaluate a client's blinded element with private key SK (OPRF)."""
    group.check_scalar(sk, name="sk")
    group.check_element(blinded_element, name="blinded element")
    return group.scalar_mult(sk, blinded_element)


def blind_evaluate_with_proof(
    sk: bytes,
    pk: bytes,
    blinded_elements: list[bytes],
    *,
    proof_random: bytes | None = None,
) -> tuple[list[bytes], bytes]:
    """Evaluate blinded elements and prove it was done with SK (VOPRF).

    BlindEvaluate of RFC 9497 section 3.3.2 in its batched form: one
    proof (c || s, 64 bytes) covers every element. PROOF_RANDOM fixes the
    proof's random scalar, for the RFC's test vectors only: reusing it
    across proofs reveals SK.
    """
    group.check_scalar(sk, name="sk")
    group.check_element(pk, name="pk")
    # A proof against the wrong public key would only fail at the client;
    # catching the mismatch here names the real mistake.
    if not hmac.compare_digest(group.scalar_mult_base(sk), pk):
        raise ValueError("pk is not the public key of sk")
    blinded = _check_elements(blinded_elements, name="blinded elements")
    if proof_random is None:
        proof_random = group.scalar_random()
    else:
        group.check_scalar(proof_random, name="proof random")
    evaluated = [group.scalar_mult(sk, element) for element in blinded]

    # GenerateProof (RFC 9497 section 2.2.1) with A = generator, B = pk.
    m, z = _compute_composites_fast(sk, pk, blinded, evaluated)
    t2 = group.scalar_mult_base(proof_random)
    t3 = group.scalar_mult(proof_random, m)
    c = _challenge(pk, m, z, t2, t3)
    s = group.scalar_sub(proof_random, group.scalar_mul(c, sk))
    return evaluated, c + s


def verify_proof(
    pk: bytes,
    blinded_elements: list[bytes],
    evaluated_elements: list[bytes],
    proof: bytes,
) -> bool:
    """Whether PROOF shows the evaluations used the private key of PK.

    VerifyProof of RFC 9497 section 2.2.2. Return False for a well-formed
    proof that does not verify; raise ValueError for malformed arguments.
    """
    group.check_element(pk, name="pk")
    blinded = _check_elements(blinded_elements, name="blinded elements")
    evaluated = _check_elements(evaluated_elements, name="evaluated elements")
    if len(blinded) != len(evaluated):
        raise ValueError(
            f"{len(blinded)} blinded elements but {len(evaluated)} "
            "evaluated elements; they must pair up"
        )
    if not isinstance(proof, bytes):
        raise TypeError(f"proof must be bytes, not {type(proof).__name__}")
    if len(proof) != _PROOF_BYTES:
        raise ValueError(
            f"proof must be {_PROOF_BYTES} bytes long, not {len(proof)}"
        )
    c = group.check_scalar(
        proof[: group.SCALAR_BYTES], name="proof challenge c", allow_zero=True
    )
    s = group.check_scalar(
        proof[group.SCALAR_BYTES :], name="proof response s", allow_zero=True
    )

    m, z = _compute_composites(pk, blinded, evaluated)
    t2 = group.add(
        group.scalar_mult_base_or_identity(s),
        group.scalar_mult_or_identity(c, pk),
    )
    t3 = group.add(
        group.scalar_mult_or_identity(s, m),
        group.scalar_mult_or_identity(c, z),
    )
    expected_c = _challenge(pk, m, z, t2, t3)
    return hmac.compare_digest(expected_c, c)


def finalize(
    input: bytes,
    blind: bytes,
    evaluated_element: bytes,
    *,
    mode: int = MODE_OPRF,
) -> bytes:
    """Unblind the server's evaluation and return the 64-byte output.

    In VOPRF mode, call verify_proof first: finalize itself trusts
    EVALUATED_ELEMENT.
    """
    # RFC 9497's Finalize hash carries no context string, so MODE cannot
    # change the output; it is still checked so that a caller's mix-up of
    # modes fails here as it would in blind or evaluate.
    _context_string(mode)
    _check_bytes(input, name="input")
    group.check_scalar(blind, name="blind")
    group.check_element(evaluated_element, name="evaluated element")
    unblinded = group.scalar_mult(
        group.scalar_invert(blind), evaluated_element
    )
    return _output(input, unblinded)


def evaluate(sk: bytes, input: bytes, *, mode: int = MODE_OPRF) -> bytes:
    """Return the 64-byte output for INPUT directly, knowing SK."""
    group.check_scalar(sk, name="sk")
    _check_bytes(input, name="input")
    element = _input_element(input, mode=mode)
    return _output(input, group.scalar_mult(sk, element))
