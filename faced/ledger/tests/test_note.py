"""Signed notes and checkpoints: published vectors from Go's sumdb/note and
sumdb/tlog, transparency-dev's formats and C2SP, then what must be refused.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import nacl.signing
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faced.ledger.note import (
    Checkpoint,
    CheckpointError,
    NoteError,
    check_name,
    format_checkpoint,
    generate_signer_key,
    key_id,
    open_note,
    parse_checkpoint,
    parse_signer_key,
    parse_verifier_key,
    sign_note,
    signer_key,
    verifier_key,
)

# golang.org/x/mod/sumdb/note: the example of the package documentation
# (note.go) and its tests (note_test.go, TestSign, TestOpen,
# TestVerifierList), copied exactly.
PETER_SIGNER = (
    "PRIVATE+KEY+PeterNeumann+c74f20a3+"
    "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
)
PETER_VERIFIER = (
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
)
ENOCH_VERIFIER = (
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
)
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgY"
    "N1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF"
    "1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
PETER_NOTE = TEXT + "\n" + PETER_SIG

# github.com/transparency-dev/formats, log/note_test.go: key pairs made by
# Go's note.GenerateKey (signer key, verifier key).
TRANSPARENCY_DEV_PAIRS = [
    (
        "PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ",
        "Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs",
    ),
    (
        "PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci",
        "Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH",
    ),
    (
        "PRIVATE+KEY+KnownAgain+4893b26c+"
        "ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+",
        "KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj",
    ),
    (
        "PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU",
        "Unknown+fdbb2e08+AWgRIYZ+8x1Vl+1Q+sR8zciNHiYI1SdlBjNw+RV0rots",
    ),
]

# The same file (TestSumDBNoteParsing): a real checkpoint of the Go checksum
# database, signed by sum.golang.org's published key.
SUMDB_VERIFIER = (
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
)
SUMDB_CHECKPOINT = (
    "go.sum database tree\n"
    "6476701\n"
    "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
    "\n"
    "\u2014 sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+"
    "1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n"
)

# golang.org/x/mod/sumdb/tlog, note_test.go (TestFormatTree): a tree of
# 123456789012 leaves whose root is RecordHash("hello world"), the RFC
# 6962 leaf hash SHA-256(0x00 || "hello world").
GO_TREE_TEXT = (
    "go.sum database tree\n"
    "123456789012\n"
    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"
)

# c2sp.org/signed-note and c2sp.org/tlog-checkpoint: the examples at the
# top of each specification. Their keys are not published, so they show
# only that the notes are well formed.
C2SP_NOTE = (
    "Ognuno sta solo sul cuor della terra\n"
    "trafitto da un raggio di sole:\n"
    "\n"
    "ed \u00e8 subito sera.\n"
    "\n"
    "\u2014 quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5dd"
    "nGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
)
C2SP_CHECKPOINT = (
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJ"
    "urmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)


def public_key_of(seed: bytes) -> bytes:
    return bytes(nacl.signing.SigningKey(seed).verify_key)


def short_key() -> str:
    """A verifier key holding a 31-byte key, with a matching key ID."""
    typed = b"\x01" + bytes(range(31))
    identifier = hashlib.sha256(b"PeterNeumann\n" + typed).digest()[:4]
    encoded = base64.b64encode(typed).decode()
    return f"PeterNeumann+{identifier.hex()}+{encoded}"


def manglings(key: str) -> Iterator[str]:
    """Every substring of KEY but KEY itself, and KEY with any one
    character changed (Go's TestNewVerifier and TestNewSigner)."""
    for start in range(len(key) + 1):
        for end in range(start + 1, len(key) + 1):
            if (start, end) != (0, len(key)):
                yield key[start:end]
    for position in range(len(key)):
        yield (
            key[:position] + chr(ord(key[position]) + 1) + key[position + 1 :]
        )


def peter() -> tuple[str, bytes]:
    return parse_verifier_key(PETER_VERIFIER)


def enoch() -> tuple[str, bytes]:
    return parse_verifier_key(ENOCH_VERIFIER)


class PublishedVectorTests:
    def test_it_signs_the_go_example_byte_for_byte(self) -> None:
        """Signing Go's example text with Go's example key gives Go's note."""
        name, seed = parse_signer_key(PETER_SIGNER)
        assert name == "PeterNeumann"
        assert sign_note(TEXT, name, seed) == PETER_NOTE

    def test_it_derives_the_go_verifier_key_from_the_signer_key(self) -> None:
        """The example signer key's public half encodes as Go's verifier
        key, and both encode back to the published texts."""
        name, seed = parse_signer_key(PETER_SIGNER)
        assert parse_verifier_key(PETER_VERIFIER) == (
            name,
            public_key_of(seed),
        )
        assert verifier_key(name, public_key_of(seed)) == PETER_VERIFIER
        assert signer_key(name, seed) == PETER_SIGNER
        assert key_id(name, public_key_of(seed)) == bytes.fromhex("c74f20a3")

    @pytest.mark.parametrize(("signer", "verifier"), TRANSPARENCY_DEV_PAIRS)
    def test_it_pairs_the_transparency_dev_keys(
        self, signer: str, verifier: str
    ) -> None:
        """Each published signer key gives its published verifier key."""
        name, seed = parse_signer_key(signer)
        assert verifier_key(name, public_key_of(seed)) == verifier
        assert signer_key(name, seed) == signer

    def test_it_opens_the_go_example_signed_twice(self) -> None:
        """With both keys trusted, Go's doubly signed note opens."""
        note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
        assert open_note(note, [peter(), enoch()]) == TEXT
        assert open_note(note, dict([peter(), enoch()])) == TEXT

    def test_it_ignores_the_signer_it_does_not_know(self) -> None:
        """Trusting only one of two signers, the note opens on that one's
        signature: the other is ignored, as the specification requires."""
        note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
        assert open_note(note, [peter()]) == TEXT
        assert open_note(note, [enoch()]) == TEXT

    def test_it_opens_a_real_go_checksum_database_checkpoint(self) -> None:
        """A checkpoint signed by sum.golang.org's key opens and parses."""
        text = open_note(
            SUMDB_CHECKPOINT, [parse_verifier_key(SUMDB_VERIFIER)]
        )
        checkpoint = parse_checkpoint(text)
        assert checkpoint.origin == "go.sum database tree"
        assert checkpoint.tree_size == 6476701
        assert checkpoint.root_hash == base64.b64decode(
            "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk="
        )
        assert checkpoint.extensions == ()

    def test_it_formats_the_go_tlog_tree(self) -> None:
        """Go's tlog tree text is a checkpoint, in both directions."""
        root = hashlib.sha256(b"\x00hello world").digest()
        assert (
            format_checkpoint("go.sum database tree", 123456789012, root)
            == GO_TREE_TEXT
        )
        assert parse_checkpoint(GO_TREE_TEXT) == Checkpoint(
            "go.sum database tree", 123456789012, root
        )

    def test_it_reads_the_c2sp_examples_as_well_formed(self) -> None:
        """The specifications' examples are well formed (their keys are not
        published): opening them fails only for want of a trusted key, and
        the checkpoint's text parses."""
        for note, signer in [
            (C2SP_NOTE, "quasimodo.example/salvatore+367ba04b"),
            (C2SP_CHECKPOINT, "example.com/behind-the-sofa+033de0ae"),
        ]:
            with pytest.raises(NoteError, match="No signature by a trusted"):
                open_note(note, [peter()])
            with pytest.raises(NoteError, match=signer.replace("+", r"\+")):
                open_note(note, [peter()])
        text = C2SP_CHECKPOINT.split("\n\n")[0] + "\n"
        assert parse_checkpoint(text) == Checkpoint(
            "example.com/behind-the-sofa",
            20852163,
            base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="),
        )


class KeyTests:
    @pytest.mark.parametrize(
        "name",
        ["", "a+b", "a b", "a\tb", "a\u00a0b", "a\u2003b", "a\x01b", "\ud800"],
    )
    def test_it_refuses_bad_names(self, name: str) -> None:
        """A key name is non-empty, with no space, plus sign or control."""
        with pytest.raises(ValueError, match="key name"):
            check_name(name)
        with pytest.raises(ValueError, match="key name"):
            generate_signer_key(name)

    def test_it_accepts_url_like_and_unicode_names(self) -> None:
        """Names are usually schema-less URLs, and may be any Unicode."""
        for name in ["example.com/log42", "faced.test/ledger", "Señor-1"]:
            check_name(name)

    def test_it_refuses_every_mangling_of_the_go_verifier_key(self) -> None:
        """Every substring of the key, and the key with any one character
        changed, is refused (Go's TestNewVerifier)."""
        for mangled in manglings(PETER_VERIFIER):
            with pytest.raises(ValueError):
                parse_verifier_key(mangled)

    def test_it_refuses_every_mangling_of_the_go_signer_key(self) -> None:
        """The same for the signer key (Go's TestNewSigner)."""
        for mangled in manglings(PETER_SIGNER):
            with pytest.raises(ValueError):
                parse_signer_key(mangled)

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            # Go's TestNewVerifier: a key of the wrong length and a key of
            # an unknown type, each with a key ID adjusted to match. Go
            # reads the first one's base64, whose last character has bits
            # set beyond the data; faced refuses such spellings at once.
            (
                "PeterNeumann+cc469956+"
                "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
                "not canonical base64",
            ),
            (short_key(), "must be 32 bytes, not 31"),
            (
                "PeterNeumann+173116ae+"
                "ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                "not an Ed25519 key",
            ),
            (
                "PeterNeumann+c74f20a4+"
                "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                "does not match",
            ),
            ("PeterNeumann", "three parts"),
            (
                "PeterNeumann+c74f20+"
                "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                "8 hexadecimal digits",
            ),
            (PETER_SIGNER, "signer key, which is secret"),
        ],
    )
    def test_it_names_what_is_wrong_with_a_verifier_key(
        self, text: str, problem: str
    ) -> None:
        """Each refusal of a verifier key says what is wrong."""
        with pytest.raises(ValueError, match=problem):
            parse_verifier_key(text)

    def test_it_accepts_an_uppercase_key_id(self) -> None:
        """Go reads the key ID's hex in either case; so does faced."""
        upper = PETER_VERIFIER.replace("c74f20a3", "C74F20A3")
        assert parse_verifier_key(upper) == peter()

    def test_it_never_quotes_a_signer_key_in_an_error(self) -> None:
        """A mistyped signer key's seed is not repeated in the message."""
        seed_text = PETER_SIGNER.rsplit("+", 2)[-2:]
        broken = [
            PETER_SIGNER.replace("+c74f20a3", ""),
            PETER_SIGNER.replace("c74f20a3", "c74f20a4"),
            PETER_SIGNER[:-2],
        ]
        for text in broken:
            with pytest.raises(ValueError) as raised:
                parse_signer_key(text)
            for part in seed_text:
                assert part[:6] not in str(raised.value)

    def test_it_generates_working_keys(self) -> None:
        """A new signer key parses, signs, and is new every time."""
        first = generate_signer_key("example.com/log")
        assert first != generate_signer_key("example.com/log")
        name, seed = parse_signer_key(first)
        assert name == "example.com/log"
        note = sign_note("hello\n", name, seed)
        vkey = verifier_key(name, public_key_of(seed))
        assert open_note(note, [parse_verifier_key(vkey)]) == "hello\n"


class SignTests:
    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("", "end with a newline"),
            ("abc", "end with a newline"),
            ("\n", "blank line"),
            ("abc\n\n", "blank line"),
            ("a\x01b\n", "control character"),
            ("a\rb\n", "control character"),
            ("\ud800\n", "UTF-8"),
        ],
    )
    def test_it_refuses_text_that_cannot_be_a_note(
        self, text: str, problem: str
    ) -> None:
        """Text must end in a newline, not in a blank line, and hold no
        control characters other than newlines."""
        _name, seed = parse_signer_key(PETER_SIGNER)
        with pytest.raises(NoteError, match=problem):
            sign_note(text, "PeterNeumann", seed)

    def test_it_refuses_a_bad_name_or_seed(self) -> None:
        """The signer's name follows the name rules; a seed is 32 bytes."""
        _name, seed = parse_signer_key(PETER_SIGNER)
        with pytest.raises(ValueError, match="key name"):
            sign_note(TEXT, "Peter Neumann", seed)
        with pytest.raises(ValueError, match="32 bytes"):
            sign_note(TEXT, "PeterNeumann", seed[:31])

    def test_it_keeps_blank_lines_inside_the_text(self) -> None:
        """The text may hold blank lines; the last one separates the
        signatures, so the text comes back whole."""
        name, seed = parse_signer_key(PETER_SIGNER)
        text = "first\n\nsecond \u00e8\n\n\nthird\n"
        note = sign_note(text, name, seed)
        assert open_note(note, [peter()]) == text

    @settings(max_examples=50, deadline=None)
    @given(
        st.lists(
            st.text(
                st.characters(
                    exclude_categories=["Cs"],
                    exclude_characters="\n",
                    min_codepoint=0x20,
                ),
                min_size=1,
            ),
            min_size=1,
            max_size=5,
        )
    )
    def test_it_round_trips_any_text(self, lines: list[str]) -> None:
        """Whatever its lines, a signed text opens back to itself."""
        name, seed = parse_signer_key(PETER_SIGNER)
        text = "".join(f"{line}\n" for line in lines)
        assert open_note(sign_note(text, name, seed), [peter()]) == text


class OpenTests:
    def test_it_rejects_altered_text(self) -> None:
        """A changed text no longer matches the trusted key's signature."""
        altered = PETER_NOTE.replace("answer", "answers")
        with pytest.raises(NoteError, match=r"Bad signature.*PeterNeumann"):
            open_note(altered, [peter()])

    def test_it_rejects_an_altered_signature(self) -> None:
        """A changed or lengthened signature does not verify (Go's
        TestOpen inserts ABCD)."""
        lengthened = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
        changed = PETER_NOTE.replace("x08go/ZJkuBS9", "x08go/ZJkuBS8")
        for note in [lengthened, changed]:
            with pytest.raises(NoteError, match="Bad signature"):
                open_note(note, [peter()])

    def test_it_treats_an_altered_key_id_or_name_as_unknown(self) -> None:
        """A signature line whose key ID or name is changed is another
        signer's, so the note has no trusted signature (Go's xxxx and
        CarmenSandiego cases)."""
        wrong_id = PETER_NOTE.replace("x08g", "xxxx")
        wrong_name = PETER_NOTE.replace("PeterNeumann", "CarmenSandiego")
        for note in [wrong_id, wrong_name]:
            with pytest.raises(NoteError, match="No signature by a trusted"):
                open_note(note, [peter()])

    def test_it_rejects_a_note_signed_only_by_others(self) -> None:
        """Enoch's signature alone does not open a note for Peter."""
        with pytest.raises(NoteError, match="signed only by EnochRoot"):
            open_note(TEXT + "\n" + ENOCH_SIG, [peter()])

    def test_it_rejects_a_bad_signature_beside_a_good_one(self) -> None:
        """One trusted key's failed signature rejects the whole note, even
        when another trusted key's signature verifies."""
        bad_enoch = ENOCH_SIG.replace("rwz+eBzm", "rwz+eBzn")
        note = TEXT + "\n" + PETER_SIG + bad_enoch
        with pytest.raises(NoteError, match=r"Bad signature.*EnochRoot"):
            open_note(note, [peter(), enoch()])
        assert open_note(note, [peter()]) == TEXT

    def test_it_accepts_a_repeated_signature(self) -> None:
        """The same valid signature twice is still a valid note."""
        assert open_note(PETER_NOTE + PETER_SIG, [peter()]) == TEXT

    def test_it_opens_with_either_of_two_keys_of_one_name(self) -> None:
        """During a key rotation, both keys of one name may be trusted."""
        new_seed = hashlib.sha256(b"a new key").digest()
        new_note = sign_note(TEXT, "PeterNeumann", new_seed)
        trusted = [peter(), ("PeterNeumann", public_key_of(new_seed))]
        assert open_note(new_note, trusted) == TEXT
        assert open_note(PETER_NOTE, trusted) == TEXT

    def test_it_refuses_an_ambiguous_list_of_keys(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two different trusted keys cannot share a name and key ID; the
        same key listed twice is harmless. (A real collision of 4-byte IDs
        takes billions of tries, so every ID is made to collide here.)"""
        open_note(PETER_NOTE, [peter(), peter()])
        _name, other = enoch()
        monkeypatch.setattr(
            "faced.ledger.note.key_id", lambda name, key: b"\xc7\x4f\x20\xa3"
        )
        with pytest.raises(ValueError, match="list of trusted keys"):
            open_note(PETER_NOTE, [peter(), ("PeterNeumann", other)])

    @pytest.mark.parametrize(
        ("note", "problem"),
        [
            # Go's TestOpen badMsgs, with "\xff" (not UTF-8) spelled as the
            # lone surrogate a Python str holds instead.
            (TEXT, "no blank line"),
            (TEXT + "\n", "no signature lines"),
            (TEXT + "\n" + PETER_SIG[:-1], "does not end with a newline"),
            ("\x01" + PETER_NOTE, "control character"),
            ("\udcff" + PETER_NOTE, "UTF-8"),
            (
                TEXT
                + "\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcE"
                "lZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
                "does not end with a newline",
            ),
            (
                TEXT
                + "\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcE"
                "lZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
                "base64",
            ),
            (PETER_NOTE + "Unexpected line.\n", "line 2 does not begin"),
            (TEXT + "\n" + PETER_SIG * 101, "101 signature lines"),
            # A hyphen, two hyphens or an en dash is not the em dash.
            (TEXT + "\n-" + PETER_SIG[1:], "em dash"),
            (TEXT + "\n--" + PETER_SIG[1:], "em dash"),
            (TEXT + "\n\u2013" + PETER_SIG[1:], "em dash"),
            (TEXT + "\n" + PETER_SIG.replace(" x08", "  x08"), "base64"),
            (TEXT + "\n" + PETER_SIG.replace("JnAM=", "JnAM"), "base64"),
            (TEXT + "\n" + PETER_SIG.replace("x08go/", "x08go_"), "base64"),
            (TEXT + "\n" + PETER_SIG.replace("JnAM=", "JnAN="), "canonical"),
            (TEXT + "\n\u2014 PeterNeumann\n", "too short"),
            (TEXT + "\n\u2014  x08go/ZJ\n", "valid key name"),
            (TEXT + "\n\u2014 PeterNeumann x08goA==\n", "too short"),
        ],
    )
    def test_it_rejects_malformed_notes(self, note: str, problem: str) -> None:
        """Each malformed note is refused with the problem named."""
        with pytest.raises(NoteError, match=problem):
            open_note(note, [peter()])


class CheckpointTests:
    ROOT = hashlib.sha256(b"\x00hello world").digest()

    def test_it_signs_and_opens_a_checkpoint(self) -> None:
        """A signed checkpoint opens and parses back to what was signed."""
        name, seed = parse_signer_key(PETER_SIGNER)
        text = format_checkpoint(name, 14, self.ROOT, ["extra line"])
        checkpoint = parse_checkpoint(
            open_note(sign_note(text, name, seed), [peter()])
        )
        assert checkpoint == Checkpoint(name, 14, self.ROOT, ("extra line",))

    def test_it_reads_an_empty_tree(self) -> None:
        """Size 0 is written "0", and the empty tree's root is SHA-256 of
        nothing (RFC 9162)."""
        root = hashlib.sha256(b"").digest()
        text = format_checkpoint("example.com/log", 0, root)
        assert text.split("\n")[1] == "0"
        assert parse_checkpoint(text).tree_size == 0

    @settings(max_examples=50, deadline=None)
    @given(
        origin=st.text(
            st.characters(exclude_categories=("Cs", "Cc")), min_size=1
        ),
        tree_size=st.integers(min_value=0, max_value=2**64 - 1),
        root=st.binary(min_size=32, max_size=32),
        extensions=st.lists(
            st.text(
                st.characters(exclude_categories=("Cs", "Cc")), min_size=1
            ),
            max_size=3,
        ),
    )
    def test_it_round_trips_any_checkpoint(
        self, origin: str, tree_size: int, root: bytes, extensions: list[str]
    ) -> None:
        """Whatever it holds, a formatted checkpoint parses back the same."""
        text = format_checkpoint(origin, tree_size, root, extensions)
        assert parse_checkpoint(text) == Checkpoint(
            origin, tree_size, root, tuple(extensions)
        )

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("Log\n123\n", "at least three lines"),
            ("\n123\n" + GO_TREE_TEXT.split("\n")[2] + "\n", "origin"),
            (GO_TREE_TEXT[:-1], "end with a newline"),
            (GO_TREE_TEXT.replace("\n1234", "\n01234"), "leading zeros"),
            (GO_TREE_TEXT.replace("\n1234", "\n00"), "leading zeros"),
            (GO_TREE_TEXT.replace("123456789012", "-34"), "decimal"),
            (GO_TREE_TEXT.replace("123456789012", "+34"), "decimal"),
            (GO_TREE_TEXT.replace("123456789012", "0xabcdef"), "decimal"),
            (GO_TREE_TEXT.replace("123456789012", " 12"), "decimal"),
            (GO_TREE_TEXT.replace("123456789012", ""), "decimal"),
            (GO_TREE_TEXT.replace("123456789012", "\u0661\u0662"), "decimal"),
            (
                GO_TREE_TEXT.replace("123456789012", str(2**64)),
                "beyond 2\\*\\*64",
            ),
            # Go's ParseTree bad trees: a root that is not base64.
            (
                "go.sum database tree\n123456789012\n"
                "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n",
                "base64",
            ),
            ("Log\n123\nThisIsn'tBase64\n", "base64"),
            (GO_TREE_TEXT.replace("Bb0=", "Bb1="), "canonical"),
            ("Log\n123\nYmFuYW5hcw==\n", "7 bytes, not 32"),
            (GO_TREE_TEXT + "\n", "extension line"),
            (GO_TREE_TEXT + "ext\n\nmore\n", "Line 5"),
            (GO_TREE_TEXT + "JOE", "end with a newline"),
            ("Log\x01\n0\n" + GO_TREE_TEXT.split("\n")[2] + "\n", "control"),
        ],
    )
    def test_it_rejects_malformed_checkpoints(
        self, text: str, problem: str
    ) -> None:
        """Each malformed checkpoint is refused with the problem named,
        and never as a signature problem (NoteError)."""
        with pytest.raises(CheckpointError, match=problem) as raised:
            parse_checkpoint(text)
        assert not isinstance(raised.value, NoteError)

    def test_it_reads_trailing_lines_as_extensions(self) -> None:
        """Lines after the root are extension lines (Go's tlog ignores
        them; a checkpoint keeps them)."""
        checkpoint = parse_checkpoint(GO_TREE_TEXT + "JOE\nJOE\n")
        assert checkpoint.extensions == ("JOE", "JOE")

    @pytest.mark.parametrize(
        ("origin", "tree_size", "root", "extensions", "problem"),
        [
            ("", 1, ROOT, (), "origin must not be empty"),
            ("a\nb", 1, ROOT, (), "one line"),
            ("log", -1, ROOT, (), "between 0 and"),
            ("log", 2**64, ROOT, (), "between 0 and"),
            ("log", 1, ROOT[:31], (), "32 bytes"),
            ("log", 1, ROOT, ("",), "extension line must not be empty"),
            ("log", 1, ROOT, ("a\nb",), "one line"),
        ],
    )
    def test_it_refuses_to_format_a_bad_checkpoint(
        self,
        origin: str,
        tree_size: int,
        root: bytes,
        extensions: tuple[str, ...],
        problem: str,
    ) -> None:
        """A checkpoint that could not be parsed back is never written."""
        with pytest.raises(ValueError, match=problem):
            format_checkpoint(origin, tree_size, root, extensions)

    def test_it_refuses_a_boolean_size(self) -> None:
        """True is an int to Python, but not a tree size."""
        with pytest.raises(TypeError):
            format_checkpoint("log", True, self.ROOT)
