"""A survivor reports to the committee, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from faced.accounts.custody import keys_unlock
from faced.cases.models import Case
from faced.conftest import PASSWORD, screenshot
from faced.vault.services import record_save

pytestmark = pytest.mark.browser


class ReportJourneyTests:
    def test_a_survivor_reports_and_keeps_a_member_off(
        self, live_server, signed_in_page, personas, javascript
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
        page = signed_in_page(survivor)
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
        member = signed_in_page(personas["committee1"])
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
        panel_member = signed_in_page(third)
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
        leader = signed_in_page(personas["leadership"])
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

        again = signed_in_page(survivor)
        again.goto(live_server.url + "/my/")
        again.get_by_role("link", name=reference).click()
        expect(
            again.get_by_text(
                "A member of a panel hearing your case read your report."
            ).first
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
        kept_off = signed_in_page(personas["committee2"])
        kept_off.goto(live_server.url + "/home/")
        expect(
            kept_off.get_by_text("Nothing is waiting for you.")
        ).to_be_visible()
        kept_off.context.close()


class WorkingJourneyTests:
    def test_a_path_is_agreed_and_the_case_paused_and_resumed(
        self,
        live_server,
        signed_in_page,
        personas,
        mode,
        decide_a_case,
        tmp_path,
    ):
        """Given a case heard by committee1 and committee2, the panel
        proposes a restorative process and records a statement the
        survivor never sees; the survivor agrees to the path, pauses and
        resumes the case, and downloads the proof of one timeline entry,
        which checks."""
        from faced.ledger.bundle import check_bundle
        from faced.ledger.log_key import log_verifier_key

        case, _finding = decide_a_case()
        Case.objects.filter(pk=case.pk).update(state="acknowledged")
        member = signed_in_page(personas["committee2"])
        member.goto(f"{live_server.url}/o/demo/committee/cases/{case.pk}/")
        member.get_by_label("Path", exact=True).select_option("restorative")
        member.get_by_role("button", name="Propose this path").click()
        expect(member.get_by_text("Proposed.")).to_be_visible()
        member.get_by_label("What is it?").select_option("statement")
        member.get_by_label("What to record").fill(
            "The respondent's statement, in their words."
        )
        member.get_by_role("button", name="Add to the panel's records").click()
        expect(
            member.get_by_text("The respondent's statement, in their words.")
        ).to_be_visible()
        screenshot(member, f"case-committee-working-{mode}")
        member.context.close()

        survivor = signed_in_page(personas["survivor"])
        survivor.goto(f"{live_server.url}/my/cases/{case.pk}/")
        expect(
            survivor.get_by_text("The panel proposes: Restorative process")
        ).to_be_visible()
        expect(
            survivor.get_by_text("The respondent's statement")
        ).to_have_count(0)
        screenshot(survivor, f"case-path-{mode}")
        survivor.get_by_role("button", name="I agree to this").click()
        expect(survivor.get_by_text("Thank you. The panel")).to_be_visible()
        survivor.get_by_text("Pause or withdraw").click()
        survivor.get_by_role("button", name="Pause my case").click()
        expect(
            survivor.get_by_text("Its deadlines have stopped").first
        ).to_be_visible()
        survivor.get_by_text("Resume or withdraw").click()
        survivor.get_by_role("button", name="Resume my case").click()
        expect(survivor.get_by_text("Your case is resumed.")).to_be_visible()
        expect(
            survivor.get_by_text("You agreed how to take this forward.")
        ).to_be_visible()
        expect(survivor.get_by_text("Integrity: all")).to_be_visible()
        with survivor.expect_download() as download:
            survivor.get_by_role(
                "link", name="proof of ledger entry"
            ).first.click()
        path = tmp_path / "entry.json"
        download.value.save_as(path)
        checked = check_bundle(
            path.read_text(encoding="utf-8"), trusted_key=log_verifier_key()
        )
        assert "case_submitted" in checked.message
        survivor.context.close()

    def test_the_committee_sets_its_deadlines(
        self, live_server, signed_in_page, personas, mode
    ):
        from faced.orgs.models import Organization

        member = signed_in_page(personas["committee1"])
        member.goto(live_server.url + "/home/")
        member.get_by_role("link", name="The committee's deadlines").click()
        # The server's refusal of bad input is tested without a browser
        # (DeadlineTests): here the browser's own range check would stop
        # the form first.
        member.get_by_label("Days to appeal a finding").fill("21")
        member.get_by_role("button", name="Save the deadlines").click()
        expect(member.get_by_text("Saved.")).to_be_visible()
        screenshot(member, f"committee-deadlines-{mode}")
        assert Organization.objects.get(slug="demo").appeal_days == 21
        member.context.close()


class AppealJourneyTests:
    def test_the_survivor_appeals_and_a_separate_panel_decides(
        self, live_server, signed_in_page, personas, mode, decide_a_case
    ):
        """Given a finding in effect, the survivor appeals it; an appeals
        member sets a panel of two, both declare no conflict, read the
        case, and sign a decision varying the outcome; the survivor sees
        the decision beside the original finding, with its integrity."""

        case, _finding = decide_a_case()
        survivor = signed_in_page(personas["survivor"])
        survivor.goto(f"{live_server.url}/my/cases/{case.pk}/")
        survivor.get_by_text("Appeal this finding").click()
        survivor.get_by_label("Why should the finding be looked at").fill(
            "The measures do not keep me safe at events."
        )
        survivor.get_by_role("button", name="Lodge the appeal").click()
        expect(survivor.get_by_text("The appeal is lodged.")).to_be_visible()
        survivor.context.close()

        first = signed_in_page(personas["appeals"])
        first.goto(live_server.url + "/home/")
        first.get_by_role("link", name=case.reference).click()
        first.get_by_label("appeals", exact=True).check()
        first.get_by_label("appeals2").check()
        first.get_by_role("button", name="Set the appeals panel").click()
        expect(first.get_by_text("The appeals panel is set.")).to_be_visible()
        first.get_by_role("button", name="I have no conflict").click()
        expect(
            first.get_by_text("The measures do not keep me safe")
        ).to_be_visible()
        expect(
            first.get_by_text("The panel believes the survivor.")
        ).to_be_visible()
        first.get_by_label("Vary the finding's outcome").check()
        first.get_by_label("New outcome").select_option("partly_upheld")
        first.get_by_label("Reasons").fill(
            "The finding stands in part; the measures are widened."
        )
        first.get_by_role("button", name="Save the draft decision").click()
        first.get_by_role("button", name="Sign this decision").click()
        expect(
            first.get_by_text("takes effect once a majority")
        ).to_be_visible()
        screenshot(first, f"appeal-panel-{mode}")
        first.context.close()

        second = signed_in_page(personas["appeals2"])
        second.goto(live_server.url + "/home/")
        second.get_by_role("link", name=case.reference).click()
        second.get_by_role("button", name="I have no conflict").click()
        second.get_by_role("button", name="Sign this decision").click()
        expect(second.get_by_text("The decision is in effect")).to_be_visible()
        second.context.close()

        again = signed_in_page(personas["survivor"])
        again.goto(f"{live_server.url}/my/cases/{case.pk}/")
        expect(again.get_by_text("Decided on appeal")).to_be_visible()
        expect(
            again.get_by_text("Vary the finding's outcome: Partly upheld")
        ).to_be_visible()
        expect(
            again.get_by_text("The panel believes the survivor.")
        ).to_be_visible()
        expect(
            again.get_by_text(
                "The appeals panel's decision was signed by a majority"
            )
        ).to_be_visible()
        expect(
            again.get_by_text("Integrity: every signature is valid")
        ).to_have_count(2)
        screenshot(again, f"case-appeal-decided-{mode}")
        again.context.close()
