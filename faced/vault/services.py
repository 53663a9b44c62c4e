"""Writes to survivors' records: drafts, versions, attachments, sharing,
deletion. Every function that reads content takes the person's keys, which
only their session holds."""

import base64
import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from faced.accounts.custody import box_public_key_of
from faced.crypto.envelope import (
    SEAL_OVERHEAD_BYTES,
    DecryptionError,
    decrypt,
    encrypt,
    new_content_key,
    open_sealed_key,
    seal_key,
)
from faced.crypto.keys import PersonKeys
from faced.crypto.signing import canonical_json
from faced.crypto.stream import (
    StreamError,
    TooLarge,
    decrypt_stream,
    encrypt_stream,
)
from faced.ledger.bundle import commit, new_salt
from faced.ledger.services import ledger_append
from faced.vault.fields import RECORD_FIELDS, clean_fields
from faced.vault.models import (
    Attachment,
    Draft,
    RecordKey,
    RecordVersion,
    VaultRecord,
)

SEALED_KEY_BYTES = 32 + SEAL_OVERHEAD_BYTES

# What can be attached. The file is never opened on the server, so this
# list only keeps out what no one would mean to attach (programs).
ALLOWED_EXTENSIONS = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument."
    "wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".eml": "message/rfc822",
}


class VaultError(ValueError):
    """A refusal whose message is safe and useful to show."""


def _ad(*parts: object) -> bytes:
    # Binds each ciphertext to its place: a blob moved to another record,
    # version or purpose does not open.
    return "|".join(["faced vault", *map(str, parts)]).encode()


def seal_for(public_key: bytes, plaintext: bytes, purpose: bytes) -> bytes:
    """Encrypt PLAINTEXT so that only the holder of PUBLIC_KEY's private
    half can read it; writing needs no private key."""
    item_key = new_content_key()
    return seal_key(item_key, public_key) + encrypt(
        item_key, plaintext, associated_data=purpose
    )


def open_sealed(keys: PersonKeys, blob: bytes, purpose: bytes) -> bytes:
    item_key = open_sealed_key(
        blob[:SEALED_KEY_BYTES], keys.box_public_key, keys.box_private_key
    )
    return decrypt(item_key, blob[SEALED_KEY_BYTES:], associated_data=purpose)


# Drafts -----------------------------------------------------------------


def draft_save(
    *,
    owner,
    fields: Mapping[str, str],
    step: int,
    record: VaultRecord | None = None,
) -> Draft:
    """Keep what was typed so far, sealed to the owner alone."""
    content = canonical_json(clean_fields(fields))
    with transaction.atomic():
        draft = Draft.objects.filter(owner=owner, record=record).first()
        if draft is None:
            draft = Draft(owner=owner, record=record)
        draft.sealed_content = seal_for(
            box_public_key_of(owner), content, _ad("draft", owner.pk)
        )
        draft.step = step
        draft.save()
    return draft


def draft_open(*, draft: Draft, keys: PersonKeys) -> dict[str, str]:
    try:
        raw = open_sealed(
            keys, bytes(draft.sealed_content), _ad("draft", draft.owner_id)
        )
    except DecryptionError:
        raise VaultError(
            _("This draft could not be opened with your keys.")
        ) from None
    return json.loads(raw)


def draft_discard(*, owner, record: VaultRecord | None = None) -> None:
    Draft.objects.filter(owner=owner, record=record).delete()


# Records and versions ---------------------------------------------------


def _record_key(record: VaultRecord, reader, keys: PersonKeys) -> bytes:
    sealed = (
        RecordKey.objects.filter(record=record, reader=reader)
        .values_list("sealed_key", flat=True)
        .first()
    )
    if sealed is None:
        raise VaultError(_("You have no key to this record."))
    try:
        return open_sealed_key(
            bytes(sealed), keys.box_public_key, keys.box_private_key
        )
    except DecryptionError:
        raise VaultError(
            _("This record could not be opened with your keys.")
        ) from None


@dataclass(frozen=True)
class SavedVersion:
    version: RecordVersion
    commitment: str


def record_save(
    *,
    owner,
    keys: PersonKeys,
    fields: Mapping[str, str],
    record: VaultRecord | None = None,
) -> SavedVersion:
    """Save FIELDS as a new version, encrypted to the record's readers, and
    put a salted commitment to it in the ledger, in one transaction."""
    cleaned = clean_fields(fields)
    salt = new_salt()
    commitment = commit(cleaned, salt)
    with transaction.atomic():
        if record is None:
            record = VaultRecord.objects.create(owner=owner)
            record_key = new_content_key()
            RecordKey.objects.create(
                record=record,
                reader=owner,
                sealed_key=seal_key(record_key, box_public_key_of(owner)),
                key_version=record.key_version,
            )
        else:
            record = VaultRecord.objects.select_for_update().get(
                pk=record.pk, owner=owner
            )
            record_key = _record_key(record, owner, keys)
        number = (
            record.versions.order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        entry = ledger_append(
            event_type="record_saved", payload={"commitment": commitment}
        )
        item_key = new_content_key()
        content = canonical_json(
            {"fields": cleaned, "salt": base64.b64encode(salt).decode()}
        )
        version = RecordVersion.objects.create(
            record=record,
            number=number,
            wrapped_key=encrypt(
                record_key,
                item_key,
                associated_data=_ad(record.pk, "version", number),
            ),
            ciphertext=encrypt(
                item_key,
                content,
                associated_data=_ad(record.pk, "version", number, "content"),
            ),
            ledger_sequence=entry.sequence,
        )
        Draft.objects.filter(owner=owner, record=record).delete()
        Draft.objects.filter(owner=owner, record=None).delete()
    return SavedVersion(version=version, commitment=commitment)


@dataclass(frozen=True)
class OpenedVersion:
    version: RecordVersion
    fields: dict[str, str]
    salt: bytes


def version_open(
    *, version: RecordVersion, reader, keys: PersonKeys
) -> OpenedVersion:
    record = version.record
    record_key = _record_key(record, reader, keys)
    try:
        item_key = decrypt(
            record_key,
            bytes(version.wrapped_key),
            associated_data=_ad(record.pk, "version", version.number),
        )
        content = json.loads(
            decrypt(
                item_key,
                bytes(version.ciphertext),
                associated_data=_ad(
                    record.pk, "version", version.number, "content"
                ),
            )
        )
    except DecryptionError:
        raise VaultError(
            _(
                "This version could not be opened: its stored data was "
                "changed. Nothing else is affected."
            )
        ) from None
    return OpenedVersion(
        version=version,
        fields=content["fields"],
        salt=base64.b64decode(content["salt"]),
    )


def record_delete(*, record: VaultRecord, owner) -> None:
    """Shred the record: every sealed copy of its key, its versions and
    attachments go. The ledger keeps its commitments and records that the
    record was deleted, never what it said."""
    with transaction.atomic():
        record = VaultRecord.objects.select_for_update().get(
            pk=record.pk, owner=owner
        )
        stored = [_attachment_path(a) for a in record.attachments.all()]
        versions = record.versions.count()
        RecordKey.objects.filter(record=record).delete()
        record.delete()
        ledger_append(
            event_type="record_deleted", payload={"versions": versions}
        )
        transaction.on_commit(lambda: [p.unlink(True) for p in stored])


# Sharing ----------------------------------------------------------------


def share_with(
    *, record: VaultRecord, owner, keys: PersonKeys, reader, organization
) -> RecordKey:
    """Seal the record key to READER as well (an advocate)."""
    if RecordKey.objects.filter(record=record, reader=reader).exists():
        raise VaultError(_("This person can read this record already."))
    record_key = _record_key(record, owner, keys)
    return RecordKey.objects.create(
        record=record,
        reader=reader,
        organization=organization,
        sealed_key=seal_key(record_key, box_public_key_of(reader)),
        key_version=record.key_version,
    )


def share_revoke(
    *, record: VaultRecord, owner, keys: PersonKeys, reader
) -> None:
    """Stop sharing: a new record key, item keys rewrapped under it, and
    the key sealed again to everyone else; the reader's copy is destroyed
    and cannot open anything written from now on."""
    if reader == owner:
        raise VaultError(_("You cannot remove yourself from your record."))
    with transaction.atomic():
        record = VaultRecord.objects.select_for_update().get(
            pk=record.pk, owner=owner
        )
        old_key = _record_key(record, owner, keys)
        deleted, _rows = RecordKey.objects.filter(
            record=record, reader=reader
        ).delete()
        if not deleted:
            raise VaultError(_("This person could not read this record."))
        new_key = new_content_key()
        record.key_version += 1
        record.save(update_fields=["key_version"])
        for version in record.versions.all():
            purpose = _ad(record.pk, "version", version.number)
            item_key = decrypt(
                old_key, bytes(version.wrapped_key), associated_data=purpose
            )
            version.wrapped_key = encrypt(
                new_key, item_key, associated_data=purpose
            )
            version.save(update_fields=["wrapped_key"])
        for attachment in record.attachments.all():
            purpose = _ad(record.pk, "attachment", attachment.pk)
            item_key = decrypt(
                old_key,
                bytes(attachment.wrapped_key),
                associated_data=purpose,
            )
            attachment.wrapped_key = encrypt(
                new_key, item_key, associated_data=purpose
            )
            attachment.save(update_fields=["wrapped_key"])
        for remaining in RecordKey.objects.filter(record=record):
            remaining.sealed_key = seal_key(
                new_key, box_public_key_of(remaining.reader)
            )
            remaining.key_version = record.key_version
            remaining.save(update_fields=["sealed_key", "key_version"])


# Attachments ------------------------------------------------------------


def attachments_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _attachment_path(attachment: Attachment) -> Path:
    return attachments_folder() / f"{attachment.pk}.bin"


def check_attachment_name(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_EXTENSIONS:
        allowed = ", ".join(sorted(ALLOWED_EXTENSIONS))
        raise VaultError(
            _(
                "faced keeps photos, screenshots, documents and recordings "
                "(%(allowed)s). This file is not one of those."
            )
            % {"allowed": allowed}
        )
    return ALLOWED_EXTENSIONS[suffix]


def attachment_add(
    *,
    record: VaultRecord,
    owner,
    keys: PersonKeys,
    name: str,
    source: BinaryIO,
) -> Attachment:
    """Encrypt SOURCE as a stream into the attachments folder; refuse a
    disallowed type or a file over the size limit, keeping nothing."""
    content_type = check_attachment_name(name)
    record_key = _record_key(record, owner, keys)
    attachment = Attachment(record=record, size=0)
    item_key = new_content_key()
    target = _attachment_path(attachment)
    with tempfile.NamedTemporaryFile(
        dir=attachments_folder(), delete=False
    ) as scratch:
        try:
            size = encrypt_stream(
                item_key,
                source,
                scratch,
                max_bytes=settings.ATTACHMENT_MAX_BYTES,
                associated_data=_ad(record.pk, "attachment", attachment.pk),
            )
        except TooLarge:
            Path(scratch.name).unlink(missing_ok=True)
            raise VaultError(
                _("This file is larger than %(mb)s MB, the most faced keeps.")
                % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
            ) from None
    purpose = _ad(record.pk, "attachment", attachment.pk)
    attachment.size = size
    attachment.wrapped_key = encrypt(
        record_key, item_key, associated_data=purpose
    )
    attachment.sealed_details = encrypt(
        item_key,
        canonical_json({"name": Path(name).name, "type": content_type}),
        associated_data=purpose + b"|details",
    )
    with transaction.atomic():
        attachment.save()
        shutil.move(scratch.name, target)
    return attachment


@dataclass(frozen=True)
class OpenedAttachment:
    name: str
    content_type: str
    plaintext: BinaryIO


def attachment_open(
    *, attachment: Attachment, reader, keys: PersonKeys
) -> OpenedAttachment:
    """Decrypt into a temporary file (deleted when closed): a damaged file
    is refused whole, never handed out in part."""
    record = attachment.record
    record_key = _record_key(record, reader, keys)
    purpose = _ad(record.pk, "attachment", attachment.pk)
    try:
        item_key = decrypt(
            record_key, bytes(attachment.wrapped_key), associated_data=purpose
        )
        details = json.loads(
            decrypt(
                item_key,
                bytes(attachment.sealed_details),
                associated_data=purpose + b"|details",
            )
        )
        # Handed to the response, which closes (and so deletes) it.
        plaintext = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            with _attachment_path(attachment).open("rb") as stored:
                decrypt_stream(
                    item_key,
                    stored,
                    plaintext,
                    max_bytes=settings.ATTACHMENT_MAX_BYTES,
                    associated_data=purpose,
                )
        except BaseException:
            plaintext.close()
            raise
    except (DecryptionError, StreamError, OSError):
        raise VaultError(
            _("This file could not be opened: its stored copy was changed.")
        ) from None
    plaintext.seek(0)
    return OpenedAttachment(
        name=details["name"],
        content_type=details["type"],
        plaintext=plaintext,
    )


__all__ = ["RECORD_FIELDS"]
