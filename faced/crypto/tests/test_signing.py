"""Ed25519 over canonical JSON: the RFC 8032 and RFC 8785 vectors, and
signatures that survive re-spelling but not changes."""

from __future__ import annotations

import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faced.crypto.signing import (
    canonical_json,
    generate_signing_key,
    sign,
    sign_bytes,
    verify,
    verify_bytes,
    verify_key_for,
)

# RFC 8032 section 7.1, "Test Vectors for Ed25519", copied line by line as
# the RFC prints them (16 bytes a line): (name, secret key, public key,
# message, signature). Ed25519 is deterministic, so reproducing each
# signature byte for byte also confirms the message was copied exactly.
RFC_8032_VECTORS = [
    (
        "TEST 1",
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a"
        "84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46b"
        "d25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "TEST 2",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540"
        "a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c"
        "387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "TEST 3",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a3"
        "0ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc659"
        "4a7c15e9716ed28dc027beceea1ec40a",
    ),
    (
        "TEST 1024",
        "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
        "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
        "08b8b2b733424243760fe426a4b54908"
        "632110a66c2f6591eabd3345e3e4eb98"
        "fa6e264bf09efe12ee50f8f54e9f77b1"
        "e355f6c50544e23fb1433ddf73be84d8"
        "79de7c0046dc4996d9e773f4bc9efe57"
        "38829adb26c81b37c93a1b270b20329d"
        "658675fc6ea534e0810a4432826bf58c"
        "941efb65d57a338bbd2e26640f89ffbc"
        "1a858efcb8550ee3a5e1998bd177e93a"
        "7363c344fe6b199ee5d02e82d522c4fe"
        "ba15452f80288a821a579116ec6dad2b"
        "3b310da903401aa62100ab5d1a36553e"
        "06203b33890cc9b832f79ef80560ccb9"
        "a39ce767967ed628c6ad573cb116dbef"
        "efd75499da96bd68a8a97b928a8bbc10"
        "3b6621fcde2beca1231d206be6cd9ec7"
        "aff6f6c94fcd7204ed3455c68c83f4a4"
        "1da4af2b74ef5c53f1d8ac70bdcb7ed1"
        "85ce81bd84359d44254d95629e9855a9"
        "4a7c1958d1f8ada5d0532ed8a5aa3fb2"
        "d17ba70eb6248e594e1a2297acbbb39d"
        "502f1a8c6eb6f1ce22b3de1a1f40cc24"
        "554119a831a9aad6079cad88425de6bd"
        "e1a9187ebb6092cf67bf2b13fd65f270"
        "88d78b7e883c8759d2c4f5c65adb7553"
        "878ad575f9fad878e80a0c9ba63bcbcc"
        "2732e69485bbc9c90bfbd62481d9089b"
        "eccf80cfe2df16a2cf65bd92dd597b07"
        "07e0917af48bbb75fed413d238f5555a"
        "7a569d80c3414a8d0859dc65a46128ba"
        "b27af87a71314f318c782b23ebfe808b"
        "82b0ce26401d2e22f04d83d1255dc51a"
        "ddd3b75a2b1ae0784504df543af8969b"
        "e3ea7082ff7fc9888c144da2af58429e"
        "c96031dbcad3dad9af0dcbaaaf268cb8"
        "fcffead94f3c7ca495e056a9b47acdb7"
        "51fb73e666c6c655ade8297297d07ad1"
        "ba5e43f1bca32301651339e22904cc8c"
        "42f58c30c04aafdb038dda0847dd988d"
        "cda6f3bfd15c4b4c4525004aa06eeff8"
        "ca61783aacec57fb3d1f92b0fe2fd1a8"
        "5f6724517b65e614ad6808d6f6ee34df"
        "f7310fdc82aebfd904b01e1dc54b2927"
        "094b2db68d6f903b68401adebf5a7e08"
        "d78ff4ef5d63653a65040cf9bfd4aca7"
        "984a74d37145986780fc0b16ac451649"
        "de6188a7dbdf191f64b5fc5e2ab47b57"
        "f7f7276cd419c17a3ca8e1b939ae49e4"
        "88acba6b965610b5480109c8b17b80e1"
        "b7b750dfc7598d5d5011fd2dcc5600a3"
        "2ef5b52a1ecc820e308aa342721aac09"
        "43bf6686b64b2579376504ccc493d97e"
        "6aed3fb0f9cd71a43dd497f01f17c0e2"
        "cb3797aa2a2f256656168e6c496afc5f"
        "b93246f6b1116398a346f1a641f3b041"
        "e989f7914f90cc2c7fff357876e506b5"
        "0d334ba77c225bc307ba537152f3f161"
        "0e4eafe595f6d9d90d11faa933a15ef1"
        "369546868a7f3a45a96768d40fd9d034"
        "12c091c6315cf4fde7cb68606937380d"
        "b2eaaa707b4c4185c32eddcdd306705e"
        "4dc1ffc872eeee475a64dfac86aba41c"
        "0618983f8741c5ef68d3a101e8a3b8ca"
        "c60c905c15fc910840b94c00a0b9d0",
        "0aab4c900501b3e24d7cdf4663326a3a"
        "87df5e4843b2cbdb67cbf6e460fec350"
        "aa5371b1508f9f4528ecea23c436d94b"
        "5e8fcd4f681e30a6ac00a9704a188a03",
    ),
    (
        "TEST SHA(abc)",
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        "ddaf35a193617abacc417349ae204131"
        "12e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd"
        "454d4423643ce80e2a9ac94fa54ca49f",
        "dc2a4459e7369633a52b1bf277839a00"
        "201009a3efbf3ecb69bea2186c26b589"
        "09351fc9ac90b3ecfdfbc7c66431e030"
        "3dca179c138ac17ad9bef1177331a704",
    ),
]

VECTOR_IDS = [vector[0] for vector in RFC_8032_VECTORS]
EACH_RFC_8032_VECTOR = pytest.mark.parametrize(
    ("name", "secret", "public", "message", "signature"),
    RFC_8032_VECTORS,
    ids=VECTOR_IDS,
)

FINDING = {
    "kind": "finding",
    "case": "c-0042",
    "outcome": "upheld",
    "measures": ["no contact", "exclusion from events"],
    "panel": ["member-1", "member-2", "member-3"],
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


class Rfc8032VectorTests:
    @EACH_RFC_8032_VECTOR
    def test_it_reproduces_the_published_signature(
        self, name: str, secret: str, public: str, message: str, signature: str
    ) -> None:
        """The secret key yields the published public key and signature."""
        seed = bytes.fromhex(secret)
        assert verify_key_for(seed).hex() == public
        assert sign_bytes(seed, bytes.fromhex(message)).hex() == signature

    @EACH_RFC_8032_VECTOR
    def test_it_verifies_the_published_signature(
        self, name: str, secret: str, public: str, message: str, signature: str
    ) -> None:
        """The published signature verifies, and not on another message."""
        verify_key = bytes.fromhex(public)
        message_bytes = bytes.fromhex(message)
        signature_bytes = bytes.fromhex(signature)
        assert verify_bytes(verify_key, message_bytes, signature_bytes)
        assert not verify_bytes(
            verify_key, message_bytes + b"\x00", signature_bytes
        )

    def test_it_has_the_published_message_lengths(self) -> None:
        """The copied messages have the lengths the RFC states."""
        lengths = {
            name: len(bytes.fromhex(message))
            for name, _, _, message, _ in RFC_8032_VECTORS
        }
        assert lengths == {
            "TEST 1": 0,
            "TEST 2": 1,
            "TEST 3": 2,
            "TEST 1024": 1023,
            "TEST SHA(abc)": 64,
        }


class CanonicalJsonTests:
    def test_it_matches_the_rfc_8785_serialization_example(self) -> None:
        """RFC 8785 section 3.2.2: numbers, escapes and literals, parsed
        from the RFC's own input text."""
        source = (
            '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, '
            "0.000000000000000000000000001],\n"
            '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c'
            '\\\\\\"\\/",\n'
            '  "literals": [null, true, false]\n}'
        )
        expected = (
            '{"literals":[null,true,false],'
            '"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
            '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
        )
        assert canonical_json(json.loads(source)) == expected.encode()

    def test_it_sorts_keys_by_utf16_code_units(self) -> None:
        """RFC 8785 section 3.2.3: the emoji (a surrogate pair) sorts
        before U+FB33, unlike a code point sort."""
        source = (
            '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", '
            '"\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", '
            '"\\ud83d\\ude00": "Emoji: Grinning Face", '
            '"\\u0080": "Control", '
            '"\\u00f6": "Latin Small Letter O With Diaeresis"}'
        )
        expected = (
            '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
            '"\u00f6":"Latin Small Letter O With Diaeresis",'
            '"\u20ac":"Euro Sign","\U0001f600":"Emoji: Grinning Face",'
            '"\ufb33":"Hebrew Letter Dalet With Dagesh"}'
        )
        assert canonical_json(json.loads(source)) == expected.encode()

    @pytest.mark.parametrize(
        ("binary64", "expected"),
        [
            ("0000000000000000", "0"),
            ("8000000000000000", "0"),
            ("0000000000000001", "5e-324"),
            ("8000000000000001", "-5e-324"),
            ("7fefffffffffffff", "1.7976931348623157e+308"),
            ("ffefffffffffffff", "-1.7976931348623157e+308"),
            ("4340000000000000", "9007199254740992"),
            ("c340000000000000", "-9007199254740992"),
            ("4430000000000000", "295147905179352830000"),
            ("44b52d02c7e14af5", "9.999999999999997e+22"),
            ("44b52d02c7e14af6", "1e+23"),
            ("44b52d02c7e14af7", "1.0000000000000001e+23"),
            ("444b1ae4d6e2ef4e", "999999999999999700000"),
            ("444b1ae4d6e2ef4f", "999999999999999900000"),
            ("444b1ae4d6e2ef50", "1e+21"),
            ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
            ("3eb0c6f7a0b5ed8d", "0.000001"),
        ],
    )
    def test_it_formats_numbers_as_rfc_8785_appendix_b(
        self, binary64: str, expected: str
    ) -> None:
        """IEEE 754 values serialize exactly as RFC 8785 Appendix B says."""
        (value,) = struct.unpack(">d", bytes.fromhex(binary64))
        assert canonical_json(value) == expected.encode()

    def test_it_writes_no_whitespace_and_sorts_nested_objects(self) -> None:
        """Nested objects are sorted at every level, with no spaces."""
        assert (
            canonical_json({"b": [{"z": 1, "a": 2}], "a": {"d": True}})
            == b'{"a":{"d":true},"b":[{"a":2,"z":1}]}'
        )

    @pytest.mark.parametrize(
        "value", [float("nan"), float("inf"), 2**53, b"bytes", {1: "key"}]
    )
    def test_it_refuses_what_json_cannot_hold_exactly(
        self, value: object
    ) -> None:
        """NaN, infinities, unsafe integers and non-JSON types are refused
        rather than silently rounded or stringified."""
        with pytest.raises(ValueError):
            canonical_json(value)


class SignatureTests:
    def test_it_round_trips(self) -> None:
        """A signature made with the seed verifies with its verify key."""
        seed, verify_key = generate_signing_key()
        signature = sign(seed, FINDING)
        assert len(signature) == 64
        assert verify(verify_key, FINDING, signature)

    @settings(max_examples=50, deadline=None)
    @given(value=json_values)
    def test_it_round_trips_any_json_value(self, value: object) -> None:
        """Any value RFC 8785 can hold signs and verifies."""
        seed, verify_key = generate_signing_key()
        assert verify(verify_key, value, sign(seed, value))

    def test_it_ignores_key_order_and_spelling(self) -> None:
        """The same object spelled differently verifies: the signature
        covers the canonical form, not the bytes it arrived as."""
        seed, verify_key = generate_signing_key()
        signature = sign(seed, FINDING)
        reordered = dict(reversed(list(FINDING.items())))
        respelled = json.loads(json.dumps(FINDING, indent=4))
        assert verify(verify_key, reordered, signature)
        assert verify(verify_key, respelled, signature)
        assert verify(verify_key, {"n": 4.50}, sign(seed, {"n": 4.5}))

    def test_it_refuses_a_changed_value(self) -> None:
        """Changing any value makes the signature fail."""
        seed, verify_key = generate_signing_key()
        signature = sign(seed, FINDING)
        for changed in (
            {**FINDING, "outcome": "not upheld"},
            {**FINDING, "measures": ["no contact"]},
            {**FINDING, "extra": None},
            {key: value for key, value in FINDING.items() if key != "panel"},
        ):
            assert not verify(verify_key, changed, signature)

    def test_it_refuses_the_wrong_key(self) -> None:
        """Another person's verify key does not accept the signature."""
        seed, _ = generate_signing_key()
        _, other_verify_key = generate_signing_key()
        assert not verify(other_verify_key, FINDING, sign(seed, FINDING))

    def test_it_refuses_a_damaged_signature(self) -> None:
        """A flipped bit, or a signature of the wrong length, is refused."""
        seed, verify_key = generate_signing_key()
        signature = bytearray(sign(seed, FINDING))
        signature[10] ^= 1
        assert not verify(verify_key, FINDING, bytes(signature))
        assert not verify(verify_key, FINDING, bytes(signature[:63]))
        assert not verify(verify_key, FINDING, b"")

    def test_it_refuses_malformed_keys(self) -> None:
        """Keys of the wrong length are a ValueError, not a False."""
        seed, verify_key = generate_signing_key()
        with pytest.raises(ValueError, match="32 bytes"):
            sign(seed[:31], FINDING)
        with pytest.raises(ValueError, match="32 bytes"):
            sign(seed + verify_key, FINDING)
        with pytest.raises(ValueError, match="32 bytes"):
            verify(verify_key[:31], FINDING, sign(seed, FINDING))
