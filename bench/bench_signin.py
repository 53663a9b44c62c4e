"""Pages and sign-in: what every request and every sign-in costs."""

from argon2 import PasswordHasher
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.test import Client

from bench.figures import Figure, percentile_ms


def run() -> list[Figure]:
    client = Client()
    for path in ("/", "/healthz"):
        status = client.get(path).status_code
        if status != 200:
            raise RuntimeError(f"{path} answered {status}, not 200")
    landing = percentile_ms(lambda: client.get("/"), repeat=200)
    health = percentile_ms(lambda: client.get("/healthz"), repeat=200)

    # The production cost, whatever the benchmark's settings say.
    django_hasher = Argon2PasswordHasher()
    encoded = make_password("correct horse battery", hasher=django_hasher)
    check = percentile_ms(
        lambda: django_hasher.verify("correct horse battery", encoded),
        repeat=20,
    )
    raw = PasswordHasher(
        time_cost=django_hasher.time_cost,
        memory_cost=django_hasher.memory_cost,
        parallelism=django_hasher.parallelism,
    )
    raw_hash = raw.hash("correct horse battery")
    raw_check = percentile_ms(
        lambda: raw.verify(raw_hash, "correct horse battery"), repeat=20
    )
    return [
        Figure("landing page, p50", landing, "ms", "health check p50", health),
        Figure(
            "password check (Argon2id, production cost), p50",
            check,
            "ms",
            "argon2-cffi alone, same cost",
            raw_check,
        ),
    ]
