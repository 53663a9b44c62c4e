"""The story faced exists to prevent: a leadership that tries to
interfere with, overturn or silence a finding. Through the software each
attempt is refused; behind its back, each is detected."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from faced.accounts.custody import keys_unlock
from faced.cases.models import Finding, FindingSignature
from faced.cases.services import (
    case_submit,
    conflict_declare,
    finding_draft,
    finding_sign,
    panel_assign,
)
from faced.conftest import PASSWORD, sign_in
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.services import SeparationOfPowersError, role_grant
from faced.vault.services import record_save


@pytest.fixture
def decided(personas):
    """A case heard by committee1 and committee2, with a signed finding."""
    keys = {
        name: keys_unlock(user=personas[name], password=PASSWORD)
        for name in ("survivor", "committee1", "committee2")
    }
    record = record_save(
        owner=personas["survivor"],
        keys=keys["survivor"],
        fields={"what": "what happened"},
    ).version.record
    case = case_submit(
        survivor=personas["survivor"],
        keys=keys["survivor"],
        record=record,
        organization=Organization.objects.get(slug="demo"),
        included_fields=["what"],
        outcomes=["heard"],
    )
    panel_assign(
        case=case,
        members=[personas["committee1"], personas["committee2"]],
        assigned_by=personas["committee1"],
        keys=keys["committee1"],
    )
    for name in ("committee1", "committee2"):
        conflict_declare(case=case, member=personas[name], has_conflict=False)
    finding = finding_draft(
        case=case,
        member=personas["committee1"],
        keys=keys["committee1"],
        outcome="upheld",
        rationale="The panel believes the survivor.",
    )
    for name in ("committee1", "committee2"):
        finding_sign(finding=finding, member=personas[name], keys=keys[name])
    return case, Finding.objects.get(pk=finding.pk)


def survivor_page(personas, case) -> str:
    client = sign_in(Client(), personas["survivor"], with_keys=True)
    return client.get(f"/my/cases/{case.pk}/").content.decode()


def raw_sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


class ThroughTheSoftwareTests:
    def test_leadership_cannot_reach_the_case_in_any_page(
        self, personas, decided
    ):
        """Given a leadership member signed in, when they open or post to
        the committee's case page, the survivor's case page or the report
        form, then each is refused and nothing changes."""
        case, finding = decided
        client = sign_in(Client(), personas["leadership"], with_keys=True)
        committee_page = f"/o/demo/committee/cases/{case.pk}/"
        assert client.get(committee_page).status_code == 403
        for action in ("draft_finding", "sign_finding", "assign", "message"):
            response = client.post(
                committee_page,
                {
                    "action": action,
                    "outcome": "not_upheld",
                    "rationale": "overturned",
                    "text": "stop",
                },
            )
            assert response.status_code == 403
        assert client.get(f"/my/cases/{case.pk}/").status_code == 404
        assert (
            client.post(
                f"/my/cases/{case.pk}/", {"action": "withdraw"}
            ).status_code
            == 404
        )
        finding.refresh_from_db()
        assert finding.effective_at is not None
        assert case.findings.count() == 1

    def test_leadership_cannot_join_the_committee_or_appeals(
        self, personas, decided
    ):
        for role in (Role.COMMITTEE, Role.APPEALS):
            with pytest.raises(SeparationOfPowersError):
                role_grant(
                    user=personas["leadership"],
                    role=role,
                    organization=Organization.objects.get(slug="demo"),
                )


class BehindTheSoftwareTests:
    def test_an_edited_finding_is_shown_as_broken(self, personas, decided):
        """Given someone with the database who rewrites the finding's
        stored text, the survivor's page says the finding does not hold."""
        case, finding = decided
        forged = bytearray(bytes(finding.ciphertext))
        forged[-1] ^= 1
        Finding.objects.filter(pk=finding.pk).update(ciphertext=bytes(forged))
        page = survivor_page(personas, case)
        assert "could not be opened" in page

    def test_dropped_signatures_are_shown_as_broken(self, personas, decided):
        case, _finding = decided
        FindingSignature.objects.filter(member=personas["committee2"]).delete()
        page = survivor_page(personas, case)
        assert "This finding does not hold" in page
        assert "added or removed" in page

    def test_a_deleted_ledger_entry_is_detected(self, personas, decided):
        """Given the finding's ledger entry deleted in the database, `faced
        ledger verify` fails naming the entry, and the page says so."""
        case, finding = decided
        raw_sql(
            "DELETE FROM ledger_ledgerentry WHERE sequence = %s",
            finding.ledger_sequence,
        )
        err = io.StringIO()
        with pytest.raises(SystemExit):
            call_command("ledger", "verify", stderr=err)
        assert f"entry {finding.ledger_sequence}" in err.getvalue()
        assert "ledger entry is missing" in survivor_page(personas, case)

    def test_a_rewritten_ledger_entry_is_detected(self, personas, decided):
        _case, finding = decided
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT leaf_data FROM ledger_ledgerentry WHERE sequence = %s",
                [finding.ledger_sequence],
            )
            leaf_data = cursor.fetchone()[0]
        raw_sql(
            "UPDATE ledger_ledgerentry SET leaf_data = %s WHERE sequence = %s",
            leaf_data.replace("finding_signed", "finding_voided"),
            finding.ledger_sequence,
        )
        err = io.StringIO()
        with pytest.raises(SystemExit):
            call_command("ledger", "verify", stderr=err)
        assert f"entry {finding.ledger_sequence}" in err.getvalue()
