"""A case's keys and the texts sealed under them."""

import json

from django.utils.translation import gettext as _

from faced.cases.errors import CaseError
from faced.cases.models import (
    Appeal,
    Case,
    CaseDocument,
    CaseKey,
    PanelKey,
)
from faced.crypto.envelope import (
    DecryptionError,
    decrypt,
    encrypt,
    new_content_key,
)
from faced.crypto.keys import PersonKeys
from faced.crypto.signing import canonical_json
from faced.vault.services import (
    open_own_copy,
    seal_to_confirmed,
)


def associated_data(case: Case, *parts: object) -> bytes:
    return "|".join(["faced case", str(case.pk), *map(str, parts)]).encode()


def case_key_open(case: Case, reader, keys: PersonKeys) -> bytes:
    return open_own_copy(
        CaseKey.objects.filter(case=case, reader=reader),
        keys,
        missing=_("You have no key to this case."),
        damaged=_("Your key to this case does not open."),
        error=CaseError,
    )


def panel_key_open(case: Case, reader, keys: PersonKeys) -> bytes:
    return open_own_copy(
        PanelKey.objects.filter(case=case, reader=reader),
        keys,
        missing=_("You have no key to this panel's own records."),
        damaged=_("Your key to this panel's own records does not open."),
        error=CaseError,
    )


def under_case_key_open(
    case: Case, reader, keys: PersonKeys, *, wrapped_key, ciphertext, purpose
) -> dict:
    """Content whose item key is wrapped under the case key."""
    return item_open(
        case,
        case_key_open(case, reader, keys),
        wrapped_key=wrapped_key,
        ciphertext=ciphertext,
        purpose=purpose,
    )


def item_open(case: Case, key: bytes, *, wrapped_key, ciphertext, purpose):
    """Content whose item key is wrapped under KEY (the case's or the
    panel's)."""
    try:
        item_key = decrypt(
            key,
            bytes(wrapped_key),
            associated_data=associated_data(case, purpose, "key"),
        )
        return json.loads(
            decrypt(
                item_key,
                bytes(ciphertext),
                associated_data=associated_data(case, purpose),
            )
        )
    except DecryptionError:
        raise CaseError(
            _("This could not be opened: its stored data was changed.")
        ) from None


def document_store(
    case: Case, key: bytes, *, kind: str, author, text: str
) -> CaseDocument:
    """A text of the case under its own item key, wrapped under KEY (the
    case key for messages, the panel key for the panel's records). The
    purpose bound into both is "<kind>-<id>"."""
    document = CaseDocument.objects.create(
        case=case, kind=kind, author=author, wrapped_key=b"", ciphertext=b""
    )
    purpose = f"{kind}-{document.pk}"
    item_key = new_content_key()
    document.wrapped_key = encrypt(
        key, item_key, associated_data=associated_data(case, purpose, "key")
    )
    document.ciphertext = encrypt(
        item_key,
        canonical_json({"text": text}),
        associated_data=associated_data(case, purpose),
    )
    document.save(update_fields=["wrapped_key", "ciphertext"])
    return document


def case_key_seal_to(case: Case, case_key: bytes, members) -> None:
    """Seal CASE_KEY to each of MEMBERS who lacks a copy."""
    holders = set(
        CaseKey.objects.filter(case=case).values_list("reader_id", flat=True)
    )
    CaseKey.objects.bulk_create(
        CaseKey(case=case, reader=member, sealed_key=sealed)
        for member, sealed in seal_to_confirmed(
            case_key, [m for m in members if m.pk not in holders]
        )
    )


def grounds_seal(appeal: Appeal, case_key: bytes, items: list) -> None:
    purpose = f"appeal-{appeal.pk}"
    item_key = new_content_key()
    appeal.wrapped_key = encrypt(
        case_key,
        item_key,
        associated_data=associated_data(appeal.case, purpose, "key"),
    )
    appeal.ciphertext = encrypt(
        item_key,
        canonical_json({"grounds": [dict(item) for item in items]}),
        associated_data=associated_data(appeal.case, purpose),
    )


def grounds_open(appeal: Appeal, case_key: bytes) -> list[dict]:
    body = item_open(
        appeal.case,
        case_key,
        wrapped_key=appeal.wrapped_key,
        ciphertext=appeal.ciphertext,
        purpose=f"appeal-{appeal.pk}",
    )
    return list(body["grounds"])
