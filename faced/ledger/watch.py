"""Watch a faced ledger from a member's own computer.

    python -m faced.ledger.watch https://faced.example.org \\
        --state ~/faced-ledger.json --key 'example.org/ledger+1a2b3c4d+AX...'

Each run fetches the server's latest signed checkpoint, checks it carries
the log key's signature, and checks that the log only grew since the last
run: the same size must have the same root, a larger size must come with a
consistency proof that verifies, and a smaller size is a rollback. Only
then is the checkpoint remembered in the state file. When something does
not hold, the state file keeps the last good checkpoint and the offending
one is saved beside it: together they are the evidence.

This needs nothing from the server but its address and its verifier key,
and nothing installed but Python and PyNaCl: no Django and no other part
of faced but the Merkle and signed-note modules. A member runs it on a
computer the server's operator does not control; that is the point.

Exit status: 0 when all holds, 1 when the log misbehaved, 2 when the
check could not be made (network, state file or usage).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import hashlib
import http.client
import itertools
import json
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from faced.ledger.merkle import verify_consistency, verify_inclusion
from faced.ledger.note import (
    Checkpoint,
    CheckpointError,
    NoteError,
    key_id,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
)

HASH_BYTES = 32
# RFC 9162: the tree of no leaves has the hash of the empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()
# Checkpoints and proofs are a few kilobytes; a larger answer is refused
# rather than read, so a hostile server cannot fill the member's memory.
MAX_RESPONSE_BYTES = 1 << 20
TIMEOUT_SECONDS = 30
STATE_VERSION = 1
# Text from the server is quoted back to the member; it is cut short so a
# hostile server cannot flood the terminal.
MAX_QUOTED = 300

Fetch = Callable[[str], bytes]


class WatchError(Exception):
    """The check could not be made: the log was neither found good nor
    found misbehaving (a missing key, a damaged state file, ...)."""


class FetchError(WatchError):
    """The server could not be reached, or answered with an error."""


class LogMisbehaved(Exception):
    """The log broke a promise: what it signed does not hold together.

    Deliberately not a WatchError, so that no handler meant for an
    unreachable server swallows evidence of a misbehaving log.
    """

    def __init__(self, message: str, *, evidence: Path | None = None):
        super().__init__(message)
        self.evidence = evidence


@dataclass(frozen=True)
class WatchResult:
    """A verified checkpoint, and what was said about it."""

    message: str
    checkpoint: Checkpoint
    previous_size: int | None


@dataclass(frozen=True)
class InclusionResult:
    """An entry shown to be in the verified tree."""

    message: str
    index: int
    tree_size: int
    leaf_hash: bytes


@dataclass(frozen=True)
class _State:
    verifier_key: str
    checkpoint_note: str
    checkpoint: Checkpoint


# Talking to the server.


def default_fetch(url: str) -> bytes:
    """GET URL and return the body; FetchError for anything that fails."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(
            f"{_quoted(url)} is not an http:// or https:// address."
        )
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        headers={
            "Accept": "text/plain, application/json",
            "User-Agent": "faced-ledger-watch",
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 (scheme checked above)
            request, timeout=TIMEOUT_SECONDS
        ) as response:
            body: bytes = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise FetchError(
            f"{url} answered HTTP {error.code} {error.reason}"
            f"{_server_reason(error)}"
        ) from None
    except urllib.error.URLError as error:
        raise FetchError(f"Could not reach {url}: {error.reason}") from None
    except (OSError, http.client.HTTPException) as error:
        # Timeouts and connections cut halfway through land here.
        raise FetchError(f"Could not read {url}: {error}") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise FetchError(
            f"{url} answered with more than {MAX_RESPONSE_BYTES} bytes."
        )
    return body


def _server_reason(error: urllib.error.HTTPError) -> str:
    """The server's own explanation of an error, if it gave one."""
    try:
        detail = json.loads(error.read(MAX_QUOTED * 4))["error"]
    except (
        OSError,
        http.client.HTTPException,
        ValueError,
        LookupError,
        TypeError,
    ):
        # No body, not JSON, or JSON without an "error": no detail.
        return ""
    return f": {_quoted(str(detail))}" if detail else ""


def _quoted(text: str) -> str:
    """TEXT from elsewhere made safe to print: no control or escape
    sequences reach the member's terminal, and not too much of it."""
    shown = "".join(
        character if character.isprintable() else "?"
        for character in text[:MAX_QUOTED]
    )
    return shown + ("..." if len(text) > MAX_QUOTED else "")


def _endpoint(base: str, path: str, **query: int) -> str:
    encoded = f"?{urllib.parse.urlencode(query)}" if query else ""
    return f"{base}/ledger/{path}{encoded}"


def _published_key(base: str, fetch: Fetch) -> str:
    """The verifier key the server publishes, as printable text."""
    body = fetch(_endpoint(base, "key"))
    return _quoted(body.decode("utf-8", errors="replace").strip())


def _decode_hash(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError(f"{what} is not a base64 string")
    try:
        value = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise ValueError(f"{what} is not base64") from None
    if len(value) != HASH_BYTES:
        raise ValueError(f"{what} is {len(value)} bytes, not {HASH_BYTES}")
    return value


def _fetch_json(fetch: Fetch, url: str) -> dict[str, object]:
    body = fetch(url)
    try:
        answer = json.loads(body)
    except ValueError:
        raise ValueError("the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise ValueError("the answer is not a JSON object")
    return answer


def _require_number(
    answer: dict[str, object], field: str, wanted: int
) -> None:
    value = answer.get(field)
    # bool is an int to Python, but true is not a tree size.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{field!r} is missing or not a whole number")
    if value != wanted:
        raise ValueError(f"{field!r} is {value}, not {wanted} as asked")


def _proof_hashes(answer: dict[str, object]) -> list[bytes]:
    proof = answer.get("proof")
    if not isinstance(proof, list):
        raise ValueError("'proof' is missing or not a list")
    return [
        _decode_hash(node, f"proof hash {number}")
        for number, node in enumerate(proof, start=1)
    ]


# The state file.


def _load_state(state_file: Path) -> _State | None:
    """The last verified checkpoint, or None before the first run.

    The stored note is verified again with the stored key: a state file
    edited by hand (or by someone else) is refused, not trusted.
    """
    try:
        raw = state_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise WatchError(
            f"Could not read the state file {state_file}: {error}"
        ) from None
    try:
        stored = json.loads(raw)
        if not isinstance(stored, dict):
            raise ValueError("it is not a JSON object")
        if stored.get("version") != STATE_VERSION:
            raise ValueError(f"it is not version {STATE_VERSION}")
        verifier_key = stored["verifier_key"]
        note = stored["checkpoint"]
        if not isinstance(verifier_key, str) or not isinstance(note, str):
            raise ValueError("its key or checkpoint is not text")
        name, public_key = parse_verifier_key(verifier_key)
        checkpoint = parse_checkpoint(open_note(note, [(name, public_key)]))
        summary = (
            stored.get("origin"),
            stored.get("tree_size"),
            stored.get("root_hash"),
        )
        if summary != (
            checkpoint.origin,
            checkpoint.tree_size,
            _base64(checkpoint.root_hash),
        ):
            raise ValueError(
                "its origin, tree size or root differ from its checkpoint"
            )
    except (ValueError, KeyError) as error:
        raise WatchError(
            f"The state file {state_file} is damaged ({error}). It holds "
            "the last checkpoint verified; restore it from a backup, or "
            "move it aside to start over, trusting the log anew."
        ) from None
    return _State(verifier_key, note, checkpoint)


def _save_state(state_file: Path, state: _State) -> None:
    """Replace the state file in one step: a crash or a full disk leaves
    the old state or the new one, never half of either."""
    payload = {
        "version": STATE_VERSION,
        "verifier_key": state.verifier_key,
        "origin": state.checkpoint.origin,
        "tree_size": state.checkpoint.tree_size,
        "root_hash": _base64(state.checkpoint.root_hash),
        "checkpoint": state.checkpoint_note,
    }
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    try:
        write_atomically(state_file, text)
    except OSError as error:
        raise WatchError(
            f"The checkpoint verified, but the state file {state_file} "
            f"could not be written: {error}"
        ) from None


def write_atomically(path: Path, text: str) -> None:
    """Replace PATH with TEXT so that a crash leaves the old file or the
    new one, never half of either: a temporary file beside it (readable
    by its owner only, as mkstemp makes it), flushed to disk, then
    renamed over it."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _save_evidence(state_file: Path, body: bytes, label: str) -> Path:
    """Keep the offending answer byte for byte, beside the state file.

    An earlier piece of evidence is never overwritten: a different answer
    for the same size goes to a numbered file.
    """
    for attempt in itertools.count(1):
        suffix = "" if attempt == 1 else f"-{attempt}"
        path = state_file.with_name(
            f"{state_file.name}.evidence-{label}{suffix}.txt"
        )
        try:
            with path.open("xb") as file:
                file.write(body)
        except FileExistsError:
            if path.read_bytes() == body:
                return path
            continue
        return path
    raise AssertionError("unreachable")  # pragma: no cover


def _claimed_size(body: bytes) -> str:
    """The tree size a checkpoint claims, signed or not, for naming it."""
    try:
        note = body.decode("utf-8")
        text = note[: note.rindex("\n\n") + 1]
        return str(parse_checkpoint(text).tree_size)
    except ValueError:
        return "unreadable"


# The checks.


def _base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"


def _trusted_key(
    base: str, state: _State | None, key: str | None, fetch: Fetch
) -> str:
    """The verifier key to check with: remembered, or given on first run."""
    if state is not None:
        if key is not None and key.strip() != state.verifier_key:
            raise WatchError(
                "The key given with --key is not the key remembered in the "
                f"state file ({state.verifier_key}). A log's key does not "
                "change quietly: if your organization announced a new key, "
                "confirm the announcement away from this server, then start "
                "a new state file with the new key."
            )
        return state.verifier_key
    if key is not None:
        return key.strip()
    try:
        published = f"it publishes {_published_key(base, fetch)}"
    except FetchError as error:
        published = f"its key could not be fetched ({error})"
    raise WatchError(
        "No trusted key yet: pass --key with the log's verifier key as your "
        "organization published it somewhere other than this server (on "
        "paper, at a meeting, in a signed message). The server says "
        f"{published}. Compare the two before trusting it: a server that "
        "lies about its log would lie about its key as well."
    )


def _verified_checkpoint(
    body: bytes,
    verifier_key: str,
    expected_origin: str,
    base: str,
    fetch: Fetch,
) -> tuple[str, Checkpoint]:
    """Open and parse the checkpoint; LogMisbehaved when it does not hold."""
    name, public_key = parse_verifier_key(verifier_key)
    try:
        note = body.decode("utf-8")
    except UnicodeDecodeError:
        raise LogMisbehaved("The checkpoint is not UTF-8 text.") from None
    try:
        text = open_note(note, [(name, public_key)])
    except NoteError as error:
        try:
            published = _published_key(base, fetch)
        except FetchError:
            published = verifier_key
        hint = (
            ""
            if published == verifier_key
            else f" The server now publishes another key, {published}."
        )
        raise LogMisbehaved(
            "Bad signature: the checkpoint is not validly signed by the "
            f"trusted key {name}+{key_id(name, public_key).hex()} "
            f"({error}).{hint}"
        ) from None
    try:
        checkpoint = parse_checkpoint(text)
    except CheckpointError as error:
        raise LogMisbehaved(
            f"The signed checkpoint is malformed: {error}"
        ) from None
    if checkpoint.origin != expected_origin:
        raise LogMisbehaved(
            "Wrong origin: the checkpoint is for the log "
            f"{_quoted(checkpoint.origin)!r}, not {expected_origin!r}. The "
            "log key signed another log's checkpoint, or the log was "
            "renamed behind its members' backs."
        )
    if checkpoint.tree_size == 0 and checkpoint.root_hash != EMPTY_ROOT:
        raise LogMisbehaved(
            "The checkpoint of an empty log has the root "
            f"{checkpoint.root_hash.hex()}, but a tree of no entries has "
            f"only one root, {EMPTY_ROOT.hex()}."
        )
    return note, checkpoint


def _check_growth(
    base: str, old: Checkpoint, new: Checkpoint, fetch: Fetch
) -> None:
    """LogMisbehaved unless the NEW tree extends the OLD one."""
    old_size, new_size = old.tree_size, new.tree_size
    if new_size < old_size:
        raise LogMisbehaved(
            f"Rollback: the log shrank from {_entries(old_size)} to "
            f"{_entries(new_size)}. A log only grows: entries were removed, "
            "or an old checkpoint is being shown to hide newer ones."
        )
    if new_size == old_size:
        if new.root_hash != old.root_hash:
            raise LogMisbehaved(
                f"Fork: the log signed two different roots for the same "
                f"size, {_entries(new_size)}: {old.root_hash.hex()} before, "
                f"{new.root_hash.hex()} now. Two different histories exist."
            )
        return
    if old_size == 0:
        # Every tree extends the empty tree; there is nothing to prove.
        proof: list[bytes] = []
    else:
        url = _endpoint(
            base, "proof/consistency", first=old_size, second=new_size
        )
        try:
            answer = _fetch_json(fetch, url)
            _require_number(answer, "first", old_size)
            _require_number(answer, "second", new_size)
            proof = _proof_hashes(answer)
        except ValueError as error:
            raise LogMisbehaved(
                f"Unproven growth: the log grew from {old_size} to "
                f"{new_size} entries, but its consistency proof is "
                f"malformed ({error})."
            ) from None
    if not verify_consistency(
        old_size, new_size, old.root_hash, new.root_hash, proof
    ):
        raise LogMisbehaved(
            f"Fork: the consistency proof from {old_size} to {new_size} "
            f"entries does not verify. The log of {_entries(new_size)} "
            f"(root {new.root_hash.hex()}) does not extend the log of "
            f"{_entries(old_size)} seen before (root "
            f"{old.root_hash.hex()}): its history was rewritten."
        )


def watch(
    url: str,
    *,
    state_file: Path,
    key: str | None,
    fetch: Fetch = default_fetch,
) -> WatchResult:
    """Check the log at URL against what STATE_FILE remembers of it.

    KEY is the verifier key to trust; it is needed on the first run only
    and remembered after. Returns what holds, having saved the new
    checkpoint; raises LogMisbehaved, saving the offending checkpoint as
    evidence and leaving the state file as it was, when the log broke a
    promise; raises WatchError (FetchError for the network) when the
    check could not be made.
    """
    base = url.rstrip("/")
    state = _load_state(state_file)
    verifier_key = _trusted_key(base, state, key, fetch)
    try:
        name, _public_key = parse_verifier_key(verifier_key)
    except ValueError as error:
        raise WatchError(f"--key is not a verifier key: {error}") from None
    expected_origin = name if state is None else state.checkpoint.origin
    body = fetch(_endpoint(base, "checkpoint"))
    try:
        note, checkpoint = _verified_checkpoint(
            body, verifier_key, expected_origin, base, fetch
        )
        if state is not None:
            _check_growth(base, state.checkpoint, checkpoint, fetch)
    except LogMisbehaved as problem:
        try:
            evidence: Path | None = _save_evidence(
                state_file, body, _claimed_size(body)
            )
            kept = f"The checkpoint the server sent is saved in {evidence}"
        except OSError as error:
            evidence = None
            kept = (
                f"The checkpoint the server sent could not be saved: {error}"
            )
        last = (
            "; the last good one stays in the state file."
            if state is not None
            else "."
        )
        raise LogMisbehaved(
            f"{problem} {kept}{last}", evidence=evidence
        ) from None
    _save_state(state_file, _State(verifier_key, note, checkpoint))
    root = checkpoint.root_hash.hex()
    if state is None:
        message = (
            f"ok: first look at the log: {_entries(checkpoint.tree_size)}, "
            f"root {root} (saved)"
        )
        previous = None
    else:
        previous = state.checkpoint.tree_size
        if previous == checkpoint.tree_size:
            message = (
                f"ok: the log is unchanged at {_entries(previous)}; "
                f"root {root}"
            )
        else:
            message = (
                f"ok: the log grew from {previous} to "
                f"{_entries(checkpoint.tree_size)} consistently; root {root}"
            )
    return WatchResult(message, checkpoint, previous)


def check_inclusion(
    url: str,
    *,
    state_file: Path,
    index: int,
    leaf_hash: bytes | None = None,
    fetch: Fetch = default_fetch,
) -> InclusionResult:
    """Check that entry INDEX is in the tree last verified by watch().

    With LEAF_HASH, also check that the entry is the one expected (say, a
    leaf hash a member noted down when the entry was made).
    """
    state = _load_state(state_file)
    if state is None:
        raise WatchError("No verified checkpoint yet: run the watch first.")
    checkpoint = state.checkpoint
    if not 0 <= index < checkpoint.tree_size:
        raise WatchError(
            f"Entry {index} is not in the log as last verified "
            f"({_entries(checkpoint.tree_size)})."
        )
    url = _endpoint(
        url.rstrip("/"),
        "proof/inclusion",
        index=index,
        tree_size=checkpoint.tree_size,
    )
    try:
        answer = _fetch_json(fetch, url)
        _require_number(answer, "index", index)
        _require_number(answer, "tree_size", checkpoint.tree_size)
        served = _decode_hash(answer.get("leaf_hash"), "'leaf_hash'")
        proof = _proof_hashes(answer)
    except ValueError as error:
        raise LogMisbehaved(
            f"Unproven entry: the inclusion proof for entry {index} is "
            f"malformed ({error})."
        ) from None
    if leaf_hash is not None and served != leaf_hash:
        raise LogMisbehaved(
            f"Wrong entry: entry {index} of the log has the leaf hash "
            f"{served.hex()}, not {leaf_hash.hex()} as expected."
        )
    if not verify_inclusion(
        served, index, checkpoint.tree_size, proof, checkpoint.root_hash
    ):
        raise LogMisbehaved(
            f"Unproven entry: the inclusion proof for entry {index} does "
            f"not verify against the root {checkpoint.root_hash.hex()} of "
            f"the log of {_entries(checkpoint.tree_size)}."
        )
    return InclusionResult(
        f"ok: entry {index} is in the log of "
        f"{_entries(checkpoint.tree_size)}; leaf hash {served.hex()}",
        index,
        checkpoint.tree_size,
        served,
    )


# The command line.


def _leaf_hash_argument(text: str) -> bytes:
    """A leaf hash given as 64 hex digits or as base64."""
    try:
        value = (
            bytes.fromhex(text)
            if len(text) == 2 * HASH_BYTES
            else _decode_hash(text, "the leaf hash")
        )
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if len(value) != HASH_BYTES:
        raise argparse.ArgumentTypeError("a leaf hash is 32 bytes")
    return value


def _index_argument(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m faced.ledger.watch",
        description=(
            "Check from your own computer that a faced server's ledger "
            "only grows: each run verifies the latest signed checkpoint "
            "against the one remembered in the state file."
        ),
        epilog=(
            "Exit status: 0 when all holds; 1 when the log misbehaved (the "
            "offending checkpoint is saved beside the state file); 2 when "
            "the check could not be made."
        ),
    )
    parser.add_argument("url", help="the server's address, https://...")
    parser.add_argument(
        "--state",
        required=True,
        type=Path,
        metavar="FILE",
        help="where the last verified checkpoint is kept between runs",
    )
    parser.add_argument(
        "--key",
        metavar="VERIFIER_KEY",
        help=(
            "the log's verifier key, as your organization published it; "
            "needed on the first run, remembered after"
        ),
    )
    parser.add_argument(
        "--entry",
        type=_index_argument,
        metavar="INDEX",
        help="also check that entry INDEX is in the verified log",
    )
    parser.add_argument(
        "--leaf-hash",
        type=_leaf_hash_argument,
        metavar="HASH",
        help="with --entry: the leaf hash the entry must have",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the watch from the command line; return the exit status."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.leaf_hash is not None and arguments.entry is None:
        parser.error("--leaf-hash needs --entry")
    try:
        result = watch(
            arguments.url, state_file=arguments.state, key=arguments.key
        )
        print(result.message)
        if arguments.entry is not None:
            inclusion = check_inclusion(
                arguments.url,
                state_file=arguments.state,
                index=arguments.entry,
                leaf_hash=arguments.leaf_hash,
            )
            print(inclusion.message)
    except LogMisbehaved as problem:
        print(f"PROBLEM: {problem}", file=sys.stderr)
        return 1
    except WatchError as error:
        print(f"Could not check the log: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
