"""What the case pages do with input their own forms would never send:
a clear refusal, and nothing changed."""

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from faced.cases.models import CaseDocument, PanelSeat
from faced.conftest import sign_in
from faced.ledger.models import LedgerEntry


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class SurvivorPageTests:
    def test_it_refuses_an_action_the_page_does_not_offer(
        self, personas, reported
    ):
        """Given the survivor's case page, when a post names an action the
        page has no button for (with a message's text beside it), then it
        says to choose from the page, and no message is sent or recorded;
        the same text posted with the page's own action is sent."""
        case, _keys = reported
        client = sign_in(Client(), personas["survivor"], with_keys=True)
        entries = LedgerEntry.objects.count()
        response = client.post(
            reverse("cases:case", args=[case.pk]),
            {"action": "delete_everything", "text": "hello"},
            follow=True,
        )
        assert "Choose what to do from the page." in said(response)
        assert not case.documents.filter(kind=CaseDocument.Kind.MESSAGE)
        assert LedgerEntry.objects.count() == entries
        # The same text with the page's own action is sent.
        client.post(
            reverse("cases:case", args=[case.pk]),
            {"action": "message", "text": "hello"},
        )
        assert (
            case.documents.filter(kind=CaseDocument.Kind.MESSAGE).count() == 1
        )


class CommitteePageTests:
    def test_it_refuses_a_panel_with_someone_not_on_the_list(
        self, personas, reported
    ):
        """Given a report that kept committee2 off, when committee1 posts
        a panel of themselves and committee2, then it is refused with a
        clear message and no seat is made (nobody is quietly dropped)."""
        case, _keys = reported
        member = personas["committee1"]
        client = sign_in(Client(), member, with_keys=True)
        response = client.post(
            reverse("committee:case", args=["demo", case.pk]),
            {
                "action": "assign",
                "members": [member.pk, personas["committee2"].pk],
            },
            follow=True,
        )
        assert "Choose the members from the list." in said(response)
        assert not PanelSeat.objects.filter(case=case).exists()
