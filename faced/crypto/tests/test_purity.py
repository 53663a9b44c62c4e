"""faced.crypto stays pure: no Django, and no other part of faced.

The cryptography must be readable, testable and reviewable on its own; an
import of Django or of an app would pull the whole project into every
review of it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CRYPTO_DIR = Path(__file__).resolve().parent.parent
PROJECT_ROOT = CRYPTO_DIR.parent.parent


def crypto_modules() -> list[Path]:
    """Every Python module of faced.crypto, tests excluded."""
    return sorted(
        path
        for path in CRYPTO_DIR.rglob("*.py")
        if "tests" not in path.relative_to(CRYPTO_DIR).parts
    )


def module_name(path: Path) -> str:
    relative = path.relative_to(PROJECT_ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path) -> list[str]:
    """The absolute module names PATH imports, relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                if node.level > 1:
                    base = base[: -(node.level - 1)]
                prefix = ".".join(base)
                module = f"{prefix}.{node.module}" if node.module else prefix
            else:
                module = node.module or ""
            names.append(module)
            # "from faced import vault" imports faced.vault.
            names.extend(f"{module}.{alias.name}" for alias in node.names)
    return names


def is_forbidden(name: str) -> bool:
    top = name.split(".")[0]
    if top == "django":
        return True
    if top == "faced":
        return not (name == "faced.crypto" or name.startswith("faced.crypto."))
    return False


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
        """No crypto module imports django or faced.* outside faced.crypto."""
        offences = [
            f"{path.relative_to(PROJECT_ROOT)} imports {name}"
            for path in crypto_modules()
            for name in imported_names(path)
            if is_forbidden(name)
        ]
        assert offences == []

    def test_it_recognizes_forbidden_imports(self) -> None:
        """The rule itself catches what it is meant to catch."""
        assert is_forbidden("django")
        assert is_forbidden("django.conf")
        assert is_forbidden("faced.vault.models")
        assert is_forbidden("faced.settings")
        assert not is_forbidden("faced.crypto.envelope")
        assert not is_forbidden("nacl.bindings")
        assert not is_forbidden("djangoish")

    def test_it_loads_without_django_in_a_fresh_interpreter(self) -> None:
        """Importing every crypto module loads no Django at all."""
        names = [module_name(path) for path in crypto_modules()]
        script = (
            "import importlib, sys\n"
            f"for name in {names!r}:\n"
            "    importlib.import_module(name)\n"
            "loaded = sorted(m for m in sys.modules\n"
            "                if m == 'django' or m.startswith('django.'))\n"
            "assert not loaded, loaded\n"
            "print('ok')\n"
        )
        completed = subprocess.run(  # noqa: S603 (a fixed script, no shell)
            [sys.executable, "-c", script],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.strip() == "ok"
