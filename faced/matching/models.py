"""The matching escrow's tables.

An entry holds only what the Callisto design allows: the match index (a
keyed output of the OPRF, never an identifier or a plain hash of one), the
survivor's Shamir share (with the entry's own key wrapped under the key
enough shares recover) encrypted under a share key sealed to each
counselor, and the survivor's payload encrypted under the entry's key.
The kind of identifier (e-mail, phone...) is kept so that the survivor
can tell their entries apart; the identifier itself is not.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Match(models.Model):
    """Entries of at least the threshold of distinct survivors share an
    index. Counselors open the matched payloads, and nothing else."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    index = models.CharField(max_length=64)
    # Entries made under one threshold share a polynomial only with each
    # other: a change of the setting starts new matches.
    threshold = models.PositiveSmallIntegerField()
    found_at = models.DateTimeField(default=timezone.now)
    # Published (ledger entry, counselors told) by the periodic task, not
    # at the moment an entry completes it: otherwise someone could add an
    # entry, watch the public ledger, and withdraw, to learn whether a
    # person was named.
    published_at = models.DateTimeField(null=True, blank=True)
    published_count = models.PositiveIntegerField(default=0)
    # When a counselor first opened it; only then are its survivors told.
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-found_at"]
        verbose_name_plural = "matches"
        constraints = [
            models.UniqueConstraint(
                fields=["index", "threshold"], name="one_match_per_index"
            )
        ]

    def __str__(self) -> str:
        return f"match {self.pk}"


class Entry(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail address")
        PHONE = "phone", _("Phone number")
        PROFILE = "profile", _("Social media profile")
        NAME = "name", _("Name, with the organization")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="matching_entries",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Hex of a keyed hash of the OPRF output: equal for the same person
    # named by anyone, meaningless without the key service.
    index = models.CharField(max_length=64, db_index=True)
    threshold = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    # The share, and the entry key wrapped under the key the threshold of
    # shares recovers, both encrypted under a random share key sealed to
    # each counselor (EntryShareKey).
    share_ciphertext = models.BinaryField()
    # How to reach the survivor and their message, under the entry key: a
    # correct guess of the identifier (with the matching key) recovers the
    # shares' key, but the entry key needs a counselor's private key too.
    payload_ciphertext = models.BinaryField()
    match = models.ForeignKey(
        Match,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
    )
    contacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The same survivor naming the same person twice adds nothing:
            # their shares would sit at the same point.
            models.UniqueConstraint(
                fields=["owner", "index"], name="one_entry_per_person_named"
            )
        ]

    def __str__(self) -> str:
        return f"entry {self.pk}"


class EntryShareKey(models.Model):
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="share_keys"
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sealed_key = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "counselor"], name="one_share_key_each"
            )
        ]

    def __str__(self) -> str:
        return f"share key of {self.entry_id} for {self.counselor_id}"


class HeldReport(models.Model):
    """A report to a committee the survivor prepared to "go together": it
    is sent only if their entry matches, and only when they confirm then.
    What it would include is sealed to the survivor alone."""

    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, related_name="held_report"
    )
    record = models.ForeignKey(
        "vault.VaultRecord", on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+"
    )
    sealed_choices = models.BinaryField()

    def __str__(self) -> str:
        return f"held report of {self.entry_id}"


class EntryAddition(models.Model):
    """That a survivor added an entry, kept a day, to ration additions
    (withdrawn entries included). Only the time: nothing of the entry."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"addition by {self.owner_id}"


class EvaluationMinute(models.Model):
    """How many OPRF evaluations the in-process key service did in one
    clock minute, for the whole deployment. A row, incremented in place,
    so that every app server shares the budget and requests sent at once
    cannot all slip under it."""

    minute = models.BigIntegerField(primary_key=True)
    spent = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.spent} evaluations in minute {self.minute}"
