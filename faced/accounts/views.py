"""Sign-in pages: password, then for role holders a code from a phone app."""

from collections.abc import Callable
from functools import wraps

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from faced.accounts.contact import (
    contact_address_exists,
    contact_address_remove,
    contact_address_set,
)
from faced.accounts.custody import (
    CustodyError,
    keys_recover,
    keys_unlock,
    password_change,
    password_choose_first,
)
from faced.accounts.forms import (
    CodeForm,
    ContactAddressForm,
    NewPasswordForm,
    PasswordChangeForm,
    RecoverForm,
    SigninForm,
)
from faced.accounts.models import User
from faced.accounts.selectors import person_named
from faced.accounts.services import (
    SigninRefused,
    record_wrong_password,
    requires_second_factor,
    signin_clear_pending,
    signin_is_locked,
    signin_mark_pending,
    signin_pending_user,
    signin_with_password,
    totp_check,
    totp_device,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_secret_for_typing,
)
from faced.accounts.session_keys import session_keys_store
from faced.orgs.selectors import role_homes
from faced.shortcuts import render_form

NEXT_KEY = "faced_signin_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return None


def _finish_signin(request: HttpRequest, user, device=None) -> HttpResponse:
    next_url = request.session.get(NEXT_KEY)
    auth_login(request, user)
    if device is not None:
        otp_login(request, device)
    signin_clear_pending(request)
    request.session.pop(NEXT_KEY, None)
    return redirect(next_url or "accounts:home")


def signin(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = SigninForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        try:
            user = signin_with_password(
                request=request,
                username=form.cleaned_data["username"],
                password=password,
            )
            keys = keys_unlock(user=user, password=password)
        except (SigninRefused, CustodyError) as refusal:
            form.add_error(None, str(refusal))
        else:
            next_url = _safe_next(request, request.GET.get("next"))
            if not requires_second_factor(user):
                if keys is not None:
                    session_keys_store(request, keys, user.pk)
                if next_url:
                    request.session[NEXT_KEY] = next_url
                return _finish_signin(request, user)
            signin_mark_pending(request=request, user=user)
            if keys is not None:
                session_keys_store(request, keys, user.pk)
            if next_url:
                request.session[NEXT_KEY] = next_url
            if totp_device(user) is None:
                return redirect("accounts:signin_enrol")
            return redirect("accounts:signin_code")
    return render_form(request, "accounts/signin.html", form)


def _after_the_password(
    view: Callable[[HttpRequest, User], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A step of signing in that follows an accepted password: it serves
    the person whose password was accepted, sends anyone already signed in
    home, and anyone else back to the password."""

    @wraps(view)
    def step(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect("accounts:home")
        user = signin_pending_user(request)
        if user is None:
            return redirect("accounts:signin")
        return view(request, user)

    return step


@_after_the_password
def signin_code(request: HttpRequest, user: User) -> HttpResponse:
    device = totp_device(user)
    if device is None:
        return redirect("accounts:signin_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            totp_check(device=device, token=form.cleaned_data["code"])
        except SigninRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            return _finish_signin(request, user, device)
    return render_form(request, "accounts/signin_code.html", form)


def _qr_svg(text: str) -> str:
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=8,
        border=2,
    )
    return image.to_string(encoding="unicode")


@_after_the_password
def signin_enrol(request: HttpRequest, user: User) -> HttpResponse:
    if totp_device(user) is not None:
        return redirect("accounts:signin_code")
    device = totp_enrolment_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            totp_enrolment_confirm(
                device=device, token=form.cleaned_data["code"]
            )
        except SigninRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            messages.success(
                request,
                _(
                    "Your authenticator app is set up. From now on you sign "
                    "in with your password and a code from the app."
                ),
            )
            return _finish_signin(request, user, device)
    return render_form(
        request,
        "accounts/signin_enrol.html",
        form,
        {
            # The QR code is drawn by qrcode from faced's own otpauth URL;
            # it holds no input from the person.
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308
            "secret": totp_secret_for_typing(device),
        },
    )


def signout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        messages.info(request, _("You are signed out."))
        return redirect("landing")
    return render(request, "accounts/signout.html")


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page of their role, or let them choose."""
    homes = role_homes(request.user)
    if not homes:
        return redirect("survivor:home")
    if len(homes) == 1:
        return redirect(homes[0].url_name, **homes[0].kwargs)
    return render(request, "accounts/choose_home.html", {"homes": homes})


def _show_recovery_key(
    request: HttpRequest, recovery_key: str, *, after_recovery: bool
) -> HttpResponse:
    """The one and only time a recovery key is shown. It is rendered in
    the response to the form that made it, never stored, never redirected
    to, and the page is not cached."""
    return render(
        request,
        "accounts/recovery_key.html",
        {"recovery_key": recovery_key, "after_recovery": after_recovery},
    )


def choose_password(request: HttpRequest) -> HttpResponse:
    """First sign-in with the operator's temporary password: the person
    chooses their own, and only then are their keys made."""
    user = request.user
    if not user.password_is_temporary:
        return redirect("accounts:home")
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            keys, recovery_key = password_choose_first(
                user=user, new_password=form.cleaned_data["new_password"]
            )
        except ValidationError as error:
            form.add_error("new_password", error)
        except CustodyError as error:
            form.add_error(None, str(error))
        else:
            update_session_auth_hash(request, user)
            session_keys_store(request, keys, user.pk)
            return _show_recovery_key(
                request, recovery_key, after_recovery=False
            )
    return render_form(request, "accounts/choose_password.html", form)


def change_password(request: HttpRequest) -> HttpResponse:
    user = request.user
    if hasattr(user, "receipt_identity"):
        messages.info(
            request,
            _("You signed in with a receipt: there is no password to change."),
        )
        return redirect("accounts:home")
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if signin_is_locked(user.username):
            form.add_error(None, _("Too many wrong attempts. Wait a while."))
        else:
            try:
                password_change(
                    user=user,
                    current_password=form.cleaned_data["current_password"],
                    new_password=form.cleaned_data["new_password"],
                )
            except ValidationError as error:
                form.add_error("new_password", error)
            except CustodyError as error:
                record_wrong_password(user.username)
                form.add_error("current_password", str(error))
            else:
                update_session_auth_hash(request, user)
                messages.success(
                    request,
                    _(
                        "Your password is changed. Your keys are now locked "
                        "with the new one; your recovery key still works."
                    ),
                )
                return redirect("accounts:home")
    return render_form(request, "accounts/change_password.html", form)


def contact(request: HttpRequest) -> HttpResponse:
    """Set, change or remove the address for contentless notices.

    The address is never shown back: opening it is left to the background
    task that sends notices, so that no page can display it.
    """
    user = request.user
    if hasattr(user, "receipt_identity"):
        messages.info(
            request,
            _(
                "You signed in with a receipt, so faced does not know who "
                "you are, and that keeps you safe. An e-mail address would "
                "tie your receipt to you, so faced does not take one. Open "
                "faced with your receipt from time to time to see what is "
                "new."
            ),
        )
        return redirect("accounts:home")
    if request.method == "POST" and "remove" in request.POST:
        if contact_address_remove(user=user):
            messages.success(
                request,
                _(
                    "Your address is removed. faced will not send you "
                    "e-mails any more."
                ),
            )
        else:
            messages.info(request, _("faced has no address of yours."))
        return redirect("accounts:contact")
    form = ContactAddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact_address_set(user=user, email=form.cleaned_data["email"])
        messages.success(
            request,
            _(
                "Your address is saved. When there is an update for you, "
                "faced sends an e-mail that says only that."
            ),
        )
        return redirect("accounts:contact")
    return render_form(
        request,
        "accounts/contact.html",
        form,
        {"has_address": contact_address_exists(user=user)},
    )


def recover(request: HttpRequest) -> HttpResponse:
    """A forgotten password: the recovery key opens the keys, a new
    password is set, and a new recovery key is shown."""
    if request.user.is_authenticated:
        return redirect("accounts:change_password")
    form = RecoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = person_named(username)
        refusal = _(
            "That username and recovery key do not go together. Check "
            "both against your printout."
        )
        if signin_is_locked(username):
            form.add_error(None, _("Too many wrong attempts. Wait a while."))
        elif user is None:
            record_wrong_password(username)
            form.add_error(None, refusal)
        else:
            try:
                _keys, recovery_key = keys_recover(
                    user=user,
                    recovery_key=form.cleaned_data["recovery_key"],
                    new_password=form.cleaned_data["new_password"],
                )
            except ValidationError as error:
                form.add_error("new_password", error)
            except CustodyError:
                record_wrong_password(username)
                form.add_error(None, refusal)
            else:
                return _show_recovery_key(
                    request, recovery_key, after_recovery=True
                )
    return render_form(request, "accounts/recover.html", form)
