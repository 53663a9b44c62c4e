"""Reads of survivors' records that need care: what a page may list, what
the guided form starts from, and the proof bundle of a version."""

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Min, QuerySet
from django.http import Http404

from faced.accounts.models import User
from faced.crypto.envelope import DecryptionError
from faced.crypto.keys import PersonKeys
from faced.ledger.selectors import entry_bundle
from faced.orgs.models import Organization, RoleAssignment
from faced.orgs.roles import Role
from faced.vault.fields import FIELD_NAMES
from faced.vault.models import Draft, RecordKey, RecordVersion, VaultRecord
from faced.vault.services import (
    attachment_details_open,
    draft_open,
    record_key_open,
    version_open,
)

if TYPE_CHECKING:
    # Only for the type of reports_of: at run time the vault reaches cases
    # through the survivor's related manager, so that cases, which imports
    # the vault, is never imported by it.
    from faced.cases.models import Case


def records_of(user: User) -> QuerySet[VaultRecord]:
    return (
        VaultRecord.objects.filter(owner=user)
        .annotate(
            version_count=Count("versions"),
            first_written=Min("versions__created_at"),
            last_saved=Max("versions__created_at"),
        )
        .order_by("-last_saved")
    )


def new_record_draft(owner: User) -> Draft | None:
    """The draft of a record not saved yet, if the owner has one."""
    return Draft.objects.filter(owner=owner, record=None).first()


def reports_of(user: User) -> "QuerySet[Case]":
    """The reports USER sent to a committee, newest first."""
    return user.reported_cases.order_by("-submitted_at")


def fields_in_progress(
    *, owner: User, record: VaultRecord | None, keys: PersonKeys
) -> dict[str, str]:
    """What the guided form starts from: the owner's draft of RECORD (or
    of a new record), else RECORD's latest version, else empty answers."""
    draft = Draft.objects.filter(owner=owner, record=record).first()
    if draft is not None:
        return draft_open(draft=draft, keys=keys)
    if record is not None:
        latest = record.versions.order_by("-number").first()
        if latest is not None:
            opened = version_open(version=latest, reader=owner, keys=keys)
            return dict(opened.fields)
    return dict.fromkeys(FIELD_NAMES, "")


@dataclass(frozen=True)
class AttachmentName:
    id: uuid.UUID
    name: str
    size: int


def attachment_names(
    record: VaultRecord, reader: User, keys: PersonKeys
) -> list[AttachmentName]:
    """Each attachment's name, decrypted; a damaged one says so."""
    record_key = record_key_open(record=record, reader=reader, keys=keys)
    names = []
    for attachment in record.attachments.all():
        try:
            name = attachment_details_open(
                attachment=attachment, record_key=record_key
            ).name
        except DecryptionError:
            name = "(damaged file)"
        names.append(AttachmentName(attachment.pk, name, attachment.size))
    return names


def shares_of(record: VaultRecord) -> QuerySet[RecordKey]:
    return (
        RecordKey.objects.filter(record=record)
        .exclude(reader=record.owner)
        .select_related("reader", "organization")
    )


def reader_of(record: VaultRecord, username: str) -> User:
    share = shares_of(record).filter(reader__username=username).first()
    if share is None:
        raise Http404
    return share.reader


def advocate_choices() -> list[tuple[str, str]]:
    """Every advocate a record can be shared with, as the choices of the
    share form: "organization:username" and a label. An advocate without
    keys yet cannot be given a sealed copy, so is not offered."""
    holders = (
        RoleAssignment.objects.filter(role=Role.ADVOCATE, revoked_at=None)
        .select_related("user", "organization")
        .order_by("organization__name", "user__username")
    )
    return [
        (
            f"{organization.slug}:{holder.user.username}",
            f"{holder.user.username} — {organization.name}",
        )
        for holder in holders
        # The advocate role is always held in an organization.
        if (organization := holder.organization) is not None
        and hasattr(holder.user, "key_custody")
    ]


def advocate(organization: Organization, username: str) -> User:
    holder = RoleAssignment.objects.filter(
        organization=organization,
        role=Role.ADVOCATE,
        revoked_at=None,
        user__username=username,
    ).first()
    if holder is None:
        raise Http404
    return holder.user


def shared_with(
    user: User, organization: Organization
) -> QuerySet[VaultRecord]:
    """Records shared with an advocate in an organization, newest first."""
    return (
        VaultRecord.objects.filter(
            keys__reader=user, keys__organization=organization
        )
        .annotate(last_saved=Max("versions__created_at"))
        .order_by("-last_saved")
    )


def proof_bundle(
    *, version: RecordVersion, reader: User, keys: PersonKeys
) -> dict[str, object]:
    """Everything needed to prove, offline, that this version existed when
    its ledger entry says: the record, the commitment's opening, the entry,
    its inclusion proof and a signed checkpoint that covers it."""
    opened = version_open(version=version, reader=reader, keys=keys)
    return entry_bundle(
        version.ledger_sequence, record=opened.fields, salt=opened.salt
    )
