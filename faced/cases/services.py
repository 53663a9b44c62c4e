"""Writes to cases: a survivor's report to the committee."""

import datetime as dt
import json
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from faced.cases.models import Case, CaseDocument, CaseExclusion, CaseKey
from faced.crypto.envelope import (
    DecryptionError,
    decrypt,
    encrypt,
    new_content_key,
    open_sealed_key,
    seal_key,
)
from faced.crypto.keys import PersonKeys
from faced.crypto.signing import canonical_json
from faced.ledger.services import ledger_append
from faced.orgs.models import Organization, RoleAssignment
from faced.orgs.roles import Role
from faced.orgs.services import person_reference
from faced.vault.models import VaultRecord
from faced.vault.services import (
    VaultError,
    ledger_confirmed_public_key,
    own_public_key,
    version_open,
)

OUTCOMES = (
    ("heard", gettext_lazy("To be heard")),
    ("apology", gettext_lazy("An apology")),
    ("no_contact", gettext_lazy("No contact with me")),
    ("exclusion", gettext_lazy("Exclusion from spaces, events or roles")),
    ("restorative", gettext_lazy("A restorative process")),
    ("expulsion", gettext_lazy("Expulsion")),
    ("other", gettext_lazy("Something else")),
)
OUTCOME_NAMES = {name for name, _label in OUTCOMES}


class CaseError(ValueError):
    """A refusal whose message is safe and useful to show."""


def case_reference(case: Case) -> str:
    """How the ledger names a case: opaque, stable."""
    return f"case/{case.pk}"


def committee_members(organization: Organization):
    return [
        assignment.user
        for assignment in RoleAssignment.objects.filter(
            organization=organization,
            role=Role.COMMITTEE,
            revoked_at=None,
        ).select_related("user")
    ]


def _ad(case: Case, *parts: object) -> bytes:
    return "|".join(["faced case", str(case.pk), *map(str, parts)]).encode()


def _next_reference(organization: Organization, now: dt.datetime) -> str:
    count = Case.objects.filter(
        organization=organization, submitted_at__year=now.year
    ).count()
    return f"C-{now.year}-{count + 1:04d}"


def case_submit(
    *,
    survivor,
    keys: PersonKeys,
    record: VaultRecord,
    organization: Organization,
    included_fields: Sequence[str],
    outcomes: Sequence[str],
    outcome_other: str = "",
    respondent: str = "",
    excluded: Sequence = (),
) -> Case:
    """Report a record to ORGANIZATION's committee.

    The chosen parts of the record's latest version, the outcomes the
    survivor wants and what identifies the respondent are encrypted under
    a new case key, sealed to the survivor and to every committee member
    not excluded. The whole report is one transaction with its ledger
    entry: a crash leaves either the report or nothing.
    """
    if record.owner_id != survivor.pk:
        raise CaseError(_("You can only report your own records."))
    unknown = set(outcomes) - OUTCOME_NAMES
    if unknown:
        raise CaseError(_("Choose the outcomes from the list."))
    members = committee_members(organization)
    excluded_ids = {member.pk for member in excluded}
    if not excluded_ids <= {member.pk for member in members}:
        raise CaseError(_("Only committee members can be kept off a case."))
    readers = [m for m in members if m.pk not in excluded_ids]
    if not readers:
        raise CaseError(
            _(
                "Nobody on this committee could read the report. Keep at "
                "least one member on it, or talk to an advocate first."
            )
        )
    latest = record.versions.order_by("-number").first()
    try:
        opened = version_open(version=latest, reader=survivor, keys=keys)
    except VaultError as error:
        raise CaseError(str(error)) from None
    content = canonical_json(
        {
            "record": {
                name: opened.fields.get(name, "")
                for name in included_fields
                if name in opened.fields
            },
            "outcomes": sorted(set(outcomes)),
            "outcome_other": outcome_other[:2000],
            "respondent": respondent[:5000],
        }
    )
    now = timezone.now()
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        case = Case.objects.create(
            organization=organization,
            reference=_next_reference(organization, now),
            survivor=survivor,
            submitted_at=now,
            acknowledge_by=now
            + dt.timedelta(days=organization.acknowledge_days),
            respond_by=now + dt.timedelta(days=organization.respond_days),
        )
        case_key = new_content_key()
        CaseKey.objects.create(
            case=case,
            reader=survivor,
            sealed_key=seal_key(case_key, own_public_key(survivor, keys)),
        )
        for member in readers:
            try:
                public_key = ledger_confirmed_public_key(member)
            except VaultError:
                # A member whose key cannot be confirmed gets no copy.
                continue
            CaseKey.objects.create(
                case=case,
                reader=member,
                sealed_key=seal_key(case_key, public_key),
            )
        for member in members:
            if member.pk in excluded_ids:
                CaseExclusion.objects.create(case=case, member=member)
        item_key = new_content_key()
        document = CaseDocument(
            case=case, kind=CaseDocument.Kind.REPORT, author=survivor
        )
        document.wrapped_key = encrypt(
            case_key, item_key, associated_data=_ad(case, "report", "key")
        )
        document.ciphertext = encrypt(
            item_key, content, associated_data=_ad(case, "report")
        )
        document.save()
        ledger_append(
            event_type="case_submitted",
            payload={
                "case": case_reference(case),
                "organization": organization.slug,
                "acknowledge_by": case.acknowledge_by.date().isoformat(),
            },
        )
    return case


def case_report_open(*, case: Case, reader, keys: PersonKeys) -> dict:
    """The report, for a reader holding the case key. A committee member's
    reading is itself a ledger entry: nobody reads a case unseen."""
    sealed = (
        CaseKey.objects.filter(case=case, reader=reader)
        .values_list("sealed_key", flat=True)
        .first()
    )
    if sealed is None:
        raise CaseError(_("You have no key to this case."))
    document = case.documents.get(kind=CaseDocument.Kind.REPORT)
    try:
        case_key = open_sealed_key(
            bytes(sealed), keys.box_public_key, keys.box_private_key
        )
        item_key = decrypt(
            case_key,
            bytes(document.wrapped_key),
            associated_data=_ad(case, "report", "key"),
        )
        content = json.loads(
            decrypt(
                item_key,
                bytes(document.ciphertext),
                associated_data=_ad(case, "report"),
            )
        )
    except DecryptionError:
        raise CaseError(
            _("This report could not be opened: its stored data changed.")
        ) from None
    if reader.pk != case.survivor_id:
        ledger_append(
            event_type="case_opened",
            payload={
                "case": case_reference(case),
                "person": person_reference(reader),
            },
        )
    return content
