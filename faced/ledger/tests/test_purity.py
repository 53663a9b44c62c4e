"""The ledger's pure modules import nothing of Django or of faced's apps.

merkle.py, note.py and watch.py are what a member runs on their own
computer to check the log; they must work without Django, a database or a
secret key, and be reviewable on their own.
"""

import ast
import subprocess
import sys
from pathlib import Path

LEDGER_DIR = Path(__file__).resolve().parent.parent
PURE = ("merkle", "note", "watch", "bundle")
ALLOWED_FACED = {
    "faced",
    "faced.ledger",
    "faced.ledger.merkle",
    "faced.ledger.note",
    "faced.crypto.signing",
}


class LedgerPurityTests:
    def test_it_imports_no_django_or_app(self):
        for name in PURE:
            tree = ast.parse((LEDGER_DIR / f"{name}.py").read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    modules = [node.module or ""]
                else:
                    continue
                for module in modules:
                    assert not module.startswith("django"), (name, module)
                    if module.startswith("faced"):
                        assert module in ALLOWED_FACED, (name, module)

    def test_the_watcher_runs_without_django(self):
        """`python -m faced.ledger.watch --help` works, and loading it
        brings in no part of Django."""
        code = (
            "import sys, faced.ledger.watch, faced.ledger.note, "
            "faced.ledger.merkle; "
            "sys.exit(1 if any(m.startswith('django') for m in sys.modules) "
            "else 0)"
        )
        assert subprocess.run([sys.executable, "-c", code]).returncode == 0  # noqa: S603
        result = subprocess.run(
            [sys.executable, "-m", "faced.ledger.watch", "--help"],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0
        assert "--state" in result.stdout
