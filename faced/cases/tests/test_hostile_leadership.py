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
from faced.cases.services.findings import finding_draft, finding_sign
from faced.cases.services.panel import conflict_declare, panel_assign
from faced.cases.tests.cases_setup import keys_for
from faced.conftest import PASSWORD, sign_in
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.services import SeparationOfPowersError, role_grant


@pytest.fixture
def decided(decide_a_case):
    """A case heard by committee1 and committee2, with a signed finding."""
    return decide_a_case()


def survivor_page(personas, case) -> str:
    client = sign_in(Client(), personas["survivor"], with_keys=True)
    return client.get(f"/my/cases/{case.pk}/").content.decode()


def raw_sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def ledger_verify_refusal() -> str:
    """What `faced ledger verify` writes as it fails (it must fail)."""
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("ledger", "verify", stderr=err)
    return err.getvalue()


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

    def test_leadership_is_refused_every_case_action_and_page(
        self, personas, decided
    ):
        """Given a leadership member signed in, when they try every action
        of the committee's, the survivor's and the appeals pages, the
        deadlines page and each proof download, then each is refused and
        the ledger does not grow."""
        from faced.cases.models import Appeal
        from faced.ledger.selectors import ledger_size

        case, _finding = decided
        appeal = Appeal.objects.create(
            case=case,
            finding=case.findings.get(),
            side="survivor",
            lodged_by=personas["survivor"],
            wrapped_key=b"",
            ciphertext=b"",
        )
        size = ledger_size()
        client = sign_in(Client(), personas["leadership"], with_keys=True)
        committee_page = f"/o/demo/committee/cases/{case.pk}/"
        actions = (
            "assign",
            "no_conflict",
            "acknowledge",
            "propose_path",
            "panel_record",
            "issue_measure",
            "draft_finding",
            "sign_finding",
            "appeal",
            "share_records",
            "message",
        )
        for action in actions:
            response = client.post(
                committee_page,
                {
                    "action": action,
                    "members": [str(personas["leadership"].pk)],
                    "path": "informal",
                    "kind": "note",
                    "text": "stop",
                    "appeal": str(appeal.pk),
                    "grounds": "overturn it",
                },
            )
            assert response.status_code == 403, action
        for url in (
            f"/o/demo/appeals/{appeal.pk}/",
            "/o/demo/appeals/",
            "/o/demo/committee/deadlines/",
            f"/o/demo/committee/cases/{case.pk}/entries/0/proof/",
        ):
            assert client.get(url).status_code == 403, url
            assert (
                client.post(url, {"action": "draft_decision"}).status_code
                == 403
            )
        for action in ("withdraw", "pause", "agree_path", "appeal"):
            response = client.post(f"/my/cases/{case.pk}/", {"action": action})
            assert response.status_code == 404, action
        assert (
            client.get(f"/my/cases/{case.pk}/entries/0/proof/").status_code
            == 404
        )
        assert ledger_size() == size

    def test_leadership_is_refused_by_every_service(self, personas, decided):
        """Given leadership's own keys, when they call each write of a
        case directly, then each refuses: the rules are in the services,
        not only in the pages."""
        from faced.cases.errors import CaseError
        from faced.cases.services.appeals import appeal_lodge
        from faced.cases.services.conversation import message_send
        from faced.cases.services.measures import measure_issue
        from faced.cases.services.panel import (
            case_acknowledge,
            panel_record_add,
            path_propose,
        )
        from faced.cases.services.report import case_pause, case_withdraw

        case, finding = decided
        leader = personas["leadership"]
        keys = keys_unlock(user=leader, password=PASSWORD)
        attempts = (
            lambda: finding_draft(
                case=case,
                member=leader,
                keys=keys,
                outcome="not_upheld",
                rationale="x",
            ),
            lambda: finding_sign(finding=finding, member=leader, keys=keys),
            lambda: panel_assign(
                case=case,
                members=[leader, personas["committee1"]],
                assigned_by=leader,
                keys=keys,
            ),
            lambda: conflict_declare(
                case=case,
                member=leader,
                keys=keys_for(leader),
                has_conflict=False,
            ),
            lambda: case_acknowledge(
                case=case, member=leader, keys=keys_for(leader)
            ),
            lambda: message_send(
                case=case, author=leader, keys=keys, text="x"
            ),
            lambda: panel_record_add(
                case=case, member=leader, keys=keys, kind="note", text="x"
            ),
            lambda: path_propose(case=case, member=leader, path="informal"),
            lambda: measure_issue(
                case=case, member=leader, keys=keys, subject="s", measure="m"
            ),
            lambda: appeal_lodge(
                case=case, appellant=leader, keys=keys, grounds="x"
            ),
            lambda: case_withdraw(
                case=case, survivor=leader, keys=keys_for(leader)
            ),
            lambda: case_pause(
                case=case, survivor=leader, keys=keys_for(leader)
            ),
        )
        for attempt in attempts:
            with pytest.raises(CaseError):
                attempt()
        finding.refresh_from_db()
        assert finding.effective_at is not None

    def test_nobody_can_stop_the_survivor_being_told(
        self, personas, decide_a_case, django_capture_on_commit_callbacks
    ):
        """Given a survivor with an address, when the panel's quorum signs
        a finding, then the survivor's page shows it and a notice is sent,
        with no step anyone (leadership included) could hold back."""
        from django.core import mail

        from faced.accounts.contact import contact_address_set

        contact_address_set(
            user=personas["survivor"], email="survivor@example.org"
        )
        with django_capture_on_commit_callbacks(execute=True):
            case, _finding = decide_a_case()
        assert ["survivor@example.org"] in [m.to for m in mail.outbox]
        page = survivor_page(personas, case)
        assert "The panel believes the survivor." in page
        assert "Integrity: every signature is valid" in page

    def test_committee_members_off_the_panel_and_the_operator_are_refused(
        self, personas, decided
    ):
        """Given a committee member who is not on the panel, and the
        operator, when they open the case or try each of its actions, then
        the report never shows, nothing changes, and the ledger does not
        grow."""
        from faced.accounts.services import user_create
        from faced.ledger.selectors import ledger_size

        case, finding = decided
        outsider, _recovery = user_create(
            username="committee4", password=PASSWORD
        )
        role_grant(
            user=outsider, role=Role.COMMITTEE, organization=case.organization
        )
        size = ledger_size()
        page = f"/o/demo/committee/cases/{case.pk}/"
        client = sign_in(Client(), outsider, with_keys=True)
        content = client.get(page).content.decode()
        assert "The panel believes the survivor." not in content
        assert "what happened" not in content
        for action in (
            "assign",
            "acknowledge",
            "draft_finding",
            "sign_finding",
            "panel_record",
            "issue_measure",
            "message",
            "appeal",
            "propose_path",
        ):
            client.post(
                page,
                {
                    "action": action,
                    "members": [str(outsider.pk)],
                    "finding": str(finding.pk),
                    "text": "x",
                    "outcome": "not_upheld",
                    "rationale": "x",
                    "kind": "note",
                    "path": "informal",
                    "grounds": "x",
                    "subject": "s",
                    "measure": "m",
                },
            )
        assert ledger_size() == size
        operator = sign_in(Client(), personas["operator"], with_keys=True)
        assert operator.get(page).status_code == 403
        assert operator.get(f"/my/cases/{case.pk}/").status_code == 404

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
        err = ledger_verify_refusal()
        assert f"entry {finding.ledger_sequence}" in err
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
        err = ledger_verify_refusal()
        assert f"entry {finding.ledger_sequence}" in err

    def test_a_rewritten_entry_shows_on_the_case_page(self, personas, decided):
        """Given a signed checkpoint, when someone rewrites one of the
        case's ledger entries in the database, then the survivor's page
        says which entry no longer matches the signed checkpoint."""
        from faced.ledger.models import LedgerEntry
        from faced.ledger.services import checkpoint_sign

        case, _finding = decided
        checkpoint_sign(force=True)
        entry = (
            LedgerEntry.objects.filter(
                subject=f"case/{case.pk}", event_type="case_acknowledged"
            ).first()
            or LedgerEntry.objects.filter(
                subject=f"case/{case.pk}", event_type="panel_assigned"
            ).get()
        )
        raw_sql(
            "UPDATE ledger_ledgerentry SET leaf_data = %s WHERE sequence = %s",
            entry.leaf_data.replace('"case/', '"case/x'),
            entry.sequence,
        )
        page = survivor_page(personas, case)
        assert "this history does not hold" in page
        assert f"Entry {entry.sequence} is not the entry" in page

    def test_a_deleted_submission_entry_shows_on_the_case_page(
        self, personas, decided
    ):
        case, _finding = decided
        raw_sql(
            "DELETE FROM ledger_ledgerentry WHERE subject = %s AND "
            "event_type = 'case_submitted'",
            f"case/{case.pk}",
        )
        assert "submission is missing" in survivor_page(personas, case)

    def test_an_entry_hidden_from_the_timeline_is_detected(
        self, personas, decided
    ):
        """Given someone who changes an entry's subject column to hide it
        from the case's timeline, `faced ledger verify` names the entry."""
        _case, finding = decided
        raw_sql(
            "UPDATE ledger_ledgerentry SET subject = '' WHERE sequence = %s",
            finding.ledger_sequence,
        )
        err = ledger_verify_refusal()
        assert f"entry {finding.ledger_sequence}" in err
        assert "subject" in err
