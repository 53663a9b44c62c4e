"""Reads of organizations and roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from faced.orgs.models import Organization, RoleAssignment
from faced.orgs.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    # For the type hints only: orgs imports no other app (accounts imports
    # orgs, for the roles that call for a second factor).
    from faced.accounts.models import User

# (organization slug, or None for a deployment-wide role; role)
HeldRole = tuple[str | None, str]


def roles_of(user: User | AnonymousUser) -> frozenset[HeldRole]:
    if not user.is_authenticated:
        return frozenset()
    return frozenset(
        RoleAssignment.objects.filter(user=user, revoked_at=None).values_list(
            "organization__slug", "role"
        )
    )


def request_roles(request: HttpRequest) -> frozenset[HeldRole]:
    """The signed-in person's roles, read once per request."""
    roles: frozenset[HeldRole] | None = getattr(request, "_faced_roles", None)
    if roles is None:
        roles = roles_of(request.user)
        request._faced_roles = roles  # type: ignore[attr-defined]
    return roles


@dataclass(frozen=True)
class RoleHome:
    role: Role
    organization: Organization | None
    url_name: str

    @property
    def kwargs(self) -> dict[str, str]:
        if self.organization is None:
            return {}
        return {"org": self.organization.slug}

    @property
    def url(self) -> str:
        return reverse(self.url_name, kwargs=self.kwargs)


HOME_URL_NAMES = {
    # The advocate's page lists records shared with them: the vault's.
    Role.ADVOCATE: "advocate:home",
    # The committee's page is its inbox: the cases app's.
    Role.COMMITTEE: "committee:home",
    # The appeals page lists appeals to hear: the cases app's.
    Role.APPEALS: "appeals:home",
    # Leadership's page lists measure notices: the cases app's.
    Role.LEADERSHIP: "leadership:home",
    Role.COORDINATOR: "staff:coordinator_home",
    # The counselor's page lists matches: the matching app's.
    Role.COUNSELOR: "counselor:home",
    Role.OPERATOR: "staff:operator_home",
}


def role_homes(user: User) -> list[RoleHome]:
    """One home page for each role the person holds, in a stable order."""
    assignments = (
        RoleAssignment.objects.filter(user=user, revoked_at=None)
        .select_related("organization")
        .order_by("organization__name", "role")
    )
    return [
        RoleHome(
            role=Role(a.role),
            organization=a.organization,
            url_name=HOME_URL_NAMES[Role(a.role)],
        )
        for a in assignments
    ]


def role_holders(
    organization: Organization | None, role: Role
) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(
            organization=organization, role=role, revoked_at=None
        )
        .select_related("user")
        .order_by("user__username")
    )
