"""Measure notices: issued by the panel, acknowledged by leadership."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faced.accounts.custody import box_public_key_of
from faced.accounts.models import User
from faced.cases.choices import MEASURE_STAGES
from faced.cases.errors import CaseError
from faced.cases.models import (
    Case,
    MeasureNotice,
    MeasureNoticeKey,
)
from faced.cases.selectors import (
    active_panel,
    case_reference,
    leaders_of,
)
from faced.cases.services.guards import refuse_if_withdrawn
from faced.cases.services.sealing import (
    text_seal,
)
from faced.crypto.envelope import (
    new_content_key,
    seal_key,
)
from faced.crypto.keys import PersonKeys
from faced.ledger.services import ledger_append
from faced.notify.services import notify
from faced.orgs.models import RoleAssignment
from faced.orgs.roles import Role
from faced.orgs.services import person_reference, person_signer
from faced.vault.services import seal_to_confirmed


def measure_issue(
    *,
    case: Case,
    member: User,
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
    if member not in active_panel(case):
        raise CaseError(_("Only the case's panel can issue measures."))
    if stage not in dict(MEASURE_STAGES):
        raise CaseError(_("Say whether the measure is interim or final."))
    refuse_if_withdrawn(case)
    if not subject.strip() or not measure.strip():
        raise CaseError(_("Say who the measure is about and what it is."))
    leaders = leaders_of(case.organization)
    readers = {m.pk: m for m in [*leaders, *active_panel(case)]}
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
        text_seal(
            notice,
            case=case,
            key=notice_key,
            purpose="measure",
            body={
                "subject": subject[:500],
                "measure": measure[:2000],
                "until": until[:200],
                "stage": stage,
            },
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


def measure_acknowledge(
    *, notice: MeasureNotice, leader: User, keys: PersonKeys
) -> None:
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
            signer=person_signer(leader, keys),
        )
        notify([locked.case.survivor, *active_panel(locked.case)])
