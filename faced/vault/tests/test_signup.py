"""Signing up for the vault with an account, and the optional address."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from faced.accounts.contact import contact_address_of
from faced.accounts.models import ContactAddress
from faced.accounts.tests.test_custody import raw_database_text

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
    def test_it_keeps_the_optional_address_sealed(self, db):
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
