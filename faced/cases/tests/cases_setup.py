"""Steps the cases tests take again and again: opening a persona's keys,
reporting a new record, seating a panel of two on a reported case,
adding to the panel's records, drafting a finding or an appeal's
decision, and putting a finding in effect.

These are plain functions rather than fixtures because tests call them in
the middle of their own steps, with arguments of their own."""

from faced.accounts.custody import keys_unlock
from faced.cases.services.appeals import (
    appeal_conflict_declare,
    decision_draft,
)
from faced.cases.services.findings import finding_draft, finding_sign
from faced.cases.services.panel import (
    conflict_declare,
    panel_assign,
    panel_record_add,
)
from faced.cases.services.report import case_submit
from faced.conftest import PASSWORD
from faced.orgs.models import Organization
from faced.vault.services import record_save


def keys_of(personas, name):
    """The keys of the persona called NAME."""
    return keys_unlock(user=personas[name], password=PASSWORD)


def keys_for(user):
    """The keys of USER, a persona or anyone made with the personas'
    password."""
    return keys_unlock(user=user, password=PASSWORD)


def case_reported(survivor, fields, **choices):
    """A case SURVIVOR reported to Demo Collective from a new record of
    FIELDS, with the CHOICES of the report form (included_fields,
    outcomes, respondent, excluded)."""
    keys = keys_for(survivor)
    record = record_save(
        owner=survivor, keys=keys, fields=fields
    ).version.record
    return case_submit(
        survivor=survivor,
        keys=keys,
        record=record,
        organization=Organization.objects.get(slug="demo"),
        **choices,
    )


def seat_panel(personas, case, extra=None):
    """A panel of committee1 and a committee member added for the test
    (committee2 was kept off by the survivor)."""
    from faced.accounts.services import user_create
    from faced.orgs.roles import Role
    from faced.orgs.services import role_grant

    third = extra
    if third is None:
        third, _recovery = user_create(
            username="committee3", password=PASSWORD
        )
        role_grant(
            user=third, role=Role.COMMITTEE, organization=case.organization
        )
    panel_assign(
        case=case,
        members=[personas["committee1"], third],
        assigned_by=personas["committee1"],
        keys=keys_of(personas, "committee1"),
    )
    return third


def panel_record_added(case, member, kind, text):
    """A record of KIND in the panel's own records, written by MEMBER."""
    return panel_record_add(
        case=case, member=member, keys=keys_for(member), kind=kind, text=text
    )


def finding_drafted(case, member, outcome, rationale, measures=""):
    """A finding MEMBER of the case's panel drafted, not yet signed."""
    return finding_draft(
        case=case,
        member=member,
        keys=keys_for(member),
        outcome=outcome,
        rationale=rationale,
        measures=measures,
    )


def finding_signed(case, panel, *, rationale, outcome="upheld"):
    """A finding drafted by the first member of PANEL and signed by each
    of them: in effect once they are a majority of the case's panel."""
    finding = finding_drafted(case, panel[0], outcome, rationale)
    for member in panel:
        finding_sign(finding=finding, member=member, keys=keys_for(member))
    return finding


def decision_drafted(appeal, member, decision, outcome="", rationale="r"):
    """A decision MEMBER of the appeals panel drafted, not yet signed."""
    return decision_draft(
        appeal=appeal,
        member=member,
        keys=keys_for(member),
        decision=decision,
        outcome=outcome,
        rationale=rationale,
    )


def declared(case, members, appeal=None):
    """Each of MEMBERS declares no conflict on CASE's panel (or, with
    APPEAL, on the appeal's), signing with their own keys."""
    for member in members:
        if appeal is None:
            conflict_declare(
                case=case,
                member=member,
                keys=keys_for(member),
                has_conflict=False,
            )
        else:
            appeal_conflict_declare(
                appeal=appeal,
                member=member,
                keys=keys_for(member),
                has_conflict=False,
            )
