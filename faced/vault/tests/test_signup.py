"""Signing up for the vault with an account, and the optional address."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from faced.accounts.contact import contact_address_of
from faced.accounts.models import ContactAddress
from faced.vault.models import Attachment
from faced.vault.services import attachments_folder

ADDRESS = "canary.survivor@example.org"


def signup(client: Client, **fields):
    form = {
        "username": "rowan",
        "new_password": "a long enough phrase 5",
        "new_password_again": "a long enough phrase 5",
        "agree": "on",
        **fields,
    }
    return client.post("/write/account/", form)


class SignupTests:
    def test_it_keeps_the_optional_address_sealed(self, db, raw_database_text):
        """Given a survivor who gives an e-mail address for notices, the
        database holds it only sealed; the notification sender opens it."""
        client = Client()
        response = signup(client, email=ADDRESS)
        assert response.status_code == 200
        assert re.search(rb"[A-Z2-7]{4}(-[A-Z2-7]{4}){12}", response.content)
        user = get_user_model().objects.get(username="rowan")
        assert contact_address_of(user) == ADDRESS
        dump = raw_database_text()
        assert ADDRESS not in dump
        assert "canary.survivor" not in dump

    def test_the_address_is_optional(self, db):
        assert signup(Client()).status_code == 200
        assert not ContactAddress.objects.exists()

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"email": "not an address"}, b"valid email"),
            ({"agree": ""}, b"tick the box"),
            ({"new_password_again": "different"}, b"are different"),
            ({"username": "Has Spaces"}, b"lower-case letters"),
        ],
    )
    def test_it_refuses_bad_input_and_keeps_nothing(self, db, fields, message):
        response = signup(Client(), **fields)
        assert response.status_code == 400
        assert message in response.content
        assert not get_user_model().objects.exists()


class UploadTests:
    def test_an_oversized_upload_is_refused_and_nothing_kept(
        self, survivor_client, own_record, settings
    ):
        """Given a file over the limit, the survivor is told plainly, and
        neither an attachment nor a scratch file is left."""
        settings.ATTACHMENT_MAX_BYTES = 100_000
        before = set(attachments_folder().iterdir())
        upload = io.BytesIO(b"x" * 300_000)
        upload.name = "big.pdf"
        response = survivor_client.post(
            f"/my/records/{own_record.pk}/files/",
            {"file": upload},
            follow=True,
        )
        assert b"larger than" in response.content
        assert not Attachment.objects.exists()
        assert set(attachments_folder().iterdir()) == before

    def test_a_file_is_encrypted_as_it_arrives(
        self, survivor_client, own_record
    ):
        before = set(attachments_folder().iterdir())
        upload = io.BytesIO(b"CANARY-UPLOAD " * 50_000)
        upload.name = "notes.txt"
        survivor_client.post(
            f"/my/records/{own_record.pk}/files/", {"file": upload}
        )
        attachment = Attachment.objects.get()
        stored = list(set(attachments_folder().iterdir()) - before)
        assert len(stored) == 1
        assert b"CANARY-UPLOAD" not in stored[0].read_bytes()
        response = survivor_client.get(
            f"/my/records/{own_record.pk}/files/{attachment.pk}/"
        )
        assert b"".join(response.streaming_content) == (
            b"CANARY-UPLOAD " * 50_000
        )


class NewIdentityLimitTests:
    def test_it_pauses_new_receipts_past_the_limit(self, db, settings):
        from django.core.cache import cache

        from faced.accounts.models import ReceiptIdentity

        cache.clear()
        settings.NEW_IDENTITIES_PER_MINUTE = 2
        for _attempt in range(2):
            assert (
                Client().post("/write/receipt/", {"agree": "on"}).status_code
                == 200
            )
        response = Client().post("/write/receipt/", {"agree": "on"})
        assert response.status_code == 400
        assert b"pausing new sign-ups" in response.content
        assert ReceiptIdentity.objects.count() == 2
        cache.clear()
