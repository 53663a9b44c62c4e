"""A survivor names someone, a second survivor names the same person
written differently, and a counselor puts them in touch — in a real
browser, with JavaScript on and off."""

import pytest
from playwright.sync_api import expect

from faced.conftest import screenshot
from faced.matching.models import Entry
from faced.matching.tests.escrow_setup import keys_of, name

pytestmark = pytest.mark.browser


class EscrowJourneyTests:
    def test_a_survivor_names_someone_and_a_counselor_gets_in_touch(
        self, live_server, signed_in_page, personas, mode, other_survivor
    ):
        survivor = personas["survivor"]
        page = signed_in_page(survivor)
        page.goto(live_server.url + "/my/")
        page.get_by_role("link", name="Your entries, or name someone").click()
        page.get_by_label("Phone number", exact=True).check()
        page.get_by_label("Their e-mail address, phone number").fill(
            "not a number"
        )
        page.get_by_label("How can a counselor reach you safely?").fill(
            "Text me after six."
        )
        page.get_by_role("button", name="Store it, locked").click()
        expect(
            page.get_by_text("does not look like a phone number")
        ).to_be_visible()
        assert not Entry.objects.exists()
        page.get_by_label("Their e-mail address, phone number").fill(
            "07400 123456"
        )
        screenshot(page, f"escrow-add-{mode}")
        page.get_by_role("button", name="Store it, locked").click()
        expect(page.get_by_text("Stored, locked.")).to_be_visible()
        expect(page.get_by_text("Waiting. Nobody can open it")).to_be_visible()
        screenshot(page, f"escrow-waiting-{mode}")

        # Another survivor, of another organization, writes it otherwise.
        name(other_survivor, "+44 (0)7400-123-456")
        page.reload()
        # Nothing shows until a counselor has the match.
        expect(page.get_by_text("Waiting. Nobody can open it")).to_be_visible()
        from faced.matching.services import matches_publish

        matches_publish()

        counselor = signed_in_page(personas["counselor"])
        counselor.goto(live_server.url + "/home/")
        counselor.locator("a[href^='/counselor/matches/']").first.click()
        counselor.get_by_role("button", name="Open their entries").click()
        expect(counselor.get_by_text("Text me after six.")).to_be_visible()
        expect(
            counselor.get_by_text("call other-survivor after six")
        ).to_be_visible()
        screenshot(counselor, f"counselor-match-{mode}")
        counselor.get_by_role(
            "button", name="I have contacted this survivor"
        ).first.click()
        expect(counselor.get_by_text("Marked as contacted.")).to_be_visible()
        counselor.context.close()
        assert Entry.objects.filter(contacted_at__isnull=False).count() == 1

        page.reload()
        expect(
            page.get_by_text("Someone else named the same person.")
        ).to_be_visible()
        expect(
            page.get_by_role("button", name="Withdraw this entry")
        ).to_have_count(0)
        screenshot(page, f"escrow-matched-{mode}")
        page.context.close()
        assert keys_of(survivor)

    def test_a_survivor_withdraws_a_lone_entry(
        self, live_server, signed_in_page, personas, javascript
    ):
        survivor = personas["survivor"]
        name(survivor, "someone@example.org", kind="email")
        page = signed_in_page(survivor)
        page.goto(live_server.url + "/my/escrow/")
        page.get_by_role("button", name="Withdraw this entry").click()
        expect(page.get_by_text("Withdrawn.")).to_be_visible()
        assert not Entry.objects.exists()
        page.context.close()
