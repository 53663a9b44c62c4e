import re

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")


def normalize_username(username: str) -> str:
    return username.strip().casefold()


def validate_username(username: str) -> None:
    if not USERNAME_PATTERN.fullmatch(username):
        raise ValidationError(
            _(
                "A username is 3 to 40 characters: lower-case letters, "
                "digits, dots, dashes or underscores, starting with a letter "
                "or digit. It does not need to be your real name."
            )
        )


class UserManager(BaseUserManager):
    def create_user(self, username: str, password: str | None = None):
        username = normalize_username(username)
        validate_username(username)
        user = self.model(username=username)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str):
        return self.get(username=normalize_username(username))


class User(AbstractBaseUser):
    """A person who signs in. Nobody is asked for a real name.

    Survivors and role holders are both people; what a person may do comes
    from their role assignments (faced.orgs), never from flags on this row.
    """

    username = models.CharField(
        _("username"),
        max_length=40,
        unique=True,
        validators=[validate_username],
    )
    is_active = models.BooleanField(default=True)
    password_is_temporary = models.BooleanField(
        default=False,
        help_text=_(
            "Set by the operator's createuser: the person chooses their own "
            "password, and only then are their keys made, so that the "
            "operator who knew the first password can never open them."
        ),
    )
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    # The dotted path of the authentication backend that accepted the
    # person: set by django.contrib.auth.authenticate() on the row it
    # returns and read by login(); never stored.
    backend: str

    def __str__(self) -> str:
        return self.username


class KeyCustody(models.Model):
    """A person's public keys and their private keys, wrapped twice.

    `wrapped_by_password` opens with a key derived from the password with
    Argon2id (the salt and cost are kept here); `wrapped_by_recovery` opens
    with the recovery key shown once. Neither the password nor the recovery
    key is stored, so nothing here opens without the person.
    """

    user = models.OneToOneField(
        User,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="key_custody",
    )
    box_public_key = models.BinaryField(max_length=32)
    verify_key = models.BinaryField(max_length=32)
    password_salt = models.BinaryField(max_length=16)
    password_opslimit = models.PositiveIntegerField()
    password_memlimit = models.PositiveBigIntegerField()
    wrapped_by_password = models.BinaryField()
    wrapped_by_recovery = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    password_wrapped_at = models.DateTimeField(default=timezone.now)
    recovery_wrapped_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"keys of {self.user}"


class ReceiptSalt(models.Model):
    """The deployment's salt for receipts, made once at install.

    It is not secret; it makes a receipt's lookup id differ from one
    deployment to another, so that no table of precomputed receipts works
    against every faced at once. It must never change.
    """

    salt = models.BinaryField(max_length=16)
    # The Argon2id cost receipts are derived with, fixed at install: a
    # receipt cannot be looked up before it is derived, so the cost cannot
    # differ from one receipt to another.
    opslimit = models.PositiveIntegerField()
    memlimit = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return "receipt salt"


class ReceiptIdentity(models.Model):
    """An anonymous survivor, known only by what their receipt derives."""

    lookup_id = models.CharField(max_length=64, unique=True)
    box_public_key = models.BinaryField(max_length=32)
    # The account the receipt signs in as: a random name, no password, so
    # that sessions, timeouts and access rules work as for everyone else.
    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="receipt_identity"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"receipt {self.lookup_id[:8]}"


class ContactAddress(models.Model):
    """An e-mail address a person chose to give, for contentless notices
    only ("there is an update in faced").

    It is sealed to the deployment's notification key, derived from the
    secret key, which lives outside the database: a stolen database or
    backup does not reveal who uses faced.
    """

    user = models.OneToOneField(
        User,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="contact_address",
    )
    # Set with the change a notice is about, in the same transaction;
    # cleared when the notice is sent. The task queue then holds no list of
    # whom a change concerns.
    notice_pending = models.BooleanField(default=False)
    sealed_email = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"contact address of {self.user}"
