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
]


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("javascript", ["js"], indirect=True)
@pytest.mark.parametrize(("who", "path"), PAGES)
def test_page_has_no_serious_violation(
    live_server, browser_page, personas, axe, who, path
):
    """axe-core finds nothing moderate or worse (landmarks, labels,
    contrast, names of controls) on the page."""
    page = browser_page
    if who is not None:
        client = sign_in(Client(), personas[who])
        page.context.add_cookies(
            [
                {
                    "name": "faced_session",
                    "value": client.cookies["faced_session"].value,
                    "url": live_server.url,
                }
            ]
        )
    page.goto(live_server.url + path)
    results = axe.run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical", "moderate")
    ]
    assert serious == [], serious
