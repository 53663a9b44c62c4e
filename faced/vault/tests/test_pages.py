"""The survivor's pages: what their forms accept, and what they refuse
without changing anything."""

from faced.vault.models import Attachment, Draft, RecordKey


class PageInputTests:
    def test_it_refuses_a_button_the_form_does_not_have(
        self, survivor, survivor_client
    ):
        """Given a question's answer sent with an unknown button, nothing
        is kept and the survivor is told to use the buttons."""
        owner, client = survivor[0], survivor_client
        response = client.post(
            "/my/write/0/", {"answer": "last spring", "action": "jump"}
        )
        assert response.status_code == 400
        assert b"use one of the buttons" in response.content
        assert not Draft.objects.filter(owner=owner).exists()

    def test_an_answer_sent_without_a_button_goes_on(
        self, survivor, survivor_client
    ):
        owner, client = survivor[0], survivor_client
        response = client.post("/my/write/0/", {"answer": "last spring"})
        assert response.status_code == 302
        assert response["Location"] == "/my/write/1/"
        assert Draft.objects.get(owner=owner).step == 1

    def test_adding_no_file_says_so(self, survivor_client, own_record):
        response = survivor_client.post(
            f"/my/records/{own_record.pk}/files/", {}, follow=True
        )
        assert b"Choose a file to add." in response.content
        assert not Attachment.objects.exists()

    def test_stopping_sharing_with_someone_not_shared_with_is_not_found(
        self, survivor_client, own_record
    ):
        response = survivor_client.post(
            f"/my/records/{own_record.pk}/share/",
            {"action": "revoke", "reader": "advocate"},
        )
        assert response.status_code == 404
        assert RecordKey.objects.filter(record=own_record).count() == 1

    def test_sharing_with_no_advocate_chosen_says_so(
        self, survivor_client, own_record
    ):
        response = survivor_client.post(
            f"/my/records/{own_record.pk}/share/", {"action": "share"}
        )
        assert response.status_code == 200
        assert b"This field is required." in response.content
        assert RecordKey.objects.filter(record=own_record).count() == 1
