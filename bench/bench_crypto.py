"""The cryptography core: envelopes, streams, the OPRF and Argon2id.

Each figure stands beside the same work done straight on libsodium (or on
an independent Argon2 implementation), so that the ratio shows what faced's
layer costs on this machine.
"""

import io
import secrets
import time

import pysodium
from argon2.low_level import Type, hash_secret_raw
from nacl import bindings

from bench.figures import Figure, percentile_ms
from faced.crypto import oprf
from faced.crypto.envelope import Envelope, generate_box_keypair
from faced.crypto.keys import DEFAULT_COST, derive_wrapping_key, new_salt
from faced.crypto.stream import encrypt_stream, new_stream_key

STREAM_BYTES = 50 * 1024 * 1024


def _envelope() -> tuple[float, float, float, float]:
    public, private = generate_box_keypair()
    content = secrets.token_bytes(10 * 1024)
    sealed = Envelope.create(content, {"reader": public})
    seal = percentile_ms(
        lambda: Envelope.create(content, {"reader": public}), repeat=300
    )
    unseal = percentile_ms(lambda: sealed.open("reader", private), repeat=300)

    def raw_seal() -> None:
        key = secrets.token_bytes(32)
        nonce = secrets.token_bytes(24)
        bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
            content, b"", nonce, key
        )
        bindings.crypto_box_seal(key, public)

    key = secrets.token_bytes(32)
    nonce = secrets.token_bytes(24)
    ciphertext = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        content, b"", nonce, key
    )
    boxed = bindings.crypto_box_seal(key, public)

    def raw_open() -> None:
        opened = bindings.crypto_box_seal_open(boxed, public, private)
        bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            ciphertext, b"", nonce, opened
        )

    return (
        seal,
        percentile_ms(raw_seal, repeat=300),
        unseal,
        percentile_ms(raw_open, repeat=300),
    )


def _stream() -> tuple[float, float]:
    data = secrets.token_bytes(STREAM_BYTES)
    key = new_stream_key()
    start = time.perf_counter()
    encrypt_stream(key, io.BytesIO(data), io.BytesIO(), max_bytes=STREAM_BYTES)
    ours = STREAM_BYTES / (time.perf_counter() - start) / 1e6

    chunk = 64 * 1024
    start = time.perf_counter()
    state = bindings.crypto_secretstream_xchacha20poly1305_state()
    bindings.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    sink = io.BytesIO()
    for offset in range(0, STREAM_BYTES, chunk):
        last = offset + chunk >= STREAM_BYTES
        tag = (
            bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL
            if last
            else bindings.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
        )
        sink.write(
            bindings.crypto_secretstream_xchacha20poly1305_push(
                state, data[offset : offset + chunk], None, tag
            )
        )
    raw = STREAM_BYTES / (time.perf_counter() - start) / 1e6
    return ours, raw


def _oprf() -> tuple[float, float]:
    secret_key, _public = oprf.generate_key_pair()
    count = 500
    start = time.perf_counter()
    for index in range(count):
        oprf.evaluate(secret_key, f"+4915112345{index:03d}".encode())
    ours = count / (time.perf_counter() - start)

    point = pysodium.crypto_core_ristretto255_random()
    start = time.perf_counter()
    for _ in range(count):
        pysodium.crypto_scalarmult_ristretto255(secret_key, point)
    raw = count / (time.perf_counter() - start)
    return ours, raw


def _argon2() -> tuple[float, float]:
    salt = new_salt()
    ours = percentile_ms(
        lambda: derive_wrapping_key("correct horse battery", salt),
        repeat=10,
    )
    other = percentile_ms(
        lambda: hash_secret_raw(
            b"correct horse battery",
            salt,
            time_cost=DEFAULT_COST.opslimit,
            memory_cost=DEFAULT_COST.memlimit // 1024,
            parallelism=1,
            hash_len=32,
            type=Type.ID,
        ),
        repeat=10,
    )
    return ours, other


def run() -> list[Figure]:
    seal, raw_seal, unseal, raw_open = _envelope()
    stream, raw_stream = _stream()
    evaluations, raw_multiplications = _oprf()
    argon2, other_argon2 = _argon2()
    cost = f"{DEFAULT_COST.opslimit} passes, {DEFAULT_COST.memlimit >> 20} MiB"
    return [
        Figure(
            "seal 10 KB to one reader, p50",
            seal,
            "ms",
            "libsodium AEAD + box_seal",
            raw_seal,
        ),
        Figure(
            "open 10 KB as that reader, p50",
            unseal,
            "ms",
            "libsodium box_seal_open + AEAD",
            raw_open,
        ),
        Figure(
            "stream encryption, 50 MB",
            stream,
            "MB/s",
            "libsodium secretstream loop",
            raw_stream,
        ),
        Figure(
            "OPRF evaluations",
            evaluations,
            "per s",
            "ristretto255 scalar mults",
            raw_multiplications,
        ),
        Figure(
            f"Argon2id key derivation ({cost}), p50",
            argon2,
            "ms",
            "argon2-cffi, same cost",
            other_argon2,
        ),
    ]
