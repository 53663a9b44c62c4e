"""The account page where anyone with an account gives, changes or removes
the address for contentless notices."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from faced.accounts.contact import contact_address_of, contact_address_set
from faced.accounts.custody import receipt_create
from faced.accounts.models import ContactAddress
from faced.conftest import sign_in

URL = "/account/contact/"
ADDRESS = "canary.member@example.org"
NEW_ADDRESS = "canary.changed@example.net"


def raw_contact_rows() -> bytes:
    """Every stored contact row, as the database file holds its bytes."""
    table = connection.ops.quote_name(ContactAddress._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    return b"\n".join(
        bytes(value)
        if isinstance(value, bytes | memoryview)
        else str(value).encode()
        for row in rows
        for value in row
    )


class ContactPageTests:
    def test_the_url_is_named(self):
        assert reverse("accounts:contact") == URL

    @pytest.mark.parametrize(
        "username", ["survivor", "committee1", "leadership"]
    )
    def test_it_keeps_a_new_address_sealed(self, signed_in, username):
        """Given a person with no address, when they give one, then it is
        stored sealed: the plaintext is nowhere in the row's bytes."""
        client = signed_in(username)
        page = client.get(URL)
        assert page.status_code == 200
        assert b"no address of yours" in page.content
        response = client.post(URL, {"email": ADDRESS}, follow=True)
        assert response.status_code == 200
        assert b"Your address is saved" in response.content
        user = get_user_model().objects.get(username=username)
        assert contact_address_of(user) == ADDRESS
        raw = raw_contact_rows()
        assert raw
        assert ADDRESS.encode() not in raw
        assert b"canary" not in raw
        # The page never shows the address back.
        assert ADDRESS.encode() not in response.content

    def test_it_changes_the_address(self, signed_in, personas):
        user = personas["committee1"]
        contact_address_set(user=user, email=ADDRESS)
        client = signed_in("committee1")
        assert b"faced has an address of yours" in client.get(URL).content
        client.post(URL, {"email": NEW_ADDRESS})
        assert contact_address_of(user) == NEW_ADDRESS
        assert ContactAddress.objects.filter(user=user).count() == 1
        assert NEW_ADDRESS.encode() not in raw_contact_rows()

    def test_it_removes_the_address(self, signed_in, personas):
        user = personas["survivor"]
        contact_address_set(user=user, email=ADDRESS)
        client = signed_in("survivor")
        response = client.post(URL, {"remove": "1"}, follow=True)
        assert b"Your address is removed" in response.content
        assert not ContactAddress.objects.filter(user=user).exists()
        assert contact_address_of(user) is None

    def test_removing_touches_only_ones_own_address(self, signed_in, personas):
        contact_address_set(user=personas["committee1"], email=ADDRESS)
        signed_in("survivor").post(URL, {"remove": "1"})
        assert contact_address_of(personas["committee1"]) == ADDRESS

    @pytest.mark.parametrize(
        "value", ["not an address", "name@", "@example.org", ""]
    )
    def test_it_refuses_a_bad_address_and_changes_nothing(
        self, signed_in, personas, value
    ):
        """Given a person with an address, when they type something that
        is not one, then they are told so and the old address stays."""
        user = personas["advocate"]
        contact_address_set(user=user, email=ADDRESS)
        response = signed_in("advocate").post(URL, {"email": value})
        assert response.status_code == 400
        assert b"error-summary" in response.content
        assert contact_address_of(user) == ADDRESS

    def test_a_bad_address_stores_nothing_for_someone_without_one(
        self, signed_in
    ):
        response = signed_in("survivor").post(URL, {"email": "nope"})
        assert response.status_code == 400
        assert b"not an e-mail address faced can use" in response.content
        assert not ContactAddress.objects.exists()

    def test_it_sends_a_stranger_to_sign_in(self, db):
        response = Client().get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:signin"))

    def test_it_is_linked_beside_the_password_page(self, signed_in):
        page = signed_in("committee1").get(URL).content.decode()
        assert 'href="/account/password/"' in page
        assert f'href="{URL}"' in page


class ReceiptHolderTests:
    @pytest.fixture
    def receipt_client(self, db):
        _receipt, identity, _keys = receipt_create()
        return sign_in(Client(), identity.user), identity.user

    def test_it_refuses_an_anonymous_survivor_kindly(self, receipt_client):
        """Given a survivor who came with a receipt, when they open the
        page or post an address, then faced explains why it takes none
        and keeps nothing."""
        client, user = receipt_client
        response = client.get(URL, follow=True)
        assert b"would tie your receipt to you" in response.content
        client.post(URL, {"email": ADDRESS})
        assert not ContactAddress.objects.filter(user=user).exists()

    def test_it_offers_no_link_to_an_anonymous_survivor(self, receipt_client):
        client, _user = receipt_client
        page = client.get(reverse("landing")).content.decode()
        assert reverse("accounts:signout") in page
        assert f'href="{URL}"' not in page
