"""The matching escrow's pure modules import nothing of Django or of
faced's apps.

normalize.py holds the identifier rules, to be read and reviewed on their
own; keyserver.py runs on a machine with no settings, database or secret
key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from faced.tests.purity import (
    STANDARD_LIBRARY,
    django_modules_loaded_by,
    module_imports_outside,
    planted_imports_let_through,
)

MATCHING_DIR = Path(__file__).resolve().parent.parent

# What each pure module may import, by hand.
ALLOWED = {
    "normalize": STANDARD_LIBRARY | {"phonenumbers"},
    # waitress only when serving, imported inside the function that serves.
    "keyserver": STANDARD_LIBRARY
    | {"faced.crypto.oprf", "faced.crypto.ristretto255", "waitress"},
}


class MatchingPurityTests:
    @pytest.mark.parametrize("name", sorted(ALLOWED))
    def test_it_imports_neither_django_nor_other_apps(self, name: str) -> None:
        """Each pure module imports only what its rule names."""
        allowed = ALLOWED[name]
        path = MATCHING_DIR / f"{name}.py"
        assert module_imports_outside(path, allowed) == []
        assert planted_imports_let_through(allowed) == set()

    def test_it_loads_without_django_in_a_fresh_interpreter(self) -> None:
        """Importing the pure modules loads no Django at all."""
        modules = [f"faced.matching.{name}" for name in sorted(ALLOWED)]
        assert django_modules_loaded_by(*modules) == []
