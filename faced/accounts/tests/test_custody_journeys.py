"""Key custody as people live it, in a real browser."""

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from faced.accounts.custody import keys_unlock
from faced.accounts.services import user_create
from faced.conftest import PASSWORD, screenshot
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.services import role_grant

pytestmark = pytest.mark.browser

OWN_PASSWORD = "river stone lantern 7"
NEWER_PASSWORD = "quiet orchard morning 3"


class FirstSigninJourneyTests:
    def test_a_new_committee_member_makes_their_keys(
        self, live_server, browser_page, personas, javascript, fill_sign_in
    ):
        """Given an operator who created an account with a temporary
        password and gave it the committee role, when the new member first
        signs in, they set up their app, choose their own password, and are
        shown their recovery key once, on a page they can print."""
        user, _ = user_create(
            username="newmember",
            password="temporary from operator",
            temporary=True,
        )
        role_grant(
            user=user,
            role=Role.COMMITTEE,
            organization=Organization.objects.get(slug="demo"),
        )
        page = browser_page
        fill_sign_in(
            page, live_server.url, "newmember", "temporary from operator"
        )
        device = TOTPDevice.objects.get(user=user)
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        page.get_by_label("Six-digit code").fill(f"{totp.token():06d}")
        page.get_by_role("button", name="Finish setting up").click()

        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Choose your own password"
        )
        # Nothing else opens until then.
        page.goto(live_server.url + "/o/demo/committee/")
        expect(page).to_have_url(re.compile(r"/account/choose-password/$"))
        page.get_by_label("New password", exact=True).fill("short")
        page.get_by_label("New password again").fill("short")
        page.get_by_role("button", name="Save my password").click()
        expect(page.get_by_role("alert")).to_contain_text("too short")

        page.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
        page.get_by_label("New password again").fill(OWN_PASSWORD)
        page.get_by_role("button", name="Save my password").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Your recovery key"
        )
        recovery_key = page.locator("#recovery-key code").inner_text()
        assert len(recovery_key.split("-")) == 13
        screenshot(page, f"recovery-key-{'js' if javascript else 'nojs'}")
        page.emulate_media(media="print")
        screenshot(page, "recovery-key-print", phone=False)
        page.emulate_media(media="screen")

        page.get_by_role("link", name="I have saved it").click()
        expect(page).to_have_url(re.compile(r"/o/demo/committee/$"))
        assert keys_unlock(user=user, password=OWN_PASSWORD) is not None


class PasswordJourneyTests:
    def test_a_survivor_changes_password_then_recovers(
        self, live_server, browser_page, db, javascript, fill_sign_in
    ):
        """Given a survivor with an account and their recovery key, they
        change their password; later, having forgotten it, they use the
        recovery key to set a new one and sign in with it."""
        user, recovery_key = user_create(username="river", password=PASSWORD)
        keys = keys_unlock(user=user, password=PASSWORD)
        page = browser_page
        fill_sign_in(page, live_server.url, "river", PASSWORD)
        page.get_by_role("link", name="Password").click()
        page.get_by_label("Current password").fill("not it")
        page.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
        page.get_by_label("New password again").fill(OWN_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_role("alert")).to_contain_text("not right")
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
        page.get_by_label("New password again").fill(OWN_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_text("Your password is changed")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()

        page.get_by_role("link", name="Sign in").click()
        page.get_by_role("link", name="Forgot your password?").click()
        page.get_by_label("Username").fill("river")
        page.get_by_label("Recovery key").fill("AAAA-BBBB")
        page.get_by_label("New password", exact=True).fill(NEWER_PASSWORD)
        page.get_by_label("New password again").fill(NEWER_PASSWORD)
        page.get_by_role("button", name="Set my new password").click()
        expect(page.get_by_role("alert")).to_contain_text("do not go together")
        screenshot(page, f"recover-error-{'js' if javascript else 'nojs'}")

        page.get_by_label("Username").fill("river")
        page.get_by_label("Recovery key").fill(recovery_key)
        page.get_by_label("New password", exact=True).fill(NEWER_PASSWORD)
        page.get_by_label("New password again").fill(NEWER_PASSWORD)
        page.get_by_role("button", name="Set my new password").click()
        expect(page.get_by_text("Your password is reset")).to_be_visible()
        new_key = page.locator("#recovery-key code").inner_text()
        assert new_key != recovery_key
        page.get_by_role("link", name="I have saved it").click()

        page.get_by_label("Username").fill("river")
        page.get_by_label("Password", exact=True).fill(NEWER_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/my/$"))
        assert keys_unlock(user=user, password=NEWER_PASSWORD) == keys
