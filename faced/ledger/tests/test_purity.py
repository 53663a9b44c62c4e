"""The ledger's pure modules import nothing of Django or of faced's apps.

merkle.py, note.py, watch.py and bundle.py are what a member or a survivor
runs on their own computer to check the log and their proofs; they must
work without Django, a database or a secret key, and be reviewable on
their own.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from faced.tests.purity import (
    STANDARD_LIBRARY,
    django_modules_loaded_by,
    module_imports_outside,
    planted_imports_let_through,
)

LEDGER_DIR = Path(__file__).resolve().parent.parent

# What each pure module may import, by hand.
ALLOWED = {
    # RFC 9162 over hashlib, nothing else.
    "merkle": {"__future__", "hashlib", "collections.abc", "typing"},
    "note": STANDARD_LIBRARY | {"nacl"},
    "watch": STANDARD_LIBRARY | {"faced.ledger.merkle", "faced.ledger.note"},
    # The statement an actor signs, over faced's own signing module.
    "acts": STANDARD_LIBRARY | {"faced.crypto.signing"},
    # PyNaCl only through faced's own users of it.
    "bundle": STANDARD_LIBRARY
    | {"faced.crypto.signing", "faced.ledger.merkle", "faced.ledger.note"},
}


class LedgerPurityTests:
    @pytest.mark.parametrize("name", sorted(ALLOWED))
    def test_it_imports_no_django_or_app(self, name):
        """Each pure module imports only what its rule names."""
        allowed = ALLOWED[name]
        assert module_imports_outside(LEDGER_DIR / f"{name}.py", allowed) == []
        assert planted_imports_let_through(allowed) == set()

    def test_the_watcher_runs_without_django(self):
        """`python -m faced.ledger.watch --help` works, and loading the
        pure modules brings in no part of Django."""
        modules = [f"faced.ledger.{name}" for name in sorted(ALLOWED)]
        assert django_modules_loaded_by(*modules) == []
        result = subprocess.run(
            [sys.executable, "-m", "faced.ledger.watch", "--help"],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0
        assert "--state" in result.stdout
