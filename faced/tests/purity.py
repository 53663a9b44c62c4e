"""What a module imports, read from its source: the check behind every
purity test.

The pure modules (faced.crypto, the ledger's verifier, the matching rules
and the keyserver) must import nothing of Django or of faced's other apps,
so that each can be reviewed, and run, on its own. Each purity test states
by hand which modules its subject may import; this module finds every
import in the source wherever it stands (in a function, a class, a try
block) and resolves relative imports against the module's package, so that
`from ..vault import models` is judged as faced.vault.models instead of
slipping past a check of absolute names.

It imports nothing of Django or of faced, so that the tests of the pure
modules stay as pure as what they test.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

# The top-level names of Python's own library, for rules that allow it.
STANDARD_LIBRARY = frozenset(sys.stdlib_module_names)


@dataclass(frozen=True)
class Import:
    """One name a source imports, as an absolute dotted name."""

    name: str
    line: int

    def __str__(self) -> str:
        return f"line {self.line}: {self.name}"


def module_name(path: Path) -> str:
    """The dotted name of the module at PATH, a file of this project."""
    parts = list(
        path.resolve().relative_to(PROJECT_ROOT).with_suffix("").parts
    )
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(path: Path) -> str:
    """The package that relative imports in the module at PATH start from."""
    name = module_name(path)
    if path.name == "__init__.py":
        return name
    return name.rpartition(".")[0]


def _resolve(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".") if package else []
    if node.level - 1 >= len(base):
        # Beyond the top-level package: Python refuses it, and no rule
        # allows a name that still starts with dots.
        return "." * node.level + (node.module or "")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_in(source: str, *, package: str) -> list[Import]:
    """Every import in SOURCE, wherever it stands, with relative imports
    resolved against PACKAGE (the package of the source's module).

    `from a import b` counts as the name a.b: b may be a submodule, so a
    rule that allows the module a.b must not by that allow a.c.
    """
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(
                Import(alias.name, node.lineno) for alias in node.names
            )
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(node, package)
            # An unresolved relative name already ends in its dots.
            prefix = module if module.endswith(".") else f"{module}."
            found.extend(
                Import(f"{prefix}{alias.name}", node.lineno)
                for alias in node.names
            )
    return found


def is_allowed(name: str, allowed: Iterable[str]) -> bool:
    """Whether NAME is one of ALLOWED or lies inside one of them (a.b.c
    lies inside a.b, but a.bc does not)."""
    return any(
        name == entry or name.startswith(f"{entry}.") for entry in allowed
    )


def imports_outside(
    source: str, *, package: str, allowed: Iterable[str]
) -> list[Import]:
    """Every import in SOURCE that ALLOWED does not allow."""
    allowed = frozenset(allowed)
    return [
        found
        for found in imports_in(source, package=package)
        if not is_allowed(found.name, allowed)
    ]


def module_imports_outside(path: Path, allowed: Iterable[str]) -> list[str]:
    """Every import of the module at PATH that ALLOWED does not allow, as
    lines that say where (empty when the module keeps to its rule)."""
    where = path.resolve().relative_to(PROJECT_ROOT)
    return [
        f"{where} {found}"
        for found in imports_outside(
            path.read_text(encoding="utf-8"),
            package=package_of(path),
            allowed=allowed,
        )
    ]


def django_modules_loaded_by(*modules: str) -> list[str]:
    """The Django modules a fresh interpreter holds after importing
    MODULES: what a purity rule read from the source could not see (an
    import made by a module the rule allows)."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = [m for m in sys.modules\n"
        "          if m == 'django' or m.startswith('django.')]\n"
        "print(json.dumps(sorted(loaded)))\n"
    )
    completed = subprocess.run(  # noqa: S603 (a fixed script, no shell)
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(completed.stderr)
    loaded: list[str] = json.loads(completed.stdout)
    return loaded


# The positive control of every purity rule: a module of faced.vault (an
# app no pure module may import) that imports Django by its absolute name,
# its own app by relative names, and another app inside a function, where
# a check of the module's top level alone would not look.
PLANTED_PACKAGE = "faced.vault"
PLANTED_SOURCE = """\
import django.conf
from . import models
from .services import record_create


def later():
    from faced.cases import selectors
"""
PLANTED_FORBIDDEN = frozenset(
    {
        "django.conf",
        "faced.vault.models",
        "faced.vault.services.record_create",
        "faced.cases.selectors",
    }
)


def planted_imports_let_through(allowed: Iterable[str]) -> set[str]:
    """The planted forbidden imports that ALLOWED lets through: empty for
    a rule that keeps Django and the apps out."""
    caught = {
        found.name
        for found in imports_outside(
            PLANTED_SOURCE, package=PLANTED_PACKAGE, allowed=allowed
        )
    }
    return set(PLANTED_FORBIDDEN - caught)
