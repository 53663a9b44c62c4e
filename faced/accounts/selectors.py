"""Reads of people."""

from faced.accounts.models import User, normalize_username


def person_named(username: str) -> User | None:
    """The person with USERNAME, however its letters' case or its spaces
    were typed; None when there is nobody of that name."""
    return User.objects.filter(username=normalize_username(username)).first()
