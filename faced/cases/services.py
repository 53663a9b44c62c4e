"""Writes to cases: a survivor's report to the committee."""

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from faced.accounts.custody import box_public_key_of
from faced.cases.models import (
    Case,
    CaseDocument,
    CaseExclusion,
    CaseKey,
    CaseState,
    Finding,
    FindingSignature,
    MeasureNotice,
    MeasureNoticeKey,
    PanelSeat,
)
from faced.crypto.envelope import (
    DecryptionError,
    decrypt,
    encrypt,
    new_content_key,
    seal_key,
)
from faced.crypto.keys import PersonKeys
from faced.crypto.signing import canonical_json, sign, verify
from faced.ledger.models import LedgerEntry
from faced.ledger.services import ledger_append
from faced.orgs.models import Organization, RoleAssignment
from faced.orgs.roles import Role
from faced.orgs.services import person_reference
from faced.vault.models import VaultRecord
from faced.vault.services import (
    VaultError,
    ledger_confirmed_public_key,
    open_own_copy,
    own_public_key,
    seal_to_confirmed,
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
        CaseKey.objects.bulk_create(
            CaseKey(case=case, reader=member, sealed_key=sealed)
            for member, sealed in seal_to_confirmed(case_key, readers)
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


def may_read(case: Case, reader) -> bool:
    """The survivor, and panel members who declared no conflict."""
    if reader.pk == case.survivor_id:
        return True
    return PanelSeat.objects.filter(
        case=case, member=reader, has_conflict=False
    ).exists()


def case_report_open(*, case: Case, reader, keys: PersonKeys) -> dict:
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
    document = case.documents.get(kind=CaseDocument.Kind.REPORT)
    content = _open_under_case_key(
        case,
        reader,
        keys,
        wrapped_key=document.wrapped_key,
        ciphertext=document.ciphertext,
        purpose="report",
    )
    if reader.pk != case.survivor_id:
        ledger_append(
            event_type="case_opened",
            payload={
                "case": case_reference(case),
                "person": person_reference(reader),
            },
        )
    return content


def _open_under_case_key(
    case: Case, reader, keys: PersonKeys, *, wrapped_key, ciphertext, purpose
) -> dict:
    """Content whose item key is wrapped under the case key."""
    case_key = _case_key(case, reader, keys)
    try:
        item_key = decrypt(
            case_key,
            bytes(wrapped_key),
            associated_data=_ad(case, purpose, "key"),
        )
        return json.loads(
            decrypt(
                item_key,
                bytes(ciphertext),
                associated_data=_ad(case, purpose),
            )
        )
    except DecryptionError:
        raise CaseError(
            _("This could not be opened: its stored data was changed.")
        ) from None


def _case_key(case: Case, reader, keys: PersonKeys) -> bytes:
    return open_own_copy(
        CaseKey.objects.filter(case=case, reader=reader),
        keys,
        missing=_("You have no key to this case."),
        damaged=_("Your key to this case does not open."),
        error=CaseError,
    )


def eligible_for_panel(case: Case) -> list:
    """Committee members who may sit on the panel: not kept off by the
    survivor, and not already removed for a conflict."""
    excluded = set(case.exclusions.values_list("member_id", flat=True))
    conflicted = set(
        case.panel.filter(has_conflict=True).values_list(
            "member_id", flat=True
        )
    )
    return [
        member
        for member in committee_members(case.organization)
        if member.pk not in excluded | conflicted
    ]


def panel_assign(
    *, case: Case, members: Sequence, assigned_by, keys: PersonKeys
) -> list[PanelSeat]:
    """Set the panel: at least two eligible committee members. Every copy
    of the case key outside the survivor and the panel is destroyed."""
    eligible = {member.pk for member in eligible_for_panel(case)}
    if assigned_by.pk not in eligible:
        raise CaseError(_("Only a committee member on this case can do this."))
    chosen = {member.pk: member for member in members}
    if len(chosen) < 2:
        raise CaseError(_("A panel has at least two members."))
    if not set(chosen) <= eligible:
        raise CaseError(
            _("Only committee members the survivor did not keep off can sit.")
        )
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.panel.filter(has_conflict__isnull=True).exists() or (
            locked.panel.filter(has_conflict=False).count() >= 2
        ):
            raise CaseError(_("This case has a panel already."))
        case_key = _case_key(locked, assigned_by, keys)
        seats = []
        for member in chosen.values():
            seat, _created = PanelSeat.objects.update_or_create(
                case=locked,
                member=member,
                defaults={
                    "assigned_by": assigned_by,
                    "has_conflict": None,
                    "declared_at": None,
                },
            )
            seats.append(seat)
            if not CaseKey.objects.filter(case=locked, reader=member).exists():
                CaseKey.objects.create(
                    case=locked,
                    reader=member,
                    sealed_key=seal_key(
                        case_key, ledger_confirmed_public_key(member)
                    ),
                )
        CaseKey.objects.filter(case=locked).exclude(
            reader_id__in=[*chosen, locked.survivor_id]
        ).delete()
        ledger_append(
            event_type="panel_assigned",
            payload={
                "case": case_reference(locked),
                "members": sorted(
                    person_reference(member) for member in chosen.values()
                ),
                "by": person_reference(assigned_by),
            },
        )
    return seats


def conflict_declare(*, case: Case, member, has_conflict: bool) -> None:
    """A panel member says whether they have a conflict of interest. A
    conflict removes them and destroys their copy of the case key."""
    with transaction.atomic():
        seat = (
            PanelSeat.objects.select_for_update()
            .filter(case=case, member=member)
            .first()
        )
        if seat is None:
            raise CaseError(_("You are not on this case's panel."))
        if seat.has_conflict is not None and not has_conflict:
            raise CaseError(_("You have declared this already."))
        seat.has_conflict = has_conflict
        seat.declared_at = timezone.now()
        seat.save(update_fields=["has_conflict", "declared_at"])
        if has_conflict:
            CaseKey.objects.filter(case=case, reader=member).delete()
        ledger_append(
            event_type="conflict_declared",
            payload={
                "case": case_reference(case),
                "person": person_reference(member),
                "conflict": has_conflict,
            },
        )


def case_acknowledge(*, case: Case, member) -> None:
    """A panel member tells the survivor the report is received and
    being looked after."""
    if not may_read(case, member) or member.pk == case.survivor_id:
        raise CaseError(_("Only the case's panel can acknowledge it."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.state != CaseState.SUBMITTED:
            raise CaseError(_("This report was acknowledged already."))
        locked.state = CaseState.ACKNOWLEDGED
        locked.save(update_fields=["state"])
        ledger_append(
            event_type="case_acknowledged",
            payload={
                "case": case_reference(locked),
                "by": person_reference(member),
                "on_time": timezone.now() <= locked.acknowledge_by,
            },
        )


FINDING_OUTCOMES = (
    ("upheld", gettext_lazy("Upheld: what was reported happened")),
    ("partly_upheld", gettext_lazy("Partly upheld")),
    ("not_upheld", gettext_lazy("Not upheld")),
)


def _active_panel(case: Case):
    return [
        seat.member
        for seat in case.panel.filter(has_conflict=False).select_related(
            "member"
        )
    ]


def panel_size(case: Case) -> int:
    """Everyone on the panel but those removed for a conflict, including
    members who have not declared yet: a finding cannot take effect before
    they have had their say."""
    return case.panel.exclude(has_conflict=True).count()


def quorum(case: Case) -> int:
    """A majority of the panel."""
    return panel_size(case) // 2 + 1


def _effective_finding(case: Case) -> Finding | None:
    return case.findings.filter(effective_at__isnull=False).first()


def finding_draft(
    *,
    case: Case,
    member,
    keys: PersonKeys,
    outcome: str,
    rationale: str,
    measures: str = "",
) -> Finding:
    """A panel member drafts the finding; a new draft replaces an unsigned
    one. Once a finding is in effect, nothing here can change it."""
    if member not in _active_panel(case):
        raise CaseError(_("Only the case's panel can draft its finding."))
    if outcome not in dict(FINDING_OUTCOMES):
        raise CaseError(_("Choose the outcome from the list."))
    if not rationale.strip():
        raise CaseError(_("Give the reasons for the finding."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if _effective_finding(locked) is not None:
            raise CaseError(
                _(
                    "This case has a signed finding. Only a decision on "
                    "appeal can change its outcome."
                )
            )
        locked.findings.all().delete()
        case_key = _case_key(locked, member, keys)
        body = {
            "case": case_reference(locked),
            "outcome": outcome,
            "rationale": rationale[:20000],
            "measures": measures[:5000],
            # The salt keeps a guessed outcome from being checked against
            # the public commitment and signatures.
            "salt": base64.b64encode(new_content_key()).decode("ascii"),
        }
        finding = Finding(case=locked, drafted_by=member)
        item_key = new_content_key()
        finding.wrapped_key = encrypt(
            case_key, item_key, associated_data=_ad(locked, "finding", "key")
        )
        finding.ciphertext = encrypt(
            item_key,
            canonical_json(body),
            associated_data=_ad(locked, "finding"),
        )
        finding.save()
        ledger_append(
            event_type="finding_drafted",
            payload={
                "case": case_reference(locked),
                "by": person_reference(member),
            },
        )
    return finding


def finding_open(*, finding: Finding, reader, keys: PersonKeys) -> dict:
    case = finding.case
    if not may_read(case, reader):
        raise CaseError(
            _("This finding opens only to the panel and the survivor.")
        )
    return _open_under_case_key(
        case,
        reader,
        keys,
        wrapped_key=finding.wrapped_key,
        ciphertext=finding.ciphertext,
        purpose="finding",
    )


def finding_commitment(body: dict) -> str:
    salt = base64.b64decode(body["salt"])
    return hmac.new(salt, canonical_json(body), hashlib.sha256).hexdigest()


def finding_sign(*, finding: Finding, member, keys: PersonKeys) -> bool:
    """A panel member signs the finding's exact content with their Ed25519
    key. Returns True when this signature completes the quorum: then the
    finding takes effect, its commitment and every signature go into the
    ledger, and the survivor sees it at once."""
    case = finding.case
    if member not in _active_panel(case):
        raise CaseError(_("Only the case's panel can sign its finding."))
    body = finding_open(finding=finding, reader=member, keys=keys)
    signature = sign(keys.signing_seed, body)
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.effective_at is not None:
            raise CaseError(_("This finding is signed and in effect."))
        if locked.signatures.filter(member=member).exists():
            raise CaseError(_("You have signed this finding already."))
        FindingSignature.objects.create(
            finding=locked, member=member, signature=signature
        )
        signatures = list(locked.signatures.select_related("member"))
        if len(signatures) < quorum(case):
            return False
        entry = ledger_append(
            event_type="finding_signed",
            payload={
                "case": case_reference(case),
                "commitment": finding_commitment(body),
                "signatures": [
                    {
                        "person": person_reference(s.member),
                        "signature": base64.b64encode(
                            bytes(s.signature)
                        ).decode("ascii"),
                    }
                    for s in signatures
                ],
            },
        )
        locked.effective_at = timezone.now()
        locked.ledger_sequence = entry.sequence
        locked.save(update_fields=["effective_at", "ledger_sequence"])
        Case.objects.filter(pk=case.pk).update(state=CaseState.FINDING)
    return True


def finding_integrity(*, finding: Finding, body: dict) -> list[str]:
    """What does not hold about a finding in effect: each signature must
    verify against its signer's published key, and the ledger entry must
    commit to this content with these signatures. Empty when all holds."""
    from faced.accounts.models import KeyCustody

    problems = []
    entry = LedgerEntry.objects.filter(
        sequence=finding.ledger_sequence
    ).first()
    if entry is None:
        return [_("The finding's ledger entry is missing.")]
    event = json.loads(entry.leaf_data)["event"]
    if event.get("commitment") != finding_commitment(body):
        problems.append(_("The finding's text differs from what was signed."))
    recorded = {
        s["person"]: s["signature"] for s in event.get("signatures", [])
    }
    stored = list(finding.signatures.select_related("member"))
    if len(stored) != len(recorded):
        problems.append(_("Signatures were added or removed after signing."))
    for signature in stored:
        reference = person_reference(signature.member)
        verify_key = (
            KeyCustody.objects.filter(user=signature.member)
            .values_list("verify_key", flat=True)
            .first()
        )
        if (
            recorded.get(reference)
            != base64.b64encode(bytes(signature.signature)).decode("ascii")
            or not verify_key
            or not verify(bytes(verify_key), body, bytes(signature.signature))
        ):
            problems.append(
                _("The signature of %(who)s does not hold.")
                % {"who": signature.member.username}
            )
    return problems


MEASURE_ACKNOWLEDGE_DAYS = 7


def measure_issue(
    *,
    case: Case,
    member,
    keys: PersonKeys,
    subject: str,
    measure: str,
    until: str = "",
) -> MeasureNotice:
    """The panel issues a measure notice to leadership: only what
    enforcement needs (who, what, until when), never the case."""
    if member not in _active_panel(case):
        raise CaseError(_("Only the case's panel can issue measures."))
    if not subject.strip() or not measure.strip():
        raise CaseError(_("Say who the measure is about and what it is."))
    leaders = [
        a.user
        for a in RoleAssignment.objects.filter(
            organization=case.organization,
            role=Role.LEADERSHIP,
            revoked_at=None,
        ).select_related("user")
    ]
    readers = {m.pk: m for m in [*leaders, *_active_panel(case)]}
    now = timezone.now()
    with transaction.atomic():
        notice = MeasureNotice(
            case=case,
            issued_by=member,
            issued_at=now,
            acknowledge_by=now + dt.timedelta(days=MEASURE_ACKNOWLEDGE_DAYS),
        )
        notice_key = new_content_key()
        notice.ciphertext = encrypt(
            notice_key,
            canonical_json(
                {
                    "subject": subject[:500],
                    "measure": measure[:2000],
                    "until": until[:200],
                }
            ),
            associated_data=_ad(case, "measure", notice.pk),
        )
        notice.save()
        MeasureNoticeKey.objects.create(
            notice=notice,
            reader=case.survivor,
            sealed_key=seal_key(notice_key, box_public_key_of(case.survivor)),
        )
        MeasureNoticeKey.objects.bulk_create(
            MeasureNoticeKey(notice=notice, reader=reader, sealed_key=sealed)
            for reader, sealed in seal_to_confirmed(
                notice_key, readers.values()
            )
        )
        ledger_append(
            event_type="measure_issued",
            payload={
                "case": case_reference(case),
                "notice": f"measure/{notice.pk}",
                "acknowledge_by": notice.acknowledge_by.date().isoformat(),
            },
        )
    return notice


def measure_open(*, notice: MeasureNotice, reader, keys: PersonKeys) -> dict:
    notice_key = open_own_copy(
        MeasureNoticeKey.objects.filter(notice=notice, reader=reader),
        keys,
        missing=_("This notice is not addressed to you."),
        damaged=_("This notice could not be opened with your keys."),
        error=CaseError,
    )
    try:
        return json.loads(
            decrypt(
                notice_key,
                bytes(notice.ciphertext),
                associated_data=_ad(notice.case, "measure", notice.pk),
            )
        )
    except DecryptionError:
        raise CaseError(
            _("This notice could not be opened: its stored data changed.")
        ) from None


def measure_acknowledge(*, notice: MeasureNotice, leader) -> None:
    """Leadership confirms it will enforce the measure."""
    if not RoleAssignment.objects.filter(
        organization=notice.case.organization,
        role=Role.LEADERSHIP,
        user=leader,
        revoked_at=None,
    ).exists():
        raise CaseError(_("Only leadership acknowledges measure notices."))
    with transaction.atomic():
        locked = MeasureNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.acknowledged_at is not None:
            raise CaseError(_("This notice was acknowledged already."))
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = leader
        locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
        ledger_append(
            event_type="measure_acknowledged",
            payload={
                "case": case_reference(locked.case),
                "notice": f"measure/{locked.pk}",
                "by": person_reference(leader),
                "on_time": locked.acknowledged_at <= locked.acknowledge_by,
            },
        )


def message_send(*, case: Case, author, keys: PersonKeys, text: str) -> None:
    """A message between the survivor and the panel, both ways, encrypted
    under the case key (anonymous survivors included: their receipt holds
    their key)."""
    if not may_read(case, author):
        raise CaseError(
            _("Only the survivor and the case's panel can write here.")
        )
    text = text.strip()
    if not text:
        raise CaseError(_("Write something first."))
    with transaction.atomic():
        case_key = _case_key(case, author, keys)
        document = CaseDocument.objects.create(
            case=case,
            kind=CaseDocument.Kind.MESSAGE,
            author=author,
            wrapped_key=b"",
            ciphertext=b"",
        )
        purpose = f"message-{document.pk}"
        item_key = new_content_key()
        document.wrapped_key = encrypt(
            case_key, item_key, associated_data=_ad(case, purpose, "key")
        )
        document.ciphertext = encrypt(
            item_key,
            canonical_json({"text": text[:20000]}),
            associated_data=_ad(case, purpose),
        )
        document.save(update_fields=["wrapped_key", "ciphertext"])
        ledger_append(
            event_type="message_sent",
            payload={
                "case": case_reference(case),
                "from": "survivor"
                if author.pk == case.survivor_id
                else "panel",
            },
        )


def messages_open(*, case: Case, reader, keys: PersonKeys) -> list[dict]:
    """The conversation, oldest first, for the survivor or the panel."""
    if not may_read(case, reader):
        return []
    conversation = []
    for document in case.documents.filter(
        kind=CaseDocument.Kind.MESSAGE
    ).select_related("author"):
        try:
            body = _open_under_case_key(
                case,
                reader,
                keys,
                wrapped_key=document.wrapped_key,
                ciphertext=document.ciphertext,
                purpose=f"message-{document.pk}",
            )
            text = body["text"]
        except CaseError:
            text = None
        conversation.append(
            {
                "from_survivor": document.author_id == case.survivor_id,
                "author": document.author,
                "at": document.created_at,
                "text": text,
            }
        )
    return conversation


def case_withdraw(*, case: Case, survivor) -> None:
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
        )
