"""Errors get plain pages: never a stack trace outside the demo."""

import pytest
from django.test import Client

from faced.access import all_rules, public


@pytest.fixture
def failing_url(settings, monkeypatch):
    settings.ROOT_URLCONF = "faced.tests.urls_failing"
    monkeypatch.setitem(all_rules(), "failing", public())


class ErrorPageTests:
    def test_it_shows_a_plain_page_when_something_breaks(
        self, db, failing_url
    ):
        """Given a view that fails, the person sees a calm page with a way
        out, and nothing of the code or settings."""
        client = Client(raise_request_exception=False)
        response = client.get("/failing/")
        assert response.status_code == 500
        body = response.content.decode()
        assert "Something went wrong on our side" in body
        assert "Leave now" in body
        for leak in ("Traceback", "secret internals", "settings.py"):
            assert leak not in body

    def test_it_shows_a_plain_page_for_a_missing_one(self, db):
        response = Client().get("/no/such/page/")
        assert response.status_code == 404
        assert b"There is no page here" in response.content
        assert b"Traceback" not in response.content
        assert b"urlpatterns" not in response.content

    def test_it_refuses_an_oversized_username_plainly(self, db):
        """Bad input gets a clear message and changes nothing."""
        response = Client().post(
            "/signin/", {"username": "x" * 500, "password": "p"}
        )
        assert response.status_code == 400
        assert b"at most 40 characters" in response.content
