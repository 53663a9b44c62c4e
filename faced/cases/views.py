"""The survivor's report and case pages, and the committee's inbox."""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from faced.accounts.session_keys import session_keys
from faced.cases import selectors
from faced.cases.choices import (
    APPEAL_DECISIONS,
    FINDING_OUTCOMES,
    MEASURE_STAGES,
    OUTCOMES,
)
from faced.cases.errors import CaseError
from faced.cases.forms import ReportForm
from faced.cases.models import (
    Appeal,
    Case,
    CaseDocument,
    CaseKey,
    CasePath,
    MeasureNotice,
)
from faced.cases.selectors import (
    appeal_decision,
    appeal_grounds_open,
    appeal_is_stuck,
    appeal_window_ends,
    appealable_finding,
    case_reference,
    committee_members,
    effective_finding,
    eligible_for_appeal,
    eligible_for_panel,
    finding_integrity,
    finding_open,
    first_finding,
    may_read,
    measure_open,
    messages_open,
    panel_is_stuck,
    panel_records_open,
    signing_members_of_appeal,
    signing_quorum,
)
from faced.cases.services.appeals import (
    appeal_conflict_declare,
    appeal_lodge,
    appeal_panel_assign,
    decision_draft,
    decision_sign,
    panel_file_share,
)
from faced.cases.services.conversation import message_send
from faced.cases.services.deadlines import DEADLINE_LIMITS, deadlines_set
from faced.cases.services.findings import finding_draft, finding_sign
from faced.cases.services.measures import measure_acknowledge, measure_issue
from faced.cases.services.panel import (
    case_acknowledge,
    conflict_declare,
    panel_assign,
    panel_record_add,
    path_propose,
)
from faced.cases.services.report import (
    case_pause,
    case_report_open,
    case_resend,
    case_resume,
    case_submit,
    case_withdraw,
    path_agree,
)
from faced.ledger.bundle import BundleInvalid, dumps_bundle
from faced.ledger.models import LedgerEntry
from faced.ledger.selectors import entry_bundle
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
        "cases/report.html",
        {"record": record, "organization": organization, "form": form},
        status=status,
    )


SURVIVOR_ACTIONS = {
    "withdraw": (
        case_withdraw,
        gettext_lazy(
            "Your report is withdrawn. The panel is told; your record "
            "stays yours."
        ),
    ),
    "pause": (
        case_pause,
        gettext_lazy(
            "Your case is paused. Its deadlines have stopped; resume it "
            "whenever you are ready."
        ),
    ),
    "resume": (
        case_resume,
        gettext_lazy(
            "Your case is resumed. Its deadlines moved on by the pause."
        ),
    ),
}


def case(request, case_id):
    """The survivor's page of their case, its timeline from the ledger."""
    item = get_object_or_404(Case, pk=case_id, survivor=request.user)
    keys = _keys(request)
    if keys is None:
        return redirect("accounts:signin")
    if request.method == "POST":
        action = request.POST.get("action")
        if action in SURVIVOR_ACTIONS:
            change, done = SURVIVOR_ACTIONS[action]
            try:
                change(case=item, survivor=request.user)
            except CaseError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, done)
        elif action == "appeal":
            _lodge_appeal(request, item, keys)
        elif action == "agree_path":
            try:
                path_agree(
                    case=item,
                    survivor=request.user,
                    path=request.POST.get("path", ""),
                )
            except CaseError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("Thank you. The panel now takes it forward this way."),
                )
        elif action == "resend":
            _resend(request, item, keys)
        else:
            _send_message(request, item, keys)
        return redirect("cases:case", case_id=item.pk)
    try:
        content = case_report_open(case=item, reader=request.user, keys=keys)
    except CaseError as error:
        content = None
        messages.error(request, str(error))
    return render(
        request,
        "cases/case.html",
        {
            "case": item,
            **_report_context(content),
            **_timeline_context(item, "cases:entry_proof"),
            **_deadline_context(item),
            # The survivor sees what is decided, not the panels' drafts.
            **_finding_context(
                item, request.user, keys, content, side="survivor"
            ),
            **_appeals_context(item, request.user, keys, decided_only=True),
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


def _report_context(content) -> dict:
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


def _timeline_context(item, proof_url_name) -> dict:
    timeline = selectors.timeline(
        item, for_panel=proof_url_name != "cases:entry_proof"
    )
    return {
        "timeline": timeline,
        "timeline_integrity": selectors.timeline_integrity(item, timeline),
        "proof_url_name": proof_url_name,
    }


def _deadline_context(item) -> dict:
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


def _entry_proof(request, item, sequence, back) -> HttpResponse:
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


def entry_proof(request, case_id, sequence):
    """One timeline entry with its inclusion proof, to check offline."""
    item = get_object_or_404(Case, pk=case_id, survivor=request.user)
    return _entry_proof(
        request, item, sequence, reverse("cases:case", args=[item.pk])
    )


def _lodge_appeal(request, item, keys) -> None:
    try:
        appeal_lodge(
            case=item,
            appellant=request.user,
            keys=keys,
            grounds=request.POST.get("grounds", ""),
        )
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "The appeal is lodged. A separate appeals panel, with nobody "
                "who heard the case, will hear it."
            ),
        )


def committee_home(request, org):
    from faced.orgs.views import ROLE_DUTIES

    organization = get_object_or_404(Organization, slug=org)
    page = Paginator(
        selectors.committee_inbox(organization, request.user), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/committee_home.html",
        {
            "organization": organization,
            "role": Role.COMMITTEE,
            "duties": ROLE_DUTIES[Role.COMMITTEE],
            "inbox": page,
            "now": timezone.now(),
        },
    )


def _committee_case_of(request, org, case_id):
    organization = get_object_or_404(Organization, slug=org)
    item = get_object_or_404(
        Case.objects.exclude(exclusions__member=request.user).select_related(
            "organization"
        ),
        pk=case_id,
        organization=organization,
    )
    return organization, item


def committee_case(request, org, case_id):
    """A committee member's page of one case: set its panel, declare a
    conflict, read the report once declared, and work the case."""
    organization, item = _committee_case_of(request, org, case_id)
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
    on_panel = content is not None
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
            **_report_context(content),
            **_deadline_context(item),
            **(
                _timeline_context(item, "committee:entry_proof")
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
            "conversation": messages_open(
                case=item, reader=request.user, keys=keys
            )
            if on_panel
            else None,
            "panel_records": panel_records_open(
                case=item, reader=request.user, keys=keys
            )
            if on_panel
            else None,
            "message_hint": _(
                "The survivor and the panel read it; nobody else."
            ),
            **_finding_context(
                item, request.user, keys, content, side="respondent"
            ),
            "stuck": on_panel
            and any(appeal_is_stuck(a) for a in item.appeals.all()),
            **(
                _appeals_context(item, request.user, keys)
                if on_panel
                else {"appeals": []}
            ),
        },
    )


def committee_entry_proof(request, org, case_id, sequence):
    _organization, item = _committee_case_of(request, org, case_id)
    if not may_read(item, request.user):
        raise Http404
    return _entry_proof(
        request,
        item,
        sequence,
        reverse("committee:case", args=[org, item.pk]),
    )


def committee_deadlines(request, org):
    """The committee sets its organization's deadlines."""
    organization = get_object_or_404(Organization, slug=org)
    errors = []
    if request.method == "POST":
        values = {}
        for name in DEADLINE_LIMITS:
            raw = request.POST.get(name, "").strip()
            if not raw.isdigit():
                errors.append(_("Each deadline is a whole number of days."))
                break
            values[name] = int(raw)
        if not errors:
            try:
                deadlines_set(
                    organization=organization, member=request.user, **values
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
        (
            name,
            label,
            request.POST.get(name) if errors else getattr(organization, name),
            *DEADLINE_LIMITS[name],
        )
        for name, label in DEADLINE_LABELS.items()
    ]
    return render(
        request,
        "cases/committee_deadlines.html",
        {"organization": organization, "fields": fields, "errors": errors},
        status=400 if errors else 200,
    )


DEADLINE_LABELS = {
    "acknowledge_days": gettext_lazy("Days to acknowledge a report"),
    "respond_days": gettext_lazy("Days to a first substantive response"),
    "appeal_days": gettext_lazy("Days to appeal a finding"),
    "measure_acknowledge_days": gettext_lazy(
        "Days for leadership to acknowledge a measure notice"
    ),
}


def _signed_context(finding, reader, keys, prefix) -> dict:
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


def _finding_context(item, reader, keys, may_open, *, side) -> dict:
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
    context = _signed_context(finding, reader, keys, "finding")
    appealable = appealable_finding(item, side)
    context["appeal_until"] = (
        appeal_window_ends(appealable) if appealable else None
    )
    return context


def _appeals_context(item, reader, keys, *, decided_only=False) -> dict:
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
            entry.update(_signed_context(decision, reader, keys, "decision"))
            body = entry.get("decision_body") or {}
            entry["decision_words"] = decisions.get(body.get("decision"))
        appeals.append(entry)
    return {"appeals": appeals}


def _resend(request, item, keys) -> None:
    try:
        count = case_resend(case=item, holder=request.user, keys=keys)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Sent again to %(n)s members who may hear it.") % {"n": count},
        )


def _draft_posted(request, drafts):
    """The draft the person read and now signs, by the id the page gave:
    a draft replaced since is not found, and the service says so."""
    try:
        pk = int(request.POST.get("finding", ""))
    except ValueError:
        raise CaseError(_("There is no draft to sign.")) from None
    draft = drafts.filter(pk=pk).first()
    if draft is None:
        raise CaseError(
            _(
                "This draft was replaced by a newer one. Read the new draft "
                "before you sign."
            )
        )
    return draft


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
    if action == "appeal":
        _lodge_appeal(request, item, keys)
        return
    if action == "resend":
        _resend(request, item, keys)
        return
    post = request.POST
    user = request.user
    try:
        if action == "assign":
            chosen = set(post.getlist("members"))
            panel_assign(
                case=item,
                members=[
                    m for m in eligible_for_panel(item) if str(m.pk) in chosen
                ],
                assigned_by=user,
                keys=keys,
            )
            done = _(
                "The panel is set. Each member now declares any conflict "
                "before the report opens to them."
            )
        elif action in ("no_conflict", "conflict"):
            conflict_declare(
                case=item, member=user, has_conflict=action == "conflict"
            )
            done = (
                _(
                    "Thank you. You are off this panel and your key to it is "
                    "destroyed."
                )
                if action == "conflict"
                else None
            )
        elif action == "draft_finding":
            finding_draft(
                case=item,
                member=user,
                keys=keys,
                outcome=post.get("outcome", ""),
                rationale=post.get("rationale", ""),
                measures=post.get("measures", ""),
            )
            done = _(
                "The draft is saved. Each panel member now reviews and signs "
                "it."
            )
        elif action == "sign_finding":
            finding = _draft_posted(
                request, item.findings.filter(appeal=None, effective_at=None)
            )
            done = (
                _("Signed. The finding is in effect and the survivor sees it.")
                if finding_sign(finding=finding, member=user, keys=keys)
                else _(
                    "Signed. The finding takes effect once a majority has "
                    "signed."
                )
            )
        elif action == "issue_measure":
            measure_issue(
                case=item,
                member=user,
                keys=keys,
                subject=post.get("subject", ""),
                measure=post.get("measure", ""),
                until=post.get("until", ""),
                stage=post.get("stage", ""),
            )
            done = _("The notice is with leadership, without the case.")
        elif action == "acknowledge":
            case_acknowledge(case=item, member=user)
            done = _("Acknowledged. The survivor sees it on their page.")
        elif action == "propose_path":
            path_propose(case=item, member=user, path=post.get("path", ""))
            done = _(
                "Proposed. The survivor is asked to agree, or to talk it "
                "over with you."
            )
        elif action == "panel_record":
            panel_record_add(
                case=item,
                member=user,
                keys=keys,
                kind=post.get("kind", ""),
                text=post.get("text", ""),
            )
            done = _(
                "Added to the panel's records. The survivor does not see it."
            )
        elif action == "share_records":
            appeal = _uuid_or_none(post.get("appeal")) and (
                item.appeals.filter(pk=post.get("appeal")).first()
            )
            if appeal is None:
                raise CaseError(_("There is no such appeal."))
            panel_file_share(appeal=appeal, member=user, keys=keys)
            done = _("The appeals panel can now read the panel's records.")
        else:
            raise CaseError(_("Choose what to do from the page."))
    except CaseError as error:
        messages.error(request, str(error))
    else:
        if done:
            messages.success(request, done)


def leadership_home(request, org):
    """Leadership sees measure notices to acknowledge, and nothing else of
    any case."""
    from faced.orgs.views import ROLE_DUTIES

    organization = get_object_or_404(Organization, slug=org)
    keys = _keys(request)
    if keys is None:
        return redirect("accounts:signin")
    if request.method == "POST":
        if _uuid_or_none(request.POST.get("notice")) is None:
            raise Http404
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
        content["stage_label"] = dict(MEASURE_STAGES).get(
            content.get("stage"), ""
        )
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


def appeals_home(request, org):
    """Appeals waiting to be heard, by reference and date only; none the
    member may not hear."""
    from faced.orgs.views import ROLE_DUTIES

    organization = get_object_or_404(Organization, slug=org)
    return render(
        request,
        "cases/appeals_home.html",
        {
            "organization": organization,
            "role": Role.APPEALS,
            "duties": ROLE_DUTIES[Role.APPEALS],
            "appeals": selectors.appeals_inbox(organization, request.user),
        },
    )


def appeal_case(request, org, appeal_id):
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
    keys = _keys(request)
    if keys is None:
        return redirect("accounts:signin")
    if request.method == "POST":
        _appeal_action(request, appeal, keys)
        return redirect("appeals:appeal", org=org, appeal_id=appeal.pk)
    seat = appeal.panel.filter(member=request.user).first()
    panel = list(appeal.panel.select_related("member"))
    content = None
    if seat is not None and seat.has_conflict is False:
        try:
            content = case_report_open(
                case=item, reader=request.user, keys=keys
            )
        except CaseError as error:
            messages.error(request, str(error))
    on_panel = content is not None
    appeal_entry = next(
        (
            entry
            for entry in _appeals_context(item, request.user, keys)["appeals"]
            if entry["appeal"].pk == appeal.pk
        ),
        {},
    )
    return render(
        request,
        "cases/appeal_case.html",
        {
            "organization": organization,
            "case": item,
            "appeal": appeal,
            "seat": seat,
            "panel": panel,
            "needs_panel": not [
                s for s in panel if s.has_conflict is not True
            ],
            "eligible": eligible_for_appeal(item),
            "may_assign": CaseKey.objects.filter(
                case=item, reader=request.user
            ).exists(),
            **_report_context(content),
            **(
                _signed_context(appeal.finding, request.user, keys, "finding")
                if on_panel
                else {"finding": None}
            ),
            **(appeal_entry if on_panel else {}),
            "panel_records": panel_records_open(
                case=item, reader=request.user, keys=keys
            )
            if on_panel
            else None,
            "conversation": messages_open(
                case=item, reader=request.user, keys=keys
            )
            if on_panel
            else None,
            "decisions": APPEAL_DECISIONS,
            "finding_outcomes": FINDING_OUTCOMES,
        },
    )


def _appeal_action(request, appeal, keys) -> None:
    action = request.POST.get("action")
    post = request.POST
    user = request.user
    try:
        if action == "assign":
            chosen = set(post.getlist("members"))
            appeal_panel_assign(
                appeal=appeal,
                members=[
                    m
                    for m in eligible_for_appeal(appeal.case)
                    if str(m.pk) in chosen
                ],
                assigned_by=user,
                keys=keys,
            )
            done = _(
                "The appeals panel is set. Each member now declares any "
                "conflict before the case opens to them."
            )
        elif action in ("no_conflict", "conflict"):
            appeal_conflict_declare(
                appeal=appeal, member=user, has_conflict=action == "conflict"
            )
            done = (
                _(
                    "Thank you. You are off this appeal and your key is "
                    "destroyed."
                )
                if action == "conflict"
                else None
            )
        elif action == "draft_decision":
            decision_draft(
                appeal=appeal,
                member=user,
                keys=keys,
                decision=post.get("decision", ""),
                outcome=post.get("outcome", ""),
                rationale=post.get("rationale", ""),
            )
            done = _(
                "The draft is saved. Each member of the appeals panel now "
                "reviews and signs it."
            )
        elif action == "sign_decision":
            decision = _draft_posted(
                request, appeal.decisions.filter(effective_at=None)
            )
            done = (
                _(
                    "Signed. The decision is in effect; the survivor and the "
                    "panel see it."
                )
                if decision_sign(decision=decision, member=user, keys=keys)
                else _(
                    "Signed. The decision takes effect once a majority has "
                    "signed."
                )
            )
        else:
            raise CaseError(_("Choose what to do from the page."))
    except CaseError as error:
        messages.error(request, str(error))
    else:
        if done:
            messages.success(request, done)


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
