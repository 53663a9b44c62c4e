"""faced.crypto stays pure: no Django, and no other part of faced.

The cryptography must be readable, testable and reviewable on its own; an
import of Django or of an app would pull the whole project into every
review of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from faced.tests.purity import (
    STANDARD_LIBRARY,
    django_modules_loaded_by,
    module_imports_outside,
    module_name,
    planted_imports_let_through,
)

CRYPTO_DIR = Path(__file__).resolve().parent.parent

# Every crypto module: the standard library, the libsodium bindings, the
# JSON canonicalization, and one another.
ALLOWED = STANDARD_LIBRARY | {"nacl", "pysodium", "rfc8785", "faced.crypto"}

# The OPRF and its group are held to a shorter list, so that their review
# covers everything they depend on.
OPRF_ALLOWED = {
    "collections.abc",
    "faced.crypto.ristretto255",
    "hashlib",
    "hmac",
    "pysodium",
    "secrets",
}


def crypto_modules() -> list[Path]:
    """Every Python module of faced.crypto, tests excluded."""
    return sorted(
        path
        for path in CRYPTO_DIR.rglob("*.py")
        if "tests" not in path.relative_to(CRYPTO_DIR).parts
    )


class PurityTests:
    def test_it_finds_the_modules(self) -> None:
        """The walk sees the crypto modules (so an empty walk cannot pass)."""
        names = {module_name(path) for path in crypto_modules()}
        assert {
            "faced.crypto",
            "faced.crypto.envelope",
            "faced.crypto.stream",
            "faced.crypto.signing",
            "faced.crypto.shamir",
        } <= names

    def test_it_imports_neither_django_nor_other_apps(self) -> None:
        """No crypto module imports anything but the standard library,
        libsodium's bindings, rfc8785 and faced.crypto."""
        offences = [
            offence
            for path in crypto_modules()
            for offence in module_imports_outside(path, ALLOWED)
        ]
        assert offences == []
        assert planted_imports_let_through(ALLOWED) == set()

    @pytest.mark.parametrize("module", ["oprf.py", "ristretto255.py"])
    def test_the_oprf_imports_only_what_it_names(self, module: str) -> None:
        """oprf and ristretto255 import only a few standard modules,
        pysodium and each other."""
        assert module_imports_outside(CRYPTO_DIR / module, OPRF_ALLOWED) == []
        assert planted_imports_let_through(OPRF_ALLOWED) == set()

    def test_it_loads_without_django_in_a_fresh_interpreter(self) -> None:
        """Importing every crypto module loads no Django at all."""
        names = [module_name(path) for path in crypto_modules()]
        assert django_modules_loaded_by(*names) == []
