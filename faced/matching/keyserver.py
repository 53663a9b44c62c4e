"""The holder of the matching key: its key file, evaluation and throttle,
and `faced keyserver`, a small HTTP service that keeps the key away from
the app.

    faced keyserver init --key-file /etc/faced/matching.key
    faced keyserver --listen 10.0.0.5:8001 --key-file /etc/faced/matching.key

The app blinds each normalized identifier (RFC 9497, VOPRF mode) and sends
only the blinded elements; the keyserver multiplies them by its private
key and proves, against its public key, that it did. It never sees an
identifier or an output, and the app never holds the key: whoever steals
the app's database and code still has to ask the keyserver for every
guess, and the keyserver answers only so many a minute.

    GET  /key       {"public_key": base64}
    POST /evaluate  {"blinded": [base64, ...]}  (at most MAX_BATCH)
                 -> {"evaluated": [base64, ...], "proof": base64}

Bad requests get 400 and {"error": reason}; more evaluations than the
budget allows get 429. The in-process key service of the app uses the same
key file format and the same evaluation (`evaluate_blinded`).

This module imports nothing of Django (a test enforces it), so that the
keyserver runs on a machine with no settings, database or secret key.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hmac
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from faced.crypto import oprf
from faced.crypto import ristretto255 as group

# One matching entry carries a handful of identifiers (names, handles,
# addresses); a larger batch is refused rather than evaluated.
MAX_BATCH = 16
# A full batch of base64 elements and the JSON around them fits easily.
MAX_REQUEST_BYTES = 4096
DEFAULT_EVALUATIONS_PER_MINUTE = 60
DEFAULT_LISTEN = "127.0.0.1:8001"
_KEY_FILE_PREFIX = "faced-matching-key:"

Clock = Callable[[], float]
StartResponse = Callable[..., Any]

logger = logging.getLogger(__name__)


class MatchingKeyError(ValueError):
    """The matching key file is damaged."""


class InvalidEvaluation(ValueError):
    """A request to evaluate that cannot be honoured; the message says
    why and is safe to send back."""


# The key file.


def encode_public_key(public_key: bytes) -> str:
    """The public key as operators copy it: standard base64."""
    group.check_element(public_key, name="public key")
    return base64.b64encode(public_key).decode("ascii")


def parse_public_key(text: str) -> bytes:
    """The 32-byte public key from its base64 form; ValueError if it is
    not the encoding of a group element."""
    try:
        public_key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            "the matching public key must be base64 (44 characters, as "
            "`faced keyserver init` or `faced matching key` prints it)"
        ) from None
    try:
        return group.check_element(public_key, name="the matching public key")
    except ValueError as error:
        raise ValueError(str(error)) from None


def matching_key_load(path: Path) -> bytes:
    """The private scalar in the key file at PATH.

    OSError if it cannot be read; MatchingKeyError if it is damaged.
    """
    text = path.read_text(encoding="utf-8").strip()
    if not text.startswith(_KEY_FILE_PREFIX):
        raise MatchingKeyError(f"{path} is not a faced matching key file.")
    try:
        private_key = base64.b64decode(
            text[len(_KEY_FILE_PREFIX) :], validate=True
        )
        return group.check_scalar(private_key, name="the matching key")
    except (binascii.Error, ValueError) as error:
        raise MatchingKeyError(
            f"The matching key file {path} is damaged: {error}."
        ) from None


def matching_public_key(private_key: bytes) -> bytes:
    return group.scalar_mult_base(private_key)


def matching_key_create(path: Path) -> bytes:
    """Write a new matching key to PATH, readable only by its owner, and
    return its public key.

    Refuses to replace a key (FileExistsError): every match index stored
    so far was made with it, and a new key would match none of them.
    """
    if path.exists():
        raise FileExistsError(
            f"{path} exists already; faced never replaces a matching key."
        )
    private_key, public_key = oprf.generate_key_pair()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as key_file:
        encoded = base64.b64encode(private_key).decode("ascii")
        key_file.write(_KEY_FILE_PREFIX + encoded + "\n")
    return public_key


# Evaluation.


def check_blinded(blinded: Iterable[bytes]) -> list[bytes]:
    """BLINDED as a list of valid elements; InvalidEvaluation if not."""
    elements = list(blinded)
    if not elements:
        raise InvalidEvaluation("No blinded elements to evaluate.")
    if len(elements) > MAX_BATCH:
        raise InvalidEvaluation(
            f"{len(elements)} blinded elements; at most {MAX_BATCH} are "
            "evaluated at once."
        )
    for index, element in enumerate(elements):
        try:
            group.check_element(element, name=f"blinded[{index}]")
        except (TypeError, ValueError) as error:
            raise InvalidEvaluation(f"{error}.") from None
    return elements


def evaluate_blinded(
    private_key: bytes, public_key: bytes, blinded: Iterable[bytes]
) -> tuple[list[bytes], bytes]:
    """Evaluate BLINDED with the key and prove it (RFC 9497 VOPRF).

    InvalidEvaluation for elements that are not valid ristretto255
    encodings, the identity, or too many of them.
    """
    elements = check_blinded(blinded)
    try:
        return oprf.blind_evaluate_with_proof(
            private_key, public_key, elements
        )
    except ValueError as error:
        # Valid elements can still combine to the identity, which no
        # honest client's random blinds ever do.
        raise InvalidEvaluation(f"{error}.") from None


class EvaluationBudget:
    """A token bucket: EVALUATIONS_PER_MINUTE, refilled continuously.

    Throttling is what keeps the key worth having: an attacker who holds
    the database (every match index) but not the key learns nothing from
    it without OPRF outputs, and gets those only by asking the key service
    one guessed name at a time. The budget bounds those guesses, at the
    cost that a flood of them delays honest entries for a minute.
    """

    def __init__(
        self, evaluations_per_minute: int, *, clock: Clock = time.monotonic
    ):
        if evaluations_per_minute < 1:
            raise ValueError("the budget must allow one evaluation a minute")
        self._capacity = float(evaluations_per_minute)
        self._per_second = evaluations_per_minute / 60
        self._clock = clock
        self._tokens = self._capacity
        self._updated = clock()
        # waitress answers from several threads at once.
        self._lock = threading.Lock()

    def take(self, count: int) -> bool:
        """Spend COUNT evaluations if the budget has them; all or none."""
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(
                self._capacity, self._tokens + elapsed * self._per_second
            )
            self._updated = now
            if count > self._tokens:
                return False
            self._tokens -= count
            return True


# The HTTP service.


def _json_response(
    start_response: StartResponse,
    status: str,
    body: dict[str, Any],
    headers: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    payload = json.dumps(body).encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"),
            *headers,
        ],
    )
    return [payload]


def _request_blinded(body: bytes) -> list[bytes]:
    """The blinded elements of a request body; InvalidEvaluation if the
    body is not {"blinded": [base64, ...]}."""
    try:
        request = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise InvalidEvaluation(
            'The body must be JSON: {"blinded": [base64, ...]}.'
        ) from None
    if not isinstance(request, dict) or not isinstance(
        request.get("blinded"), list
    ):
        raise InvalidEvaluation(
            'The body must be JSON: {"blinded": [base64, ...]}.'
        )
    elements = []
    for index, text in enumerate(request["blinded"]):
        if not isinstance(text, str):
            raise InvalidEvaluation(f"blinded[{index}] must be a string.")
        try:
            elements.append(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            raise InvalidEvaluation(
                f"blinded[{index}] is not valid base64."
            ) from None
    return elements


class KeyServer:
    """The keyserver's WSGI application."""

    def __init__(
        self,
        private_key: bytes,
        *,
        evaluations_per_minute: int = DEFAULT_EVALUATIONS_PER_MINUTE,
        clock: Clock = time.monotonic,
        token: str | None = None,
    ):
        self._private_key = group.check_scalar(
            private_key, name="the matching key"
        )
        # With a token, only the app (which holds it) may spend the
        # budget: anyone else who can reach the keyserver cannot use it to
        # test guessed identifiers or to exhaust it.
        self._token = token.encode() if token else None
        self.public_key = matching_public_key(private_key)
        self._budget = EvaluationBudget(evaluations_per_minute, clock=clock)

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        routes = {"/key": ("GET", "HEAD"), "/evaluate": ("POST",)}
        if path not in routes:
            return _json_response(
                start_response, "404 Not Found", {"error": "No such page."}
            )
        if method not in routes[path]:
            return _json_response(
                start_response,
                "405 Method Not Allowed",
                {"error": f"{path} answers {' and '.join(routes[path])}."},
                [("Allow", ", ".join(routes[path]))],
            )
        if path == "/key":
            return _json_response(
                start_response,
                "200 OK",
                {"public_key": encode_public_key(self.public_key)},
            )
        if self._token is not None and not hmac.compare_digest(
            environ.get("HTTP_AUTHORIZATION", "").encode(),
            b"Bearer " + self._token,
        ):
            return _json_response(
                start_response,
                "401 Unauthorized",
                {"error": "This keyserver answers only its app."},
                [("WWW-Authenticate", "Bearer")],
            )
        return self._evaluate(environ, start_response)

    def _evaluate(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> list[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_REQUEST_BYTES:
            return _json_response(
                start_response,
                "413 Content Too Large",
                {
                    "error": f"The body must be at most {MAX_REQUEST_BYTES} "
                    "bytes."
                },
            )
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            blinded = check_blinded(_request_blinded(body))
        except InvalidEvaluation as invalid:
            return _json_response(
                start_response, "400 Bad Request", {"error": str(invalid)}
            )
        if not self._budget.take(len(blinded)):
            return _json_response(
                start_response,
                "429 Too Many Requests",
                {"error": "Too many evaluations; try again in a minute."},
                [("Retry-After", "60")],
            )
        try:
            evaluated, proof = evaluate_blinded(
                self._private_key, self.public_key, blinded
            )
        except InvalidEvaluation as invalid:
            return _json_response(
                start_response, "400 Bad Request", {"error": str(invalid)}
            )
        return _json_response(
            start_response,
            "200 OK",
            {
                "evaluated": [
                    base64.b64encode(element).decode("ascii")
                    for element in evaluated
                ],
                "proof": base64.b64encode(proof).decode("ascii"),
            },
        )


# The command line.


def _budget_from_environment() -> int:
    text = os.environ.get("FACED_MATCHING_EVALUATIONS_PER_MINUTE", "").strip()
    if not text:
        return DEFAULT_EVALUATIONS_PER_MINUTE
    try:
        budget = int(text)
    except ValueError:
        budget = 0
    if budget < 1:
        raise SystemExit(
            "faced keyserver cannot start: "
            "FACED_MATCHING_EVALUATIONS_PER_MINUTE must be a whole number "
            f"of at least 1, not {text!r}."
        )
    return budget


def _key_file_argument(parser: argparse.ArgumentParser) -> None:
    default = os.environ.get("FACED_MATCHING_KEY_FILE") or None
    parser.add_argument(
        "--key-file",
        type=Path,
        default=default,
        required=default is None,
        help="The matching key file (default: FACED_MATCHING_KEY_FILE).",
    )


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faced keyserver",
        description=(
            "Serve the matching key over HTTP so that the app never holds "
            "it (`faced keyserver init` makes the key; `faced keyserver "
            "key` prints its public key). It logs no requests and so no "
            "addresses."
        ),
    )
    parser.add_argument(
        "--listen",
        default=DEFAULT_LISTEN,
        help=f"host:port to listen on (default: {DEFAULT_LISTEN}).",
    )
    _key_file_argument(parser)
    return parser


def _key_parser(action: str) -> argparse.ArgumentParser:
    descriptions = {
        "init": "Make the matching key, once; it is never replaced.",
        "key": "Print the matching key's public key.",
    }
    parser = argparse.ArgumentParser(
        prog=f"faced keyserver {action}", description=descriptions[action]
    )
    _key_file_argument(parser)
    return parser


def _load_or_exit(path: Path) -> bytes:
    try:
        return matching_key_load(path)
    except OSError as error:
        raise SystemExit(
            f"Cannot read the matching key {path}: {error.strerror}. Make "
            "it once with `faced keyserver init --key-file PATH`."
        ) from None
    except MatchingKeyError as error:
        raise SystemExit(str(error)) from None


def _token_from_environment() -> str | None:
    """FACED_KEYSERVER_TOKEN, or the file FACED_KEYSERVER_TOKEN_FILE
    names: the secret the app sends with each evaluation."""
    path = os.environ.get("FACED_KEYSERVER_TOKEN_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip() or None
    return os.environ.get("FACED_KEYSERVER_TOKEN") or None


def main(argv: list[str] | None = None) -> int:
    """Run `faced keyserver` from the command line; return the status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["init"]:
        arguments = _key_parser("init").parse_args(argv[1:])
        try:
            public_key = matching_key_create(arguments.key_file)
        except FileExistsError as error:
            print(error, file=sys.stderr)
            return 1
        print(
            f"Made the matching key {arguments.key_file}. Keep it secret "
            "and back it up. Give the app its public key as "
            f"FACED_KEYSERVER_PUBLIC_KEY:\n{encode_public_key(public_key)}"
        )
        return 0
    if argv[:1] == ["key"]:
        arguments = _key_parser("key").parse_args(argv[1:])
        private_key = _load_or_exit(arguments.key_file)
        print(encode_public_key(matching_public_key(private_key)))
        return 0
    arguments = _serve_parser().parse_args(argv)
    budget = _budget_from_environment()
    token = _token_from_environment()
    application = KeyServer(
        _load_or_exit(arguments.key_file),
        evaluations_per_minute=budget,
        token=token,
    )
    # Imported here so that `init` and `key` need nothing but the crypto.
    from waitress import serve  # type: ignore[import-untyped]

    logging.basicConfig(
        level=logging.INFO,
        format="{asctime} {levelname} {name}: {message}",
        style="{",
    )
    logger.info(
        "Serving the matching key %s on http://%s/ (%d evaluations a "
        "minute; Ctrl+C stops)",
        encode_public_key(application.public_key),
        arguments.listen,
        budget,
    )
    # waitress keeps no access log, so no client address is ever written.
    serve(
        application,
        listen=arguments.listen,
        threads=4,
        clear_untrusted_proxy_headers=True,
        ident="faced-keyserver",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
