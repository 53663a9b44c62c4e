"""Forms are protected against cross-site requests despite no-referrer."""

import re

import pytest
from django.test import Client

from faced.conftest import PASSWORD


def token_from(client: Client, url: str) -> str:
    page = client.get(url, secure=True).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


def post_signin(client: Client, token: str | None, **headers):
    form = {"username": "survivor", "password": PASSWORD}
    if token:
        form["csrfmiddlewaretoken"] = token
    return client.post("/signin/", form, secure=True, headers=headers)


@pytest.fixture
def client(personas):
    return Client(enforce_csrf_checks=True)


class CsrfTests:
    def test_it_accepts_its_own_form_without_a_referer(self, client):
        """Given faced's no-referrer policy, a browser posts faced's own
        form over HTTPS with Origin null and no Referer: it is accepted."""
        token = token_from(client, "/signin/")
        response = post_signin(
            client, token, origin="null", sec_fetch_site="same-origin"
        )
        assert response.status_code == 302
        assert "_auth_user_id" in client.session

    def test_it_refuses_a_missing_token(self, client):
        token_from(client, "/signin/")
        response = post_signin(client, None, sec_fetch_site="same-origin")
        assert response.status_code == 403
        assert b"This form has expired" in response.content
        assert "_auth_user_id" not in client.session

    def test_it_refuses_a_foreign_origin(self, client):
        token = token_from(client, "/signin/")
        response = post_signin(
            client, token, origin="https://attacker.example"
        )
        assert response.status_code == 403

    def test_it_refuses_a_null_origin_from_another_site(self, client):
        token = token_from(client, "/signin/")
        response = post_signin(
            client, token, origin="null", sec_fetch_site="cross-site"
        )
        assert response.status_code == 403

    def test_it_refuses_a_foreign_referer(self, client):
        token = token_from(client, "/signin/")
        response = post_signin(
            client, token, referer="https://attacker.example/page"
        )
        assert response.status_code == 403

    def test_it_refuses_a_token_from_another_session(self, client, personas):
        """The token is bound to the session, so one taken from another
        visitor's page does not work."""
        other = Client(enforce_csrf_checks=True)
        token = token_from(other, "/signin/")
        token_from(client, "/signin/")
        response = post_signin(client, token, sec_fetch_site="same-origin")
        assert response.status_code == 403
