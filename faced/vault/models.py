"""A survivor's records. Nothing here is readable without the keys of the
people the survivor chose: the server holds ciphertext, sealed keys, dates
and sizes.

Key hierarchy: each record has a record key, sealed to each reader's
public key (RecordKey). Each version and attachment has its own item key,
stored encrypted under the record key. Removing a reader makes a new
record key and rewraps the item keys, so that a removed reader cannot open
anything written after; destroying every RecordKey shreds the record.
"""

import uuid

from django.conf import settings
from django.db import models


class VaultRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vault_records",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    key_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"record {self.id}"


class RecordKey(models.Model):
    """The record key, sealed to one reader (the owner, or an advocate the
    owner chose)."""

    record = models.ForeignKey(
        VaultRecord, on_delete=models.CASCADE, related_name="keys"
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vault_record_keys",
    )
    # For an advocate: the organization they were chosen in.
    organization = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.CASCADE
    )
    sealed_key = models.BinaryField()
    key_version = models.PositiveIntegerField()
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "reader"], name="one_key_per_reader"
            )
        ]

    def __str__(self) -> str:
        return f"key of {self.record_id} for {self.reader_id}"


class RecordVersion(models.Model):
    record = models.ForeignKey(
        VaultRecord, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    wrapped_key = models.BinaryField()
    ciphertext = models.BinaryField()
    # The ledger entry holding this version's salted commitment.
    ledger_sequence = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "number"], name="one_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"version {self.number} of {self.record_id}"


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    record = models.ForeignKey(
        VaultRecord, on_delete=models.CASCADE, related_name="attachments"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    wrapped_key = models.BinaryField()
    # The file's name and type, encrypted under the item key.
    sealed_details = models.BinaryField()
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"attachment {self.id}"


class Draft(models.Model):
    """A record in progress, sealed to its owner's public key alone: saving
    a step needs no private key, reading it back does."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vault_drafts",
    )
    record = models.ForeignKey(
        VaultRecord, null=True, blank=True, on_delete=models.CASCADE
    )
    sealed_content = models.BinaryField()
    step = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "record"],
                condition=models.Q(record__isnull=False),
                name="one_draft_per_record",
            ),
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(record__isnull=True),
                name="one_draft_of_a_new_record",
            ),
        ]

    def __str__(self) -> str:
        return f"draft of {self.owner_id}"
