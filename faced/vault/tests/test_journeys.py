"""The survivor's journeys of JOURNEYS.md, in a real browser, with
JavaScript on and off."""

import json
import re

import pytest
from playwright.sync_api import expect

from faced.conftest import screenshot
from faced.ledger.bundle import check_bundle

pytestmark = pytest.mark.browser

NEUTRAL_SITE = "https://weather.invalid/"
WHAT_HAPPENED = (
    "It was after the meeting. He said he would walk me to the bus. "
    "CANARY-JOURNEY I did not want any of it and I said so. " * 4
)


@pytest.fixture
def neutral_site(chromium, settings):
    settings.QUICK_EXIT_URL = NEUTRAL_SITE

    def add(page):
        page.route(
            "https://weather.invalid/**",
            lambda route: route.fulfill(
                status=200, content_type="text/html", body="<h1>Weather</h1>"
            ),
        )

    return add


def new_window(chromium, javascript: bool):
    """A new private window: nothing carried over but what is typed."""
    context = chromium.new_context(
        java_script_enabled=javascript, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def label(javascript: bool) -> str:
    return "js" if javascript else "nojs"


class AnonymousJourneyTests:
    def test_a_survivor_writes_leaves_comes_back_and_saves(
        self,
        live_server,
        chromium,
        personas,
        javascript,
        neutral_site,
        tmp_path,
    ):
        """Given a survivor at night on a shared phone, they choose to
        write without an account, get a receipt, write what happened,
        leave in a hurry; later they open their draft with the receipt,
        save it, see the date, download a proof that checks, add a file,
        share with an advocate and stop, and finally delete it."""
        page = new_window(chromium, javascript)
        neutral_site(page)
        base = live_server.url
        page.goto(base + "/")
        page.get_by_role("link", name="Write it down").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Before you write anything"
        )
        screenshot(page, f"vault-consent-{label(javascript)}")
        page.get_by_role("button", name="Agree and get my receipt").click()
        expect(page.get_by_role("alert")).to_contain_text("tick the box")
        page.get_by_label("I have read what faced keeps").first.check()
        page.get_by_role("button", name="Agree and get my receipt").click()
        receipt = page.locator("#receipt code").inner_text()
        assert len(receipt.split()) == 7
        screenshot(page, f"vault-receipt-{label(javascript)}")
        page.get_by_role("link", name="I have written them down").click()

        page.get_by_label("When did it happen?").fill("last spring")
        page.get_by_role("button", name="Next").click()
        page.get_by_role("button", name="Next").click()  # skips "where"
        page.get_by_label("What happened?").fill(WHAT_HAPPENED)
        screenshot(page, f"vault-step-{label(javascript)}")
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_label("Who did this?")).to_be_visible()

        # Someone comes in.
        page.get_by_role("link", name="Leave now").click()
        expect(page).to_have_url(NEUTRAL_SITE)
        page.context.close()

        # Two days later, in a new private window.
        page = new_window(chromium, javascript)
        page.goto(base + "/")
        page.get_by_role("link", name="Open with my receipt").click()
        page.get_by_label("Your receipt").fill(receipt.upper() + "  ")
        page.get_by_role("button", name="Open").click()
        page.get_by_role("link", name="Continue where you left off").click()
        expect(page.get_by_label("Who did this?")).to_be_visible()
        page.get_by_role("button", name="Back").click()
        expect(page.get_by_label("What happened?")).to_have_value(
            WHAT_HAPPENED
        )
        for _step in range(5):
            page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Check and save"
        )
        expect(page.get_by_text("CANARY-JOURNEY").first).to_be_visible()
        page.get_by_role("button", name="Save this record").click()
        expect(
            page.get_by_text(
                re.compile(
                    r"Saved\. Written on \d{1,2} \w+ \d{4} — you can download "
                    r"proof of this date\."
                )
            )
        ).to_be_visible()
        screenshot(page, f"vault-record-{label(javascript)}")

        with page.expect_download() as download:
            page.get_by_role(
                "link", name="download proof of this date"
            ).click()
        bundle_path = tmp_path / "proof.json"
        download.value.save_as(bundle_path)
        bundle = json.loads(bundle_path.read_text())
        assert "CANARY-JOURNEY" in bundle["record"]["what"]
        assert check_bundle(bundle).message.startswith("ok: this record")

        attachment = tmp_path / "screenshot.png"
        attachment.write_bytes(b"\x89PNG fake screenshot CANARY-FILE")
        page.get_by_label("Add a file").set_input_files(str(attachment))
        page.get_by_role("button", name="Add the file").click()
        expect(page.get_by_text("The file is kept")).to_be_visible()
        with page.expect_download() as file_download:
            page.get_by_role("link", name="screenshot.png").click()
        assert file_download.value.suggested_filename == "screenshot.png"

        page.get_by_role("link", name="Share with an advocate").click()
        page.get_by_label("Choose an advocate").select_option(
            label="advocate — Demo Collective"
        )
        page.get_by_role("button", name="Share", exact=True).click()
        expect(
            page.get_by_text("Shared. advocate can now read")
        ).to_be_visible()
        page.get_by_role("button", name="Stop sharing with advocate").click()
        expect(page.get_by_text("Stopped.")).to_be_visible()

        page.get_by_role("link", name="Back to the record").click()
        page.get_by_role("link", name="Delete this record").click()
        page.get_by_role("button", name="Delete for ever").click()
        expect(page.get_by_role("alert")).to_contain_text("Tick the box")
        page.get_by_label("I understand that this cannot be undone").check()
        page.get_by_role("button", name="Delete for ever").click()
        expect(page.get_by_text("The record is deleted")).to_be_visible()
        expect(page.get_by_text("You have no records yet.")).to_be_visible()
        page.context.close()


class AccountJourneyTests:
    def test_a_survivor_with_an_account_writes_and_reads_versions(
        self, live_server, chromium, personas, javascript
    ):
        page = new_window(chromium, javascript)
        base = live_server.url
        page.goto(base + "/write/")
        page.get_by_role("link", name="Make an account").click()
        page.get_by_label("Choose a username").fill("willow")
        page.get_by_label("New password", exact=True).fill("my own phrase 77")
        page.get_by_label("New password again").fill("my own phrase 77")
        page.get_by_label("I have read what faced keeps").check()
        page.get_by_role("button", name="Make my account").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Your recovery key"
        )
        page.get_by_role("link", name="I have saved it").click()
        page.get_by_label("When did it happen?").fill("June")
        page.get_by_role("button", name="Save the draft and stop").click()
        expect(page.get_by_text("Your draft is kept")).to_be_visible()
        page.get_by_role("link", name="Continue where you left off").click()
        for _step in range(7):
            page.get_by_role("button", name="Next").click()
        page.get_by_role("button", name="Save this record").click()
        page.get_by_role("link", name="Add to it or change it").click()
        page.get_by_label("When did it happen?").fill("early June")
        for _step in range(7):
            page.get_by_role("button", name="Next").click()
        page.get_by_role("button", name="Save this record").click()
        expect(page.get_by_text("early June")).to_be_visible()
        page.get_by_role("link", name="read").last.click()
        expect(page.get_by_text("Version 1, saved")).to_be_visible()
        expect(page.get_by_text("June", exact=True)).to_be_visible()
        screenshot(page, f"vault-version-{label(javascript)}")
        page.context.close()


class IdleWarningTests:
    @pytest.mark.parametrize("javascript", ["js"], indirect=True)
    def test_a_survivor_is_warned_before_the_idle_sign_out(
        self, live_server, browser_page, personas, survivor_record
    ):
        """With JavaScript, a warning appears two minutes before faced
        signs a survivor out after 15 quiet minutes."""
        from django.test import Client

        from faced.conftest import sign_in

        client = sign_in(Client(), personas["survivor"], with_keys=True)
        page = browser_page
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
        page.clock.install()
        page.goto(live_server.url + "/my/")
        warning = page.get_by_text("You will be signed out in 2 minutes")
        expect(warning).to_be_hidden()
        page.clock.fast_forward("12:00")
        expect(warning).to_be_hidden()
        page.clock.fast_forward("01:01")
        expect(warning).to_be_visible()
