"""Working a case: the panel's own records, the path chosen with the
survivor, pausing, deadlines and their notices."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from faced.accounts.contact import contact_address_set
from faced.accounts.custody import keys_unlock
from faced.cases.errors import CaseError
from faced.cases.models import Case, CaseState, PanelKey
from faced.cases.selectors import panel_records_open
from faced.cases.services.conversation import message_send
from faced.cases.services.deadlines import deadlines_check, deadlines_set
from faced.cases.services.findings import finding_draft
from faced.cases.services.measures import measure_issue
from faced.cases.services.panel import (
    conflict_declare,
    panel_record_add,
    path_propose,
)
from faced.cases.services.report import case_pause, case_resume, path_agree
from faced.cases.tests.cases_setup import keys_for, keys_of
from faced.conftest import PASSWORD
from faced.ledger.models import LedgerEntry
from faced.ledger.verify import ledger_verify


def events(case, event_type):
    return list(
        LedgerEntry.objects.filter(
            subject=f"case/{case.pk}", event_type=event_type
        )
    )


class PanelRecordTests:
    def test_the_panel_reads_its_records_and_the_survivor_cannot(
        self, personas, heard
    ):
        """Given a panel, when a member records a respondent's statement,
        then both panel members read it, the survivor holds no key to it,
        and the ledger says a statement was added but not what it says."""
        case, first, second = heard
        panel_record_add(
            case=case,
            member=first,
            keys=keys_of(personas, "committee1"),
            kind="statement",
            text="CANARY-STATEMENT the respondent says",
        )
        for reader, keys in (
            (first, keys_of(personas, "committee1")),
            (second, keys_unlock(user=second, password=PASSWORD)),
        ):
            records = panel_records_open(case=case, reader=reader, keys=keys)
            assert [r["text"] for r in records] == [
                "CANARY-STATEMENT the respondent says"
            ]
        survivor = personas["survivor"]
        assert not PanelKey.objects.filter(case=case, reader=survivor)
        assert (
            panel_records_open(
                case=case, reader=survivor, keys=keys_of(personas, "survivor")
            )
            == []
        )
        (entry,) = events(case, "panel_record_added")
        assert "statement" not in entry.leaf_data
        assert "CANARY" not in entry.leaf_data

    @pytest.mark.parametrize("who", ["survivor", "committee2", "leadership"])
    def test_nobody_off_the_panel_adds_records(self, personas, heard, who):
        case, _first, _second = heard
        with pytest.raises(CaseError):
            panel_record_add(
                case=case,
                member=personas[who],
                keys=keys_of(personas, who),
                kind="note",
                text="x",
            )

    def test_a_conflict_destroys_the_panel_key_copy(self, personas, heard):
        case, first, _second = heard
        conflict_declare(
            case=case, member=first, keys=keys_for(first), has_conflict=True
        )
        assert not PanelKey.objects.filter(case=case, reader=first).exists()

    def test_an_unknown_kind_or_empty_text_changes_nothing(
        self, personas, heard
    ):
        case, first, _second = heard
        keys = keys_of(personas, "committee1")
        for kind, text in (("gossip", "x"), ("note", "   ")):
            with pytest.raises(CaseError):
                panel_record_add(
                    case=case, member=first, keys=keys, kind=kind, text=text
                )
        assert events(case, "panel_record_added") == []


class PathTests:
    def test_the_survivor_agrees_to_the_proposed_path(self, personas, heard):
        """Given a panel, when it proposes a restorative process, then the
        first response is on record; when the survivor agrees, the case is
        under way on that path, and both steps are in the ledger."""
        case, first, _second = heard
        path_propose(case=case, member=first, path="restorative")
        case.refresh_from_db()
        assert case.responded_at is not None
        assert case.path == ""
        path_agree(
            case=case,
            survivor=personas["survivor"],
            keys=keys_for(personas["survivor"]),
            path="restorative",
        )
        case.refresh_from_db()
        assert (case.path, case.state) == ("restorative", CaseState.UNDER_WAY)
        assert len(events(case, "path_proposed")) == 1
        assert len(events(case, "path_agreed")) == 1

    def test_only_the_survivor_agrees_and_only_the_panel_proposes(
        self, personas, heard
    ):
        case, first, _second = heard
        with pytest.raises(CaseError):
            path_agree(
                case=case,
                survivor=personas["survivor"],
                keys=keys_for(personas["survivor"]),
                path="informal",
            )
        with pytest.raises(CaseError):
            path_propose(
                case=case, member=personas["leadership"], path="informal"
            )
        path_propose(case=case, member=first, path="informal")
        with pytest.raises(CaseError):
            path_agree(
                case=case,
                survivor=first,
                keys=keys_for(first),
                path="informal",
            )
        # A proposal changed after the survivor read it is not agreed to.
        path_propose(case=case, member=first, path="investigation")
        with pytest.raises(CaseError, match="changed"):
            path_agree(
                case=case,
                survivor=personas["survivor"],
                keys=keys_for(personas["survivor"]),
                path="informal",
            )
        with pytest.raises(CaseError):
            path_propose(case=case, member=first, path="trial by combat")


class PauseTests:
    def test_a_pause_stops_the_clock_and_the_panels_steps(
        self, personas, heard
    ):
        """Given a case, when the survivor pauses it, then the panel cannot
        propose a path or draft a finding, but can still write to them;
        when they resume, the deadlines move on by the pause."""
        case, first, _second = heard
        survivor = personas["survivor"]
        case_pause(case=case, survivor=survivor, keys=keys_for(survivor))
        case.refresh_from_db()
        Case.objects.filter(pk=case.pk).update(
            paused_at=case.paused_at - dt.timedelta(days=10)
        )
        case.refresh_from_db()
        before = case.respond_by
        with pytest.raises(CaseError):
            path_propose(case=case, member=first, path="informal")
        with pytest.raises(CaseError):
            finding_draft(
                case=case,
                member=first,
                keys=keys_of(personas, "committee1"),
                outcome="upheld",
                rationale="r",
            )
        message_send(
            case=case,
            author=first,
            keys=keys_of(personas, "committee1"),
            text="We are here when you are ready.",
        )
        with pytest.raises(CaseError):
            case_pause(case=case, survivor=survivor, keys=keys_for(survivor))
        case_resume(case=case, survivor=survivor, keys=keys_for(survivor))
        case.refresh_from_db()
        assert case.paused_at is None
        # The panel's message was the first response: its clock stopped.
        assert case.respond_by == before
        assert case.acknowledge_by > case.submitted_at + dt.timedelta(days=16)
        assert len(events(case, "case_paused")) == 1
        assert len(events(case, "case_resumed")) == 1

    def test_only_the_survivor_pauses(self, personas, heard):
        case, first, _second = heard
        with pytest.raises(CaseError):
            case_pause(case=case, survivor=first, keys=keys_for(first))
        with pytest.raises(CaseError):
            case_resume(
                case=case,
                survivor=personas["survivor"],
                keys=keys_for(personas["survivor"]),
            )


class DeadlineTests:
    def test_a_missed_deadline_is_flagged_once_to_everyone_concerned(
        self, personas, heard, django_capture_on_commit_callbacks
    ):
        """Given a report not acknowledged in time, when the scheduled
        check runs, then the ledger records the missed deadline (the
        survivor's timeline shows it), and the panel, the committee and
        the survivor get a contentless notice; a second run flags nothing
        new."""
        case, _first, _second = heard
        for name in ("survivor", "committee1", "leadership"):
            contact_address_set(
                user=personas[name], email=f"{name}@example.org"
            )
        mail.outbox.clear()
        later = case.acknowledge_by + dt.timedelta(hours=1)
        with django_capture_on_commit_callbacks(execute=True):
            assert deadlines_check(now=later) == 1
        (entry,) = events(case, "deadline_missed")
        assert '"deadline":"acknowledge"' in entry.leaf_data
        to = sorted(m.to[0] for m in mail.outbox)
        assert to == ["committee1@example.org", "survivor@example.org"]
        for message in mail.outbox:
            assert case.reference not in message.body
            assert "demo" not in message.body.lower()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert deadlines_check(now=later) == 0
        assert mail.outbox == []
        ledger_verify()

    def test_a_paused_case_misses_no_deadline(self, personas, heard):
        case, _first, _second = heard
        case_pause(
            case=case,
            survivor=personas["survivor"],
            keys=keys_for(personas["survivor"]),
        )
        assert deadlines_check(now=case.respond_by + dt.timedelta(days=1)) == 0

    def test_an_unacknowledged_measure_is_flagged(self, personas, heard):
        case, first, _second = heard
        notice = measure_issue(
            case=case,
            member=first,
            keys=keys_of(personas, "committee1"),
            subject="A. Member",
            measure="Not at meetings",
        )
        flagged = deadlines_check(
            now=notice.acknowledge_by + dt.timedelta(hours=1)
        )
        # The acknowledgement of the report is overdue by then as well.
        assert flagged == 2
        notice.refresh_from_db()
        assert notice.overdue_at is not None
        assert any(
            '"deadline":"measure"' in e.leaf_data
            for e in events(case, "deadline_missed")
        )

    def test_the_committee_sets_its_deadlines_and_nobody_else(self, personas):
        from faced.orgs.models import Organization

        demo = Organization.objects.get(slug="demo")
        deadlines_set(
            organization=demo,
            member=personas["committee1"],
            keys=keys_for(personas["committee1"]),
            acknowledge_days=5,
            respond_days=60,
            appeal_days=21,
            measure_acknowledge_days=3,
        )
        demo.refresh_from_db()
        assert (demo.acknowledge_days, demo.appeal_days) == (5, 21)
        assert LedgerEntry.objects.filter(event_type="deadlines_set").exists()
        with pytest.raises(CaseError):
            deadlines_set(
                organization=demo,
                member=personas["leadership"],
                keys=keys_for(personas["leadership"]),
                acknowledge_days=1,
            )
        with pytest.raises(CaseError):
            deadlines_set(
                organization=demo,
                member=personas["committee1"],
                keys=keys_for(personas["committee1"]),
                acknowledge_days=0,
            )
        demo.refresh_from_db()
        assert demo.acknowledge_days == 5

    def test_a_deadline_page_refuses_bad_input(self, personas, client):
        from faced.conftest import sign_in

        sign_in(client, personas["committee1"], with_keys=True)
        response = client.post(
            "/o/demo/committee/deadlines/",
            {
                "acknowledge_days": "soon",
                "respond_days": "90",
                "appeal_days": "14",
                "measure_acknowledge_days": "7",
            },
        )
        assert response.status_code == 400
        assert b"whole number of days" in response.content
        assert not LedgerEntry.objects.filter(
            event_type="deadlines_set"
        ).exists()


class NotificationTests:
    def test_a_message_tells_the_other_side_and_nobody_else(
        self, personas, heard, django_capture_on_commit_callbacks
    ):
        case, first, _second = heard
        contact_address_set(user=personas["survivor"], email="s@example.org")
        contact_address_set(user=first, email="c1@example.org")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            message_send(
                case=case,
                author=first,
                keys=keys_of(personas, "committee1"),
                text="CANARY-MESSAGE hello",
            )
        assert [m.to for m in mail.outbox] == [["s@example.org"]]
        assert "CANARY" not in mail.outbox[0].body
        assert "CANARY" not in mail.outbox[0].subject
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            message_send(
                case=case,
                author=personas["survivor"],
                keys=keys_of(personas, "survivor"),
                text="thanks",
            )
        assert [m.to for m in mail.outbox] == [["c1@example.org"]]

    @pytest.mark.django_db
    def test_the_scheduled_check_is_a_task(self):
        """The deadline check runs as a background task (the test backend
        runs it at once) and reports how many it flagged."""
        from faced.cases.tasks import check_deadlines

        result = check_deadlines.enqueue()
        assert result.return_value == 0
        assert timezone.now()


class MeasureStageTests:
    def test_leadership_sees_whether_a_measure_is_interim_or_final(
        self, personas, heard, client
    ):
        from faced.conftest import sign_in

        case, first, _second = heard

        def issue(stage):
            return measure_issue(
                case=case,
                member=first,
                keys=keys_of(personas, "committee1"),
                subject="A. Member",
                measure="No contact",
                stage=stage,
            )

        issue("final")
        with pytest.raises(CaseError):
            issue("forever")
        sign_in(client, personas["leadership"], with_keys=True)
        page = client.get("/o/demo/leadership/").content.decode()
        assert "Final: from the finding" in page
        assert case.measures.count() == 1
