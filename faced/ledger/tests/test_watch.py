"""A member's watch over the ledger, against a fake server built from the
Merkle and signed-note modules: growth is accepted only when proven, and
every broken promise is named, with the evidence kept.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nacl.signing
import pytest

from faced.ledger import merkle
from faced.ledger.note import (
    format_checkpoint,
    sign_note,
    verifier_key,
)
from faced.ledger.watch import (
    FetchError,
    LogMisbehaved,
    WatchError,
    WatchResult,
    check_inclusion,
    main,
    watch,
)

LOG_NAME = "faced.test/ledger"
URL = "https://faced.test"


def seed_for(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def vkey_for(name: str, seed: bytes) -> str:
    public_key = bytes(nacl.signing.SigningKey(seed).verify_key)
    return verifier_key(name, public_key)


def entries(count: int, history: str = "main") -> list[bytes]:
    return [
        merkle.leaf_hash(f"{history} entry {number}".encode())
        for number in range(count)
    ]


class FakeServer:
    """The public ledger endpoints of a faced server, with knobs for
    making it lie."""

    def __init__(self, size: int = 0) -> None:
        self.name = LOG_NAME
        self.seed = seed_for("log key")
        self.leaves = entries(size)
        # A note to serve instead of an honest checkpoint, when set.
        self.checkpoint_note: str | None = None
        # Proof hashes to serve instead of honest ones, when set.
        self.forged_proof: list[bytes] | None = None
        self.requests: list[str] = []

    @property
    def verifier_key(self) -> str:
        return vkey_for(self.name, self.seed)

    def grow(self, count: int) -> None:
        self.leaves = entries(len(self.leaves) + count)

    def signed(
        self,
        size: int | None = None,
        *,
        origin: str | None = None,
        name: str | None = None,
        seed: bytes | None = None,
    ) -> str:
        size = len(self.leaves) if size is None else size
        text = format_checkpoint(
            origin or self.name, size, merkle.root(self.leaves[:size])
        )
        return sign_note(text, name or self.name, seed or self.seed)

    def respond(self, target: str) -> tuple[int, str, bytes]:
        """Status, content type and body for a request path and query."""
        self.requests.append(target)
        parts = urllib.parse.urlsplit(target)
        query = {
            name: int(values[0])
            for name, values in urllib.parse.parse_qs(parts.query).items()
        }
        if parts.path == "/ledger/key":
            return 200, "text/plain", f"{self.verifier_key}\n".encode()
        if parts.path == "/ledger/checkpoint":
            note = self.checkpoint_note or self.signed()
            return 200, "text/plain; charset=utf-8", note.encode()
        if parts.path == "/ledger/proof/consistency":
            first, second = query["first"], query["second"]
            if not 0 < first <= second <= len(self.leaves):
                return 400, "application/json", b'{"error": "bad sizes"}'
            proof = merkle.consistency_proof(self.leaves[:second], first)
            return self._json(
                {
                    "first": first,
                    "second": second,
                    "proof": self._proof(proof),
                }
            )
        if parts.path == "/ledger/proof/inclusion":
            index, size = query["index"], query["tree_size"]
            leaves = self.leaves[:size]
            return self._json(
                {
                    "index": index,
                    "tree_size": size,
                    "leaf_hash": _b64(leaves[index]),
                    "proof": self._proof(
                        merkle.inclusion_proof(leaves, index)
                    ),
                }
            )
        return 404, "text/plain", b"not found"

    def _proof(self, proof: list[bytes]) -> list[str]:
        return [_b64(node) for node in self.forged_proof or proof]

    @staticmethod
    def _json(answer: dict[str, object]) -> tuple[int, str, bytes]:
        return 200, "application/json", json.dumps(answer).encode()

    def fetch(self, url: str) -> bytes:
        """What the watch's fetch would get, without a network."""
        assert url.startswith(URL + "/")
        status, _type, body = self.respond(url.removeprefix(URL))
        if status != 200:
            raise FetchError(f"{url} answered HTTP {status}")
        return body


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


@pytest.fixture
def server() -> FakeServer:
    return FakeServer(size=10)


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    return tmp_path / "ledger-state.json"


def look(
    server: FakeServer, state_file: Path, key: str | None = None
) -> WatchResult:
    """One run of the watch against SERVER, without a network."""
    return watch(URL, state_file=state_file, key=key, fetch=server.fetch)


class WatchTests:
    def test_it_saves_the_first_look(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """Given a trusted key, the first run verifies the checkpoint and
        remembers it with the key."""
        result = look(server, state_file, server.verifier_key)
        root = merkle.root(server.leaves)
        assert result.message == (
            f"ok: first look at the log: 10 entries, root {root.hex()} (saved)"
        )
        assert result.previous_size is None
        assert result.checkpoint.tree_size == 10
        saved = json.loads(state_file.read_text())
        assert saved["verifier_key"] == server.verifier_key
        assert saved["origin"] == LOG_NAME
        assert saved["tree_size"] == 10
        assert base64.b64decode(saved["root_hash"]) == root
        assert saved["checkpoint"] == server.signed()

    def test_it_verifies_growth_with_a_consistency_proof(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """When the log grew, the watch asks for a consistency proof from
        the old size to the new, and accepts it because it verifies."""
        look(server, state_file, server.verifier_key)
        server.grow(4)
        result = look(server, state_file)
        root = merkle.root(server.leaves).hex()
        assert result.message == (
            f"ok: the log grew from 10 to 14 entries consistently; root {root}"
        )
        assert result.previous_size == 10
        assert "/ledger/proof/consistency?first=10&second=14" in (
            server.requests
        )
        assert json.loads(state_file.read_text())["tree_size"] == 14

    @pytest.mark.parametrize(("old", "new"), [(1, 2), (3, 4), (7, 8), (8, 9)])
    def test_it_verifies_growth_across_tree_shapes(
        self, state_file: Path, old: int, new: int
    ) -> None:
        """Growth is proven whether the old tree is a power of two or
        not."""
        server = FakeServer(size=old)
        look(server, state_file, server.verifier_key)
        server.grow(new - old)
        assert look(server, state_file).checkpoint.tree_size == new

    def test_it_accepts_an_unchanged_log(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """Same size and same root: nothing to prove."""
        look(server, state_file, server.verifier_key)
        result = look(server, state_file, server.verifier_key)
        assert result.message.startswith("ok: the log is unchanged at 10")
        assert not [r for r in server.requests if "proof" in r]

    def test_it_grows_from_an_empty_log_without_a_proof(
        self, state_file: Path
    ) -> None:
        """Every log extends the empty log, so no proof is asked for."""
        server = FakeServer(size=0)
        first = look(server, state_file, server.verifier_key)
        assert first.checkpoint.root_hash == hashlib.sha256(b"").digest()
        server.grow(3)
        result = look(server, state_file)
        assert result.message.startswith("ok: the log grew from 0 to 3")
        assert not [r for r in server.requests if "proof" in r]

    def test_it_refuses_a_first_run_without_a_key(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """Without --key, the first run refuses, quoting the key the server
        publishes so that the member can compare it elsewhere."""
        with pytest.raises(WatchError, match="pass --key") as raised:
            look(server, state_file)
        assert server.verifier_key in str(raised.value)
        assert not state_file.exists()

    def test_it_refuses_a_key_other_than_the_remembered_one(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """A different --key on a later run is refused, not adopted."""
        look(server, state_file, server.verifier_key)
        other = vkey_for(LOG_NAME, seed_for("another key"))
        with pytest.raises(WatchError, match="not the key remembered"):
            look(server, state_file, other)

    def test_it_refuses_a_key_that_is_not_a_verifier_key(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """A mistyped key is named as such."""
        with pytest.raises(WatchError, match="not a verifier key"):
            look(server, state_file, server.verifier_key[:-3])

    def test_it_refuses_a_damaged_or_edited_state_file(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """A state file that is not JSON, or whose summary no longer
        matches its signed checkpoint, is refused and left alone."""
        look(server, state_file, server.verifier_key)
        saved = json.loads(state_file.read_text())
        saved["tree_size"] = 3
        for damaged in ["{not json", json.dumps(saved)]:
            state_file.write_text(damaged)
            with pytest.raises(WatchError, match="is damaged"):
                look(server, state_file)
            assert state_file.read_text() == damaged

    def test_it_passes_network_failures_on(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """An unreachable server is a FetchError, not a misbehaving log."""

        def unreachable(url: str) -> bytes:
            raise FetchError(f"Could not reach {url}")

        with pytest.raises(FetchError):
            watch(
                URL,
                state_file=state_file,
                key=server.verifier_key,
                fetch=unreachable,
            )


class MisbehaviourTests:
    """Given a verified state, when the server lies, then the watch says
    exactly what does not hold, keeps the state and saves the evidence."""

    def misbehave(
        self, server: FakeServer, state_file: Path, problem: str
    ) -> LogMisbehaved:
        before = state_file.read_bytes() if state_file.exists() else None
        served = server.checkpoint_note or server.signed()
        with pytest.raises(LogMisbehaved, match=problem) as raised:
            look(server, state_file, server.verifier_key)
        after = state_file.read_bytes() if state_file.exists() else None
        assert after == before
        evidence = raised.value.evidence
        assert evidence is not None
        assert evidence.read_text() == served
        assert str(evidence) in str(raised.value)
        return raised.value

    def test_it_detects_a_rollback(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """A smaller tree than last seen is a rollback."""
        look(server, state_file, server.verifier_key)
        server.checkpoint_note = server.signed(size=7)
        problem = self.misbehave(server, state_file, "Rollback")
        assert "from 10 entries to 7 entries" in str(problem)
        assert problem.evidence == Path(f"{state_file}.evidence-7.txt")

    def test_it_detects_a_fork_at_the_same_size(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """The same size with another root is a fork."""
        look(server, state_file, server.verifier_key)
        old_root = merkle.root(server.leaves).hex()
        server.leaves = entries(10, history="rewritten")
        problem = self.misbehave(server, state_file, "Fork.*same size")
        assert old_root in str(problem)
        assert merkle.root(server.leaves).hex() in str(problem)

    def test_it_detects_a_rewritten_history(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """A larger tree that does not extend the one seen before cannot
        be proven consistent with it, however honestly the proof is
        computed from the new history."""
        look(server, state_file, server.verifier_key)
        server.leaves = entries(14, history="rewritten")
        self.misbehave(
            server,
            state_file,
            "Fork: the consistency proof from 10 to 14 entries does not "
            "verify",
        )

    def test_it_detects_a_forged_proof(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """A proof whose hashes were altered does not verify."""
        look(server, state_file, server.verifier_key)
        server.grow(4)
        honest = merkle.consistency_proof(server.leaves, 10)
        server.forged_proof = [honest[0], bytes(32), *honest[2:]]
        self.misbehave(server, state_file, "does not verify")

    def test_it_detects_a_malformed_proof(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """A proof that is not 32-byte hashes proves nothing."""
        look(server, state_file, server.verifier_key)
        server.grow(4)
        server.forged_proof = [b"short"]
        self.misbehave(server, state_file, "Unproven growth.*5 bytes")

    def test_it_detects_a_checkpoint_signed_by_another_key(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """A checkpoint signed by another key, even under the log's name,
        has no valid signature by the trusted key; the message names the
        key the server now publishes."""
        look(server, state_file, server.verifier_key)
        trusted = server.verifier_key
        server.grow(1)
        server.seed = seed_for("a key the members never saw")
        server.checkpoint_note = server.signed()
        server.seed = seed_for("log key")
        self.misbehave(server, state_file, "Bad signature.*No signature")
        server.seed = seed_for("a key the members never saw")
        with pytest.raises(LogMisbehaved) as raised:
            look(server, state_file)
        assert f"publishes another key, {server.verifier_key}" in str(
            raised.value
        )
        assert json.loads(state_file.read_text())["verifier_key"] == trusted

    def test_it_detects_an_altered_checkpoint(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """A signed checkpoint whose size was edited no longer verifies."""
        look(server, state_file, server.verifier_key)
        server.checkpoint_note = server.signed().replace("\n10\n", "\n11\n")
        self.misbehave(server, state_file, "Bad signature")

    def test_it_detects_a_bad_signature_on_the_first_run(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """On the first run too, a bad signature is refused and nothing
        is remembered."""
        server.checkpoint_note = server.signed(seed=seed_for("impostor"))
        self.misbehave(server, state_file, "Bad signature")
        assert not state_file.exists()

    def test_it_detects_a_changed_origin(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """The log key signing a checkpoint of another origin is caught,
        on the first run (origin other than the key's name) and after."""
        server.checkpoint_note = server.signed(origin="faced.test/shadow")
        self.misbehave(server, state_file, "Wrong origin.*shadow")
        server.checkpoint_note = None
        look(server, state_file, server.verifier_key)
        server.grow(2)
        server.checkpoint_note = server.signed(origin="faced.test/other")
        self.misbehave(server, state_file, "Wrong origin.*other")

    def test_it_detects_a_wrong_root_for_an_empty_log(
        self, state_file: Path
    ) -> None:
        """A tree of no entries has one possible root."""
        server = FakeServer(size=0)
        text = format_checkpoint(LOG_NAME, 0, bytes(32))
        server.checkpoint_note = sign_note(text, LOG_NAME, server.seed)
        self.misbehave(server, state_file, "empty log")

    def test_it_detects_a_checkpoint_that_is_not_one(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """A validly signed note that is not a checkpoint is refused, and
        kept as evidence under a name saying it could not be read."""
        server.checkpoint_note = sign_note(
            "not a checkpoint\n", LOG_NAME, server.seed
        )
        problem = self.misbehave(server, state_file, "malformed")
        assert problem.evidence == Path(
            f"{state_file}.evidence-unreadable.txt"
        )

    def test_it_keeps_every_piece_of_evidence(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """Two different forks at one size are both kept; the same fork
        seen twice is kept once."""
        look(server, state_file, server.verifier_key)
        server.leaves = entries(10, history="first fork")
        first = self.misbehave(server, state_file, "Fork")
        again = self.misbehave(server, state_file, "Fork")
        server.leaves = entries(10, history="second fork")
        second = self.misbehave(server, state_file, "Fork")
        assert first.evidence == again.evidence
        assert second.evidence == Path(f"{state_file}.evidence-10-2.txt")


class InclusionTests:
    def test_it_proves_an_entry_is_in_the_verified_log(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """After a watch, any entry's inclusion proof verifies against the
        remembered root, with the leaf hash expected."""
        look(server, state_file, server.verifier_key)
        server.grow(5)
        for index in [0, 3, 9]:
            result = check_inclusion(
                URL,
                state_file=state_file,
                index=index,
                leaf_hash=server.leaves[index],
                fetch=server.fetch,
            )
            assert result.leaf_hash == server.leaves[index]
            assert result.tree_size == 10
        assert "/ledger/proof/inclusion?index=9&tree_size=10" in (
            server.requests
        )

    def test_it_detects_an_unexpected_entry(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """An entry whose leaf hash is not the one expected is named."""
        look(server, state_file, server.verifier_key)
        with pytest.raises(LogMisbehaved, match="Wrong entry: entry 2"):
            check_inclusion(
                URL,
                state_file=state_file,
                index=2,
                leaf_hash=merkle.leaf_hash(b"what was promised"),
                fetch=server.fetch,
            )

    def test_it_detects_a_forged_inclusion_proof(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """A proof that does not lead to the remembered root is refused."""
        look(server, state_file, server.verifier_key)
        server.forged_proof = [bytes(32)] * 4
        with pytest.raises(LogMisbehaved, match="does not verify"):
            check_inclusion(
                URL, state_file=state_file, index=2, fetch=server.fetch
            )

    def test_it_refuses_entries_outside_the_verified_log(
        self, server: FakeServer, state_file: Path
    ) -> None:
        """Only entries of the verified tree can be checked."""
        with pytest.raises(WatchError, match="run the watch first"):
            check_inclusion(
                URL, state_file=state_file, index=0, fetch=server.fetch
            )
        look(server, state_file, server.verifier_key)
        with pytest.raises(WatchError, match="not in the log"):
            check_inclusion(
                URL, state_file=state_file, index=10, fetch=server.fetch
            )


@contextmanager
def serving(server: FakeServer) -> Iterator[str]:
    """Serve the fake server's endpoints over real HTTP on 127.0.0.1."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, content_type, body = server.respond(self.path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk to 127.0.0.1 directly, whatever proxy the machine names."""
    for name in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")


@pytest.mark.usefixtures("no_proxy")
class CommandLineTests:
    def test_it_watches_a_real_http_server(
        self,
        server: FakeServer,
        state_file: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Over real HTTP: the first look, then proven growth with an
        entry's inclusion, each exiting 0."""
        with serving(server) as url:
            state = ["--state", str(state_file)]
            assert main([url, *state, "--key", server.verifier_key]) == 0
            assert "ok: first look at the log: 10 entries" in (
                capsys.readouterr().out
            )
            server.grow(4)
            leaf = server.leaves[12].hex()
            arguments = [url, *state, "--entry", "12", "--leaf-hash", leaf]
            assert main(arguments) == 0
        out = capsys.readouterr().out
        assert "ok: the log grew from 10 to 14 entries consistently" in out
        assert (
            f"ok: entry 12 is in the log of 14 entries; leaf hash {leaf}"
            in (out)
        )

    def test_it_exits_1_when_the_log_misbehaves(
        self,
        server: FakeServer,
        state_file: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """A rollback over real HTTP exits 1, naming it on stderr."""
        with serving(server) as url:
            main(
                [url, "--state", str(state_file), "--key", server.verifier_key]
            )
            server.checkpoint_note = server.signed(size=7)
            capsys.readouterr()
            assert main([url, "--state", str(state_file)]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith("PROBLEM: Rollback")

    def test_it_exits_2_without_a_key(
        self,
        server: FakeServer,
        state_file: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """The first run without --key exits 2, quoting the server's key."""
        with serving(server) as url:
            assert main([url, "--state", str(state_file)]) == 2
        err = capsys.readouterr().err
        assert "pass --key" in err
        assert server.verifier_key in err

    def test_it_exits_2_when_the_server_is_unreachable(
        self,
        server: FakeServer,
        state_file: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Nothing listening: a plain message and exit 2, state untouched."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        key = server.verifier_key
        assert main([url, "--state", str(state_file), "--key", key]) == 2
        err = capsys.readouterr().err
        assert err.startswith("Could not check the log: Could not reach")
        assert "Traceback" not in err
        assert not state_file.exists()

    def test_it_exits_2_on_an_http_error(
        self, state_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A server answering 404 is reported with the status, exit 2."""
        server = FakeServer(size=3)
        with serving(server) as url:
            key = server.verifier_key
            status = main(
                [f"{url}nowhere", "--state", str(state_file), "--key", key]
            )
        assert status == 2
        assert "HTTP 404" in capsys.readouterr().err

    def test_it_refuses_other_schemes(
        self, state_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Only http:// and https:// addresses are fetched."""
        key = FakeServer().verifier_key
        status = main(
            ["file:///etc/passwd", "--state", str(state_file), "--key", key]
        )
        assert status == 2
        assert "not an http:// or https:// address" in capsys.readouterr().err
