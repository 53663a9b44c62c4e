"""Settings for the test suite: faced's settings with test-only defaults.

The suite runs on SQLite unless FACED_TEST_DATABASE_URL names another
database (the PostgreSQL leg of `make test`).
"""

import os

os.environ.setdefault("FACED_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("FACED_HTTPS", "false")
os.environ.pop("FACED_DEMO", None)
os.environ["FACED_DEMO"] = "false"
if os.environ.get("FACED_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["FACED_TEST_DATABASE_URL"]
else:
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"

from faced.settings import *  # noqa: F403

# Argon2's default cost is the point in production and only slows tests;
# the hasher itself is the same.
PASSWORD_HASHERS = ["faced.accounts.hashers.TestArgon2PasswordHasher"]
# The same for the keys' Argon2id: libsodium's minimum cost in tests.
KEY_DERIVATION_COST = {"opslimit": 1, "memlimit": 8192}
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
}
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
