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


@pytest.mark.parametrize("javascript", ["js"], indirect=True)
@pytest.mark.parametrize(("who", "path"), PAGES)
def test_page_has_no_serious_violation(
    live_server, browser_page, personas, survivor_record, axe, who, path
):
    """axe-core finds nothing moderate or worse (landmarks, labels,
    contrast, names of controls) on the page."""
    page = browser_page
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
    response = page.goto(live_server.url + path.format(**survivor_record))
    # The error pages (404, the plain 403) are checked too, on purpose.
    assert response.status in (200, 403, 404), (path, response.status)
    if response.status != 200:
        assert path in ("/no/such/page/", "/o/demo/committee/"), path
    results = axe.run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical", "moderate")
    ]
    assert serious == [], serious
