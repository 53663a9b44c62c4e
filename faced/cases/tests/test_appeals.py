"""Appeals: heard by a separate panel from the appeals role, decided by
its signed quorum; the original finding stays on the record."""

import datetime as dt

import pytest
from django.utils import timezone

from faced.cases.errors import CaseError
from faced.cases.models import (
    Appeal,
    CaseKey,
    CaseState,
    Finding,
    FindingSignature,
)
from faced.cases.selectors import (
    appeal_grounds_open,
    effective_finding,
    finding_integrity,
    finding_open,
    panel_records_open,
)
from faced.cases.services.appeals import (
    appeal_conflict_declare,
    appeal_lodge,
    appeal_panel_assign,
    decision_draft,
    decision_sign,
    panel_file_share,
)
from faced.cases.services.findings import finding_draft, finding_sign
from faced.cases.services.report import case_report_open
from faced.cases.tests.cases_setup import (
    decision_drafted,
    keys_for,
    keys_of,
    panel_record_added,
)
from faced.ledger.models import LedgerEntry
from faced.ledger.verify import ledger_verify


def decide(appeal, members, decision, outcome=""):
    draft = decision_drafted(
        appeal,
        members[0],
        decision,
        outcome=outcome,
        rationale="CANARY-DECISION reasons",
    )
    assert not decision_sign(
        decision=draft, member=members[0], keys=keys_for(members[0])
    )
    assert decision_sign(
        decision=draft, member=members[1], keys=keys_for(members[1])
    )
    draft.refresh_from_db()
    return draft


class LodgeTests:
    def test_the_survivor_appeals_within_the_window(self, personas, lodged):
        """Given a finding in effect, when the survivor appeals, then the
        case is on appeal, the appeals members (and nobody in leadership)
        can open the grounds once seated, and the ledger records the side
        but never the grounds."""
        case, _finding, appeal = lodged
        case.refresh_from_db()
        assert case.state == CaseState.APPEAL
        assert appeal.side == Appeal.Side.SURVIVOR
        holders = set(
            CaseKey.objects.filter(case=case).values_list(
                "reader__username", flat=True
            )
        )
        assert {"appeals", "appeals2"} <= holders
        assert "leadership" not in holders
        entry = LedgerEntry.objects.get(event_type="appeal_lodged")
        # Which side appealed is not public: it would tell how it went.
        assert "side" not in entry.leaf_data
        assert "survivor" not in entry.leaf_data
        assert "CANARY" not in entry.leaf_data

    def test_the_panel_appeals_for_the_respondent(self, personas, found):
        case, _finding, first, _second = found
        appeal = appeal_lodge(
            case=case,
            appellant=first,
            keys=keys_for(first),
            grounds="The respondent says the process was unfair.",
        )
        assert appeal.side == Appeal.Side.RESPONDENT

    @pytest.mark.parametrize(
        "who", ["leadership", "committee2", "appeals", "operator"]
    )
    def test_nobody_else_appeals(self, personas, found, who):
        case, _finding, _first, _second = found
        with pytest.raises(CaseError):
            appeal_lodge(
                case=case,
                appellant=personas[who],
                keys=keys_of(personas, who),
                grounds="x",
            )
        assert not Appeal.objects.exists()

    def test_the_window_closes(self, personas, found):
        case, finding, _first, _second = found
        Finding.objects.filter(pk=finding.pk).update(
            appeal_until=timezone.now() - dt.timedelta(minutes=1)
        )
        with pytest.raises(CaseError, match="window"):
            appeal_lodge(
                case=case,
                appellant=personas["survivor"],
                keys=keys_of(personas, "survivor"),
                grounds="late",
            )

    def test_one_appeal_per_side_and_the_other_side_joins(
        self, personas, lodged
    ):
        """Given the survivor's appeal, a second one by the survivor is
        refused; the panel's, for the respondent, joins it, so that one
        member of the first panel cannot foreclose the survivor's appeal
        (nor the other way round), and one appeals panel hears both."""
        case, _finding, appeal = lodged
        with pytest.raises(CaseError):
            appeal_lodge(
                case=case,
                appellant=personas["survivor"],
                keys=keys_of(personas, "survivor"),
                grounds="again",
            )
        joined = appeal_lodge(
            case=case,
            appellant=personas["committee1"],
            keys=keys_of(personas, "committee1"),
            grounds="CANARY-RESPONDENT-GROUNDS unfair",
        )
        assert joined.pk == appeal.pk
        assert Appeal.objects.get().side == Appeal.Side.BOTH
        grounds = appeal_grounds_open(
            appeal=joined,
            reader=personas["survivor"],
            keys=keys_of(personas, "survivor"),
        )
        assert [g["grounds"][:14] for g in grounds] == [
            "CANARY-GROUNDS",
            "CANARY-RESPOND",
        ]
        with pytest.raises(CaseError):
            appeal_lodge(
                case=case,
                appellant=personas["survivor"],
                keys=keys_of(personas, "survivor"),
                grounds="a third time",
            )


class AppealPanelTests:
    def test_the_appeals_panel_reads_the_case_once_declared(
        self, personas, hearing
    ):
        case, _finding, appeal, members = hearing
        keys = keys_for(members[0])
        assert case_report_open(case=case, reader=members[0], keys=keys)
        (grounds,) = appeal_grounds_open(
            appeal=appeal, reader=members[0], keys=keys
        )
        assert grounds["grounds"].startswith("CANARY-GROUNDS")

    def test_nobody_from_the_first_panel_sits_on_the_appeal(
        self, personas, lodged
    ):
        """Given an appeals member who also sat on the case's first panel,
        they cannot be put on the appeal's panel."""
        from faced.orgs.roles import Role
        from faced.orgs.services import role_grant

        case, _finding, appeal = lodged
        first = personas["committee1"]
        role_grant(
            user=first, role=Role.APPEALS, organization=case.organization
        )
        with pytest.raises(CaseError):
            appeal_panel_assign(
                appeal=appeal,
                members=[personas["appeals"], first],
                assigned_by=personas["appeals"],
                keys=keys_of(personas, "appeals"),
            )

    def test_a_conflict_removes_the_member_and_their_key(
        self, personas, appeal_seated
    ):
        case, _finding, appeal, members = appeal_seated
        appeal_conflict_declare(
            appeal=appeal,
            member=members[1],
            keys=keys_for(members[1]),
            has_conflict=True,
        )
        assert not CaseKey.objects.filter(
            case=case, reader=members[1]
        ).exists()
        with pytest.raises(CaseError):
            case_report_open(
                case=case, reader=members[1], keys=keys_for(members[1])
            )

    def test_the_first_panel_shares_its_records_with_the_appeal(
        self, personas, hearing
    ):
        case, _finding, appeal, members = hearing
        first = personas["committee1"]
        panel_record_added(
            case, first, "evidence", "CANARY-EVIDENCE screenshot described"
        )
        reader_keys = keys_for(members[0])
        assert (
            panel_records_open(case=case, reader=members[0], keys=reader_keys)
            == []
        )
        panel_file_share(appeal=appeal, member=first, keys=keys_for(first))
        records = panel_records_open(
            case=case, reader=members[0], keys=reader_keys
        )
        assert [r["text"] for r in records] == [
            "CANARY-EVIDENCE screenshot described"
        ]


class DecisionTests:
    def test_upholding_keeps_the_finding_and_closes_the_appeal(
        self, personas, hearing
    ):
        case, finding, appeal, members = hearing
        decision = decide(appeal, members, "uphold")
        case.refresh_from_db()
        assert case.state == CaseState.DECIDED
        assert decision.decision == "uphold"
        entry = LedgerEntry.objects.get(sequence=decision.ledger_sequence)
        assert entry.event_type == "appeal_decided"
        # The decision is in the signed (encrypted) text, not public.
        assert "uphold" not in entry.leaf_data
        body = finding_open(
            finding=decision,
            reader=personas["survivor"],
            keys=keys_of(personas, "survivor"),
        )
        assert finding_integrity(finding=decision, body=body) == []
        # The original finding stays on the record, unchanged.
        assert effective_finding(case) == finding
        ledger_verify()

    def test_varying_changes_the_outcome_beside_the_original(
        self, personas, hearing
    ):
        _case, finding, appeal, members = hearing
        decision = decide(appeal, members, "vary", outcome="partly_upheld")
        body = finding_open(
            finding=decision,
            reader=personas["survivor"],
            keys=keys_of(personas, "survivor"),
        )
        assert body["outcome"] == "partly_upheld"
        original = finding_open(
            finding=finding,
            reader=personas["survivor"],
            keys=keys_of(personas, "survivor"),
        )
        assert original["outcome"] == "upheld"

    def test_sending_back_lets_the_panel_decide_again(self, personas, hearing):
        """Given an appeal sent back, the first panel can draft a new
        finding; the first finding stays on the record."""
        case, finding, appeal, members = hearing
        decide(appeal, members, "send_back")
        case.refresh_from_db()
        assert case.state == CaseState.UNDER_WAY
        assert effective_finding(case) is None
        first = personas["committee1"]
        redo = finding_draft(
            case=case,
            member=first,
            keys=keys_for(first),
            outcome="partly_upheld",
            rationale="Looked at again.",
        )
        assert redo.pk != finding.pk
        assert Finding.objects.filter(pk=finding.pk).exists()

    @pytest.mark.parametrize("who", ["committee1", "leadership", "survivor"])
    def test_nobody_off_the_appeals_panel_drafts_or_signs(
        self, personas, hearing, who
    ):
        _case, _finding, appeal, members = hearing
        with pytest.raises(CaseError):
            decision_draft(
                appeal=appeal,
                member=personas[who],
                keys=keys_of(personas, who),
                decision="vary",
                outcome="not_upheld",
                rationale="x",
            )
        draft = decision_drafted(appeal, members[0], "uphold")
        with pytest.raises(CaseError):
            decision_sign(
                decision=draft,
                member=personas[who],
                keys=keys_of(personas, who),
            )

    def test_it_signs_a_decision_only_as_a_decision(self, personas, hearing):
        """A decision is not signed through the finding's path, nor a
        finding through the decision's, and neither refusal records a
        signature."""
        case, _finding, appeal, members = hearing
        draft = decision_drafted(appeal, members[0], "uphold")
        with pytest.raises(CaseError):
            finding_sign(
                finding=draft, member=members[0], keys=keys_for(members[0])
            )
        first = case.panel.first().member
        redraft = Finding.objects.create(
            case=case, drafted_by=first, wrapped_key=b"", ciphertext=b""
        )
        with pytest.raises(CaseError):
            decision_sign(decision=redraft, member=first, keys=keys_for(first))
        assert not FindingSignature.objects.filter(
            finding__in=[draft, redraft]
        ).exists()

    def test_a_decision_is_immutable_once_in_effect(self, personas, hearing):
        _case, _finding, appeal, members = hearing
        decide(appeal, members, "uphold")
        with pytest.raises(CaseError):
            decision_draft(
                appeal=appeal,
                member=members[0],
                keys=keys_for(members[0]),
                decision="vary",
                outcome="not_upheld",
                rationale="changed my mind",
            )

    def test_an_edited_decision_kind_is_detected(self, personas, hearing):
        _case, _finding, appeal, members = hearing
        decision = decide(appeal, members, "uphold")
        Finding.objects.filter(pk=decision.pk).update(decision="send_back")
        decision.refresh_from_db()
        body = finding_open(
            finding=decision,
            reader=members[0],
            keys=keys_for(members[0]),
        )
        assert finding_integrity(finding=decision, body=body)
