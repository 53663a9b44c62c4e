"""Writes and reads of people's keys: creation, unlocking, rewrapping,
recovery, and receipts for anonymous survivors.

Every function that opens keys needs something only the person has (their
password, their recovery key or their receipt). Nothing the server holds,
its secret key included, is enough.
"""

import base64
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faced.accounts.models import (
    KeyCustody,
    ReceiptIdentity,
    ReceiptSalt,
    User,
)
from faced.crypto.keys import (
    DecryptionError,
    DerivationCost,
    PersonKeys,
    derive_wrapping_key,
    generate_person_keys,
    new_recovery_key,
    new_salt,
    recovery_wrapping_key,
    unwrap_keys,
    wrap_keys,
)
from faced.crypto.receipts import (
    ReceiptKeys,
    derive_receipt_keys,
    new_receipt,
)
from faced.ledger.selectors import published_keys
from faced.ledger.services import ledger_append
from faced.orgs.models import RoleAssignment
from faced.orgs.services import person_reference


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


class CustodyError(ValueError):
    """A refusal with a message that is safe and useful to show."""


def _cost() -> DerivationCost:
    return DerivationCost(**settings.KEY_DERIVATION_COST)


def _associated_data(user: User, purpose: str) -> bytes:
    # Binds wrapped keys to their owner and purpose: a wrapped blob copied
    # onto another person's row, or from one purpose to the other, fails.
    return f"faced person keys|{user.pk}|{purpose}".encode()


def _wrap_with_password(
    custody: KeyCustody, keys: PersonKeys, password: str
) -> None:
    cost = _cost()
    salt = new_salt()
    custody.password_salt = salt
    custody.password_opslimit = cost.opslimit
    custody.password_memlimit = cost.memlimit
    custody.wrapped_by_password = wrap_keys(
        keys,
        derive_wrapping_key(password, salt, cost),
        associated_data=_associated_data(custody.user, "password"),
    )
    custody.password_wrapped_at = timezone.now()


def _wrap_with_recovery(custody: KeyCustody, keys: PersonKeys) -> str:
    recovery_key = new_recovery_key()
    custody.wrapped_by_recovery = wrap_keys(
        keys,
        recovery_wrapping_key(recovery_key),
        associated_data=_associated_data(custody.user, "recovery"),
    )
    custody.recovery_wrapped_at = timezone.now()
    return recovery_key


def keys_create(*, user: User, password: str) -> tuple[PersonKeys, str]:
    """Make the person's keys; return them and the recovery key to show
    once. Refused if they have keys already: replacing keys would cut
    them off from everything sealed to the old ones."""
    keys = generate_person_keys()
    with transaction.atomic():
        if KeyCustody.objects.filter(user=user).exists():
            raise CustodyError(_("This person has keys already."))
        custody = KeyCustody(
            user=user,
            box_public_key=keys.box_public_key,
            verify_key=keys.verify_key,
        )
        _wrap_with_password(custody, keys, password)
        recovery_key = _wrap_with_recovery(custody, keys)
        custody.save()
        if RoleAssignment.objects.filter(user=user, revoked_at=None).exists():
            _publish_keys(user, keys.box_public_key, keys.verify_key)
    return keys, recovery_key


def _publish_keys(
    user: User, box_public_key: bytes, verify_key: bytes
) -> None:
    """Put a role holder's public keys on the record, so that anyone can
    later check a signature (a finding's) against the key they had then,
    and nobody can swap the key in the database unnoticed. A survivor's
    are not published: the public log must not show when survivors join.
    """
    ledger_append(
        event_type="keys_created",
        payload={
            "person": person_reference(user),
            "box_public_key": _b64(box_public_key),
            "verify_key": _b64(verify_key),
        },
    )


def keys_publish_for_role_holder(
    sender: object, *, user: User, **kwargs: object
) -> None:
    """On a role grant: publish the keys of someone who had them already
    (a survivor given a role), once."""
    custody = KeyCustody.objects.filter(user=user).first()
    if custody is None:
        return
    if published_keys(person_reference(user)) is None:
        _publish_keys(
            user, bytes(custody.box_public_key), bytes(custody.verify_key)
        )


def keys_unlock(*, user: User, password: str) -> PersonKeys | None:
    """The person's private keys, or None if they have none yet.

    Raises CustodyError when the password does not open them.
    """
    custody = KeyCustody.objects.filter(user=user).first()
    if custody is None:
        return None
    cost = DerivationCost(
        opslimit=custody.password_opslimit,
        memlimit=custody.password_memlimit,
    )
    try:
        return unwrap_keys(
            bytes(custody.wrapped_by_password),
            derive_wrapping_key(password, bytes(custody.password_salt), cost),
            associated_data=_associated_data(user, "password"),
        )
    except DecryptionError:
        raise CustodyError(
            _("That password does not open your keys.")
        ) from None


def password_change(
    *, user: User, current_password: str, new_password: str
) -> None:
    """Change the password and rewrap the keys under it, in one step."""
    if not user.check_password(current_password):
        raise CustodyError(_("Your current password is not right."))
    validate_password(new_password, user)
    with transaction.atomic():
        keys = keys_unlock(user=user, password=current_password)
        user.set_password(new_password)
        user.password_is_temporary = False
        user.save(update_fields=["password", "password_is_temporary"])
        if keys is not None:
            custody = KeyCustody.objects.select_for_update().get(user=user)
            _wrap_with_password(custody, keys, new_password)
            custody.save()


def password_choose_first(
    *, user: User, new_password: str
) -> tuple[PersonKeys, str]:
    """Replace the operator's temporary password with the person's own, and
    only now make their keys, so the operator can never open them."""
    if not user.password_is_temporary:
        raise CustodyError(_("You have chosen your password already."))
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_is_temporary = False
        user.save(update_fields=["password", "password_is_temporary"])
        return keys_create(user=user, password=new_password)


def keys_recover(
    *, user: User, recovery_key: str, new_password: str
) -> tuple[PersonKeys, str]:
    """Open the keys with the recovery key, set a new password, and issue a
    new recovery key (the old one may have been seen while in use)."""
    custody = KeyCustody.objects.filter(user=user).first()
    if custody is None:
        raise CustodyError(
            _("This account has no recovery key. Ask your operator.")
        )
    try:
        keys = unwrap_keys(
            bytes(custody.wrapped_by_recovery),
            recovery_wrapping_key(recovery_key),
            associated_data=_associated_data(user, "recovery"),
        )
    except DecryptionError:
        raise CustodyError(
            _("That recovery key does not open this account's keys.")
        ) from None
    except ValueError as error:
        raise CustodyError(str(error)) from None
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_is_temporary = False
        user.save(update_fields=["password", "password_is_temporary"])
        custody = KeyCustody.objects.select_for_update().get(user=user)
        _wrap_with_password(custody, keys, new_password)
        new_key = _wrap_with_recovery(custody, keys)
        custody.save()
    return keys, new_key


def _receipt_salt() -> tuple[bytes, DerivationCost]:
    """The deployment's receipt salt and cost, made once at install."""
    row = ReceiptSalt.objects.filter(pk=1).first()
    if row is None:
        try:
            row = ReceiptSalt.objects.create(
                pk=1, salt=secrets.token_bytes(16), **_cost().__dict__
            )
        except IntegrityError:
            row = ReceiptSalt.objects.get(pk=1)
    return bytes(row.salt), DerivationCost(row.opslimit, row.memlimit)


def receipt_create() -> tuple[str, ReceiptIdentity, PersonKeys]:
    """A new anonymous identity: the receipt to show once, and its keys.

    Only the lookup id and the public key are stored, with an account of
    a random name and no password that the receipt signs in as.
    """
    receipt = new_receipt()
    keys = derive_receipt_keys(receipt, *_receipt_salt())
    with transaction.atomic():
        user = User.objects.create_user(
            username=f"receipt-{secrets.token_hex(8)}", password=None
        )
        identity = ReceiptIdentity.objects.create(
            lookup_id=keys.lookup_id.hex(),
            box_public_key=keys.box_public_key,
            user=user,
        )
    return receipt, identity, _person_keys(keys)


def _person_keys(keys: ReceiptKeys) -> PersonKeys:
    return PersonKeys(
        box_private_key=keys.box_private_key, signing_seed=keys.signing_seed
    )


def box_public_key_of(user: User) -> bytes:
    """The key to seal things to USER: their own, or their receipt's."""
    custody = KeyCustody.objects.filter(user=user).first()
    if custody is not None:
        return bytes(custody.box_public_key)
    identity = ReceiptIdentity.objects.filter(user=user).first()
    if identity is not None:
        return bytes(identity.box_public_key)
    raise CustodyError(_("This person has no keys yet."))


def receipt_open(receipt: str) -> tuple[ReceiptIdentity, PersonKeys]:
    """The identity and keys a receipt opens, or CustodyError.

    Guessing is throttled deployment-wide (a receipt has no username to
    throttle by, and faced keeps no addresses): see receipt_throttle.
    """
    from faced.accounts.services import receipt_attempt_allowed, receipt_failed

    if not receipt_attempt_allowed():
        raise CustodyError(
            _(
                "faced is receiving many wrong receipts right now, so it "
                "is pausing receipt sign-in for a minute. Please try again "
                "shortly; your records are safe."
            )
        )
    try:
        keys = derive_receipt_keys(receipt, *_receipt_salt())
    except ValueError as error:
        raise CustodyError(str(error)) from None
    identity = ReceiptIdentity.objects.filter(
        lookup_id=keys.lookup_id.hex()
    ).first()
    if identity is None:
        receipt_failed()
        raise CustodyError(
            _(
                "That receipt does not open anything here. Check each word "
                "against your copy."
            )
        )
    return identity, _person_keys(keys)
