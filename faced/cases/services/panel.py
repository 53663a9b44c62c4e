"""The panel: set it, declare conflicts, acknowledge, propose a path,
keep its own records, and leave it when a role is revoked."""

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from django.db import transaction
from django.db.models import Manager, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from faced.accounts.models import User
from faced.cases.errors import CaseError
from faced.cases.models import (
    AppealSeat,
    Case,
    CaseDocument,
    CaseKey,
    CasePath,
    CaseState,
    Finding,
    FindingSignature,
    PanelKey,
    PanelSeat,
    Seat,
)
from faced.cases.selectors import (
    MINIMUM_SIGNERS,
    active_panel,
    case_reference,
    eligible_for_appeal,
    eligible_for_panel,
    may_read,
)
from faced.cases.services.conversation import mark_responded
from faced.cases.services.guards import (
    refuse_if_withdrawn,
    refuse_while_paused,
)
from faced.cases.services.sealing import (
    case_key_open,
    document_store,
    panel_key_open,
)
from faced.crypto.envelope import (
    new_content_key,
    seal_key,
)
from faced.crypto.keys import PersonKeys
from faced.ledger.services import ledger_append
from faced.notify.services import notify
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.services import person_reference, person_signer
from faced.vault.services import ledger_confirmed_public_key


def panel_assign(
    *, case: Case, members: Sequence[User], assigned_by: User, keys: PersonKeys
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
        refuse_a_full_panel(locked.panel, _("This case has a panel already."))
        case_key = case_key_open(locked, assigned_by, keys)
        seats, staying = panel_fill(
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
        panel_key_share(locked, assigned_by, keys, chosen.values())
        panel_announce(
            "panel_assigned",
            case=locked,
            chosen=chosen,
            staying=staying,
            assigned_by=assigned_by,
            keys=keys,
        )
    return seats


def panel_announce(
    event_type: str,
    *,
    case: Case,
    chosen: dict[int, User],
    staying: Mapping[int, object],
    assigned_by: User,
    keys: PersonKeys,
    **event: str,
) -> None:
    """Record a case's or an appeal's panel as ASSIGNED_BY's signed act,
    and tell the members new to it (not those STAYING on)."""
    ledger_append(
        event_type=event_type,
        payload={
            "case": case_reference(case),
            **event,
            "members": sorted(
                person_reference(member) for member in chosen.values()
            ),
            "by": person_reference(assigned_by),
        },
        signer=person_signer(assigned_by, keys),
    )
    notify(m for m in chosen.values() if m.pk not in staying)


SeatT = TypeVar("SeatT", PanelSeat, AppealSeat)

# A case's panel or an appeal's: its related manager or a query of it.
Seats = (
    Manager[PanelSeat]
    | Manager[AppealSeat]
    | QuerySet[PanelSeat]
    | (QuerySet[AppealSeat])
)


def refuse_a_full_panel(seats: Seats, message: str) -> None:
    """A panel is set once: it is topped up only when conflicts left fewer
    than two sitting and nobody is still to declare."""
    if seats.filter(has_conflict__isnull=True).exists() or (
        seats.filter(has_conflict=False).count() >= MINIMUM_SIGNERS
    ):
        raise CaseError(message)


def panel_fill(
    seats: "Manager[SeatT]",
    chosen: dict[int, User],
    assigned_by: User,
    too_few: str,
) -> tuple[list[SeatT], dict[int, SeatT]]:
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


def panel_key_share(
    case: Case, holder: User, keys: PersonKeys, members: Iterable[User]
) -> None:
    """Seal the panel key to each of MEMBERS who lacks a copy: a new key for
    a case's first panel, otherwise the HOLDER's copy of it."""
    if any(member.pk == case.survivor_id for member in members):
        raise CaseError(_("The panel's own records are not the survivor's."))
    existing = set(case.panel_keys.values_list("reader_id", flat=True))
    if existing:
        panel_key = panel_key_open(case, holder, keys)
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


def conflict_declare(
    *, case: Case, member: User, keys: PersonKeys, has_conflict: bool
) -> None:
    """A panel member says, and signs, whether they have a conflict of
    interest. A conflict removes them and destroys their copy of the case
    key."""
    seat_declare(
        PanelSeat.objects.filter(case=case),
        case=case,
        member=member,
        keys=keys,
        has_conflict=has_conflict,
        drafts=Finding.objects.filter(case=case, appeal=None),
        missing=_("You are not on this case's panel."),
        event={},
    )


def seat_declare(
    seats: Seats,
    *,
    case: Case,
    member: User,
    keys: PersonKeys,
    has_conflict: bool,
    drafts: QuerySet[Finding],
    missing: str,
    event: dict[str, str],
) -> None:
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
            signer=person_signer(member, keys),
        )


def case_acknowledge(*, case: Case, member: User, keys: PersonKeys) -> None:
    """A panel member tells the survivor, and signs, that the report is
    received and being looked after."""
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
            signer=person_signer(member, keys),
        )


PANEL_RECORD_KINDS = set(CaseDocument.PANEL_ONLY)


def panel_record_add(
    *, case: Case, member: User, keys: PersonKeys, kind: str, text: str
) -> CaseDocument:
    """An internal note, a statement from the respondent, or a piece of
    evidence, written down by a panel member under the panel key: the
    panel (and an appeals panel it is shared with) reads it, the survivor
    does not."""
    if member not in active_panel(case):
        raise CaseError(_("Only the case's panel can add to its records."))
    refuse_if_withdrawn(case)
    if kind not in PANEL_RECORD_KINDS:
        raise CaseError(_("Choose what kind of record this is."))
    text = text.strip()
    if not text:
        raise CaseError(_("Write something first."))
    with transaction.atomic():
        document = document_store(
            case,
            panel_key_open(case, member, keys),
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
            signer=person_signer(member, keys),
        )
    return document


def path_propose(*, case: Case, member: User, path: str) -> None:
    """The panel proposes how to handle the case; the survivor agrees to
    it (or talks it over) on their page."""
    if member not in active_panel(case):
        raise CaseError(_("Only the case's panel can propose a path."))
    if path not in CasePath.values:
        raise CaseError(_("Choose the path from the list."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        refuse_while_paused(locked)
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
        mark_responded(locked)
        notify([locked.survivor])


def seats_vacate_on_revoke(
    sender: object,
    *,
    user: User,
    role: str,
    organization: Organization | None,
    **kwargs: object,
) -> None:
    """A person who loses the committee or appeals role leaves every panel
    they sat on through it (their signatures on drafts no longer count)
    and loses every copy of a key of the organization's cases they no
    longer have a reason to hold. Runs inside the revoking transaction."""
    if organization is None or role not in (Role.COMMITTEE, Role.APPEALS):
        return
    now = timezone.now()
    seated: list[tuple[Seat, Case]]
    if role == Role.COMMITTEE:
        seated = [
            (seat, seat.case)
            for seat in PanelSeat.objects.filter(
                case__organization=organization, member=user
            )
            .exclude(has_conflict=True)
            .select_related("case")
        ]
    else:
        seated = [
            (seat, seat.appeal.case)
            for seat in AppealSeat.objects.filter(
                appeal__case__organization=organization, member=user
            )
            .exclude(has_conflict=True)
            .select_related("appeal__case")
        ]
    for seat, case in seated:
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


def _still_entitled(case: Case, user: User) -> bool:
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
