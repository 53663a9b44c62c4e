"""A survivor reports a record to the committee."""

import pytest

from faced.accounts.custody import keys_unlock
from faced.cases.models import Case, CaseExclusion, CaseKey
from faced.cases.services import CaseError, case_report_open, case_submit
from faced.conftest import PASSWORD
from faced.ledger.models import LedgerEntry
from faced.ledger.verify import ledger_verify
from faced.orgs.models import Organization
from faced.vault.services import record_save


@pytest.fixture
def reported(personas):
    survivor = personas["survivor"]
    keys = keys_unlock(user=survivor, password=PASSWORD)
    record = record_save(
        owner=survivor,
        keys=keys,
        fields={"what": "CANARY what happened", "where": "the hall"},
    ).version.record
    case = case_submit(
        survivor=survivor,
        keys=keys,
        record=record,
        organization=Organization.objects.get(slug="demo"),
        included_fields=["what"],
        outcomes=["heard", "no_contact"],
        respondent="A. Member, phone 0151 1234567",
        excluded=[personas["committee2"]],
    )
    return case, keys


def keys_of(personas, name):
    return keys_unlock(user=personas[name], password=PASSWORD)


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
            with pytest.raises(CaseError, match="no key"):
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
