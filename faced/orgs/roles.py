"""The roles a person can hold, and the rules that keep powers apart."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADVOCATE = "advocate", _("Advocate")
    COMMITTEE = "committee", _("Committee member")
    APPEALS = "appeals", _("Appeals member")
    LEADERSHIP = "leadership", _("Leadership")
    COORDINATOR = "coordinator", _("Caucus coordinator")
    COUNSELOR = "counselor", _("Counselor")
    OPERATOR = "operator", _("Operator")


# Held within one organization.
ORGANIZATION_ROLES = frozenset(
    {
        Role.ADVOCATE,
        Role.COMMITTEE,
        Role.APPEALS,
        Role.LEADERSHIP,
        Role.COORDINATOR,
    }
)
# Held across the whole deployment, for every organization on it.
DEPLOYMENT_ROLES = frozenset({Role.COUNSELOR, Role.OPERATOR})

# Pairs nobody may hold together in one organization. Leadership must never
# judge a case or hear an appeal: that is how a finding was overturned and
# silenced in the story faced exists to prevent.
INCOMPATIBLE = {
    Role.LEADERSHIP: frozenset({Role.COMMITTEE, Role.APPEALS}),
    Role.COMMITTEE: frozenset({Role.LEADERSHIP}),
    Role.APPEALS: frozenset({Role.LEADERSHIP}),
}
