"""Signed acts: each ledger entry that records what somebody did carries
that somebody's Ed25519 signature over a statement of the act.

The ledger alone proves that the log only grew. An act's signature proves
more: that the person it names did what it says, with a key only their
password (or receipt) unlocks. Someone who can write the database can
append a row, but cannot make it say that a survivor withdrew or that a
committee member declared a conflict.

The statement signed is the RFC 8785 canonical JSON of

    {"act": "faced-act/1", "origin": <the log's origin>,
     "type": <event type>, "event": <every event field but the signature>,
     "follows": <hex leaf hash of the entry before it about the same
                 subject, or null>}

The origin keeps a signature from being replayed into another
deployment's log; "follows" keeps it from being replayed elsewhere in
this one: an act is bound to the exact history of its subject before it.

Who signs is the event's "signer" field:

- "person/<id>": the person's signing key, as the ledger established it;
- "survivor": the key made for that one case, declared (and used) by the
  case's "case_submitted" entry, so that the ledger never links two
  reports of one person;
- "server": the log key, for what only the server can state (a deadline
  passed); a reader knows it is the server's word, not a person's.

Pure: no Django, so that a member's monitor (watch.py) checks acts with
the same code that signs them.
"""

import base64
import binascii
from collections.abc import Mapping

from faced.crypto.signing import (
    VERIFY_KEY_BYTES,
    canonical_json,
    sign_bytes,
    verify_bytes,
)

STATEMENT_VERSION = "faced-act/1"
SIGNER = "signer"
SIGNATURE = "signature"
SURVIVOR = "survivor"
SERVER = "server"


def act_statement(
    *,
    origin: str,
    event_type: str,
    event: Mapping[str, object],
    follows: bytes | None,
) -> bytes:
    """The bytes an act's signer signs (see the module's docstring)."""
    return canonical_json(
        {
            "act": STATEMENT_VERSION,
            "origin": origin,
            "type": event_type,
            "event": {
                name: value
                for name, value in event.items()
                if name != SIGNATURE
            },
            "follows": None if follows is None else follows.hex(),
        }
    )


def act_sign(seed: bytes, statement: bytes) -> str:
    """The base64 signature the event carries."""
    return base64.b64encode(sign_bytes(seed, statement)).decode("ascii")


def act_signature_holds(
    verify_key: bytes, statement: bytes, signature: object
) -> bool:
    """Whether SIGNATURE (as the event carries it) is VERIFY_KEY's over
    STATEMENT. Anything malformed simply does not hold."""
    if not isinstance(signature, str) or len(verify_key) != VERIFY_KEY_BYTES:
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    return verify_bytes(verify_key, statement, raw)
