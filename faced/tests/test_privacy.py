"""No address of anyone who visits faced is kept or logged."""

import io
import logging

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from faced.privacy import RedactAddressesFilter, redact_addresses

ADDRESS = "203.0.113.77"
FORWARDED = "198.51.100.23"
ADDRESS_V6 = "2001:db8:4:7::9"


class RedactionTests:
    @pytest.mark.parametrize(
        "text",
        [
            f"peer {ADDRESS}",
            f"listening on http://{ADDRESS}:8000/",
            f"peer [{ADDRESS_V6}]:443",
            "::1 and ::ffff:192.0.2.1",
        ],
    )
    def test_it_removes_addresses(self, text):
        """IPv4 and IPv6 addresses, with or without ports, are removed."""
        redacted = redact_addresses(text)
        assert "[address removed]" in redacted
        for address in (ADDRESS, ADDRESS_V6, "::1", "192.0.2.1"):
            assert address not in redacted

    @pytest.mark.parametrize(
        "text", ["at 12:30:45", "version 1.2.3", "10.0.0.256", "a 1.2.3.4.5"]
    )
    def test_it_leaves_times_and_versions_alone(self, text):
        assert redact_addresses(text) == text


@pytest.fixture
def console_output():
    """Everything faced's configured log handler writes, as text."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler)
        and any(isinstance(f, RedactAddressesFilter) for f in handler.filters)
    ]
    assert handlers, "faced's console handler is not configured"
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


class NoAddressTests:
    def test_it_keeps_no_address_in_logs_or_tables(
        self, personas, console_output, caplog
    ):
        """Given a visitor whose address and proxy headers are known,
        when they browse, fail and succeed to sign in and hit errors,
        then the address is in no log record and in no table."""
        caplog.set_level(logging.DEBUG)
        client = Client(
            REMOTE_ADDR=ADDRESS,
            HTTP_X_FORWARDED_FOR=f"{FORWARDED}, {ADDRESS}",
            HTTP_X_REAL_IP=ADDRESS,
            HTTP_FORWARDED=f"for={ADDRESS}",
        )
        client.get("/")
        client.get("/no/such/page/")
        client.get("/o/demo/committee/")
        client.post("/signin/", {"username": "survivor", "password": "wrong"})
        client.post(
            "/signin/",
            {"username": "survivor", "password": "persona-password-for-tests"},
        )
        client.get("/my/")
        client.get("/o/demo/committee/")
        client.post("/signin/", {"username": "committee1"})
        # A library that logs an address of its own is scrubbed too.
        logging.getLogger("faced.tests").warning("peer was %s", ADDRESS)

        written = console_output.getvalue()
        assert "Not Found" in written, "the 404 was not logged at all"
        for address in (ADDRESS, FORWARDED):
            assert address not in written
            for record in caplog.records:
                assert address not in record.getMessage() or (
                    record.name == "faced.tests"
                )
                request = getattr(record, "request", None)
                if request is not None and hasattr(request, "META"):
                    assert address not in repr(request.META)

        for address in (ADDRESS, FORWARDED):
            assert_not_in_any_table(address)
            for session in Session.objects.all():
                assert address not in repr(session.get_decoded())


def assert_not_in_any_table(needle: str) -> None:
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(
                f"SELECT * FROM {connection.ops.quote_name(table)}"  # noqa: S608
            )
            for row in cursor.fetchall():
                assert needle not in repr(row), f"{needle} found in {table}"


class ForgetAddressMiddlewareTests:
    def test_it_blanks_every_address_header(self, rf):
        """The view, and everything after the middleware, sees no address."""
        from faced.privacy import (
            ADDRESS_HEADERS,
            ForgetClientAddressMiddleware,
        )

        seen = {}

        def view(request):
            seen.update(request.META)
            return None

        request = rf.get(
            "/",
            REMOTE_ADDR=ADDRESS,
            HTTP_X_FORWARDED_FOR=FORWARDED,
            HTTP_X_REAL_IP=ADDRESS,
            HTTP_FORWARDED=f"for={ADDRESS}",
            HTTP_CF_CONNECTING_IP=ADDRESS,
        )
        ForgetClientAddressMiddleware(view)(request)
        for header in ADDRESS_HEADERS:
            assert seen.get(header, "") == ""
        assert ADDRESS not in repr(seen)
        assert FORWARDED not in repr(seen)

    def test_it_runs_before_anything_else(self, settings):
        """It is the first middleware, so no other can read an address."""
        assert settings.MIDDLEWARE[0] == (
            "faced.privacy.ForgetClientAddressMiddleware"
        )
