"""Signed acts: the statement an actor signs, and what its signature
binds."""

import base64

import pytest

from faced.crypto.signing import generate_signing_key
from faced.ledger.acts import (
    ActChecker,
    act_sign,
    act_signature_holds,
    act_statement,
)

ORIGIN = "faced.example/demo"
FOLLOWS = bytes(range(32))


def statement(**changes):
    arguments = {
        "origin": ORIGIN,
        "event_type": "case_withdrawn",
        "event": {"case": "case/1", "previous": 7, "signer": "survivor"},
        "follows": FOLLOWS,
    }
    arguments.update(changes)
    return act_statement(**arguments)


class ActStatementTests:
    def test_it_is_the_canonical_json_written_out_here(self):
        """The statement is RFC 8785 JSON of the version, origin, type,
        event without its signature, and the hex hash it follows."""
        signed = act_statement(
            origin=ORIGIN,
            event_type="case_withdrawn",
            event={
                "signer": "survivor",
                "case": "case/1",
                "previous": 7,
                "signature": "ignored",
            },
            follows=FOLLOWS,
        )
        assert signed == (
            b'{"act":"faced-act/1","event":{"case":"case/1","previous":7,'
            b'"signer":"survivor"},"follows":"'
            + FOLLOWS.hex().encode()
            + b'","origin":"faced.example/demo","type":"case_withdrawn"}'
        )

    def test_a_first_act_follows_nothing(self):
        assert b'"follows":null' in statement(follows=None)


class ActSignatureTests:
    @pytest.fixture
    def keypair(self):
        return generate_signing_key()

    def test_it_holds_for_the_signer_key(self, keypair):
        seed, verify_key = keypair
        signature = act_sign(seed, statement())
        assert act_signature_holds(verify_key, statement(), signature)

    @pytest.mark.parametrize(
        "changed",
        [
            {"origin": "faced.example/other"},
            {"event_type": "case_paused"},
            {"event": {"case": "case/2", "previous": 7, "signer": "survivor"}},
            {"event": {"case": "case/1", "previous": 6, "signer": "survivor"}},
            {"event": {"case": "case/1", "previous": 7, "signer": "server"}},
            {"follows": bytes(32)},
            {"follows": None},
        ],
        ids=[
            "another-log",
            "another-act",
            "another-case",
            "another-place",
            "another-signer",
            "another-history",
            "no-history",
        ],
    )
    def test_it_does_not_hold_for_anything_else(self, keypair, changed):
        """A signature on one act does not hold for the same act in
        another log, of another type, about another case, at another
        place in the case's history, or claimed by another signer."""
        seed, verify_key = keypair
        signature = act_sign(seed, statement())
        assert not act_signature_holds(
            verify_key, statement(**changed), signature
        )

    @pytest.mark.parametrize(
        "signature",
        [None, 7, "", "not base64!", base64.b64encode(b"x" * 63).decode()],
    )
    def test_a_malformed_signature_does_not_hold(self, keypair, signature):
        _seed, verify_key = keypair
        assert not act_signature_holds(verify_key, statement(), signature)

    def test_another_key_or_a_malformed_key_does_not_hold(self, keypair):
        seed, _verify_key = keypair
        _other_seed, other_key = generate_signing_key()
        signature = act_sign(seed, statement())
        assert not act_signature_holds(other_key, statement(), signature)
        assert not act_signature_holds(b"short", statement(), signature)


class ActHistoryTests:
    def test_a_genuine_act_copied_later_with_its_place_kept_is_caught(
        self,
    ):
        """Rule: an act holds only where it stands in its subject's
        history. Given a report's signed submission and pause, and a later
        entry about the case, a copy of the pause appended after it, still
        naming its original "previous" (so that its signature holds over
        its statement), is refused for its place; the genuine pause is
        not."""
        seed, verify_key = generate_signing_key()
        _server_seed, server_key = generate_signing_key()
        hashes = {0: bytes([1]) * 32, 1: bytes([2]) * 32, 2: bytes([3]) * 32}
        checker = ActChecker(
            origin=ORIGIN, server_key=server_key, leaf_hash_at=hashes.get
        )

        def signed(event_type, event, follows):
            event = {**event, "signer": "survivor"}
            statement = act_statement(
                origin=ORIGIN,
                event_type=event_type,
                event=event,
                follows=follows,
            )
            return {**event, "signature": act_sign(seed, statement)}

        submitted = signed(
            "case_submitted",
            {
                "case": "case/1",
                "previous": None,
                "survivor_key": base64.b64encode(verify_key).decode(),
            },
            None,
        )
        pause = signed(
            "case_paused", {"case": "case/1", "previous": 0}, hashes[0]
        )
        assert (
            checker.check(
                sequence=0, event_type="case_submitted", event=submitted
            )
            is None
        )
        assert (
            checker.check(sequence=1, event_type="case_paused", event=pause)
            is None
        )
        assert (
            checker.check(
                sequence=2,
                event_type="message_sent",
                event={"case": "case/1", "previous": 1},
            )
            is None
        )
        # The copy's signature alone still holds over its statement.
        assert act_signature_holds(
            verify_key,
            act_statement(
                origin=ORIGIN,
                event_type="case_paused",
                event=pause,
                follows=hashes[0],
            ),
            pause["signature"],
        )
        problem = checker.check(
            sequence=3, event_type="case_paused", event=pause
        )
        assert problem is not None
        assert "entry 3" in problem
