"""Settings for the test suite: faced's settings with test-only defaults.

The suite runs on SQLite unless FACED_TEST_DATABASE_URL names another
database (the PostgreSQL leg of `make test`).
"""

import os
import tempfile
from pathlib import Path

# Everything the suite writes outside the database goes here.
_SCRATCH = Path(tempfile.mkdtemp(prefix="faced-test-"))

os.environ.setdefault("FACED_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("FACED_HTTPS", "false")
os.environ["FACED_DATA_DIR"] = str(_SCRATCH)
os.environ["FACED_DEMO"] = "false"
# A log key for the suite, made once per run.
if not os.environ.get("FACED_LEDGER_KEY_FILE"):
    from faced.ledger.note import generate_signer_key

    (_SCRATCH / "ledger.key").write_text(
        generate_signer_key("faced.test/ledger") + "\n"
    )
    os.environ["FACED_LEDGER_KEY_FILE"] = str(_SCRATCH / "ledger.key")
# And a matching key, for the in-process key service.
if not os.environ.get("FACED_MATCHING_KEY_FILE"):
    from faced.matching.keyserver import matching_key_create

    matching_key_create(_SCRATCH / "matching.key")
    os.environ["FACED_MATCHING_KEY_FILE"] = str(_SCRATCH / "matching.key")
if os.environ.get("FACED_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["FACED_TEST_DATABASE_URL"]
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_SCRATCH / 'faced.sqlite3'}"

from faced.settings import *  # noqa: E402, F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A real file, not a shared in-memory database, so that locking
    # behaves as in production (the in-memory kind locks whole tables and
    # ignores the busy timeout).
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(_SCRATCH / "test.sqlite3")
    }

# Argon2's default cost is the point in production and only slows tests;
# the hasher itself is the same.
PASSWORD_HASHERS = ["faced.accounts.hashers.TestArgon2PasswordHasher"]
# The same for the keys' Argon2id: libsodium's minimum cost in tests.
KEY_DERIVATION_COST = {"opslimit": 1, "memlimit": 8192}
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Static files straight from the source folders: the suite does not run
# collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
