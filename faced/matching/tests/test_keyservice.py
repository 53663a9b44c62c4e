"""The matching key service: in-process, or a `faced keyserver` over HTTP
whose every answer is checked against the configured public key."""

import base64
import io
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from faced.crypto import oprf
from faced.crypto import ristretto255 as group
from faced.matching import keyservice
from faced.matching.keyserver import (
    MAX_BATCH,
    InvalidEvaluation,
    KeyServer,
    encode_public_key,
    matching_key_create,
    matching_key_load,
    parse_public_key,
)
from faced.matching.keyserver import main as keyserver_main
from faced.matching.keyservice import (
    InProcessKeyService,
    KeyServiceError,
    MatchingKeyMissing,
    RemoteKeyService,
    Throttled,
    key_service,
    oprf_outputs,
)

NAMES = [b"alex example", b"alex@example.org", b"+15555550123"]
# RFC 9496 A.2: a non-canonical field encoding (p + 6), no element's.
NON_CANONICAL = bytes.fromhex(
    "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
)
# Fixed, so that every test worker collects the same tests.
VALID = group.scalar_mult_base((7).to_bytes(32, "little"))
CACHE_BACKENDS = {
    "locmem": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "matching-keyservice-tests",
    },
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "faced_cache",
    },
}


def expected_outputs(private_key: bytes, inputs: list[bytes]) -> list[bytes]:
    return [
        oprf.evaluate(private_key, value, mode=oprf.MODE_VOPRF)
        for value in inputs
    ]


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


@pytest.fixture
def matching_key(tmp_path) -> tuple[Path, bytes]:
    """A matching key file of its own, and its private scalar."""
    path = tmp_path / "matching.key"
    matching_key_create(path)
    return path, matching_key_load(path)


@pytest.fixture
def other_key() -> bytes:
    return oprf.generate_key_pair()[0]


@pytest.fixture
def in_process(db, settings, matching_key):
    """faced configured with an in-process key (its budget is counted in
    the database) and a local cache."""
    settings.MATCHING_KEY_FILE = str(matching_key[0])
    settings.KEYSERVER_URL = None
    settings.KEYSERVER_PUBLIC_KEY = None
    settings.CACHES = {"default": CACHE_BACKENDS["locmem"]}
    cache.clear()
    yield matching_key[1]
    cache.clear()


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):
        # wsgiref would print each request with the client's address.
        pass


@pytest.fixture
def serve():
    """A function that serves a WSGI app over real HTTP on a free port
    and returns its address; every server stops after the test."""
    servers = []

    def start(app) -> str:
        server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def call(app, method: str, path: str, body: bytes = b"") -> tuple[int, dict]:
    """Ask a WSGI app directly; return the status code and JSON body."""
    environ: dict = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    answer = b"".join(app(environ, start_response))
    return int(statuses[0].split()[0]), json.loads(answer)


def evaluate_request(elements: list[str]) -> bytes:
    return json.dumps({"blinded": elements}).encode()


def rewriting(app, rewrite, *, seen: list[str] | None = None):
    """APP with every successful evaluation's JSON passed through REWRITE
    (a keyserver that lies); SEEN collects the paths asked for."""

    def wrapped(environ, start_response):
        if seen is not None:
            seen.append(environ["PATH_INFO"])
        statuses = []

        def capture(status, headers, exc_info=None):
            statuses.append(status)

        body = b"".join(app(environ, capture))
        if environ["PATH_INFO"] == "/evaluate" and statuses[0][:3] == "200":
            body = rewrite(json.loads(body))
        start_response(
            statuses[0],
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]

    return wrapped


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class InProcessKeyServiceTests:
    def test_it_gives_the_oprf_outputs_of_the_key(self, in_process):
        """Each output is RFC 9497's VOPRF output under the key file's key,
        in the order of the inputs."""
        outputs = oprf_outputs(NAMES)
        assert outputs == expected_outputs(in_process, NAMES)
        assert all(len(output) == 64 for output in outputs)

    def test_it_proves_every_evaluation(self, in_process):
        """In-process evaluations come with a VOPRF proof too, so the one
        verification path is always exercised."""
        service = key_service()
        assert isinstance(service, InProcessKeyService)
        evaluated, proof = service.evaluate([VALID])
        assert oprf.verify_proof(
            group.scalar_mult_base(in_process), [VALID], evaluated, proof
        )

    @pytest.mark.parametrize(
        ("element", "reason"),
        [
            (group.IDENTITY, "identity element"),
            (NON_CANONICAL, "not a valid ristretto255 element"),
            (VALID[:31], "32 bytes long"),
        ],
        ids=["identity", "non-canonical", "31-bytes"],
    )
    def test_it_refuses_invalid_elements(self, in_process, element, reason):
        """An element that is not a valid, non-identity ristretto255
        encoding is refused and says why."""
        with pytest.raises(InvalidEvaluation, match=reason):
            key_service().evaluate([VALID, element])

    def test_it_refuses_more_than_a_batch(self, in_process):
        with pytest.raises(ValueError, match=f"at most {MAX_BATCH}"):
            oprf_outputs([b"x"] * (MAX_BATCH + 1))

    def test_it_asks_for_nothing_without_inputs(self, in_process):
        assert oprf_outputs([]) == []

    def test_it_says_the_key_is_missing(self, in_process, settings, tmp_path):
        """Without a key file, matching is refused with a message fit for
        the person, and nothing made up in its place."""
        settings.MATCHING_KEY_FILE = str(tmp_path / "absent.key")
        with pytest.raises(MatchingKeyMissing, match="not set up"):
            oprf_outputs(NAMES)

    def test_it_detects_a_wrong_evaluation(
        self, in_process, matching_key, other_key
    ):
        """A service whose evaluations do not match its configured public
        key is caught by the proof, and no output is returned."""

        class WrongKey(InProcessKeyService):
            def public_key(self):
                return group.scalar_mult_base(other_key)

        service = WrongKey(matching_key[0])
        with pytest.raises(KeyServiceError, match="does not check out"):
            oprf_outputs(NAMES, service=service)


class InProcessThrottleTests:
    def test_it_refuses_beyond_the_budget(
        self, in_process, settings, monkeypatch
    ):
        """Given a budget of three evaluations a minute, when three are
        spent, then a fourth is refused until the next minute."""
        settings.MATCHING_EVALUATIONS_PER_MINUTE = 3
        monkeypatch.setattr(keyservice, "_minute", lambda: 1)
        assert len(oprf_outputs(NAMES)) == 3
        with pytest.raises(Throttled, match="busy"):
            oprf_outputs([b"one more"])
        monkeypatch.setattr(keyservice, "_minute", lambda: 2)
        assert len(oprf_outputs([b"one more"])) == 1

    def test_it_counts_every_identifier(
        self, in_process, settings, monkeypatch
    ):
        """A batch costs one evaluation per identifier, not one per call."""
        settings.MATCHING_EVALUATIONS_PER_MINUTE = 2
        monkeypatch.setattr(keyservice, "_minute", lambda: 1)
        with pytest.raises(Throttled):
            oprf_outputs(NAMES)


class KeyServerTests:
    def test_it_publishes_its_public_key(self, matching_key):
        private_key = matching_key[1]
        status, body = call(KeyServer(private_key), "GET", "/key")
        assert status == 200
        assert parse_public_key(body["public_key"]) == (
            group.scalar_mult_base(private_key)
        )

    def test_it_evaluates_with_a_proof(self, matching_key):
        private_key = matching_key[1]
        status, body = call(
            KeyServer(private_key),
            "POST",
            "/evaluate",
            evaluate_request([b64(VALID)]),
        )
        assert status == 200
        evaluated = [base64.b64decode(text) for text in body["evaluated"]]
        assert evaluated == [group.scalar_mult(private_key, VALID)]
        assert oprf.verify_proof(
            group.scalar_mult_base(private_key),
            [VALID],
            evaluated,
            base64.b64decode(body["proof"]),
        )

    @pytest.mark.parametrize(
        ("elements", "reason"),
        [
            (["not base64!"], "blinded[0] is not valid base64"),
            ([b64(VALID), b64(VALID[:31])], "blinded[1] must be 32 bytes"),
            ([b64(NON_CANONICAL)], "not a valid ristretto255 element"),
            ([b64(group.IDENTITY)], "blinded[0] is the identity element"),
            ([12], "blinded[0] must be a string"),
            ([], "No blinded elements"),
            ([b64(VALID)] * (MAX_BATCH + 1), f"at most {MAX_BATCH}"),
        ],
        ids=[
            "bad-base64",
            "31-bytes",
            "non-canonical",
            "identity",
            "not-a-string",
            "empty",
            "too-many",
        ],
    )
    def test_it_refuses_invalid_elements(self, matching_key, elements, reason):
        """Bad base64, wrong lengths, non-canonical encodings, the
        identity and oversized batches get 400 and a clear reason."""
        status, body = call(
            KeyServer(matching_key[1]),
            "POST",
            "/evaluate",
            evaluate_request(elements),
        )
        assert status == 400
        assert reason in body["error"]

    def test_it_refuses_a_body_that_is_not_a_request(self, matching_key):
        server = KeyServer(matching_key[1])
        status, body = call(server, "POST", "/evaluate", b"blinded")
        assert status == 400
        assert "must be JSON" in body["error"]
        status, body = call(server, "POST", "/evaluate", b'{"x": []}')
        assert status == 400
        status, body = call(server, "POST", "/evaluate", b"x" * 5000)
        assert status == 413

    def test_it_answers_only_its_two_pages(self, matching_key):
        server = KeyServer(matching_key[1])
        assert call(server, "GET", "/evaluate")[0] == 405
        assert call(server, "POST", "/key")[0] == 405
        assert call(server, "GET", "/")[0] == 404

    def test_it_throttles_with_429(self, matching_key):
        """Given a budget of two evaluations a minute, when two are spent,
        then the next gets 429 until the bucket refills."""
        now = [1000.0]
        server = KeyServer(
            matching_key[1], evaluations_per_minute=2, clock=lambda: now[0]
        )
        request = evaluate_request([b64(VALID)])
        assert call(server, "POST", "/evaluate", request)[0] == 200
        assert call(server, "POST", "/evaluate", request)[0] == 200
        status, body = call(server, "POST", "/evaluate", request)
        assert status == 429
        assert "try again" in body["error"]
        now[0] += 30
        assert call(server, "POST", "/evaluate", request)[0] == 200
        assert call(server, "POST", "/evaluate", request)[0] == 429

    def test_it_refuses_a_batch_larger_than_what_is_left(self, matching_key):
        """A batch is evaluated whole or not at all."""
        server = KeyServer(
            matching_key[1], evaluations_per_minute=2, clock=lambda: 0.0
        )
        request = evaluate_request([b64(VALID)] * 3)
        assert call(server, "POST", "/evaluate", request)[0] == 429
        single = evaluate_request([b64(VALID)])
        assert call(server, "POST", "/evaluate", single)[0] == 200


class RemoteKeyServiceTests:
    def test_it_gives_the_same_outputs_as_in_process(
        self, in_process, serve, settings
    ):
        """A keyserver holding the same key gives the same outputs, and
        the app then reads no key file at all."""
        public_key = group.scalar_mult_base(in_process)
        url = serve(KeyServer(in_process))
        settings.KEYSERVER_URL = url
        settings.KEYSERVER_PUBLIC_KEY = public_key
        settings.MATCHING_KEY_FILE = "/nonexistent/matching.key"
        service = key_service()
        assert isinstance(service, RemoteKeyService)
        assert oprf_outputs(NAMES) == expected_outputs(in_process, NAMES)

    def test_it_detects_a_keyserver_with_another_key(
        self, matching_key, other_key, serve
    ):
        """Given an app configured with one public key, when the keyserver
        evaluates with another (and proves it, for its own key), then no
        output comes back."""
        url = serve(KeyServer(other_key))
        service = RemoteKeyService(
            url, group.scalar_mult_base(matching_key[1]), 5
        )
        with pytest.raises(KeyServiceError, match="does not check out"):
            oprf_outputs(NAMES, service=service)

    def test_it_never_trusts_the_served_key(
        self, matching_key, other_key, serve
    ):
        """A keyserver that publishes the configured key at /key but
        evaluates with another is caught by the proof; the app never even
        asks for /key."""
        configured = group.scalar_mult_base(matching_key[1])

        def lying(environ, start_response):
            if environ["PATH_INFO"] == "/key":
                body = json.dumps({"public_key": b64(configured)}).encode()
                start_response("200 OK", [("Content-Type", "text/json")])
                return [body]
            return KeyServer(other_key)(environ, start_response)

        seen: list[str] = []
        url = serve(
            rewriting(
                lying, lambda answer: json.dumps(answer).encode(), seen=seen
            )
        )
        with pytest.raises(KeyServiceError, match="does not check out"):
            oprf_outputs(NAMES, service=RemoteKeyService(url, configured, 5))
        assert seen == ["/evaluate"]

    def test_it_detects_one_tampered_element(self, matching_key, serve):
        """One evaluated element changed (doubled) fails the batch's
        proof, even though the proof itself is genuine."""
        private_key = matching_key[1]

        def tamper(answer):
            first = base64.b64decode(answer["evaluated"][0])
            answer["evaluated"][0] = b64(group.add(first, first))
            return json.dumps(answer).encode()

        url = serve(rewriting(KeyServer(private_key), tamper))
        service = RemoteKeyService(url, group.scalar_mult_base(private_key), 5)
        with pytest.raises(KeyServiceError, match="does not check out"):
            oprf_outputs(NAMES, service=service)

    def test_it_detects_a_proof_from_another_key(
        self, matching_key, other_key, serve
    ):
        """Right evaluations with a proof made by another key fail."""
        private_key = matching_key[1]

        def swap_proof(answer):
            elements = [base64.b64decode(e) for e in answer["evaluated"]]
            _evaluated, foreign = oprf.blind_evaluate_with_proof(
                other_key, group.scalar_mult_base(other_key), elements
            )
            answer["proof"] = b64(foreign)
            return json.dumps(answer).encode()

        url = serve(rewriting(KeyServer(private_key), swap_proof))
        service = RemoteKeyService(url, group.scalar_mult_base(private_key), 5)
        with pytest.raises(KeyServiceError, match="does not check out"):
            oprf_outputs(NAMES, service=service)

    @pytest.mark.parametrize(
        "rewrite",
        [
            lambda answer: json.dumps(
                {**answer, "evaluated": answer["evaluated"][:-1]}
            ).encode(),
            lambda answer: b"not json",
            lambda answer: json.dumps({**answer, "proof": "!!"}).encode(),
            lambda answer: json.dumps(
                {**answer, "evaluated": [b64(group.IDENTITY)] * 3}
            ).encode(),
        ],
        ids=["one-missing", "not-json", "bad-proof", "identities"],
    )
    def test_it_refuses_a_malformed_answer(self, matching_key, serve, rewrite):
        private_key = matching_key[1]
        url = serve(rewriting(KeyServer(private_key), rewrite))
        service = RemoteKeyService(url, group.scalar_mult_base(private_key), 5)
        with pytest.raises(KeyServiceError, match="does not check out"):
            oprf_outputs(NAMES, service=service)

    def test_it_reports_an_unreachable_keyserver(self, matching_key):
        service = RemoteKeyService(
            f"http://127.0.0.1:{free_port()}",
            group.scalar_mult_base(matching_key[1]),
            5,
        )
        with pytest.raises(KeyServiceError, match="could not be reached"):
            oprf_outputs(NAMES, service=service)

    def test_it_reports_a_throttled_keyserver(self, matching_key, serve):
        """The keyserver's 429 reaches the person as "busy"."""
        private_key = matching_key[1]
        url = serve(KeyServer(private_key, evaluations_per_minute=3))
        service = RemoteKeyService(url, group.scalar_mult_base(private_key), 5)
        oprf_outputs(NAMES, service=service)
        with pytest.raises(Throttled, match="busy"):
            oprf_outputs(NAMES, service=service)


def run_faced(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "faced", *args],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


class MatchingKeyCommandTests:
    def test_it_makes_a_secret_key_once(self, settings, tmp_path):
        """`faced matching init` writes a key only its owner can read, and
        refuses to replace it."""
        path = tmp_path / "keys" / "matching.key"
        settings.MATCHING_KEY_FILE = str(path)
        settings.KEYSERVER_URL = None
        out = io.StringIO()
        call_command("matching", "init", stdout=out)
        assert path.stat().st_mode & 0o077 == 0
        public_key = group.scalar_mult_base(matching_key_load(path))
        assert encode_public_key(public_key) in out.getvalue()
        before = path.read_bytes()
        with pytest.raises(CommandError, match="never replaces"):
            call_command("matching", "init", stdout=io.StringIO())
        assert path.read_bytes() == before

    def test_it_makes_no_key_beside_a_keyserver(self, settings, tmp_path):
        settings.MATCHING_KEY_FILE = str(tmp_path / "matching.key")
        settings.KEYSERVER_URL = "http://127.0.0.1:8001"
        with pytest.raises(CommandError, match="faced keyserver init"):
            call_command("matching", "init", stdout=io.StringIO())
        assert not (tmp_path / "matching.key").exists()

    def test_it_checks_the_key_service(self, in_process):
        out = io.StringIO()
        call_command("matching", "check", stdout=out)
        assert out.getvalue().startswith("OK")
        out = io.StringIO()
        call_command("matching", "key", stdout=out)
        assert out.getvalue().strip() == encode_public_key(
            group.scalar_mult_base(in_process)
        )

    def test_the_keyserver_makes_a_key_once(self, tmp_path, capsys):
        """`faced keyserver init` refuses to replace a key too."""
        path = tmp_path / "matching.key"
        assert keyserver_main(["init", "--key-file", str(path)]) == 0
        before = path.read_bytes()
        assert keyserver_main(["init", "--key-file", str(path)]) == 1
        assert "never replaces" in capsys.readouterr().err
        assert path.read_bytes() == before

    def test_the_keyserver_needs_no_django(self, tmp_path):
        """`faced keyserver` runs with no settings, database or secret
        key (test_purity.py checks that loading it brings in no part of
        Django)."""
        path = tmp_path / "matching.key"
        public_key = matching_key_create(path)
        result = run_faced("keyserver", "key", "--key-file", str(path), env={})
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == encode_public_key(public_key)

    def test_it_refuses_a_keyserver_without_its_public_key(self, tmp_path):
        """faced will not use a keyserver it has no public key to check
        against."""
        result = run_faced(
            "check",
            env={
                "FACED_DATA_DIR": str(tmp_path),
                "FACED_SECRET_KEY": "k" * 60,
                "FACED_LEDGER_KEY_FILE": os.environ["FACED_LEDGER_KEY_FILE"],
                "FACED_KEYSERVER_URL": "http://127.0.0.1:8001",
            },
        )
        assert result.returncode == 2
        assert "FACED_KEYSERVER_PUBLIC_KEY" in result.stderr
        assert "Traceback" not in result.stderr


class KeyserverTokenTests:
    def test_a_keyserver_with_a_token_answers_only_its_app(self):
        """Given a keyserver started with a token, an evaluation without it
        (or with another) gets 401 and spends nothing; the app's client,
        configured with the token, gets verified outputs."""
        import io
        import json as json_module

        from faced.crypto import oprf
        from faced.matching.keyserver import KeyServer

        sk, _pk = oprf.generate_key_pair()
        server = KeyServer(sk, evaluations_per_minute=5, token="s3cret")
        _blind, blinded = oprf.blind(b"x", mode=oprf.MODE_VOPRF)
        body = json_module.dumps(
            {"blinded": [base64.b64encode(blinded).decode()]}
        ).encode()

        def call(authorization):
            answer = {}

            def start(status, headers):
                answer["status"] = status

            environ = {
                "PATH_INFO": "/evaluate",
                "REQUEST_METHOD": "POST",
                "CONTENT_LENGTH": str(len(body)),
                "wsgi.input": io.BytesIO(body),
            }
            if authorization:
                environ["HTTP_AUTHORIZATION"] = authorization
            server(environ, start)
            return answer["status"]

        for wrong in (None, "Bearer nope", "s3cret"):
            assert call(wrong).startswith("401")
        for _ in range(5):
            assert call("Bearer s3cret").startswith("200")
        assert call("Bearer s3cret").startswith("429")
