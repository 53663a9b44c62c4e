"""A survivor's proof bundles, checked against a real log built in memory:
a bundle that holds is accepted with when and where its record was saved
(or its entry written), and every kind of tampering is refused with its
own reason.

No database and no settings: the checker runs on the survivor's computer.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from faced.crypto.signing import canonical_json, verify_key_for
from faced.ledger.bundle import (
    ENTRY_FORMAT,
    FORMAT,
    BundleCheck,
    BundleInvalid,
    BundleNotJSON,
    build_bundle,
    build_entry_bundle,
    check_bundle,
    commit,
    dumps_bundle,
    main,
    new_salt,
)
from faced.ledger.merkle import InMemoryTree
from faced.ledger.note import (
    format_checkpoint,
    generate_signer_key,
    parse_signer_key,
    sign_note,
    verifier_key,
)

# A JSON object as json.loads gives it: its values are of any JSON type.
JSONObject = dict[str, Any]

ROOT = Path(__file__).resolve().parents[3]
ORIGIN = "127.0.0.1:8000/ledger"
SAVED_AT = dt.datetime(2026, 11, 25, 14, 3, 27, 123456, tzinfo=dt.UTC)
RECORD = {
    "title": "What happened in March",
    "account": "He followed me home after the meeting.",
    "people": ["the treasurer"],
    "version": 2,
}
VALID_MESSAGE = (
    "ok: this record existed on 25 November 2026 at 14:03 UTC — entry 3 "
    "of the ledger 127.0.0.1:8000/ledger, included in its checkpoint of 7 "
    "entries"
)
ENTRY_MESSAGE = (
    "ok: this entry (case_submitted) was written on 25 November 2026 at "
    '14:03 UTC — entry 3 of the ledger "127.0.0.1:8000/ledger", included '
    "in its checkpoint of 7 entries"
)


def leaf_text(
    sequence: int, moment: dt.datetime, event_type: str, event: JSONObject
) -> str:
    """An entry as faced.ledger.services.leaf_data_for writes it (that
    module needs Django, so the format is restated here)."""
    return canonical_json(
        {
            "sequence": sequence,
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "type": event_type,
            "event": event,
        }
    ).decode("utf-8")


@dataclass
class Log:
    """A ledger in memory, signed with a real log key."""

    name: str = ORIGIN
    signer: str = ""
    tree: InMemoryTree = field(default_factory=InMemoryTree)
    leaves: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.signer = self.signer or generate_signer_key(self.name)

    @property
    def seed(self) -> bytes:
        return parse_signer_key(self.signer)[1]

    @property
    def key(self) -> str:
        return verifier_key(self.name, verify_key_for(self.seed))

    def append(
        self,
        event_type: str,
        event: JSONObject,
        moment: dt.datetime = SAVED_AT,
    ) -> int:
        text = leaf_text(self.tree.size, moment, event_type, event)
        self.leaves.append(text)
        return self.tree.append(text.encode("utf-8"))

    def checkpoint(self, size: int | None = None) -> str:
        size = self.tree.size if size is None else size
        text = format_checkpoint(self.name, size, self.tree.root(size))
        return sign_note(text, self.name, self.seed)


@dataclass
class Saved:
    """One saved record version in a log."""

    log: Log
    record: JSONObject
    salt: bytes
    sequence: int

    def bundle(self, size: int | None = None) -> JSONObject:
        size = self.log.tree.size if size is None else size
        return build_bundle(
            record=self.record,
            salt=self.salt,
            sequence=self.sequence,
            leaf_data=self.log.leaves[self.sequence],
            tree_size=size,
            proof=self.log.tree.inclusion_proof(self.sequence, size),
            checkpoint_note=self.log.checkpoint(size),
            log_key=self.log.key,
        )


def save_record(
    log: Log, record: JSONObject, moment: dt.datetime = SAVED_AT
) -> Saved:
    salt = new_salt()
    sequence = log.append(
        "record_saved", {"commitment": commit(record, salt)}, moment
    )
    return Saved(log, record, salt, sequence)


def filler(log: Log, count: int) -> None:
    for _ in range(count):
        log.append("member_joined", {"member": "m-1"})


def three_entries() -> Log:
    """A log of 3 entries, the last of them the saving of a record: what
    comes before the entry a bundle proves."""
    log = Log()
    log.append("organization_created", {"name": "Branch"})
    log.append("member_joined", {"member": "m-1"})
    save_record(log, {"title": "another record"})
    return log


@pytest.fixture
def saved() -> Saved:
    """Entry 3 of a log of 7 is the saving of RECORD; entry 2 is the
    saving of another record."""
    log = three_entries()
    ours = save_record(log, dict(RECORD))
    filler(log, 3)
    return ours


@pytest.fixture
def bundle(saved: Saved) -> JSONObject:
    return saved.bundle()


def entry_bundle_of(
    log: Log, sequence: int, size: int | None = None
) -> JSONObject:
    size = log.tree.size if size is None else size
    return build_entry_bundle(
        sequence=sequence,
        leaf_data=log.leaves[sequence],
        tree_size=size,
        proof=log.tree.inclusion_proof(sequence, size),
        checkpoint_note=log.checkpoint(size),
        log_key=log.key,
    )


def submit_case(log: Log) -> int:
    return log.append(
        "case_submitted",
        {
            "case": "case/9",
            "organization": "demo",
            "acknowledge_by": "2026-12-09",
        },
    )


@pytest.fixture
def case_log() -> Log:
    """Entry 3 of a log of 7 is the submission of a case; entry 2 is the
    saving of a record."""
    log = three_entries()
    submit_case(log)
    filler(log, 3)
    return log


@pytest.fixture
def entry_bundle(case_log: Log) -> JSONObject:
    return entry_bundle_of(case_log, 3)


@pytest.fixture(params=["record", "entry"])
def either_bundle(
    request: pytest.FixtureRequest,
) -> tuple[Log, JSONObject]:
    """Entry 3 of a log of 7 in its bundle, of each kind in turn: a
    record's saving in a record's bundle, a case's submission in an
    entry's; and the log."""
    if request.param == "record":
        saved = request.getfixturevalue("saved")
        return saved.log, saved.bundle()
    log = request.getfixturevalue("case_log")
    return log, entry_bundle_of(log, 3)


def refusal(bundle: object, trusted_key: str | None = None) -> str:
    with pytest.raises(BundleInvalid) as refused:
        check_bundle(bundle, trusted_key=trusted_key)  # type: ignore[arg-type]
    return str(refused.value)


def tampered(
    bundle: JSONObject, path: tuple[str, ...], value: object
) -> JSONObject:
    changed = copy.deepcopy(bundle)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def without(bundle: JSONObject, path: tuple[str, ...]) -> JSONObject:
    changed = copy.deepcopy(bundle)
    target = changed
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return changed


def releafed(bundle: JSONObject, **changes: object) -> JSONObject:
    """BUNDLE with its ledger entry rewritten, still in canonical form."""
    leaf = json.loads(bundle["entry"]["leaf_data"])
    leaf.update(changes)
    text = canonical_json(leaf).decode("utf-8")
    return tampered(bundle, ("entry", "leaf_data"), text)


# The fields of an entry's bundle, each a path into it; a record's bundle
# holds these and its record and commitment.
ENTRY_BUNDLE_FIELDS = [
    ("entry",),
    ("entry", "sequence"),
    ("entry", "leaf_data"),
    ("inclusion",),
    ("inclusion", "tree_size"),
    ("inclusion", "proof"),
    ("checkpoint",),
    ("log_key",),
]


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


class CommitTests:
    def test_it_is_the_hmac_of_the_canonical_record_keyed_by_the_salt(self):
        """A commitment is HMAC-SHA256(salt, RFC 8785 JSON), in hex."""
        salt = bytes(range(32))
        expected = hmac.new(
            salt, b'{"a":1,"b":"\xc3\xa9"}', hashlib.sha256
        ).hexdigest()
        assert commit({"b": "é", "a": 1}, salt) == expected

    def test_it_ignores_the_order_of_fields(self):
        """The same fields in another order commit to the same value."""
        salt = new_salt()
        assert commit({"a": 1, "b": 2}, salt) == commit({"b": 2, "a": 1}, salt)

    def test_it_hides_the_record_behind_the_salt(self):
        """The same record under two salts gives unrelated commitments."""
        assert commit(RECORD, new_salt()) != commit(RECORD, new_salt())

    def test_it_makes_fresh_32_byte_salts(self):
        """Each salt is 32 random bytes."""
        salts = {new_salt() for _ in range(20)}
        assert len(salts) == 20
        assert {len(salt) for salt in salts} == {32}

    def test_it_refuses_a_short_salt(self):
        """A salt of fewer than 32 bytes is refused."""
        with pytest.raises(ValueError, match="32 bytes"):
            commit(RECORD, bytes(16))

    def test_it_refuses_what_json_cannot_hold(self):
        """NaN has no canonical JSON form, so it cannot be committed to."""
        with pytest.raises(ValueError):
            commit({"score": float("nan")}, new_salt())


class BundleCheckTests:
    def test_it_accepts_a_bundle_that_holds(self, bundle):
        """Given a bundle from the log, the check says when and where the
        record was saved."""
        result = check_bundle(bundle)
        assert result == BundleCheck(
            written_at=SAVED_AT,
            sequence=3,
            tree_size=7,
            origin=ORIGIN,
            message=VALID_MESSAGE,
            log_key=bundle["log_key"],
        )
        assert result.written_at.tzinfo == dt.UTC

    def test_it_accepts_the_bundle_as_downloaded(self, bundle):
        """The bundle's JSON text checks as the object does."""
        assert check_bundle(dumps_bundle(bundle)).message == VALID_MESSAGE

    def test_it_accepts_the_key_the_reader_trusts(self, saved, bundle):
        """Checked with the log's published key, pasted with a newline,
        the bundle holds."""
        result = check_bundle(bundle, trusted_key=f" {saved.log.key}\n")
        assert result.message == VALID_MESSAGE

    def test_it_accepts_an_earlier_checkpoint_that_includes_the_entry(
        self, saved
    ):
        """A checkpoint signed right after the saving proves it too."""
        result = check_bundle(saved.bundle(size=4))
        assert result.tree_size == 4
        assert result.message.endswith("its checkpoint of 4 entries")

    def test_it_writes_large_numbers_with_separators(self):
        """Entry 1,284 of 1,302 reads as in the ledger's own pages."""
        log = Log()
        filler(log, 1284)
        moment = dt.datetime(2026, 11, 25, 14, 3, 59, 999999, tzinfo=dt.UTC)
        ours = save_record(log, dict(RECORD), moment)
        filler(log, 17)
        assert check_bundle(ours.bundle()).message == (
            "ok: this record existed on 25 November 2026 at 14:03 UTC — "
            "entry 1,284 of the ledger 127.0.0.1:8000/ledger, included in "
            "its checkpoint of 1,302 entries"
        )

    def test_it_names_the_date_in_words(self):
        """The day has no leading zero and the month is an English word,
        whatever the computer's locale."""
        log = Log()
        moment = dt.datetime(2027, 3, 5, 9, 7, 0, 0, tzinfo=dt.UTC)
        ours = save_record(log, {"title": "first"}, moment)
        result = check_bundle(ours.bundle())
        assert result.written_at == moment
        assert result.message == (
            "ok: this record existed on 5 March 2027 at 09:07 UTC — entry 0 "
            "of the ledger 127.0.0.1:8000/ledger, included in its "
            "checkpoint of 1 entry"
        )

    def test_it_keeps_a_record_in_any_language(self):
        """A record with nested fields and non-Latin text survives the
        trip through the downloaded file."""
        log = Log()
        filler(log, 2)
        record = {
            "title": "ما حدث",
            "details": {"where": "Кафе", "when": ["2026-03-01", None]},
            "score": 0.5,
            "urgent": True,
        }
        text = dumps_bundle(save_record(log, record).bundle())
        assert "ما حدث" in text
        assert check_bundle(text).sequence == 2

    def test_it_writes_the_file_with_sorted_keys_and_a_newline(self, bundle):
        """The downloaded file is stable JSON ending in a newline."""
        text = dumps_bundle(bundle)
        assert text.endswith("}\n")
        assert json.loads(text) == bundle
        assert list(json.loads(text)) == sorted(bundle)
        assert bundle["format"] == FORMAT == "faced-proof-bundle/1"

    def test_it_refuses_to_build_a_bundle_that_would_not_check(self, saved):
        """The server cannot hand out a proof that fails: a wrong proof
        is refused while the bundle is built."""
        with pytest.raises(BundleInvalid, match="not in the signed"):
            build_bundle(
                record=saved.record,
                salt=saved.salt,
                sequence=saved.sequence,
                leaf_data=saved.log.leaves[saved.sequence],
                tree_size=7,
                proof=saved.log.tree.inclusion_proof(2, 7),
                checkpoint_note=saved.log.checkpoint(),
                log_key=saved.log.key,
            )


class BundleTamperingTests:
    # The record and its commitment.

    def test_it_refuses_a_changed_record_field(self, bundle):
        """Given a field changed after saving, the check says so."""
        changed = tampered(bundle, ("record", "people"), ["someone else"])
        assert refusal(changed).startswith(
            "The record was changed after it was saved"
        )

    def test_it_refuses_an_added_record_field(self, bundle):
        """A field added after saving changes the commitment."""
        changed = tampered(bundle, ("record", "note"), "added later")
        assert "record was changed after it was saved" in refusal(changed)

    def test_it_refuses_a_changed_salt(self, bundle):
        """Another salt does not give the saved commitment."""
        changed = tampered(bundle, ("commitment", "salt"), b64(new_salt()))
        assert "record was changed after it was saved" in refusal(changed)

    def test_it_refuses_a_changed_commitment_value(self, bundle):
        """A commitment value the record and salt do not give is refused."""
        value = bundle["commitment"]["value"]
        flipped = ("0" if value[0] != "0" else "1") + value[1:]
        changed = tampered(bundle, ("commitment", "value"), flipped)
        assert "record was changed after it was saved" in refusal(changed)

    def test_it_refuses_a_record_recommitted_after_saving(self, bundle):
        """Given a changed record with a fresh salt and commitment, the
        ledger entry still holds the old commitment."""
        record = {**bundle["record"], "people": []}
        salt = new_salt()
        changed = tampered(bundle, ("record",), record)
        changed["commitment"] = {
            "salt": b64(salt),
            "value": commit(record, salt),
        }
        assert refusal(changed).startswith(
            "The ledger entry commits to another record version"
        )

    # The ledger entry.

    def test_it_refuses_a_ledger_entry_edited_to_match(self, bundle):
        """Given a recommitted record and an entry edited to hold the new
        commitment, the entry is not the one the log holds."""
        record = {**bundle["record"], "people": []}
        salt = new_salt()
        value = commit(record, salt)
        changed = releafed(bundle, event={"commitment": value})
        changed["record"] = record
        changed["commitment"] = {"salt": b64(salt), "value": value}
        assert refusal(changed).startswith(
            "The ledger entry is not in the signed checkpoint"
        )

    def test_it_refuses_a_ledger_entry_with_another_time(self, bundle):
        """Backdating the entry breaks its inclusion proof."""
        changed = releafed(bundle, time="2025-01-01T00:00:00.000000Z")
        assert refusal(changed).startswith(
            "The ledger entry is not in the signed checkpoint"
        )

    def test_it_refuses_a_ledger_entry_respelled(self, bundle):
        """An entry in any spelling but the canonical one was edited."""
        text = bundle["entry"]["leaf_data"].replace(",", ", ", 1)
        changed = tampered(bundle, ("entry", "leaf_data"), text)
        assert "not the canonical JSON the ledger writes" in refusal(changed)

    def test_it_refuses_a_ledger_entry_with_a_repeated_key(self, bundle):
        """An entry that could be read two ways is refused."""
        text = bundle["entry"]["leaf_data"][:-1] + ',"type":"record_saved"}'
        changed = tampered(bundle, ("entry", "leaf_data"), text)
        assert "'type' twice" in refusal(changed)

    def test_it_refuses_a_ledger_entry_of_another_kind(self, bundle):
        """An entry that is not the saving of a record proves nothing."""
        changed = releafed(bundle, type="record_deleted")
        assert refusal(changed) == (
            "The ledger entry is a 'record_deleted' event, not the saving "
            "of a record."
        )

    def test_it_refuses_the_entry_of_another_record(self, saved, bundle):
        """The entry that saved another record is refused."""
        changed = tampered(
            bundle,
            ("entry",),
            {
                "sequence": 2,
                "leaf_data": saved.log.leaves[2],
            },
        )
        assert refusal(changed).startswith(
            "The ledger entry commits to another record version"
        )

    def test_it_refuses_an_entry_without_a_commitment(self, bundle):
        """An entry whose event holds no commitment is refused."""
        changed = releafed(bundle, event={})
        assert "holds no commitment" in refusal(changed)

    def test_it_refuses_an_entry_time_not_written_by_the_ledger(self, bundle):
        """A time in another format, or not a real date, is refused."""
        for time in ("2026-11-25 14:03", "2026-02-30T10:00:00.000000Z"):
            assert "time" in refusal(releafed(bundle, time=time))

    # The inclusion proof.

    def test_it_refuses_a_flipped_proof_hash(self, bundle):
        """One bit changed in the proof breaks it."""
        proof = list(bundle["inclusion"]["proof"])
        first = bytearray(base64.b64decode(proof[0]))
        first[0] ^= 1
        proof[0] = b64(bytes(first))
        changed = tampered(bundle, ("inclusion", "proof"), proof)
        assert refusal(changed).startswith(
            "The ledger entry is not in the signed checkpoint: its "
            "inclusion proof does not lead from entry 3"
        )

    def test_it_refuses_a_truncated_proof(self, bundle):
        """A proof missing its last hash does not reach the root."""
        proof = bundle["inclusion"]["proof"][:-1]
        changed = tampered(bundle, ("inclusion", "proof"), proof)
        assert "not in the signed checkpoint" in refusal(changed)

    def test_it_refuses_a_proof_for_another_tree_size(self, saved, bundle):
        """A proof for 6 entries does not go with a checkpoint of 7."""
        changed = tampered(
            bundle,
            ("inclusion",),
            {
                "tree_size": 6,
                "proof": [
                    b64(h) for h in saved.log.tree.inclusion_proof(3, 6)
                ],
            },
        )
        assert refusal(changed) == (
            "The inclusion proof is for a ledger of 6 entries, but the "
            "checkpoint signs a ledger of 7 entries."
        )

    # The checkpoint.

    def test_it_refuses_a_smaller_checkpoint_with_the_full_proof(
        self, saved, bundle
    ):
        """A checkpoint of 3 entries with the proof for 7 is refused."""
        changed = tampered(bundle, ("checkpoint",), saved.log.checkpoint(3))
        assert refusal(changed).startswith(
            "The inclusion proof is for a ledger of 7 entries, but the "
            "checkpoint signs a ledger of 3 entries."
        )

    def test_it_refuses_a_checkpoint_signed_by_another_key(
        self, saved, bundle
    ):
        """A checkpoint re-signed by a key of the same name is not signed
        by the bundle's log key."""
        impostor = Log(name=ORIGIN)
        text = format_checkpoint(ORIGIN, 7, saved.log.tree.root())
        note = sign_note(text, ORIGIN, impostor.seed)
        changed = tampered(bundle, ("checkpoint",), note)
        assert refusal(changed).startswith(
            "The checkpoint is not signed by the bundle's log key "
            "127.0.0.1:8000/ledger+"
        )

    def test_it_refuses_a_checkpoint_of_another_log(self, saved, bundle):
        """A key named for one log signing another log's checkpoint is
        refused."""
        other = Log(name="other.example/ledger")
        text = format_checkpoint(ORIGIN, 7, saved.log.tree.root())
        changed = tampered(
            bundle,
            ("checkpoint",),
            sign_note(text, other.name, other.seed),
        )
        changed["log_key"] = other.key
        assert refusal(changed) == (
            "The checkpoint is for the log '127.0.0.1:8000/ledger', but the "
            "log key is named 'other.example/ledger'."
        )

    # Trust in the log key.

    def test_it_needs_the_trusted_key_to_refuse_a_whole_forgery(
        self, saved, bundle
    ):
        """Given a forger's own log holding an altered record, the bundle
        holds together on its own, and only the trusted key refuses it."""
        forger = Log(name=ORIGIN)
        filler(forger, 3)
        record = {**saved.record, "people": []}
        forged = save_record(forger, record).bundle()
        assert check_bundle(forged).log_key == forger.key
        assert refusal(forged, trusted_key=saved.log.key).startswith(
            "This bundle is signed by a different log key than the one you "
            "trust: it names 127.0.0.1:8000/ledger+"
        )

    def test_it_says_a_malformed_trusted_key_is_not_the_bundles_fault(
        self, bundle
    ):
        """A trusted key that is no key raises ValueError, not
        BundleInvalid: the bundle was not found wanting."""
        with pytest.raises(ValueError, match="not a verifier key") as raised:
            check_bundle(bundle, trusted_key="not a key")
        assert not isinstance(raised.value, BundleInvalid)


class MalformedBundleTests:
    def test_it_refuses_another_format_version(self, bundle):
        """A bundle of a later format is not read as this one."""
        changed = tampered(bundle, ("format",), "faced-proof-bundle/2")
        assert refusal(changed).startswith(
            "This bundle is in the format 'faced-proof-bundle/2', which "
            "this checker does not read"
        )

    def test_it_refuses_what_is_no_faced_bundle(self, bundle):
        """A JSON object of some other kind is named as such."""
        changed = tampered(bundle, ("format",), "sigstore-bundle")
        assert refusal(changed).startswith("This is not a faced proof bundle")

    @pytest.mark.parametrize(
        "path",
        [
            ("format",),
            ("record",),
            ("commitment",),
            ("commitment", "salt"),
            ("commitment", "value"),
            *ENTRY_BUNDLE_FIELDS,
        ],
    )
    def test_it_names_a_missing_field(self, bundle, path):
        """Each missing field is named, without a traceback."""
        message = refusal(without(bundle, path))
        assert f"has no {path[-1]!r}" in message

    @pytest.mark.parametrize(
        ("path", "value", "expected"),
        [
            (("record",), [1, 2], "record is not a JSON object"),
            (("commitment",), "abc", "commitment is not a JSON object"),
            (("commitment", "salt"), 42, "commitment.salt is not a string"),
            (("commitment", "salt"), "no base64!", "salt is not base64"),
            (("commitment", "salt"), "AB==", "salt is not canonical base64"),
            (("commitment", "salt"), b64(bytes(16)), "is 16 bytes, not 32"),
            (("commitment", "value"), "ABC", "64 lowercase hexadecimal"),
            (("entry", "sequence"), "3", "entry.sequence is not a whole"),
            (("entry", "sequence"), True, "entry.sequence is not a whole"),
            (("entry", "sequence"), -1, "entry.sequence is not a whole"),
            (("entry", "sequence"), 3.0, "entry.sequence is not a whole"),
            (("entry", "leaf_data"), {"a": 1}, "leaf_data is not a string"),
            (("entry", "leaf_data"), "{oops", "leaf_data is not JSON"),
            (("entry", "leaf_data"), "[]", "entry is not a JSON object"),
            (("inclusion", "tree_size"), None, "tree_size is not a whole"),
            (("inclusion", "proof"), "AAAA", "proof is not a list"),
            (("inclusion", "proof"), [1], "hash 1 of inclusion.proof is"),
            (("inclusion", "proof"), ["AAAA"], "is 3 bytes, not 32"),
            (("checkpoint",), ["a note"], "checkpoint is not a string"),
            (("checkpoint",), "garbage\n", "Malformed note"),
            (("log_key",), "nonsense", "log_key is not a verifier key"),
        ],
    )
    def test_it_names_a_field_of_the_wrong_kind(
        self, bundle, path, value, expected
    ):
        """Wrong types, bad base64 and bad hex are named plainly."""
        assert expected in refusal(tampered(bundle, path, value))

    @pytest.mark.parametrize("text", ["", "{not json", '{"format": ', "\x00"])
    def test_it_refuses_garbage_as_not_json(self, text):
        """Text that is not JSON is refused as such."""
        with pytest.raises(BundleNotJSON, match="not JSON"):
            check_bundle(text)

    @pytest.mark.parametrize("document", ["[1, 2]", "42", '"text"', "null"])
    def test_it_refuses_json_that_is_not_an_object(self, document):
        """A bundle is a JSON object."""
        assert refusal(document) == "The bundle is not a JSON object."

    def test_it_refuses_an_object_that_is_not_a_mapping(self):
        """A caller's list is refused like the JSON one."""
        assert refusal(["format"]) == "The bundle is not a JSON object."

    def test_it_refuses_a_bundle_with_a_repeated_key(self, bundle):
        """A bundle that could be read two ways is refused."""
        text = dumps_bundle(bundle).rstrip()[:-1] + ', "format": "x"}'
        assert "'format' twice" in refusal(text)


class EntryBundleCheckTests:
    def test_it_accepts_an_entry_bundle_that_holds(self, entry_bundle):
        """Given the bundle of a case's submission, the check says when,
        of what type and where the entry was written."""
        assert check_bundle(entry_bundle) == BundleCheck(
            written_at=SAVED_AT,
            sequence=3,
            tree_size=7,
            origin=ORIGIN,
            message=ENTRY_MESSAGE,
            log_key=entry_bundle["log_key"],
            event_type="case_submitted",
        )

    def test_it_accepts_the_key_the_reader_trusts(
        self, case_log, entry_bundle
    ):
        """Checked with the log's published key, the bundle holds."""
        result = check_bundle(entry_bundle, trusted_key=case_log.key)
        assert result.message == ENTRY_MESSAGE

    def test_it_accepts_the_bundle_as_downloaded(self, entry_bundle):
        """The bundle's JSON text checks as the object does."""
        text = dumps_bundle(entry_bundle)
        assert check_bundle(text).message == ENTRY_MESSAGE

    def test_it_proves_an_entry_of_any_type(self, case_log):
        """Every entry of the log, a record's saving included, has a
        bundle that holds, each naming its own type."""
        for sequence, text in enumerate(case_log.leaves):
            result = check_bundle(
                entry_bundle_of(case_log, sequence),
                trusted_key=case_log.key,
            )
            assert result.sequence == sequence
            assert result.event_type == json.loads(text)["type"]

    def test_it_accepts_an_earlier_checkpoint_that_includes_the_entry(
        self, case_log
    ):
        """A checkpoint signed right after the entry proves it too."""
        result = check_bundle(entry_bundle_of(case_log, 3, size=4))
        assert result.message.endswith("its checkpoint of 4 entries")

    def test_it_holds_no_record_and_no_commitment(self, entry_bundle):
        """An entry's bundle carries the entry and its proof, nothing
        else."""
        assert entry_bundle["format"] == ENTRY_FORMAT == "faced-entry-proof/1"
        assert sorted(entry_bundle) == [
            "checkpoint",
            "entry",
            "format",
            "inclusion",
            "log_key",
        ]

    def test_it_quotes_a_type_without_control_characters(self):
        """A forger's type that would rewrite the terminal is shown with
        its control characters replaced."""
        log = Log()
        log.append("x\x1b[2Jcleared", {})
        result = check_bundle(entry_bundle_of(log, 0))
        assert result.message.startswith("ok: this entry (x?[2Jcleared)")

    def test_it_refuses_to_build_a_bundle_that_would_not_check(self, case_log):
        """The server cannot hand out an entry's proof that fails."""
        with pytest.raises(BundleInvalid, match="not in the signed"):
            build_entry_bundle(
                sequence=3,
                leaf_data=case_log.leaves[3],
                tree_size=7,
                proof=case_log.tree.inclusion_proof(2, 7),
                checkpoint_note=case_log.checkpoint(),
                log_key=case_log.key,
            )


class EntryBundleTamperingTests:
    # The ledger entry.

    def test_it_refuses_an_edited_event(self, entry_bundle):
        """Given an entry whose event was rewritten, still in canonical
        JSON, the entry is not the one the log holds."""
        changed = releafed(
            entry_bundle,
            event={
                "case": "case/9",
                "organization": "demo",
                "acknowledge_by": "2027-01-30",
            },
        )
        assert refusal(changed).startswith(
            "The ledger entry is not in the signed checkpoint: its "
            "inclusion proof does not lead from entry 3 to the root of the "
            "ledger of 7 entries."
        )

    def test_it_refuses_a_backdated_entry(self, entry_bundle):
        """Given an entry whose time was moved earlier, the check says
        it is not in the log."""
        changed = releafed(entry_bundle, time="2026-01-02T09:00:00.000000Z")
        assert "not in the signed checkpoint" in refusal(changed)

    def test_it_refuses_an_entry_edited_by_hand(self, entry_bundle):
        """An entry respelled outside canonical JSON was edited."""
        text = entry_bundle["entry"]["leaf_data"].replace(",", ", ", 1)
        changed = tampered(entry_bundle, ("entry", "leaf_data"), text)
        assert refusal(changed) == (
            "The ledger entry's text is not the canonical JSON the ledger "
            "writes: it was edited."
        )

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({"type": ""}, "The ledger entry's type is empty or not text."),
            ({"type": 7}, "The ledger entry's type is empty or not text."),
            (
                {"event": ["case/9"]},
                "The ledger entry's event is not a JSON object.",
            ),
            (
                {"time": "2026-11-25 14:03"},
                "The ledger entry's time is not written as the ledger "
                "writes it (YYYY-MM-DDTHH:MM:SS.ffffffZ).",
            ),
            (
                {"time": "2026-02-30T10:00:00.000000Z"},
                "The ledger entry's time 2026-02-30T10:00:00.000000Z is "
                "not a real date and time.",
            ),
            (
                {"sequence": "3"},
                "The ledger entry's sequence is not a whole number.",
            ),
        ],
    )
    def test_it_refuses_an_entry_that_is_no_ledger_event(
        self, entry_bundle, changes, expected
    ):
        """An entry without a type, an event object, a real time or a
        whole sequence is not one the ledger writes."""
        assert refusal(releafed(entry_bundle, **changes)) == expected

    @pytest.mark.parametrize("name", ["sequence", "time", "type", "event"])
    def test_it_names_a_missing_entry_field(self, entry_bundle, name):
        """Each field missing from the entry is named."""
        leaf = json.loads(entry_bundle["entry"]["leaf_data"])
        del leaf[name]
        text = canonical_json(leaf).decode("utf-8")
        changed = tampered(entry_bundle, ("entry", "leaf_data"), text)
        assert refusal(changed) == f"The ledger entry has no {name!r}."

    # The inclusion proof.

    def test_it_refuses_a_dropped_proof_node(self, entry_bundle):
        """A proof missing any one of its hashes does not reach the
        root."""
        proof = entry_bundle["inclusion"]["proof"]
        for dropped in range(len(proof)):
            shorter = proof[:dropped] + proof[dropped + 1 :]
            changed = tampered(entry_bundle, ("inclusion", "proof"), shorter)
            assert refusal(changed).startswith(
                "The ledger entry is not in the signed checkpoint: its "
                "inclusion proof does not lead from entry 3"
            )

    # The key.

    def test_it_needs_the_trusted_key_to_refuse_a_whole_forgery(
        self, case_log
    ):
        """Given a forger's own log holding a case submitted later than it
        was, the bundle holds together on its own, and only the trusted
        key refuses it."""
        forger = Log(name=ORIGIN)
        filler(forger, 3)
        submit_case(forger)
        forged = entry_bundle_of(forger, 3)
        assert check_bundle(forged).log_key == forger.key
        assert refusal(forged, trusted_key=case_log.key).startswith(
            "This bundle is signed by a different log key than the one you "
            "trust"
        )

    # The format.

    def test_it_refuses_another_entry_format_version(self, entry_bundle):
        """An entry bundle of a later format is not read as this one."""
        changed = tampered(entry_bundle, ("format",), "faced-entry-proof/2")
        assert refusal(changed).startswith(
            "This bundle is in the format 'faced-entry-proof/2', which "
            "this checker does not read"
        )

    def test_it_refuses_an_entry_bundle_relabelled_as_a_records(
        self, entry_bundle
    ):
        """An entry's bundle passed off as a record's proof has no
        record to show."""
        changed = tampered(entry_bundle, ("format",), FORMAT)
        assert refusal(changed) == "The bundle has no 'record'."

    @pytest.mark.parametrize("path", ENTRY_BUNDLE_FIELDS)
    def test_it_names_a_missing_field(self, entry_bundle, path):
        """Each missing field of the bundle is named."""
        message = refusal(without(entry_bundle, path))
        assert f"has no {path[-1]!r}" in message


class EitherBundleTamperingTests:
    """What a record's bundle and an entry's are refused for alike."""

    def test_it_refuses_a_wrong_sequence(self, either_bundle):
        """The bundle cannot move the entry to another place."""
        _log, bundle = either_bundle
        changed = tampered(bundle, ("entry", "sequence"), 4)
        assert refusal(changed) == (
            "The ledger entry says it is entry 3, but the bundle places it "
            "at 4."
        )

    def test_it_refuses_an_entry_moved_with_its_own_sequence(
        self, either_bundle
    ):
        """An entry moved to another place, its own sequence edited to
        match, is not in the log there."""
        _log, bundle = either_bundle
        changed = releafed(bundle, sequence=4)
        changed["entry"]["sequence"] = 4
        assert refusal(changed).startswith(
            "The ledger entry is not in the signed checkpoint"
        )

    def test_it_refuses_a_checkpoint_edited_after_signing(self, either_bundle):
        """A checkpoint whose size was edited no longer verifies."""
        _log, bundle = either_bundle
        note = bundle["checkpoint"].replace("\n7\n", "\n8\n", 1)
        changed = tampered(bundle, ("checkpoint",), note)
        message = refusal(changed)
        assert message.startswith(
            "The checkpoint is not signed by the bundle's log key "
            "127.0.0.1:8000/ledger+"
        )
        assert "Bad signature" in message

    def test_it_refuses_a_checkpoint_signed_before_the_entry(
        self, either_bundle
    ):
        """Given a genuine checkpoint of the first 3 entries, entry 3 is
        not in it."""
        log, bundle = either_bundle
        changed = tampered(bundle, ("checkpoint",), log.checkpoint(3))
        changed["inclusion"] = {"tree_size": 3, "proof": []}
        assert refusal(changed) == (
            "Entry 3 is not in the checkpoint, which covers only the first "
            "3 entries: it was signed before the entry was written."
        )

    def test_it_refuses_a_key_other_than_the_trusted_one(self, either_bundle):
        """Given a reader who trusts another log key, the genuine bundle
        is refused."""
        _log, bundle = either_bundle
        assert refusal(bundle, trusted_key=Log().key).startswith(
            "This bundle is signed by a different log key than the one you "
            "trust: it names 127.0.0.1:8000/ledger+"
        )


class CheckProofCommandTests:
    @pytest.fixture
    def bundle_file(self, bundle: JSONObject, tmp_path: Path) -> Path:
        path = tmp_path / "proof.json"
        path.write_text(dumps_bundle(bundle), encoding="utf-8")
        return path

    def test_it_prints_the_message_and_exits_0(self, bundle_file, capsys):
        """A bundle that holds: the message, a reminder to compare the
        key, exit status 0."""
        assert main([str(bundle_file)]) == 0
        output = capsys.readouterr()
        lines = output.out.splitlines()
        assert lines[0] == VALID_MESSAGE
        assert "Compare it with the key your organization" in lines[1]
        assert output.err == ""

    def test_it_needs_no_reminder_with_a_trusted_key(
        self, saved, bundle_file, capsys
    ):
        """With --key, only the message is printed."""
        assert main([str(bundle_file), "--key", saved.log.key]) == 0
        assert capsys.readouterr().out == VALID_MESSAGE + "\n"

    def test_it_exits_1_for_a_tampered_bundle(self, bundle, tmp_path, capsys):
        """A bundle that does not hold: NOT OK and the reason, exit 1."""
        path = tmp_path / "proof.json"
        changed = tampered(bundle, ("record", "version"), 3)
        path.write_text(dumps_bundle(changed), encoding="utf-8")
        assert main([str(path)]) == 1
        output = capsys.readouterr()
        assert output.out == ""
        assert output.err.startswith(
            "NOT OK: The record was changed after it was saved"
        )

    def test_it_exits_1_for_an_untrusted_key(self, bundle_file, capsys):
        """A bundle signed by another key than --key: exit 1."""
        assert main([str(bundle_file), "--key", Log().key]) == 1
        assert "different log key" in capsys.readouterr().err

    def test_it_exits_2_for_a_malformed_key(self, bundle_file, capsys):
        """A --key that is no verifier key: the check could not be made."""
        assert main([str(bundle_file), "--key", "not-a-key"]) == 2
        assert "--key" in capsys.readouterr().err

    def test_it_exits_2_for_a_missing_file(self, tmp_path, capsys):
        """A file that cannot be read: exit 2, said plainly."""
        assert main([str(tmp_path / "absent.json")]) == 2
        assert "Could not read" in capsys.readouterr().err

    def test_it_exits_2_for_garbage(self, tmp_path, capsys):
        """A file that is not JSON: exit 2."""
        path = tmp_path / "proof.json"
        path.write_text("this is not a bundle\n", encoding="utf-8")
        assert main([str(path)]) == 2
        assert "not JSON" in capsys.readouterr().err

    def test_it_exits_2_for_binary_data(self, tmp_path, capsys):
        """A file that is not UTF-8 text: exit 2."""
        path = tmp_path / "proof.json"
        path.write_bytes(b"\xff\xfe\x00garbage")
        assert main([str(path)]) == 2
        assert "not UTF-8" in capsys.readouterr().err

    def test_it_reads_a_file_with_a_byte_order_mark(
        self, bundle, tmp_path, capsys
    ):
        """A file an editor saved with a byte-order mark still checks."""
        path = tmp_path / "proof.json"
        path.write_text(dumps_bundle(bundle), encoding="utf-8-sig")
        assert main([str(path)]) == 0
        assert capsys.readouterr().out.startswith(VALID_MESSAGE)

    def test_it_checks_an_entry_bundle(
        self, case_log, entry_bundle, tmp_path, capsys
    ):
        """An entry's bundle file: its message, exit status 0, with and
        without --key."""
        path = tmp_path / "entry-proof.json"
        path.write_text(dumps_bundle(entry_bundle), encoding="utf-8")
        assert main([str(path), "--key", case_log.key]) == 0
        assert capsys.readouterr().out == ENTRY_MESSAGE + "\n"
        assert main([str(path)]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0] == ENTRY_MESSAGE
        assert "Compare it with the key your organization" in lines[1]

    def test_it_exits_1_for_an_edited_entry(
        self, entry_bundle, tmp_path, capsys
    ):
        """An entry's bundle whose entry was edited: NOT OK, exit 1."""
        path = tmp_path / "entry-proof.json"
        changed = releafed(entry_bundle, type="case_withdrawn")
        path.write_text(dumps_bundle(changed), encoding="utf-8")
        assert main([str(path)]) == 1
        output = capsys.readouterr()
        assert output.out == ""
        assert output.err.startswith(
            "NOT OK: The ledger entry is not in the signed checkpoint"
        )


class CheckProofWithoutDjangoTests:
    """The command as a survivor runs it: a new process with nothing in
    its environment but PATH, so no settings and no secret key."""

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [sys.executable, *arguments],
            cwd=ROOT,
            env={"PATH": os.environ["PATH"]},
            capture_output=True,
            encoding="utf-8",
            timeout=60,
        )

    def write(self, tmp_path: Path, bundle: JSONObject) -> str:
        path = tmp_path / "proof.json"
        path.write_text(dumps_bundle(bundle), encoding="utf-8")
        return str(path)

    def test_faced_ledger_check_proof_runs_with_no_settings(
        self, saved, bundle, tmp_path
    ):
        """`faced ledger check-proof` checks a bundle with no settings."""
        path = self.write(tmp_path, bundle)
        result = self.run(
            "-m", "faced", "ledger", "check-proof", path, "--key",
            saved.log.key,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stdout == VALID_MESSAGE + "\n"

    def test_faced_ledger_check_proof_exits_1_when_tampered(
        self, bundle, tmp_path
    ):
        """Tampering is reported by the same command, exit status 1."""
        changed = tampered(bundle, ("record", "title"), "Something else")
        path = self.write(tmp_path, changed)
        result = self.run("-m", "faced", "ledger", "check-proof", path)
        assert result.returncode == 1
        assert result.stderr.startswith("NOT OK: The record was changed")

    def test_faced_ledger_check_proof_checks_an_entry_bundle(
        self, case_log, entry_bundle, tmp_path
    ):
        """The same command checks an entry's bundle with no settings."""
        path = self.write(tmp_path, entry_bundle)
        result = self.run(
            "-m", "faced", "ledger", "check-proof", path, "--key",
            case_log.key,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stdout == ENTRY_MESSAGE + "\n"

    def test_the_check_loads_no_part_of_django(self, bundle, tmp_path):
        """Running the command imports no Django module at all."""
        path = self.write(tmp_path, bundle)
        code = (
            "import runpy, sys\n"
            f"sys.argv = ['faced', 'ledger', 'check-proof', {path!r}]\n"
            "try:\n"
            "    runpy.run_module('faced', run_name='__main__')\n"
            "except SystemExit as end:\n"
            "    status = end.code\n"
            "loaded = [m for m in sys.modules if m.startswith('django')]\n"
            "sys.exit(3 if loaded else status)\n"
        )
        result = self.run("-c", code)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(VALID_MESSAGE)

    def test_the_module_runs_on_its_own(self, saved, bundle, tmp_path):
        """`python -m faced.ledger.bundle` is the same check."""
        path = self.write(tmp_path, bundle)
        result = self.run(
            "-m", "faced.ledger.bundle", path, "--key", saved.log.key
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == VALID_MESSAGE + "\n"
