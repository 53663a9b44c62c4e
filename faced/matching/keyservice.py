"""The matching key service, as the app sees it.

Each normalized identifier is hardened by the RFC 9497 OPRF
(ristretto255-SHA512) under the deployment's matching key before anything
is derived from it: without the key, a match index says nothing, and
guessing a name means asking the key service.

The key lives in a key service:

- in-process (the default): the app reads the key file
  FACED_MATCHING_KEY_FILE, made once with `faced matching init`;
- a separate `faced keyserver` reached over HTTP (FACED_KEYSERVER_URL):
  the app then never reads a key file and holds only the public key,
  FACED_KEYSERVER_PUBLIC_KEY, from its own configuration.

Both run in VOPRF mode: every batch of evaluations comes with a proof
that it used the private key of the configured public key, and
`oprf_outputs` checks it before using any of them. A keyserver that
answers with another key, or tampers with one element, is caught and
nothing is derived from its answer.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from functools import cache
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from faced.crypto import oprf
from faced.matching.keyserver import (
    MAX_BATCH,
    InvalidEvaluation,
    MatchingKeyError,
    check_blinded,
    evaluate_blinded,
    matching_key_load,
    matching_public_key,
)

logger = logging.getLogger(__name__)

# A keyserver's answer for a full batch is under a kilobyte; a larger one
# is refused rather than read.
_MAX_RESPONSE_BYTES = 64 * 1024


class KeyServiceError(RuntimeError):
    """The key service gave no usable answer. The message is safe to show
    to the person whose entry it was; the details go to the log."""


class Throttled(KeyServiceError):
    """The evaluation budget of this minute is spent."""


class MatchingKeyMissing(KeyServiceError):
    """The in-process key service has no key file yet."""


def _busy() -> Throttled:
    return Throttled(
        _("The matching service is busy; try again in a few minutes.")
    )


def _unreachable() -> KeyServiceError:
    return KeyServiceError(_("The matching service could not be reached."))


def _unverified() -> KeyServiceError:
    return KeyServiceError(
        _(
            "The matching service gave an answer that does not check out; "
            "nothing was stored."
        )
    )


class KeyService(Protocol):
    def public_key(self) -> bytes:
        """The 32-byte ristretto255 element proofs are checked against."""
        ...

    def evaluate(self, blinded: list[bytes]) -> tuple[list[bytes], bytes]:
        """The evaluated elements, in order, and the batch's VOPRF proof."""
        ...


def _minute() -> int:
    return int(time.time() // 60)


def _spend_evaluations(count: int) -> None:
    """Count COUNT evaluations against this minute's deployment-wide
    budget; Throttled if it is spent.

    The budget is what makes the key worth holding: someone who took the
    database holds every match index but cannot test a guessed name
    against them without an OPRF output, and gets those only through the
    key service, one guess at a time. A database row incremented in
    place (the database makes the increment atomic on every backend, which
    a cache table does not), shared by every app server, and counted
    before the work, so that requests sent at once cannot all slip
    through.
    """
    from django.db import transaction
    from django.db.models import F

    from faced.matching.models import EvaluationMinute

    minute = _minute()
    with transaction.atomic():
        EvaluationMinute.objects.filter(minute__lt=minute - 1).delete()
        EvaluationMinute.objects.get_or_create(minute=minute)
        EvaluationMinute.objects.filter(minute=minute).update(
            spent=F("spent") + count
        )
        spent = EvaluationMinute.objects.get(minute=minute).spent
    if spent > settings.MATCHING_EVALUATIONS_PER_MINUTE:
        logger.warning(
            "The matching evaluation budget (%d a minute) is spent; "
            "evaluations are refused until the minute is over.",
            settings.MATCHING_EVALUATIONS_PER_MINUTE,
        )
        raise _busy()


class InProcessKeyService:
    """The matching key held by the app itself, read from KEY_FILE."""

    def __init__(self, key_file: Path):
        self._private_key = matching_key_load(key_file)
        self._public_key = matching_public_key(self._private_key)

    def public_key(self) -> bytes:
        return self._public_key

    def evaluate(self, blinded: list[bytes]) -> tuple[list[bytes], bytes]:
        """Evaluate with a proof, as the keyserver does, so that the app's
        one verification path is always the one exercised. ValueError
        (InvalidEvaluation) for elements that are not valid; Throttled
        past the budget."""
        elements = check_blinded(blinded)
        _spend_evaluations(len(elements))
        return evaluate_blinded(self._private_key, self._public_key, elements)


class RemoteKeyService:
    """A `faced keyserver` at URL, trusted only as far as its proofs verify
    against PUBLIC_KEY, which comes from the app's configuration: the key
    the server itself publishes is never used."""

    def __init__(
        self,
        url: str,
        public_key: bytes,
        timeout: float,
        token: str | None = None,
    ):
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(
                f"the keyserver's address must start with https:// or "
                f"http://, not {url!r}"
            )
        self._url = url.rstrip("/")
        self._public_key = public_key
        self._timeout = timeout
        self._token = token

    def public_key(self) -> bytes:
        return self._public_key

    def evaluate(self, blinded: list[bytes]) -> tuple[list[bytes], bytes]:
        body = json.dumps(
            {
                "blinded": [
                    base64.b64encode(element).decode("ascii")
                    for element in blinded
                ]
            }
        ).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 (scheme checked)
            f"{self._url}/evaluate",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": "faced",
                **(
                    {"Authorization": f"Bearer {self._token}"}
                    if self._token
                    else {}
                ),
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 (scheme checked)
                request, timeout=self._timeout
            ) as response:
                answer = response.read(_MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            if error.code == 429:
                logger.warning("The keyserver refused: budget spent (429).")
                raise _busy() from None
            logger.error(
                "The keyserver answered HTTP %d: %s",
                error.code,
                _error_detail(error),
            )
            raise _unreachable() from None
        except (OSError, http.client.HTTPException) as error:
            # URLError, refused connections and timeouts land here.
            logger.error("The keyserver could not be reached: %s", error)
            raise _unreachable() from None
        if len(answer) > _MAX_RESPONSE_BYTES:
            logger.error("The keyserver's answer is too long.")
            raise _unverified()
        return _parse_evaluation(answer)


def _error_detail(error: urllib.error.HTTPError) -> str:
    try:
        detail = json.loads(error.read(1024))["error"]
    except (
        OSError,
        http.client.HTTPException,
        ValueError,
        LookupError,
        TypeError,
    ):
        return "(no detail)"
    return repr(str(detail)[:300])


def _parse_evaluation(answer: bytes) -> tuple[list[bytes], bytes]:
    try:
        parsed = json.loads(answer)
        evaluated = [
            base64.b64decode(text, validate=True)
            for text in parsed["evaluated"]
        ]
        proof = base64.b64decode(parsed["proof"], validate=True)
    except (
        UnicodeDecodeError,
        ValueError,
        binascii.Error,
        LookupError,
        TypeError,
    ):
        logger.error("The keyserver's answer is not the expected JSON.")
        raise _unverified() from None
    return evaluated, proof


def matching_key_path() -> Path:
    return Path(settings.MATCHING_KEY_FILE)


@cache
def _in_process(path: str, mtime_ns: int) -> InProcessKeyService:
    return InProcessKeyService(Path(path))


@cache
def _remote(
    url: str, public_key: bytes, timeout: float, token: str | None
) -> RemoteKeyService:
    return RemoteKeyService(url, public_key, timeout, token)


def key_service() -> KeyService:
    """The configured key service, made once per process (and again if
    the settings or the key file change)."""
    if settings.KEYSERVER_URL:
        # The key file is never read when a keyserver holds the key.
        return _remote(
            settings.KEYSERVER_URL,
            settings.KEYSERVER_PUBLIC_KEY,
            float(settings.KEYSERVER_TIMEOUT),
            settings.KEYSERVER_TOKEN,
        )
    path = matching_key_path()
    try:
        return _in_process(str(path), path.stat().st_mtime_ns)
    except OSError:
        logger.error(
            "The matching key is missing (%s). Make it once, at install, "
            "with `faced matching init`, and keep it secret and backed up.",
            path,
        )
        raise MatchingKeyMissing(
            _("The matching service is not set up yet.")
        ) from None
    except MatchingKeyError as damaged:
        logger.error("%s", damaged)
        raise MatchingKeyMissing(
            _("The matching service is not set up yet.")
        ) from None


def oprf_outputs(
    inputs: list[bytes], *, service: KeyService | None = None
) -> list[bytes]:
    """The 64-byte OPRF output of each input, in order, under the
    deployment's matching key.

    All inputs go to the key service blinded, in one batch of at most
    MAX_BATCH; the batch's proof is checked against the service's
    configured public key before any output is made. KeyServiceError
    (Throttled when the budget is spent) if no verified answer came.
    """
    if len(inputs) > MAX_BATCH:
        raise ValueError(
            f"{len(inputs)} identifiers; at most {MAX_BATCH} are evaluated "
            "at once"
        )
    if not inputs:
        return []
    if service is None:
        service = key_service()
    blinds = [oprf.blind(value, mode=oprf.MODE_VOPRF) for value in inputs]
    blinded = [element for _blind, element in blinds]
    try:
        evaluated, proof = service.evaluate(blinded)
    except InvalidEvaluation as refused:
        # The elements come from blind() and are always valid; a refusal
        # means the service and the app disagree about the protocol.
        logger.error("The matching key service refused: %s", refused)
        raise _unverified() from None
    if len(evaluated) != len(blinded):
        logger.error(
            "The matching key service answered %d elements for %d.",
            len(evaluated),
            len(blinded),
        )
        raise _unverified()
    try:
        verified = oprf.verify_proof(
            service.public_key(), blinded, evaluated, proof
        )
    except (TypeError, ValueError) as malformed:
        logger.error("The matching key service's answer: %s", malformed)
        raise _unverified() from None
    if not verified:
        # Either the service used another key than the configured one, or
        # its answer was altered on the way: no output from it may be
        # used, or matches would silently stop (or start) happening.
        logger.error(
            "The matching key service's proof does not verify against the "
            "configured public key; its answer was discarded."
        )
        raise _unverified()
    return [
        oprf.finalize(value, blind, element, mode=oprf.MODE_VOPRF)
        for value, (blind, _element), element in zip(
            inputs, blinds, evaluated, strict=True
        )
    ]
