"""First journeys in a real browser, with JavaScript on and off."""

import re

import pytest
from playwright.sync_api import expect

from faced.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.browser

NEUTRAL_SITE = "https://weather.invalid/"


@pytest.fixture
def neutral_site(browser_page, settings):
    """Stands in for the weather site: the test machine has no internet.
    Records the headers the browser sent it."""
    settings.QUICK_EXIT_URL = NEUTRAL_SITE
    visits = []

    def fulfil(route):
        visits.append(route.request.headers)
        route.fulfill(
            status=200,
            content_type="text/html",
            body="<title>Weather</title><h1>Weather</h1>",
        )

    browser_page.route("https://weather.invalid/**", fulfil)
    return visits


class LandingJourneyTests:
    def test_a_survivor_reads_the_landing_page_and_leaves(
        self, live_server, browser_page, neutral_site, javascript
    ):
        """Given a survivor at night on a shared phone, when they open
        faced, they read what it is and who can read what; when someone
        comes in they press Leave now and land on a weather site, without
        faced's address following them, and Back does not bring it back."""
        page = browser_page
        page.goto(live_server.url + "/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "write down what happened"
        )
        expect(page.get_by_text("Who can read what")).to_be_visible()
        exit_link = page.get_by_role("link", name="Leave now")
        expect(exit_link).to_be_visible()
        hint = page.get_by_text("or press Esc")
        if javascript:
            expect(hint).to_be_visible()
        else:
            expect(hint).to_be_hidden()
        screenshot(page, f"landing-{'js' if javascript else 'nojs'}")

        exit_link.click()
        expect(page).to_have_url(NEUTRAL_SITE)
        assert "referer" not in neutral_site[-1]
        if javascript:
            # The page left was replaced in the history: Back goes to
            # where the person was before faced, here nowhere.
            page.go_back()
            assert not page.url.startswith(live_server.url)

    @pytest.mark.parametrize("javascript", ["js"], indirect=True)
    def test_escape_leaves_at_once(
        self, live_server, browser_page, neutral_site
    ):
        """With JavaScript, Escape anywhere on a page leaves at once (without
        it, the Leave now link is there on every page)."""
        page = browser_page
        page.goto(live_server.url + "/signin/")
        page.get_by_label("Username").fill("someone")
        page.keyboard.press("Escape")
        expect(page).to_have_url(NEUTRAL_SITE)


def sign_in_with_password(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


class StaffSigninJourneyTests:
    def test_a_committee_member_signs_in_with_a_code(
        self, live_server, browser_page, personas, javascript, current_code
    ):
        """Given a committee member with an authenticator app, when they
        sign in with password and code, they reach the committee's page,
        which says what they may and may never do."""
        page = browser_page
        sign_in_with_password(page, live_server, "committee1")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Enter the code from your app"
        )
        screenshot(page, f"signin-code-{'js' if javascript else 'nojs'}")
        page.get_by_label("Six-digit code").fill(
            current_code(personas["committee1"])
        )
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(r"/o/demo/committee/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Committee member"
        )
        expect(page.get_by_text("Demo Collective")).to_be_visible()
        expect(page.get_by_text("You may never")).to_be_visible()
        screenshot(page, f"committee-home-{'js' if javascript else 'nojs'}")

        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_text("You are signed out.")).to_be_visible()
        page.goto(live_server.url + "/o/demo/committee/")
        expect(page).to_have_url(re.compile(r"/signin/\?next="))

    def test_a_wrong_code_gets_a_clear_message(
        self, live_server, browser_page, personas, javascript
    ):
        page = browser_page
        sign_in_with_password(page, live_server, "committee2")
        page.get_by_label("Six-digit code").fill("123")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("alert")).to_contain_text("six digits")
        screenshot(page, f"signin-error-{'js' if javascript else 'nojs'}")

    def test_leadership_is_told_plainly_a_page_is_not_theirs(
        self, live_server, browser_page, personas, javascript, current_code
    ):
        """Given a leadership member signed in, when they open a link to
        the committee's page, faced refuses and says so plainly."""
        page = browser_page
        sign_in_with_password(page, live_server, "leadership")
        page.get_by_label("Six-digit code").fill(
            current_code(personas["leadership"])
        )
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(r"/o/demo/leadership/$"))
        response = page.goto(live_server.url + "/o/demo/committee/")
        assert response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "This page is not open to you"
        )
        expect(page.get_by_text("Nothing was changed.")).to_be_visible()
        screenshot(page, f"refused-{'js' if javascript else 'nojs'}")

    def test_a_new_role_holder_sets_up_their_app(
        self, live_server, browser_page, personas, javascript
    ):
        """Given an advocate who never set up an app, they are shown a QR
        code and a key to type, enter a code, and reach their page."""
        from django_otp.oath import TOTP
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(user=personas["advocate"]).delete()
        page = browser_page
        sign_in_with_password(page, live_server, "advocate")
        expect(page.get_by_role("img", name="QR code")).to_be_visible()
        screenshot(page, f"enrol-{'js' if javascript else 'nojs'}")
        device = TOTPDevice.objects.get(user=personas["advocate"])
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        page.get_by_label("Six-digit code").fill(f"{totp.token():06d}")
        page.get_by_role("button", name="Finish setting up").click()
        expect(page).to_have_url(re.compile(r"/o/demo/advocate/$"))
        expect(
            page.get_by_text("Your authenticator app is set up")
        ).to_be_visible()


class SurvivorSigninJourneyTests:
    def test_a_survivor_signs_in_without_a_code(
        self, live_server, browser_page, personas, javascript
    ):
        page = browser_page
        sign_in_with_password(page, live_server, "survivor")
        expect(page).to_have_url(re.compile(r"/my/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Your records"
        )
        expect(page.get_by_role("link", name="Leave now")).to_be_visible()
        screenshot(page, f"survivor-home-{'js' if javascript else 'nojs'}")
