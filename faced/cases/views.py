"""The survivor's report and case pages, and the committee's inbox."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from faced.accounts.session_keys import session_keys
from faced.cases import selectors
from faced.cases.forms import ReportForm
from faced.cases.models import Case, MeasureNotice
from faced.cases.services import (
    FINDING_OUTCOMES,
    OUTCOMES,
    CaseError,
    case_acknowledge,
    case_report_open,
    case_submit,
    case_withdraw,
    committee_members,
    conflict_declare,
    eligible_for_panel,
    finding_draft,
    finding_integrity,
    finding_open,
    finding_sign,
    measure_acknowledge,
    measure_issue,
    measure_open,
    message_send,
    messages_open,
    panel_assign,
    panel_size,
    quorum,
)
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.vault.fields import RECORD_FIELDS
from faced.vault.models import VaultRecord
from faced.vault.services import VaultError, version_open


def _keys(request):
    keys = session_keys(request)
    if keys is None:
        messages.info(request, _("To continue, please sign in again."))
    return keys


def report(request, record_id):
    """Report a record to an organization's committee."""
    record = get_object_or_404(VaultRecord, pk=record_id, owner=request.user)
    keys = _keys(request)
    if keys is None:
        return redirect("accounts:signin")
    organizations = selectors.organizations_with_committee()
    slug = request.POST.get("organization") or request.GET.get("org")
    if slug is None and len(organizations) == 1:
        slug = organizations[0].slug
    organization = next((o for o in organizations if o.slug == slug), None)
    if organization is None:
        return render(
            request,
            "cases/choose_organization.html",
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
        initial={"included": [name for name, _label in field_choices]},
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
        "cases/report.html",
        {"record": record, "organization": organization, "form": form},
        status=status,
    )


def case(request, case_id):
    """The survivor's page of their case, its timeline from the ledger."""
    item = get_object_or_404(Case, pk=case_id, survivor=request.user)
    keys = _keys(request)
    if keys is None:
        return redirect("accounts:signin")
    if request.method == "POST":
        if request.POST.get("action") == "withdraw":
            try:
                case_withdraw(case=item, survivor=request.user)
            except CaseError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "Your report is withdrawn. The panel is told; your "
                        "record stays yours."
                    ),
                )
        else:
            _send_message(request, item, keys)
        return redirect("cases:case", case_id=item.pk)
    try:
        content = case_report_open(case=item, reader=request.user, keys=keys)
    except CaseError as error:
        content = None
        messages.error(request, str(error))
    outcomes = dict(OUTCOMES)
    return render(
        request,
        "cases/case.html",
        {
            "case": item,
            "content": content,
            "fields": [
                (field.question, content["record"][field.name])
                for field in RECORD_FIELDS
                if content and field.name in content["record"]
            ],
            "outcomes": [
                outcomes[name] for name in (content or {}).get("outcomes", [])
            ],
            "timeline": selectors.timeline(item),
            "conversation": messages_open(
                case=item, reader=request.user, keys=keys
            ),
            "message_hint": _(
                "Only the panel hearing your report can read it."
            ),
            **(
                _finding_context(item, request.user, keys, content)
                if item.findings.filter(effective_at__isnull=False).exists()
                else {"finding": None}
            ),
            "overdue": item.state == "submitted"
            and item.acknowledge_by < timezone.now(),
        },
    )


def committee_home(request, org):
    from faced.orgs.views import ROLE_DUTIES

    organization = get_object_or_404(Organization, slug=org)
    return render(
        request,
        "cases/committee_home.html",
        {
            "organization": organization,
            "role": Role.COMMITTEE,
            "duties": ROLE_DUTIES[Role.COMMITTEE],
            "inbox": selectors.committee_inbox(organization, request.user),
            "now": timezone.now(),
        },
    )


def committee_case(request, org, case_id):
    """A committee member's page of one case: set its panel, declare a
    conflict, read the report once declared, acknowledge it."""
    organization = get_object_or_404(Organization, slug=org)
    item = get_object_or_404(
        Case.objects.exclude(exclusions__member=request.user),
        pk=case_id,
        organization=organization,
    )
    keys = _keys(request)
    if keys is None:
        return redirect("accounts:signin")
    if request.method == "POST":
        _committee_action(request, item, keys)
        return redirect("committee:case", org=org, case_id=item.pk)
    seat = item.panel.filter(member=request.user).first()
    panel = list(item.panel.select_related("member"))
    active = [s for s in panel if s.has_conflict is not True]
    content = None
    if seat is not None and seat.has_conflict is False:
        try:
            content = case_report_open(
                case=item, reader=request.user, keys=keys
            )
        except CaseError as error:
            messages.error(request, str(error))
    outcomes = dict(OUTCOMES)
    finding_context = _finding_context(item, request.user, keys, content)
    return render(
        request,
        "cases/committee_case.html",
        {
            "organization": organization,
            "case": item,
            "seat": seat,
            "panel": panel,
            "needs_panel": len(active) < 2,
            "eligible": eligible_for_panel(item),
            "content": content,
            "fields": [
                (field.question, content["record"][field.name])
                for field in RECORD_FIELDS
                if content and field.name in content["record"]
            ],
            "outcomes": [
                outcomes[name] for name in (content or {}).get("outcomes", [])
            ],
            "now": timezone.now(),
            "finding_outcomes": FINDING_OUTCOMES,
            "conversation": messages_open(
                case=item, reader=request.user, keys=keys
            )
            if content
            else None,
            "message_hint": _(
                "The survivor and the panel read it; nobody else."
            ),
            **finding_context,
        },
    )


def _finding_context(item, reader, keys, may_open) -> dict:
    """The finding as the reader may see it, with who signed and whether
    its signatures and ledger entry hold."""
    finding = item.findings.first()
    if finding is None or not may_open:
        return {"finding": None}
    try:
        body = finding_open(finding=finding, reader=reader, keys=keys)
    except CaseError as error:
        return {"finding": finding, "finding_problem": str(error)}
    signers = [s.member for s in finding.signatures.select_related("member")]
    return {
        "finding": finding,
        "finding_body": body,
        "finding_outcome": dict(FINDING_OUTCOMES)[body["outcome"]],
        "signers": signers,
        "signed_by_me": reader in signers,
        "quorum": quorum(item),
        "panel_size": panel_size(item),
        "integrity": (
            finding_integrity(finding=finding, body=body)
            if finding.effective_at
            else None
        ),
    }


def _send_message(request, item, keys) -> None:
    try:
        message_send(
            case=item,
            author=request.user,
            keys=keys,
            text=request.POST.get("text", ""),
        )
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Sent."))


def _committee_action(request, item, keys) -> None:
    action = request.POST.get("action")
    if action == "message":
        _send_message(request, item, keys)
        return
    try:
        if action == "assign":
            chosen = set(request.POST.getlist("members"))
            members = [
                m for m in eligible_for_panel(item) if str(m.pk) in chosen
            ]
            panel_assign(
                case=item,
                members=members,
                assigned_by=request.user,
                keys=keys,
            )
            messages.success(
                request,
                _(
                    "The panel is set. Each member now declares any "
                    "conflict before the report opens to them."
                ),
            )
        elif action in ("no_conflict", "conflict"):
            conflict_declare(
                case=item,
                member=request.user,
                has_conflict=action == "conflict",
            )
            if action == "conflict":
                messages.success(
                    request,
                    _(
                        "Thank you. You are off this panel and your key to "
                        "it is destroyed."
                    ),
                )
        elif action == "draft_finding":
            finding_draft(
                case=item,
                member=request.user,
                keys=keys,
                outcome=request.POST.get("outcome", ""),
                rationale=request.POST.get("rationale", ""),
                measures=request.POST.get("measures", ""),
            )
            messages.success(
                request,
                _(
                    "The draft is saved. Each panel member now reviews and "
                    "signs it."
                ),
            )
        elif action == "sign_finding":
            finding = item.findings.first()
            if finding is None:
                raise CaseError(_("There is no finding to sign."))
            done = finding_sign(
                finding=finding, member=request.user, keys=keys
            )
            messages.success(
                request,
                _("Signed. The finding is in effect and the survivor sees it.")
                if done
                else _(
                    "Signed. The finding takes effect once a majority has "
                    "signed."
                ),
            )
        elif action == "issue_measure":
            measure_issue(
                case=item,
                member=request.user,
                keys=keys,
                subject=request.POST.get("subject", ""),
                measure=request.POST.get("measure", ""),
                until=request.POST.get("until", ""),
            )
            messages.success(
                request,
                _("The notice is with leadership, without the case."),
            )
        elif action == "acknowledge":
            case_acknowledge(case=item, member=request.user)
            messages.success(
                request,
                _("Acknowledged. The survivor sees it on their page."),
            )
    except CaseError as error:
        messages.error(request, str(error))


def leadership_home(request, org):
    """Leadership sees measure notices to acknowledge, and nothing else of
    any case."""
    from faced.orgs.views import ROLE_DUTIES

    organization = get_object_or_404(Organization, slug=org)
    keys = _keys(request)
    if keys is None:
        return redirect("accounts:signin")
    if request.method == "POST":
        notice = get_object_or_404(
            MeasureNotice,
            pk=request.POST.get("notice"),
            case__organization=organization,
        )
        try:
            measure_acknowledge(notice=notice, leader=request.user)
        except CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Acknowledged. The panel and the survivor see it."),
            )
        return redirect("leadership:home", org=org)
    notices = []
    for notice in MeasureNotice.objects.filter(
        case__organization=organization
    ).order_by("acknowledged_at", "-issued_at"):
        try:
            content = measure_open(
                notice=notice, reader=request.user, keys=keys
            )
        except CaseError:
            continue
        notices.append((notice, content))
    return render(
        request,
        "cases/leadership_home.html",
        {
            "organization": organization,
            "role": Role.LEADERSHIP,
            "duties": ROLE_DUTIES[Role.LEADERSHIP],
            "notices": notices,
            "now": timezone.now(),
        },
    )
