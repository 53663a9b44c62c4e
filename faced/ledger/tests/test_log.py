"""The log on the database: appends, roots and proofs for any size."""

import base64
import json
import re
import threading

import pytest
from django.db import connection, transaction
from django.test import Client

from faced.demo.personas import PERSONAS
from faced.ledger import merkle
from faced.ledger.bundle import check_bundle
from faced.ledger.log_key import (
    log_public_key,
    log_signer,
    log_verifier_key,
)
from faced.ledger.models import Checkpoint, LedgerEntry, LedgerNode
from faced.ledger.note import open_note, parse_checkpoint
from faced.ledger.selectors import (
    consistency_proof,
    entry_bundle,
    inclusion_proof,
    ledger_size,
    root_at,
)
from faced.ledger.services import checkpoint_sign, ledger_append
from faced.ledger.verify import ledger_verify


def append_many(count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        ledger_append(event_type="test_event", payload={"number": number})


def stored_leaves() -> list[bytes]:
    return [
        bytes(leaf)
        for leaf in LedgerEntry.objects.order_by("sequence").values_list(
            "leaf_hash", flat=True
        )
    ]


class AppendTests:
    def test_it_keeps_the_same_tree_as_the_reference(self, db):
        """Given 37 appends, the root, every inclusion proof and every
        consistency proof read from the database equal the reference
        computed from the leaves alone, for every tree size."""
        append_many(37)
        leaves = stored_leaves()
        for size in range(1, 38):
            assert root_at(size) == merkle.root(leaves[:size])
            for index in range(size):
                assert inclusion_proof(index, size) == (
                    merkle.inclusion_proof(leaves[:size], index)
                )
            for old in range(1, size + 1):
                assert consistency_proof(old, size) == (
                    merkle.consistency_proof(leaves[:size], old)
                )

    def test_it_stores_one_node_per_leaf_at_most(self, db):
        append_many(64)
        assert LedgerNode.objects.count() == 63

    def test_the_event_commits_with_the_callers_change(self, personas):
        """An append inside a transaction that fails leaves no entry."""
        size = ledger_size()
        with pytest.raises(RuntimeError), transaction.atomic():
            ledger_append(event_type="test_event", payload={"n": 1})
            raise RuntimeError("the business change failed")
        assert ledger_size() == size
        assert LedgerEntry.objects.count() == size
        ledger_verify()

    def test_it_commits_to_the_sequence_time_and_type(self, db):
        entry = ledger_append(event_type="test_event", payload={"n": 1})
        data = json.loads(entry.leaf_data)
        assert data["sequence"] == entry.sequence
        assert data["type"] == "test_event"
        assert data["event"] == {"n": 1}
        assert data["time"].endswith("Z")

    @pytest.mark.parametrize("event_type", ["", "x" * 61])
    def test_it_refuses_a_bad_event_type(self, db, event_type):
        with pytest.raises(ValueError):
            ledger_append(event_type=event_type, payload={})
        assert ledger_size() == 0


class RecordedEventsTests:
    def test_role_changes_and_keys_are_on_the_record(self, personas):
        """Organizations, every grant of the personas and their keys are
        ledger events naming people only by reference."""
        types = list(LedgerEntry.objects.values_list("event_type", flat=True))
        assert types.count("organization_created") == 2
        # Role holders' keys are published; the survivor's are not.
        holders = [p for p in PERSONAS if p.roles]
        assert types.count("role_granted") == sum(
            len(p.roles) for p in holders
        )
        assert types.count("keys_created") == len(holders)
        survivor_ref = f'"person":"person/{personas["survivor"].pk}"'
        assert not LedgerEntry.objects.filter(
            event_type="keys_created", leaf_data__contains=survivor_ref
        ).exists()
        for leaf_data in LedgerEntry.objects.values_list(
            "leaf_data", flat=True
        ):
            event = json.loads(leaf_data)["event"]
            for field in ("person", "by"):
                if field in event:
                    assert re.fullmatch(
                        r"person/\d+|operator shell", event[field]
                    )
        ledger_verify()

    def test_a_refused_grant_leaves_no_entry(self, personas):
        from faced.orgs.models import Organization
        from faced.orgs.roles import Role
        from faced.orgs.services import SeparationOfPowersError, role_grant

        size = ledger_size()
        with pytest.raises(SeparationOfPowersError):
            role_grant(
                user=personas["leadership"],
                role=Role.COMMITTEE,
                organization=Organization.objects.get(slug="demo"),
            )
        assert ledger_size() == size


class ConcurrentAppendTests:
    @pytest.mark.django_db(transaction=True)
    def test_parallel_appenders_never_fork_skip_or_reuse(self):
        """Given four threads appending at once (on PostgreSQL, four real
        connections), the log ends with every sequence number exactly once
        and verifies."""
        errors = []

        def appender(number: int) -> None:
            try:
                for step in range(15):
                    with transaction.atomic():
                        ledger_append(
                            event_type="test_event",
                            payload={"thread": number, "step": step},
                        )
            except Exception as error:  # reported below, not swallowed
                errors.append(error)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=appender, args=(n,)) for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        sequences = list(
            LedgerEntry.objects.order_by("sequence").values_list(
                "sequence", flat=True
            )
        )
        assert sequences == list(range(60))
        assert ledger_verify().size == 60


class CheckpointTests:
    def test_it_signs_a_checkpoint_in_the_c2sp_format(self, db):
        append_many(5)
        checkpoint = checkpoint_sign()
        name, _seed = log_signer()
        text = open_note(checkpoint.note, {name: log_public_key()})
        parsed = parse_checkpoint(text)
        assert parsed.origin == name
        assert parsed.tree_size == 5
        assert parsed.root_hash == merkle.root(stored_leaves())
        assert text.splitlines()[1] == "5"

    def test_it_signs_only_when_the_log_grew(self, db):
        append_many(2)
        assert checkpoint_sign() is not None
        assert checkpoint_sign() is None
        append_many(1, start=2)
        assert checkpoint_sign().tree_size == 3
        assert Checkpoint.objects.count() == 2


class EntryBundleTests:
    def test_it_proves_an_entry_offline(self, db):
        """Given a log of 5 entries, the bundle of entry 2 checks with the
        published key and names the entry's type."""
        append_many(5)
        result = check_bundle(entry_bundle(2), trusted_key=log_verifier_key())
        assert (result.sequence, result.tree_size) == (2, 5)
        assert result.event_type == "test_event"
        assert result.message.startswith(
            "ok: this entry (test_event) was written on "
        )
        assert "— entry 2 of the ledger" in result.message

    def test_it_signs_a_checkpoint_when_none_covers_the_entry(self, db):
        """Given checkpoints signed before the entry was written, a new
        one is signed to cover it."""
        append_many(3)
        checkpoint_sign()
        append_many(2, start=3)
        bundle = entry_bundle(4)
        assert bundle["inclusion"]["tree_size"] == 5
        assert Checkpoint.objects.count() == 2

    def test_it_uses_the_latest_checkpoint_that_covers_the_entry(self, db):
        """Given two checkpoints that cover the entry, the larger one is
        used and none is signed."""
        append_many(3)
        checkpoint_sign()
        append_many(2, start=3)
        latest = checkpoint_sign()
        append_many(1, start=5)
        bundle = entry_bundle(1)
        assert bundle["checkpoint"] == latest.note
        assert Checkpoint.objects.count() == 2

    def test_it_refuses_an_entry_the_log_does_not_have(self, db):
        """A sequence beyond the log raises DoesNotExist and signs no
        checkpoint."""
        append_many(2)
        with pytest.raises(LedgerEntry.DoesNotExist):
            entry_bundle(2)
        assert not Checkpoint.objects.exists()


def b64(values):
    return [base64.b64decode(value) for value in values]


class EndpointTests:
    def test_a_member_checks_proofs_from_the_public_endpoints(self, db):
        """Anyone, signed out, can fetch the checkpoint, the key, the
        entries and proofs, and check the proofs against the checkpoint."""
        append_many(12)
        client = Client()
        note = client.get("/ledger/checkpoint").content.decode()
        key = client.get("/ledger/key").content.decode().strip()
        name, _seed = log_signer()
        assert key.startswith(name + "+")
        checkpoint = parse_checkpoint(
            open_note(note, {name: log_public_key()})
        )
        assert checkpoint.tree_size == 12
        for index in (0, 5, 11):
            proof = client.get(
                f"/ledger/proof/inclusion?index={index}&tree_size=12"
            ).json()
            assert merkle.verify_inclusion(
                base64.b64decode(proof["leaf_hash"]),
                index,
                12,
                b64(proof["proof"]),
                checkpoint.root_hash,
            )
        append_many(3, start=12)
        newer = parse_checkpoint(
            open_note(
                client.get("/ledger/checkpoint").content.decode(),
                {name: log_public_key()},
            )
        )
        consistency = client.get(
            "/ledger/proof/consistency?first=12&second=15"
        ).json()
        assert merkle.verify_consistency(
            12,
            15,
            checkpoint.root_hash,
            newer.root_hash,
            b64(consistency["proof"]),
        )

    def test_it_pages_through_entries(self, db):
        append_many(7)
        page = Client().get("/ledger/entries?start=2&limit=3").json()
        assert [e["sequence"] for e in page["entries"]] == [2, 3, 4]
        assert page["next"] == "/ledger/entries?start=5&limit=3"
        assert page["tree_size"] == 7
        entry = page["entries"][0]
        assert base64.b64decode(entry["leaf_hash"]) == merkle.leaf_hash(
            entry["leaf_data"].encode()
        )

    @pytest.mark.parametrize(
        "url",
        [
            "/ledger/entries?start=-1",
            "/ledger/entries?limit=ten",
            "/ledger/proof/inclusion",
            "/ledger/proof/inclusion?index=9&tree_size=3",
            "/ledger/proof/inclusion?index=0&tree_size=99",
            "/ledger/proof/consistency?first=0&second=3",
            "/ledger/proof/consistency?first=4&second=3",
            "/ledger/proof/consistency?first=1&second=99",
        ],
    )
    def test_it_says_what_is_wrong_with_a_query(self, db, url):
        append_many(3)
        response = Client().get(url)
        assert response.status_code == 400
        assert response.json()["error"]
