"""Contact addresses, kept sealed: written on sign-up, opened only by the
code that sends a contentless notice."""

import hashlib

from django.conf import settings
from nacl.public import PrivateKey

from faced.accounts.models import ContactAddress, User
from faced.crypto.envelope import (
    SEAL_OVERHEAD_BYTES,
    decrypt,
    encrypt,
    new_content_key,
    open_sealed_key,
    seal_key,
)

_SEALED_KEY_BYTES = 32 + SEAL_OVERHEAD_BYTES
_PURPOSE = b"faced contact address"


def _notification_key() -> PrivateKey:
    # Derived from the secret key, which is kept outside the database, so
    # that the database alone never opens an address. Changing the secret
    # key makes stored addresses unreadable; people can give them again.
    seed = hashlib.blake2b(
        settings.SECRET_KEY.encode(),
        person=b"faced-notify-key",
        digest_size=32,
    ).digest()
    return PrivateKey(seed)


def contact_address_set(*, user: User, email: str) -> ContactAddress:
    item_key = new_content_key()
    public = bytes(_notification_key().public_key)
    sealed = seal_key(item_key, public) + encrypt(
        item_key, email.strip().encode(), associated_data=_purpose(user)
    )
    contact, _created = ContactAddress.objects.update_or_create(
        user=user, defaults={"sealed_email": sealed}
    )
    return contact


def contact_address_remove(*, user: User) -> bool:
    """Forget the address; True if there was one."""
    deleted, _kinds = ContactAddress.objects.filter(user=user).delete()
    return bool(deleted)


def contact_address_exists(*, user: User) -> bool:
    """Whether the person gave an address, without opening it."""
    return ContactAddress.objects.filter(user=user).exists()


def contact_address_of(user: User) -> str | None:
    """The address, for the notification sender only."""
    contact = ContactAddress.objects.filter(user=user).first()
    if contact is None:
        return None
    private = _notification_key()
    blob = bytes(contact.sealed_email)
    item_key = open_sealed_key(
        blob[:_SEALED_KEY_BYTES], bytes(private.public_key), bytes(private)
    )
    return decrypt(
        item_key, blob[_SEALED_KEY_BYTES:], associated_data=_purpose(user)
    ).decode()


def _purpose(user: User) -> bytes:
    return _PURPOSE + f"|{user.pk}".encode()
