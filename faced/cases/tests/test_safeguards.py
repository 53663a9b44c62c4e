"""Safeguards found missing by a review of panels and appeals: each test
is a way a case could have been read, decided or silenced by the wrong
person, and is now refused or detected."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from faced.cases import selectors
from faced.cases.errors import CaseError
from faced.cases.models import (
    AppealSeat,
    Case,
    CaseKey,
    CaseState,
    Finding,
    FindingSignature,
    PanelKey,
)
from faced.cases.selectors import (
    appeal_is_stuck,
    eligible_for_appeal,
    eligible_for_panel,
    panel_is_stuck,
    panel_records_open,
)
from faced.cases.services.appeals import (
    appeal_conflict_declare,
    appeal_lodge,
    appeal_panel_assign,
    decision_sign,
)
from faced.cases.services.deadlines import deadlines_check, deadlines_set
from faced.cases.services.findings import finding_sign
from faced.cases.services.panel import conflict_declare
from faced.cases.services.report import (
    case_pause,
    case_report_open,
    case_resend,
    case_resume,
    case_withdraw,
)
from faced.cases.tests.cases_setup import (
    decision_drafted,
    finding_drafted,
    keys_for,
    panel_record_added,
)
from faced.conftest import PASSWORD, sign_in
from faced.ledger.models import LedgerEntry
from faced.ledger.services import checkpoint_sign
from faced.orgs.roles import Role
from faced.orgs.services import role_grant, role_revoke


def new_member(name, organization, role=Role.APPEALS):
    from faced.accounts.services import user_create

    user, _recovery = user_create(username=name, password=PASSWORD)
    role_grant(user=user, role=role, organization=organization)
    return user


@pytest.fixture
def appeal_and_three_members(personas, lodged):
    """The lodged appeal, its case, and three appeals members: appeals,
    appeals2 and appeals3, made after the appeal was lodged."""
    case, _finding, appeal = lodged
    third = new_member("appeals3", case.organization)
    return case, appeal, (personas["appeals"], personas["appeals2"], third)


class WhoSitsTests:
    def test_the_survivor_never_sits_on_their_own_case(self, personas, found):
        """Given a survivor who also holds the committee and appeals roles,
        they are never offered a seat on their own case or its appeal, and
        the panel's own records never open to them."""
        case, _finding, first, _second = found
        survivor = personas["survivor"]
        role_grant(
            user=survivor, role=Role.APPEALS, organization=case.organization
        )
        assert survivor not in eligible_for_appeal(case)
        assert survivor not in eligible_for_panel(case)
        appeal = appeal_lodge(
            case=case, appellant=survivor, keys=keys_for(survivor), grounds="g"
        )
        with pytest.raises(CaseError):
            appeal_panel_assign(
                appeal=appeal,
                members=[survivor, personas["appeals"]],
                assigned_by=survivor,
                keys=keys_for(survivor),
            )
        panel_record_added(case, first, "note", "n")
        assert not PanelKey.objects.filter(case=case, reader=survivor)
        assert (
            panel_records_open(
                case=case, reader=survivor, keys=keys_for(survivor)
            )
            == []
        )

    def test_a_revoked_member_keeps_no_key_even_if_made_leader(
        self, personas, found
    ):
        """Given an appeals member who received the case key when an appeal
        was lodged, when their role is revoked (and they are later given
        leadership), then their copy is gone at once and they cannot open
        the report."""
        case, _finding, _first, _second = found
        member = new_member("appeals3", case.organization)
        appeal_lodge(
            case=case,
            appellant=personas["survivor"],
            keys=keys_for(personas["survivor"]),
            grounds="g",
        )
        assert CaseKey.objects.filter(case=case, reader=member).exists()
        role_revoke(
            user=member, role=Role.APPEALS, organization=case.organization
        )
        assert not CaseKey.objects.filter(case=case, reader=member).exists()
        role_grant(
            user=member, role=Role.LEADERSHIP, organization=case.organization
        )
        with pytest.raises(CaseError):
            case_report_open(case=case, reader=member, keys=keys_for(member))

    def test_a_revoked_panel_member_leaves_the_panel(self, personas, heard):
        case, first, _second = heard
        role_revoke(
            user=first, role=Role.COMMITTEE, organization=case.organization
        )
        seat = case.panel.get(member=first)
        assert seat.has_conflict is True
        assert not CaseKey.objects.filter(case=case, reader=first).exists()
        assert not PanelKey.objects.filter(case=case, reader=first).exists()
        assert LedgerEntry.objects.filter(
            event_type="seat_vacated", subject=f"case/{case.pk}"
        ).exists()

    def test_setting_an_appeal_panel_destroys_every_other_copy(
        self, personas, appeal_and_three_members
    ):
        case, appeal, (a, b, extra) = appeal_and_three_members
        appeal_panel_assign(
            appeal=appeal, members=[a, b], assigned_by=a, keys=keys_for(a)
        )
        assert not CaseKey.objects.filter(case=case, reader=extra).exists()
        holders = set(
            CaseKey.objects.filter(case=case).values_list(
                "reader__username", flat=True
            )
        )
        assert holders == {
            "survivor",
            "committee1",
            "committee3",
            "appeals",
            "appeals2",
        }


class NobodyDecidesAloneTests:
    def test_one_first_panel_member_cannot_sign_alone(self, personas, heard):
        case, first, second = heard
        conflict_declare(
            case=case, member=second, keys=keys_for(second), has_conflict=True
        )
        draft = finding_drafted(case, first, "not_upheld", "alone")
        assert not finding_sign(
            finding=draft, member=first, keys=keys_for(first)
        )
        draft.refresh_from_db()
        assert draft.effective_at is None

    def test_one_appeals_member_cannot_decide_alone_and_the_panel_is_topped_up(
        self, personas, appeal_and_three_members
    ):
        _case, appeal, (a, b, c) = appeal_and_three_members
        appeal_panel_assign(
            appeal=appeal, members=[a, b], assigned_by=a, keys=keys_for(a)
        )
        appeal_conflict_declare(
            appeal=appeal, member=a, keys=keys_for(a), has_conflict=False
        )
        appeal_conflict_declare(
            appeal=appeal, member=b, keys=keys_for(b), has_conflict=True
        )
        draft = decision_drafted(appeal, a, "vary", "not_upheld", "alone")
        assert not decision_sign(decision=draft, member=a, keys=keys_for(a))
        appeal_panel_assign(
            appeal=appeal, members=[c], assigned_by=a, keys=keys_for(a)
        )
        assert set(
            AppealSeat.objects.filter(appeal=appeal)
            .exclude(has_conflict=True)
            .values_list("member__username", flat=True)
        ) == {"appeals", "appeals3"}

    def test_a_signature_stops_counting_when_its_signer_steps_aside(
        self, personas, appeal_and_three_members
    ):
        _case, appeal, (a, b, c) = appeal_and_three_members
        appeal_panel_assign(
            appeal=appeal, members=[a, b, c], assigned_by=a, keys=keys_for(a)
        )
        for member in (a, b, c):
            appeal_conflict_declare(
                appeal=appeal,
                member=member,
                keys=keys_for(member),
                has_conflict=False,
            )
        draft = decision_drafted(appeal, a, "send_back", rationale="x")
        decision_sign(decision=draft, member=a, keys=keys_for(a))
        appeal_conflict_declare(
            appeal=appeal, member=a, keys=keys_for(a), has_conflict=True
        )
        assert not FindingSignature.objects.filter(finding=draft, member=a)
        assert not decision_sign(decision=draft, member=b, keys=keys_for(b))
        assert decision_sign(decision=draft, member=c, keys=keys_for(c))


class WhatWasReadTests:
    def test_a_replaced_draft_is_not_signed_from_a_stale_page(
        self, personas, heard
    ):
        """Given a member who read draft 1, when another member replaces it
        and signs draft 2, then the first member's sign button (which
        carries draft 1) is refused, and draft 2 is not in effect."""
        case, first, second = heard
        read = finding_drafted(case, second, "upheld", "what first read")
        swapped = finding_drafted(case, second, "not_upheld", "swapped")
        finding_sign(finding=swapped, member=second, keys=keys_for(second))
        client = sign_in(Client(), first, with_keys=True)
        response = client.post(
            reverse("committee:case", args=["demo", case.pk]),
            {"action": "sign_finding", "finding": str(read.pk)},
            follow=True,
        )
        assert "was replaced by a newer one" in response.content.decode()
        swapped.refresh_from_db()
        assert swapped.effective_at is None

    def test_the_survivor_sees_no_draft(self, personas, heard):
        case, first, _second = heard
        finding_drafted(case, first, "not_upheld", "CANARY-DRAFT-ONLY")
        client = sign_in(Client(), personas["survivor"], with_keys=True)
        page = client.get(reverse("cases:case", args=[case.pk])).content
        assert b"CANARY-DRAFT-ONLY" not in page


class WithdrawalTests:
    def test_nothing_is_decided_after_a_withdrawal(self, personas, heard):
        case, first, second = heard
        draft = finding_drafted(case, first, "upheld", "r")
        finding_sign(finding=draft, member=first, keys=keys_for(first))
        case_withdraw(
            case=case,
            survivor=personas["survivor"],
            keys=keys_for(personas["survivor"]),
        )
        with pytest.raises(CaseError, match="withdrew"):
            finding_sign(finding=draft, member=second, keys=keys_for(second))
        case.refresh_from_db()
        assert case.state == CaseState.WITHDRAWN


class AppealWindowTests:
    def test_a_shorter_window_does_not_close_an_open_one(
        self, personas, found
    ):
        case, finding, first, _second = found
        Finding.objects.filter(pk=finding.pk).update(
            effective_at=timezone.now() - dt.timedelta(days=10)
        )
        deadlines_set(
            organization=case.organization,
            member=first,
            keys=keys_for(first),
            acknowledge_days=7,
            respond_days=90,
            appeal_days=7,
            measure_acknowledge_days=7,
        )
        appeal_lodge(
            case=case,
            appellant=personas["survivor"],
            keys=keys_for(personas["survivor"]),
            grounds="still in time",
        )


class StuckTests:
    def test_an_appeal_everyone_stepped_aside_from_can_be_sent_again(
        self, personas, appeal_and_three_members
    ):
        case, appeal, (a, b, c) = appeal_and_three_members
        d = new_member("appeals4", case.organization)
        appeal_panel_assign(
            appeal=appeal, members=[a, b], assigned_by=a, keys=keys_for(a)
        )
        for member in (a, b):
            appeal_conflict_declare(
                appeal=appeal,
                member=member,
                keys=keys_for(member),
                has_conflict=True,
            )
        assert appeal_is_stuck(appeal)
        with pytest.raises(CaseError):
            case_resend(case=case, holder=c, keys=keys_for(c))
        assert (
            case_resend(
                case=case,
                holder=personas["survivor"],
                keys=keys_for(personas["survivor"]),
            )
            == 2
        )
        assert not appeal_is_stuck(appeal)
        appeal_panel_assign(
            appeal=appeal, members=[c, d], assigned_by=c, keys=keys_for(c)
        )

    def test_a_case_whose_whole_panel_stepped_aside_can_be_sent_again(
        self, personas, heard
    ):
        case, first, second = heard
        for member in (first, second):
            conflict_declare(
                case=case,
                member=member,
                keys=keys_for(member),
                has_conflict=True,
            )
        fresh = new_member("committee4", case.organization, Role.COMMITTEE)
        new_member("committee5", case.organization, Role.COMMITTEE)
        assert panel_is_stuck(case)
        case_resend(
            case=case,
            holder=personas["survivor"],
            keys=keys_for(personas["survivor"]),
        )
        assert CaseKey.objects.filter(case=case, reader=fresh).exists()
        # Members the survivor kept off stay off.
        assert not CaseKey.objects.filter(
            case=case, reader=personas["committee2"]
        ).exists()


class DeadlineTests:
    def test_a_pause_does_not_erase_a_missed_deadline(
        self, personas, reported
    ):
        case, _keys = reported
        Case.objects.filter(pk=case.pk).update(
            acknowledge_by=timezone.now() - dt.timedelta(hours=1)
        )
        case_pause(
            case=case,
            survivor=personas["survivor"],
            keys=keys_for(personas["survivor"]),
        )
        Case.objects.filter(pk=case.pk).update(
            paused_at=timezone.now() - dt.timedelta(minutes=30)
        )
        case_resume(
            case=case,
            survivor=personas["survivor"],
            keys=keys_for(personas["survivor"]),
        )
        assert deadlines_check() == 1


class IntegrityTests:
    def test_an_entry_hidden_from_the_middle_of_a_history_shows(
        self, personas, heard
    ):
        case, first, _second = heard
        case_report_open(case=case, reader=first, keys=keys_for(first))
        panel_record_added(case, first, "note", "n")
        checkpoint_sign(force=True)
        LedgerEntry.objects.filter(
            subject=f"case/{case.pk}", event_type="case_opened"
        ).update(subject="")
        integrity = selectors.timeline_integrity(
            case, selectors.timeline(case)
        )
        assert any("missing from its history" in p for p in integrity.problems)

    def test_no_checkpoint_is_signed_over_a_rewritten_history(
        self, personas, heard
    ):
        from faced.ledger.models import LedgerNode
        from faced.ledger.services import HistoryRewritten

        checkpoint_sign(force=True)
        # Someone rewrote the stored tree (every subtree hash).
        LedgerNode.objects.update(hash=b"\x00" * 32)
        with pytest.raises(HistoryRewritten):
            checkpoint_sign(force=True)


class BadInputTests:
    def test_malformed_ids_are_refused_without_an_error_page(
        self, personas, heard
    ):
        case, first, _second = heard
        client = sign_in(
            Client(raise_request_exception=False), first, with_keys=True
        )
        response = client.post(
            reverse("committee:case", args=["demo", case.pk]),
            {"action": "share_records", "appeal": "nope"},
            follow=True,
        )
        assert response.status_code == 200
        assert "There is no such appeal" in response.content.decode()
        leader = sign_in(
            Client(raise_request_exception=False),
            personas["leadership"],
            with_keys=True,
        )
        response = leader.post(
            reverse("leadership:home", args=["demo"]), {"notice": "nope"}
        )
        assert response.status_code == 404
