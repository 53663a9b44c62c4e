"""The survivor's report and their control of it: submit, read, withdraw,
pause, resume, agree to a path, send again."""

import base64
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faced.accounts.models import User
from faced.cases.choices import OUTCOME_NAMES
from faced.cases.errors import CaseError
from faced.cases.models import (
    Case,
    CaseDocument,
    CaseExclusion,
    CaseKey,
    CaseState,
    SurvivorActKey,
)
from faced.cases.selectors import (
    MINIMUM_SIGNERS,
    active_panel,
    appeal_is_stuck,
    case_reference,
    committee_members,
    eligible_for_appeal,
    eligible_for_panel,
    may_read,
    panel_is_stuck,
)
from faced.cases.services.guards import refuse_if_withdrawn
from faced.cases.services.sealing import (
    case_key_open,
    case_key_seal_to,
    sealed_create,
    survivor_act_signer,
    text_open,
)
from faced.crypto.envelope import (
    new_content_key,
    seal_key,
)
from faced.crypto.keys import PersonKeys
from faced.crypto.signing import generate_signing_key
from faced.ledger.acts import SURVIVOR, SURVIVOR_KEY
from faced.ledger.services import ActSigner, ledger_append
from faced.notify.services import notify
from faced.orgs.models import Organization
from faced.orgs.services import person_reference, person_signer
from faced.vault.models import VaultRecord
from faced.vault.services import (
    VaultError,
    own_public_key,
    seal_to_confirmed,
    version_open,
)


def _next_reference(organization: Organization, now: dt.datetime) -> str:
    count = Case.objects.filter(
        organization=organization, submitted_at__year=now.year
    ).count()
    return f"C-{now.year}-{count + 1:04d}"


def case_submit(
    *,
    survivor: User,
    keys: PersonKeys,
    record: VaultRecord,
    organization: Organization,
    included_fields: Sequence[str],
    outcomes: Sequence[str],
    outcome_other: str = "",
    respondent: str = "",
    excluded: Sequence[User] = (),
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
    if latest is None:
        raise CaseError(_("This record has nothing written in it yet."))
    try:
        opened = version_open(version=latest, reader=survivor, keys=keys)
    except VaultError as error:
        raise CaseError(str(error)) from None
    content = {
        "record": {
            name: opened.fields.get(name, "")
            for name in included_fields
            if name in opened.fields
        },
        "outcomes": sorted(set(outcomes)),
        "outcome_other": outcome_other[:2000],
        "respondent": respondent[:5000],
    }
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
        CaseKey.objects.bulk_create(
            CaseKey(case=case, reader=member, sealed_key=sealed)
            for member, sealed in seal_to_confirmed(case_key, readers)
        )
        for member in members:
            if member.pk in excluded_ids:
                CaseExclusion.objects.create(case=case, member=member)
        sealed_create(
            CaseDocument,
            case=case,
            key=case_key,
            purpose=CaseDocument.Kind.REPORT,
            body=content,
            kind=CaseDocument.Kind.REPORT,
            author=survivor,
        )
        # The case's own key for the survivor's acts: declared in its
        # first entry, which it signs, and sealed to the survivor alone.
        act_seed, act_verify_key = generate_signing_key()
        SurvivorActKey.objects.create(
            case=case,
            reader=survivor,
            sealed_key=seal_key(act_seed, own_public_key(survivor, keys)),
        )
        ledger_append(
            event_type="case_submitted",
            payload={
                "case": case_reference(case),
                "organization": organization.slug,
                "acknowledge_by": case.acknowledge_by.date().isoformat(),
                SURVIVOR_KEY: base64.b64encode(act_verify_key).decode(),
            },
            signer=ActSigner(SURVIVOR, act_seed),
        )
        notify(readers)
    return case


def case_report_open(
    *, case: Case, reader: User, keys: PersonKeys
) -> dict[str, Any]:
    """The report, for the survivor or a panel member who declared no
    conflict. A committee member's reading is itself a ledger entry:
    nobody reads a case unseen."""
    if not may_read(case, reader):
        raise CaseError(
            _(
                "This report opens only to its panel, once each member has "
                "declared that they have no conflict of interest."
            )
        )
    document = case.documents.filter(kind=CaseDocument.Kind.REPORT).first()
    if document is None:
        raise CaseError(
            _(
                "This report's content is missing: it was removed from the "
                "database behind faced's back."
            )
        )
    content = text_open(
        document,
        case=case,
        key=case_key_open(case, reader, keys),
        purpose="report",
    )
    if reader.pk != case.survivor_id:
        ledger_append(
            event_type="case_opened",
            payload={
                "case": case_reference(case),
                "person": person_reference(reader),
            },
            signer=person_signer(reader, keys),
        )
    return content


def case_withdraw(*, case: Case, survivor: User, keys: PersonKeys) -> None:
    """The survivor withdraws the report, at any time, for any reason. A
    finding already in effect stays on the record."""
    if survivor.pk != case.survivor_id:
        raise CaseError(_("Only the person who reported can withdraw it."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.state == CaseState.WITHDRAWN:
            raise CaseError(_("This report is withdrawn already."))
        locked.state = CaseState.WITHDRAWN
        locked.save(update_fields=["state"])
        ledger_append(
            event_type="case_withdrawn",
            payload={"case": case_reference(locked)},
            signer=survivor_act_signer(locked, survivor, keys),
        )
        notify(active_panel(locked))


def case_pause(*, case: Case, survivor: User, keys: PersonKeys) -> None:
    """The survivor pauses the case: its deadlines stop, and the panel
    waits (messages and safety measures still work)."""
    if survivor.pk != case.survivor_id:
        raise CaseError(_("Only the person who reported can pause it."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.state == CaseState.WITHDRAWN:
            raise CaseError(_("This report was withdrawn."))
        if locked.paused_at is not None:
            raise CaseError(_("This case is paused already."))
        locked.paused_at = timezone.now()
        locked.save(update_fields=["paused_at"])
        ledger_append(
            event_type="case_paused",
            payload={"case": case_reference(locked)},
            signer=survivor_act_signer(locked, survivor, keys),
        )
        notify(active_panel(locked))


def case_resume(*, case: Case, survivor: User, keys: PersonKeys) -> None:
    """The survivor resumes the case; deadlines not yet met move on by as
    long as it was paused."""
    if survivor.pk != case.survivor_id:
        raise CaseError(_("Only the person who reported can resume it."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.paused_at is None:
            raise CaseError(_("This case is not paused."))
        paused_for = timezone.now() - locked.paused_at
        # Only deadlines still ahead when the case was paused move on: one
        # already missed stays missed, flagged or not.
        if (
            locked.state == CaseState.SUBMITTED
            and locked.acknowledge_by > locked.paused_at
        ):
            locked.acknowledge_by += paused_for
        if (
            locked.responded_at is None
            and locked.respond_by > locked.paused_at
        ):
            locked.respond_by += paused_for
        locked.paused_at = None
        locked.save(
            update_fields=["paused_at", "acknowledge_by", "respond_by"]
        )
        ledger_append(
            event_type="case_resumed",
            payload={
                "case": case_reference(locked),
                "acknowledge_by": locked.acknowledge_by.date().isoformat(),
                "respond_by": locked.respond_by.date().isoformat(),
            },
            signer=survivor_act_signer(locked, survivor, keys),
        )
        notify(active_panel(locked))


def path_agree(
    *, case: Case, survivor: User, keys: PersonKeys, path: str
) -> None:
    """The survivor agrees to PATH, the path the panel proposed as they
    read it: a proposal changed since is refused."""
    if survivor.pk != case.survivor_id:
        raise CaseError(_("Only the person who reported can choose."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        refuse_if_withdrawn(locked)
        if not locked.proposed_path:
            raise CaseError(_("The panel has not proposed a path yet."))
        if path != locked.proposed_path:
            raise CaseError(
                _(
                    "The panel changed its proposal since you read it. "
                    "Read it again before you agree."
                )
            )
        if locked.path == locked.proposed_path:
            raise CaseError(_("You have agreed to this path already."))
        locked.path = locked.proposed_path
        fields = ["path"]
        if locked.state in (CaseState.SUBMITTED, CaseState.ACKNOWLEDGED):
            locked.state = CaseState.UNDER_WAY
            fields.append("state")
        locked.save(update_fields=fields)
        ledger_append(
            event_type="path_agreed",
            payload={"case": case_reference(locked)},
            signer=survivor_act_signer(locked, survivor, keys),
        )
        notify(active_panel(locked))


def case_resend(*, case: Case, holder: User, keys: PersonKeys) -> int:
    """When every member who could hear the case (or its appeal) has
    stepped aside, the survivor — or, for an appeal, a first-panel member
    — sends the case key again to every member who may now sit, so that
    a panel can be set. Returns how many it was sent to."""
    appeal = case.appeals.first()
    if appeal is not None and appeal_is_stuck(appeal):
        if holder.pk != case.survivor_id and holder not in active_panel(case):
            raise CaseError(_("Only the survivor or the panel can do this."))
        members = eligible_for_appeal(case)
        event = {"appeal": f"appeal/{appeal.pk}"}
    elif panel_is_stuck(case):
        if holder.pk != case.survivor_id:
            raise CaseError(_("Only the person who reported can do this."))
        members = eligible_for_panel(case)
        event = {}
    else:
        raise CaseError(_("Someone can already hear this case."))
    if len(members) < MINIMUM_SIGNERS:
        raise CaseError(
            _(
                "There are not two members left who may hear it. Nothing "
                "was sent; the organization needs to appoint more."
            )
        )
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        case_key_seal_to(locked, case_key_open(locked, holder, keys), members)
        ledger_append(
            event_type="case_resent",
            payload={"case": case_reference(locked), **event},
        )
        notify(members)
    return len(members)
