"""The committee's pages (namespace `committee`): the inbox, the page of
one case, where its panel works it, the proof of its entries, and the
committee's deadlines."""

import uuid
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from faced.cases import selectors
from faced.cases.choices import FINDING_OUTCOMES, MEASURE_STAGES
from faced.cases.errors import CaseError
from faced.cases.forms import (
    DeadlinesForm,
    DraftSignForm,
    FindingDraftForm,
    MeasureForm,
    PanelForm,
    PanelRecordForm,
    PathForm,
    ShareRecordsForm,
)
from faced.cases.models import Case, CaseDocument, CasePath
from faced.cases.selectors import (
    appeal_is_stuck,
    effective_finding,
    eligible_for_panel,
    may_read,
)
from faced.cases.services.appeals import panel_file_share
from faced.cases.services.deadlines import DEADLINE_LIMITS, deadlines_set
from faced.cases.services.findings import finding_draft, finding_sign
from faced.cases.services.measures import measure_issue
from faced.cases.services.panel import (
    case_acknowledge,
    conflict_declare,
    panel_assign,
    panel_record_add,
    path_propose,
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
    panel_papers,
    panel_reading,
    posted,
    report_context,
    send_again,
    send_message,
    timeline_context,
)
from faced.crypto.keys import PersonKeys
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.views import role_home


def home(request: HttpRequest, org: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=org)
    page = Paginator(
        selectors.committee_inbox(organization, request.user), 50
    ).get_page(request.GET.get("page"))
    return role_home(
        request,
        "cases/committee/home.html",
        role=Role.COMMITTEE,
        organization=organization,
        inbox=page,
        now=timezone.now(),
    )


def _case_of(
    request: HttpRequest, org: str, case_id: uuid.UUID
) -> tuple[Organization, Case]:
    organization = get_object_or_404(Organization, slug=org)
    item = get_object_or_404(
        Case.objects.exclude(exclusions__member=request.user).select_related(
            "organization"
        ),
        pk=case_id,
        organization=organization,
    )
    return organization, item


def _assign(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
    eligible = eligible_for_panel(item)
    chosen = posted(PanelForm, request, eligible=eligible)["members"]
    panel_assign(
        case=item,
        members=chosen,
        assigned_by=request.user,
        keys=keys,
    )
    return _(
        "The panel is set. Each member now declares any conflict before "
        "the report opens to them."
    )


def _no_conflict(request: HttpRequest, item: Case, keys: PersonKeys) -> None:
    # The report opening on the page says it.
    conflict_declare(
        case=item, member=request.user, keys=keys, has_conflict=False
    )


def _conflict(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
    conflict_declare(
        case=item, member=request.user, keys=keys, has_conflict=True
    )
    return _(
        "Thank you. You are off this panel and your key to it is destroyed."
    )


def _acknowledge(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
    case_acknowledge(case=item, member=request.user, keys=keys)
    return _("Acknowledged. The survivor sees it on their page.")


def _propose_path(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
    path = posted(PathForm, request)["path"]
    path_propose(case=item, member=request.user, path=path)
    return _(
        "Proposed. The survivor is asked to agree, or to talk it over with "
        "you."
    )


def _form_action(
    form_class: type[forms.Form], change: Callable[..., object], done: Promise
) -> Action:
    """An action that passes FORM_CLASS's fields to CHANGE (a service
    taking the case, the member and their keys) and then says DONE."""

    def run(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
        fields = posted(form_class, request)
        change(case=item, member=request.user, keys=keys, **fields)
        return str(done)

    return run


def _sign_finding(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
    finding = posted(
        DraftSignForm,
        request,
        drafts=item.findings.filter(appeal=None, effective_at=None),
    )["finding"]
    if finding_sign(finding=finding, member=request.user, keys=keys):
        return _("Signed. The finding is in effect and the survivor sees it.")
    return _("Signed. The finding takes effect once a majority has signed.")


def _share_records(request: HttpRequest, item: Case, keys: PersonKeys) -> str:
    appeals = item.appeals.all()
    appeal = posted(ShareRecordsForm, request, appeals=appeals)["appeal"]
    panel_file_share(appeal=appeal, member=request.user, keys=keys)
    return _("The appeals panel can now read the panel's records.")


# The committee's case page, by the `action` each of its buttons posts.
ACTIONS: dict[str, Action] = {
    "assign": _assign,
    "no_conflict": _no_conflict,
    "conflict": _conflict,
    "acknowledge": _acknowledge,
    "propose_path": _propose_path,
    "message": send_message,
    "panel_record": _form_action(
        PanelRecordForm,
        panel_record_add,
        gettext_lazy(
            "Added to the panel's records. The survivor does not see it."
        ),
    ),
    "draft_finding": _form_action(
        FindingDraftForm,
        finding_draft,
        gettext_lazy(
            "The draft is saved. Each panel member now reviews and signs it."
        ),
    ),
    "sign_finding": _sign_finding,
    "issue_measure": _form_action(
        MeasureForm,
        measure_issue,
        gettext_lazy("The notice is with leadership, without the case."),
    ),
    "appeal": lodge_appeal,
    "resend": send_again,
    "share_records": _share_records,
}


def case(request: HttpRequest, org: str, case_id: uuid.UUID) -> HttpResponse:
    """A committee member's page of one case: set its panel, declare a
    conflict, read the report once declared, and work the case."""
    organization, item = _case_of(request, org, case_id)
    keys = keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    if request.method == "POST":
        act(request, ACTIONS, item, keys)
        return redirect("committee:case", org=org, case_id=item.pk)
    reading = panel_reading(request, item.panel, item, keys)
    on_panel = reading.content is not None
    sitting = [s for s in reading.panel if s.has_conflict is not True]
    return render(
        request,
        "cases/committee/case.html",
        {
            "organization": organization,
            "case": item,
            "seat": reading.seat,
            "panel": reading.panel,
            "needs_panel": len(sitting) < 2,
            "eligible": eligible_for_panel(item),
            **report_context(reading.content),
            **deadline_context(item),
            **(
                timeline_context(item, "committee:entry_proof")
                if on_panel
                else {}
            ),
            "finding_outcomes": FINDING_OUTCOMES,
            "measure_stages": MEASURE_STAGES,
            "may_draft_finding": item.state != "withdrawn"
            and effective_finding(item) is None,
            "paths": CasePath.choices,
            "record_kinds": [
                (kind.value, kind.label) for kind in CaseDocument.PANEL_ONLY
            ],
            **panel_papers(item, request.user, keys, on_panel),
            "message_hint": _(
                "The survivor and the panel read it; nobody else."
            ),
            **finding_context(
                item, request.user, keys, reading.content, side="respondent"
            ),
            "stuck": on_panel
            and any(appeal_is_stuck(a) for a in item.appeals.all()),
            **(
                appeals_context(item, request.user, keys)
                if on_panel
                else {"appeals": []}
            ),
        },
    )


def entry_proof(
    request: HttpRequest, org: str, case_id: uuid.UUID, sequence: int
) -> HttpResponse:
    _organization, item = _case_of(request, org, case_id)
    if not may_read(item, request.user):
        raise Http404
    return entry_proof_response(
        request,
        item,
        sequence,
        reverse("committee:case", args=[org, item.pk]),
    )


def deadlines(request: HttpRequest, org: str) -> HttpResponse:
    """The committee sets its organization's deadlines."""
    organization = get_object_or_404(Organization, slug=org)
    form = DeadlinesForm(
        request.POST if request.method == "POST" else None,
        initial={
            name: getattr(organization, name) for name in DEADLINE_LIMITS
        },
    )
    errors: list[str] = []
    if form.is_bound:
        if not form.is_valid():
            # One line for each different problem, not one for each field.
            errors = list(
                dict.fromkeys(
                    error
                    for field_errors in form.errors.values()
                    for error in field_errors
                )
            )
        elif (keys := keys_or_signin(request)) is None:
            return redirect("accounts:signin")
        else:
            try:
                deadlines_set(
                    organization=organization,
                    member=request.user,
                    keys=keys,
                    **form.cleaned_data,
                )
            except CaseError as error:
                errors.append(str(error))
            else:
                messages.success(
                    request,
                    _(
                        "Saved. The new deadlines apply to reports made from "
                        "now on, and the change is in the public ledger."
                    ),
                )
                return redirect("committee:deadlines", org=org)
    fields = [
        (field.name, field.label, field.value(), *DEADLINE_LIMITS[field.name])
        for field in form
    ]
    return render(
        request,
        "cases/committee/deadlines.html",
        {"organization": organization, "fields": fields, "errors": errors},
        status=400 if errors else 200,
    )
