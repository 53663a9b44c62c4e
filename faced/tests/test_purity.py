"""The purity check itself: it finds every import a pure module could use
to bring in Django or an app, however it is written."""

from __future__ import annotations

from collections.abc import Iterable

from faced.tests.purity import (
    PLANTED_FORBIDDEN,
    PLANTED_PACKAGE,
    PLANTED_SOURCE,
    PROJECT_ROOT,
    STANDARD_LIBRARY,
    Import,
    django_modules_loaded_by,
    imports_in,
    imports_outside,
    is_allowed,
    package_of,
    planted_imports_let_through,
)

CRYPTO = PROJECT_ROOT / "faced" / "crypto"


def names_outside(source: str, allowed: Iterable[str]) -> set[str]:
    return {
        found.name
        for found in imports_outside(
            source, package="faced.crypto", allowed=allowed
        )
    }


class PurityCheckTests:
    def test_it_flags_every_planted_import(self) -> None:
        """Given the planted module, when it is checked against a rule
        that allows only the standard library, then its Django import,
        both relative imports and the import inside a function are all
        flagged."""
        flagged = imports_outside(
            PLANTED_SOURCE, package=PLANTED_PACKAGE, allowed=STANDARD_LIBRARY
        )
        assert {found.name for found in flagged} == PLANTED_FORBIDDEN
        assert planted_imports_let_through(STANDARD_LIBRARY) == set()

    def test_it_reports_what_a_loose_rule_lets_through(self) -> None:
        """A rule that allows the app the planted module imports lets
        those imports through, and the control says so."""
        assert planted_imports_let_through({"faced.vault"}) == {
            "faced.vault.models",
            "faced.vault.services.record_create",
        }

    def test_it_resolves_relative_imports_against_the_package(self) -> None:
        """`from . import x`, `from .x import y` and `from .. import x`
        are judged by the absolute names they stand for."""
        source = (
            "from . import envelope\n"
            "from .keys import PersonKeys\n"
            "from .. import vault\n"
            "from ..ledger.services import ledger_append\n"
        )
        assert names_outside(source, {"faced.crypto"}) == {
            "faced.vault",
            "faced.ledger.services.ledger_append",
        }

    def test_it_refuses_a_relative_import_beyond_the_top(self) -> None:
        """An import that climbs above `faced` matches no rule."""
        assert names_outside("from ... import x\n", {"faced"}) == {"...x"}

    def test_it_finds_imports_wherever_they_stand(self) -> None:
        """Imports in functions, methods, classes, try blocks and
        type-checking blocks count as much as those at the top."""
        source = (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    import django.http\n"
            "try:\n"
            "    import django.conf\n"
            "except ImportError:\n"
            "    pass\n"
            "class Reader:\n"
            "    import django.db\n"
            "    def open(self):\n"
            "        from django.utils import timezone\n"
        )
        assert names_outside(source, STANDARD_LIBRARY) == {
            "django.http",
            "django.conf",
            "django.db",
            "django.utils.timezone",
        }

    def test_it_names_each_import_with_its_line(self) -> None:
        """Each finding says where it stands; `import a.b as c` is a.b."""
        source = "import hashlib\n\nimport nacl.public as public\n"
        assert imports_in(source, package="faced.crypto") == [
            Import("hashlib", 1),
            Import("nacl.public", 3),
        ]

    def test_it_allows_only_what_lies_inside_an_allowed_name(self) -> None:
        """An allowed package allows its modules; an allowed module allows
        its names but not its siblings; a shared prefix is not enough."""
        assert is_allowed("faced.crypto.envelope", {"faced.crypto"})
        assert is_allowed(
            "faced.crypto.signing.sign", {"faced.crypto.signing"}
        )
        assert not is_allowed(
            "faced.crypto.envelope", {"faced.crypto.signing"}
        )
        assert not is_allowed("faced.cryptography", {"faced.crypto"})
        assert not is_allowed("djangoish", {"django"})
        assert names_outside(
            "from faced import vault\n", {"faced.crypto"}
        ) == {"faced.vault"}

    def test_it_finds_the_package_of_a_module_and_of_a_package(self) -> None:
        """Relative imports start from the module's package, which for an
        __init__.py is the package itself."""
        assert package_of(CRYPTO / "keys.py") == "faced.crypto"
        assert package_of(CRYPTO / "__init__.py") == "faced.crypto"

    def test_it_sees_django_loaded_in_a_fresh_interpreter(self) -> None:
        """The runtime check reports Django when it is loaded, and nothing
        when it is not."""
        assert "django.conf" in django_modules_loaded_by("django.conf")
        assert django_modules_loaded_by("json") == []
