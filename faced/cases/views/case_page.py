"""What several audiences' pages of a case share: the session's keys; the
posted actions (one handler each, chosen from a page's table) and those the
survivor and the panel both take; the report, timeline, deadlines, finding
and appeals as each reader may see them; a panel member's seat and
reading; and the proof of one timeline entry."""

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from faced.accounts.session_keys import session_keys
from faced.cases import selectors
from faced.cases.choices import APPEAL_DECISIONS, FINDING_OUTCOMES, OUTCOMES
from faced.cases.errors import CaseError
from faced.cases.forms import ActionForm, GroundsForm, MessageForm
from faced.cases.models import Case, Finding
from faced.cases.selectors import (
    appeal_decision,
    appeal_grounds_open,
    appeal_is_stuck,
    appeal_window_ends,
    appealable_finding,
    case_reference,
    finding_integrity,
    finding_open,
    first_finding,
    messages_open,
    panel_records_open,
    signing_members_of_appeal,
    signing_quorum,
)
from faced.cases.services.appeals import appeal_lodge
from faced.cases.services.conversation import message_send
from faced.cases.services.report import case_report_open, case_resend
from faced.crypto.keys import PersonKeys
from faced.ledger.bundle import BundleInvalid, dumps_bundle
from faced.ledger.models import LedgerEntry
from faced.ledger.selectors import entry_bundle
from faced.vault.fields import RECORD_FIELDS


def keys_or_signin(request: HttpRequest) -> PersonKeys | None:
    """The session's keys; without them, a note asking to sign in again
    (the caller sends the person to the sign-in page)."""
    keys = session_keys(request)
    if keys is None:
        messages.info(request, _("To continue, please sign in again."))
    return keys


# Posted actions ---------------------------------------------------------

# One posted action: it reads its own fields, makes its change through a
# service (a CaseError refuses it, changing nothing) and returns what to
# tell the person, or None when the page itself shows what changed.
Action = Callable[[HttpRequest, Any, PersonKeys], str | None]


def act(
    request: HttpRequest,
    actions: Mapping[str, Action],
    target: Model,
    keys: PersonKeys,
) -> None:
    """Run on TARGET the action of ACTIONS that the page's button posted;
    what it did, or why it was refused, shows on the page the person is
    sent back to."""
    try:
        name = posted(ActionForm, request, actions=actions)["action"]
        done = actions[name](request, target, keys)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        if done:
            messages.success(request, done)


def posted(
    form_class: type[forms.Form], request: HttpRequest, **kwargs: Any
) -> dict[str, Any]:
    """FORM_CLASS's fields as posted; input that does not hold is refused
    with the form's first error, as a service refuses."""
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        raise CaseError(next(iter(form.errors.values()))[0])
    return form.cleaned_data


def send_message(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
    text = posted(MessageForm, request)["text"]
    message_send(case=item, author=request.user, keys=keys, text=text)
    return _("Sent.")


def lodge_appeal(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
    grounds = posted(GroundsForm, request)["grounds"]
    appeal_lodge(case=item, appellant=request.user, keys=keys, grounds=grounds)
    return _(
        "The appeal is lodged. A separate appeals panel, with nobody who "
        "heard the case, will hear it."
    )


def send_again(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
    count = case_resend(case=item, holder=request.user, keys=keys)
    return _("Sent again to %(n)s members who may hear it.") % {"n": count}


# What a page shows ------------------------------------------------------


def report_context(content: dict | None) -> dict[str, Any]:
    """The report as opened (CONTENT, or None when it was not): each
    question beside its answer, and the outcomes asked for."""
    outcomes = dict(OUTCOMES)
    return {
        "content": content,
        "fields": [
            (field.question, content["record"][field.name])
            for field in RECORD_FIELDS
            if content and field.name in content["record"]
        ],
        "outcomes": [
            outcomes[name] for name in (content or {}).get("outcomes", [])
        ],
    }


def timeline_context(item: Case, proof_url_name: str) -> dict[str, Any]:
    timeline = selectors.timeline(
        item, for_panel=proof_url_name != "cases:entry_proof"
    )
    return {
        "timeline": timeline,
        "timeline_integrity": selectors.timeline_integrity(item, timeline),
        "proof_url_name": proof_url_name,
    }


def deadline_context(item: Case) -> dict[str, Any]:
    now = timezone.now()
    running = item.paused_at is None and item.state != "withdrawn"
    return {
        "now": now,
        "acknowledge_overdue": running
        and item.state == "submitted"
        and item.acknowledge_by < now,
        "respond_overdue": running
        and item.responded_at is None
        and item.respond_by < now,
        "overdue_notices": item.measures.filter(
            acknowledged_at=None, acknowledge_by__lt=now
        ).count(),
    }


def signed_context(
    finding: Finding, reader: Any, keys: PersonKeys, prefix: str
) -> dict[str, Any]:
    """A finding or appeal decision as READER may see it: its content,
    who signed, and whether its signatures and ledger entry hold."""
    try:
        body = finding_open(finding=finding, reader=reader, keys=keys)
    except CaseError as error:
        return {prefix: finding, f"{prefix}_problem": str(error)}
    signers = [s.member for s in finding.signatures.select_related("member")]
    needed, size = signing_quorum(finding)
    return {
        prefix: finding,
        f"{prefix}_body": body,
        f"{prefix}_outcome": dict(FINDING_OUTCOMES).get(body.get("outcome")),
        f"{prefix}_signers": signers,
        f"{prefix}_signed_by_me": reader in signers,
        f"{prefix}_quorum": needed,
        f"{prefix}_panel_size": size,
        f"{prefix}_integrity": (
            finding_integrity(finding=finding, body=body)
            if finding.effective_at
            else None
        ),
    }


def finding_context(
    item: Case, reader: Any, keys: PersonKeys, may_open: object, *, side: str
) -> dict[str, Any]:
    """The first panel's finding; for the survivor (SIDE "survivor") only
    once in effect. With the appeal window SIDE may still use."""
    finding = first_finding(item)
    if side == "survivor" and finding is not None:
        finding = (
            item.findings.filter(appeal=None, effective_at__isnull=False)
            .order_by("-effective_at")
            .first()
        )
    if finding is None or not may_open:
        return {"finding": None}
    context = signed_context(finding, reader, keys, "finding")
    appealable = appealable_finding(item, side)
    context["appeal_until"] = (
        appeal_window_ends(appealable) if appealable else None
    )
    return context


def appeals_context(
    item: Case, reader: Any, keys: PersonKeys, *, decided_only: bool = False
) -> dict[str, Any]:
    """Each appeal with its grounds and decision, newest first (with
    DECIDED_ONLY, a decision shows only once in effect)."""
    appeals = []
    decisions = dict(APPEAL_DECISIONS)
    for appeal in item.appeals.all():
        entry = {"appeal": appeal, "stuck": appeal_is_stuck(appeal)}
        try:
            entry["grounds"] = appeal_grounds_open(
                appeal=appeal, reader=reader, keys=keys
            )
        except CaseError as error:
            entry["grounds_problem"] = str(error)
        decision = appeal_decision(appeal)
        if decided_only and decision and decision.effective_at is None:
            decision = None
        entry["hearing"] = bool(signing_members_of_appeal(appeal))
        if decision is not None:
            entry.update(signed_context(decision, reader, keys, "decision"))
            body = entry.get("decision_body") or {}
            entry["decision_words"] = decisions.get(body.get("decision"))
        appeals.append(entry)
    return {"appeals": appeals}


class PanelReading(NamedTuple):
    """A member's view of a case's or an appeal's panel: their own seat
    (or None), every seat, and the report once they have declared no
    conflict (or None)."""

    seat: Any
    panel: list[Any]
    content: dict | None


def panel_reading(
    request: HttpRequest, seats: Any, item: Case, keys: PersonKeys
) -> PanelReading:
    """The signed-in member's reading of ITEM through SEATS, the seats of
    its panel or of its appeal's: the report opens only to a member who
    declared no conflict, and the opening is a ledger entry."""
    seat = seats.filter(member=request.user).first()
    panel = list(seats.select_related("member"))
    content = None
    if seat is not None and seat.has_conflict is False:
        try:
            content = case_report_open(
                case=item, reader=request.user, keys=keys
            )
        except CaseError as error:
            messages.error(request, str(error))
    return PanelReading(seat, panel, content)


def panel_papers(
    item: Case, reader: Any, keys: PersonKeys, on_panel: bool
) -> dict[str, Any]:
    """What a panel member reads beside the report, the conversation and
    the panel's own records: nothing until the report has opened to them
    (ON_PANEL)."""
    if not on_panel:
        return {"conversation": None, "panel_records": None}
    return {
        "conversation": messages_open(case=item, reader=reader, keys=keys),
        "panel_records": panel_records_open(
            case=item, reader=reader, keys=keys
        ),
    }


def entry_proof_response(
    request: HttpRequest, item: Case, sequence: int, back: str
) -> HttpResponse:
    """One timeline entry of ITEM with its inclusion proof, as a file to
    check offline; when the stored tree cannot prove it, back to BACK
    with a message saying so."""
    entry = LedgerEntry.objects.filter(
        sequence=sequence, subject=case_reference(item)
    ).first()
    if entry is None:
        raise Http404
    try:
        bundle = entry_bundle(entry.sequence)
    except (LookupError, BundleInvalid):
        # The stored tree cannot prove the entry: the ledger was damaged.
        messages.error(
            request,
            _(
                "faced cannot make this proof: the ledger's stored hashes "
                "do not hold. The page's integrity line says more; the "
                "people who run this server can run `faced ledger verify`."
            ),
        )
        return redirect(back)
    response = HttpResponse(
        dumps_bundle(bundle), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="faced-{item.reference}-entry-{sequence}.json"'
    )
    return response
