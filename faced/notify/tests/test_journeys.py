"""Giving and removing the notice address, in a real browser."""

import pytest
from playwright.sync_api import expect

from faced.accounts.contact import contact_address_of
from faced.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.browser

ADDRESS = "canary.journey@example.org"


class ContactJourneyTests:
    def test_a_survivor_gives_and_then_removes_an_address(
        self, live_server, browser_page, personas, javascript, fill_sign_in
    ):
        """Given a survivor with an account, when they follow "E-mail
        notices", mistype an address, give a good one and later remove it,
        then each step says plainly what faced now holds."""
        page = browser_page
        fill_sign_in(page, live_server.url, "survivor", PASSWORD)
        page.get_by_role("link", name="E-mail notices").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "E-mail notices"
        )
        page.get_by_label("E-mail address").fill("not an address")
        page.get_by_role("button", name="Save my address").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "not an e-mail address"
        )
        page.get_by_label("E-mail address").fill(ADDRESS)
        page.get_by_role("button", name="Save my address").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Your address is saved"
        )
        expect(page.get_by_text(ADDRESS)).to_have_count(0)
        screenshot(page, f"contact-{'js' if javascript else 'nojs'}")
        assert contact_address_of(personas["survivor"]) == ADDRESS

        page.get_by_role("button", name="Remove my address").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Your address is removed"
        )
        assert contact_address_of(personas["survivor"]) is None
