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
    Appeal,
    AppealSeat,
    Case,
    CaseDocument,
    CaseExclusion,
    CaseKey,
    CasePath,
    CaseState,
    Finding,
    FindingSignature,
    MeasureNotice,
    MeasureNoticeKey,
    PanelKey,
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
from faced.ledger.selectors import published_keys
from faced.ledger.services import ledger_append
from faced.notify.services import notify
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
        notify(readers)
    return case


def may_read(case: Case, reader) -> bool:
    """The survivor, and members of the case's panel or of an appeal's
    panel who declared no conflict."""
    if reader.pk == case.survivor_id:
        return True
    return (
        PanelSeat.objects.filter(
            case=case, member=reader, has_conflict=False
        ).exists()
        or AppealSeat.objects.filter(
            appeal__case=case, member=reader, has_conflict=False
        ).exists()
    )


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
    return _open_item(
        case,
        _case_key(case, reader, keys),
        wrapped_key=wrapped_key,
        ciphertext=ciphertext,
        purpose=purpose,
    )


def _open_item(case: Case, key: bytes, *, wrapped_key, ciphertext, purpose):
    """Content whose item key is wrapped under KEY (the case's or the
    panel's)."""
    try:
        item_key = decrypt(
            key,
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
    """Committee members who may sit on the panel: not the survivor, not
    kept off by the survivor, and not already removed for a conflict."""
    barred = {case.survivor_id}
    barred |= set(case.exclusions.values_list("member_id", flat=True))
    barred |= set(
        case.panel.filter(has_conflict=True).values_list(
            "member_id", flat=True
        )
    )
    return [
        member
        for member in committee_members(case.organization)
        if member.pk not in barred
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
    if not set(chosen) <= eligible:
        raise CaseError(
            _("Only committee members the survivor did not keep off can sit.")
        )
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _refuse_a_full_panel(locked.panel, _("This case has a panel already."))
        case_key = _case_key(locked, assigned_by, keys)
        seats, staying = _panel_fill(
            locked.panel,
            chosen,
            assigned_by,
            _("A panel has at least two members."),
        )
        for member in chosen.values():
            if member.pk in staying:
                continue
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
        _panel_key_share(locked, assigned_by, keys, chosen.values())
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
        notify(m for m in chosen.values() if m.pk not in staying)
    return seats


def _refuse_a_full_panel(seats, message: str) -> None:
    """A panel is set once: it is topped up only when conflicts left fewer
    than two sitting and nobody is still to declare."""
    if seats.filter(has_conflict__isnull=True).exists() or (
        seats.filter(has_conflict=False).count() >= MINIMUM_SIGNERS
    ):
        raise CaseError(message)


def _panel_fill(seats, chosen: dict, assigned_by, too_few: str):
    """Seat the CHOSEN members (a dict by pk, updated in place) on a case's
    or an appeal's panel (SEATS, its related manager). Members still
    sitting after others stepped aside stay on, undeclared seats are
    (re)made for the others. Returns (seats, the staying members' seats
    by member pk)."""
    staying = {
        seat.member_id: seat for seat in seats.filter(has_conflict=False)
    }
    chosen.update({pk: seat.member for pk, seat in staying.items()})
    if len(chosen) < MINIMUM_SIGNERS:
        raise CaseError(too_few)
    filled = list(staying.values())
    for member in chosen.values():
        if member.pk not in staying:
            seat, _created = seats.update_or_create(
                member=member,
                defaults={
                    "assigned_by": assigned_by,
                    "has_conflict": None,
                    "declared_at": None,
                },
            )
            filled.append(seat)
    return filled, staying


def _panel_key_share(case: Case, holder, keys: PersonKeys, members) -> None:
    """Seal the panel key to each of MEMBERS who lacks a copy: a new key for
    a case's first panel, otherwise the HOLDER's copy of it."""
    if any(member.pk == case.survivor_id for member in members):
        raise CaseError(_("The panel's own records are not the survivor's."))
    existing = set(case.panel_keys.values_list("reader_id", flat=True))
    if existing:
        panel_key = _panel_key(case, holder, keys)
    else:
        panel_key = new_content_key()
    PanelKey.objects.bulk_create(
        PanelKey(
            case=case,
            reader=member,
            sealed_key=seal_key(
                panel_key, ledger_confirmed_public_key(member)
            ),
        )
        for member in members
        if member.pk not in existing
    )


def _panel_key(case: Case, reader, keys: PersonKeys) -> bytes:
    return open_own_copy(
        PanelKey.objects.filter(case=case, reader=reader),
        keys,
        missing=_("You have no key to this panel's own records."),
        damaged=_("Your key to this panel's own records does not open."),
        error=CaseError,
    )


def conflict_declare(*, case: Case, member, has_conflict: bool) -> None:
    """A panel member says whether they have a conflict of interest. A
    conflict removes them and destroys their copy of the case key."""
    _declare(
        PanelSeat.objects.filter(case=case),
        case=case,
        member=member,
        has_conflict=has_conflict,
        drafts=Finding.objects.filter(case=case, appeal=None),
        missing=_("You are not on this case's panel."),
        event={},
    )


def _declare(seats, *, case, member, has_conflict, drafts, missing, event):
    """The declaration shared by a case's panel and an appeal's: a conflict
    takes the member off, destroys their copies of the case's keys and
    withdraws their signatures on drafts (a signature counts only while
    its signer sits)."""
    with transaction.atomic():
        seat = seats.select_for_update().filter(member=member).first()
        if seat is None:
            raise CaseError(missing)
        if seat.has_conflict is not None and not has_conflict:
            raise CaseError(_("You have declared this already."))
        seat.has_conflict = has_conflict
        seat.declared_at = timezone.now()
        seat.save(update_fields=["has_conflict", "declared_at"])
        if has_conflict:
            if member.pk != case.survivor_id:
                CaseKey.objects.filter(case=case, reader=member).delete()
                PanelKey.objects.filter(case=case, reader=member).delete()
            FindingSignature.objects.filter(
                member=member,
                finding__in=drafts.filter(effective_at=None),
            ).delete()
        ledger_append(
            event_type="conflict_declared",
            payload={
                "case": case_reference(case),
                **event,
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


def effective_finding(case: Case) -> Finding | None:
    """The first panel's finding in effect, unless an appeal sent it back
    to the panel: then the panel drafts a new one."""
    finding = (
        case.findings.filter(appeal=None, effective_at__isnull=False)
        .order_by("-effective_at")
        .first()
    )
    if finding is None:
        return None
    sent_back = Finding.objects.filter(
        appeal__finding=finding,
        effective_at__isnull=False,
        decision="send_back",
    ).exists()
    return None if sent_back else finding


def first_finding(case: Case) -> Finding | None:
    """The first panel's latest finding, in effect or still a draft."""
    return case.findings.filter(appeal=None).first()


def signing_members(finding: Finding) -> list:
    """Who signs FINDING: its case's panel, or its appeal's panel."""
    seats = (
        finding.appeal.panel
        if finding.appeal_id is not None
        else finding.case.panel
    )
    return [
        seat.member
        for seat in seats.filter(has_conflict=False).select_related("member")
    ]


# Nobody decides alone: a panel left with one member is topped up first.
MINIMUM_SIGNERS = 2


def signing_quorum(finding: Finding) -> tuple[int, int]:
    """(quorum, panel size) for FINDING: a majority of everyone on its
    panel not removed for a conflict, members yet to declare included,
    and never fewer than two."""
    seats = (
        finding.appeal.panel
        if finding.appeal_id is not None
        else finding.case.panel
    )
    size = seats.exclude(has_conflict=True).count()
    return max(MINIMUM_SIGNERS, size // 2 + 1), size


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
        _refuse_if_withdrawn(locked)
        _refuse_while_paused(locked)
        if effective_finding(locked) is not None:
            raise CaseError(
                _(
                    "This case has a signed finding. Only a decision on "
                    "appeal can change its outcome."
                )
            )
        locked.findings.filter(appeal=None, effective_at=None).delete()
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
    finding takes effect, its commitment and the signatures of the members
    sitting go into the ledger, and the survivor sees it at once.

    FINDING is the draft the member read: a draft replaced since is
    refused, so nobody signs a text they have not seen."""
    case = finding.case
    if member not in signing_members(finding):
        raise CaseError(_("Only the case's panel can sign its finding."))
    body = finding_open(finding=finding, reader=member, keys=keys)
    signature = sign(keys.signing_seed, body)
    with transaction.atomic():
        # The case first, as drafting does: a redraft and a signature
        # queue behind each other rather than interleave.
        locked_case = Case.objects.select_for_update().get(pk=case.pk)
        _refuse_if_withdrawn(locked_case)
        if finding.appeal_id is None:
            _refuse_while_paused(locked_case)
        locked = Finding.objects.select_for_update().filter(pk=finding.pk)
        locked = locked.first()
        if locked is None:
            raise CaseError(
                _(
                    "This draft was replaced by a newer one. Read the new "
                    "draft before you sign."
                )
            )
        if locked.effective_at is not None:
            raise CaseError(_("This finding is signed and in effect."))
        if locked.signatures.filter(member=member).exists():
            raise CaseError(_("You have signed this finding already."))
        FindingSignature.objects.create(
            finding=locked, member=member, signature=signature
        )
        sitting = {m.pk for m in signing_members(locked)}
        signatures = [
            s
            for s in locked.signatures.select_related("member")
            if s.member_id in sitting
        ]
        if len(signatures) < signing_quorum(locked)[0]:
            return False
        decision = body.get("decision")
        entry = ledger_append(
            event_type="finding_signed"
            if decision is None
            else "appeal_decided",
            payload={
                "case": case_reference(case),
                **(
                    {}
                    if decision is None
                    else {"appeal": f"appeal/{locked.appeal_id}"}
                ),
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
        locked.decision = decision or ""
        fields = ["effective_at", "ledger_sequence", "decision"]
        if decision is None:
            # Fixed now: a later change of the organization's setting
            # does not close (or reopen) this finding's window.
            locked.appeal_until = locked.effective_at + dt.timedelta(
                days=case.organization.appeal_days
            )
            fields.append("appeal_until")
        locked.save(update_fields=fields)
        if decision is None:
            locked_case.state = CaseState.FINDING
            locked_case.responded_at = (
                locked_case.responded_at or locked.effective_at
            )
        else:
            locked_case.state = (
                CaseState.UNDER_WAY
                if decision == "send_back"
                else CaseState.DECIDED
            )
        locked_case.save(update_fields=["state", "responded_at"])
        notify(
            [
                case.survivor,
                *_active_panel(case),
                *(signing_members(locked) if decision else []),
            ]
        )
    return True


def _refuse_if_withdrawn(case: Case) -> None:
    if case.state == CaseState.WITHDRAWN:
        raise CaseError(
            _(
                "The survivor withdrew this report. What was decided "
                "stays on the record; nothing new can be decided."
            )
        )


def finding_integrity(*, finding: Finding, body: dict) -> list[str]:
    """What does not hold about a finding (or appeal decision) in effect:
    its ledger entry must be about this case and commit to this content;
    the signatures stored must be the ones the entry lists, at least a
    quorum of them, each by a member of the panel that heard it, and each
    valid under the signing key the ledger published for that member (not
    the one in the key table, which the database could swap). Empty when
    all holds."""
    problems = []
    entry = LedgerEntry.objects.filter(
        sequence=finding.ledger_sequence
    ).first()
    if entry is None:
        return [_("The finding's ledger entry is missing.")]
    event = json.loads(entry.leaf_data)["event"]
    expected_type = "appeal_decided" if finding.appeal_id else "finding_signed"
    if (
        event.get("case") != case_reference(finding.case)
        or entry.event_type != expected_type
    ):
        problems.append(_("The finding's ledger entry is about another case."))
    if event.get("commitment") != finding_commitment(body):
        problems.append(_("The finding's text differs from what was signed."))
    if (body.get("decision") or "") != finding.decision:
        problems.append(_("The appeal decision differs from what was signed."))
    recorded = {
        s.get("person"): s.get("signature")
        for s in event.get("signatures", [])
    }
    stored = list(finding.signatures.select_related("member"))
    if len(stored) != len(recorded):
        problems.append(_("Signatures were added or removed after signing."))
    seats = (
        AppealSeat.objects.filter(appeal_id=finding.appeal_id)
        if finding.appeal_id
        else PanelSeat.objects.filter(case_id=finding.case_id)
    )
    panel = set(seats.values_list("member_id", flat=True))
    if len(recorded) < MINIMUM_SIGNERS:
        problems.append(_("Fewer members signed it than a decision needs."))
    for signature in stored:
        reference = person_reference(signature.member)
        published = published_keys(reference) or {}
        try:
            verify_key = base64.b64decode(published.get("verify_key", ""))
        except ValueError:
            verify_key = b""
        if (
            signature.member_id not in panel
            or recorded.get(reference)
            != base64.b64encode(bytes(signature.signature)).decode("ascii")
            or not verify_key
            or not verify(verify_key, body, bytes(signature.signature))
        ):
            problems.append(
                _("The signature of %(who)s does not hold.")
                % {"who": signature.member.username}
            )
    return problems


MEASURE_STAGES = (
    ("interim", gettext_lazy("Interim: while the case is heard")),
    ("final", gettext_lazy("Final: from the finding")),
)


def measure_issue(
    *,
    case: Case,
    member,
    keys: PersonKeys,
    subject: str,
    measure: str,
    until: str = "",
    stage: str = "interim",
) -> MeasureNotice:
    """The panel issues a measure notice to leadership: only what
    enforcement needs (who, what, until when, and whether it is interim,
    while the case is heard, or final, from the finding), never the
    case."""
    if member not in _active_panel(case):
        raise CaseError(_("Only the case's panel can issue measures."))
    if stage not in dict(MEASURE_STAGES):
        raise CaseError(_("Say whether the measure is interim or final."))
    _refuse_if_withdrawn(case)
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
            acknowledge_by=now
            + dt.timedelta(days=case.organization.measure_acknowledge_days),
        )
        notice_key = new_content_key()
        notice.ciphertext = encrypt(
            notice_key,
            canonical_json(
                {
                    "subject": subject[:500],
                    "measure": measure[:2000],
                    "until": until[:200],
                    "stage": stage,
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
        notify(leaders)
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
        notify([locked.case.survivor, *_active_panel(locked.case)])


def message_send(*, case: Case, author, keys: PersonKeys, text: str) -> None:
    """A message between the survivor and the panel, both ways, encrypted
    under the case key (anonymous survivors included: their receipt holds
    their key). An appeals panel reads the conversation; it does not
    write in it."""
    if author.pk != case.survivor_id and author not in _active_panel(case):
        raise CaseError(
            _("Only the survivor and the case's panel can write here.")
        )
    text = text.strip()
    if not text:
        raise CaseError(_("Write something first."))
    with transaction.atomic():
        _document_store(
            case,
            _case_key(case, author, keys),
            kind=CaseDocument.Kind.MESSAGE,
            author=author,
            text=text[:20000],
        )
        from_survivor = author.pk == case.survivor_id
        ledger_append(
            event_type="message_sent",
            payload={
                "case": case_reference(case),
                "from": "survivor" if from_survivor else "panel",
            },
        )
        if from_survivor:
            notify(_active_panel(case))
        else:
            _mark_responded(case)
            notify([case.survivor])


def _document_store(
    case: Case, key: bytes, *, kind: str, author, text: str
) -> CaseDocument:
    """A text of the case under its own item key, wrapped under KEY (the
    case key for messages, the panel key for the panel's records). The
    purpose bound into both is "<kind>-<id>"."""
    document = CaseDocument.objects.create(
        case=case, kind=kind, author=author, wrapped_key=b"", ciphertext=b""
    )
    purpose = f"{kind}-{document.pk}"
    item_key = new_content_key()
    document.wrapped_key = encrypt(
        key, item_key, associated_data=_ad(case, purpose, "key")
    )
    document.ciphertext = encrypt(
        item_key,
        canonical_json({"text": text}),
        associated_data=_ad(case, purpose),
    )
    document.save(update_fields=["wrapped_key", "ciphertext"])
    return document


def messages_open(*, case: Case, reader, keys: PersonKeys) -> list[dict]:
    """The conversation, oldest first, for the survivor or the panel."""
    if not may_read(case, reader):
        return []
    try:
        case_key = _case_key(case, reader, keys)
    except CaseError:
        case_key = None
    conversation = []
    for document in case.documents.filter(
        kind=CaseDocument.Kind.MESSAGE
    ).select_related("author"):
        try:
            if case_key is None:
                raise CaseError
            text = _open_item(
                case,
                case_key,
                wrapped_key=document.wrapped_key,
                ciphertext=document.ciphertext,
                purpose=f"message-{document.pk}",
            )["text"]
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
        notify(_active_panel(locked))


def _mark_responded(case: Case) -> None:
    """The first substantive response to the survivor stops its clock."""
    Case.objects.filter(pk=case.pk, responded_at=None).update(
        responded_at=timezone.now()
    )


def _refuse_while_paused(case: Case) -> None:
    if case.paused_at is not None:
        raise CaseError(
            _(
                "The survivor has paused this case. Messages and measures "
                "still work; the rest waits until they resume it."
            )
        )


# The panel's own records: notes, statements and evidence.

PANEL_RECORD_KINDS = set(CaseDocument.PANEL_ONLY)


def panel_record_add(
    *, case: Case, member, keys: PersonKeys, kind: str, text: str
) -> CaseDocument:
    """An internal note, a statement from the respondent, or a piece of
    evidence, written down by a panel member under the panel key: the
    panel (and an appeals panel it is shared with) reads it, the survivor
    does not."""
    if member not in _active_panel(case):
        raise CaseError(_("Only the case's panel can add to its records."))
    _refuse_if_withdrawn(case)
    if kind not in PANEL_RECORD_KINDS:
        raise CaseError(_("Choose what kind of record this is."))
    text = text.strip()
    if not text:
        raise CaseError(_("Write something first."))
    with transaction.atomic():
        document = _document_store(
            case,
            _panel_key(case, member, keys),
            kind=kind,
            author=member,
            text=text[:50000],
        )
        ledger_append(
            event_type="panel_record_added",
            # Not the kind: a statement from the respondent would tell
            # the public ledger more about the case than it should.
            payload={
                "case": case_reference(case),
                "by": person_reference(member),
            },
        )
    return document


def panel_records_open(*, case: Case, reader, keys: PersonKeys) -> list[dict]:
    """The panel's own records, oldest first, for those holding the panel
    key; nobody else gets any."""
    if (
        reader.pk == case.survivor_id
        or not may_read(case, reader)
        or not PanelKey.objects.filter(case=case, reader=reader).exists()
    ):
        return []
    panel_key = _panel_key(case, reader, keys)
    kinds = dict(CaseDocument.Kind.choices)
    records = []
    for document in case.documents.filter(
        kind__in=CaseDocument.PANEL_ONLY
    ).select_related("author"):
        try:
            text = _open_item(
                case,
                panel_key,
                wrapped_key=document.wrapped_key,
                ciphertext=document.ciphertext,
                purpose=f"{document.kind}-{document.pk}",
            )["text"]
        except CaseError:
            text = None
        records.append(
            {
                "kind": kinds[document.kind],
                "author": document.author,
                "at": document.created_at,
                "text": text,
            }
        )
    return records


# The path, chosen with the survivor; pausing.


def path_propose(*, case: Case, member, path: str) -> None:
    """The panel proposes how to handle the case; the survivor agrees to
    it (or talks it over) on their page."""
    if member not in _active_panel(case):
        raise CaseError(_("Only the case's panel can propose a path."))
    if path not in CasePath.values:
        raise CaseError(_("Choose the path from the list."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _refuse_while_paused(locked)
        if locked.state == CaseState.WITHDRAWN:
            raise CaseError(_("This report was withdrawn."))
        locked.proposed_path = path
        locked.save(update_fields=["proposed_path"])
        # The ledger says a path was proposed, not which: the path
        # itself shows on the survivor's and the panel's pages.
        ledger_append(
            event_type="path_proposed",
            payload={"case": case_reference(locked)},
        )
        _mark_responded(locked)
        notify([locked.survivor])


def path_agree(*, case: Case, survivor, path: str) -> None:
    """The survivor agrees to PATH, the path the panel proposed as they
    read it: a proposal changed since is refused."""
    if survivor.pk != case.survivor_id:
        raise CaseError(_("Only the person who reported can choose."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _refuse_if_withdrawn(locked)
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
            event_type="path_agreed", payload={"case": case_reference(locked)}
        )
        notify(_active_panel(locked))


def case_pause(*, case: Case, survivor) -> None:
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
            event_type="case_paused", payload={"case": case_reference(locked)}
        )
        notify(_active_panel(locked))


def case_resume(*, case: Case, survivor) -> None:
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
        )
        notify(_active_panel(locked))


# Deadlines.

DEADLINE_LIMITS = {
    "acknowledge_days": (1, 60),
    "respond_days": (7, 365),
    "appeal_days": (7, 90),
    "measure_acknowledge_days": (1, 60),
}


def deadlines_set(*, organization: Organization, member, **days: int) -> None:
    """The committee sets its organization's deadlines, for cases reported
    from now on. Each change is a public ledger entry."""
    if not RoleAssignment.objects.filter(
        organization=organization,
        user=member,
        role=Role.COMMITTEE,
        revoked_at=None,
    ).exists():
        raise CaseError(_("Only the committee sets its deadlines."))
    for name, value in days.items():
        low, high = DEADLINE_LIMITS[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise CaseError(
                _(
                    "Each deadline is a number of days from %(low)s to "
                    "%(high)s."
                )
                % {"low": low, "high": high}
            )
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(
            pk=organization.pk
        )
        for name, value in days.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(days))
        ledger_append(
            event_type="deadlines_set",
            payload={
                "organization": locked.slug,
                "by": person_reference(member),
                **{name: getattr(locked, name) for name in DEADLINE_LIMITS},
            },
        )


def _committee_readers(case: Case) -> list:
    """The whole committee but members the survivor kept off the case."""
    excluded = set(case.exclusions.values_list("member_id", flat=True))
    return [
        member
        for member in committee_members(case.organization)
        if member.pk not in excluded
    ]


def deadlines_check(*, now: dt.datetime | None = None) -> int:
    """Flag every deadline that has just passed, once: a ledger entry (so
    the survivor's timeline and the accountability report show it) and a
    contentless notice to the panel, the committee and the survivor (for a
    measure notice: the panel, the survivor and leadership). Paused and
    withdrawn cases are skipped. Returns how many were flagged."""
    now = now or timezone.now()
    flagged = 0
    open_cases = Case.objects.filter(paused_at=None).exclude(
        state=CaseState.WITHDRAWN
    )
    checks = (
        (
            open_cases.filter(
                state=CaseState.SUBMITTED,
                acknowledge_by__lt=now,
                acknowledge_overdue_at=None,
            ),
            "acknowledge",
            "acknowledge_overdue_at",
        ),
        (
            open_cases.filter(
                responded_at=None, respond_by__lt=now, respond_overdue_at=None
            ),
            "respond",
            "respond_overdue_at",
        ),
    )
    for cases, deadline, field in checks:
        for case in cases.select_related("organization", "survivor"):
            with transaction.atomic():
                if not Case.objects.filter(pk=case.pk, **{field: None}).update(
                    **{field: now}
                ):
                    continue
                ledger_append(
                    event_type="deadline_missed",
                    payload={
                        "case": case_reference(case),
                        "deadline": deadline,
                    },
                )
                notify(
                    [
                        case.survivor,
                        *_active_panel(case),
                        *_committee_readers(case),
                    ]
                )
            flagged += 1
    for notice in MeasureNotice.objects.filter(
        acknowledged_at=None, acknowledge_by__lt=now, overdue_at=None
    ).select_related("case__survivor", "case__organization"):
        with transaction.atomic():
            if not MeasureNotice.objects.filter(
                pk=notice.pk, overdue_at=None
            ).update(overdue_at=now):
                continue
            ledger_append(
                event_type="deadline_missed",
                payload={
                    "case": case_reference(notice.case),
                    "notice": f"measure/{notice.pk}",
                    "deadline": "measure",
                },
            )
            notify(
                [
                    notice.case.survivor,
                    *_active_panel(notice.case),
                    *[
                        a.user
                        for a in RoleAssignment.objects.filter(
                            organization=notice.case.organization,
                            role=Role.LEADERSHIP,
                            revoked_at=None,
                        ).select_related("user")
                    ],
                ]
            )
        flagged += 1
    return flagged


# Appeals.

APPEAL_DECISIONS = (
    ("uphold", gettext_lazy("Uphold the finding")),
    ("vary", gettext_lazy("Vary the finding's outcome")),
    ("send_back", gettext_lazy("Send it back to the panel to decide again")),
)


def appeal_window_ends(finding: Finding) -> dt.datetime:
    return finding.appeal_until or finding.effective_at + dt.timedelta(
        days=finding.case.organization.appeal_days
    )


def appealable_finding(case: Case, side: str | None = None) -> Finding | None:
    """The finding in effect that SIDE may still appeal: within its window,
    not withdrawn, and not appealed by that side already (the other side
    may join an appeal not yet decided)."""
    finding = effective_finding(case)
    if (
        finding is None
        or case.state == CaseState.WITHDRAWN
        or timezone.now() > appeal_window_ends(finding)
    ):
        return None
    appeal = finding.appeals.first()
    if appeal is None:
        return finding
    if appeal.decisions.filter(effective_at__isnull=False).exists() or (
        appeal.side in (side, Appeal.Side.BOTH)
    ):
        return None
    return finding


def eligible_for_appeal(case: Case) -> list:
    """Members of the appeals role who may hear an appeal of CASE: not the
    survivor, nobody who sat on its first panel, nobody the survivor kept
    off it. (Nobody in leadership holds the appeals role: the roles refuse
    it.)"""
    barred = {case.survivor_id}
    barred |= set(case.panel.values_list("member_id", flat=True))
    barred |= set(case.exclusions.values_list("member_id", flat=True))
    # Nor anyone who stepped aside from an appeal of it.
    barred |= set(
        AppealSeat.objects.filter(
            appeal__case=case, has_conflict=True
        ).values_list("member_id", flat=True)
    )
    return [
        assignment.user
        for assignment in RoleAssignment.objects.filter(
            organization=case.organization,
            role=Role.APPEALS,
            revoked_at=None,
        ).select_related("user")
        if assignment.user_id not in barred
    ]


def appeal_lodge(
    *, case: Case, appellant, keys: PersonKeys, grounds: str
) -> Appeal:
    """The survivor, or a panel member on the respondent's behalf, appeals
    the finding within the window. The grounds are encrypted under the case
    key, which is sealed to every eligible member of the appeals role until
    an appeals panel is set. One appeal is heard per finding: a side that
    appeals while the other's appeal waits for its decision joins it, its
    grounds beside the other's."""
    if appellant.pk == case.survivor_id:
        side = Appeal.Side.SURVIVOR
    elif appellant in _active_panel(case):
        side = Appeal.Side.RESPONDENT
    else:
        raise CaseError(
            _("Only the survivor, or the panel for the respondent, appeals.")
        )
    grounds = grounds.strip()
    if not grounds:
        raise CaseError(_("Say why the finding should be looked at again."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _refuse_if_withdrawn(locked)
        finding = appealable_finding(locked, side)
        if finding is None:
            raise CaseError(
                _(
                    "There is no finding you can appeal: the window has "
                    "closed, or your appeal is under way already."
                )
            )
        case_key = _case_key(locked, appellant, keys)
        appeal = finding.appeals.select_for_update().first()
        if appeal is not None:
            items = _grounds_open(appeal, case_key)
            _grounds_seal(
                appeal, case_key, [*items, {"side": side, "grounds": grounds}]
            )
            appeal.side = Appeal.Side.BOTH
            appeal.save(update_fields=["side", "wrapped_key", "ciphertext"])
            ledger_append(
                event_type="appeal_joined",
                payload={
                    "case": case_reference(locked),
                    "appeal": f"appeal/{appeal.pk}",
                },
            )
            notify(
                [
                    locked.survivor,
                    *_active_panel(locked),
                    *signing_members_of_appeal(appeal),
                ]
            )
            return appeal
        members = eligible_for_appeal(locked)
        if len(members) < MINIMUM_SIGNERS:
            raise CaseError(
                _(
                    "This organization does not have two appeals members "
                    "who could hear this appeal. Nothing was sent; the "
                    "committee can ask the organization to appoint them."
                )
            )
        appeal = Appeal(
            case=locked, finding=finding, side=side, lodged_by=appellant
        )
        _grounds_seal(appeal, case_key, [{"side": side, "grounds": grounds}])
        appeal.save()
        _seal_case_key_to(locked, case_key, members)
        locked.state = CaseState.APPEAL
        locked.save(update_fields=["state"])
        # Not which side appealed: an appeal by the respondent would tell
        # the public ledger that the finding went against them.
        ledger_append(
            event_type="appeal_lodged",
            payload={
                "case": case_reference(locked),
                "appeal": f"appeal/{appeal.pk}",
            },
        )
        notify([locked.survivor, *_active_panel(locked), *members])
    return appeal


def _seal_case_key_to(case: Case, case_key: bytes, members) -> None:
    """Seal CASE_KEY to each of MEMBERS who lacks a copy."""
    holders = set(
        CaseKey.objects.filter(case=case).values_list("reader_id", flat=True)
    )
    CaseKey.objects.bulk_create(
        CaseKey(case=case, reader=member, sealed_key=sealed)
        for member, sealed in seal_to_confirmed(
            case_key, [m for m in members if m.pk not in holders]
        )
    )


def _grounds_seal(appeal: Appeal, case_key: bytes, items: list) -> None:
    purpose = f"appeal-{appeal.pk}"
    item_key = new_content_key()
    appeal.wrapped_key = encrypt(
        case_key, item_key, associated_data=_ad(appeal.case, purpose, "key")
    )
    appeal.ciphertext = encrypt(
        item_key,
        canonical_json({"grounds": [dict(item) for item in items]}),
        associated_data=_ad(appeal.case, purpose),
    )


def _grounds_open(appeal: Appeal, case_key: bytes) -> list[dict]:
    body = _open_item(
        appeal.case,
        case_key,
        wrapped_key=appeal.wrapped_key,
        ciphertext=appeal.ciphertext,
        purpose=f"appeal-{appeal.pk}",
    )
    return list(body["grounds"])


def appeal_grounds_open(
    *, appeal: Appeal, reader, keys: PersonKeys
) -> list[dict]:
    """Each side's grounds, as [{"side": label, "grounds": text}]."""
    case = appeal.case
    if not may_read(case, reader):
        raise CaseError(_("This appeal opens only to those hearing it."))
    sides = dict(Appeal.Side.choices)
    return [
        {"side": sides.get(item["side"], ""), "grounds": item["grounds"]}
        for item in _grounds_open(appeal, _case_key(case, reader, keys))
    ]


def appeal_panel_assign(
    *, appeal: Appeal, members: Sequence, assigned_by, keys: PersonKeys
) -> list[AppealSeat]:
    """An eligible appeals member holding the case key sets the appeal's
    panel (at least two), or tops it up when conflicts left fewer than
    two. Every copy of the case key but the survivor's, the first panel's
    and the appeals panel's is then destroyed."""
    case = appeal.case
    eligible = {member.pk: member for member in eligible_for_appeal(case)}
    if assigned_by.pk not in eligible:
        raise CaseError(
            _("Only an appeals member who may hear it can do this.")
        )
    chosen = {member.pk: member for member in members}
    if not set(chosen) <= set(eligible):
        raise CaseError(
            _("Only appeals members who did not hear the case can sit.")
        )
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        _refuse_if_withdrawn(Case.objects.get(pk=case.pk))
        if locked.decisions.filter(effective_at__isnull=False).exists():
            raise CaseError(_("This appeal is decided."))
        _refuse_a_full_panel(
            locked.panel, _("This appeal has a panel already.")
        )
        case_key = _case_key(case, assigned_by, keys)
        seats, staying = _panel_fill(
            locked.panel,
            chosen,
            assigned_by,
            _("An appeals panel has at least two members."),
        )
        _seal_case_key_to(case, case_key, chosen.values())
        keep = {case.survivor_id, *chosen}
        keep |= set(
            case.panel.exclude(has_conflict=True).values_list(
                "member_id", flat=True
            )
        )
        CaseKey.objects.filter(case=case).exclude(reader_id__in=keep).delete()
        ledger_append(
            event_type="appeal_panel_assigned",
            payload={
                "case": case_reference(case),
                "appeal": f"appeal/{locked.pk}",
                "members": sorted(
                    person_reference(member) for member in chosen.values()
                ),
                "by": person_reference(assigned_by),
            },
        )
        notify(m for m in chosen.values() if m.pk not in staying)
    return seats


def signing_members_of_appeal(appeal: Appeal) -> list:
    return [
        seat.member
        for seat in appeal.panel.filter(has_conflict=False).select_related(
            "member"
        )
    ]


def appeal_conflict_declare(*, appeal: Appeal, member, has_conflict: bool):
    """An appeals panel member says whether they have a conflict; a
    conflict removes them and destroys their copy of the case key."""
    _declare(
        AppealSeat.objects.filter(appeal=appeal),
        case=appeal.case,
        member=member,
        has_conflict=has_conflict,
        drafts=appeal.decisions.all(),
        missing=_("You are not on this appeal's panel."),
        event={"appeal": f"appeal/{appeal.pk}"},
    )


def appeal_decision(appeal: Appeal) -> Finding | None:
    """The appeal's decision, in effect or drafted."""
    return appeal.decisions.first()


def decision_draft(
    *,
    appeal: Appeal,
    member,
    keys: PersonKeys,
    decision: str,
    rationale: str,
    outcome: str = "",
) -> Finding:
    """An appeals panel member drafts the decision: uphold the finding,
    vary its outcome, or send it back to the panel. It takes effect when a
    majority of the appeals panel has signed it; the original finding
    stays on the record beside it."""
    case = appeal.case
    if member not in signing_members_of_appeal(appeal):
        raise CaseError(_("Only the appeal's panel can draft its decision."))
    _refuse_if_withdrawn(case)
    if decision not in dict(APPEAL_DECISIONS):
        raise CaseError(_("Choose the decision from the list."))
    if decision == "vary" and outcome not in dict(FINDING_OUTCOMES):
        raise CaseError(_("To vary the finding, choose the new outcome."))
    if not rationale.strip():
        raise CaseError(_("Give the reasons for the decision."))
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.decisions.filter(effective_at__isnull=False).exists():
            raise CaseError(_("This appeal is decided."))
        locked.decisions.all().delete()
        case_key = _case_key(case, member, keys)
        body = {
            "case": case_reference(case),
            "appeal": f"appeal/{locked.pk}",
            "finding": locked.finding.ledger_sequence,
            "decision": decision,
            "outcome": outcome if decision == "vary" else "",
            "rationale": rationale[:20000],
            "salt": base64.b64encode(new_content_key()).decode("ascii"),
        }
        draft = Finding(case=case, drafted_by=member, appeal=locked)
        item_key = new_content_key()
        draft.wrapped_key = encrypt(
            case_key, item_key, associated_data=_ad(case, "finding", "key")
        )
        draft.ciphertext = encrypt(
            item_key,
            canonical_json(body),
            associated_data=_ad(case, "finding"),
        )
        draft.save()
        ledger_append(
            event_type="decision_drafted",
            payload={
                "case": case_reference(case),
                "appeal": f"appeal/{locked.pk}",
                "by": person_reference(member),
            },
        )
    return draft


def panel_file_share(*, appeal: Appeal, member, keys: PersonKeys) -> None:
    """A first-panel member shares the panel's own records (notes,
    statements, evidence) with the appeals panel hearing the case."""
    case = appeal.case
    if member not in _active_panel(case):
        raise CaseError(_("Only the case's panel can share its records."))
    hearing = signing_members_of_appeal(appeal)
    if not hearing:
        raise CaseError(
            _("The appeals panel has not declared its conflicts yet.")
        )
    with transaction.atomic():
        _panel_key_share(case, member, keys, hearing)
        ledger_append(
            event_type="panel_records_shared",
            payload={
                "case": case_reference(case),
                "appeal": f"appeal/{appeal.pk}",
                "by": person_reference(member),
            },
        )


# When nobody can hear a case any more.


def panel_is_stuck(case: Case) -> bool:
    """No panel can be set or topped up: fewer than two sit, and no
    committee member who may sit holds the case key."""
    if case.state == CaseState.WITHDRAWN or effective_finding(case):
        return False
    if case.panel.exclude(has_conflict=True).count() >= MINIMUM_SIGNERS:
        return False
    eligible = [member.pk for member in eligible_for_panel(case)]
    return not CaseKey.objects.filter(case=case, reader_id__in=eligible)


def appeal_is_stuck(appeal: Appeal) -> bool:
    """The same for an appeal not yet decided."""
    if appeal.case.state == CaseState.WITHDRAWN or appeal.decisions.filter(
        effective_at__isnull=False
    ):
        return False
    if appeal.panel.exclude(has_conflict=True).count() >= MINIMUM_SIGNERS:
        return False
    eligible = [member.pk for member in eligible_for_appeal(appeal.case)]
    return not CaseKey.objects.filter(case=appeal.case, reader_id__in=eligible)


def case_resend(*, case: Case, holder, keys: PersonKeys) -> int:
    """When every member who could hear the case (or its appeal) has
    stepped aside, the survivor — or, for an appeal, a first-panel member
    — sends the case key again to every member who may now sit, so that
    a panel can be set. Returns how many it was sent to."""
    appeal = case.appeals.first()
    if appeal is not None and appeal_is_stuck(appeal):
        if holder.pk != case.survivor_id and holder not in _active_panel(case):
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
        _seal_case_key_to(locked, _case_key(locked, holder, keys), members)
        ledger_append(
            event_type="case_resent",
            payload={"case": case_reference(locked), **event},
        )
        notify(members)
    return len(members)


def seats_vacate_on_revoke(sender, *, user, role, organization, **kwargs):
    """A person who loses the committee or appeals role leaves every panel
    they sat on through it (their signatures on drafts no longer count)
    and loses every copy of a key of the organization's cases they no
    longer have a reason to hold. Runs inside the revoking transaction."""
    if organization is None or role not in (Role.COMMITTEE, Role.APPEALS):
        return
    now = timezone.now()
    if role == Role.COMMITTEE:
        seats = PanelSeat.objects.filter(
            case__organization=organization, member=user
        ).select_related("case")
    else:
        seats = AppealSeat.objects.filter(
            appeal__case__organization=organization, member=user
        ).select_related("appeal__case")
    for seat in seats.exclude(has_conflict=True):
        case = seat.case if role == Role.COMMITTEE else seat.appeal.case
        seat.has_conflict = True
        seat.declared_at = now
        seat.save(update_fields=["has_conflict", "declared_at"])
        FindingSignature.objects.filter(
            member=user, finding__case=case, finding__effective_at=None
        ).delete()
        ledger_append(
            event_type="seat_vacated",
            payload={
                "case": case_reference(case),
                "person": person_reference(user),
                "reason": "role_revoked",
            },
        )
    for key in CaseKey.objects.filter(
        reader=user, case__organization=organization
    ).select_related("case"):
        if not _still_entitled(key.case, user):
            key.delete()
            PanelKey.objects.filter(case=key.case, reader=user).delete()


def _still_entitled(case: Case, user) -> bool:
    """Whether USER has a reason left to hold CASE's key."""
    if user.pk == case.survivor_id or may_read(case, user):
        return True
    if case.panel.filter(member=user, has_conflict__isnull=True).exists():
        return True
    if AppealSeat.objects.filter(
        appeal__case=case, member=user, has_conflict__isnull=True
    ).exists():
        return True
    if not case.panel.exists():
        return user in eligible_for_panel(case)
    pending = case.appeals.filter(panel__isnull=True).exists()
    return pending and user in eligible_for_appeal(case)
