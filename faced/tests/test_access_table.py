"""The access-rule table: every URL, every persona, the declared rule."""

import pytest
from django.test import Client
from django.urls import reverse

from faced.access import (
    Decision,
    DeploymentRole,
    OrganizationRole,
    PendingSecondFactor,
    Public,
    SignedIn,
    all_rules,
)
from faced.conftest import sign_in
from faced.demo.personas import PERSONAS
from faced.tests.url_table import URL_KWARGS, url_for, url_names, url_patterns


def expected_decision(rule, persona) -> Decision:
    """What the rule means for a persona, worked out from the persona's
    declared roles rather than from the database the middleware reads."""
    if persona is None:
        return Decision.ALLOW if isinstance(rule, Public) else Decision.SIGN_IN
    held = set(persona.roles)
    if isinstance(rule, Public | SignedIn | PendingSecondFactor):
        return Decision.ALLOW
    if isinstance(rule, OrganizationRole):
        wanted = {(URL_KWARGS["org"], role) for role in rule.roles}
        return Decision.ALLOW if held & wanted else Decision.REFUSE
    if isinstance(rule, DeploymentRole):
        wanted = {(None, role) for role in rule.roles}
        return Decision.ALLOW if held & wanted else Decision.REFUSE
    raise AssertionError(f"The table test does not know the rule {rule!r}.")


def observed_decision(response) -> Decision:
    assert response.status_code < 500, response.content[:500]
    if response.status_code == 403:
        return Decision.REFUSE
    if response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:signin")
    ):
        return Decision.SIGN_IN
    return Decision.ALLOW


class AccessTableTests:
    def test_it_has_a_rule_for_every_url(self):
        """Every URL has a name and an access rule; none is left open."""
        unnamed = [str(p.pattern) for name, p in url_patterns() if not name]
        assert unnamed == [], f"URLs without a name: {unnamed}"
        missing = [name for name in url_names() if name not in all_rules()]
        assert missing == [], f"URLs without an access rule: {missing}"

    def test_it_has_no_rule_without_a_url(self):
        """A rule left behind by a removed URL is a mistake in the table."""
        stale = sorted(set(all_rules()) - set(url_names()))
        assert stale == []

    @pytest.mark.parametrize("name", url_names())
    def test_it_applies_the_rule_to_every_persona(
        self, name, personas, survivor_record
    ):
        """Given each persona in turn, when they ask for the URL, then
        faced answers as the URL's declared rule says."""
        rule = all_rules()[name]
        url = url_for(name, survivor_record)
        wrong = []
        for persona in (None, *PERSONAS):
            client = Client()
            if persona is not None:
                sign_in(client, personas[persona.username], with_keys=True)
            decision = observed_decision(client.get(url))
            want = expected_decision(rule, persona)
            if decision is not want:
                who = persona.username if persona else "anonymous"
                wrong.append(f"{who}: {decision.value}, not {want.value}")
        assert wrong == [], f"{name} ({url}): " + "; ".join(wrong)


class UnruledUrlTests:
    @pytest.fixture(autouse=True)
    def extra_url(self, settings):
        settings.ROOT_URLCONF = "faced.tests.urls_without_rule"
        yield

    def test_it_refuses_a_view_without_a_rule(self, personas):
        """A view that nobody wrote a rule for is refused to everyone,
        even the operator, rather than left open."""
        for username in ("operator", "committee1", "survivor"):
            client = sign_in(Client(), personas[username])
            assert client.get("/unruled/").status_code == 403
        assert Client().get("/unruled/").status_code == 403
