"""Sign-in pages: password, then for role holders a code from a phone app."""

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from faced.accounts.forms import CodeForm, SigninForm
from faced.accounts.services import (
    SigninRefused,
    requires_second_factor,
    signin_clear_pending,
    signin_mark_pending,
    signin_pending_user,
    signin_with_password,
    totp_check,
    totp_device,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_secret_for_typing,
)
from faced.orgs.selectors import role_homes

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
        try:
            user = signin_with_password(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except SigninRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            next_url = _safe_next(request, request.GET.get("next"))
            if not requires_second_factor(user):
                if next_url:
                    request.session[NEXT_KEY] = next_url
                return _finish_signin(request, user)
            signin_mark_pending(request=request, user=user)
            if next_url:
                request.session[NEXT_KEY] = next_url
            if totp_device(user) is None:
                return redirect("accounts:signin_enrol")
            return redirect("accounts:signin_code")
    status = 400 if form.errors else 200
    return render(
        request, "accounts/signin.html", {"form": form}, status=status
    )


def signin_code(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    user = signin_pending_user(request)
    if user is None:
        return redirect("accounts:signin")
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
    status = 400 if form.errors else 200
    return render(
        request, "accounts/signin_code.html", {"form": form}, status=status
    )


def _qr_svg(text: str) -> str:
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=8,
        border=2,
    )
    return image.to_string(encoding="unicode")


def signin_enrol(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    user = signin_pending_user(request)
    if user is None:
        return redirect("accounts:signin")
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
    status = 400 if form.errors else 200
    return render(
        request,
        "accounts/signin_enrol.html",
        {
            "form": form,
            # The QR code is drawn by qrcode from faced's own otpauth URL;
            # it holds no input from the person.
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308
            "secret": totp_secret_for_typing(device),
        },
        status=status,
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


def survivor_home(request: HttpRequest) -> HttpResponse:
    return render(request, "survivor/home.html")
