"""The cases tests' own fixtures, each a step further along one case: a
report, heard by a panel of two, with a finding in effect, appealed, with
an appeals panel set, and before that panel."""

import pytest

from faced.cases.services.appeals import (
    appeal_lodge,
    appeal_panel_assign,
)
from faced.cases.tests.cases_setup import (
    case_reported,
    declared,
    finding_signed,
    keys_for,
    keys_of,
    seat_panel,
)


@pytest.fixture
def reported(personas):
    """A case the survivor reported to Demo Collective, keeping committee2
    off, and the survivor's keys."""
    survivor = personas["survivor"]
    case = case_reported(
        survivor,
        {"what": "CANARY what happened", "where": "the hall"},
        included_fields=["what"],
        outcomes=["heard", "no_contact"],
        respondent="A. Member, phone 0151 1234567",
        excluded=[personas["committee2"]],
    )
    return case, keys_for(survivor)


@pytest.fixture
def heard(personas, reported):
    """A case whose panel (committee1 and committee3) declared no
    conflict."""
    case, _keys = reported
    third = seat_panel(personas, case)
    declared(case, [personas["committee1"], third])
    return case, personas["committee1"], third


@pytest.fixture
def found(personas, heard):
    """A case with a finding in effect, signed by its panel of two."""
    case, first, second = heard
    finding = finding_signed(
        case, [first, second], rationale="CANARY-FINDING reasons"
    )
    finding.refresh_from_db()
    case.refresh_from_db()
    return case, finding, first, second


@pytest.fixture
def lodged(personas, found):
    """The survivor's appeal of the finding in effect."""
    case, finding, _first, _second = found
    appeal = appeal_lodge(
        case=case,
        appellant=personas["survivor"],
        keys=keys_of(personas, "survivor"),
        grounds="CANARY-GROUNDS the measures are too weak",
    )
    return case, finding, appeal


@pytest.fixture
def appeal_seated(personas, lodged):
    """An appeal whose panel (appeals, appeals2) is set, neither member
    having declared yet."""
    case, finding, appeal = lodged
    members = [personas["appeals"], personas["appeals2"]]
    appeal_panel_assign(
        appeal=appeal,
        members=members,
        assigned_by=personas["appeals"],
        keys=keys_of(personas, "appeals"),
    )
    return case, finding, appeal, members


@pytest.fixture
def hearing(appeal_seated):
    """An appeal whose panel (appeals, appeals2) declared no conflict."""
    case, finding, appeal, members = appeal_seated
    declared(appeal.case, members, appeal=appeal)
    return case, finding, appeal, members
