"""The appeals role's pages (namespace `appeals`): appeals waiting to be
heard, and the page of one appeal, where its panel hears it."""

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from faced.cases import selectors
from faced.cases.choices import APPEAL_DECISIONS, FINDING_OUTCOMES
from faced.cases.forms import DecisionDraftForm, DraftSignForm, PanelForm
from faced.cases.models import Appeal, CaseKey
from faced.cases.selectors import eligible_for_appeal
from faced.cases.services.appeals import (
    appeal_conflict_declare,
    appeal_panel_assign,
    decision_draft,
    decision_sign,
)
from faced.cases.views.case_page import (
    Action,
    act,
    appeals_context,
    keys_or_signin,
    panel_papers,
    panel_reading,
    posted,
    report_context,
    signed_context,
)
from faced.crypto.keys import PersonKeys
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.views import role_home


def home(request: HttpRequest, org: str) -> HttpResponse:
    """Appeals waiting to be heard, by reference and date only; none the
    member may not hear."""
    organization = get_object_or_404(Organization, slug=org)
    return role_home(
        request,
        "cases/appeals/home.html",
        role=Role.APPEALS,
        organization=organization,
        appeals=selectors.appeals_inbox(organization, request.user),
    )


def _assign(request: HttpRequest, appeal: Appeal, keys: PersonKeys) -> str:
    eligible = eligible_for_appeal(appeal.case)
    chosen = posted(PanelForm, request, eligible=eligible)["members"]
    appeal_panel_assign(
        appeal=appeal,
        members=chosen,
        assigned_by=request.user,
        keys=keys,
    )
    return _(
        "The appeals panel is set. Each member now declares any conflict "
        "before the case opens to them."
    )


def _no_conflict(
    request: HttpRequest, appeal: Appeal, keys: PersonKeys
) -> None:
    # The case opening on the page says it.
    appeal_conflict_declare(
        appeal=appeal, member=request.user, keys=keys, has_conflict=False
    )


def _conflict(request: HttpRequest, appeal: Appeal, keys: PersonKeys) -> str:
    appeal_conflict_declare(
        appeal=appeal, member=request.user, keys=keys, has_conflict=True
    )
    return _("Thank you. You are off this appeal and your key is destroyed.")


def _draft_decision(
    request: HttpRequest, appeal: Appeal, keys: PersonKeys
) -> str:
    draft = posted(DecisionDraftForm, request)
    decision_draft(appeal=appeal, member=request.user, keys=keys, **draft)
    return _(
        "The draft is saved. Each member of the appeals panel now reviews "
        "and signs it."
    )


def _sign_decision(
    request: HttpRequest, appeal: Appeal, keys: PersonKeys
) -> str:
    drafts = appeal.decisions.filter(effective_at=None)
    decision = posted(DraftSignForm, request, drafts=drafts)["finding"]
    if decision_sign(decision=decision, member=request.user, keys=keys):
        return _(
            "Signed. The decision is in effect; the survivor and the panel "
            "see it."
        )
    return _("Signed. The decision takes effect once a majority has signed.")


# An appeal's page, by the `action` each of its buttons posts.
ACTIONS: dict[str, Action] = {
    "assign": _assign,
    "no_conflict": _no_conflict,
    "conflict": _conflict,
    "draft_decision": _draft_decision,
    "sign_decision": _sign_decision,
}


def appeal_case(
    request: HttpRequest, org: str, appeal_id: uuid.UUID
) -> HttpResponse:
    """An appeals member's page of one appeal: set its panel, declare a
    conflict, read the case once declared, draft and sign the decision."""
    organization = get_object_or_404(Organization, slug=org)
    appeal = get_object_or_404(
        Appeal.objects.select_related("case", "case__organization"),
        pk=appeal_id,
        case__organization=organization,
    )
    item = appeal.case
    if request.user not in eligible_for_appeal(item):
        raise Http404
    keys = keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    if request.method == "POST":
        act(request, ACTIONS, appeal, keys)
        return redirect("appeals:appeal", org=org, appeal_id=appeal.pk)
    reading = panel_reading(request, appeal.panel, item, keys)
    on_panel = reading.content is not None
    appeal_entry = next(
        (
            entry
            for entry in appeals_context(item, request.user, keys)["appeals"]
            if entry["appeal"].pk == appeal.pk
        ),
        {},
    )
    return render(
        request,
        "cases/appeals/appeal.html",
        {
            "organization": organization,
            "case": item,
            "appeal": appeal,
            "seat": reading.seat,
            "panel": reading.panel,
            "needs_panel": not [
                s for s in reading.panel if s.has_conflict is not True
            ],
            "eligible": eligible_for_appeal(item),
            "may_assign": CaseKey.objects.filter(
                case=item, reader=request.user
            ).exists(),
            **report_context(reading.content),
            **(
                signed_context(appeal.finding, request.user, keys, "finding")
                if on_panel
                else {"finding": None}
            ),
            **(appeal_entry if on_panel else {}),
            **panel_papers(item, request.user, keys, on_panel),
            "decisions": APPEAL_DECISIONS,
            "finding_outcomes": FINDING_OUTCOMES,
        },
    )
