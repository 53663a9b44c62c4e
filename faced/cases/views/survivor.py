"""The survivor's pages (namespace `cases`): reporting a record to a
committee, the page of their case, and the proof of its entries."""

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from faced.cases import selectors
from faced.cases.choices import OUTCOMES
from faced.cases.errors import CaseError
from faced.cases.forms import CommitteeChoiceForm, PathForm, ReportForm
from faced.cases.models import Case, CasePath
from faced.cases.selectors import (
    appeal_is_stuck,
    committee_members,
    messages_open,
    panel_is_stuck,
)
from faced.cases.services.report import (
    case_pause,
    case_report_open,
    case_resume,
    case_submit,
    case_withdraw,
    path_agree,
)
from faced.cases.views.case_page import (
    Action,
    act,
    appeals_context,
    deadline_context,
    entry_proof_response,
    finding_context,
    keys_or_signin,
    lodge_appeal,
    posted,
    report_context,
    send_again,
    send_message,
    timeline_context,
)
from faced.crypto.keys import PersonKeys
from faced.vault.fields import RECORD_FIELDS
from faced.vault.models import VaultRecord
from faced.vault.services import VaultError, version_open


def report(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    """Report a record to an organization's committee."""
    record = get_object_or_404(VaultRecord, pk=record_id, owner=request.user)
    keys = keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    organizations = selectors.organizations_with_committee()
    choice = CommitteeChoiceForm(request.POST, organizations=organizations)
    # A slug the list does not hold asks again; so does no choice at all,
    # unless there is only one committee to choose.
    slug = (
        (choice.cleaned_data["organization"] or request.GET.get("org"))
        if choice.is_valid()
        else ""
    )
    if slug is None and len(organizations) == 1:
        slug = organizations[0].slug
    organization = next((o for o in organizations if o.slug == slug), None)
    if organization is None:
        return render(
            request,
            "cases/survivor/choose_organization.html",
            {"record": record, "organizations": organizations},
        )
    latest = record.versions.order_by("-number").first()
    try:
        fields = version_open(version=latest, reader=request.user, keys=keys)
    except VaultError as error:
        messages.error(request, str(error))
        return redirect("survivor:record", record_id=record.pk)
    field_choices = [
        (field.name, field.question)
        for field in RECORD_FIELDS
        if fields.fields.get(field.name)
    ]
    members = committee_members(organization)
    member_choices = [(str(m.pk), m.username) for m in members]
    form = ReportForm(
        request.POST or None,
        field_choices=field_choices,
        member_choices=member_choices,
        initial={
            "included": [name for name, _label in field_choices],
            # Outcomes chosen earlier (a report held to go together) are
            # offered again; the survivor still reviews and sends.
            "outcomes": [
                name
                for name in request.GET.getlist("outcomes")
                if name in dict(OUTCOMES)
            ],
        },
    )
    if request.method == "POST" and form.is_valid():
        excluded_ids = set(form.cleaned_data["excluded"])
        try:
            case = case_submit(
                survivor=request.user,
                keys=keys,
                record=record,
                organization=organization,
                included_fields=form.cleaned_data["included"],
                outcomes=form.cleaned_data["outcomes"],
                outcome_other=form.cleaned_data["outcome_other"],
                respondent=form.cleaned_data["respondent"],
                excluded=[m for m in members if str(m.pk) in excluded_ids],
            )
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Your report is with the committee. It is due to be "
                    "acknowledged by %(date)s; this page will show "
                    "everything that happens."
                )
                % {"date": formats.date_format(case.acknowledge_by, "j F Y")},
            )
            return redirect("cases:case", case_id=case.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "cases/survivor/report.html",
        {"record": record, "organization": organization, "form": form},
        status=status,
    )


def _survivor_change(change: Callable[..., None], done: Promise) -> Action:
    """An action only the survivor takes, with nothing to fill in."""

    def run(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
        change(case=item, survivor=request.user, keys=keys)
        return str(done)

    return run


def _agree_path(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
    path = posted(PathForm, request)["path"]
    path_agree(case=item, survivor=request.user, keys=keys, path=path)
    return _("Thank you. The panel now takes it forward this way.")


# The survivor's case page, by the `action` each of its buttons posts.
ACTIONS: dict[str, Action] = {
    "withdraw": _survivor_change(
        case_withdraw,
        gettext_lazy(
            "Your report is withdrawn. The panel is told; your record "
            "stays yours."
        ),
    ),
    "pause": _survivor_change(
        case_pause,
        gettext_lazy(
            "Your case is paused. Its deadlines have stopped; resume it "
            "whenever you are ready."
        ),
    ),
    "resume": _survivor_change(
        case_resume,
        gettext_lazy(
            "Your case is resumed. Its deadlines moved on by the pause."
        ),
    ),
    "agree_path": _agree_path,
    "appeal": lodge_appeal,
    "resend": send_again,
    "message": send_message,
}


def case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The survivor's page of their case, its timeline from the ledger."""
    item = get_object_or_404(Case, pk=case_id, survivor=request.user)
    keys = keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    if request.method == "POST":
        act(request, ACTIONS, item, keys)
        return redirect("cases:case", case_id=item.pk)
    try:
        content = case_report_open(case=item, reader=request.user, keys=keys)
    except CaseError as error:
        content = None
        messages.error(request, str(error))
    return render(
        request,
        "cases/survivor/case.html",
        {
            "case": item,
            **report_context(content),
            **timeline_context(item, "cases:entry_proof"),
            **deadline_context(item),
            # The survivor sees what is decided, not the panels' drafts.
            **finding_context(
                item, request.user, keys, content, side="survivor"
            ),
            **appeals_context(item, request.user, keys, decided_only=True),
            "stuck": panel_is_stuck(item)
            or any(appeal_is_stuck(a) for a in item.appeals.all()),
            "conversation": messages_open(
                case=item, reader=request.user, keys=keys
            ),
            "message_hint": _(
                "Only the panel hearing your report can read it."
            ),
            "proposed_path": CasePath(item.proposed_path).label
            if item.proposed_path
            else None,
            "path": CasePath(item.path).label if item.path else None,
        },
    )


def entry_proof(
    request: HttpRequest, case_id: uuid.UUID, sequence: int
) -> HttpResponse:
    """One timeline entry with its inclusion proof, to check offline."""
    item = get_object_or_404(Case, pk=case_id, survivor=request.user)
    return entry_proof_response(
        request, item, sequence, reverse("cases:case", args=[item.pk])
    )
