"""Reads of cases: the committee's inbox and a case's timeline."""

import json
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from faced.cases.models import Case
from faced.cases.services import case_reference
from faced.ledger.models import LedgerEntry
from faced.orgs.models import Organization, RoleAssignment
from faced.orgs.roles import Role


def organizations_with_committee() -> list[Organization]:
    ids = RoleAssignment.objects.filter(
        role=Role.COMMITTEE, revoked_at=None
    ).values("organization")
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


def committee_inbox(organization: Organization, member):
    """Cases by reference and date only; none a member was kept off."""
    return (
        Case.objects.filter(organization=organization)
        .exclude(exclusions__member=member)
        .order_by("-submitted_at")
    )


TIMELINE_WORDS = {
    "case_submitted": _("Your report was received by the committee."),
    "case_opened": _("A committee member read your report."),
    "panel_assigned": _("A panel of committee members was set."),
    "conflict_declared": _(
        "A panel member declared whether they have a conflict of interest."
    ),
    "case_acknowledged": _("Your report was acknowledged by the panel."),
    "finding_drafted": _("The panel drafted its finding."),
    "message_sent": _("A message was written in your conversation."),
    "case_withdrawn": _("You withdrew your report."),
    "measure_issued": _(
        "The panel issued a measure for leadership to enforce."
    ),
    "measure_acknowledged": _("Leadership acknowledged the measure."),
    "finding_signed": _(
        "The panel's finding was signed by a majority of its members and "
        "took effect."
    ),
}


@dataclass(frozen=True)
class TimelineEvent:
    sequence: int
    time: str
    words: object


def timeline(case: Case) -> list[TimelineEvent]:
    """Every ledger entry about the case, so the page cannot differ from
    the log."""
    needle = f'"case":"{case_reference(case)}"'
    events = []
    for entry in LedgerEntry.objects.filter(
        leaf_data__contains=needle
    ).order_by("sequence"):
        data = json.loads(entry.leaf_data)
        events.append(
            TimelineEvent(
                sequence=entry.sequence,
                time=data["time"],
                words=TIMELINE_WORDS.get(entry.event_type, entry.event_type),
            )
        )
    return events
