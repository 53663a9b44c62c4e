"""The survivor's escrow pages and the counselor's."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from faced.accounts.session_keys import session_keys
from faced.cases.choices import OUTCOMES
from faced.cases.selectors import organizations_with_committee
from faced.matching.errors import MatchingError
from faced.matching.models import Entry, HeldReport, Match
from faced.matching.selectors import held_report_choices, threshold
from faced.matching.services import (
    entry_add,
    entry_mark_contacted,
    entry_withdraw,
    match_open,
    report_hold,
)
from faced.orgs.roles import Role
from faced.orgs.views import role_home
from faced.vault.fields import RECORD_FIELDS
from faced.vault.models import VaultRecord


def _keys(request):
    keys = session_keys(request)
    if keys is None:
        messages.info(request, _("To continue, please sign in again."))
    return keys


def escrow(request):
    """The survivor's entries, their states, and a form to add one."""
    keys = _keys(request)
    if keys is None:
        return redirect("accounts:signin")
    return _escrow_page(request, {}, 200)


def _escrow_page(request, form, status):
    return render(
        request,
        "matching/escrow.html",
        {
            "entries": Entry.objects.filter(owner=request.user).select_related(
                "held_report__organization", "match"
            ),
            "kinds": Entry.Kind.choices,
            "threshold": threshold(),
            "records": VaultRecord.objects.filter(owner=request.user),
            "organizations": organizations_with_committee(),
            "outcomes": OUTCOMES,
            "form": form,
        },
        status=status,
    )


def escrow_add(request):
    keys = _keys(request)
    if keys is None:
        return redirect("accounts:signin")
    if request.method != "POST":
        return redirect("matching:escrow")
    post = request.POST
    try:
        hold = _held_choice(request) if post.get("go_together") else None
        # One transaction: the entry and its held report, or neither.
        with transaction.atomic():
            entry = entry_add(
                owner=request.user,
                keys=keys,
                kind=post.get("kind", ""),
                value=post.get("value", ""),
                region=(post.get("region") or "GB").upper()[:2],
                organization=post.get("organization_name", ""),
                contact=post.get("contact", ""),
                message=post.get("message", ""),
            )
            if hold is not None:
                record, organization = hold
                report_hold(
                    entry=entry,
                    owner=request.user,
                    keys=keys,
                    record=record,
                    organization=organization,
                    # Everything the record holds; the survivor reviews
                    # what is sent on the report page, and sends it.
                    included_fields=[field.name for field in RECORD_FIELDS],
                    outcomes=[
                        o
                        for o in post.getlist("hold_outcomes")
                        if o in dict(OUTCOMES)
                    ],
                )
    except MatchingError as error:
        messages.error(request, str(error))
        return _escrow_page(request, post, 400)
    # The same words whether or not the entry completed a match: the page
    # must not answer "has anyone named this person?".
    messages.success(
        request,
        _(
            "Stored, locked. If someone else names the same person, a "
            "counselor will get in touch with you."
        ),
    )
    return redirect("matching:escrow")


def _held_choice(request):
    """The record and committee a report to go together is for, or a
    MatchingError saying what is missing."""
    record_id = request.POST.get("hold_record")
    record = (
        VaultRecord.objects.filter(owner=request.user, pk=record_id).first()
        if _is_uuid(record_id)
        else None
    )
    organization = next(
        (
            o
            for o in organizations_with_committee()
            if o.slug == request.POST.get("hold_organization")
        ),
        None,
    )
    if record is None or organization is None:
        raise MatchingError(
            _(
                "To hold a report, choose one of your records and a "
                "committee. Nothing was stored."
            )
        )
    return record, organization


def escrow_entry(request, entry_id):
    """Withdraw an entry, or send a held report after a match."""
    entry = get_object_or_404(Entry, pk=entry_id, owner=request.user)
    keys = _keys(request)
    if keys is None:
        return redirect("accounts:signin")
    if request.method != "POST":
        return redirect("matching:escrow")
    try:
        if request.POST.get("action") == "withdraw":
            entry_withdraw(entry=entry, owner=request.user)
            messages.success(
                request, _("Withdrawn. The entry is deleted for good.")
            )
        elif request.POST.get("action") == "send_report":
            # The usual report page: the survivor sees exactly what would
            # be sent, may keep members off, and sends it only by ticking
            # "I want to send this report" there — or not at all.
            held = get_object_or_404(HeldReport, entry=entry)
            choices = held_report_choices(
                held=held, owner=request.user, keys=keys
            )
            query = urlencode(
                {
                    "org": held.organization.slug,
                    "outcomes": choices.get("outcomes", []),
                },
                doseq=True,
            )
            return redirect(
                f"{reverse('cases:report', args=[held.record_id])}?{query}"
            )
    except MatchingError as error:
        messages.error(request, str(error))
    return redirect("matching:escrow")


def counselor_home(request):
    return role_home(
        request,
        "matching/counselor_home.html",
        role=Role.COUNSELOR,
        matches=Match.objects.filter(
            published_at__isnull=False
        ).prefetch_related("entries"),
    )


def counselor_match(request, match_id):
    """A match's entries: opened on the counselor's request (each opening
    is a ledger entry), and each survivor marked once contacted."""
    match = get_object_or_404(Match, pk=match_id, published_at__isnull=False)
    keys = _keys(request)
    if keys is None:
        return redirect("accounts:signin")
    opened = None
    if request.method == "POST" and request.POST.get("action") == "open":
        try:
            opened = match_open(match=match, counselor=request.user, keys=keys)
        except MatchingError as error:
            messages.error(request, str(error))
    elif request.method == "POST":
        entry = (
            match.entries.filter(pk=request.POST["entry"]).first()
            if _is_uuid(request.POST.get("entry"))
            else None
        )
        if entry is None:
            raise Http404
        try:
            entry_mark_contacted(entry=entry, counselor=request.user)
        except MatchingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Marked as contacted."))
        return redirect("counselor:match", match_id=match.pk)
    return render(
        request,
        "matching/counselor_match.html",
        {
            "match": match,
            "entries": match.entries.all(),
            "opened": opened,
            "role": Role.COUNSELOR,
        },
    )


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
