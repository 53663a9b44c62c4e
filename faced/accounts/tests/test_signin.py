"""Signing in: passwords, second factors, throttling and timeouts."""

import os
import time

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from faced.accounts.middleware import LAST_SEEN_KEY
from faced.conftest import PASSWORD, sign_in
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.services import role_grant


def password_step(client: Client, username: str, password: str = PASSWORD):
    return client.post(
        "/signin/", {"username": username, "password": password}
    )


@pytest.fixture(autouse=True)
def empty_cache(db):
    cache.clear()
    yield
    cache.clear()


class PasswordTests:
    def test_it_signs_a_survivor_in_with_a_password(self, personas):
        """A survivor needs no second factor and lands on their page."""
        client = Client()
        response = password_step(client, "Survivor")
        assert response["Location"] == "/home/"
        assert client.get("/home/")["Location"] == "/my/"
        assert client.get("/my/").status_code == 200

    def test_it_refuses_a_wrong_password_plainly(self, personas):
        client = Client()
        response = password_step(client, "survivor", "not the password")
        assert response.status_code == 400
        assert b"do not match" in response.content
        assert "_auth_user_id" not in client.session

    def test_it_locks_a_username_after_repeated_failures(
        self, personas, settings
    ):
        """Given five wrong passwords for a username, then even the right
        one is refused for a while, with a message that says why."""
        client = Client()
        for _attempt in range(settings.SIGNIN_MAX_FAILURES):
            password_step(client, "survivor", "guess")
        response = password_step(client, "survivor")
        assert b"Too many wrong attempts" in response.content
        assert "_auth_user_id" not in client.session
        # Another username is not affected.
        assert password_step(Client(), "committee1").status_code == 302

    def test_it_keeps_the_username_out_of_the_throttle(self, personas):
        password_step(Client(), "survivor", "guess")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key FROM faced_cache")
            keys = [row[0] for row in cursor.fetchall()]
        assert keys and not any("survivor" in key for key in keys)


class SecondFactorTests:
    def test_it_asks_a_role_holder_for_a_code(self, personas, current_code):
        """Given a committee member's right password, they are not signed
        in until they give the code from their app."""
        client = Client()
        assert password_step(client, "committee1")["Location"] == (
            "/signin/code/"
        )
        assert client.get("/o/demo/committee/").status_code == 302
        response = client.post(
            "/signin/code/", {"code": current_code(personas["committee1"])}
        )
        assert response["Location"] == "/home/"
        assert client.get("/home/")["Location"] == "/o/demo/committee/"
        assert client.get("/o/demo/committee/").status_code == 200

    def test_it_refuses_a_wrong_code(self, personas):
        client = Client()
        password_step(client, "committee1")
        response = client.post("/signin/code/", {"code": "000000"})
        assert response.status_code == 400
        assert b"not right" in response.content
        assert client.get("/o/demo/committee/").status_code == 302

    def test_it_refuses_a_code_used_twice(self, personas, current_code):
        code = current_code(personas["committee1"])
        first = Client()
        password_step(first, "committee1")
        first.post("/signin/code/", {"code": code})
        second = Client()
        password_step(second, "committee1")
        response = second.post("/signin/code/", {"code": code})
        assert b"already used" in response.content

    def test_it_throttles_guessed_codes(self, personas, current_code):
        client = Client()
        password_step(client, "committee1")
        client.post("/signin/code/", {"code": "000000"})
        response = client.post(
            "/signin/code/", {"code": current_code(personas["committee1"])}
        )
        assert b"Too many wrong codes" in response.content

    def test_it_sends_the_code_page_back_without_a_password(self, db):
        response = Client().get("/signin/code/")
        assert response["Location"].startswith("/signin/")

    def test_it_sets_up_an_app_at_first_sign_in(self, personas):
        """Given a new role holder with no app, they scan a QR code drawn as
        inline SVG, enter a code, and are signed in."""
        TOTPDevice.objects.filter(user=personas["advocate"]).delete()
        client = Client()
        assert password_step(client, "advocate")["Location"] == (
            "/signin/set-up/"
        )
        page = client.get("/signin/set-up/")
        assert b"<svg" in page.content
        assert b"<script" not in page.content.split(b"</head>")[1]
        device = TOTPDevice.objects.get(user=personas["advocate"])
        assert not device.confirmed
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        response = client.post(
            "/signin/set-up/", {"code": f"{totp.token():06d}"}
        )
        assert response["Location"] == "/home/"
        device.refresh_from_db()
        assert device.confirmed
        assert client.get("/o/demo/advocate/").status_code == 200

    def test_it_signs_out_a_role_holder_who_never_gave_a_code(self, personas):
        """A survivor given a role while signed in must sign in again with
        a code before reaching anything."""
        client = sign_in(Client(), personas["survivor"])
        role_grant(
            user=personas["survivor"],
            role=Role.ADVOCATE,
            organization=Organization.objects.get(slug="demo"),
        )
        response = client.get("/my/")
        assert response["Location"].startswith("/signin/")
        assert "_auth_user_id" not in client.session


class SessionTests:
    def test_it_signs_out_after_the_idle_time(self, personas, settings):
        client = sign_in(Client(), personas["committee1"])
        assert client.get("/o/demo/committee/").status_code == 200
        session = client.session
        session[LAST_SEEN_KEY] = (
            time.time() - settings.STAFF_IDLE_MINUTES * 60 - 1
        )
        session.save()
        response = client.get("/o/demo/committee/", follow=True)
        assert response.redirect_chain[0][0].startswith("/signin/")
        assert b"without activity" in response.content

    def test_it_ends_the_session_at_sign_out(self, personas):
        client = sign_in(Client(), personas["committee1"])
        old_key = client.session.session_key
        response = client.post("/signout/", follow=True)
        assert b"You are signed out" in response.content
        assert client.get("/o/demo/committee/").status_code == 302
        from django.contrib.sessions.models import Session

        assert not Session.objects.filter(session_key=old_key).exists()

    def test_it_signs_out_on_quick_exit(self, personas, settings):
        client = sign_in(Client(), personas["survivor"])
        response = client.get("/leave/")
        assert response["Location"] == settings.QUICK_EXIT_URL
        assert client.get("/my/").status_code == 302


class DemoCodeTests:
    def test_it_prints_a_code_only_in_the_demo(
        self, personas, settings, current_code
    ):
        with pytest.raises(CommandError, match="only in the demo"):
            call_command("totp", "committee1")
        settings.DEMO = True
        from io import StringIO

        out = StringIO()
        call_command("totp", "committee1", stdout=out, stderr=StringIO())
        assert out.getvalue().strip() == current_code(personas["committee1"])


REDIS_URL = os.environ.get("FACED_TEST_REDIS_URL")
CACHE_BACKENDS = {
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "faced_cache",
    },
}
if REDIS_URL:
    # CI runs Redis beside PostgreSQL; the throttle must hold on either.
    CACHE_BACKENDS["redis"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }


class ThrottleCacheTests:
    @pytest.mark.parametrize("backend", sorted(CACHE_BACKENDS))
    def test_it_locks_on_every_cache_backend(
        self, personas, settings, backend
    ):
        settings.CACHES = {"default": CACHE_BACKENDS[backend]}
        cache.clear()
        for _attempt in range(settings.SIGNIN_MAX_FAILURES):
            password_step(Client(), "committee2", "guess")
        response = password_step(Client(), "committee2")
        assert b"Too many wrong attempts" in response.content
        cache.clear()
