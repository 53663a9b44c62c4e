from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from faced.orgs.roles import Role


class Organization(models.Model):
    """A membership organization with its own committee and leadership."""

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    # The committee's promises to survivors, counted in the accountability
    # report: acknowledge a report within a week, respond in substance
    # within three months.
    acknowledge_days = models.PositiveSmallIntegerField(default=7)
    respond_days = models.PositiveSmallIntegerField(default=90)
    # How long after a finding either side may appeal it, and how long
    # leadership has to acknowledge a measure notice.
    appeal_days = models.PositiveSmallIntegerField(default=14)
    measure_acknowledge_days = models.PositiveSmallIntegerField(default=7)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """One person holding one role, in one organization or deployment-wide.

    A revoked assignment is kept with its revocation time, so that the
    history of who held which power is never lost; only assignments
    without `revoked_at` confer anything.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        help_text=_("Empty for the deployment-wide roles."),
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when granted from the operator's shell."),
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_role_per_organization",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(revoked_at__isnull=True, organization=None),
                name="one_active_deployment_role",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        where = self.organization or _("the whole deployment")
        return f"{self.user} — {self.get_role_display()} — {where}"
