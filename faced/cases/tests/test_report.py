"""A survivor reports a record to the committee."""

import pytest

from faced.accounts.custody import keys_unlock
from faced.cases.errors import CaseError
from faced.cases.models import (
    Case,
    CaseExclusion,
    CaseKey,
    CaseState,
    PanelSeat,
)
from faced.cases.services.panel import (
    case_acknowledge,
    conflict_declare,
    panel_assign,
)
from faced.cases.services.report import case_report_open, case_submit
from faced.cases.tests.cases_setup import (
    finding_drafted,
    keys_for,
    keys_of,
    seat_panel,
)
from faced.conftest import PASSWORD
from faced.ledger.models import LedgerEntry
from faced.ledger.verify import ledger_verify
from faced.orgs.models import Organization
from faced.vault.services import record_save


class ReportTests:
    def test_the_report_is_sealed_to_the_survivor_and_chosen_committee(
        self, personas, reported
    ):
        """Given a survivor who kept committee2 off the case, the case key
        is sealed to them and committee1 only: not to committee2, not to
        leadership, not to the operator."""
        case, _keys = reported
        readers = set(
            CaseKey.objects.filter(case=case).values_list(
                "reader__username", flat=True
            )
        )
        assert readers == {"survivor", "committee1"}
        assert CaseExclusion.objects.filter(
            case=case, member=personas["committee2"]
        ).exists()
        for name in ("committee2", "leadership", "operator", "advocate"):
            with pytest.raises(CaseError, match="opens only to its panel"):
                case_report_open(
                    case=case,
                    reader=personas[name],
                    keys=keys_of(personas, name),
                )

    def test_only_the_chosen_parts_are_in_the_report(self, personas, reported):
        case, keys = reported
        report = case_report_open(
            case=case, reader=personas["survivor"], keys=keys
        )
        assert report["record"] == {"what": "CANARY what happened"}
        assert report["outcomes"] == ["heard", "no_contact"]
        assert "0151" in report["respondent"]

    def test_a_committee_members_reading_is_on_the_record(
        self, personas, reported
    ):
        case, _keys = reported
        seat_panel(personas, case)
        conflict_declare(
            case=case,
            member=personas["committee1"],
            keys=keys_for(personas["committee1"]),
            has_conflict=False,
        )
        before = LedgerEntry.objects.filter(event_type="case_opened").count()
        case_report_open(
            case=case,
            reader=personas["committee1"],
            keys=keys_of(personas, "committee1"),
        )
        opened = LedgerEntry.objects.filter(event_type="case_opened")
        assert opened.count() == before + 1
        assert f"case/{case.pk}" in opened.last().leaf_data
        ledger_verify()

    def test_the_case_has_a_reference_and_deadlines(self, reported):
        case, _keys = reported
        assert case.reference.startswith("C-")
        assert (case.acknowledge_by - case.submitted_at).days == 7
        assert LedgerEntry.objects.filter(
            event_type="case_submitted",
            leaf_data__contains=f"case/{case.pk}",
        ).exists()
        assert "CANARY" not in "".join(
            LedgerEntry.objects.values_list("leaf_data", flat=True)
        )

    def test_it_refuses_to_exclude_everyone(self, personas):
        survivor = personas["survivor"]
        keys = keys_unlock(user=survivor, password=PASSWORD)
        record = record_save(
            owner=survivor, keys=keys, fields={}
        ).version.record
        with pytest.raises(CaseError, match="Nobody on this committee"):
            case_submit(
                survivor=survivor,
                keys=keys,
                record=record,
                organization=Organization.objects.get(slug="demo"),
                included_fields=[],
                outcomes=[],
                excluded=[personas["committee1"], personas["committee2"]],
            )
        assert not Case.objects.exists()

    def test_it_refuses_someone_elses_record(self, personas, reported):
        case, _keys = reported
        record = case.survivor.vault_records.first()
        with pytest.raises(CaseError, match="your own records"):
            case_submit(
                survivor=personas["advocate"],
                keys=keys_of(personas, "advocate"),
                record=record,
                organization=case.organization,
                included_fields=["what"],
                outcomes=[],
            )


class PanelTests:
    def test_the_report_opens_only_after_declaring_no_conflict(
        self, personas, reported
    ):
        """Given a panel, a member who has not declared cannot read; one
        who declared no conflict can; one who declared a conflict loses
        their key and their seat."""
        case, _keys = reported
        third = seat_panel(personas, case)
        with pytest.raises(CaseError, match="declared"):
            case_report_open(
                case=case,
                reader=personas["committee1"],
                keys=keys_of(personas, "committee1"),
            )
        conflict_declare(
            case=case,
            member=personas["committee1"],
            keys=keys_for(personas["committee1"]),
            has_conflict=False,
        )
        assert case_report_open(
            case=case,
            reader=personas["committee1"],
            keys=keys_of(personas, "committee1"),
        )["record"]
        conflict_declare(
            case=case, member=third, keys=keys_for(third), has_conflict=True
        )
        assert not CaseKey.objects.filter(case=case, reader=third).exists()
        with pytest.raises(CaseError):
            case_report_open(
                case=case,
                reader=third,
                keys=keys_unlock(user=third, password=PASSWORD),
            )
        assert (
            LedgerEntry.objects.filter(event_type="conflict_declared").count()
            == 2
        )

    def test_setting_the_panel_destroys_other_copies(self, personas, reported):
        case, _keys = reported
        third = seat_panel(personas, case)
        readers = set(
            CaseKey.objects.filter(case=case).values_list(
                "reader_id", flat=True
            )
        )
        assert readers == {
            personas["survivor"].pk,
            personas["committee1"].pk,
            third.pk,
        }
        assert PanelSeat.objects.filter(case=case).count() == 2

    @pytest.mark.parametrize(
        "who", ["committee2", "leadership", "operator", "advocate"]
    )
    def test_only_an_eligible_committee_member_sets_a_panel(
        self, personas, reported, who
    ):
        """Leadership, the operator, an advocate and a member the survivor
        kept off cannot set or join a panel."""
        case, _keys = reported
        with pytest.raises(CaseError):
            panel_assign(
                case=case,
                members=[personas["committee1"], personas[who]],
                assigned_by=personas[who],
                keys=keys_of(personas, who),
            )
        with pytest.raises(CaseError):
            panel_assign(
                case=case,
                members=[personas["committee1"], personas[who]],
                assigned_by=personas["committee1"],
                keys=keys_of(personas, "committee1"),
            )
        assert not PanelSeat.objects.exists()

    def test_the_panel_acknowledges_and_the_survivor_sees_it(
        self, personas, reported
    ):
        from faced.cases.selectors import timeline

        case, _keys = reported
        seat_panel(personas, case)
        with pytest.raises(CaseError):
            case_acknowledge(
                case=case,
                member=personas["committee1"],
                keys=keys_for(personas["committee1"]),
            )
        conflict_declare(
            case=case,
            member=personas["committee1"],
            keys=keys_for(personas["committee1"]),
            has_conflict=False,
        )
        case_acknowledge(
            case=case,
            member=personas["committee1"],
            keys=keys_for(personas["committee1"]),
        )
        case.refresh_from_db()
        assert case.state == CaseState.ACKNOWLEDGED
        words = [str(event.words) for event in timeline(case)]
        assert "Your report was acknowledged by the panel." in words
        ledger_verify()


class FindingTests:
    def test_a_finding_takes_effect_when_the_quorum_signs(
        self, personas, heard
    ):
        """Given a panel of two, a finding signed by one is not in effect;
        signed by both, it is in the ledger with both signatures, the case
        says so, and the survivor can read it and check its integrity."""
        from faced.cases.selectors import finding_integrity, finding_open
        from faced.cases.services.findings import finding_sign

        case, first, second = heard
        first_keys = keys_of(personas, "committee1")
        second_keys = keys_unlock(user=second, password=PASSWORD)
        finding = finding_drafted(
            case,
            first,
            "upheld",
            "CANARY-FINDING reasons",
            measures="No contact until June 2027.",
        )
        assert (
            finding_sign(finding=finding, member=first, keys=first_keys)
            is False
        )
        assert finding_sign(finding=finding, member=second, keys=second_keys)
        finding.refresh_from_db()
        case.refresh_from_db()
        assert finding.effective_at is not None
        assert case.state == CaseState.FINDING
        entry = LedgerEntry.objects.get(sequence=finding.ledger_sequence)
        assert entry.event_type == "finding_signed"
        assert "CANARY" not in entry.leaf_data
        body = finding_open(
            finding=finding,
            reader=personas["survivor"],
            keys=keys_of(personas, "survivor"),
        )
        assert body["outcome"] == "upheld"
        assert finding_integrity(finding=finding, body=body) == []
        ledger_verify()

    def test_a_finding_in_effect_cannot_be_redrafted(self, personas, found):
        from faced.cases.services.findings import finding_draft

        case, _finding, first, _second = found
        with pytest.raises(CaseError, match="appeal"):
            finding_draft(
                case=case,
                member=first,
                keys=keys_of(personas, "committee1"),
                outcome="not_upheld",
                rationale="overturned",
            )

    def test_an_edited_finding_or_signature_is_detected(self, personas, found):
        """Given a finding in effect whose stored text or signature is
        changed in the database, its integrity check names the problem."""
        from faced.cases.models import FindingSignature
        from faced.cases.selectors import finding_integrity

        case, finding, first, second = found
        keys1 = keys_of(personas, "committee1")
        forged = {
            "case": f"case/{case.pk}",
            "outcome": "not_upheld",
            "rationale": "reasons",
            "measures": "",
            "salt": "AAAA",
        }
        assert finding_integrity(finding=finding, body=forged)
        FindingSignature.objects.filter(member=second).delete()
        from faced.cases.selectors import finding_open

        body = finding_open(finding=finding, reader=first, keys=keys1)
        problems = finding_integrity(finding=finding, body=body)
        assert any("added or removed" in str(p) for p in problems)

    def test_one_signature_of_two_is_not_a_majority(self, personas, reported):
        """Given a panel of two where only one member has declared, that
        member's signature alone does not put a finding in effect."""
        from faced.cases.services.findings import finding_sign

        case, _keys = reported
        seat_panel(personas, case)
        first = personas["committee1"]
        keys1 = keys_of(personas, "committee1")
        conflict_declare(
            case=case, member=first, keys=keys_for(first), has_conflict=False
        )
        finding = finding_drafted(case, first, "upheld", "alone")
        assert finding_sign(finding=finding, member=first, keys=keys1) is False
        finding.refresh_from_db()
        assert finding.effective_at is None

    @pytest.mark.parametrize("who", ["leadership", "operator", "committee2"])
    def test_nobody_else_drafts_or_signs(self, personas, heard, who):
        from faced.cases.services.findings import finding_draft

        case, _first, _second = heard
        with pytest.raises(CaseError):
            finding_draft(
                case=case,
                member=personas[who],
                keys=keys_of(personas, who),
                outcome="not_upheld",
                rationale="leadership wants this",
            )


class MeasureTests:
    def test_leadership_sees_only_the_notice_and_acknowledges(
        self, personas, heard
    ):
        """Given a measure issued by the panel, leadership can read who,
        what and until when, and acknowledge it; leadership still cannot
        open the report or the finding."""
        from faced.cases.selectors import measure_open
        from faced.cases.services.measures import (
            measure_acknowledge,
            measure_issue,
        )

        case, _first, _second = heard
        notice = measure_issue(
            case=case,
            member=personas["committee1"],
            keys=keys_of(personas, "committee1"),
            subject="A. Member",
            measure="Excluded from all chapter events and from office",
            until="1 June 2027",
        )
        leader = personas["leadership"]
        content = measure_open(
            notice=notice, reader=leader, keys=keys_of(personas, "leadership")
        )
        assert content["subject"] == "A. Member"
        assert "CANARY" not in str(content)
        with pytest.raises(CaseError):
            case_report_open(
                case=case, reader=leader, keys=keys_of(personas, "leadership")
            )
        measure_acknowledge(
            notice=notice, leader=leader, keys=keys_for(leader)
        )
        notice.refresh_from_db()
        assert notice.acknowledged_by == leader
        with pytest.raises(CaseError):
            measure_acknowledge(
                notice=notice,
                leader=personas["committee1"],
                keys=keys_for(personas["committee1"]),
            )
        assert LedgerEntry.objects.filter(
            event_type="measure_acknowledged"
        ).exists()

    @pytest.mark.parametrize("who", ["leadership", "operator", "committee2"])
    def test_only_the_panel_issues_measures(self, personas, reported, who):
        from faced.cases.services.measures import measure_issue

        case, _keys = reported
        with pytest.raises(CaseError):
            measure_issue(
                case=case,
                member=personas[who],
                keys=keys_of(personas, who),
                subject="the survivor",
                measure="silence them",
            )


class WithdrawTests:
    def test_the_survivor_withdraws_and_nobody_else_can(
        self, personas, reported
    ):
        from faced.cases.services.report import case_withdraw

        case, _keys = reported
        for who in ("committee1", "leadership"):
            with pytest.raises(CaseError):
                case_withdraw(
                    case=case,
                    survivor=personas[who],
                    keys=keys_for(personas[who]),
                )
        case_withdraw(
            case=case,
            survivor=personas["survivor"],
            keys=keys_for(personas["survivor"]),
        )
        case.refresh_from_db()
        assert case.state == CaseState.WITHDRAWN
        assert LedgerEntry.objects.filter(event_type="case_withdrawn").exists()


class MessageTests:
    def test_the_survivor_and_the_panel_write_to_each_other(
        self, personas, reported
    ):
        """Messages go both ways, encrypted under the case key: the panel
        reads the survivor's, the survivor reads the panel's, nobody else
        reads either, and the words are nowhere in the ledger."""
        from faced.cases.models import CaseDocument
        from faced.cases.selectors import messages_open
        from faced.cases.services.conversation import message_send

        case, survivor_keys = reported
        seat_panel(personas, case)
        first = personas["committee1"]
        first_keys = keys_of(personas, "committee1")
        with pytest.raises(CaseError):
            message_send(case=case, author=first, keys=first_keys, text="hi")
        conflict_declare(
            case=case, member=first, keys=keys_for(first), has_conflict=False
        )
        message_send(
            case=case,
            author=first,
            keys=first_keys,
            text="CANARY-MESSAGE we have received your report",
        )
        message_send(
            case=case,
            author=personas["survivor"],
            keys=survivor_keys,
            text="thank you",
        )
        survivor_view = messages_open(
            case=case, reader=personas["survivor"], keys=survivor_keys
        )
        assert [m["text"] for m in survivor_view] == [
            "CANARY-MESSAGE we have received your report",
            "thank you",
        ]
        assert (
            messages_open(
                case=case,
                reader=personas["leadership"],
                keys=keys_of(personas, "leadership"),
            )
            == []
        )
        for document in CaseDocument.objects.filter(kind="message"):
            assert b"CANARY" not in bytes(document.ciphertext)
        assert "CANARY" not in "".join(
            LedgerEntry.objects.values_list("leaf_data", flat=True)
        )
        with pytest.raises(CaseError):
            message_send(
                case=case,
                author=personas["leadership"],
                keys=keys_of(personas, "leadership"),
                text="stop this",
            )


class CasePageTests:
    def test_the_survivor_withdraws_from_the_case_page(
        self, personas, reported
    ):
        from django.test import Client

        from faced.conftest import sign_in

        case, _keys = reported
        client = sign_in(Client(), personas["survivor"], with_keys=True)
        page = client.get(f"/my/cases/{case.pk}/")
        assert b"Withdraw my report" in page.content
        response = client.post(
            f"/my/cases/{case.pk}/", {"action": "withdraw"}, follow=True
        )
        assert b"Your report is withdrawn" in response.content
        assert b"You withdrew your report." in response.content
        other = sign_in(Client(), personas["advocate"], with_keys=True)
        assert (
            other.post(
                f"/my/cases/{case.pk}/", {"action": "withdraw"}
            ).status_code
            == 404
        )
