"""No signature over a shortened history.

The checkpoint signer remembers, outside the database, the last checkpoint
it signed, and signs nothing that does not extend it. Each test attacks as
someone with write access to the database would (raw SQL, leaving the
database whole in itself, so that the database alone cannot tell), and
says the rule it checks in its docstring.
"""

import base64
import hashlib
import io
import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django_tasks import TaskResultStatus

from faced.ledger import merkle
from faced.ledger.log_key import log_signer
from faced.ledger.models import Checkpoint, LedgerEntry, LedgerNode
from faced.ledger.note import generate_signer_key, parse_signer_key, sign_note
from faced.ledger.services import (
    HistoryRewritten,
    SignerStateUnusable,
    checkpoint_reanchor,
    checkpoint_sign,
    ledger_append,
)
from faced.ledger.signer_state import (
    SignerState,
    signer_state_lock,
    signer_state_read,
)
from faced.ledger.tasks import sign_checkpoint
from faced.ledger.verify import LedgerBroken, ledger_verify
from faced.tests.command_line import run_faced


def append_many(count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        ledger_append(event_type="test_event", payload={"number": number})


def raw_sql(statement: str, *params: object) -> None:
    """Change the database directly, as someone with access to it would."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def stored_leaves() -> list[bytes]:
    return [
        bytes(leaf)
        for leaf in LedgerEntry.objects.order_by("sequence").values_list(
            "leaf_hash", flat=True
        )
    ]


def shorten_to(size: int) -> None:
    """Cut the log back to SIZE entries behind faced's back, and leave the
    database whole in itself: the entries after SIZE, the stored subtree
    hashes that cover them, every checkpoint signed since, and the head."""
    raw_sql("DELETE FROM ledger_ledgerentry WHERE sequence >= %s", size)
    raw_sql(
        "DELETE FROM ledger_ledgernode "
        "WHERE (position + 1) * (1 << level) > %s",
        size,
    )
    raw_sql("DELETE FROM ledger_checkpoint WHERE tree_size > %s", size)
    raw_sql("UPDATE ledger_ledgerhead SET size = %s", size)


def rewrite_entry(
    sequence: int, number: int, *, delete_checkpoints: bool = True
) -> None:
    """Change what entry SEQUENCE says behind faced's back, with its leaf
    hash and every stored subtree hash recomputed, and (unless told not
    to) delete the checkpoints that covered it: the database is then
    whole in itself."""
    entry = LedgerEntry.objects.get(sequence=sequence)
    forged = entry.leaf_data.replace(
        f'"number":{sequence}', f'"number":{number}'
    )
    assert forged != entry.leaf_data
    raw_sql(
        "UPDATE ledger_ledgerentry SET leaf_data = %s, leaf_hash = %s "
        "WHERE sequence = %s",
        forged,
        merkle.leaf_hash(forged.encode()),
        sequence,
    )
    leaves = stored_leaves()
    for level, position in LedgerNode.objects.values_list("level", "position"):
        width = 1 << level
        raw_sql(
            "UPDATE ledger_ledgernode SET hash = %s "
            "WHERE level = %s AND position = %s",
            merkle.root(leaves[position * width : (position + 1) * width]),
            level,
            position,
        )
    if delete_checkpoints:
        raw_sql("DELETE FROM ledger_checkpoint WHERE tree_size > %s", sequence)


def state_path() -> Path:
    return Path(settings.LEDGER_SIGNER_STATE_FILE)


def database_alone_verifies(test_settings) -> str:
    """What `faced ledger verify` says of the database alone, without the
    signer's memory: what someone who rewrote it wants it to say."""
    memory = test_settings.LEDGER_SIGNER_STATE_FILE
    test_settings.LEDGER_SIGNER_STATE_FILE = memory + ".elsewhere"
    try:
        return str(ledger_verify())
    finally:
        test_settings.LEDGER_SIGNER_STATE_FILE = memory


def remembered() -> SignerState | None:
    name, seed = log_signer()
    return signer_state_read(name=name, seed=seed)


def checkpoint_sizes() -> list[int]:
    return sorted(Checkpoint.objects.values_list("tree_size", flat=True))


def checkpoint_sizes_in(environment: dict[str, str]) -> list[int]:
    """The checkpoints in the database ENVIRONMENT's processes used: on
    SQLite their copy (see faced_environment), otherwise the test's."""
    url = environment["DATABASE_URL"]
    if not url.startswith("sqlite:///"):
        return checkpoint_sizes()
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as copy:
        rows = copy.execute("SELECT tree_size FROM ledger_checkpoint")
        return sorted(size for (size,) in rows)


def refused_command(*args: str) -> str:
    """Run `faced ledger ARGS`, which must fail with exit status 1, and
    return what it printed."""
    with pytest.raises(CommandError) as refused:
        call_command("ledger", *args, stdout=io.StringIO())
    assert refused.value.returncode == 1
    return str(refused.value)


@pytest.fixture
def signed_log(db):
    """A log of 20 entries, signed at 8 and at 20: the signer remembers
    the checkpoint of 20."""
    append_many(8)
    checkpoint_sign()
    append_many(12, start=8)
    checkpoint_sign()
    assert checkpoint_sizes() == [8, 20]
    assert remembered().tree_size == 20
    return state_path()


def shortened_message(size: int, signed: int) -> str:
    path = state_path()
    return (
        f"the log has {size} entries, but this server already signed a "
        f"checkpoint of {signed} entries (remembered in {path}): entries "
        "were deleted from the database, with the checkpoints that "
        "covered them. Nothing was signed. `faced ledger verify` names "
        "what does not hold; restore the database from a backup that "
        f'holds all {signed} entries, or see "When the signer refuses" in '
        "docs/operators.md."
    )


class ShortenedHistoryTests:
    def test_it_refuses_a_log_shortened_in_the_database(
        self, signed_log, settings
    ):
        """Rule: the signer never signs a log smaller than the last
        checkpoint it signed, even when the database holds no trace of
        that checkpoint."""
        before = signed_log.read_bytes()
        # Given the last 10 entries and the checkpoint of 20 deleted, with
        # the head and the stored hashes fixed to match,
        shorten_to(10)
        # the database alone looks whole (this is all the second line,
        # the check against the database's own checkpoints, can see):
        assert database_alone_verifies(settings).startswith("ok: 10 entries")
        # When a checkpoint is asked for, forced or not,
        for force in (False, True):
            with pytest.raises(HistoryRewritten) as refused:
                checkpoint_sign(force=force)
            # then it is refused, naming both sizes and what to do,
            assert str(refused.value) == shortened_message(10, 20)
        # and nothing is signed or remembered.
        assert checkpoint_sizes() == [8]
        assert signed_log.read_bytes() == before

    def test_it_refuses_a_shortened_log_that_grew_again(self, signed_log):
        """Rule: a log that grew past the last signed checkpoint must
        still hold it, by an RFC 9162 consistency proof: cutting the log
        back and writing other entries is refused however long it gets."""
        shorten_to(10)
        append_many(15, start=100)
        with pytest.raises(HistoryRewritten) as refused:
            checkpoint_sign()
        assert str(refused.value) == (
            f"this server signed a checkpoint of 20 entries (remembered in "
            f"{state_path()}), and the log of 25 entries does not extend "
            "it: entries already signed were rewritten in the database. "
            "Nothing was signed. `faced ledger verify` names what does not "
            "hold; restore the database from a backup that holds all 20 "
            'entries, or see "When the signer refuses" in '
            "docs/operators.md."
        )
        assert checkpoint_sizes() == [8]
        assert remembered().tree_size == 20

    def test_the_command_refuses_with_exit_status_1(self, signed_log):
        """Rule: `faced ledger checkpoint` over a shortened log exits 1
        and says what happened."""
        shorten_to(10)
        message = refused_command("checkpoint")
        assert message == "Refused to sign: " + shortened_message(10, 20)
        assert checkpoint_sizes() == [8]

    def test_the_worker_logs_the_refusal_and_signs_nothing(
        self, signed_log, caplog
    ):
        """Rule: the background task fails with an error in the log, and
        signs nothing, when the log was shortened."""
        shorten_to(10)
        append_many(1, start=100)
        with caplog.at_level(logging.ERROR, logger="faced.ledger.tasks"):
            result = sign_checkpoint.enqueue()
        assert result.status == TaskResultStatus.FAILED
        errors = [
            record.getMessage()
            for record in caplog.records
            if record.name == "faced.ledger.tasks"
        ]
        assert errors == [
            "The ledger's signer refused to sign: " + shortened_message(11, 20)
        ]
        assert {
            record.levelname
            for record in caplog.records
            if record.name == "faced.ledger.tasks"
        } == {"ERROR"}
        assert checkpoint_sizes() == [8]

    def test_verify_names_the_shortening(self, signed_log):
        """Rule: `faced ledger verify` checks the log against the
        signer's memory too, so that a shortening the database hides is
        named there."""
        shorten_to(10)
        with pytest.raises(LedgerBroken) as broken:
            ledger_verify()
        assert str(broken.value) == (
            f"the checkpoint this server last signed (remembered in "
            f"{state_path()}) was signed when the log had 20 entries, but "
            "it has only 10: entries were removed."
        )

    def test_an_honest_append_is_signed(self, signed_log):
        """Positive control: a log that only grew is signed as before,
        and the signer then remembers the new checkpoint."""
        append_many(1, start=20)
        checkpoint = checkpoint_sign()
        assert checkpoint is not None
        assert checkpoint.tree_size == 21
        assert checkpoint_sizes() == [8, 20, 21]
        state = remembered()
        assert (state.tree_size, state.note) == (21, checkpoint.note)
        assert state.root_hash == merkle.root(stored_leaves())
        assert str(ledger_verify()).startswith("ok: 21 entries")


class RewrittenEntryTests:
    def test_it_refuses_an_entry_rewritten_at_the_same_size(
        self, signed_log, settings
    ):
        """Rule: a log of the same size as the last signed checkpoint is
        signed only if its root is the root signed."""
        # Given entry 15 rewritten, its hashes recomputed and the
        # checkpoint of 20 deleted,
        rewrite_entry(15, 1500)
        # the database alone looks whole: the checkpoint of 8 still holds.
        assert checkpoint_sizes() == [8]
        assert database_alone_verifies(settings).startswith("ok: 20 entries")
        with pytest.raises(HistoryRewritten) as refused:
            checkpoint_sign()
        assert str(refused.value) == (
            f"this server signed a checkpoint of 20 entries (remembered in "
            f"{state_path()}), and the log of 20 entries has the same "
            "number of entries but not the same ones: entries already "
            "signed were rewritten in the database. Nothing was signed. "
            "`faced ledger verify` names what does not hold; restore the "
            "database from a backup that holds all 20 entries, or see "
            '"When the signer refuses" in docs/operators.md.'
        )
        assert checkpoint_sizes() == [8]

    def test_the_database_check_stays_as_a_second_line(self, signed_log):
        """Rule: the log must also extend the database's latest
        checkpoint; a rewrite that leaves it is refused by that check
        alone, even with the signer's memory set aside."""
        rewrite_entry(15, 1500, delete_checkpoints=False)
        state_path().unlink()
        with pytest.raises(HistoryRewritten) as refused:
            checkpoint_reanchor()
        assert str(refused.value) == (
            "the log no longer extends its checkpoint at 20 entries: its "
            "history was rewritten. Nothing was signed; run `faced ledger "
            "verify`."
        )
        assert checkpoint_sizes() == [8, 20]
        assert not state_path().exists()


def edited_size(stored: dict[str, str], note_at_8: str) -> dict[str, str]:
    return {
        **stored,
        "checkpoint": stored["checkpoint"].replace("\n20\n", "\n10\n", 1),
    }


def zero_mac(stored: dict[str, str], note_at_8: str) -> dict[str, str]:
    return {**stored, "mac": base64.b64encode(bytes(32)).decode()}


def public_checkpoint(
    stored: dict[str, str], note_at_8: str
) -> dict[str, str]:
    """The genuine, public checkpoint of 8 entries, as a memory."""
    return {**stored, "checkpoint": note_at_8}


def mac_of_another_key(
    stored: dict[str, str], note_at_8: str
) -> dict[str, str]:
    """The genuine checkpoint of 8, with a MAC made as faced makes it but
    under a key of the forger's."""
    mac = hashlib.blake2b(
        f"faced-signer-state/1\n{note_at_8}".encode(),
        key=os.urandom(32),
        person=b"faced-signer-mac",
        digest_size=32,
    ).digest()
    return {
        **stored,
        "checkpoint": note_at_8,
        "mac": base64.b64encode(mac).decode(),
    }


MAC_FAILS = (
    "its MAC does not check with the log key: the file was edited, or "
    "written under another key"
)


class StateFileTests:
    @pytest.mark.parametrize(
        ("edit", "reason"),
        [
            (edited_size, MAC_FAILS),
            (zero_mac, MAC_FAILS),
            (public_checkpoint, MAC_FAILS),
            (mac_of_another_key, MAC_FAILS),
        ],
        ids=["size", "zero-mac", "public-checkpoint", "mac-of-other-key"],
    )
    def test_it_refuses_an_edited_state_file(self, signed_log, edit, reason):
        """Rule: the signer trusts its memory only if the MAC under the
        log key holds; a file edited to agree with a shortened log is
        refused, not trusted."""
        # Given the log cut back to 8 entries, where a genuine checkpoint
        # still stands, and the memory edited to match,
        shorten_to(8)
        note_at_8 = Checkpoint.objects.get(tree_size=8).note
        stored = json.loads(signed_log.read_text())
        edited = json.dumps(edit(stored, note_at_8))
        signed_log.write_text(edited)
        append_many(2, start=100)
        # when a checkpoint is asked for, it is refused;
        with pytest.raises(SignerStateUnusable) as refused:
            checkpoint_sign()
        assert str(refused.value) == (
            f"the signer's memory of the last checkpoint it signed "
            f"({signed_log}) does not hold: {reason}. Nothing was signed. "
            "Restore the file from the backup kept with the log key, or, "
            "if there is none, run `faced ledger reanchor` (see "
            "docs/operators.md)."
        )
        assert checkpoint_sizes() == [8]
        assert signed_log.read_text() == edited

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("", "it is not the JSON faced writes"),
            ("{not json", "it is not the JSON faced writes"),
            ('{"format": "other"}', "it is not a faced-signer-state/1 file"),
            (
                '{"format": "faced-signer-state/1"}',
                "its checkpoint or MAC is missing",
            ),
        ],
    )
    def test_it_refuses_a_damaged_state_file(self, signed_log, text, reason):
        """Rule: a state file that is not one faced wrote is refused, with
        what is wrong with it, even over an honest log."""
        signed_log.write_text(text)
        append_many(1, start=20)
        with pytest.raises(SignerStateUnusable, match=reason):
            checkpoint_sign()
        assert checkpoint_sizes() == [8, 20]

    def test_it_refuses_a_missing_state_file_until_reanchored(
        self, signed_log
    ):
        """Rule: with checkpoints in the database, a missing memory is
        refused until the operator re-anchors it on purpose; re-anchoring
        starts from the database's latest checkpoint, whose signature
        checks, and signing then goes on as before."""
        signed_log.unlink()
        append_many(1, start=20)
        message = refused_command("checkpoint")
        assert message == (
            f"Refused to sign: the signer's memory of the last checkpoint "
            f"it signed ({signed_log}) is missing, but the database holds "
            "checkpoints of up to 20 entries. Nothing was signed: without "
            "that memory, a log shortened in the database would be signed "
            "again. Restore the file from the backup kept with the log "
            "key; if it is lost, `faced ledger reanchor` starts again from "
            "the database's latest checkpoint (see docs/operators.md)."
        )
        assert checkpoint_sizes() == [8, 20]
        assert not signed_log.exists()

        out = io.StringIO()
        call_command("ledger", "reanchor", stdout=out)
        assert out.getvalue().startswith(
            "The signer's memory was missing or did not hold. Signed the "
            "log as it is now, 21 entries, and remember it from here on:\n"
        )
        assert checkpoint_sizes() == [8, 20, 21]
        assert remembered().tree_size == 21
        append_many(1, start=21)
        assert checkpoint_sign().tree_size == 22

    def test_reanchoring_keeps_a_damaged_state_file_aside(self, signed_log):
        """Rule: re-anchoring never deletes what the signer remembered: a
        damaged file is moved aside, byte for byte."""
        signed_log.write_text("damaged")
        done = checkpoint_reanchor()
        assert done.remembered_size is None
        assert done.set_aside is not None
        assert done.set_aside.parent == signed_log.parent
        assert done.set_aside.name.startswith("ledger-signer.state.replaced-")
        assert done.set_aside.read_text() == "damaged"
        assert remembered().tree_size == 20

    def test_reanchoring_does_not_give_up_an_intact_memory(self, signed_log):
        """Rule: an intact memory that the log does not extend is given
        up only with --accept-rollback, and then kept aside as evidence
        of what was signed."""
        before = signed_log.read_text()
        shorten_to(10)
        message = refused_command("reanchor")
        assert message == (
            "Refused to re-anchor: "
            + shortened_message(10, 20)
            + " The signer's memory is intact: re-anchoring would sign a "
            "log that does not extend a checkpoint already signed, and "
            "members' watchers will rightly report it. Only if those "
            "entries are truly lost, tell the members, then run `faced "
            "ledger reanchor --accept-rollback`."
        )
        assert checkpoint_sizes() == [8]

        out = io.StringIO()
        call_command("ledger", "reanchor", "--accept-rollback", stdout=out)
        aside = next(signed_log.parent.glob("ledger-signer.state.replaced-*"))
        assert out.getvalue().startswith(
            f"The signer remembered signing 20 entries; the old memory is "
            f"kept in {aside}. Signed the log as it is now, 10 entries, and "
            "remember it from here on:\n"
        )
        assert aside.read_text() == before
        assert remembered().tree_size == 10
        assert checkpoint_sizes() == [8, 10]

    def test_reanchoring_an_intact_memory_the_log_extends_signs(
        self, signed_log
    ):
        """Rule: re-anchoring a memory that holds, over a log that extends
        it, is an ordinary signature: nothing is set aside."""
        append_many(1, start=20)
        done = checkpoint_reanchor()
        assert (done.remembered_size, done.set_aside) == (20, None)
        assert done.checkpoint.tree_size == 21
        assert not list(signed_log.parent.glob("*.replaced-*"))

    def test_the_first_checkpoint_starts_from_the_log(self, db):
        """Rule: with no memory and no checkpoint in the database, the
        first checkpoint is of the log as it is, and is remembered."""
        append_many(5)
        assert not state_path().exists()
        checkpoint = checkpoint_sign()
        state = remembered()
        assert (state.tree_size, state.note) == (5, checkpoint.note)
        assert state.root_hash == merkle.root(stored_leaves())

    def test_the_state_file_is_written_whole_and_private(self, signed_log):
        """Rule: the memory is replaced in one step (nothing half-written
        is left beside it) and only faced's user may read it."""
        folder = sorted(path.name for path in signed_log.parent.iterdir())
        assert folder == ["ledger-signer.state", "ledger-signer.state.lock"]
        assert signed_log.stat().st_mode & 0o077 == 0
        stored = json.loads(signed_log.read_text())
        assert sorted(stored) == ["checkpoint", "format", "mac"]
        assert stored["format"] == "faced-signer-state/1"
        assert (
            stored["checkpoint"] == Checkpoint.objects.get(tree_size=20).note
        )

    def test_it_refuses_when_the_state_cannot_be_written(
        self, signed_log, settings
    ):
        """Rule: a checkpoint is stored only once it is remembered; a
        memory that cannot be written stops the signature."""
        missing = signed_log.parent / "absent" / "ledger-signer.state"
        settings.LEDGER_SIGNER_STATE_FILE = str(missing)
        append_many(1, start=20)
        with pytest.raises(SignerStateUnusable) as refused:
            checkpoint_sign()
        assert str(refused.value).startswith(
            f"the signer cannot take its lock ({missing}.lock: No such file "
            "or directory). Nothing was signed."
        )
        assert checkpoint_sizes() == [8, 20]

    def test_it_refuses_to_sign_inside_a_transaction(self, signed_log):
        """Rule: the signer remembers only logs already committed: inside
        a transaction that could still roll back, it refuses."""
        before = signed_log.read_bytes()
        with (
            pytest.raises(RuntimeError, match="durable"),
            transaction.atomic(),
        ):
            append_many(1, start=20)
            checkpoint_sign()
        assert signed_log.read_bytes() == before
        assert checkpoint_sizes() == [8, 20]


class ForgedSignerTests:
    def test_a_state_file_under_another_log_key_is_refused(self, signed_log):
        """Rule: a memory written with another log key (a new key made
        beside the old one) does not hold."""
        name, seed = parse_signer_key(generate_signer_key("faced.test/ledger"))
        stored = json.loads(signed_log.read_text())
        note = sign_note(
            stored["checkpoint"].split("\n\n")[0] + "\n", name, seed
        )
        mac = hashlib.blake2b(
            f"faced-signer-state/1\n{note}".encode(),
            key=seed,
            person=b"faced-signer-mac",
            digest_size=32,
        ).digest()
        stored.update(checkpoint=note, mac=base64.b64encode(mac).decode())
        signed_log.write_text(json.dumps(stored))
        with pytest.raises(SignerStateUnusable, match=MAC_FAILS):
            checkpoint_sign()


@pytest.mark.django_db(transaction=True)
class ConcurrentSignersTests:
    def test_signers_at_once_keep_the_state_whole(self):
        """Rule: signers running at once (on PostgreSQL, four real
        connections) neither refuse one another's honest checkpoints nor
        leave a memory behind the largest checkpoint signed."""
        errors: list[BaseException] = []

        def signer(number: int) -> None:
            try:
                for step in range(8):
                    ledger_append(
                        event_type="test_event",
                        payload={"thread": number, "step": step},
                    )
                    checkpoint_sign()
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=signer, args=(n,)) for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        state = remembered()
        assert state.tree_size == 32 == max(checkpoint_sizes())
        assert state.root_hash == merkle.root(stored_leaves())
        assert str(ledger_verify()).startswith("ok: 32 entries")

    def test_a_signer_waits_for_the_one_holding_the_lock(self):
        """Rule: while one signer holds the lock (reading, checking,
        signing, writing), another signs nothing until it is let go."""
        # (Each append is followed by the task that signs, as in
        # production.)
        append_many(3)
        before = Checkpoint.objects.count()
        signed: list[int] = []

        def second_signer() -> None:
            try:
                checkpoint = checkpoint_sign(force=True)
                signed.append(checkpoint.tree_size)
            finally:
                connection.close()

        with signer_state_lock():
            waiting = threading.Thread(target=second_signer)
            waiting.start()
            time.sleep(0.5)
            assert waiting.is_alive()
            assert signed == []
            assert Checkpoint.objects.count() == before
        waiting.join(timeout=30)
        assert signed == [3]
        assert Checkpoint.objects.count() == before + 1
        assert remembered().tree_size == 3

    def test_processes_at_once_keep_the_state_whole(self, tmp_path):
        """Rule: `faced ledger checkpoint` in three processes at once
        signs three times and leaves one whole memory."""
        append_many(5)
        environment = faced_environment(tmp_path)
        before = checkpoint_sizes_in(environment).count(5)
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "faced", "ledger", "checkpoint"],
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        outcomes = [process.communicate(timeout=60) for process in processes]
        assert [p.returncode for p in processes] == [0, 0, 0], outcomes
        assert checkpoint_sizes_in(environment).count(5) == before + 3
        assert remembered().tree_size == 5

    def test_the_command_exits_1_over_a_shortened_log(self, tmp_path):
        """Rule: `faced ledger checkpoint`, run as an operator runs it,
        exits 1 over a shortened log and says why on stderr."""
        append_many(20)
        assert remembered().tree_size == 20
        shorten_to(10)
        environment = faced_environment(tmp_path)
        result = run_faced("ledger", "checkpoint", env=environment)
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr.startswith(
            "CommandError: Refused to sign: the log has 10 entries, but "
            "this server already signed a checkpoint of 20 entries"
        )
        assert checkpoint_sizes_in(environment) == list(range(1, 11))


def faced_environment(tmp_path: Path) -> dict[str, str]:
    """What a faced process needs to work on the suite's database, with
    the suite's log key and this test's signer memory.

    On SQLite the processes work on a copy of the test's database (made
    with SQLite's own backup, so that it is whole), never on the file
    the test's worker keeps open: other processes writing the worker's
    own write-ahead-logged file left later tests on that worker with
    "disk I/O error". `checkpoint_sizes_in` reads what they signed."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "processes.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        url = f"sqlite:///{copy}"
    else:
        from urllib.parse import quote

        url = (
            f"postgres://{quote(database['USER'] or '')}:"
            f"{quote(database['PASSWORD'] or '')}@"
            f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
            f"{database['NAME']}"
        )
    return {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": url,
        "FACED_SECRET_KEY": "k" * 60,
        "FACED_DATA_DIR": str(tmp_path),
        "FACED_LEDGER_KEY_FILE": settings.LEDGER_KEY_FILE,
        "FACED_LEDGER_SIGNER_STATE_FILE": settings.LEDGER_SIGNER_STATE_FILE,
    }
