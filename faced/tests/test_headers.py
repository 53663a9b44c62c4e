"""Every response carries faced's security headers."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client

from faced.conftest import sign_in
from faced.tests.url_table import url_for, url_names


def assert_security_headers(response, *, page: bool = True) -> None:
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    if page:
        assert "no-store" in response["Cache-Control"]


class HeadersTests:
    @pytest.mark.parametrize("name", url_names())
    def test_it_sends_the_headers_on_every_page(
        self, name, personas, survivor_record
    ):
        """Every URL, signed out and signed in, carries every header."""
        for client in (
            Client(),
            sign_in(Client(), personas["committee1"]),
            sign_in(Client(), personas["survivor"], with_keys=True),
        ):
            assert_security_headers(client.get(url_for(name, survivor_record)))

    def test_it_sends_the_headers_on_errors_and_static_files(self, db):
        """A missing page and a static file carry them too; static files
        may be cached, because they are the same for everyone."""
        assert_security_headers(Client().get("/no/such/page/"))
        static = Client().get("/static/faced.css")
        assert static.status_code == 200
        assert_security_headers(static, page=False)

    def test_it_sends_hsts_over_https(self, db):
        """Over HTTPS the browser is told to never use plain HTTP."""
        response = Client().get("/", secure=True)
        assert "max-age=31536000" in response["Strict-Transport-Security"]

    def test_it_uses_secure_cookies_outside_the_demo(self, tmp_path):
        """With no setting but the secret key, faced's cookies are Secure,
        HttpOnly and SameSite, and DEBUG is off."""
        env = {
            "PATH": os.environ["PATH"],
            "FACED_SECRET_KEY": "k" * 60,
            "FACED_DATA_DIR": str(tmp_path),
        }
        script = (
            "import json; from django.conf import settings as s; "
            "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
            "s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
            "s.CSRF_COOKIE_SAMESITE, s.PASSWORD_HASHERS[0]]))"
        )
        result = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-c",
                "import django, os; "
                "os.environ['DJANGO_SETTINGS_MODULE']='faced.settings'; "
                "django.setup(); " + script,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(result.stdout) == [
            False,
            True,
            True,
            True,
            True,
            "Lax",
            "Strict",
            "django.contrib.auth.hashers.Argon2PasswordHasher",
        ]

    def test_it_sets_cookies_with_their_flags(self, personas):
        """A sign-in sets the session cookie HttpOnly and SameSite."""
        client = Client()
        client.post(
            "/signin/",
            {"username": "survivor", "password": "persona-password-for-tests"},
        )
        cookie = client.cookies["faced_session"]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"
