"""Role changes go through services that keep powers apart."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from faced.orgs.models import Organization, RoleAssignment
from faced.orgs.roles import Role
from faced.orgs.selectors import roles_of
from faced.orgs.services import (
    RoleError,
    SeparationOfPowersError,
    organization_create,
    role_grant,
    role_revoke,
)


@pytest.fixture
def demo(personas):
    return Organization.objects.get(slug="demo")


@pytest.fixture
def other(personas):
    return Organization.objects.get(slug="other")


class SeparationOfPowersTests:
    def test_it_refuses_leadership_to_a_committee_member(self, personas, demo):
        """Given a committee member, when leadership is granted to them in
        the same organization, then it is refused and says why."""
        with pytest.raises(SeparationOfPowersError) as refusal:
            role_grant(
                user=personas["committee1"],
                role=Role.LEADERSHIP,
                organization=demo,
            )
        message = str(refusal.value)
        assert "committee1 holds the Committee member role" in message
        assert "overturn a finding" in message
        assert (None, "leadership") not in roles_of(personas["committee1"])
        assert ("demo", "leadership") not in roles_of(personas["committee1"])

    @pytest.mark.parametrize("role", [Role.COMMITTEE, Role.APPEALS])
    def test_it_refuses_the_committee_and_appeals_to_leadership(
        self, personas, demo, role
    ):
        with pytest.raises(SeparationOfPowersError, match="leadership"):
            role_grant(
                user=personas["leadership"], role=role, organization=demo
            )
        assert roles_of(personas["leadership"]) == {("demo", "leadership")}

    def test_it_allows_separated_roles_in_different_organizations(
        self, personas, other
    ):
        """Leading one organization does not bar sitting on another's
        committee: the powers are kept apart within an organization."""
        role_grant(
            user=personas["leadership"],
            role=Role.COMMITTEE,
            organization=other,
        )
        assert ("other", "committee") in roles_of(personas["leadership"])

    def test_it_allows_leadership_after_the_committee_role_is_revoked(
        self, personas, demo
    ):
        role_revoke(
            user=personas["committee1"], role=Role.COMMITTEE, organization=demo
        )
        role_grant(
            user=personas["committee1"],
            role=Role.LEADERSHIP,
            organization=demo,
        )
        assert roles_of(personas["committee1"]) == {("demo", "leadership")}

    @pytest.mark.django_db(transaction=True)
    def test_it_refuses_one_of_two_racing_grants(self, personas, demo):
        """Given two grants of leadership and committee to one person at the
        same moment, at most one succeeds."""
        User = get_user_model()
        target = User.objects.create_user(username="racer", password=None)
        barrier = threading.Barrier(2)
        outcomes = []

        def grant(role):
            try:
                barrier.wait()
                role_grant(user=target, role=role, organization=demo)
                outcomes.append("granted")
            except Exception as error:  # refused or locked out: both fine
                outcomes.append(type(error).__name__)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=grant, args=(role,))
            for role in (Role.LEADERSHIP, Role.COMMITTEE)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        held = set(
            RoleAssignment.objects.filter(
                user=target, revoked_at=None
            ).values_list("role", flat=True)
        )
        assert outcomes.count("granted") <= 1
        assert held != {"leadership", "committee"}


class RoleScopeTests:
    def test_it_needs_an_organization_for_organization_roles(self, personas):
        with pytest.raises(RoleError, match="within an organization"):
            role_grant(user=personas["survivor"], role=Role.COMMITTEE)

    def test_it_refuses_an_organization_for_deployment_roles(
        self, personas, demo
    ):
        with pytest.raises(RoleError, match="whole deployment"):
            role_grant(
                user=personas["survivor"],
                role=Role.OPERATOR,
                organization=demo,
            )

    def test_it_refuses_a_role_held_already(self, personas, demo):
        with pytest.raises(RoleError, match="already holds"):
            role_grant(
                user=personas["committee1"],
                role=Role.COMMITTEE,
                organization=demo,
            )

    def test_it_keeps_the_history_of_a_revoked_role(self, personas, demo):
        """A revoked role confers nothing but stays on the record."""
        role_revoke(
            user=personas["advocate"],
            role=Role.ADVOCATE,
            organization=demo,
            revoked_by=personas["operator"],
        )
        assert roles_of(personas["advocate"]) == frozenset()
        history = RoleAssignment.objects.get(user=personas["advocate"])
        assert history.revoked_at is not None
        assert history.revoked_by == personas["operator"]

    def test_it_refuses_to_revoke_a_role_not_held(self, personas, demo):
        with pytest.raises(RoleError, match="does not hold"):
            role_revoke(
                user=personas["survivor"],
                role=Role.COMMITTEE,
                organization=demo,
            )


class OrganizationTests:
    def test_it_creates_an_organization_with_a_short_name(self, db):
        organization = organization_create(name="Riverside Branch")
        assert organization.slug == "riverside-branch"

    def test_it_refuses_a_short_name_taken(self, personas):
        with pytest.raises(ValueError, match="already an organization"):
            organization_create(name="Demo Collective", slug="demo")
        assert Organization.objects.filter(slug="demo").count() == 1

    @pytest.mark.parametrize("name", ["", "   ", "!!!"])
    def test_it_refuses_an_empty_name(self, db, name):
        with pytest.raises(ValueError):
            organization_create(name=name)
        assert not Organization.objects.exists()
