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
from collections.abc import Callable, Mapping, Sequence

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
# An act signed by the person the event names in ACTOR_FIELDS, with the
# signing key the log established for them.
PERSON = "person"
# The field of "case_submitted" that declares the case's own key.
SURVIVOR_KEY = "survivor_key"

# Which events are acts, and who must have signed each. Written out once:
# the server, `faced ledger verify`, the case pages and a member's monitor
# all read this table.
ACTS: dict[str, str] = {
    "panel_assigned": PERSON,
    "conflict_declared": PERSON,
    "case_acknowledged": PERSON,
    "case_opened": PERSON,
    "finding_drafted": PERSON,
    "panel_record_added": PERSON,
    "measure_acknowledged": PERSON,
    "deadlines_set": PERSON,
    "match_opened": PERSON,
    "appeal_panel_assigned": PERSON,
    "decision_drafted": PERSON,
    "panel_records_shared": PERSON,
    "case_submitted": SURVIVOR,
    "case_withdrawn": SURVIVOR,
    "case_paused": SURVIVOR,
    "case_resumed": SURVIVOR,
    "path_agreed": SURVIVOR,
    "deadline_missed": SERVER,
}


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


def _decoded_key(text: object) -> bytes | None:
    if not isinstance(text, str):
        return None
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == VERIFY_KEY_BYTES else None


class ActChecker:
    """Checks the acts of a log, or of one case's history, entry by entry
    in order: each act must name the signer the table expects and carry
    that signer's signature over its statement.

    LEAF_HASH_AT gives the leaf hash of an earlier entry by its sequence
    (None when it is not there), for the statement's "follows". A checker
    that reads the whole log learns people's keys from their
    "keys_created" entries as it goes; one that reads a single case's
    history asks PERSON_KEY (person, sequence) for the signing key the log
    established for that person before that entry, and is told whether
    the log held a signed report before it (SIGNED_REPORTS_BEFORE)."""

    def __init__(
        self,
        *,
        origin: str,
        server_key: bytes,
        leaf_hash_at: Callable[[int], bytes | None],
        person_key: Callable[[str, int], bytes | None] | None = None,
        signed_reports_before: bool = False,
    ) -> None:
        self._origin = origin
        self._server_key = server_key
        self._leaf_hash_at = leaf_hash_at
        self._person_key = person_key
        # Each case's own key, from its submission; None for a case
        # reported before faced signed acts (it declared no key).
        self._survivor_keys: dict[object, bytes | None] = {}
        # A checker of one case's history is told whether the log held a
        # signed report before it: an unsigned report after one is forged.
        self._signed_reports_seen = signed_reports_before
        # The latest entry seen about each subject (a case, or a person's
        # keys).
        self._last_about: dict[str, int] = {}
        # Each person's signing key, as the log established it.
        self._person_keys: dict[object, bytes | None] = {}

    def check(
        self, *, sequence: int, event_type: str, event: Mapping[str, object]
    ) -> str | None:
        """What does not hold about entry SEQUENCE as an act, or None.
        Every entry of the log (or of the case) is passed in order, acts
        or not, so that each act's place in its subject's history is
        known."""
        subject = event.get(
            "person" if event_type == "keys_created" else "case"
        )
        before = None
        if isinstance(subject, str):
            before = self._last_about.get(subject)
            self._last_about[subject] = sequence
        if (event_type in ACTS or event_type == "keys_created") and event.get(
            "previous"
        ) != before:
            # A genuine act copied later with its own "previous" kept
            # would still carry a signature that holds: its place in the
            # subject's history is what gives it away.
            return (
                f"entry {sequence} ({event_type}) says it follows entry "
                f"{event.get('previous')}, but the entry before it about "
                f"{subject} is {before}: an act was copied or moved behind "
                "faced's back."
            )
        if event_type == "keys_created":
            return self._check_keys(sequence, event)
        expected = ACTS.get(event_type)
        if expected is None:
            return None
        case = event.get("case")
        if event_type == "case_submitted":
            if case in self._survivor_keys:
                return (
                    f"entry {sequence} submits a report that was submitted "
                    "already: it was added behind faced's back."
                )
            if (
                SURVIVOR_KEY not in event
                and SIGNER not in event
                and not self._signed_reports_seen
            ):
                # Reported before faced signed acts: nothing to check,
                # and nothing this case's survivor does can be shown to
                # be theirs. Once one report in the log is signed, every
                # later one must be.
                self._survivor_keys[case] = None
                return None
            key = _decoded_key(event.get(SURVIVOR_KEY))
        elif expected == SURVIVOR:
            if case not in self._survivor_keys:
                return (
                    f"entry {sequence} ({event_type}) is about a report "
                    "whose submission is not in the log before it."
                )
            key = self._survivor_keys[case]
            if key is None:
                return (
                    f"entry {sequence} ({event_type}) cannot be shown to be "
                    "the survivor's: the report was made before faced "
                    "signed what survivors do."
                )
        elif expected == PERSON:
            actor = event.get(ACTOR_FIELDS[event_type])
            key = self._person_keys.get(actor)
            if key is None and self._person_key and isinstance(actor, str):
                key = self._person_key(actor, sequence)
            if event.get(SIGNER) != actor or key is None:
                return (
                    f"entry {sequence} ({event_type}) is not signed by "
                    f"{actor}, whom it names, with a key the log holds for "
                    "them: it was added or changed behind faced's back."
                )
            return self._signature_problem(
                sequence, event_type, event, key, _WHO[PERSON]
            )
        else:
            key = self._server_key
        signer = event.get(SIGNER)
        if signer != expected or key is None:
            return (
                f"entry {sequence} ({event_type}) does not name "
                f"{_WHO[expected]} as its signer: it was added or changed "
                "behind faced's back."
            )
        problem = self._signature_problem(
            sequence, event_type, event, key, _WHO[expected]
        )
        if problem is not None:
            return problem
        if event_type == "case_submitted":
            self._survivor_keys[case] = key
            self._signed_reports_seen = True
        return None

    def _signature_problem(
        self,
        sequence: int,
        event_type: str,
        event: Mapping[str, object],
        key: bytes,
        who: str,
    ) -> str | None:
        """Whether KEY's signature over the act holds; what fails if not."""
        previous = event.get("previous")
        follows = (
            self._leaf_hash_at(previous) if isinstance(previous, int) else None
        )
        if isinstance(previous, int) and follows is None:
            return (
                f"entry {sequence} ({event_type}) follows entry {previous}, "
                "which is not in the log."
            )
        statement = act_statement(
            origin=self._origin,
            event_type=event_type,
            event=event,
            follows=follows,
        )
        if not act_signature_holds(key, statement, event.get(SIGNATURE)):
            return (
                f"entry {sequence} ({event_type}) is not signed by {who}: it "
                "was added or changed behind faced's back."
            )
        return None

    def _check_keys(
        self, sequence: int, event: Mapping[str, object]
    ) -> str | None:
        """A person's first keys are taken on first use; any later keys must
        be signed with the key established before them."""
        person = event.get("person")
        new_key = _decoded_key(event.get("verify_key"))
        known = self._person_keys.get(person)
        if person not in self._person_keys:
            self._person_keys[person] = new_key
            return None
        if known is None or event.get(SIGNER) != person:
            return (
                f"entry {sequence} gives {person} new keys without their "
                "previous key's signature: keys swapped behind faced's back "
                "do not count, and nothing is sealed to them."
            )
        problem = self._signature_problem(
            sequence, "keys_created", event, known, _WHO[PERSON]
        )
        if problem is None:
            self._person_keys[person] = new_key
        return problem


# The field naming the person who did each PERSON act.
ACTOR_FIELDS: dict[str, str] = {
    "panel_assigned": "by",
    "conflict_declared": "person",
    "case_acknowledged": "by",
    "case_opened": "person",
    "finding_drafted": "by",
    "panel_record_added": "by",
    "measure_acknowledged": "by",
    "deadlines_set": "by",
    "match_opened": "by",
    "appeal_panel_assigned": "by",
    "decision_drafted": "by",
    "panel_records_shared": "by",
    "keys_created": "person",
}


def established_keys(
    history: Sequence[tuple[int, Mapping[str, object], bytes]],
    *,
    origin: str,
) -> dict[str, object] | None:
    """The keys the log established for one person, from their
    "keys_created" entries in order (each: sequence, event, leaf hash).

    The first is taken on first use. A later one counts only as an act of
    the person signed with the key established before it (a rotation):
    one appended by anyone else, a database writer included, changes
    nothing. None when the log has no keys for them."""
    established: dict[str, object] | None = None
    hashes = {sequence: leaf for sequence, _event, leaf in history}
    for _sequence, event, _leaf in history:
        if established is None:
            established = dict(event)
            continue
        key = _decoded_key(established.get("verify_key"))
        previous = event.get("previous")
        follows = hashes.get(previous) if isinstance(previous, int) else None
        statement = act_statement(
            origin=origin,
            event_type="keys_created",
            event=event,
            follows=follows,
        )
        if (
            key is not None
            and event.get(SIGNER) == event.get("person")
            and act_signature_holds(key, statement, event.get(SIGNATURE))
        ):
            established = dict(event)
    return established


_WHO = {
    SURVIVOR: "the survivor's own key for this report",
    SERVER: "this server's log key",
    PERSON: "the person it names, with the key the log established for them",
}
