"""Typed readers for settings that come from the environment.

Every setting faced reads goes through these helpers, so that a value of
the wrong shape stops faced at start-up with a message that names it, and
so that the documentation test can list every name that was read.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Every name a helper was asked for, in the order asked; the documentation
# test checks each against .env.example and docs/configuration.md.
NAMES_READ: list[str] = []

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    """The value of NAME, or the contents of the file named by NAME_FILE.

    Secrets are best passed as files (a container secret, a file readable
    only by faced's user) so that they never appear in `ps` output or in a
    process's environment dump.
    """
    if name not in NAMES_READ:
        NAMES_READ.append(name)
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE names {file_name!r}, which cannot be read: "
                f"{error.strerror}."
            ) from error
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be true or false (or 1 or 0), not {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}."
        ) from None
    if number < minimum:
        raise ImproperlyConfigured(
            f"{name} must be at least {minimum}, not {number}."
        )
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
