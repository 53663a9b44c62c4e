"""Fixtures every test can use: the personas, signing in, a real browser."""

import os
from pathlib import Path

import pytest
from django.test import Client

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
