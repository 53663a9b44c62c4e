"""Every page passes axe-core with no moderate, serious or critical
violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from faced.conftest import sign_in

pytestmark = pytest.mark.browser

# (who, path): every page of the foundation, as the person who sees it.
PAGES = [
    (None, "/"),
    (None, "/signin/"),
    (None, "/signout/"),
    (None, "/no/such/page/"),
    ("survivor", "/my/"),
    ("committee1", "/o/demo/committee/"),
    ("advocate", "/o/demo/advocate/"),
    ("appeals", "/o/demo/appeals/"),
    ("leadership", "/o/demo/leadership/"),
    ("leadership", "/o/demo/committee/"),
    ("coordinator", "/o/demo/caucus/"),
    ("counselor", "/counselor/"),
    ("survivor", "/my/escrow/"),
    ("operator", "/operator/"),
    (None, "/write/"),
    (None, "/write/account/"),
    (None, "/receipt/"),
    ("survivor", "/my/"),
    ("survivor", "/my/write/0/"),
    ("survivor", "/my/write/2/"),
    ("survivor", "/my/write/7/"),
    ("survivor", "/my/records/{record_id}/"),
    ("survivor", "/my/records/{record_id}/versions/1/"),
    ("survivor", "/my/records/{record_id}/choices/"),
    ("survivor", "/my/records/{record_id}/share/"),
    ("survivor", "/my/records/{record_id}/delete/"),
    ("survivor", "/account/password/"),
    ("survivor", "/account/contact/"),
    ("advocate", "/o/demo/advocate/records/{record_id}/"),
    ("survivor", "/my/records/{record_id}/report/"),
    ("survivor", "/my/cases/{case_id}/"),
    ("committee1", "/o/demo/committee/cases/{case_id}/"),
]


@pytest.fixture(scope="module")
def axe():
    return Axe()


def check_page(page, live_server, personas, axe, who, url):
    if who is not None:
        client = sign_in(Client(), personas[who], with_keys=True)
        page.context.add_cookies(
            [
                {
                    "name": name,
                    "value": client.cookies[name].value,
                    "url": live_server.url,
                }
                for name in ("faced_session", "faced_keys")
            ]
        )
    response = page.goto(live_server.url + url)
    results = axe.run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical", "moderate")
    ]
    assert serious == [], serious
    return response


@pytest.mark.parametrize("javascript", ["js"], indirect=True)
@pytest.mark.parametrize(("who", "path"), PAGES)
def test_page_has_no_serious_violation(
    live_server, browser_page, personas, survivor_record, axe, who, path
):
    """axe-core finds nothing moderate or worse (landmarks, labels,
    contrast, names of controls) on the page."""
    response = check_page(
        browser_page,
        live_server,
        personas,
        axe,
        who,
        path.format(**survivor_record),
    )
    # The error pages (404, the plain 403) are checked too, on purpose.
    assert response.status in (200, 403, 404), (path, response.status)
    if response.status != 200:
        assert path in ("/no/such/page/", "/o/demo/committee/"), path


@pytest.fixture
def appealed(personas, decide_a_case):
    """A case heard to a finding, appealed by the survivor, before a panel
    of both appeals members who declared no conflict; the panel also
    proposed a path and keeps a note."""
    from faced.accounts.custody import keys_unlock
    from faced.cases.services.appeals import (
        appeal_conflict_declare,
        appeal_lodge,
        appeal_panel_assign,
    )
    from faced.cases.services.panel import panel_record_add
    from faced.conftest import PASSWORD

    def keys(name):
        return keys_unlock(user=personas[name], password=PASSWORD)

    case, _finding = decide_a_case()
    panel_record_add(
        case=case,
        member=personas["committee1"],
        keys=keys("committee1"),
        kind="note",
        text="a note",
    )
    appeal = appeal_lodge(
        case=case,
        appellant=personas["survivor"],
        keys=keys("survivor"),
        grounds="grounds",
    )
    members = [personas["appeals"], personas["appeals2"]]
    appeal_panel_assign(
        appeal=appeal,
        members=members,
        assigned_by=members[0],
        keys=keys("appeals"),
    )
    for member in members:
        appeal_conflict_declare(
            appeal=appeal,
            member=member,
            keys=keys_unlock(user=member, password=PASSWORD),
            has_conflict=False,
        )
    return {"case_id": case.pk, "appeal_id": appeal.pk}


# Pages of a case worked to a finding and on appeal.
CASE_PAGES = [
    ("survivor", "/my/cases/{case_id}/"),
    ("committee1", "/o/demo/committee/cases/{case_id}/"),
    ("committee1", "/o/demo/committee/deadlines/"),
    ("appeals", "/o/demo/appeals/"),
    ("appeals", "/o/demo/appeals/{appeal_id}/"),
]


@pytest.mark.parametrize("javascript", ["js"], indirect=True)
@pytest.mark.parametrize(("who", "path"), CASE_PAGES)
def test_case_page_has_no_serious_violation(
    live_server, browser_page, personas, appealed, axe, who, path
):
    response = check_page(
        browser_page, live_server, personas, axe, who, path.format(**appealed)
    )
    assert response.status == 200, path


@pytest.fixture
def matched(personas):
    """The two demo survivors named the same person: a match."""
    from faced.matching.services import matches_publish
    from faced.matching.tests.escrow_setup import name

    name(personas["survivor"], "07400 123456")
    match_id = name(personas["survivor2"], "+447400123456").match_id
    matches_publish()
    return {"match_id": match_id}


@pytest.mark.parametrize("javascript", ["js"], indirect=True)
@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("survivor", "/my/escrow/"),
        ("counselor", "/counselor/"),
        ("counselor", "/counselor/matches/{match_id}/"),
    ],
)
def test_matching_page_has_no_serious_violation(
    live_server, browser_page, personas, matched, axe, who, path
):
    response = check_page(
        browser_page, live_server, personas, axe, who, path.format(**matched)
    )
    assert response.status == 200, path
