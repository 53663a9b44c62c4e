"""faced keeps no address of anyone who visits it.

A survivor's address can place them at home, at work or at a shelter, and
a log or a table that holds it can be subpoenaed or stolen. So the address
is thrown away as a request enters, before any code can read, store or log
it, and every log record is scrubbed of anything shaped like an address on
its way out, in case a library logs one of its own.
"""

import ipaddress
import logging
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Headers through which a proxy or a client passes an address along.
ADDRESS_HEADERS = (
    "REMOTE_ADDR",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_X_CLUSTER_CLIENT_IP",
)

# Candidate tokens; each is checked with `ipaddress` so that times such as
# 12:30:45 and version numbers such as 1.2.3 are left alone.
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)")
_IPV6 = re.compile(
    r"(?<![0-9A-Fa-f:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})"
    r"(?:%[0-9A-Za-z]+)?(?![0-9A-Fa-f:])"
)
REDACTED = "[address removed]"


def _replace_valid(match: re.Match[str]) -> str:
    token = match.group(0)
    try:
        ipaddress.ip_address(token)
    except ValueError:
        return token
    return REDACTED


def redact_addresses(text: str) -> str:
    text = _IPV6.sub(_replace_valid, text)
    return _IPV4.sub(_replace_valid, text)


class ForgetClientAddressMiddleware:
    """Blanks every address a request carries, before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for header in ADDRESS_HEADERS:
            if header in request.META:
                request.META[header] = ""
        return self.get_response(request)


class RedactAddressesFilter(logging.Filter):
    """Removes addresses from a log record before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact_addresses(message)
        record.args = None
        # Django and servers attach the request or the socket to a record;
        # either may carry the peer's address, and no formatter of faced's
        # needs them.
        if hasattr(record, "request"):
            record.request = None
        if record.exc_text:
            record.exc_text = redact_addresses(record.exc_text)
        return True
