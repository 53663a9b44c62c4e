"""The deployment's log key, which signs checkpoints.

It is made once, at install (`faced ledger init`), kept in a secret file
(FACED_LEDGER_KEY_FILE) and never in the database: a database thief must
not be able to sign a rewritten history. Its verifier key is published at
/ledger/key so that anyone can check checkpoints.
"""

import os
from functools import cache
from pathlib import Path

from django.conf import settings
from nacl.signing import SigningKey

from faced.ledger.note import (
    generate_signer_key,
    parse_signer_key,
    verifier_key,
)


class LogKeyMissing(RuntimeError):
    pass


def log_key_path() -> Path:
    return Path(settings.LEDGER_KEY_FILE)


@cache
def _load(path: str, mtime_ns: int) -> tuple[str, bytes]:
    return parse_signer_key(Path(path).read_text(encoding="utf-8").strip())


def log_signer() -> tuple[str, bytes]:
    """The log's name (its origin) and signing seed."""
    path = log_key_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise LogKeyMissing(
            f"The ledger's signing key is missing ({path}). Create it once, "
            "at install, with `faced ledger init`, and keep the file secret "
            "and backed up."
        ) from None
    return _load(str(path), mtime)


def log_public_key() -> bytes:
    _name, seed = log_signer()
    return bytes(SigningKey(seed).verify_key)


def log_verifier_key() -> str:
    name, _seed = log_signer()
    return verifier_key(name, log_public_key())


def log_key_create(origin: str) -> Path:
    """Write a new log key, readable only by faced's user. Refuses to
    replace one: a new key would orphan every checkpoint signed so far."""
    path = log_key_path()
    if path.exists():
        raise FileExistsError(
            f"{path} exists already; faced never replaces a log key."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as key_file:
        key_file.write(generate_signer_key(origin) + "\n")
    return path
