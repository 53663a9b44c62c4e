"""The first panel's finding: drafted, signed by a majority, in effect."""

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faced.accounts.models import User
from faced.cases.choices import FINDING_OUTCOMES
from faced.cases.errors import CaseError
from faced.cases.models import (
    Appeal,
    Case,
    CaseState,
    Finding,
    FindingSignature,
)
from faced.cases.selectors import (
    active_panel,
    case_reference,
    effective_finding,
    finding_commitment,
    finding_open,
    signing_members,
    signing_quorum,
)
from faced.cases.services.guards import (
    refuse_if_withdrawn,
    refuse_while_paused,
)
from faced.cases.services.sealing import (
    case_key_open,
    sealed_create,
)
from faced.crypto.envelope import (
    new_content_key,
)
from faced.crypto.keys import PersonKeys
from faced.crypto.signing import sign
from faced.ledger.services import ledger_append
from faced.notify.services import notify
from faced.orgs.services import person_reference, person_signer


def finding_draft(
    *,
    case: Case,
    member: User,
    keys: PersonKeys,
    outcome: str,
    rationale: str,
    measures: str = "",
) -> Finding:
    """A panel member drafts the finding; a new draft replaces an unsigned
    one. Once a finding is in effect, nothing here can change it."""
    if member not in active_panel(case):
        raise CaseError(_("Only the case's panel can draft its finding."))
    if outcome not in dict(FINDING_OUTCOMES):
        raise CaseError(_("Choose the outcome from the list."))
    if not rationale.strip():
        raise CaseError(_("Give the reasons for the finding."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        refuse_if_withdrawn(locked)
        refuse_while_paused(locked)
        if effective_finding(locked) is not None:
            raise CaseError(
                _(
                    "This case has a signed finding. Only a decision on "
                    "appeal can change its outcome."
                )
            )
        locked.findings.filter(appeal=None, effective_at=None).delete()
        finding = draft_store(
            locked,
            member,
            keys,
            body={
                "outcome": outcome,
                "rationale": rationale[:20000],
                "measures": measures[:5000],
            },
        )
        ledger_append(
            event_type="finding_drafted",
            payload={
                "case": case_reference(locked),
                "by": person_reference(member),
            },
            signer=person_signer(member, keys),
        )
    return finding


def draft_store(
    case: Case,
    member: User,
    keys: PersonKeys,
    *,
    body: dict[str, Any],
    appeal: Appeal | None = None,
) -> Finding:
    """A draft of a finding (or, with APPEAL, of an appeal's decision) by
    MEMBER: BODY, naming its case and with a fresh salt, sealed under the
    case key. The salt keeps a guessed outcome from being checked against
    the public commitment and signatures."""
    return sealed_create(
        Finding,
        case=case,
        key=case_key_open(case, member, keys),
        purpose="finding",
        body={
            "case": case_reference(case),
            **body,
            "salt": base64.b64encode(new_content_key()).decode("ascii"),
        },
        drafted_by=member,
        appeal=appeal,
    )


def finding_sign(*, finding: Finding, member: User, keys: PersonKeys) -> bool:
    """A panel member signs the finding's exact content with their Ed25519
    key. Returns True when this signature completes the quorum: then the
    finding takes effect, its commitment and the signatures of the members
    sitting go into the ledger, and the survivor sees it at once.

    FINDING is the draft the member read: a draft replaced since is
    refused, so nobody signs a text they have not seen."""
    if finding.appeal_id is not None:
        raise CaseError(_("An appeal's decision is signed on its own page."))
    with transaction.atomic():
        quorum = signature_add(
            finding,
            member,
            keys,
            refusal=_("Only the case's panel can sign its finding."),
            refuse_paused=True,
        )
        if quorum is None:
            return False
        now = timezone.now()
        # Fixed now: a later change of the organization's setting does
        # not close (or reopen) this finding's window.
        quorum.draft.appeal_until = now + dt.timedelta(
            days=quorum.case.organization.appeal_days
        )
        take_effect(
            quorum,
            event_type="finding_signed",
            event={},
            at=now,
            also_saved=["appeal_until"],
        )
        quorum.case.state = CaseState.FINDING
        quorum.case.responded_at = quorum.case.responded_at or now
        quorum.case.save(update_fields=["state", "responded_at"])
        notify([quorum.case.survivor, *active_panel(quorum.case)])
    return True


@dataclass(frozen=True)
class Quorum:
    """A draft whose signatures now reach its quorum: the case and the
    draft (both locked), the content signed, and the signatures that
    count."""

    case: Case
    draft: Finding
    body: dict[str, Any]
    signatures: list[FindingSignature]


def signature_add(
    draft: Finding,
    member: User,
    keys: PersonKeys,
    *,
    refusal: str,
    refuse_paused: bool,
) -> Quorum | None:
    """MEMBER signs DRAFT's content as they read it, inside the caller's
    transaction; REFUSAL when they are not on the panel that signs it.
    Nothing is signed on a withdrawn case, nor (with REFUSE_PAUSED) on a
    paused one. Returns the Quorum when this signature completes it, None
    while more are needed: a signature counts only while its signer
    sits."""
    if member not in signing_members(draft):
        raise CaseError(refusal)
    body = finding_open(finding=draft, reader=member, keys=keys)
    signature = sign(keys.signing_seed, body)
    # The case first, as drafting does: a redraft and a signature queue
    # behind each other rather than interleave.
    locked_case = Case.objects.select_for_update().get(pk=draft.case_id)
    refuse_if_withdrawn(locked_case)
    if refuse_paused:
        refuse_while_paused(locked_case)
    locked = Finding.objects.select_for_update().filter(pk=draft.pk).first()
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
        return None
    return Quorum(locked_case, locked, body, signatures)


def take_effect(
    quorum: Quorum,
    *,
    event_type: str,
    event: dict[str, str],
    at: dt.datetime,
    also_saved: Sequence[str] = (),
) -> None:
    """A finding or appeal decision signed by its QUORUM takes effect AT:
    its commitment and signatures go into the ledger (EVENT_TYPE, with
    EVENT's fields beside the case), and the draft row records when and
    under which entry. ALSO_SAVED names fields the caller set too."""
    draft = quorum.draft
    entry = ledger_append(
        event_type=event_type,
        payload={
            "case": case_reference(quorum.case),
            **event,
            "commitment": finding_commitment(quorum.body),
            "signatures": [
                {
                    "person": person_reference(s.member),
                    "signature": base64.b64encode(bytes(s.signature)).decode(
                        "ascii"
                    ),
                }
                for s in quorum.signatures
            ],
        },
    )
    draft.effective_at = at
    draft.ledger_sequence = entry.sequence
    draft.decision = quorum.body.get("decision") or ""
    draft.save(
        update_fields=[
            "effective_at",
            "ledger_sequence",
            "decision",
            *also_saved,
        ]
    )
