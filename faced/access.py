"""One declarative access rule for every URL name.

Each app lists its rules in `<app>/access.py` as RULES, a mapping of URL
name to rule; the project's own pages are in PROJECT_RULES below. The
middleware refuses any view that has no rule (fail closed), and the
access-rule table test fails the suite for a URL without one.
"""

import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from faced.accounts.services import signin_pending_user
from faced.orgs.roles import Role
from faced.orgs.selectors import HeldRole, request_roles

logger = logging.getLogger(__name__)


class Decision(enum.Enum):
    ALLOW = "allow"
    SIGN_IN = "sign in"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Rule:
    """Who may reach a URL. Subclasses say how it is decided."""

    def decide(self, request: HttpRequest, kwargs: Mapping) -> Decision:
        raise NotImplementedError


@dataclass(frozen=True)
class Public(Rule):
    """Anyone, signed in or not."""

    def decide(self, request, kwargs):
        return Decision.ALLOW


@dataclass(frozen=True)
class SignedIn(Rule):
    """Anyone signed in: a survivor with an account or a role holder."""

    def decide(self, request, kwargs):
        if request.user.is_authenticated:
            return Decision.ALLOW
        return Decision.SIGN_IN


@dataclass(frozen=True)
class PendingSecondFactor(Rule):
    """Someone whose password was right and who owes a second factor.

    Signed-in people are let through too: the view sends them home.
    """

    def decide(self, request, kwargs):
        if request.user.is_authenticated:
            return Decision.ALLOW
        if signin_pending_user(request) is not None:
            return Decision.ALLOW
        return Decision.SIGN_IN


def _holder_of_any(request: HttpRequest, wanted: set[HeldRole]) -> Decision:
    """Allow a signed-in person who holds one of WANTED."""
    if not request.user.is_authenticated:
        return Decision.SIGN_IN
    if request_roles(request) & wanted:
        return Decision.ALLOW
    return Decision.REFUSE


@dataclass(frozen=True)
class OrganizationRole(Rule):
    """A holder of one of ROLES in the organization named by the URL."""

    roles: frozenset[Role]

    def decide(self, request, kwargs):
        slug = kwargs.get("org")
        # No organization in the URL: nobody holds a role in it.
        wanted = {(slug, role) for role in self.roles} if slug else set()
        return _holder_of_any(request, wanted)


@dataclass(frozen=True)
class DeploymentRole(Rule):
    """A holder of one of the deployment-wide ROLES."""

    roles: frozenset[Role]

    def decide(self, request, kwargs):
        return _holder_of_any(request, {(None, role) for role in self.roles})


def public() -> Rule:
    return Public()


def signed_in() -> Rule:
    return SignedIn()


def pending_second_factor() -> Rule:
    return PendingSecondFactor()


def organization_role(*roles: Role) -> Rule:
    return OrganizationRole(frozenset(roles))


def deployment_role(*roles: Role) -> Rule:
    return DeploymentRole(frozenset(roles))


# What a person signed in with the operator's temporary password may reach.
TEMPORARY_PASSWORD_ALLOWS = frozenset(
    {"accounts:choose_password", "accounts:signout", "leave", "healthz"}
)

PROJECT_RULES: dict[str, Rule] = {
    "landing": public(),
    "leave": public(),
    "healthz": public(),
}


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule of the project and of each faced app, by URL name."""
    rules = dict(PROJECT_RULES)
    for config in apps.get_app_configs():
        if not config.name.startswith("faced."):
            continue
        try:
            module = import_module(f"{config.name}.access")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.access":
                raise
            continue
        for name, rule in module.RULES.items():
            if name in rules:
                raise ValueError(f"Two access rules for the URL {name!r}.")
            rules[name] = rule
    return rules


def refuse(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


class AccessRuleMiddleware:
    """Applies the rule of the URL name before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        rule = all_rules().get(match.view_name) if match else None
        if rule is None:
            logger.error("No access rule for the URL %s.", match.view_name)
            return refuse(request)
        user = request.user
        if (
            user.is_authenticated
            and request_roles(request)
            and not user.is_verified()
        ):
            # A role holder's session that never passed the second factor
            # (a role granted while they were signed in as a survivor) may
            # not go on: they sign in again, with the code.
            logout(request)
            return redirect_to_login(request.get_full_path())
        if (
            user.is_authenticated
            and user.password_is_temporary
            and match.view_name not in TEMPORARY_PASSWORD_ALLOWS
        ):
            # Nothing but choosing a password until the operator's
            # temporary one is gone: the person's keys do not exist yet.
            return redirect("accounts:choose_password")
        decision = rule.decide(request, view_kwargs)
        if decision is Decision.ALLOW:
            return None
        if decision is Decision.SIGN_IN:
            return redirect_to_login(request.get_full_path())
        return refuse(request)
