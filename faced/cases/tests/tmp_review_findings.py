"""THROWAWAY review proofs. Delete after the review."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from faced.cases import selectors
from faced.cases.models import (
    AppealSeat,
    Case,
    CaseKey,
    CaseState,
    Finding,
    FindingSignature,
    PanelKey,
)
from faced.cases.services import (
    CaseError,
    _open_under_case_key,
    appeal_conflict_declare,
    appeal_lodge,
    appeal_panel_assign,
    case_pause,
    case_resume,
    case_withdraw,
    deadlines_check,
    deadlines_set,
    decision_draft,
    eligible_for_appeal,
    finding_draft,
    finding_sign,
    panel_file_share,
    panel_record_add,
    panel_records_open,
)
from faced.cases.tests.test_appeals import found, hearing, keys_for, lodged
from faced.cases.tests.test_report import keys_of, reported
from faced.cases.tests.test_working import heard
from faced.conftest import PASSWORD, sign_in
from faced.ledger.models import LedgerEntry
from faced.ledger.services import checkpoint_sign
from faced.orgs.roles import Role
from faced.orgs.services import role_grant, role_revoke

__all__ = ["found", "hearing", "lodged", "reported", "heard"]


def new_appeals(name, org):
    from faced.accounts.services import user_create

    user, _r = user_create(username=name, password=PASSWORD)
    role_grant(user=user, role=Role.APPEALS, organization=org)
    return user


class ReviewTests:
    def test_survivor_sees_unsigned_draft_finding(self, personas, heard):
        case, first, _second = heard
        finding_draft(
            case=case, member=first, keys=keys_for(first),
            outcome="not_upheld", rationale="CANARY-DRAFT-ONLY",
        )
        client = sign_in(Client(), personas["survivor"], with_keys=True)
        page = client.get(reverse("cases:case", args=[case.pk]))
        assert page.status_code == 200
        assert "CANARY-DRAFT-ONLY" in page.content.decode()

    def test_sign_button_signs_a_draft_replaced_after_page_load(
        self, personas, heard
    ):
        case, first, second = heard
        finding_draft(case=case, member=second, keys=keys_for(second),
                      outcome="upheld", rationale="D1 what first read")
        # first loads the page and reads D1; second redrafts meanwhile
        d2 = finding_draft(case=case, member=second, keys=keys_for(second),
                           outcome="not_upheld", rationale="D2 swapped")
        finding_sign(finding=d2, member=second, keys=keys_for(second))
        client = sign_in(Client(), first, with_keys=True)
        r = client.post(
            reverse("committee:case", args=["demo", case.pk]),
            {"action": "sign_finding"},
        )
        assert r.status_code == 302
        d2.refresh_from_db()
        assert d2.effective_at is not None  # D2 in effect with first's sig
        assert FindingSignature.objects.filter(finding=d2, member=first)

    def test_finding_signed_after_withdrawal_unwithdraws(self, personas, heard):
        case, first, second = heard
        d = finding_draft(case=case, member=first, keys=keys_for(first),
                          outcome="upheld", rationale="r")
        case_withdraw(case=case, survivor=personas["survivor"])
        finding_sign(finding=d, member=first, keys=keys_for(first))
        finding_sign(finding=d, member=second, keys=keys_for(second))
        case.refresh_from_db()
        assert case.state == CaseState.FINDING  # withdrawal overwritten

    def test_appeal_conflict_keeps_panel_key(self, personas, hearing):
        case, _f, appeal, members = hearing
        first = personas["committee1"]
        panel_record_add(case=case, member=first, keys=keys_for(first),
                         kind="statement", text="CANARY-STATEMENT")
        panel_file_share(appeal=appeal, member=first, keys=keys_for(first))
        appeal_conflict_declare(appeal=appeal, member=members[1],
                                has_conflict=True)
        assert not CaseKey.objects.filter(case=case, reader=members[1])
        assert PanelKey.objects.filter(case=case, reader=members[1])
        recs = panel_records_open(case=case, reader=members[1],
                                  keys=keys_for(members[1]))
        assert recs[0]["text"] == "CANARY-STATEMENT"

    def test_single_appeals_member_decides_alone(self, personas, lodged):
        case, finding, appeal = lodged
        a, b = personas["appeals"], personas["appeals2"]
        appeal_panel_assign(appeal=appeal, members=[a, b], assigned_by=a,
                            keys=keys_for(a))
        appeal_conflict_declare(appeal=appeal, member=a, has_conflict=False)
        appeal_conflict_declare(appeal=appeal, member=b, has_conflict=True)
        c = new_appeals("appeals3", case.organization)
        with pytest.raises(CaseError):  # no way to top up
            appeal_panel_assign(appeal=appeal, members=[a, c],
                                assigned_by=a, keys=keys_for(a))
        d = decision_draft(appeal=appeal, member=a, keys=keys_for(a),
                           decision="vary", outcome="not_upheld",
                           rationale="alone")
        assert finding_sign(finding=d, member=a, keys=keys_for(a))
        case.refresh_from_db()
        assert case.state == CaseState.DECIDED

    def test_conflicted_signer_still_counts(self, personas, lodged):
        case, finding, appeal = lodged
        a, b = personas["appeals"], personas["appeals2"]
        c = new_appeals("appeals3", case.organization)
        # c got no key at lodge time (granted later) -> seal by assigner
        appeal_panel_assign(appeal=appeal, members=[a, b, c], assigned_by=a,
                            keys=keys_for(a))
        for m in (a, b, c):
            appeal_conflict_declare(appeal=appeal, member=m,
                                    has_conflict=False)
        d = decision_draft(appeal=appeal, member=a, keys=keys_for(a),
                           decision="send_back", rationale="x")
        finding_sign(finding=d, member=a, keys=keys_for(a))
        appeal_conflict_declare(appeal=appeal, member=a, has_conflict=True)
        # now only b, c sit; quorum 2; a's + b's signature complete it
        assert finding_sign(finding=d, member=b, keys=keys_for(b))

    def test_bad_uuid_in_share_records_is_500(self, personas, heard):
        case, first, _ = heard
        client = sign_in(Client(raise_request_exception=False), first,
                         with_keys=True)
        r = client.post(reverse("committee:case", args=["demo", case.pk]),
                        {"action": "share_records", "appeal": "nope"})
        assert r.status_code == 500

    def test_bad_uuid_leadership_notice_is_500(self, personas):
        client = sign_in(Client(raise_request_exception=False),
                         personas["leadership"], with_keys=True)
        r = client.post(reverse("leadership:home", args=["demo"]),
                        {"notice": "nope"})
        assert r.status_code == 500

    def test_blank_subject_hides_entry_integrity_green(self, personas, heard):
        case, first, _ = heard
        from faced.cases.services import case_report_open
        case_report_open(case=case, reader=first, keys=keys_for(first))
        checkpoint_sign(force=True)
        before = selectors.timeline(case)
        LedgerEntry.objects.filter(
            subject=f"case/{case.pk}", event_type="case_opened"
        ).update(subject="")
        after = selectors.timeline(case)
        assert len(after) < len(before)
        assert selectors.timeline_integrity(after).problems == []

    def test_survivor_with_appeals_role_sits_on_own_appeal(
        self, personas, found
    ):
        case, finding, first, second = found
        survivor = personas["survivor"]
        role_grant(user=survivor, role=Role.APPEALS,
                   organization=case.organization)
        panel_record_add(case=case, member=first, keys=keys_for(first),
                         kind="statement", text="CANARY-RESPONDENT")
        appeal = appeal_lodge(case=case, appellant=survivor,
                              keys=keys_for(survivor), grounds="g")
        assert survivor in eligible_for_appeal(case)
        appeal_panel_assign(appeal=appeal,
                            members=[survivor, personas["appeals"]],
                            assigned_by=survivor, keys=keys_for(survivor))
        appeal_conflict_declare(appeal=appeal, member=survivor,
                                has_conflict=False)
        panel_file_share(appeal=appeal, member=first, keys=keys_for(first))
        recs = panel_records_open(case=case, reader=survivor,
                                  keys=keys_for(survivor))
        assert recs[0]["text"] == "CANARY-RESPONDENT"

    def test_revoked_appeals_member_turned_leader_keeps_case_key(
        self, personas, found
    ):
        case, finding, first, second = found
        x = new_appeals("appeals3", case.organization)
        appeal = appeal_lodge(case=case, appellant=personas["survivor"],
                              keys=keys_for(personas["survivor"]),
                              grounds="g")
        assert CaseKey.objects.filter(case=case, reader=x)
        role_revoke(user=x, role=Role.APPEALS,
                    organization=case.organization)
        role_grant(user=x, role=Role.LEADERSHIP,
                   organization=case.organization)
        a, b = personas["appeals"], personas["appeals2"]
        appeal_panel_assign(appeal=appeal, members=[a, b], assigned_by=a,
                            keys=keys_for(a))
        assert CaseKey.objects.filter(case=case, reader=x)  # not destroyed
        doc = case.documents.get(kind="report")
        content = _open_under_case_key(
            case, x, keys_for(x), wrapped_key=doc.wrapped_key,
            ciphertext=doc.ciphertext, purpose="report")
        assert "CANARY" in str(content)

    def test_appeal_days_change_is_retroactive(self, personas, found):
        case, finding, first, _ = found
        Finding.objects.filter(pk=finding.pk).update(
            effective_at=timezone.now() - dt.timedelta(days=10))
        deadlines_set(organization=case.organization, member=first,
                      acknowledge_days=7, respond_days=90, appeal_days=7,
                      measure_acknowledge_days=7)
        with pytest.raises(CaseError):
            appeal_lodge(case=case, appellant=personas["survivor"],
                         keys=keys_for(personas["survivor"]), grounds="g")

    def test_respondent_appeal_by_one_panel_member_blocks_survivor(
        self, personas, found
    ):
        case, finding, first, _ = found
        appeal_lodge(case=case, appellant=first, keys=keys_for(first),
                     grounds="respondent says")
        with pytest.raises(CaseError):
            appeal_lodge(case=case, appellant=personas["survivor"],
                         keys=keys_for(personas["survivor"]), grounds="g")

    def test_pause_erases_passed_unflagged_deadline(self, personas, reported):
        case, _ = reported
        past = timezone.now() - dt.timedelta(hours=1)
        Case.objects.filter(pk=case.pk).update(acknowledge_by=past)
        case_pause(case=case, survivor=personas["survivor"])
        Case.objects.filter(pk=case.pk).update(
            paused_at=timezone.now() - dt.timedelta(days=3))
        case.refresh_from_db()
        case_resume(case=case, survivor=personas["survivor"])
        case.refresh_from_db()
        assert case.acknowledge_by > timezone.now()
        assert deadlines_check() == 0
