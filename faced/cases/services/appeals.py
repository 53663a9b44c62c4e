"""Appeals: lodged by either side, heard and decided by a separate panel."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faced.accounts.models import User
from faced.cases.choices import (
    APPEAL_DECISIONS,
    FINDING_OUTCOMES,
)
from faced.cases.errors import CaseError
from faced.cases.models import (
    Appeal,
    AppealSeat,
    Case,
    CaseKey,
    CaseState,
    Finding,
)
from faced.cases.selectors import (
    MINIMUM_SIGNERS,
    active_panel,
    appealable_finding,
    case_reference,
    eligible_for_appeal,
    signing_members,
    signing_members_of_appeal,
)
from faced.cases.services.findings import (
    draft_store,
    signature_add,
    take_effect,
)
from faced.cases.services.guards import refuse_if_withdrawn
from faced.cases.services.panel import (
    panel_announce,
    panel_fill,
    panel_key_share,
    refuse_a_full_panel,
    seat_declare,
)
from faced.cases.services.sealing import (
    case_key_open,
    case_key_seal_to,
    text_open,
    text_seal,
)
from faced.crypto.keys import PersonKeys
from faced.ledger.services import ledger_append
from faced.notify.services import notify
from faced.orgs.services import person_reference, person_signer


def appeal_lodge(
    *, case: Case, appellant: User, keys: PersonKeys, grounds: str
) -> Appeal:
    """The survivor, or a panel member on the respondent's behalf, appeals
    the finding within the window. The grounds are encrypted under the case
    key, which is sealed to every eligible member of the appeals role until
    an appeals panel is set. One appeal is heard per finding: a side that
    appeals while the other's appeal waits for its decision joins it, its
    grounds beside the other's."""
    if appellant.pk == case.survivor_id:
        side = Appeal.Side.SURVIVOR
    elif appellant in active_panel(case):
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
        refuse_if_withdrawn(locked)
        finding = appealable_finding(locked, side)
        if finding is None:
            raise CaseError(
                _(
                    "There is no finding you can appeal: the window has "
                    "closed, or your appeal is under way already."
                )
            )
        case_key = case_key_open(locked, appellant, keys)
        appeal = finding.appeals.select_for_update().first()
        if appeal is not None:
            items = text_open(
                appeal, case=locked, key=case_key, purpose="appeal"
            )["grounds"]
            text_seal(
                appeal,
                case=locked,
                key=case_key,
                purpose="appeal",
                body={"grounds": [*items, {"side": side, "grounds": grounds}]},
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
                    *active_panel(locked),
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
        text_seal(
            appeal,
            case=locked,
            key=case_key,
            purpose="appeal",
            body={"grounds": [{"side": side, "grounds": grounds}]},
        )
        appeal.save()
        case_key_seal_to(locked, case_key, members)
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
        notify([locked.survivor, *active_panel(locked), *members])
    return appeal


def appeal_panel_assign(
    *,
    appeal: Appeal,
    members: Sequence[User],
    assigned_by: User,
    keys: PersonKeys,
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
        refuse_if_withdrawn(Case.objects.get(pk=case.pk))
        if locked.decisions.filter(effective_at__isnull=False).exists():
            raise CaseError(_("This appeal is decided."))
        refuse_a_full_panel(
            locked.panel, _("This appeal has a panel already.")
        )
        case_key = case_key_open(case, assigned_by, keys)
        seats, staying = panel_fill(
            locked.panel,
            chosen,
            assigned_by,
            _("An appeals panel has at least two members."),
        )
        case_key_seal_to(case, case_key, chosen.values())
        keep = {case.survivor_id, *chosen}
        keep |= set(
            case.panel.exclude(has_conflict=True).values_list(
                "member_id", flat=True
            )
        )
        CaseKey.objects.filter(case=case).exclude(reader_id__in=keep).delete()
        panel_announce(
            "appeal_panel_assigned",
            case=case,
            chosen=chosen,
            staying=staying,
            assigned_by=assigned_by,
            keys=keys,
            appeal=f"appeal/{locked.pk}",
        )
    return seats


def appeal_conflict_declare(
    *, appeal: Appeal, member: User, keys: PersonKeys, has_conflict: bool
) -> None:
    """An appeals panel member says whether they have a conflict; a
    conflict removes them and destroys their copy of the case key."""
    seat_declare(
        AppealSeat.objects.filter(appeal=appeal),
        case=appeal.case,
        member=member,
        keys=keys,
        has_conflict=has_conflict,
        drafts=appeal.decisions.all(),
        missing=_("You are not on this appeal's panel."),
        event={"appeal": f"appeal/{appeal.pk}"},
    )


def decision_draft(
    *,
    appeal: Appeal,
    member: User,
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
    refuse_if_withdrawn(case)
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
        draft = draft_store(
            case,
            member,
            keys,
            body={
                "appeal": f"appeal/{locked.pk}",
                "finding": locked.finding.ledger_sequence,
                "decision": decision,
                "outcome": outcome if decision == "vary" else "",
                "rationale": rationale[:20000],
            },
            appeal=locked,
        )
        ledger_append(
            event_type="decision_drafted",
            payload={
                "case": case_reference(case),
                "appeal": f"appeal/{locked.pk}",
                "by": person_reference(member),
            },
            signer=person_signer(member, keys),
        )
    return draft


def panel_file_share(
    *, appeal: Appeal, member: User, keys: PersonKeys
) -> None:
    """A first-panel member shares the panel's own records (notes,
    statements, evidence) with the appeals panel hearing the case."""
    case = appeal.case
    if member not in active_panel(case):
        raise CaseError(_("Only the case's panel can share its records."))
    hearing = signing_members_of_appeal(appeal)
    if not hearing:
        raise CaseError(
            _("The appeals panel has not declared its conflicts yet.")
        )
    with transaction.atomic():
        panel_key_share(case, member, keys, hearing)
        ledger_append(
            event_type="panel_records_shared",
            payload={
                "case": case_reference(case),
                "appeal": f"appeal/{appeal.pk}",
                "by": person_reference(member),
            },
            signer=person_signer(member, keys),
        )


def decision_sign(
    *, decision: Finding, member: User, keys: PersonKeys
) -> bool:
    """An appeals panel member signs the decision's exact content. Returns
    True when this signature completes the quorum: then the decision takes
    effect the way a finding does (its commitment and the signatures in the
    ledger), and the case moves on: back to its panel when the decision
    sends it back, decided otherwise. The original finding stays on the
    record beside it.

    DECISION is the draft the member read: a draft replaced since is
    refused."""
    if decision.appeal_id is None:
        raise CaseError(_("This is a finding, not an appeal's decision."))
    with transaction.atomic():
        quorum = signature_add(
            decision,
            member,
            keys,
            refusal=_("Only the appeal's panel can sign its decision."),
            refuse_paused=False,
        )
        if quorum is None:
            return False
        take_effect(
            quorum,
            event_type="appeal_decided",
            event={"appeal": f"appeal/{decision.appeal_id}"},
            at=timezone.now(),
        )
        case = quorum.case
        case.state = (
            CaseState.UNDER_WAY
            if quorum.draft.decision == "send_back"
            else CaseState.DECIDED
        )
        case.save(update_fields=["state"])
        notify(
            [
                case.survivor,
                *active_panel(case),
                *signing_members(quorum.draft),
            ]
        )
    return True
