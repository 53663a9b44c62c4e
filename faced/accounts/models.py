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
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.username
