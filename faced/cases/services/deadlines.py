"""Deadlines: the committee sets them, the hourly check flags missed ones."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faced.accounts.models import User
from faced.cases.errors import CaseError
from faced.cases.models import (
    Case,
    CaseState,
    MeasureNotice,
)
from faced.cases.selectors import (
    active_panel,
    case_reference,
    committee_readers,
    leaders_of,
)
from faced.crypto.keys import PersonKeys
from faced.ledger.services import ledger_append, server_signer
from faced.notify.services import notify
from faced.orgs.models import Organization, RoleAssignment
from faced.orgs.roles import Role
from faced.orgs.services import person_reference, person_signer

DEADLINE_LIMITS = {
    "acknowledge_days": (1, 60),
    "respond_days": (7, 365),
    "appeal_days": (7, 90),
    "measure_acknowledge_days": (1, 60),
}


def deadlines_set(
    *,
    organization: Organization,
    member: User,
    keys: PersonKeys,
    **days: int,
) -> None:
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
            signer=person_signer(member, keys),
        )


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
                    signer=server_signer(),
                )
                notify(
                    [
                        case.survivor,
                        *active_panel(case),
                        *committee_readers(case),
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
                signer=server_signer(),
            )
            notify(
                [
                    notice.case.survivor,
                    *active_panel(notice.case),
                    *leaders_of(notice.case.organization),
                ]
            )
        flagged += 1
    return flagged
