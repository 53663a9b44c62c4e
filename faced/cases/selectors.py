"""Reads of cases: the committee's inbox and a case's timeline."""

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Manager, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from faced.accounts.models import User
from faced.cases.errors import CaseError
from faced.cases.models import (
    Appeal,
    AppealSeat,
    Case,
    CaseDocument,
    CaseKey,
    CaseState,
    Finding,
    MeasureNotice,
    MeasureNoticeKey,
    PanelKey,
    PanelSeat,
)
from faced.cases.services.sealing import (
    case_key_open,
    panel_key_open,
    text_open,
)
from faced.crypto.keys import PersonKeys
from faced.crypto.signing import canonical_json, verify
from faced.ledger import merkle
from faced.ledger.acts import ActChecker, established_keys
from faced.ledger.log_key import log_public_key, log_signer
from faced.ledger.models import LedgerEntry
from faced.ledger.note import NoteError, open_note, parse_checkpoint
from faced.ledger.selectors import (
    inclusion_proofs,
    keys_history,
    latest_checkpoint,
    published_keys,
)
from faced.orgs.models import Organization, RoleAssignment
from faced.orgs.roles import Role
from faced.orgs.services import person_reference
from faced.vault.services import open_own_copy


def organizations_with_committee() -> list[Organization]:
    ids = RoleAssignment.objects.filter(
        role=Role.COMMITTEE, revoked_at=None
    ).values("organization")
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


def committee_inbox(
    organization: Organization, member: User
) -> QuerySet[Case]:
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


def appeals_inbox(
    organization: Organization, member: User
) -> QuerySet[Appeal]:
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
    "case_submitted": gettext_lazy(
        "Your report was received by the committee."
    ),
    "case_opened": gettext_lazy(
        "A member of a panel hearing your case read your report."
    ),
    "panel_assigned": gettext_lazy("A panel of committee members was set."),
    "conflict_declared": gettext_lazy(
        "A panel member declared whether they have a conflict of interest."
    ),
    "case_acknowledged": gettext_lazy(
        "Your report was acknowledged by the panel."
    ),
    "finding_drafted": gettext_lazy("The panel drafted its finding."),
    "message_sent": gettext_lazy(
        "A message was written in your conversation."
    ),
    "case_withdrawn": gettext_lazy("You withdrew your report."),
    "measure_issued": gettext_lazy(
        "The panel issued a measure for leadership to enforce."
    ),
    "measure_acknowledged": gettext_lazy(
        "Leadership acknowledged the measure."
    ),
    "finding_signed": gettext_lazy(
        "The panel's finding was signed by a majority of its members and "
        "took effect."
    ),
    "panel_record_added": gettext_lazy(
        "The panel added to its own records (a note, a statement or evidence)."
    ),
    "appeal_joined": gettext_lazy(
        "The other side appealed too; one appeals panel hears both."
    ),
    "case_resent": gettext_lazy(
        "The case was sent again to the members who may hear it."
    ),
    "seat_vacated": gettext_lazy(
        "A member left the panel: they no longer hold the role."
    ),
    "path_proposed": gettext_lazy(
        "The panel proposed how to take this forward."
    ),
    "path_agreed": gettext_lazy("You agreed how to take this forward."),
    "case_paused": gettext_lazy("You paused your case."),
    "case_resumed": gettext_lazy(
        "You resumed your case; its deadlines moved on."
    ),
    "deadline_missed": gettext_lazy(
        "A deadline was missed. It is counted publicly."
    ),
    "appeal_lodged": gettext_lazy("An appeal against the finding was lodged."),
    "appeal_panel_assigned": gettext_lazy(
        "A separate appeals panel was set to hear the appeal."
    ),
    "decision_drafted": gettext_lazy(
        "The appeals panel drafted its decision."
    ),
    "appeal_decided": gettext_lazy(
        "The appeals panel's decision was signed by a majority of its "
        "members and took effect."
    ),
    "panel_records_shared": gettext_lazy(
        "The panel shared its own records with the appeals panel."
    ),
}

# The same events in the words of the panels' pages, where "you" is not
# the survivor.
PANEL_WORDS = {
    "case_submitted": gettext_lazy(
        "The report was received by the committee."
    ),
    "case_opened": gettext_lazy("A panel member read the report."),
    "case_acknowledged": gettext_lazy("The panel acknowledged the report."),
    "message_sent": gettext_lazy("A message was written in the conversation."),
    "case_withdrawn": gettext_lazy("The survivor withdrew the report."),
    "path_agreed": gettext_lazy(
        "The survivor agreed how to take this forward."
    ),
    "case_paused": gettext_lazy("The survivor paused the case."),
    "case_resumed": gettext_lazy(
        "The survivor resumed the case; its deadlines moved on."
    ),
    "deadline_acknowledge": gettext_lazy(
        "The deadline to acknowledge the report passed."
    ),
}

DEADLINE_WORDS = {
    "acknowledge": gettext_lazy(
        "The deadline to acknowledge your report passed."
    ),
    "respond": gettext_lazy("The deadline for a first response passed."),
    "measure": gettext_lazy(
        "Leadership did not acknowledge a measure in time."
    ),
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


def _words(event_type: str, event: dict[str, Any], for_panel: bool) -> object:
    if event_type == "deadline_missed":
        deadline = str(event.get("deadline", ""))
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


def _signing_keys_before() -> Callable[[str, int], bytes | None]:
    """A lookup of a person's signing key as the ledger established it
    before an entry, reading each person's keys from the ledger once per
    page (a case's history names the same few people again and again)."""
    histories: dict[str, list[tuple[int, dict[str, Any], bytes]]] = {}
    origin = log_signer()[0]

    def key_before(person: str, sequence: int) -> bytes | None:
        if person not in histories:
            histories[person] = keys_history(person)
        keys = established_keys(
            [entry for entry in histories[person] if entry[0] < sequence],
            origin=origin,
        )
        try:
            return base64.b64decode(
                str((keys or {}).get("verify_key", "")), validate=True
            )
        except ValueError:
            return None

    return key_before


def timeline_integrity(
    case: Case, events: list[TimelineEvent]
) -> TimelineIntegrity:
    """Check that the history is whole (each entry is about this case and
    names the one before it, from the submission on), then the latest
    checkpoint's signature with the log's key, then each entry's inclusion
    proof against the root it signs. Entries newer than the checkpoint are
    pending: the worker signs a new one soon. Each act in the history
    must carry its actor's signature (the survivor's own key for this
    report, the server's for what only it states)."""
    problems = []
    previous = None
    hashes = {
        event.sequence: merkle.leaf_hash(event.leaf_data.encode("utf-8"))
        for event in events
    }
    acts = ActChecker(
        origin=log_signer()[0],
        server_key=log_public_key(),
        leaf_hash_at=hashes.get,
        person_key=_signing_keys_before(),
        signed_reports_before=bool(events)
        and LedgerEntry.objects.filter(
            event_type="case_submitted",
            sequence__lt=events[0].sequence,
            leaf_data__contains='"signer":"survivor"',
        ).exists(),
    )
    for event in events:
        entry = json.loads(event.leaf_data)
        about = entry.get("event", {})
        unsigned = acts.check(
            sequence=event.sequence,
            event_type=str(entry.get("type", "")),
            event=about,
        )
        if unsigned is not None:
            problems.append(
                _(
                    "Entry %(n)s cannot be trusted: %(why)s It says "
                    "something was done that the person it names may never "
                    "have done."
                )
                % {"n": event.sequence, "why": unsigned}
            )
        if about.get("case") != case_reference(case):
            problems.append(
                _("Entry %(n)s is not about this case.")
                % {"n": event.sequence}
            )
        if about.get("previous") != previous:
            problems.append(
                _(
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
            _(
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
                _("The latest checkpoint is not signed by this ledger's key."),
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
                _(
                    "Entry %(n)s is not the entry the signed checkpoint "
                    "holds: the ledger was changed."
                )
                % {"n": event.sequence}
            )
    return TimelineIntegrity(signed.tree_size, included, pending, problems)


def case_reference(case: Case) -> str:
    """How the ledger names a case: opaque, stable."""
    return f"case/{case.pk}"


def committee_members(organization: Organization) -> list[User]:
    return [
        assignment.user
        for assignment in RoleAssignment.objects.filter(
            organization=organization,
            role=Role.COMMITTEE,
            revoked_at=None,
        ).select_related("user")
    ]


def leaders_of(organization: Organization) -> list[User]:
    """Who holds the leadership role in ORGANIZATION now."""
    return [
        assignment.user
        for assignment in RoleAssignment.objects.filter(
            organization=organization, role=Role.LEADERSHIP, revoked_at=None
        ).select_related("user")
    ]


def may_read(case: Case, reader: User) -> bool:
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


def eligible_for_panel(case: Case) -> list[User]:
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


def active_panel(case: Case) -> list[User]:
    return [
        seat.member
        for seat in case.panel.filter(has_conflict=False).select_related(
            "member"
        )
    ]


# Nobody decides alone: a panel left with one member is topped up first.
MINIMUM_SIGNERS = 2


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


def _seats_of(
    finding: Finding,
) -> "Manager[PanelSeat] | Manager[AppealSeat]":
    """The seats of the panel that signs FINDING: its case's first panel,
    or its appeal's panel for an appeal decision."""
    if finding.appeal is not None:
        return finding.appeal.panel
    return finding.case.panel


def signing_members(finding: Finding) -> list[User]:
    """Who signs FINDING: its case's panel, or its appeal's panel."""
    seats = _seats_of(finding)
    return [
        seat.member
        for seat in seats.filter(has_conflict=False).select_related("member")
    ]


def signing_quorum(finding: Finding) -> tuple[int, int]:
    """(quorum, panel size) for FINDING: a majority of everyone on its
    panel not removed for a conflict, members yet to declare included,
    and never fewer than two."""
    size = _seats_of(finding).exclude(has_conflict=True).count()
    return max(MINIMUM_SIGNERS, size // 2 + 1), size


def finding_open(
    *, finding: Finding, reader: User, keys: PersonKeys
) -> dict[str, Any]:
    case = finding.case
    if not may_read(case, reader):
        raise CaseError(
            _("This finding opens only to the panel and the survivor.")
        )
    return text_open(
        finding,
        case=case,
        key=case_key_open(case, reader, keys),
        purpose="finding",
    )


def finding_commitment(body: dict[str, Any]) -> str:
    salt = base64.b64decode(body["salt"])
    return hmac.new(salt, canonical_json(body), hashlib.sha256).hexdigest()


def finding_integrity(*, finding: Finding, body: dict[str, Any]) -> list[str]:
    """What does not hold about a finding (or appeal decision) in effect:
    its ledger entry must be about this case and commit to this content;
    the signatures stored must be the ones the entry lists, at least a
    quorum of them, each by a member of the panel that heard it, and each
    valid under the signing key the ledger published for that member (not
    the one in the key table, which the database could swap). Empty when
    all holds."""
    problems = []
    entry = (
        None
        if finding.ledger_sequence is None
        else LedgerEntry.objects.filter(
            sequence=finding.ledger_sequence
        ).first()
    )
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


def measure_open(
    *, notice: MeasureNotice, reader: User, keys: PersonKeys
) -> dict[str, Any]:
    notice_key = open_own_copy(
        MeasureNoticeKey.objects.filter(notice=notice, reader=reader),
        keys,
        missing=_("This notice is not addressed to you."),
        damaged=_("This notice could not be opened with your keys."),
        error=CaseError,
    )
    try:
        return text_open(
            notice, case=notice.case, key=notice_key, purpose="measure"
        )
    except CaseError:
        raise CaseError(
            _("This notice could not be opened: its stored data changed.")
        ) from None


def messages_open(
    *, case: Case, reader: User, keys: PersonKeys
) -> list[dict[str, Any]]:
    """The conversation, oldest first, for the survivor or the panel."""
    if not may_read(case, reader):
        return []
    try:
        case_key = case_key_open(case, reader, keys)
    except CaseError:
        case_key = None
    return [
        {**opened, "from_survivor": document.author_id == case.survivor_id}
        for document, opened in _documents_open(
            case, case_key, kinds=[CaseDocument.Kind.MESSAGE]
        )
    ]


def _documents_open(
    case: Case, key: bytes | None, *, kinds: Sequence[str]
) -> list[tuple[CaseDocument, dict[str, Any]]]:
    """The case's documents of KINDS, oldest first, each with its author,
    time and text (None where KEY is missing or does not open it)."""
    opened = []
    for document in case.documents.filter(kind__in=kinds).select_related(
        "author"
    ):
        try:
            if key is None:
                raise CaseError
            text = text_open(
                document, case=case, key=key, purpose=document.kind
            )["text"]
        except CaseError:
            text = None
        opened.append(
            (
                document,
                {
                    "author": document.author,
                    "at": document.created_at,
                    "text": text,
                },
            )
        )
    return opened


def panel_records_open(
    *, case: Case, reader: User, keys: PersonKeys
) -> list[dict[str, Any]]:
    """The panel's own records, oldest first, for those holding the panel
    key; nobody else gets any."""
    if (
        reader.pk == case.survivor_id
        or not may_read(case, reader)
        or not PanelKey.objects.filter(case=case, reader=reader).exists()
    ):
        return []
    panel_key = panel_key_open(case, reader, keys)
    kinds = dict(CaseDocument.Kind.choices)
    return [
        {**opened, "kind": kinds[document.kind]}
        for document, opened in _documents_open(
            case, panel_key, kinds=CaseDocument.PANEL_ONLY
        )
    ]


def committee_readers(case: Case) -> list[User]:
    """The whole committee but members the survivor kept off the case."""
    excluded = set(case.exclusions.values_list("member_id", flat=True))
    return [
        member
        for member in committee_members(case.organization)
        if member.pk not in excluded
    ]


def appeal_window_ends(finding: Finding) -> dt.datetime:
    """The last moment FINDING (in effect) may be appealed: fixed when it
    took effect; for a finding from before that was recorded, counted
    from when it took effect."""
    if finding.appeal_until is not None:
        return finding.appeal_until
    if finding.effective_at is None:
        raise ValueError("A draft has no appeal window.")
    return finding.effective_at + dt.timedelta(
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


def eligible_for_appeal(case: Case) -> list[User]:
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


def appeal_grounds_open(
    *, appeal: Appeal, reader: User, keys: PersonKeys
) -> list[dict[str, Any]]:
    """Each side's grounds, as [{"side": label, "grounds": text}]."""
    case = appeal.case
    if not may_read(case, reader):
        raise CaseError(_("This appeal opens only to those hearing it."))
    sides = dict(Appeal.Side.choices)
    return [
        {"side": sides.get(item["side"], ""), "grounds": item["grounds"]}
        for item in text_open(
            appeal,
            case=case,
            key=case_key_open(case, reader, keys),
            purpose="appeal",
        )["grounds"]
    ]


def signing_members_of_appeal(appeal: Appeal) -> list[User]:
    return [
        seat.member
        for seat in appeal.panel.filter(has_conflict=False).select_related(
            "member"
        )
    ]


def appeal_decision(appeal: Appeal) -> Finding | None:
    """The appeal's decision, in effect or drafted."""
    return appeal.decisions.first()


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
