"""Writes to organizations and roles. Every role change goes through here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from faced.crypto.keys import PersonKeys
from faced.ledger.services import ActSigner, ledger_append
from faced.orgs.models import Organization, RoleAssignment
from faced.orgs.roles import (
    DEPLOYMENT_ROLES,
    INCOMPATIBLE,
    ORGANIZATION_ROLES,
    Role,
)
from faced.orgs.signals import role_granted, role_revoked

if TYPE_CHECKING:
    # For the type hints only: orgs imports no other app.
    from faced.accounts.models import User


class RoleError(ValueError):
    """A role change that faced refuses; the message says why, plainly."""


class SeparationOfPowersError(RoleError):
    """A role change that would let one person hold powers kept apart."""


def organization_create(*, name: str, slug: str = "") -> Organization:
    name = name.strip()
    if not name:
        raise ValueError(_("An organization needs a name."))
    slug = slugify(slug or name)
    if not slug:
        raise ValueError(
            _("Give the organization a short name made of letters or digits.")
        )
    if Organization.objects.filter(slug=slug).exists():
        raise ValueError(
            _("There is already an organization with the short name %(slug)s.")
            % {"slug": slug}
        )
    with transaction.atomic():
        organization = Organization.objects.create(name=name, slug=slug)
        ledger_append(
            event_type="organization_created",
            payload={"organization": slug, "name": name},
        )
    return organization


def person_reference(user: User) -> str:
    """How the ledger names a person: an opaque reference, never a name."""
    return f"person/{user.pk}"


def person_signer(user: User, keys: PersonKeys) -> ActSigner:
    """USER signing their own act in the ledger with their signing key,
    unlocked in this request (KEYS)."""
    return ActSigner(person_reference(user), keys.signing_seed)


def _announce(
    event_type: str,
    signal: Signal,
    *,
    user: User,
    role: Role,
    organization: Organization | None,
    by: User | None,
) -> None:
    """Put a role change on the record and tell the apps that listen;
    called inside the change's transaction."""
    ledger_append(
        event_type=event_type,
        payload={
            "organization": organization.slug if organization else None,
            "role": role.value,
            "person": person_reference(user),
            "by": person_reference(by) if by is not None else "operator shell",
        },
    )
    signal.send(
        sender=RoleAssignment,
        user=user,
        role=role,
        organization=organization,
    )


def _check_scope(role: Role, organization: Organization | None) -> None:
    if role in ORGANIZATION_ROLES and organization is None:
        raise RoleError(
            _("The %(role)s role is held within an organization; say which.")
            % {"role": role.label}
        )
    if role in DEPLOYMENT_ROLES and organization is not None:
        raise RoleError(
            _(
                "The %(role)s role covers the whole deployment and is not "
                "held within one organization."
            )
            % {"role": role.label}
        )


def role_grant(
    *,
    user: User,
    role: Role | str,
    organization: Organization | None = None,
    granted_by: User | None = None,
) -> RoleAssignment:
    """Grant ROLE to USER, refusing anything that mixes separated powers."""
    role = Role(role)
    _check_scope(role, organization)
    with transaction.atomic():
        # Lock the person's row so that two grants racing each other cannot
        # both see "no conflict" (on SQLite the immediate transaction
        # already holds the write lock).
        get_user_model().objects.select_for_update().get(pk=user.pk)
        held = set(
            RoleAssignment.objects.filter(
                user=user, organization=organization, revoked_at=None
            ).values_list("role", flat=True)
        )
        if role in held:
            raise RoleError(
                _("%(user)s already holds the %(role)s role here.")
                % {"user": user.username, "role": role.label}
            )
        clash = INCOMPATIBLE.get(role, frozenset()) & held
        if clash:
            other = Role(sorted(clash)[0])
            # Every pair kept apart today is held within an organization.
            where = organization.name if organization else _("the deployment")
            raise SeparationOfPowersError(
                _(
                    "%(user)s holds the %(other)s role in %(org)s, so they "
                    "cannot also be given the %(role)s role there. faced "
                    "keeps leadership apart from the committee and the "
                    "appeals panel, so that nobody who leads the "
                    "organization can judge a case or overturn a finding. "
                    "Revoke the %(other)s role first if this is intended."
                )
                % {
                    "user": user.username,
                    "other": other.label,
                    "role": role.label,
                    "org": where,
                }
            )
        assignment = RoleAssignment.objects.create(
            user=user,
            organization=organization,
            role=role,
            granted_by=granted_by,
        )
        # Packing a committee must be visible: every grant is on the record.
        _announce(
            "role_granted",
            role_granted,
            user=user,
            role=role,
            organization=organization,
            by=granted_by,
        )
        return assignment


def role_revoke(
    *,
    user: User,
    role: Role | str,
    organization: Organization | None = None,
    revoked_by: User | None = None,
) -> RoleAssignment:
    role = Role(role)
    _check_scope(role, organization)
    with transaction.atomic():
        assignment = (
            RoleAssignment.objects.select_for_update()
            .filter(
                user=user,
                organization=organization,
                role=role,
                revoked_at=None,
            )
            .first()
        )
        if assignment is None:
            raise RoleError(
                _("%(user)s does not hold the %(role)s role here.")
                % {"user": user.username, "role": role.label}
            )
        assignment.revoked_at = timezone.now()
        assignment.revoked_by = revoked_by
        assignment.save(update_fields=["revoked_at", "revoked_by"])
        _announce(
            "role_revoked",
            role_revoked,
            user=user,
            role=role,
            organization=organization,
            by=revoked_by,
        )
        return assignment
