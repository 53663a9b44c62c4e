"""The operator's shell commands for organizations, people and roles."""

import io

import pytest
from django.core.management import CommandError, call_command

from faced.orgs.models import Organization
from faced.orgs.selectors import roles_of


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


class OperatorCommandTests:
    def test_it_sets_up_an_organization_from_the_shell(self, db, monkeypatch):
        """Given an empty server, an operator creates an organization, a
        person and a role, and revokes it again, all from the shell."""
        assert "short name: riverside" in run("createorg", "Riverside")
        monkeypatch.setattr("sys.stdin", io.StringIO("a long enough pass 1\n"))
        assert "Created ana" in run("createuser", "Ana", "--password-stdin")
        assert "now Committee member in Riverside" in run(
            "grant", "ana", "committee", "--org", "riverside"
        )
        assert roles_of_username("ana") == {("riverside", "committee")}
        run("revoke", "ana", "committee", "--org", "riverside")
        assert roles_of_username("ana") == frozenset()

    def test_it_refuses_a_grant_that_breaks_separation(self, personas):
        with pytest.raises(CommandError, match="cannot also be given"):
            run("grant", "leadership", "committee", "--org", "demo")
        assert roles_of_username("leadership") == {("demo", "leadership")}

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("grant", "nobody", "committee", "--org", "demo"), "nobody"),
            (
                ("grant", "survivor", "committee", "--org", "nowhere"),
                "no organization",
            ),
            (("grant", "survivor", "committee"), "within an organization"),
            (
                ("revoke", "survivor", "committee", "--org", "demo"),
                "does not hold",
            ),
        ],
    )
    def test_it_says_what_is_wrong(self, personas, args, message):
        with pytest.raises(CommandError, match=message):
            run(*args)

    def test_it_refuses_a_weak_password(self, db, monkeypatch):
        monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
        with pytest.raises(CommandError, match="too short"):
            run("createuser", "ben", "--password-stdin")

    def test_it_refuses_a_duplicate_organization(self, personas):
        with pytest.raises(CommandError, match="already"):
            run("createorg", "Demo", "--slug", "demo")
        assert Organization.objects.count() == 2


def roles_of_username(username: str):
    from django.contrib.auth import get_user_model

    return roles_of(get_user_model().objects.get(username=username))
