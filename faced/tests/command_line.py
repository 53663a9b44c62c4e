"""faced run from its command line, in a process of its own: how the
settings tests see what faced does with an environment.

A plain module rather than a fixture: the mail settings tests call it
from a helper of their own."""

import os
import subprocess
import sys


def run_faced(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `python -m faced ARGS` with nothing in its environment but the
    path, the ledger's key file and ENV."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "faced", *args],
        env={
            "PATH": os.environ["PATH"],
            "FACED_LEDGER_KEY_FILE": os.environ["FACED_LEDGER_KEY_FILE"],
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
