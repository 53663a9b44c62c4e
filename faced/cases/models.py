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
    UNDER_WAY = "under_way", _("Under way")
    FINDING = "finding", _("Finding signed")
    APPEAL = "appeal", _("On appeal")
    DECIDED = "decided", _("Decided on appeal")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CasePath(models.TextChoices):
    """How the case is handled, chosen with the survivor."""

    INFORMAL = "informal", _("Informal resolution")
    RESTORATIVE = "restorative", _("Restorative process")
    INVESTIGATION = "investigation", _("Investigation")


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
    # The first substantive response: a message from the panel, a proposed
    # path, or a finding.
    responded_at = models.DateTimeField(null=True, blank=True)
    # The path the panel proposed, and the one the survivor agreed to.
    proposed_path = models.CharField(
        max_length=20, choices=CasePath.choices, blank=True
    )
    path = models.CharField(
        max_length=20, choices=CasePath.choices, blank=True
    )
    # The survivor may pause the case; deadlines stop while it is paused
    # and move on by as long when it resumes.
    paused_at = models.DateTimeField(null=True, blank=True)
    # When the scheduled check flagged a missed deadline (once each).
    acknowledge_overdue_at = models.DateTimeField(null=True, blank=True)
    respond_overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["organization", "-submitted_at"])]

    def __str__(self) -> str:
        return self.reference


class SealedCopy(models.Model):
    """One reader's copy of a key, sealed to their public key: only their
    private key opens it, and deleting the row takes their access away."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sealed_key = models.BinaryField()

    class Meta:
        abstract = True


class CaseKey(SealedCopy):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="keys"
    )

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

    class Meta:
        # Also the index the inbox's "not kept off" filter probes, case by
        # case.
        constraints = [
            models.UniqueConstraint(
                fields=["case", "member"], name="one_exclusion_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} excluded from {self.case}"


class CaseDocument(models.Model):
    """Encrypted content of a case: the report, and later messages."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        MESSAGE = "message", _("Message")
        # Kept under the panel key: the survivor does not read these.
        NOTE = "note", _("Internal note")
        STATEMENT = "statement", _("Respondent's statement")
        EVIDENCE = "evidence", _("Evidence")

    PANEL_ONLY = (Kind.NOTE, Kind.STATEMENT, Kind.EVIDENCE)

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
    # True for a row sealed before its id was bound into the associated
    # data (see cases/services/sealing.py): it is opened the way it was
    # sealed, and no new row is sealed so.
    sealed_without_id = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.case}"


class SurvivorActKey(SealedCopy):
    """The key a survivor signs their acts on one case with (withdrawing,
    pausing, agreeing to a path...): made at submission, its public half
    declared in the case's first ledger entry, its private half sealed to
    the survivor alone. One key per case, so that the ledger never links
    two reports of one person."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="act_key"
    )

    def __str__(self) -> str:
        return f"act key of {self.case}"


class PanelKey(SealedCopy):
    """A copy of the case's panel key, sealed to a panel member: it opens
    internal notes, statements and evidence, which the survivor does not
    read."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="panel_keys"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reader"], name="one_panel_key_per_reader"
            )
        ]

    def __str__(self) -> str:
        return f"panel key of {self.case} for {self.reader_id}"


class Seat(models.Model):
    """A member's seat on a panel (a case's or an appeal's). They read the
    case only after declaring that they have no conflict of interest."""

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
        abstract = True


class PanelSeat(Seat):
    """A committee member on a case's panel."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="panel"
    )

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
    # Set on an appeal panel's decision; empty on the first panel's finding.
    appeal = models.ForeignKey(
        "Appeal",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    # An appeal decision's kind (uphold, vary, send_back), set when it takes
    # effect; the ledger entry carries the same, and integrity checks
    # compare them.
    decision = models.CharField(max_length=20, blank=True)
    # The last moment a finding in effect may be appealed, fixed when it
    # takes effect.
    appeal_until = models.DateTimeField(null=True, blank=True)
    # True for a row sealed before its id was bound into the associated
    # data (see cases/services/sealing.py): it is opened the way it was
    # sealed, and no new row is sealed so.
    sealed_without_id = models.BooleanField(default=False)

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
    overdue_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ciphertext = models.BinaryField()
    # True for a row sealed before its id was bound into the associated
    # data (see cases/services/sealing.py): it is opened the way it was
    # sealed, and no new row is sealed so.
    sealed_without_id = models.BooleanField(default=False)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"measure notice {self.pk}"


class MeasureNoticeKey(SealedCopy):
    notice = models.ForeignKey(
        MeasureNotice, on_delete=models.CASCADE, related_name="keys"
    )

    def __str__(self) -> str:
        return f"key of {self.notice_id} for {self.reader_id}"


class Appeal(models.Model):
    """An appeal against a finding in effect, by the survivor or by the
    panel on the respondent's behalf. Its grounds are encrypted under the
    case key; it is heard by a panel drawn from the appeals role, and only
    its signed decision changes an outcome."""

    class Side(models.TextChoices):
        SURVIVOR = "survivor", _("The survivor")
        RESPONDENT = "respondent", _("The respondent")
        BOTH = "both", _("Both sides")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="appeals"
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, related_name="appeals"
    )
    side = models.CharField(max_length=20, choices=Side.choices)
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField(default=timezone.now)
    wrapped_key = models.BinaryField()
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["-lodged_at"]

    def __str__(self) -> str:
        return f"appeal {self.pk} on {self.case}"


class AppealSeat(Seat):
    """A member of the appeals role on an appeal's panel: never someone who
    sat on the case's first panel, never leadership."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="panel"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "member"], name="one_appeal_seat_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.appeal}"
