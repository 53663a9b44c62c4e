"""Fixtures every test can use: the personas, signing in, a real browser."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from faced.accounts.custody import keys_unlock
from faced.accounts.session_keys import (
    COOKIE_NAME,
    SESSION_FIELD,
    encrypt_for_session,
)
from faced.demo.personas import create_personas

# Playwright's synchronous API runs an event loop in the test's thread;
# Django would then refuse the ORM calls a test makes between page steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "persona-password-for-tests"


@pytest.fixture(autouse=True)
def ledger_signer_state(settings, tmp_path_factory):
    """A checkpoint signer's memory of its own for each test: the database
    is rolled back after every test, and a memory of what an earlier
    test signed would see that as a shortened log."""
    folder = tmp_path_factory.mktemp("signer")
    settings.LEDGER_SIGNER_STATE_FILE = str(folder / "ledger-signer.state")


@pytest.fixture
def personas(db):
    """Demo Collective and Other Collective, with one person per role."""
    return create_personas(password=PASSWORD)


def sign_in(client: Client, user, *, with_keys: bool = False) -> Client:
    """Sign USER in as the sign-in pages would, second factor included,
    and with WITH_KEYS their unwrapped keys (a persona's password)."""
    client.force_login(user)
    session = client.session
    device = user.totpdevice_set.filter(confirmed=True).first()
    if device is not None:
        session["otp_device_id"] = device.persistent_id
    if with_keys:
        keys = keys_unlock(user=user, password=PASSWORD)
        stored, cookie = encrypt_for_session(keys, user.pk)
        session[SESSION_FIELD] = stored
        client.cookies[COOKIE_NAME] = cookie
    session.save()
    return client


@pytest.fixture
def signed_in(personas):
    """A function that returns a client signed in as the named persona."""

    def make(username: str) -> Client:
        return sign_in(Client(), personas[username])

    return make


@pytest.fixture
def current_code():
    """A function that returns the code a person's authenticator app
    shows now, or OFFSET seconds from now."""

    def code(user, *, offset: int = 0) -> str:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        totp.time = time.time() + offset
        return f"{totp.token():06d}"

    return code


@pytest.fixture
def survivor_record(personas):
    """A record of the survivor persona's, with a file, shared with the
    advocate persona: the identifiers record URLs are asked with."""
    import io

    from faced.accounts.custody import keys_unlock
    from faced.conftest import PASSWORD
    from faced.orgs.models import Organization
    from faced.vault.services import attachment_add, record_save, share_with

    owner = personas["survivor"]
    keys = keys_unlock(user=owner, password=PASSWORD)
    saved = record_save(owner=owner, keys=keys, fields={"what": "a record"})
    record = saved.version.record
    upload = io.BytesIO(b"a file")
    attachment = attachment_add(
        record=record, owner=owner, keys=keys, name="a.txt", source=upload
    )
    share_with(
        record=record,
        owner=owner,
        keys=keys,
        reader=personas["advocate"],
        organization=Organization.objects.get(slug="demo"),
    )
    from faced.cases.services.report import case_submit

    case = case_submit(
        survivor=owner,
        keys=keys,
        record=record,
        organization=Organization.objects.get(slug="demo"),
        included_fields=["what"],
        outcomes=["heard"],
    )
    return {
        "record_id": record.pk,
        "attachment_id": attachment.pk,
        "case_id": case.pk,
    }


@pytest.fixture
def decide_a_case(personas):
    """A function that makes a case heard by committee1 and committee2,
    with a signed finding, and returns the case and the finding."""
    # Imported here: cases_setup imports this module for PASSWORD.
    from faced.cases.models import Finding
    from faced.cases.tests.cases_setup import (
        case_reported,
        declared,
        finding_signed,
        seat_panel,
    )

    def decide():
        case = case_reported(
            personas["survivor"],
            {"what": "what happened"},
            included_fields=["what"],
            outcomes=["heard"],
        )
        panel = [personas["committee1"], personas["committee2"]]
        seat_panel(personas, case, extra=personas["committee2"])
        declared(case, panel)
        finding = finding_signed(
            case, panel, rationale="The panel believes the survivor."
        )
        return case, Finding.objects.get(pk=finding.pk)

    return decide


@pytest.fixture
def raw_database():
    """A function that returns the database as a thief would copy it:
    the raw SQLite files, or a PostgreSQL dump."""

    def copy() -> bytes:
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            # Committed pages are checkpointed from the write-ahead log
            # into the database file first, where a copy of the file
            # alone would find them.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(FULL)")
            database = Path(settings["NAME"])
            # Read by another process: opening and closing the files in
            # this one would drop the POSIX locks SQLite holds on them, and
            # the next process to open the database (a `faced` command in
            # a later test) would take itself for the last one, delete the
            # write-ahead log under this process's connections and leave
            # them failing with "disk I/O error".
            return subprocess.run(  # noqa: S603
                [
                    shutil.which("cat") or "cat",
                    *sorted(database.parent.glob(database.name + "*")),
                ],
                capture_output=True,
                check=True,
            ).stdout
        dump = subprocess.run(  # noqa: S603
            [
                shutil.which("pg_dump") or "pg_dump",
                "--host",
                settings["HOST"] or "127.0.0.1",
                "--port",
                str(settings["PORT"] or 5432),
                "--username",
                settings["USER"] or "postgres",
                "--no-password",
                settings["NAME"],
            ],
            capture_output=True,
            check=True,
        )
        return dump.stdout

    return copy


@pytest.fixture
def raw_database_text():
    """A function that returns every row of every table, as text (repr
    of bytes included)."""

    def rows() -> str:
        parts = []
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                quoted = connection.ops.quote_name(table)
                cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
                parts.extend(repr(row) for row in cursor.fetchall())
        return "\n".join(parts)

    return rows


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(params=["js", "nojs"])
def javascript(request) -> bool:
    """Each browser journey runs with JavaScript on and off."""
    return request.param == "js"


@pytest.fixture
def browser_page(chromium, javascript):
    """A fresh browser context, as a new private window would be."""
    context = chromium.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def signed_in_page(chromium, javascript, live_server):
    """A function that opens a new browser window signed in as a user,
    with their keys."""

    def open_as(user):
        client = sign_in(Client(), user, with_keys=True)
        context = chromium.new_context(java_script_enabled=javascript)
        context.add_cookies(
            [
                {
                    "name": name,
                    "value": client.cookies[name].value,
                    "url": live_server.url,
                }
                for name in ("faced_session", "faced_keys")
            ]
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    return open_as


@pytest.fixture
def mode(javascript) -> str:
    """How the journey runs, "js" or "nojs", for its screenshots' names."""
    return "js" if javascript else "nojs"


@pytest.fixture
def fill_sign_in():
    """A function that signs in through the sign-in page, as a person
    would type it."""

    def fill(page, base: str, username: str, password: str) -> None:
        page.goto(base + "/signin/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()

    return fill


def screenshot(page, name: str, *, phone: bool = True) -> None:
    """Save what the person sees, at desktop and phone widths."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1200, "height": 900})
    _capture(page, ARTIFACTS / f"{name}.png")
    if phone:
        page.set_viewport_size({"width": 360, "height": 740})
        _capture(page, ARTIFACTS / f"{name}-phone.png")
        page.set_viewport_size({"width": 1200, "height": 900})


def _capture(page, path: Path, attempts: int = 3) -> None:
    """Chromium sometimes answers "Unable to capture screenshot" while it
    is still laying out a resized page under load; a second try after a
    frame succeeds. A failure that persists is still raised."""
    from playwright.sync_api import Error

    for attempt in range(attempts):
        try:
            page.screenshot(path=path, full_page=True)
            return
        except Error:
            if attempt == attempts - 1:
                raise
            page.wait_for_timeout(200)
