"""`faced demo` sets everything up, serves, and every persona signs in."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from faced.demo.personas import DEMO_PASSWORD, PERSONAS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo as `make demo` runs it: its own data folder, waitress and
    the task worker, in a separate process."""
    data_dir = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "FACED_DEMO": "true",
        "FACED_DATA_DIR": str(data_dir),
        "FACED_LISTEN": f"127.0.0.1:{port}",
    }
    # The demo's output goes to a file: a pipe nobody reads would fill up
    # and stop the server mid-test.
    output = (data_dir / "demo-output.txt").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "faced", "demo"],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(  # noqa: S310
                base + "/healthz", timeout=10
            ) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        output.close()
        pytest.fail(
            "the demo did not start: "
            + (data_dir / "demo-output.txt").read_text()
        )
    yield base, env
    process.terminate()
    process.wait(timeout=20)
    output.close()


class Browser:
    """A cookie-keeping HTTP client, enough for faced's plain forms."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.url, response.read().decode()

    def submit(self, path: str, fields: dict[str, str]) -> tuple[str, str]:
        _url, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        body = urllib.parse.urlencode(
            {**fields, "csrfmiddlewaretoken": token[1]}
        ).encode()
        with self.opener.open(
            self.base + path, data=body, timeout=30
        ) as response:
            return response.url, response.read().decode()


class DemoTests:
    def test_it_prints_every_login(self, demo_server):
        _base, env = demo_server
        result = subprocess.run(
            [sys.executable, "-m", "faced", "demo", "--no-serve"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert DEMO_PASSWORD in result.stdout
        for persona in PERSONAS:
            assert persona.username in result.stdout

    @pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.username)
    def test_every_persona_signs_in(self, demo_server, persona):
        """Given the demo's printed logins, each persona signs in (with the
        code `faced totp` prints when they need one) and lands on their
        own page."""
        base, env = demo_server
        browser = Browser(base)
        url, page = browser.submit(
            "/signin/",
            {"username": persona.username, "password": DEMO_PASSWORD},
        )
        if persona.needs_code:
            assert url.endswith("/signin/code/"), page
            code = subprocess.run(  # noqa: S603
                [sys.executable, "-m", "faced", "totp", persona.username],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            url, page = browser.submit("/signin/code/", {"code": code})
        assert "Sign out" in page
        if not persona.roles:
            assert url.endswith("/my/")
            assert "Record written on" in page
            if persona.username == "survivor":
                # The demo survivor has a draft to show too.
                assert "Continue where you left off" in page
        else:
            if persona.username == "advocate":
                assert "A record last saved on" in page
            if persona.username == "leadership":
                assert "Excluded from all chapter events" in page
            if persona.username == "committee1":
                assert "C-20" in page
            if persona.username == "counselor":
                # The two demo survivors' entries matched.
                assert "/counselor/matches/" in page
            slug, role = persona.roles[0]
            assert str(role.label) in page
            if slug:
                assert f"/o/{slug}/" in url


PRINT_PRIVATE_KEYS = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "faced.settings"
django.setup()
from django.contrib.auth import get_user_model
from faced.accounts.custody import keys_unlock
from faced.demo.personas import DEMO_PASSWORD
for user in get_user_model().objects.all():
    keys = keys_unlock(user=user, password=DEMO_PASSWORD)
    print(keys.box_private_key.hex(), keys.signing_seed.hex())
"""


class DemoDatabaseTests:
    def test_the_raw_database_file_holds_no_private_key(self, demo_server):
        """Given the demo's SQLite file (and its write-ahead log) as a thief
        would copy them, no persona's private key is in them, raw or as
        text."""
        _base, env = demo_server
        printed = subprocess.run(  # noqa: S603
            [sys.executable, "-c", PRINT_PRIVATE_KEYS],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert len(printed) == 2 * len(PERSONAS)
        from pathlib import Path

        data_dir = Path(env["FACED_DATA_DIR"])
        raw = b"".join(
            path.read_bytes() for path in data_dir.glob("faced.sqlite3*")
        )
        assert len(raw) > 10_000
        for hex_key in printed:
            secret = bytes.fromhex(hex_key)
            assert secret not in raw
            assert hex_key.encode() not in raw


class DemoLedgerTests:
    def test_a_members_watcher_sees_the_demo_log_only_grow(
        self, demo_server, tmp_path
    ):
        """Given the demo's published key, a member's watcher on another
        computer (here: a process with no settings at all) checks the log,
        then after a new event checks that it grew consistently."""
        base, env = demo_server
        with urllib.request.urlopen(base + "/ledger/key") as response:  # noqa: S310
            key = response.read().decode().strip()
        state = tmp_path / "watch.json"
        bare_env = {"PATH": os.environ["PATH"]}

        def watch() -> subprocess.CompletedProcess:
            return subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "faced",
                    "ledger",
                    "watch",
                    base,
                    "--state",
                    str(state),
                    "--key",
                    key,
                ],
                env=bare_env,
                capture_output=True,
                text=True,
            )

        first = watch()
        assert first.returncode == 0, first.stderr
        assert first.stdout.startswith("ok")
        subprocess.run(
            [sys.executable, "-m", "faced", "createorg", "Watched Branch"],
            env=env,
            check=True,
            capture_output=True,
        )
        second = watch()
        assert second.returncode == 0, second.stderr
        assert "grew" in second.stdout and "consistently" in second.stdout

        verified = subprocess.run(
            [sys.executable, "-m", "faced", "ledger", "verify"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert verified.returncode == 0, verified.stderr
        assert verified.stdout.startswith("ok: ")
