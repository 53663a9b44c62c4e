"""The survivor's pages: ways in, the guided form, records, versions,
proof of date, attachments, sharing with an advocate, and deletion."""

import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from faced.accounts.contact import contact_address_set
from faced.accounts.custody import (
    CustodyError,
    keys_unlock,
    receipt_create,
    receipt_open,
)
from faced.accounts.models import User
from faced.accounts.services import new_identity_allowed, user_create
from faced.accounts.session_keys import session_keys_store
from faced.crypto.keys import PersonKeys
from faced.ledger.bundle import dumps_bundle
from faced.orgs.models import Organization
from faced.shortcuts import render_form
from faced.vault import selectors
from faced.vault.fields import RECORD_FIELDS
from faced.vault.forms import (
    AttachmentForm,
    ConsentForm,
    DeleteForm,
    ReceiptForm,
    RevokeForm,
    ShareForm,
    SignupForm,
    StepForm,
)
from faced.vault.models import Attachment, RecordVersion, VaultRecord
from faced.vault.services import (
    VaultError,
    attachment_open,
    attachment_purpose,
    attachment_store,
    attachments_folder,
    draft_save,
    record_delete,
    record_save,
    share_revoke,
    share_with,
    too_large_message,
)
from faced.vault.uploads import EncryptingUploadHandler
from faced.vault.views.reading import (
    answers,
    damaged_page,
    keys_or_signin,
    version_page,
    written_on,
)

BACKEND = "django.contrib.auth.backends.ModelBackend"
BUSY = _lazy(
    "Many people are starting at the same moment, so faced is pausing new "
    "sign-ups for a minute. Nothing was kept; please try again shortly."
)
REVIEW_STEP = len(RECORD_FIELDS)


def _sign_in(request: HttpRequest, user: User, keys: PersonKeys) -> None:
    auth_login(request, user, backend=BACKEND)
    session_keys_store(request, keys, user.pk)


def _own_record(request: HttpRequest, record_id: uuid.UUID) -> VaultRecord:
    # Anyone else's record is "not found", never "forbidden".
    return get_object_or_404(VaultRecord, pk=record_id, owner=request.user)


# A page of one of the survivor's records that opens it.
RecordPage = Callable[..., HttpResponse]


def _own_record_with_keys(view: RecordPage) -> RecordPage:
    """For a page that opens one of the survivor's own records: the view
    is called with the record and the session's keys in place of the
    record's id. Without keys, the survivor is sent to sign in again."""

    @functools.wraps(view)
    def page(
        request: HttpRequest, record_id: uuid.UUID, **kwargs: Any
    ) -> HttpResponse:
        item = _own_record(request, record_id)
        keys = keys_or_signin(request)
        if keys is None:
            return redirect("accounts:signin")
        return view(request, item, keys, **kwargs)

    return page


# Ways in ----------------------------------------------------------------


def start(request: HttpRequest) -> HttpResponse:
    """What is kept and who can read it, then the two ways in."""
    if request.user.is_authenticated:
        return redirect("survivor:write", step=0)
    return render_form(request, "vault/survivor/start.html", ConsentForm())


def start_receipt(request: HttpRequest) -> HttpResponse:
    """Agree, then get a receipt: shown once, never stored."""
    if request.method != "POST":
        return redirect("survivor:start")
    form = ConsentForm(request.POST)
    if form.is_valid() and not new_identity_allowed():
        form.add_error(None, BUSY)
    if not form.is_valid():
        return render_form(request, "vault/survivor/start.html", form)
    receipt, identity, keys = receipt_create()
    _sign_in(request, identity.user, keys)
    return render(request, "vault/survivor/receipt.html", {"receipt": receipt})


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("survivor:write", step=0)
    form = SignupForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and not new_identity_allowed()
    ):
        form.add_error(None, BUSY)
    if request.method == "POST" and form.is_valid():
        try:
            user, recovery_key = user_create(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            form.add_error("new_password", error)
        except ValueError as error:
            form.add_error("username", str(error))
        else:
            keys = keys_unlock(
                user=user, password=form.cleaned_data["new_password"]
            )
            if form.cleaned_data["email"]:
                contact_address_set(
                    user=user, email=form.cleaned_data["email"]
                )
            _sign_in(request, user, keys)
            return render(
                request,
                "accounts/recovery_key.html",
                {
                    "recovery_key": recovery_key,
                    "after_recovery": False,
                    "next_url": reverse("survivor:write", args=[0]),
                },
            )
    return render_form(request, "vault/survivor/signup.html", form)


def receipt_signin(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("survivor:home")
    form = ReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            identity, keys = receipt_open(form.cleaned_data["receipt"])
        except CustodyError as error:
            form.add_error("receipt", str(error))
        else:
            _sign_in(request, identity.user, keys)
            return redirect("survivor:home")
    return render_form(request, "vault/survivor/receipt_signin.html", form)


# Home -------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "vault/survivor/home.html",
        {
            "records": selectors.records_of(request.user),
            "draft": selectors.new_record_draft(request.user),
            "is_receipt": hasattr(request.user, "receipt_identity"),
            "cases": selectors.reports_of(request.user),
        },
    )


# Writing ----------------------------------------------------------------

# Where each button under a question leads: the step to show next, or None
# to keep the draft and stop for now.
FOLLOWING_STEP: dict[str, Callable[[int], int | None]] = {
    "next": lambda step: step + 1,
    "back": lambda step: max(step - 1, 0),
    "later": lambda step: None,
}


def write(
    request: HttpRequest, step: int, record_id: uuid.UUID | None = None
) -> HttpResponse:
    """One question at a time; every step keeps a draft."""
    record = None if record_id is None else _own_record(request, record_id)
    keys = keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    if not 0 <= step <= REVIEW_STEP:
        return redirect(_step_url(record, 0))
    try:
        fields = selectors.fields_in_progress(
            owner=request.user, record=record, keys=keys
        )
    except VaultError as error:
        messages.error(request, str(error))
        return redirect("survivor:home")

    if step == REVIEW_STEP:
        return _review(request, record, keys, fields)

    record_field = RECORD_FIELDS[step]
    form = StepForm(
        request.POST or None,
        record_field=record_field,
        actions=FOLLOWING_STEP,
        initial={"answer": fields.get(record_field.name, "")},
    )
    if request.method == "POST" and form.is_valid():
        fields[record_field.name] = form.cleaned_data["answer"]
        following = FOLLOWING_STEP[form.cleaned_data["action"]](step)
        try:
            draft_save(
                owner=request.user,
                fields=fields,
                step=step if following is None else following,
                record=record,
                keys=keys,
            )
        except VaultError as error:
            messages.error(request, str(error))
            return redirect("survivor:home")
        if following is None:
            messages.success(
                request,
                _(
                    "Your draft is kept, locked so that only you can open "
                    "it. Come back to it whenever you want."
                ),
            )
            return redirect("survivor:home")
        return redirect(_step_url(record, following))
    return render_form(
        request,
        "vault/survivor/write.html",
        form,
        {
            "step": step,
            "step_number": step + 1,
            "steps": REVIEW_STEP,
            "record": record,
            "progress": range(REVIEW_STEP),
        },
    )


def _step_url(record: VaultRecord | None, step: int) -> str:
    if record is None:
        return reverse("survivor:write", args=[step])
    return reverse("survivor:edit", args=[record.pk, step])


def _review(
    request: HttpRequest,
    record: VaultRecord | None,
    keys: PersonKeys,
    fields: dict[str, str],
) -> HttpResponse:
    if request.method == "POST":
        try:
            saved = record_save(
                owner=request.user, keys=keys, fields=fields, record=record
            )
        except VaultError as error:
            messages.error(request, str(error))
            return redirect("survivor:home")
        messages.success(
            request,
            _(
                "Saved. Written on %(date)s \u2014 you can download proof "
                "of this date."
            )
            % {"date": written_on(saved.version)},
        )
        return redirect("survivor:record", record_id=saved.version.record_id)
    return render(
        request,
        "vault/survivor/review.html",
        {"answers": answers(fields), "record": record, "steps": REVIEW_STEP},
    )


# Reading ----------------------------------------------------------------


@_own_record_with_keys
def record(
    request: HttpRequest, item: VaultRecord, keys: PersonKeys
) -> HttpResponse:
    versions = list(item.versions.order_by("-number"))
    return version_page(
        request,
        record=item,
        version=versions[0],
        keys=keys,
        template="vault/survivor/record.html",
        context={
            "versions": versions,
            "written_on": written_on(versions[-1]),
            "attachments": selectors.attachment_names(
                item, request.user, keys
            ),
            "attachment_form": AttachmentForm(),
            "shares": selectors.shares_of(item),
        },
    )


@_own_record_with_keys
def version(
    request: HttpRequest, item: VaultRecord, keys: PersonKeys, number: int
) -> HttpResponse:
    chosen = get_object_or_404(RecordVersion, record=item, number=number)
    return version_page(
        request,
        record=item,
        version=chosen,
        keys=keys,
        template="vault/survivor/version.html",
        context={"written_on": written_on(chosen)},
    )


@_own_record_with_keys
def proof(
    request: HttpRequest, item: VaultRecord, keys: PersonKeys, number: int
) -> HttpResponse:
    """The proof bundle of one version, as a file to keep."""
    chosen = get_object_or_404(RecordVersion, record=item, number=number)
    try:
        bundle = selectors.proof_bundle(
            version=chosen, reader=request.user, keys=keys
        )
    except VaultError as error:
        return damaged_page(request, item, str(error))
    response = HttpResponse(
        dumps_bundle(bundle), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="faced-proof-{chosen.created_at:%Y-%m-%d}'
        f'-v{chosen.number}.json"'
    )
    return response


def choices(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    item = _own_record(request, record_id)
    return render(request, "vault/survivor/choices.html", {"record": item})


# Attachments ------------------------------------------------------------


@csrf_exempt
def attach(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    """Add a file. The upload handlers are replaced before the body is
    read (which is why this view checks CSRF itself, just below): the file
    is encrypted as it arrives and never lands on disk in the clear."""
    item = _own_record(request, record_id)
    handler = EncryptingUploadHandler(
        request,
        folder=attachments_folder(),
        purpose=lambda attachment_id: attachment_purpose(
            item.pk, attachment_id
        ),
    )
    request.upload_handlers = [handler]
    return _attach(request, item, handler)


@csrf_protect
def _attach(
    request: HttpRequest, item: VaultRecord, handler: EncryptingUploadHandler
) -> HttpResponse:
    keys = keys_or_signin(request)
    if keys is None:
        handler.discard()
        return redirect("accounts:signin")
    if request.method != "POST":
        return redirect("survivor:record", record_id=item.pk)
    form = AttachmentForm(request.POST, request.FILES)
    if handler.too_large:
        messages.error(request, too_large_message())
    elif not form.is_valid():
        messages.error(request, form.errors["file"][0])
    else:
        upload = form.cleaned_data["file"]
        try:
            attachment_store(
                record=item,
                owner=request.user,
                keys=keys,
                name=upload.name,
                size=upload.size,
                item_key=upload.item_key,
                attachment_id=upload.attachment_id,
                scratch_path=upload.scratch_path,
            )
        except VaultError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The file is kept, locked with your record.")
            )
    return redirect("survivor:record", record_id=item.pk)


@_own_record_with_keys
def attachment(
    request: HttpRequest,
    item: VaultRecord,
    keys: PersonKeys,
    attachment_id: uuid.UUID,
) -> HttpResponse:
    stored = get_object_or_404(Attachment, pk=attachment_id, record=item)
    try:
        opened = attachment_open(
            attachment=stored, reader=request.user, keys=keys
        )
    except VaultError as error:
        messages.error(request, str(error))
        return redirect("survivor:record", record_id=item.pk)
    # Always a download, never shown in the page: a file faced never
    # looked into must not run in faced's origin.
    return FileResponse(
        opened.plaintext,
        as_attachment=True,
        filename=opened.name,
        content_type="application/octet-stream",
    )


# Sharing ----------------------------------------------------------------


def _share_page(
    request: HttpRequest, item: VaultRecord, form: ShareForm
) -> HttpResponse:
    return render(
        request,
        "vault/survivor/share.html",
        {"record": item, "form": form, "shares": selectors.shares_of(item)},
    )


def _share(
    request: HttpRequest, item: VaultRecord, keys: PersonKeys
) -> HttpResponse:
    form = ShareForm(request.POST, choices=selectors.advocate_choices())
    if form.is_valid():
        slug, username = form.cleaned_data["advocate"]
        organization = get_object_or_404(Organization, slug=slug)
        reader = selectors.advocate(organization, username)
        try:
            share_with(
                record=item,
                owner=request.user,
                keys=keys,
                reader=reader,
                organization=organization,
            )
        except VaultError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Shared. %(name)s can now read this record.")
                % {"name": reader.username},
            )
            return redirect("survivor:share", record_id=item.pk)
    return _share_page(request, item, form)


def _revoke(
    request: HttpRequest, item: VaultRecord, keys: PersonKeys
) -> HttpResponse:
    form = RevokeForm(request.POST)
    if not form.is_valid():
        # Nobody named: as for a name the record is not shared with.
        raise Http404
    reader = selectors.reader_of(item, form.cleaned_data["reader"])
    try:
        damaged = share_revoke(
            record=item, owner=request.user, keys=keys, reader=reader
        )
    except VaultError as error:
        messages.error(request, str(error))
        return _share_page(
            request, item, ShareForm(choices=selectors.advocate_choices())
        )
    messages.success(
        request,
        _(
            "Stopped. They can no longer open this record, and nothing you "
            "add from now on."
        ),
    )
    if damaged:
        messages.error(
            request,
            _(
                "%(n)s part(s) of this record were already damaged and "
                "could not be opened by anyone."
            )
            % {"n": damaged},
        )
    return redirect("survivor:share", record_id=item.pk)


# The share page's two forms, by the `action` each posts.
SHARE_ACTIONS: dict[
    str, Callable[[HttpRequest, VaultRecord, PersonKeys], HttpResponse]
] = {
    "share": _share,
    "revoke": _revoke,
}


@_own_record_with_keys
def share(
    request: HttpRequest, item: VaultRecord, keys: PersonKeys
) -> HttpResponse:
    act = SHARE_ACTIONS.get(request.POST.get("action", ""))
    if request.method == "POST" and act is not None:
        return act(request, item, keys)
    return _share_page(
        request, item, ShareForm(choices=selectors.advocate_choices())
    )


def delete(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    item = _own_record(request, record_id)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record_delete(record=item, owner=request.user)
        messages.success(
            request,
            _(
                "The record is deleted and its keys destroyed. The ledger "
                "keeps only that a record existed and was deleted."
            ),
        )
        return redirect("survivor:home")
    return render_form(
        request, "vault/survivor/delete.html", form, {"record": item}
    )
