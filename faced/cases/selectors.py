"""Reads of cases: the committee's inbox and a case's timeline."""

import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from faced.cases.models import Case
from faced.cases.services import case_reference
from faced.ledger import merkle
from faced.ledger.log_key import log_public_key, log_signer
from faced.ledger.models import LedgerEntry
from faced.ledger.note import NoteError, open_note, parse_checkpoint
from faced.ledger.selectors import inclusion_proofs, latest_checkpoint
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
        .only(
            "id",
            "reference",
            "state",
            "submitted_at",
            "acknowledge_by",
            "respond_by",
            "responded_at",
            "paused_at",
        )
        .order_by("-submitted_at")
    )


def appeals_inbox(organization: Organization, member):
    """Appeals in the organization that MEMBER may hear: not of a case
    whose first panel they sat on or which the survivor kept them off."""
    from faced.cases.models import Appeal

    return (
        Appeal.objects.filter(case__organization=organization)
        .exclude(case__panel__member=member)
        .exclude(case__exclusions__member=member)
        .select_related("case")
        .distinct()
        .order_by("-lodged_at")
    )


TIMELINE_WORDS = {
    "case_submitted": _("Your report was received by the committee."),
    "case_opened": _(
        "A member of a panel hearing your case read your report."
    ),
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
    "panel_record_added": _(
        "The panel added to its own records (a note, a statement or evidence)."
    ),
    "appeal_joined": _(
        "The other side appealed too; one appeals panel hears both."
    ),
    "case_resent": _(
        "The case was sent again to the members who may hear it."
    ),
    "seat_vacated": _(
        "A member left the panel: they no longer hold the role."
    ),
    "path_proposed": _("The panel proposed how to take this forward."),
    "path_agreed": _("You agreed how to take this forward."),
    "case_paused": _("You paused your case."),
    "case_resumed": _("You resumed your case; its deadlines moved on."),
    "deadline_missed": _("A deadline was missed. It is counted publicly."),
    "appeal_lodged": _("An appeal against the finding was lodged."),
    "appeal_panel_assigned": _(
        "A separate appeals panel was set to hear the appeal."
    ),
    "decision_drafted": _("The appeals panel drafted its decision."),
    "appeal_decided": _(
        "The appeals panel's decision was signed by a majority of its "
        "members and took effect."
    ),
    "panel_records_shared": _(
        "The panel shared its own records with the appeals panel."
    ),
}

# The same events in the words of the panels' pages, where "you" is not
# the survivor.
PANEL_WORDS = {
    "case_submitted": _("The report was received by the committee."),
    "case_opened": _("A panel member read the report."),
    "case_acknowledged": _("The panel acknowledged the report."),
    "message_sent": _("A message was written in the conversation."),
    "case_withdrawn": _("The survivor withdrew the report."),
    "path_agreed": _("The survivor agreed how to take this forward."),
    "case_paused": _("The survivor paused the case."),
    "case_resumed": _(
        "The survivor resumed the case; its deadlines moved on."
    ),
    "deadline_acknowledge": _(
        "The deadline to acknowledge the report passed."
    ),
}

DEADLINE_WORDS = {
    "acknowledge": _("The deadline to acknowledge your report passed."),
    "respond": _("The deadline for a first response passed."),
    "measure": _("Leadership did not acknowledge a measure in time."),
}


@dataclass(frozen=True)
class TimelineEvent:
    sequence: int
    time: str
    words: object
    leaf_data: str = field(repr=False)


def timeline(case: Case, *, for_panel: bool = False) -> list[TimelineEvent]:
    """Every ledger entry about the case, so the page cannot differ from
    the log."""
    events = []
    for entry in LedgerEntry.objects.filter(
        subject=case_reference(case)
    ).order_by("sequence"):
        data = json.loads(entry.leaf_data)
        events.append(
            TimelineEvent(
                sequence=entry.sequence,
                time=data["time"],
                words=_words(
                    entry.event_type, data.get("event", {}), for_panel
                ),
                leaf_data=entry.leaf_data,
            )
        )
    return events


def _words(event_type: str, event: dict, for_panel: bool) -> object:
    if event_type == "deadline_missed":
        deadline = event.get("deadline")
        if for_panel and f"deadline_{deadline}" in PANEL_WORDS:
            return PANEL_WORDS[f"deadline_{deadline}"]
        return DEADLINE_WORDS.get(deadline, event_type)
    if for_panel and event_type in PANEL_WORDS:
        return PANEL_WORDS[event_type]
    return TIMELINE_WORDS.get(event_type, event_type)


@dataclass(frozen=True)
class TimelineIntegrity:
    """Whether each timeline entry is in the latest signed checkpoint."""

    checkpoint_size: int
    included: int
    pending: int
    problems: list[str]


def timeline_integrity(
    case: Case, events: list[TimelineEvent]
) -> TimelineIntegrity:
    """Check that the history is whole (each entry is about this case and
    names the one before it, from the submission on), then the latest
    checkpoint's signature with the log's key, then each entry's inclusion
    proof against the root it signs. Entries newer than the checkpoint are
    pending: the worker signs a new one soon."""
    problems = []
    previous = None
    for event in events:
        about = json.loads(event.leaf_data).get("event", {})
        if about.get("case") != case_reference(case):
            problems.append(
                gettext_now("Entry %(n)s is not about this case.")
                % {"n": event.sequence}
            )
        if about.get("previous") != previous:
            problems.append(
                gettext_now(
                    "Entry %(n)s follows entry %(m)s of this case, which is "
                    "missing from its history: entries were hidden or "
                    "removed."
                )
                % {"n": event.sequence, "m": about.get("previous")}
            )
        previous = event.sequence
    if not events or '"type":"case_submitted"' not in events[0].leaf_data:
        # Every case's history starts with its submission; a case without
        # it has had entries removed from the log.
        problems.append(
            gettext_now(
                "The entry recording this report's submission is missing "
                "from the ledger: entries were removed."
            )
        )
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        return TimelineIntegrity(0, 0, len(events), problems)
    name, _seed = log_signer()
    try:
        signed = parse_checkpoint(
            open_note(checkpoint.note, {name: log_public_key()})
        )
    except (NoteError, ValueError):
        return TimelineIntegrity(
            checkpoint.tree_size,
            0,
            len(events),
            [
                *problems,
                gettext_now(
                    "The latest checkpoint is not signed by this ledger's key."
                ),
            ],
        )
    included = pending = 0
    covered = [e.sequence for e in events if e.sequence < signed.tree_size]
    try:
        proofs = inclusion_proofs(covered, signed.tree_size)
    except LookupError:
        # A stored hash is missing: no proof holds.
        proofs = {}
    for event in events:
        if event.sequence >= signed.tree_size:
            pending += 1
            continue
        leaf = merkle.leaf_hash(event.leaf_data.encode("utf-8"))
        proof = proofs.get(event.sequence, [])
        if merkle.verify_inclusion(
            leaf, event.sequence, signed.tree_size, proof, signed.root_hash
        ):
            included += 1
        else:
            problems.append(
                gettext_now(
                    "Entry %(n)s is not the entry the signed checkpoint "
                    "holds: the ledger was changed."
                )
                % {"n": event.sequence}
            )
    return TimelineIntegrity(signed.tree_size, included, pending, problems)
