"""The people of the demo, shared by `faced demo` and the test suite.

One persona per role, a survivor, and a committee member of a second
organization, so that every page can be asked "can the wrong person reach
this?" with the same cast the demo shows.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from faced.accounts.custody import keys_create
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.services import organization_create, role_grant

DEMO_ORGANIZATION = ("demo", "Demo Collective")
SECOND_ORGANIZATION = ("other", "Other Collective")
DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class Persona:
    username: str
    description: str
    # (organization slug, or None for deployment-wide; role)
    roles: tuple[tuple[str | None, Role], ...] = ()

    @property
    def needs_code(self) -> bool:
        return bool(self.roles)


PERSONAS = (
    Persona("survivor", "a survivor with an account"),
    Persona(
        "survivor2",
        "a second survivor (a member of Other Collective), who names the "
        "same person",
    ),
    Persona("advocate", "an advocate", (("demo", Role.ADVOCATE),)),
    Persona("committee1", "a committee member", (("demo", Role.COMMITTEE),)),
    Persona(
        "committee2",
        "a second committee member",
        (("demo", Role.COMMITTEE),),
    ),
    Persona("appeals", "an appeals member", (("demo", Role.APPEALS),)),
    Persona("appeals2", "a second appeals member", (("demo", Role.APPEALS),)),
    Persona("leadership", "a leadership member", (("demo", Role.LEADERSHIP),)),
    Persona(
        "coordinator", "the caucus coordinator", (("demo", Role.COORDINATOR),)
    ),
    Persona(
        "counselor",
        "a counselor (whole deployment)",
        ((None, Role.COUNSELOR),),
    ),
    Persona(
        "operator",
        "the server's operator (whole deployment)",
        ((None, Role.OPERATOR),),
    ),
    Persona(
        "other-committee",
        "a committee member of Other Collective",
        (("other", Role.COMMITTEE),),
    ),
)


def create_personas(*, password: str = DEMO_PASSWORD) -> dict[str, object]:
    """Create both organizations and every persona, with confirmed TOTP."""
    User = get_user_model()
    with transaction.atomic():
        organizations = {}
        for slug, name in (DEMO_ORGANIZATION, SECOND_ORGANIZATION):
            organizations[slug] = Organization.objects.filter(
                slug=slug
            ).first() or organization_create(name=name, slug=slug)
        users = {}
        for persona in PERSONAS:
            user = User.objects.create_user(
                username=persona.username, password=password
            )
            # The recovery key is not shown in the demo: the demo password
            # is published anyway.
            keys_create(user=user, password=password)
            for slug, role in persona.roles:
                role_grant(
                    user=user,
                    role=role,
                    organization=organizations[slug] if slug else None,
                )
            if persona.needs_code:
                TOTPDevice.objects.create(
                    user=user, name="Demo authenticator", confirmed=True
                )
            users[persona.username] = user
    return users
