"""A signed-in person's private keys, kept for the length of a session.

At sign-in the keys are unwrapped with the password. They are then kept in
the server-side session encrypted under a random key that lives only in the
person's browser, in its own HttpOnly cookie: the session table alone (a
stolen database) and the cookie alone (a stolen browser profile, once the
session has ended) each yield nothing. Signing out, quick exit and the idle
timeout end the session, and with it the encrypted copy.
"""

import base64
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from faced.crypto.envelope import DecryptionError, decrypt, encrypt
from faced.crypto.keys import PersonKeys

COOKIE_NAME = "faced_keys"
SESSION_FIELD = "faced_keys"


def _associated_data(user_pk: object) -> bytes:
    return f"faced session keys|{user_pk}".encode()


def encrypt_for_session(keys: PersonKeys, user_pk: object) -> tuple[str, str]:
    """The session's copy of KEYS and the cookie value that opens it."""
    cookie_key = secrets.token_bytes(32)
    ciphertext = encrypt(
        cookie_key, keys.to_bytes(), associated_data=_associated_data(user_pk)
    )
    return (
        base64.b64encode(ciphertext).decode(),
        base64.urlsafe_b64encode(cookie_key).decode(),
    )


def session_keys_store(
    request: HttpRequest, keys: PersonKeys, user_pk: object
) -> None:
    """Keep KEYS for this session; the cookie is set on the response by
    SessionKeysCookieMiddleware."""
    stored, cookie = encrypt_for_session(keys, user_pk)
    request.session[SESSION_FIELD] = stored
    request._faced_keys_cookie = cookie


def session_keys(request: HttpRequest) -> PersonKeys | None:
    """The signed-in person's keys, or None when this session has none
    (signed in before keys existed, or the cookie is missing)."""
    stored = request.session.get(SESSION_FIELD)
    cookie = getattr(request, "_faced_keys_cookie", None) or (
        request.COOKIES.get(COOKIE_NAME)
    )
    if not stored or not cookie or not request.user.is_authenticated:
        return None
    try:
        cookie_key = base64.urlsafe_b64decode(cookie.encode())
        raw = decrypt(
            cookie_key,
            base64.b64decode(stored.encode()),
            associated_data=_associated_data(request.user.pk),
        )
    except (ValueError, DecryptionError):
        return None
    return PersonKeys.from_bytes(raw)


class SessionKeysCookieMiddleware:
    """Sets the keys cookie when keys were stored, and removes it once
    nobody is signed in (sign-out, quick exit, idle timeout)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        new_value = getattr(request, "_faced_keys_cookie", None)
        signed_out = not request.user.is_authenticated and (
            SESSION_FIELD not in request.session
        )
        if signed_out and COOKIE_NAME in request.COOKIES and not new_value:
            response.delete_cookie(COOKIE_NAME, samesite="Lax")
        elif new_value:
            response.set_cookie(
                COOKIE_NAME,
                new_value,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
