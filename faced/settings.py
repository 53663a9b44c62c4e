"""faced's settings, read from the environment.

Every name is listed in .env.example and docs/configuration.md; a test
fails when one is missing there. Outside the demo, faced refuses to start
without a secret key rather than invent one.
"""

import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from faced.environment import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("FACED_DATA_DIR", str(Path.cwd() / "var")))

# The demo is switched on by FACED_DEMO or by the marker file `make demo`
# leaves in the data folder, so that `faced totp` works in a second
# terminal without extra setup. It only loosens what a local trial needs.
DEMO = env_bool("FACED_DEMO", (DATA_DIR / "DEMO").exists())
# Django's debug pages show code and settings; they are only ever allowed
# in the demo, whatever FACED_DEBUG says.
DEBUG = DEMO and env_bool("FACED_DEBUG", False)


def _secret_key() -> str:
    key = env_str("FACED_SECRET_KEY")
    if key:
        if len(key) < 50:
            raise ImproperlyConfigured(
                "FACED_SECRET_KEY must be at least 50 characters long. "
                "Make one with: python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(64))'"
            )
        return key
    if not DEMO:
        raise ImproperlyConfigured(
            "faced needs a secret key and will not start without one. "
            "Set FACED_SECRET_KEY (or FACED_SECRET_KEY_FILE, the path of a "
            "file that holds it) to at least 50 random characters. Make "
            "one with: python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(64))'"
        )
    # The demo keeps a key of its own beside its database, so that demo
    # sessions survive a restart; it is never used outside the demo.
    key_file = DATA_DIR / "demo-secret-key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("FACED_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "faced",
    "faced.ledger",
    "faced.orgs",
    "faced.accounts",
    "faced.vault",
    "faced.cases",
    "faced.matching",
    "faced.notify",
    "faced.demo",
]

MIDDLEWARE = [
    # First of all, so that nothing after it can see or log an address.
    "faced.privacy.ForgetClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # These three only add response headers; they come before WhiteNoise
    # so that static files carry the same headers as pages.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "faced.headers.ResponseHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "faced.csrf.FacedCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "faced.accounts.session_keys.SessionKeysCookieMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "faced.accounts.middleware.IdleTimeoutMiddleware",
    # Last, so that it sees the signed-in person and the resolved view.
    "faced.access.AccessRuleMiddleware",
]

ROOT_URLCONF = "faced.urls"
WSGI_APPLICATION = "faced.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "faced.context.faced_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'faced.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so that two
    # writers never both read "no conflict" and then both write (the role
    # rules and the ledger depend on it). WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete overwrites deleted rows, so that a shredded record's
        # sealed keys do not linger in free pages of the file.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA secure_delete=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:signin"
PASSWORD_HASHERS = [
    # Argon2id: slow and memory-hard on purpose, so that a stolen database
    # does not let anyone try passwords quickly.
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "django.contrib.auth.password_validation."
        "CommonPasswordValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation."
        "NumericPasswordValidator"
    },
]

# Argon2id's cost for deriving the keys that wrap people's private keys
# from their passwords (and receipts, fixed at install). See
# docs/cryptography.md for why these values.
KEY_DERIVATION_COST = {
    "opslimit": env_int("FACED_ARGON2_OPSLIMIT", 3, minimum=1),
    "memlimit": env_int("FACED_ARGON2_MEMORY_MIB", 64, minimum=8)
    * 1024
    * 1024,
}
# Uploads are kept in memory only; the one view that takes files (a
# survivor's attachment) encrypts them as they arrive. No upload is ever
# written to a temporary file in the clear.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler"
]
# The largest attachment a survivor can add, encrypted as a stream.
ATTACHMENT_MAX_BYTES = (
    env_int("FACED_ATTACHMENT_MAX_MB", 50, minimum=1) * 1024 * 1024
)
# New receipts and accounts per minute, deployment-wide.
NEW_IDENTITIES_PER_MINUTE = env_int(
    "FACED_NEW_IDENTITIES_PER_MINUTE", 30, minimum=1
)
# Wrong receipts per minute, deployment-wide, before receipt sign-in
# pauses for the rest of the minute.
RECEIPT_MAX_FAILURES_PER_MINUTE = env_int(
    "FACED_RECEIPT_MAX_FAILURES_PER_MINUTE", 60, minimum=1
)

# Sessions live in the database so that several app servers can share
# them; the cookie is the only thing a browser keeps.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 60 * 60
STAFF_IDLE_MINUTES = env_int("FACED_STAFF_IDLE_MINUTES", 30, minimum=1)
# Survivors are signed out sooner: a shared phone left on the table.
SURVIVOR_IDLE_MINUTES = env_int("FACED_SURVIVOR_IDLE_MINUTES", 15, minimum=1)

# Served over HTTPS everywhere but the demo on 127.0.0.1.
HTTPS = env_bool("FACED_HTTPS", not DEMO)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_NAME = "faced_session"
CSRF_COOKIE_NAME = "faced_csrf"
CSRF_FAILURE_VIEW = "faced.views.csrf_failure"
# The token lives in the server-side session, not in a cookie of its own:
# see faced/csrf.py for why that matters with Referrer-Policy no-referrer.
CSRF_USE_SESSIONS = True
CSRF_TRUSTED_ORIGINS = env_list("FACED_CSRF_TRUSTED_ORIGINS", [])
BEHIND_PROXY = env_bool("FACED_BEHIND_PROXY", False)
if BEHIND_PROXY:
    # Only the scheme is taken from the proxy; its address headers are
    # thrown away by faced.privacy before anything reads them.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SSL_REDIRECT = env_bool("FACED_SSL_REDIRECT", True)
SECURE_SSL_REDIRECT = HTTPS and SSL_REDIRECT
# Django sends HSTS only on responses served over HTTPS.
SECURE_HSTS_SECONDS = env_int("FACED_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), "
    "display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}

# The ledger's log key (signs checkpoints): a secret file, made once with
# `faced ledger init`. faced does not start without it.
LEDGER_KEY_FILE = env_str(
    "FACED_LEDGER_KEY_FILE", str(DATA_DIR / "ledger.key")
)
# What the checkpoint signer last signed (its size and root), kept beside
# the log key and outside the database: someone who can write the database
# must not be able to get a checkpoint signed over a shortened history.
LEDGER_SIGNER_STATE_FILE = env_str("FACED_LEDGER_SIGNER_STATE_FILE") or str(
    Path(LEDGER_KEY_FILE).parent / "ledger-signer.state"
)

# The matching key (RFC 9497 OPRF): in-process by default, read from a
# secret file made once with `faced matching init`; or held by a separate
# `faced keyserver`, in which case the app holds only its public key and
# never reads a key file.
MATCHING_KEY_FILE = env_str(
    "FACED_MATCHING_KEY_FILE", str(DATA_DIR / "matching.key")
)
KEYSERVER_URL = (env_str("FACED_KEYSERVER_URL") or "").rstrip("/") or None
KEYSERVER_TIMEOUT = env_int("FACED_KEYSERVER_TIMEOUT", 10, minimum=1)
# The secret the app sends with each evaluation; the keyserver, given the
# same one, answers nobody else (FACED_KEYSERVER_TOKEN_FILE for a file).
KEYSERVER_TOKEN = env_str("FACED_KEYSERVER_TOKEN")


def _keyserver_public_key() -> bytes | None:
    text = env_str("FACED_KEYSERVER_PUBLIC_KEY")
    if KEYSERVER_URL is None:
        if text:
            raise ImproperlyConfigured(
                "FACED_KEYSERVER_PUBLIC_KEY is set but FACED_KEYSERVER_URL "
                "is not: set both to use a keyserver, or neither to keep "
                "the matching key in FACED_MATCHING_KEY_FILE."
            )
        return None
    if not KEYSERVER_URL.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            f"FACED_KEYSERVER_URL must start with https:// (or http://), "
            f"not {KEYSERVER_URL!r}."
        )
    if not text:
        raise ImproperlyConfigured(
            "FACED_KEYSERVER_URL is set but FACED_KEYSERVER_PUBLIC_KEY is "
            "not. faced checks every answer of the keyserver against the "
            "public key it is given here, never one the keyserver sends: "
            "copy it from `faced keyserver key` on the keyserver."
        )
    # Pure (no Django), so it is safe to import while settings load.
    from faced.matching.keyserver import parse_public_key

    try:
        return parse_public_key(text)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"FACED_KEYSERVER_PUBLIC_KEY is not a matching public key: "
            f"{error}."
        ) from None


KEYSERVER_PUBLIC_KEY = _keyserver_public_key()
# How many distinct survivors must name the same person before a counselor
# can open their entries. Two is Callisto's choice: fewer would let one
# survivor's entry be opened alone.
MATCHING_THRESHOLD = env_int("FACED_MATCHING_THRESHOLD", 2, minimum=2)
# Entries one survivor may add per day (withdrawn ones count): each is a
# question to the escrow, so that nobody can probe it name after name.
MATCHING_ENTRIES_PER_DAY = env_int(
    "FACED_MATCHING_ENTRIES_PER_DAY", 5, minimum=1
)
# OPRF evaluations per minute, deployment-wide (and per keyserver): each
# is one identifier tried, so the budget bounds guessing by whoever holds
# the database but not the key.
MATCHING_EVALUATIONS_PER_MINUTE = env_int(
    "FACED_MATCHING_EVALUATIONS_PER_MINUTE", 60, minimum=1
)

# Where `faced serve` listens, and with how many threads.
LISTEN = env_str("FACED_LISTEN", "127.0.0.1:8000")
SERVER_THREADS = env_int("FACED_THREADS", 8, minimum=1)

# Where "Leave now" goes: a neutral, common site.
QUICK_EXIT_URL = env_str("FACED_QUICK_EXIT_URL", "https://www.bbc.com/weather")

# Per-username sign-in throttling: this many wrong passwords in the window
# lock the username for the window. No address is ever used.
SIGNIN_MAX_FAILURES = env_int("FACED_SIGNIN_MAX_FAILURES", 5, minimum=1)
SIGNIN_LOCK_MINUTES = env_int("FACED_SIGNIN_LOCK_MINUTES", 15, minimum=1)

_redis_url = env_str("FACED_REDIS_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
        if _redis_url
        else {
            # The database cache keeps app servers stateless without
            # another service to run.
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "faced_cache",
        }
    )
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

# Contentless e-mail notices ("there is an update in faced"). The address
# people sign in at, named in the notice when it is set.
PUBLIC_URL = (env_str("FACED_PUBLIC_URL") or "").rstrip("/") or None
if PUBLIC_URL and not PUBLIC_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        f"FACED_PUBLIC_URL must start with https:// (or http://), not "
        f"{PUBLIC_URL!r}."
    )
DEFAULT_FROM_EMAIL = env_str("FACED_MAIL_FROM", "faced <faced@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("FACED_SMTP_HOST")
EMAIL_PORT = env_int("FACED_SMTP_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("FACED_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("FACED_SMTP_PASSWORD", "")
_smtp_tls = env_bool("FACED_SMTP_TLS", True)
# Port 465 speaks TLS from the first byte; the others start plain and
# switch to TLS with STARTTLS.
EMAIL_USE_SSL = _smtp_tls and EMAIL_PORT == 465
EMAIL_USE_TLS = _smtp_tls and not EMAIL_USE_SSL
EMAIL_TIMEOUT = 30
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEMO:
    # The demo writes its mail to files, to read what a notice says.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
else:
    # Not the console backend: it would print addresses into the logs.
    EMAIL_BACKEND = "faced.notify.backends.MailNotConfiguredBackend"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("FACED_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

OTP_TOTP_ISSUER = env_str("FACED_SITE_NAME", "faced")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_addresses": {"()": "faced.privacy.RedactAddressesFilter"},
    },
    "formatters": {
        "plain": {
            "format": "{asctime} {levelname} {name}: {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_addresses"],
        },
    },
    "root": {
        "handlers": ["console"],
        "level": env_str("FACED_LOG_LEVEL", "INFO"),
    },
    "loggers": {
        # Django's own request and server loggers would otherwise add
        # handlers of their own; everything goes through the one above.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # One line per task run drowns the demo's printed logins and says
        # nothing an operator needs; failures are still logged.
        "django_tasks": {"level": "WARNING"},
    },
}
