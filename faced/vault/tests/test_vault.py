"""The vault's services: versions, sharing, shredding, bad input."""

import io

import pytest

from faced.accounts.custody import keys_unlock
from faced.conftest import PASSWORD
from faced.ledger.bundle import check_bundle, commit
from faced.ledger.log_key import log_verifier_key
from faced.ledger.models import LedgerEntry
from faced.ledger.verify import ledger_verify
from faced.orgs.models import Organization
from faced.vault import selectors
from faced.vault.models import (
    Attachment,
    Draft,
    RecordKey,
    RecordVersion,
    VaultRecord,
)
from faced.vault.services import (
    VaultError,
    _attachment_path,
    attachment_add,
    attachment_open,
    attachments_folder,
    draft_open,
    draft_save,
    record_delete,
    record_save,
    share_revoke,
    share_with,
    version_open,
)


def share_with_advocate(survivor, record, advocate):
    """The survivor shares RECORD with the advocate, in Demo Collective."""
    user, keys = survivor
    return share_with(
        record=record,
        owner=user,
        keys=keys,
        reader=advocate[0],
        organization=Organization.objects.get(slug="demo"),
    )


class VersionTests:
    def test_editing_keeps_every_version_with_its_date(self, survivor):
        user, keys = survivor
        first = record_save(owner=user, keys=keys, fields={"what": "one"})
        record = first.version.record
        second = record_save(
            owner=user, keys=keys, fields={"what": "two"}, record=record
        )
        assert second.version.number == 2
        opened = [
            version_open(version=v, reader=user, keys=keys).fields["what"]
            for v in record.versions.order_by("number")
        ]
        assert opened == ["one", "two"]

    def test_each_version_commits_to_its_content_in_the_ledger(self, survivor):
        """The ledger holds a salted commitment, not the words; opening
        the commitment with the version's salt proves the content."""
        user, keys = survivor
        saved = record_save(
            owner=user, keys=keys, fields={"what": "CANARY words"}
        )
        entry = LedgerEntry.objects.get(sequence=saved.version.ledger_sequence)
        assert "CANARY" not in entry.leaf_data
        assert saved.commitment in entry.leaf_data
        opened = version_open(version=saved.version, reader=user, keys=keys)
        assert commit(opened.fields, opened.salt) == saved.commitment
        ledger_verify()

    def test_the_proof_bundle_checks_offline(self, survivor):
        user, keys = survivor
        saved = record_save(owner=user, keys=keys, fields={"when": "May"})
        bundle = selectors.proof_bundle(
            version=saved.version, reader=user, keys=keys
        )
        result = check_bundle(bundle, trusted_key=log_verifier_key())
        assert result.sequence == saved.version.ledger_sequence
        assert result.message.startswith("ok: this record existed on")
        bundle["record"]["when"] = "June"
        with pytest.raises(ValueError, match="changed"):
            check_bundle(bundle)

    def test_a_tampered_version_is_refused_plainly(self, survivor):
        user, keys = survivor
        saved = record_save(owner=user, keys=keys, fields={"what": "x"})
        ciphertext = bytearray(saved.version.ciphertext)
        ciphertext[-1] ^= 1
        RecordVersion.objects.filter(pk=saved.version.pk).update(
            ciphertext=bytes(ciphertext)
        )
        with pytest.raises(VaultError, match="changed"):
            version_open(
                version=RecordVersion.objects.get(pk=saved.version.pk),
                reader=user,
                keys=keys,
            )

    def test_nobody_else_can_open_a_record(self, survivor, personas):
        user, keys = survivor
        saved = record_save(owner=user, keys=keys, fields={"what": "x"})
        other = personas["committee1"]
        with pytest.raises(VaultError, match="no key"):
            version_open(
                version=saved.version,
                reader=other,
                keys=keys_unlock(user=other, password=PASSWORD),
            )


class DraftTests:
    def test_a_draft_opens_only_with_the_owners_keys(self, survivor, advocate):
        user, keys = survivor
        draft = draft_save(owner=user, fields={"what": "half"}, step=2)
        assert draft_open(draft=draft, keys=keys)["what"] == "half"
        with pytest.raises(VaultError):
            draft_open(draft=draft, keys=advocate[1])
        assert b"half" not in bytes(draft.sealed_content)

    def test_saving_the_record_removes_the_draft(self, survivor):
        user, keys = survivor
        draft_save(owner=user, fields={"what": "half"}, step=2)
        record_save(owner=user, keys=keys, fields={"what": "whole"})
        assert not Draft.objects.filter(owner=user).exists()


class SharingTests:
    def test_an_advocate_reads_until_the_survivor_stops_sharing(
        self, survivor, advocate
    ):
        """Given a record shared with an advocate, the advocate can read
        it; once the survivor stops, the advocate's old sealed key opens
        nothing written afterwards, and the survivor still reads all."""
        user, keys = survivor
        reader, reader_keys = advocate
        demo = Organization.objects.get(slug="demo")
        saved = record_save(owner=user, keys=keys, fields={"what": "v1"})
        record = saved.version.record
        share_with(
            record=record,
            owner=user,
            keys=keys,
            reader=reader,
            organization=demo,
        )
        assert (
            version_open(
                version=saved.version, reader=reader, keys=reader_keys
            ).fields["what"]
            == "v1"
        )
        old_sealed = bytes(
            RecordKey.objects.get(record=record, reader=reader).sealed_key
        )
        share_revoke(record=record, owner=user, keys=keys, reader=reader)
        newer = record_save(
            owner=user, keys=keys, fields={"what": "v2"}, record=record
        )
        with pytest.raises(VaultError):
            version_open(
                version=newer.version, reader=reader, keys=reader_keys
            )
        # Even with the key they had kept, the new version does not open.
        from faced.crypto.envelope import decrypt, open_sealed_key

        old_record_key = open_sealed_key(
            old_sealed,
            reader_keys.box_public_key,
            reader_keys.box_private_key,
        )
        with pytest.raises(ValueError):
            decrypt(
                old_record_key,
                bytes(newer.version.wrapped_key),
                associated_data=(
                    f"faced vault|{record.pk}|version|2".encode()
                ),
            )
        for version in record.versions.all():
            version_open(version=version, reader=user, keys=keys)


class AttachmentTests:
    def test_a_file_round_trips_encrypted(self, survivor, own_record):
        user, keys = survivor
        attachment = attachment_add(
            record=own_record,
            owner=user,
            keys=keys,
            name="screenshot.PNG",
            source=io.BytesIO(b"CANARY-FILE" * 1000),
        )
        stored = _attachment_path(attachment).read_bytes()
        assert b"CANARY-FILE" not in stored
        opened = attachment_open(attachment=attachment, reader=user, keys=keys)
        assert opened.name == "screenshot.PNG"
        assert opened.plaintext.read() == b"CANARY-FILE" * 1000

    @pytest.mark.parametrize(
        ("name", "size", "refusal"),
        [
            ("virus.exe", 1, "photos, screenshots"),
            ("script.js", 1, "photos, screenshots"),
            ("noext", 1, "photos, screenshots"),
            ("big.pdf", 5000, "larger than"),
        ],
    )
    def test_it_refuses_a_disallowed_type_or_size_and_keeps_nothing(
        self, survivor, own_record, settings, name, size, refusal
    ):
        settings.ATTACHMENT_MAX_BYTES = 1000
        user, keys = survivor
        with pytest.raises(VaultError, match=refusal):
            attachment_add(
                record=own_record,
                owner=user,
                keys=keys,
                name=name,
                source=io.BytesIO(b"x" * size),
            )
        assert not Attachment.objects.exists()
        assert list(attachments_folder().glob("upload-*")) == []


class DeletionTests:
    def test_deleting_shreds_every_key_and_keeps_the_commitments(
        self, survivor
    ):
        user, keys = survivor
        saved = record_save(owner=user, keys=keys, fields={"what": "gone"})
        record = saved.version.record
        record_delete(record=record, owner=user)
        assert not VaultRecord.objects.filter(pk=record.pk).exists()
        assert not RecordKey.objects.filter(record_id=record.pk).exists()
        assert LedgerEntry.objects.filter(
            leaf_data__contains=saved.commitment
        ).exists()
        assert LedgerEntry.objects.filter(event_type="record_deleted").exists()
        ledger_verify()

    def test_only_the_owner_can_delete(self, survivor, personas):
        user, keys = survivor
        record = record_save(owner=user, keys=keys, fields={}).version.record
        with pytest.raises(VaultRecord.DoesNotExist):
            record_delete(record=record, owner=personas["advocate"])
        assert VaultRecord.objects.filter(pk=record.pk).exists()


class ReviewFindingsTests:
    def test_a_swapped_stored_key_receives_nothing(self, survivor):
        """Given someone who replaced a survivor's stored public key in the
        database with their own, faced refuses to seal anything to it."""
        from faced.accounts.models import KeyCustody
        from faced.crypto.envelope import generate_box_keypair

        user, keys = survivor
        attacker_public, _private = generate_box_keypair()
        KeyCustody.objects.filter(user=user).update(
            box_public_key=attacker_public
        )
        with pytest.raises(VaultError, match="does not match"):
            record_save(owner=user, keys=keys, fields={"what": "secret"})
        with pytest.raises(VaultError, match="does not match"):
            draft_save(owner=user, fields={"what": "x"}, step=1, keys=keys)
        assert not VaultRecord.objects.exists()

    def test_an_advocate_key_swapped_in_the_database_is_refused(
        self, survivor, own_record, advocate
    ):
        from faced.accounts.models import KeyCustody
        from faced.crypto.envelope import generate_box_keypair

        attacker_public, _private = generate_box_keypair()
        KeyCustody.objects.filter(user=advocate[0]).update(
            box_public_key=attacker_public
        )
        with pytest.raises(VaultError, match="confirmed against the ledger"):
            share_with_advocate(survivor, own_record, advocate)
        assert not RecordKey.objects.filter(reader=advocate[0]).exists()

    def test_a_damaged_item_never_blocks_a_revoke(
        self, survivor, own_record, advocate
    ):
        user, keys = survivor
        share_with_advocate(survivor, own_record, advocate)
        RecordVersion.objects.filter(record=own_record).update(
            wrapped_key=b"\0" * 72
        )
        damaged = share_revoke(
            record=own_record, owner=user, keys=keys, reader=advocate[0]
        )
        assert damaged == 1
        assert not RecordKey.objects.filter(reader=advocate[0]).exists()

    def test_editing_keeps_the_draft_of_a_new_record(self, survivor):
        user, keys = survivor
        record = record_save(owner=user, keys=keys, fields={}).version.record
        draft_save(owner=user, fields={"what": "new one"}, step=2, keys=keys)
        record_save(owner=user, keys=keys, fields={}, record=record)
        assert Draft.objects.filter(owner=user, record=None).exists()
