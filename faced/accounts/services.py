"""Sign-in, second factors and throttling."""

import hashlib
import hmac
import time
from base64 import b32encode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from faced.accounts.models import (
    User,
    normalize_username,
    validate_username,
)
from faced.orgs.models import RoleAssignment

PENDING_KEY = "faced_signin_pending"
# How long a password, once accepted, waits for its second factor.
PENDING_SECONDS = 5 * 60


class SigninRefused(Exception):
    """A sign-in that did not succeed; the message is safe to show."""


def user_create(
    *, username: str, password: str, temporary: bool = False
) -> tuple[User, str | None]:
    """Create a person who can sign in.

    With TEMPORARY (the operator's createuser), the person must choose
    their own password at first sign-in, and only then are their keys
    made. Otherwise their keys are made now, wrapped under PASSWORD; the
    recovery key is returned to be shown to them once.
    """
    from faced.accounts.custody import keys_create

    username = normalize_username(username)
    validate_username(username)
    if User.objects.filter(username=username).exists():
        raise ValueError(_("That username is taken."))
    validate_password(password)
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        recovery_key = None
        if temporary:
            user.password_is_temporary = True
            user.save(update_fields=["password_is_temporary"])
        else:
            _keys, recovery_key = keys_create(user=user, password=password)
    return user, recovery_key


def requires_second_factor(user: User) -> bool:
    """Every holder of a role signs in with a second factor."""
    return RoleAssignment.objects.filter(user=user, revoked_at=None).exists()


def _throttle_key(username: str) -> str:
    # Keyed by a MAC of the username, so that the cache (a table or Redis)
    # does not hold a list of who tried to sign in.
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        normalize_username(username).encode(),
        hashlib.sha256,
    ).hexdigest()
    return f"faced:signin-failures:{digest}"


def signin_is_locked(username: str) -> bool:
    failures: int = cache.get(_throttle_key(username), 0)
    limit: int = settings.SIGNIN_MAX_FAILURES
    return failures >= limit


def _count_failure(key: str, timeout: int) -> None:
    """Add one to a failure counter that expires TIMEOUT seconds after
    its first failure."""
    cache.add(key, 0, timeout)
    try:
        cache.incr(key)
    except ValueError:
        # The counter expired between add and incr.
        cache.set(key, 1, timeout)


def record_wrong_password(username: str) -> None:
    """Count a wrong password or recovery key towards the username's
    pause."""
    _record_failure(username)


def _record_failure(username: str) -> None:
    _count_failure(_throttle_key(username), settings.SIGNIN_LOCK_MINUTES * 60)


def signin_with_password(
    *, request: HttpRequest, username: str, password: str
) -> User:
    """Check a username and password; return the person or refuse.

    Guessing is throttled per username, never per address: after
    SIGNIN_MAX_FAILURES wrong passwords the username is locked for
    SIGNIN_LOCK_MINUTES, and a locked username is refused before its
    password is even checked.
    """
    locked_message = _(
        "Too many wrong attempts for this username. To protect the account, "
        "signing in is paused for up to %(minutes)s minutes. Please try "
        "again later."
    ) % {"minutes": settings.SIGNIN_LOCK_MINUTES}
    if signin_is_locked(username):
        raise SigninRefused(locked_message)
    # Counted before the check, and forgiven after a success, so that
    # guesses sent in parallel cannot all slip in before any is counted.
    _record_failure(username)
    if cache.get(_throttle_key(username), 0) > settings.SIGNIN_MAX_FAILURES:
        raise SigninRefused(locked_message)
    user = authenticate(
        request, username=normalize_username(username), password=password
    )
    if user is None:
        if signin_is_locked(username):
            raise SigninRefused(locked_message)
        raise SigninRefused(
            _("That username and password do not match. Please try again.")
        )
    cache.delete(_throttle_key(username))
    return user


def signin_mark_pending(*, request: HttpRequest, user: User) -> None:
    """Remember that the password was right, until the second factor."""
    # A new session key here, so that a session id planted before sign-in
    # is worthless after it.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": time.time(),
    }


def signin_pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending["at"] > PENDING_SECONDS:
        del request.session[PENDING_KEY]
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def signin_clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device a person is setting up, made once."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name=_("Authenticator app"), confirmed=False
            )
        return device


def totp_secret_for_typing(device: TOTPDevice) -> str:
    """The secret in the form phone apps accept when typed by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_check(*, device: TOTPDevice, token: str) -> None:
    """Check a six-digit code, or refuse with a message that says why.

    django-otp throttles wrong codes on the device itself, doubling the
    wait after each failure, and refuses a code that was already used.
    """
    token = "".join(token.split())
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        raise SigninRefused(
            _(
                "Too many wrong codes. Wait a minute, then enter the newest "
                "code your app shows."
            )
        )
    if not token.isdigit() or len(token) != 6:
        raise SigninRefused(_("The code is the six digits your app shows."))
    if not device.verify_token(token):
        raise SigninRefused(
            _(
                "That code is not right, or was already used. Enter the "
                "newest code your app shows."
            )
        )


def totp_enrolment_confirm(*, device: TOTPDevice, token: str) -> None:
    totp_check(device=device, token=token)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()


def _receipt_failures_key() -> str:
    return f"faced:receipt-failures:{int(time.time() // 60)}"


def receipt_attempt_allowed() -> bool:
    """Whether receipt sign-in is open this minute.

    A receipt has no username to throttle by and faced keeps no addresses,
    so wrong receipts are counted deployment-wide. With 90 bits per receipt
    and Argon2id per attempt, guessing is hopeless anyway; the pause is a
    second wall, at the cost that a flood of guesses delays honest
    survivors by up to a minute.
    """
    failures: int = cache.get(_receipt_failures_key(), 0)
    limit: int = settings.RECEIPT_MAX_FAILURES_PER_MINUTE
    return failures < limit


def new_identity_allowed() -> bool:
    """Whether a new receipt or account may be made this minute.

    Each costs an Argon2id derivation and rows in the database; without
    addresses to tell visitors apart, the limit is deployment-wide.
    Counted before the work, so parallel requests cannot pass together.
    """
    key = f"faced:new-identities:{int(time.time() // 60)}"
    _count_failure(key, 120)
    made: int = cache.get(key, 0)
    limit: int = settings.NEW_IDENTITIES_PER_MINUTE
    return made <= limit


def receipt_failed() -> None:
    _count_failure(_receipt_failures_key(), 120)
