"""The survivor's pages: ways in, the guided form, records, versions,
proof of date, attachments, sharing with an advocate, and deletion."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from faced.accounts.contact import contact_address_set
from faced.accounts.custody import CustodyError, receipt_create, receipt_open
from faced.accounts.models import normalize_username, validate_username
from faced.accounts.services import new_identity_allowed, user_create
from faced.accounts.session_keys import session_keys, session_keys_store
from faced.ledger.bundle import dumps_bundle
from faced.orgs.models import Organization, RoleAssignment
from faced.orgs.roles import Role
from faced.vault import selectors
from faced.vault.fields import FIELD_NAMES, RECORD_FIELDS
from faced.vault.forms import (
    AttachmentForm,
    ConsentForm,
    DeleteForm,
    ReceiptForm,
    ShareForm,
    SignupForm,
    StepForm,
)
from faced.vault.models import Attachment, Draft, RecordVersion, VaultRecord
from faced.vault.services import (
    VaultError,
    attachment_open,
    attachment_purpose,
    attachment_store,
    attachments_folder,
    draft_open,
    draft_save,
    record_delete,
    record_save,
    share_revoke,
    share_with,
    too_large_message,
    version_open,
)
from faced.vault.uploads import EncryptedUpload, EncryptingUploadHandler

BACKEND = "django.contrib.auth.backends.ModelBackend"
BUSY = _lazy(
    "Many people are starting at the same moment, so faced is pausing new "
    "sign-ups for a minute. Nothing was kept; please try again shortly."
)
REVIEW_STEP = len(RECORD_FIELDS)


def _keys_or_signin(request: HttpRequest):
    keys = session_keys(request)
    if keys is None:
        messages.info(
            request,
            _("To open your records, please sign in again."),
        )
    return keys


def _written_on(version: RecordVersion) -> str:
    return formats.date_format(version.created_at, "j F Y")


# Ways in ----------------------------------------------------------------


def start(request: HttpRequest) -> HttpResponse:
    """What is kept and who can read it, then the two ways in."""
    if request.user.is_authenticated:
        return redirect("survivor:write", step=0)
    return render(request, "vault/start.html", {"form": ConsentForm()})


def start_receipt(request: HttpRequest) -> HttpResponse:
    """Agree, then get a receipt: shown once, never stored."""
    if request.method != "POST":
        return redirect("survivor:start")
    form = ConsentForm(request.POST)
    if form.is_valid() and not new_identity_allowed():
        form.add_error(None, BUSY)
    if not form.is_valid():
        return render(request, "vault/start.html", {"form": form}, status=400)
    receipt, identity, keys = receipt_create()
    auth_login(request, identity.user, backend=BACKEND)
    session_keys_store(request, keys, identity.user.pk)
    return render(request, "vault/receipt.html", {"receipt": receipt})


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("survivor:write", step=0)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            validate_username(
                normalize_username(form.cleaned_data["username"])
            )
        except ValidationError as error:
            form.add_error("username", error)
        else:
            if not new_identity_allowed():
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
            from faced.accounts.custody import keys_unlock

            keys = keys_unlock(
                user=user, password=form.cleaned_data["new_password"]
            )
            if form.cleaned_data["email"]:
                contact_address_set(
                    user=user, email=form.cleaned_data["email"]
                )
            auth_login(request, user, backend=BACKEND)
            session_keys_store(request, keys, user.pk)
            return render(
                request,
                "accounts/recovery_key.html",
                {
                    "recovery_key": recovery_key,
                    "after_recovery": False,
                    "next_url": reverse("survivor:write", args=[0]),
                },
            )
    status = 400 if form.errors else 200
    return render(request, "vault/signup.html", {"form": form}, status=status)


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
            auth_login(request, identity.user, backend=BACKEND)
            session_keys_store(request, keys, identity.user.pk)
            return redirect("survivor:home")
    status = 400 if form.errors else 200
    return render(
        request, "vault/receipt_signin.html", {"form": form}, status=status
    )


# Home -------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "vault/home.html",
        {
            "records": selectors.records_of(request.user),
            "draft": Draft.objects.filter(
                owner=request.user, record=None
            ).first(),
            "is_receipt": hasattr(request.user, "receipt_identity"),
            "cases": request.user.reported_cases.order_by("-submitted_at"),
        },
    )


# Writing ----------------------------------------------------------------


def _record_or_none(request, record_id):
    if record_id is None:
        return None
    return get_object_or_404(VaultRecord, pk=record_id, owner=request.user)


def _current_fields(request, record, keys) -> tuple[dict, Draft | None]:
    draft = Draft.objects.filter(owner=request.user, record=record).first()
    if draft is not None:
        return draft_open(draft=draft, keys=keys), draft
    if record is not None:
        latest = record.versions.order_by("-number").first()
        if latest is not None:
            opened = version_open(
                version=latest, reader=request.user, keys=keys
            )
            return dict(opened.fields), None
    return {name: "" for name in FIELD_NAMES}, None


def write(request: HttpRequest, step: int, record_id=None) -> HttpResponse:
    """One question at a time; every step keeps a draft."""
    record = _record_or_none(request, record_id)
    keys = _keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    if not 0 <= step <= REVIEW_STEP:
        return redirect(_step_url(record, 0))
    try:
        fields, _draft = _current_fields(request, record, keys)
    except VaultError as error:
        messages.error(request, str(error))
        return redirect("survivor:home")

    if step == REVIEW_STEP:
        return _review(request, record, keys, fields)

    record_field = RECORD_FIELDS[step]
    form = StepForm(
        request.POST or None,
        record_field=record_field,
        initial={"answer": fields.get(record_field.name, "")},
    )
    if request.method == "POST" and form.is_valid():
        fields[record_field.name] = form.cleaned_data["answer"]
        action = request.POST.get("action", "next")
        following = {"back": step - 1, "later": None}.get(action, step + 1)
        try:
            draft_save(
                owner=request.user,
                fields=fields,
                step=step if following is None else max(following, 0),
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
        return redirect(_step_url(record, max(following, 0)))
    status = 400 if form.errors else 200
    return render(
        request,
        "vault/write.html",
        {
            "form": form,
            "step": step,
            "step_number": step + 1,
            "steps": REVIEW_STEP,
            "record": record,
            "progress": range(REVIEW_STEP),
        },
        status=status,
    )


def _step_url(record, step: int) -> str:
    if record is None:
        return reverse("survivor:write", args=[step])
    return reverse("survivor:edit", args=[record.pk, step])


def _review(request, record, keys, fields) -> HttpResponse:
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
            % {"date": _written_on(saved.version)},
        )
        return redirect("survivor:record", record_id=saved.version.record_id)
    return render(
        request,
        "vault/review.html",
        {"answers": _answers(fields), "record": record, "steps": REVIEW_STEP},
    )


# Reading ----------------------------------------------------------------


def record(request: HttpRequest, record_id) -> HttpResponse:
    item = get_object_or_404(VaultRecord, pk=record_id, owner=request.user)
    keys = _keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    versions = list(item.versions.order_by("-number"))
    return _render_version(
        request,
        item,
        versions[0],
        keys,
        "vault/record.html",
        {
            "versions": versions,
            "written_on": _written_on(versions[-1]),
            "attachments": selectors.attachment_names(
                item, request.user, keys
            ),
            "attachment_form": AttachmentForm(),
            "shares": selectors.shares_of(item),
        },
    )


def _answers(fields: dict) -> list:
    return [
        (record_field, fields.get(record_field.name, ""))
        for record_field in RECORD_FIELDS
    ]


def _render_version(request, item, chosen, keys, template, context):
    """A version's page, or a plain page saying it could not be opened."""
    try:
        opened = version_open(version=chosen, reader=request.user, keys=keys)
    except VaultError as error:
        return render(
            request,
            "vault/record_damaged.html",
            {"record": item, "problem": str(error)},
            status=409,
        )
    return render(
        request,
        template,
        {
            "record": item,
            "opened": opened,
            "answers": _answers(opened.fields),
            **context,
        },
    )


def version(request: HttpRequest, record_id, number: int) -> HttpResponse:
    item = get_object_or_404(VaultRecord, pk=record_id, owner=request.user)
    keys = _keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    chosen = get_object_or_404(RecordVersion, record=item, number=number)
    return _render_version(
        request,
        item,
        chosen,
        keys,
        "vault/version.html",
        {"written_on": _written_on(chosen)},
    )


def proof(request: HttpRequest, record_id, number: int) -> HttpResponse:
    """The proof bundle of one version, as a file to keep."""
    item = get_object_or_404(VaultRecord, pk=record_id, owner=request.user)
    keys = _keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    chosen = get_object_or_404(RecordVersion, record=item, number=number)
    try:
        bundle = selectors.proof_bundle(
            version=chosen, reader=request.user, keys=keys
        )
    except VaultError as error:
        return render(
            request,
            "vault/record_damaged.html",
            {"record": item, "problem": str(error)},
            status=409,
        )
    response = HttpResponse(
        dumps_bundle(bundle), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="faced-proof-{chosen.created_at:%Y-%m-%d}'
        f'-v{chosen.number}.json"'
    )
    return response


def choices(request: HttpRequest, record_id) -> HttpResponse:
    item = get_object_or_404(VaultRecord, pk=record_id, owner=request.user)
    return render(request, "vault/choices.html", {"record": item})


# Attachments ------------------------------------------------------------


@csrf_exempt
def attach(request: HttpRequest, record_id) -> HttpResponse:
    """Add a file. The upload handlers are replaced before the body is
    read (which is why this view checks CSRF itself, just below): the file
    is encrypted as it arrives and never lands on disk in the clear."""
    item = get_object_or_404(VaultRecord, pk=record_id, owner=request.user)
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
def _attach(request, item, handler) -> HttpResponse:
    keys = _keys_or_signin(request)
    if keys is None:
        handler.discard()
        return redirect("accounts:signin")
    if request.method != "POST":
        return redirect("survivor:record", record_id=item.pk)
    upload = request.FILES.get("file")
    if handler.too_large:
        messages.error(request, too_large_message())
    elif not isinstance(upload, EncryptedUpload):
        messages.error(request, _("Choose a file to add."))
    else:
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


def attachment(request: HttpRequest, record_id, attachment_id) -> HttpResponse:
    item = get_object_or_404(VaultRecord, pk=record_id, owner=request.user)
    return _attachment_response(request, item, attachment_id)


def _attachment_response(request, item, attachment_id) -> HttpResponse:
    keys = _keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
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


def _advocate_choices():
    holders = (
        RoleAssignment.objects.filter(role=Role.ADVOCATE, revoked_at=None)
        .select_related("user", "organization")
        .order_by("organization__name", "user__username")
    )
    return [
        (
            f"{a.organization.slug}:{a.user.username}",
            f"{a.user.username} — {a.organization.name}",
        )
        for a in holders
        if hasattr(a.user, "key_custody")
    ]


def share(request: HttpRequest, record_id) -> HttpResponse:
    item = get_object_or_404(VaultRecord, pk=record_id, owner=request.user)
    keys = _keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    form = ShareForm(
        request.POST if request.POST.get("action") == "share" else None,
        choices=_advocate_choices(),
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                reader = selectors.reader_of(item, request.POST.get("reader"))
                damaged = share_revoke(
                    record=item, owner=request.user, keys=keys, reader=reader
                )
                messages.success(
                    request,
                    _(
                        "Stopped. They can no longer open this record, and "
                        "nothing you add from now on."
                    ),
                )
                if damaged:
                    messages.error(
                        request,
                        _(
                            "%(n)s part(s) of this record were already "
                            "damaged and could not be opened by anyone."
                        )
                        % {"n": damaged},
                    )
                return redirect("survivor:share", record_id=item.pk)
            if form.is_valid():
                slug, username = form.cleaned_data["advocate"].split(":", 1)
                organization = get_object_or_404(Organization, slug=slug)
                reader = selectors.advocate(organization, username)
                share_with(
                    record=item,
                    owner=request.user,
                    keys=keys,
                    reader=reader,
                    organization=organization,
                )
                messages.success(
                    request,
                    _("Shared. %(name)s can now read this record.")
                    % {"name": reader.username},
                )
                return redirect("survivor:share", record_id=item.pk)
        except VaultError as error:
            messages.error(request, str(error))
    return render(
        request,
        "vault/share.html",
        {"record": item, "form": form, "shares": selectors.shares_of(item)},
    )


def delete(request: HttpRequest, record_id) -> HttpResponse:
    item = get_object_or_404(VaultRecord, pk=record_id, owner=request.user)
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
    status = 400 if form.errors else 200
    return render(
        request,
        "vault/delete.html",
        {"record": item, "form": form},
        status=status,
    )


# Advocates --------------------------------------------------------------


def advocate_home(request: HttpRequest, org: str) -> HttpResponse:
    from faced.orgs.views import ROLE_DUTIES

    organization = get_object_or_404(Organization, slug=org)
    return render(
        request,
        "vault/advocate_home.html",
        {
            "organization": organization,
            "role": Role.ADVOCATE,
            "duties": ROLE_DUTIES[Role.ADVOCATE],
            "records": selectors.shared_with(request.user, organization),
        },
    )


def advocate_record(request: HttpRequest, org: str, record_id) -> HttpResponse:
    """An advocate reads a record a survivor shared with them."""
    organization = get_object_or_404(Organization, slug=org)
    item = get_object_or_404(
        VaultRecord,
        pk=record_id,
        keys__reader=request.user,
        keys__organization=organization,
    )
    keys = _keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    latest = item.versions.order_by("-number").first()
    return _render_version(
        request,
        item,
        latest,
        keys,
        "vault/advocate_record.html",
        {
            "organization": organization,
            "written_on": _written_on(item.versions.order_by("number")[0]),
        },
    )
