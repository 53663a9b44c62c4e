"""A case's keys and the texts sealed under them.

Every text of a case (the report, a message, a panel's record, a finding
or an appeal decision, an appeal's grounds, a measure notice) is sealed
the same way: its own item key encrypts its canonical JSON, and the item
key is wrapped under the case key or the panel key (a measure notice's
key is sealed to its readers instead). The associated data of both binds
the case, the kind of text and the row's own id, so that a database
writer who moves a ciphertext to another row, another kind or another
case gets a row that does not open rather than a text that reads as
something it is not.
"""

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from faced.accounts.models import User
from faced.cases.errors import CaseError
from faced.cases.models import (
    Appeal,
    Case,
    CaseDocument,
    CaseKey,
    Finding,
    MeasureNotice,
    PanelKey,
    SurvivorActKey,
)
from faced.crypto.envelope import (
    DecryptionError,
    decrypt,
    encrypt,
    new_content_key,
)
from faced.crypto.keys import PersonKeys
from faced.crypto.signing import canonical_json
from faced.ledger.acts import SURVIVOR
from faced.ledger.services import ActSigner
from faced.vault.services import open_own_copy, seal_to_confirmed

# A row whose item key is wrapped under the case's or the panel's key.
WrappedRow = CaseDocument | Finding | Appeal
SealedRow = WrappedRow | MeasureNotice
# A row whose integer id exists only once it is saved.
CreatedRow = TypeVar("CreatedRow", CaseDocument, Finding)


def associated_data(
    row: SealedRow, *, case: Case, purpose: str, part: str
) -> bytes:
    """What a ciphertext of ROW is bound to: the case, the PURPOSE (the
    kind of text), the row's id and the PART ("key" for a wrapped item
    key, "content" for the text).

    Rows sealed before the id was bound everywhere (the report, findings
    and measure notices) carry `sealed_without_id` and are read with the
    binding they were made with; nothing is sealed that way any more."""
    if getattr(row, "sealed_without_id", False):
        # The earlier binding: "report" and "finding" without the id, a
        # measure notice as "measure|<id>", and no part for the content.
        bound = [purpose, str(row.pk)] if purpose == "measure" else [purpose]
    else:
        bound = [f"{purpose}-{row.pk}"]
    if part == "key":
        bound.append("key")
    return "|".join(["faced case", str(case.pk), *bound]).encode()


def text_seal(
    row: SealedRow,
    *,
    case: Case,
    key: bytes,
    purpose: str,
    body: dict[str, Any],
) -> None:
    """Seal BODY into ROW (which has its id already; the caller saves it).
    A row with a wrapped key gets a new item key wrapped under KEY; a
    measure notice is encrypted under KEY itself, its notice key."""
    if isinstance(row, MeasureNotice):
        content_key = key
    else:
        content_key = new_content_key()
        row.wrapped_key = encrypt(
            key,
            content_key,
            associated_data=associated_data(
                row, case=case, purpose=purpose, part="key"
            ),
        )
    row.ciphertext = encrypt(
        content_key,
        canonical_json(body),
        associated_data=associated_data(
            row, case=case, purpose=purpose, part="content"
        ),
    )


def text_open(
    row: SealedRow, *, case: Case, key: bytes, purpose: str
) -> dict[str, Any]:
    """The text sealed into ROW under KEY, or a CaseError when its stored
    data was changed (or moved from another row)."""
    try:
        if isinstance(row, MeasureNotice):
            content_key = key
        else:
            content_key = decrypt(
                key,
                bytes(row.wrapped_key),
                associated_data=associated_data(
                    row, case=case, purpose=purpose, part="key"
                ),
            )
        opened: dict[str, Any] = json.loads(
            decrypt(
                content_key,
                bytes(row.ciphertext),
                associated_data=associated_data(
                    row, case=case, purpose=purpose, part="content"
                ),
            )
        )
    except DecryptionError:
        raise CaseError(
            _("This could not be opened: its stored data was changed.")
        ) from None
    return opened


def case_key_open(case: Case, reader: User, keys: PersonKeys) -> bytes:
    """READER's copy of the case key, opened with their keys."""
    return open_own_copy(
        CaseKey.objects.filter(case=case, reader=reader),
        keys,
        missing=_("You have no key to this case."),
        damaged=_("Your key to this case does not open."),
        error=CaseError,
    )


def survivor_act_signer(
    case: Case, survivor: User, keys: PersonKeys
) -> ActSigner | None:
    """The survivor's signer for their acts on CASE, from their own sealed
    copy of the case's act key; None for a case reported before faced
    signed acts (its acts then show as unproven, never as signed)."""
    if not SurvivorActKey.objects.filter(case=case).exists():
        return None
    seed = open_own_copy(
        SurvivorActKey.objects.filter(case=case, reader=survivor),
        keys,
        missing=_("You have no key to act on this case."),
        damaged=_("Your key to act on this case does not open."),
        error=CaseError,
    )
    return ActSigner(SURVIVOR, seed)


def panel_key_open(case: Case, reader: User, keys: PersonKeys) -> bytes:
    """READER's copy of the key to the panel's own records."""
    return open_own_copy(
        PanelKey.objects.filter(case=case, reader=reader),
        keys,
        missing=_("You have no key to this panel's own records."),
        damaged=_("Your key to this panel's own records does not open."),
        error=CaseError,
    )


def sealed_create(
    model: type[CreatedRow],
    *,
    case: Case,
    key: bytes,
    purpose: str,
    body: dict[str, Any],
    **fields: Any,
) -> CreatedRow:
    """A new row of MODEL with FIELDS, BODY sealed into it under KEY. The
    row is saved first: its id is part of what the text is bound to."""
    row = model.objects.create(
        case=case, wrapped_key=b"", ciphertext=b"", **fields
    )
    text_seal(row, case=case, key=key, purpose=purpose, body=body)
    row.save(update_fields=["wrapped_key", "ciphertext"])
    return row


def document_store(
    case: Case, key: bytes, *, kind: str, author: User, text: str
) -> CaseDocument:
    """A text of the case (a message under the case key, a panel record
    under the panel key) in a row of its own."""
    return sealed_create(
        CaseDocument,
        case=case,
        key=key,
        purpose=kind,
        body={"text": text},
        kind=kind,
        author=author,
    )


def case_key_seal_to(
    case: Case, case_key: bytes, members: Iterable[User]
) -> None:
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
