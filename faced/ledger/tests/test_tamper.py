"""Anything done to the log behind faced's back is detected and named."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from faced.ledger.models import Checkpoint, LedgerEntry, LedgerHead, LedgerNode
from faced.ledger.note import generate_signer_key, parse_signer_key, sign_note
from faced.ledger.services import checkpoint_sign, ledger_append
from faced.ledger.verify import LedgerBroken, ledger_verify


@pytest.fixture
def log(db):
    """A log of 20 events with checkpoints at 8 and 20 entries."""
    for number in range(8):
        ledger_append(event_type="test_event", payload={"number": number})
    checkpoint_sign()
    for number in range(8, 20):
        ledger_append(event_type="test_event", payload={"number": number})
    checkpoint_sign()
    assert str(ledger_verify()).startswith("ok: 20 entries, root ")


def raw_sql(statement: str, *params) -> None:
    """Change the database directly, as someone with access to it would."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def broken(match: str) -> None:
    with pytest.raises(LedgerBroken, match=match):
        ledger_verify()


class TamperTests:
    def test_it_detects_an_edited_event(self, log):
        """Given a finding's event edited in place, verify names the entry."""
        entry = LedgerEntry.objects.get(sequence=5)
        raw_sql(
            "UPDATE ledger_ledgerentry SET leaf_data = %s WHERE sequence = 5",
            entry.leaf_data.replace('"number":5', '"number":55'),
        )
        broken(r"entry 5: its stored leaf hash does not match its event")

    def test_it_detects_an_edited_event_with_a_recomputed_hash(self, log):
        """Recomputing the leaf hash does not help: the stored subtree
        hashes and the signed checkpoints no longer match."""
        from faced.ledger import merkle

        entry = LedgerEntry.objects.get(sequence=5)
        forged = entry.leaf_data.replace('"number":5', '"number":55')
        raw_sql(
            "UPDATE ledger_ledgerentry SET leaf_data = %s, leaf_hash = %s "
            "WHERE sequence = 5",
            forged,
            merkle.leaf_hash(forged.encode()),
        )
        broken(r"stored node 1/2 does not match the entries under it")

    def test_it_detects_an_edited_leaf_hash(self, log):
        raw_sql(
            "UPDATE ledger_ledgerentry SET leaf_hash = %s WHERE sequence = 3",
            b"\0" * 32,
        )
        broken(r"entry 3: its stored leaf hash does not match")

    def test_it_detects_an_edited_type_column(self, log):
        raw_sql(
            "UPDATE ledger_ledgerentry SET event_type = 'nothing' "
            "WHERE sequence = 4"
        )
        broken(r"entry 4: its type or time column was edited")

    def test_it_detects_a_deleted_row(self, log):
        raw_sql("DELETE FROM ledger_ledgerentry WHERE sequence = 7")
        broken(r"entry 7 is missing \(the next stored entry is 8\)")

    def test_it_detects_a_deleted_last_row(self, log):
        raw_sql("DELETE FROM ledger_ledgerentry WHERE sequence = 19")
        broken(r"holds 19 entries but its head says 20")

    def test_it_detects_swapped_rows(self, log):
        """Given two entries whose events were exchanged, with their leaf
        hashes, verify says they were swapped."""
        first = LedgerEntry.objects.get(sequence=2)
        second = LedgerEntry.objects.get(sequence=3)
        for target, source in ((2, second), (3, first)):
            raw_sql(
                "UPDATE ledger_ledgerentry SET leaf_data = %s, "
                "leaf_hash = %s, event_type = %s, created_at = %s "
                "WHERE sequence = %s",
                source.leaf_data,
                bytes(source.leaf_hash),
                source.event_type,
                source.created_at,
                target,
            )
        broken(r"entry 2 holds the event of entry 3: entries were swapped")

    def test_it_detects_an_edited_node(self, log):
        raw_sql(
            "UPDATE ledger_ledgernode SET hash = %s "
            "WHERE level = 2 AND position = 1",
            b"\1" * 32,
        )
        broken(r"stored node 2/1 does not match")

    def test_it_detects_a_deleted_node(self, log):
        raw_sql("DELETE FROM ledger_ledgernode WHERE level = 3")
        broken(r"stored node\(s\) are missing")

    def test_it_detects_a_truncated_and_rewritten_log(self, log):
        """Given a log cut back to 10 entries and re-grown with other
        events (a fork), the checkpoint signed at 20 entries no longer
        matches the log."""
        raw_sql("DELETE FROM ledger_ledgerentry WHERE sequence >= 10")
        raw_sql(
            "DELETE FROM ledger_ledgernode WHERE (position + 1) * "
            "(1 << level) > 10"
        )
        raw_sql("UPDATE ledger_ledgerhead SET size = 10")
        for number in range(10, 20):
            ledger_append(event_type="test_event", payload={"number": -number})
        second = Checkpoint.objects.order_by("id").last().pk
        broken(rf"checkpoint #{second} \(at 20 entries\) does not match")

    def test_it_detects_a_truncated_log(self, log):
        raw_sql("DELETE FROM ledger_ledgerentry WHERE sequence >= 10")
        raw_sql(
            "DELETE FROM ledger_ledgernode WHERE (position + 1) * "
            "(1 << level) > 10"
        )
        raw_sql("UPDATE ledger_ledgerhead SET size = 10")
        broken(r"signed when the log had 20 entries, but it has only 10")

    def test_it_detects_a_replaced_checkpoint(self, log):
        """A checkpoint re-signed with another key, or edited, is named."""
        checkpoint = Checkpoint.objects.order_by("id").first()
        name, seed = parse_signer_key(generate_signer_key("faced.test/ledger"))
        body = checkpoint.note.split("\n\n")[0] + "\n"
        raw_sql(
            "UPDATE ledger_checkpoint SET note = %s WHERE id = %s",
            sign_note(body, name, seed),
            checkpoint.pk,
        )
        broken(rf"checkpoint #{checkpoint.pk} has no valid signature")

    def test_it_detects_an_edited_checkpoint_column(self, log):
        checkpoint = Checkpoint.objects.order_by("id").first()
        raw_sql(
            "UPDATE ledger_checkpoint SET tree_size = 3 WHERE id = %s",
            checkpoint.pk,
        )
        broken(r"its size or root column differs from its signed note")

    def test_it_proves_the_log_extends_a_saved_checkpoint(self, log, tmp_path):
        """A member's saved checkpoint is checked against the log; after a
        rewrite of the history it fails, even if faced's own checkpoints
        were deleted too."""
        saved = tmp_path / "checkpoint.txt"
        saved.write_text(Checkpoint.objects.order_by("id").first().note)
        out = io.StringIO()
        call_command(
            "ledger", "verify", "--checkpoint", str(saved), stdout=out
        )
        assert out.getvalue().startswith("ok: 20 entries")

        raw_sql("DELETE FROM ledger_checkpoint")
        raw_sql("DELETE FROM ledger_ledgerentry")
        raw_sql("DELETE FROM ledger_ledgernode")
        raw_sql("UPDATE ledger_ledgerhead SET size = 0")
        for number in range(20):
            ledger_append(
                event_type="test_event", payload={"number": number + 100}
            )
        err = io.StringIO()
        with pytest.raises(SystemExit) as exit_code:
            call_command(
                "ledger", "verify", "--checkpoint", str(saved), stderr=err
            )
        assert exit_code.value.code == 1
        assert "your saved checkpoint (at 8 entries) does not match" in (
            err.getvalue()
        )

    def test_the_command_exits_non_zero_and_names_the_entry(self, log):
        raw_sql("DELETE FROM ledger_ledgerentry WHERE sequence = 7")
        err = io.StringIO()
        with pytest.raises(SystemExit) as exit_code:
            call_command("ledger", "verify", stderr=err)
        assert exit_code.value.code == 1
        assert "NOT OK: entry 7 is missing" in err.getvalue()
        assert LedgerHead.objects.get().size == 20
        assert LedgerNode.objects.exists()
