"""Each text of a case is sealed to its own row: a database writer who
moves a sealed text to another row gets a row that does not open."""

import pytest

from faced.cases.errors import CaseError
from faced.cases.models import CaseDocument, Finding, MeasureNotice
from faced.cases.selectors import finding_open, measure_open
from faced.cases.services.measures import measure_issue
from faced.cases.services.report import case_report_open
from faced.cases.services.sealing import case_key_open
from faced.cases.tests.cases_setup import finding_drafted, keys_of
from faced.crypto.envelope import decrypt, encrypt, new_content_key
from faced.crypto.signing import canonical_json
from faced.vault.services import open_own_copy


@pytest.fixture
def heard(heard):
    """The case alone of the shared `heard` fixture (a case whose panel
    of two declared no conflict): these tests take its members from the
    personas."""
    case, _first, _second = heard
    return case


class SealingTests:
    def test_it_binds_the_case_the_kind_and_the_row(self, personas, heard):
        """A finding's item key is wrapped with associated data naming
        the case, "finding" and the finding's own id, then "key"; its text
        with the same but "key"."""
        finding = finding_drafted(
            heard, personas["committee1"], "upheld", "reasons"
        )
        case_key = case_key_open(
            heard, personas["survivor"], keys_of(personas, "survivor")
        )
        bound = f"faced case|{heard.pk}|finding-{finding.pk}"
        item_key = decrypt(
            case_key,
            bytes(finding.wrapped_key),
            associated_data=f"{bound}|key".encode(),
        )
        text = decrypt(
            item_key, bytes(finding.ciphertext), associated_data=bound.encode()
        )
        assert b'"outcome":"upheld"' in text

    def test_a_finding_copied_to_another_row_does_not_open(
        self, personas, heard
    ):
        """Given a finding draft, when a database writer copies its sealed
        text into a new finding row of the same case, the copy does not
        open while the original does."""
        finding = finding_drafted(
            heard, personas["committee1"], "upheld", "reasons"
        )
        copy = Finding.objects.create(
            case=heard,
            drafted_by=personas["committee1"],
            wrapped_key=finding.wrapped_key,
            ciphertext=finding.ciphertext,
        )
        survivor_keys = keys_of(personas, "survivor")
        reader = personas["survivor"]
        assert finding_open(finding=finding, reader=reader, keys=survivor_keys)
        with pytest.raises(CaseError):
            finding_open(finding=copy, reader=reader, keys=survivor_keys)

    def test_a_notice_copied_to_another_notice_does_not_open(
        self, personas, heard
    ):
        """Given two measure notices, when a database writer copies the
        first's sealed text, and leadership's copy of its key, onto the
        second, the second does not open as the first (it opened
        before)."""

        def issue(subject):
            return measure_issue(
                case=heard,
                member=personas["committee1"],
                keys=keys_of(personas, "committee1"),
                subject=subject,
                measure="Excluded from events",
            )

        first, second = issue("A. Member"), issue("B. Member")
        leader, keys = personas["leadership"], keys_of(personas, "leadership")
        assert measure_open(notice=second, reader=leader, keys=keys)
        second.ciphertext = first.ciphertext
        second.save(update_fields=["ciphertext"])
        first_key = first.keys.get(reader=leader)
        second.keys.filter(reader=leader).update(
            sealed_key=first_key.sealed_key
        )
        with pytest.raises(CaseError):
            measure_open(notice=second, reader=leader, keys=keys)


class SealedWithoutIdTests:
    """Rows sealed before the row id was bound (the report, findings and
    measure notices) are read the way they were sealed."""

    def test_it_opens_a_report_sealed_the_earlier_way(self, personas, heard):
        """Given a report sealed with the earlier binding, written here by
        hand ("faced case|<case>|report|key" and "faced case|<case>|
        report"), it opens when marked so, and not when it is not."""
        survivor, keys = personas["survivor"], keys_of(personas, "survivor")
        case_key = case_key_open(heard, survivor, keys)
        item_key = new_content_key()
        body = {"record": {"what": "sealed earlier"}, "outcomes": []}
        report = heard.documents.get(kind=CaseDocument.Kind.REPORT)
        report.wrapped_key = encrypt(
            case_key,
            item_key,
            associated_data=f"faced case|{heard.pk}|report|key".encode(),
        )
        report.ciphertext = encrypt(
            item_key,
            canonical_json(body),
            associated_data=f"faced case|{heard.pk}|report".encode(),
        )
        report.save()
        with pytest.raises(CaseError):
            case_report_open(case=heard, reader=survivor, keys=keys)
        report.sealed_without_id = True
        report.save()
        opened = case_report_open(case=heard, reader=survivor, keys=keys)
        assert opened["record"] == {"what": "sealed earlier"}

    def test_it_opens_a_notice_sealed_the_earlier_way(self, personas, heard):
        """A measure notice sealed as "faced case|<case>|measure|<id>"
        under its notice key opens when marked so."""
        notice = measure_issue(
            case=heard,
            member=personas["committee1"],
            keys=keys_of(personas, "committee1"),
            subject="A. Member",
            measure="Excluded from events",
        )
        leader, keys = personas["leadership"], keys_of(personas, "leadership")
        notice_key = open_own_copy(
            notice.keys.filter(reader=leader),
            keys,
            missing="",
            damaged="",
            error=CaseError,
        )
        notice.ciphertext = encrypt(
            notice_key,
            canonical_json({"subject": "earlier", "measure": "m"}),
            associated_data=(
                f"faced case|{heard.pk}|measure|{notice.pk}".encode()
            ),
        )
        notice.sealed_without_id = True
        notice.save()
        notice = MeasureNotice.objects.get(pk=notice.pk)
        opened = measure_open(notice=notice, reader=leader, keys=keys)
        assert opened["subject"] == "earlier"
