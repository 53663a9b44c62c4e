"""A survivor reports to the committee, in a real browser."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from faced.accounts.custody import keys_unlock
from faced.cases.models import Case
from faced.conftest import PASSWORD, screenshot, sign_in
from faced.vault.services import record_save

pytestmark = pytest.mark.browser


def signed_in_page(chromium, javascript, live_server, user):
    client = sign_in(Client(), user, with_keys=True)
    context = chromium.new_context(java_script_enabled=javascript)
    context.add_cookies(
        [
            {
                "name": name,
                "value": client.cookies[name].value,
                "url": live_server.url,
            }
            for name in ("faced_session", "faced_keys")
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


class ReportJourneyTests:
    def test_a_survivor_reports_and_keeps_a_member_off(
        self, live_server, chromium, personas, javascript
    ):
        """Given a survivor's record, they choose to report it, pick what
        to include and what they want, keep committee2 off, and see their
        report's page with its deadline and timeline; committee1 sees it
        in the inbox by reference only, committee2 does not see it."""
        from faced.accounts.services import user_create
        from faced.orgs.models import Organization
        from faced.orgs.roles import Role
        from faced.orgs.services import role_grant

        third, _recovery = user_create(
            username="committee3", password=PASSWORD
        )
        role_grant(
            user=third,
            role=Role.COMMITTEE,
            organization=Organization.objects.get(slug="demo"),
        )
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=third, name="phone", confirmed=True)
        survivor = personas["survivor"]
        keys = keys_unlock(user=survivor, password=PASSWORD)
        record = record_save(
            owner=survivor,
            keys=keys,
            fields={"what": "What happened, in words.", "where": "the hall"},
        ).version.record
        page = signed_in_page(chromium, javascript, live_server, survivor)
        page.goto(f"{live_server.url}/my/records/{record.pk}/")
        page.get_by_role("link", name="What can I do with this?").click()
        page.get_by_role("link", name="Report to the committee").click()
        page.get_by_role("link", name="Demo Collective").click()
        page.get_by_label("Where did it happen?").uncheck()
        page.get_by_label("To be heard").check()
        page.get_by_label("No contact with me").check()
        page.get_by_label("Who is this about?").fill("A. Member")
        page.get_by_label("committee2").check()
        screenshot(page, f"case-report-{'js' if javascript else 'nojs'}")
        page.get_by_role("button", name="Send the report").click()
        expect(page.get_by_role("alert")).to_contain_text("Tick the box")
        page.get_by_label("I want to send this report").check()
        page.get_by_role("button", name="Send the report").click()
        expect(
            page.get_by_text("Your report is with the committee")
        ).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            re.compile(r"Your report C-\d{4}-0001")
        )
        expect(
            page.get_by_text("Your report was received by the committee.")
        ).to_be_visible()
        expect(page.get_by_text("the hall")).to_have_count(0)
        screenshot(page, f"case-page-{'js' if javascript else 'nojs'}")
        page.context.close()

        reference = Case.objects.get().reference
        member = signed_in_page(
            chromium, javascript, live_server, personas["committee1"]
        )
        member.goto(live_server.url + "/home/")
        member.get_by_role("link", name=reference).click()
        member.get_by_label("committee1").check()
        member.get_by_label("committee3").check()
        member.get_by_role("button", name="Set the panel").click()
        expect(member.get_by_text("The panel is set.")).to_be_visible()
        member.get_by_role("button", name="I have no conflict").click()
        expect(member.get_by_text("A. Member")).to_be_visible()
        screenshot(member, f"case-committee-{'js' if javascript else 'nojs'}")
        member.get_by_role("button", name="Acknowledge the report").click()
        expect(member.get_by_text("Acknowledged.")).to_be_visible()
        member.get_by_label("Write a message").fill(
            "We have your report and will be in touch within the week."
        )
        member.get_by_role("button", name="Send the message").click()
        expect(member.get_by_text("Sent.")).to_be_visible()
        member.get_by_text("Issue a measure notice to leadership").click()
        member.get_by_label("Who (as leadership knows them)").fill("A. Member")
        member.get_by_label("The measure", exact=True).fill(
            "Excluded from all chapter events and from holding office"
        )
        member.get_by_label("Until when", exact=True).fill("1 June 2027")
        member.get_by_role("button", name="Send the notice").click()
        expect(
            member.get_by_text("The notice is with leadership")
        ).to_be_visible()
        member.get_by_label("Outcome").select_option("upheld")
        member.get_by_label("Reasons").fill("The panel believes the account.")
        member.get_by_label("Measures").fill("No contact until 1 June 2027.")
        member.get_by_role("button", name="Save the draft finding").click()
        member.get_by_role("button", name="Sign this finding").click()
        expect(
            member.get_by_text("takes effect once a majority")
        ).to_be_visible()
        member.context.close()

        # The second panel member reviews and signs: the finding is in
        # effect, in the ledger, and its integrity holds.
        panel_member = signed_in_page(chromium, javascript, live_server, third)
        panel_member.goto(live_server.url + "/home/")
        panel_member.get_by_role("link", name=reference).click()
        panel_member.get_by_role("button", name="I have no conflict").click()
        panel_member.get_by_role("button", name="Sign this finding").click()
        expect(
            panel_member.get_by_text(
                re.compile(r"Signed by 2 of 2 .* in the ledger at entry \d+")
            )
        ).to_be_visible()
        expect(
            panel_member.get_by_text("Integrity: every signature is valid")
        ).to_be_visible()
        screenshot(
            panel_member, f"case-finding-{'js' if javascript else 'nojs'}"
        )
        panel_member.context.close()

        # Leadership sees one thing: the notice, and acknowledges it.
        leader = signed_in_page(
            chromium, javascript, live_server, personas["leadership"]
        )
        leader.goto(live_server.url + "/home/")
        expect(
            leader.get_by_text("Excluded from all chapter events")
        ).to_be_visible()
        expect(
            leader.get_by_text("The panel believes the account.")
        ).to_have_count(0)
        screenshot(
            leader, f"leadership-notice-{'js' if javascript else 'nojs'}"
        )
        leader.get_by_role(
            "button", name="Acknowledge: we will enforce this"
        ).click()
        expect(leader.get_by_text("Acknowledged on")).to_be_visible()
        response = leader.goto(
            f"{live_server.url}/o/demo/committee/cases/{Case.objects.get().pk}/"
        )
        assert response.status == 403
        leader.context.close()

        again = signed_in_page(chromium, javascript, live_server, survivor)
        again.goto(live_server.url + "/my/")
        again.get_by_role("link", name=reference).click()
        expect(
            again.get_by_text("A committee member read your report.").first
        ).to_be_visible()
        expect(
            again.get_by_text("Your report was acknowledged by the panel.")
        ).to_be_visible()
        expect(
            again.get_by_text("The panel believes the account.")
        ).to_be_visible()
        expect(
            again.get_by_text("Integrity: every signature is valid")
        ).to_be_visible()
        expect(
            again.get_by_text("Leadership acknowledged the measure.")
        ).to_be_visible()
        expect(
            again.get_by_text("We have your report and will be in touch")
        ).to_be_visible()
        again.get_by_label("Write a message").fill("Thank you.")
        again.get_by_role("button", name="Send the message").click()
        expect(again.get_by_text("Thank you.")).to_be_visible()
        again.context.close()
        kept_off = signed_in_page(
            chromium, javascript, live_server, personas["committee2"]
        )
        kept_off.goto(live_server.url + "/home/")
        expect(
            kept_off.get_by_text("Nothing is waiting for you.")
        ).to_be_visible()
        kept_off.context.close()
