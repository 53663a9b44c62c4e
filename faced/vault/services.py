"""Writes to survivors' records: drafts, versions, attachments, sharing,
deletion. Every function that reads content takes the person's keys, which
only their session holds."""

import base64
import json
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _

from faced.accounts.custody import box_public_key_of
from faced.accounts.models import User
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
    CHUNK_BYTES,
    EncryptingWriter,
    StreamError,
    TooLarge,
    decrypt_stream,
)
from faced.ledger.bundle import commit, new_salt
from faced.ledger.selectors import published_keys
from faced.ledger.services import ledger_append
from faced.orgs.models import Organization
from faced.orgs.services import person_reference
from faced.vault.fields import clean_fields
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


def _draft_purpose(owner: User, record: VaultRecord | None) -> bytes:
    return _ad("draft", owner.pk, record.pk if record else "new")


def own_public_key(owner: User, keys: PersonKeys | None) -> bytes:
    """The key to seal the owner's own things to: the one their session
    holds, checked against the stored one. Someone who swapped the stored
    public key in the database must not receive what survivors write."""
    stored = box_public_key_of(owner)
    if keys is not None and keys.box_public_key != stored:
        raise VaultError(
            _(
                "Your stored key does not match your own: faced stopped so "
                "that nothing is locked to a key that is not yours. Please "
                "tell the people who run this server."
            )
        )
    return stored if keys is None else keys.box_public_key


def draft_save(
    *,
    owner: User,
    fields: Mapping[str, str],
    step: int,
    record: VaultRecord | None = None,
    keys: PersonKeys | None = None,
) -> Draft:
    """Keep what was typed so far, sealed to the owner alone."""
    content = canonical_json(clean_fields(fields))
    with transaction.atomic():
        draft = Draft.objects.filter(owner=owner, record=record).first()
        if draft is None:
            draft = Draft(owner=owner, record=record)
        draft.sealed_content = seal_for(
            own_public_key(owner, keys), content, _draft_purpose(owner, record)
        )
        draft.step = step
        draft.save()
    return draft


def draft_open(*, draft: Draft, keys: PersonKeys) -> dict[str, str]:
    try:
        raw = open_sealed(
            keys,
            bytes(draft.sealed_content),
            _draft_purpose(draft.owner, draft.record),
        )
    except DecryptionError:
        raise VaultError(
            _("This draft could not be opened with your keys.")
        ) from None
    fields: dict[str, str] = json.loads(raw)
    return fields


# Records and versions ---------------------------------------------------


def open_own_copy(
    sealed_copies: models.QuerySet[Any],
    keys: PersonKeys,
    *,
    missing: str,
    damaged: str,
    error: type[ValueError] = ValueError,
) -> bytes:
    """Open the reader's sealed copy of a key (the first `sealed_key` of
    SEALED_COPIES, a queryset already filtered to the reader), or raise
    ERROR with MISSING or DAMAGED. Records, cases and measure notices all
    keep their keys this way."""
    sealed = sealed_copies.values_list("sealed_key", flat=True).first()
    if sealed is None:
        raise error(missing)
    try:
        return open_sealed_key(
            bytes(sealed), keys.box_public_key, keys.box_private_key
        )
    except DecryptionError:
        raise error(damaged) from None


def seal_to_confirmed(
    key: bytes, readers: Iterable[User]
) -> list[tuple[User, bytes]]:
    """KEY sealed to each reader whose public key matches the ledger's
    record of it; a reader whose key cannot be confirmed gets no copy."""
    sealed = []
    for reader in readers:
        try:
            public_key = ledger_confirmed_public_key(reader)
        except VaultError:
            continue
        sealed.append((reader, seal_key(key, public_key)))
    return sealed


def record_key_open(
    *, record: VaultRecord, reader: User, keys: PersonKeys
) -> bytes:
    """The record key, from READER's own sealed copy of it."""
    return open_own_copy(
        RecordKey.objects.filter(record=record, reader=reader),
        keys,
        missing=_("You have no key to this record."),
        damaged=_("This record could not be opened with your keys."),
        error=VaultError,
    )


@dataclass(frozen=True)
class SavedVersion:
    version: RecordVersion
    commitment: str


def record_save(
    *,
    owner: User,
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
        created = False
        if record is None:
            record = VaultRecord.objects.create(owner=owner)
            record_key = new_content_key()
            RecordKey.objects.create(
                record=record,
                reader=owner,
                sealed_key=seal_key(record_key, own_public_key(owner, keys)),
                key_version=record.key_version,
            )
            created = True
        else:
            record = VaultRecord.objects.select_for_update().get(
                pk=record.pk, owner=owner
            )
            record_key = record_key_open(
                record=record, reader=owner, keys=keys
            )
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
        # The draft this save came from: the new-record draft when the
        # record is new, the record's own draft when it is an edit.
        Draft.objects.filter(
            owner=owner, record=None if created else record
        ).delete()
    return SavedVersion(version=version, commitment=commitment)


@dataclass(frozen=True)
class OpenedVersion:
    version: RecordVersion
    fields: dict[str, str]
    salt: bytes


def version_open(
    *, version: RecordVersion, reader: User, keys: PersonKeys
) -> OpenedVersion:
    record = version.record
    record_key = record_key_open(record=record, reader=reader, keys=keys)
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


def record_delete(*, record: VaultRecord, owner: User) -> None:
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
        transaction.on_commit(lambda: _unlink_all(stored))


def _unlink_all(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


# Sharing ----------------------------------------------------------------


def share_with(
    *,
    record: VaultRecord,
    owner: User,
    keys: PersonKeys,
    reader: User,
    organization: Organization,
) -> RecordKey:
    """Seal the record key to READER as well (an advocate)."""
    public_key = ledger_confirmed_public_key(reader)
    with transaction.atomic():
        record = VaultRecord.objects.select_for_update().get(
            pk=record.pk, owner=owner
        )
        if RecordKey.objects.filter(record=record, reader=reader).exists():
            raise VaultError(_("This person can read this record already."))
        record_key = record_key_open(record=record, reader=owner, keys=keys)
        return RecordKey.objects.create(
            record=record,
            reader=reader,
            organization=organization,
            sealed_key=seal_key(record_key, public_key),
            key_version=record.key_version,
        )


def ledger_confirmed_public_key(reader: User) -> bytes:
    """A role holder's public key, as the ledger recorded it when their
    keys were made: a key swapped in the database is refused."""
    stored = box_public_key_of(reader)
    recorded = published_keys(person_reference(reader))
    if recorded is None or recorded["box_public_key"] != base64.b64encode(
        stored
    ).decode("ascii"):
        raise VaultError(
            _(
                "This person's key could not be confirmed against the "
                "ledger, so faced did not share anything with them. Ask the "
                "people who run this server to run `faced ledger verify`."
            )
        )
    return stored


def share_revoke(
    *, record: VaultRecord, owner: User, keys: PersonKeys, reader: User
) -> int:
    """Stop sharing: a new record key, item keys rewrapped under it, and
    the key sealed again to everyone else; the reader's copy is destroyed
    and cannot open anything written from now on."""
    if reader == owner:
        raise VaultError(_("You cannot remove yourself from your record."))
    with transaction.atomic():
        record = VaultRecord.objects.select_for_update().get(
            pk=record.pk, owner=owner
        )
        old_key = record_key_open(record=record, reader=owner, keys=keys)
        deleted, _rows = RecordKey.objects.filter(
            record=record, reader=reader
        ).delete()
        if not deleted:
            raise VaultError(_("This person could not read this record."))
        new_key = new_content_key()
        record.key_version += 1
        record.save(update_fields=["key_version"])
        damaged = 0
        items: list[tuple[RecordVersion | Attachment, bytes]] = [
            (version, _ad(record.pk, "version", version.number))
            for version in record.versions.all()
        ] + [
            (attachment, attachment_purpose(record.pk, attachment.pk))
            for attachment in record.attachments.all()
        ]
        for item, purpose in items:
            try:
                item_key = decrypt(
                    old_key, bytes(item.wrapped_key), associated_data=purpose
                )
            except DecryptionError:
                # Already unreadable: left as it is, so that one damaged
                # item can never stop the survivor from revoking.
                damaged += 1
                continue
            item.wrapped_key = encrypt(
                new_key, item_key, associated_data=purpose
            )
            item.save(update_fields=["wrapped_key"])
        for remaining in RecordKey.objects.filter(record=record):
            if remaining.reader_id == owner.pk:
                public_key = own_public_key(owner, keys)
            else:
                try:
                    public_key = ledger_confirmed_public_key(remaining.reader)
                except VaultError:
                    # A reader whose key cannot be confirmed loses access
                    # rather than receive the new key.
                    remaining.delete()
                    continue
            remaining.sealed_key = seal_key(new_key, public_key)
            remaining.key_version = record.key_version
            remaining.save(update_fields=["sealed_key", "key_version"])
    return damaged


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


def attachment_purpose(
    record_pk: uuid.UUID, attachment_id: uuid.UUID
) -> bytes:
    return _ad(record_pk, "attachment", attachment_id)


def attachment_add(
    *,
    record: VaultRecord,
    owner: User,
    keys: PersonKeys,
    name: str,
    source: BinaryIO,
) -> Attachment:
    """Encrypt SOURCE as a stream and keep it with the record; refuse a
    disallowed type or a file over the size limit, keeping nothing."""
    check_attachment_name(name)
    attachment_id = uuid.uuid4()
    item_key = new_content_key()
    # The stubs do not count the temporary file's wrapper as a BinaryIO,
    # though it reads and writes bytes like one.
    scratch = cast(
        BinaryIO,
        tempfile.NamedTemporaryFile(  # noqa: SIM115
            dir=attachments_folder(), prefix="upload-", delete=False
        ),
    )
    try:
        writer = EncryptingWriter(
            item_key,
            scratch,
            max_bytes=settings.ATTACHMENT_MAX_BYTES,
            associated_data=attachment_purpose(record.pk, attachment_id),
        )
        while chunk := source.read(CHUNK_BYTES):
            writer.write(chunk)
        size = writer.close()
    except TooLarge:
        scratch.close()
        Path(scratch.name).unlink(missing_ok=True)
        raise VaultError(too_large_message()) from None
    scratch.close()
    return attachment_store(
        record=record,
        owner=owner,
        keys=keys,
        name=name,
        size=size,
        item_key=item_key,
        attachment_id=attachment_id,
        scratch_path=Path(scratch.name),
    )


def too_large_message() -> str:
    return _(
        "This file is larger than %(mb)s MB, the most faced keeps. Nothing "
        "was kept."
    ) % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}


def attachment_store(
    *,
    record: VaultRecord,
    owner: User,
    keys: PersonKeys,
    name: str,
    size: int,
    item_key: bytes,
    attachment_id: uuid.UUID,
    scratch_path: Path,
) -> Attachment:
    """Keep an encrypted file: its item key is wrapped under the record key
    read under the record's lock, so that a revoke happening meanwhile
    cannot leave the file under the old key."""
    try:
        content_type = check_attachment_name(name)
        with transaction.atomic():
            record = VaultRecord.objects.select_for_update().get(
                pk=record.pk, owner=owner
            )
            record_key = record_key_open(
                record=record, reader=owner, keys=keys
            )
            purpose = attachment_purpose(record.pk, attachment_id)
            attachment = Attachment.objects.create(
                id=attachment_id,
                record=record,
                size=size,
                wrapped_key=encrypt(
                    record_key, item_key, associated_data=purpose
                ),
                sealed_details=encrypt(
                    item_key,
                    canonical_json(
                        {"name": Path(name).name, "type": content_type}
                    ),
                    associated_data=purpose + b"|details",
                ),
            )
            shutil.move(scratch_path, _attachment_path(attachment))
    finally:
        scratch_path.unlink(missing_ok=True)
    return attachment


@dataclass(frozen=True)
class AttachmentDetails:
    item_key: bytes
    name: str
    content_type: str


def attachment_details_open(
    *, attachment: Attachment, record_key: bytes
) -> AttachmentDetails:
    """The file's item key, name and type, opened with RECORD_KEY. Raises
    DecryptionError when either was changed."""
    purpose = attachment_purpose(attachment.record_id, attachment.pk)
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
    return AttachmentDetails(
        item_key=item_key, name=details["name"], content_type=details["type"]
    )


@dataclass(frozen=True)
class OpenedAttachment:
    name: str
    content_type: str
    plaintext: BinaryIO


def attachment_open(
    *, attachment: Attachment, reader: User, keys: PersonKeys
) -> OpenedAttachment:
    """Decrypt into a temporary file (deleted when closed): a damaged file
    is refused whole, never handed out in part."""
    record_key = record_key_open(
        record=attachment.record, reader=reader, keys=keys
    )
    try:
        details = attachment_details_open(
            attachment=attachment, record_key=record_key
        )
        # In memory only (up to the size limit, which decrypt_stream
        # enforces): a survivor's file is never written out in the clear.
        # Handed to the response, which closes it. Cast as the scratch
        # file of attachment_add is.
        plaintext = cast(
            BinaryIO,
            tempfile.SpooledTemporaryFile(  # noqa: SIM115
                max_size=settings.ATTACHMENT_MAX_BYTES + CHUNK_BYTES
            ),
        )
        try:
            with _attachment_path(attachment).open("rb") as stored:
                decrypt_stream(
                    details.item_key,
                    stored,
                    plaintext,
                    max_bytes=settings.ATTACHMENT_MAX_BYTES,
                    associated_data=attachment_purpose(
                        attachment.record_id, attachment.pk
                    ),
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
        name=details.name,
        content_type=details.content_type,
        plaintext=plaintext,
    )
