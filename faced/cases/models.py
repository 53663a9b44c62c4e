"""Reports to an organization's independent committee.

The report's content is encrypted under the case key, sealed to the
survivor and to each committee member the survivor did not exclude
(CaseKey). What the server keeps in the clear is what the committee's
inbox and the deadlines need: a reference, dates and a state.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    FINDING = "finding", _("Finding signed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="cases"
    )
    # A short reference people can say aloud: C-2026-0007.
    reference = models.CharField(max_length=20, unique=True)
    survivor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reported_cases",
    )
    state = models.CharField(
        max_length=20, choices=CaseState.choices, default=CaseState.SUBMITTED
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    acknowledge_by = models.DateTimeField()
    respond_by = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return self.reference


class CaseKey(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="keys"
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sealed_key = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reader"], name="one_case_key_per_reader"
            )
        ]

    def __str__(self) -> str:
        return f"key of {self.case} for {self.reader_id}"


class CaseExclusion(models.Model):
    """A committee member the survivor kept off the case: never given its
    key, never to sit on its panel. Only the software reads this."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="exclusions"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.member_id} excluded from {self.case}"


class CaseDocument(models.Model):
    """Encrypted content of a case: the report, and later messages."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        MESSAGE = "message", _("Message")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    wrapped_key = models.BinaryField()
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.case}"


class PanelSeat(models.Model):
    """A committee member on a case's panel. They read the case only after
    declaring that they have no conflict of interest."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="panel"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    # None until declared; True removes the member from the panel.
    has_conflict = models.BooleanField(null=True, default=None)
    declared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "member"], name="one_seat_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.case}"


class Finding(models.Model):
    """The panel's finding. Its content (outcome, rationale, measures and a
    salt) is encrypted under the case key; it takes effect when a majority
    of the panel has signed that content, and is immutable from then on:
    only a signed appeal decision can change an outcome."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="findings"
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(default=timezone.now)
    wrapped_key = models.BinaryField()
    ciphertext = models.BinaryField()
    effective_at = models.DateTimeField(null=True, blank=True)
    ledger_sequence = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at"]

    def __str__(self) -> str:
        return f"finding on {self.case}"


class FindingSignature(models.Model):
    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="signatures"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signature = models.BinaryField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["finding", "member"], name="one_signature_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"signature of {self.member_id} on {self.finding_id}"


class MeasureNotice(models.Model):
    """What leadership must enforce: who, what, until when — never why.

    Its content is encrypted under a notice key sealed to each leadership
    member, the panel and the survivor (MeasureNoticeKey); leadership
    acknowledges each notice, and a notice not acknowledged in time is
    counted as overdue.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="measures"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    acknowledge_by = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"measure notice {self.pk}"


class MeasureNoticeKey(models.Model):
    notice = models.ForeignKey(
        MeasureNotice, on_delete=models.CASCADE, related_name="keys"
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sealed_key = models.BinaryField()

    def __str__(self) -> str:
        return f"key of {self.notice_id} for {self.reader_id}"
