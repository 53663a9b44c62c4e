"""Reads of survivors' records that need care: what a page may list, and
the proof bundle of a version."""

import json
from dataclasses import dataclass

from django.db.models import Count, Max, Min
from django.http import Http404

from faced.crypto.envelope import DecryptionError, decrypt
from faced.crypto.keys import PersonKeys
from faced.ledger.bundle import build_bundle
from faced.ledger.log_key import log_verifier_key
from faced.ledger.models import LedgerEntry
from faced.ledger.selectors import entry_inclusion
from faced.orgs.models import RoleAssignment
from faced.orgs.roles import Role
from faced.vault.models import RecordKey, RecordVersion, VaultRecord
from faced.vault.services import _ad, _record_key, version_open


def records_of(user):
    return (
        VaultRecord.objects.filter(owner=user)
        .annotate(
            version_count=Count("versions"),
            first_written=Min("versions__created_at"),
            last_saved=Max("versions__created_at"),
        )
        .order_by("-last_saved")
    )


@dataclass(frozen=True)
class AttachmentName:
    id: object
    name: str
    size: int


def attachment_names(record: VaultRecord, reader, keys: PersonKeys):
    """Each attachment's name, decrypted; a damaged one says so."""
    record_key = _record_key(record, reader, keys)
    names = []
    for attachment in record.attachments.all():
        purpose = _ad(record.pk, "attachment", attachment.pk)
        try:
            item_key = decrypt(
                record_key,
                bytes(attachment.wrapped_key),
                associated_data=purpose,
            )
            details = json.loads(
                decrypt(
                    item_key,
                    bytes(attachment.sealed_details),
                    associated_data=purpose + b"|details",
                )
            )
            name = details["name"]
        except DecryptionError:
            name = "(damaged file)"
        names.append(AttachmentName(attachment.pk, name, attachment.size))
    return names


def shares_of(record: VaultRecord):
    return (
        RecordKey.objects.filter(record=record)
        .exclude(reader=record.owner)
        .select_related("reader", "organization")
    )


def reader_of(record: VaultRecord, username: str | None):
    share = shares_of(record).filter(reader__username=username).first()
    if share is None:
        raise Http404
    return share.reader


def advocate(organization, username: str):
    holder = RoleAssignment.objects.filter(
        organization=organization,
        role=Role.ADVOCATE,
        revoked_at=None,
        user__username=username,
    ).first()
    if holder is None:
        raise Http404
    return holder.user


def shared_with(user, organization):
    """Records shared with an advocate in an organization, newest first."""
    return (
        VaultRecord.objects.filter(
            keys__reader=user, keys__organization=organization
        )
        .annotate(last_saved=Max("versions__created_at"))
        .order_by("-last_saved")
    )


def proof_bundle(*, version: RecordVersion, reader, keys: PersonKeys) -> dict:
    """Everything needed to prove, offline, that this version existed when
    its ledger entry says: the record, the commitment's opening, the entry,
    its inclusion proof and a signed checkpoint that covers it."""
    opened = version_open(version=version, reader=reader, keys=keys)
    entry = LedgerEntry.objects.get(sequence=version.ledger_sequence)
    included = entry_inclusion(entry.sequence)
    return build_bundle(
        record=opened.fields,
        salt=opened.salt,
        sequence=entry.sequence,
        leaf_data=entry.leaf_data,
        tree_size=included.checkpoint.tree_size,
        proof=included.proof,
        checkpoint_note=included.checkpoint.note,
        log_key=log_verifier_key(),
    )
