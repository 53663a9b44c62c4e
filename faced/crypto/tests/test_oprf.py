"""RFC 9497 OPRF and VOPRF (ristretto255-SHA512): vectors and behaviour."""

from typing import TypedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faced.crypto import oprf
from faced.crypto import ristretto255 as group


class OprfVector(TypedDict):
    input: str
    blind: str
    blinded_element: str
    evaluation_element: str
    output: str


class VoprfVector(TypedDict):
    inputs: list[str]
    blinds: list[str]
    blinded_elements: list[str]
    evaluation_elements: list[str]
    proof: str
    proof_random_scalar: str
    outputs: list[str]


# RFC 9497 Appendix A: every suite and mode derives its key from this seed
# and KeyInfo ("test key").
SEED = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3"
KEY_INFO = "74657374206b6579"

INPUT_1 = "00"
INPUT_2 = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
BLIND_1 = "64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706"
BLIND_2 = "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e"

# RFC 9497 Appendix A.1.1, ristretto255-SHA512, OPRF Mode.
OPRF_SK = "5ebcea5ee37023ccb9fc2d2019f9d7737be85591ae8652ffa9ef0f4d37063b0e"
OPRF_VECTORS = [
    # A.1.1.1, Test Vector 1, Batch Size 1.
    pytest.param(
        OprfVector(
            input=INPUT_1,
            blind=BLIND_1,
            blinded_element=(
                "609a0ae68c15a3cf6903766461307e5c"
                "8bb2f95e7e6550e1ffa2dc99e412803c"
            ),
            evaluation_element=(
                "7ec6578ae5120958eb2db1745758ff37"
                "9e77cb64fe77b0b2d8cc917ea0869c7e"
            ),
            output=(
                "527759c3d9366f277d8c6020418d96bb"
                "393ba2afb20ff90df23fb7708264e2f3"
                "ab9135e3bd69955851de4b1f9fe8a097"
                "3396719b7912ba9ee8aa7d0b5e24bcf6"
            ),
        ),
        id="A.1.1.1",
    ),
    # A.1.1.2, Test Vector 2, Batch Size 1.
    pytest.param(
        OprfVector(
            input=INPUT_2,
            blind=BLIND_1,
            blinded_element=(
                "da27ef466870f5f15296299850aa0886"
                "29945a17d1f5b7f5ff043f76b3c06418"
            ),
            evaluation_element=(
                "b4cbf5a4f1eeda5a63ce7b77c7d23f46"
                "1db3fcab0dd28e4e17cecb5c90d02c25"
            ),
            output=(
                "f4a74c9c592497375e796aa837e907b1"
                "a045d34306a749db9f34221f7e750cb4"
                "f2a6413a6bf6fa5e19ba6348eb673934"
                "a722a7ede2e7621306d18951e7cf2c73"
            ),
        ),
        id="A.1.1.2",
    ),
]

# RFC 9497 Appendix A.1.2, ristretto255-SHA512, VOPRF Mode.
VOPRF_SK = "e6f73f344b79b379f1a0dd37e07ff62e38d9f71345ce62ae3a9bc60b04ccd909"
VOPRF_PK = "c803e2cc6b05fc15064549b5920659ca4a77b2cca6f04f6b357009335476ad4e"
VOPRF_OUTPUT_1 = (
    "b58cfbe118e0cb94d79b5fd6a6dafb98"
    "764dff49c14e1770b566e42402da1a7d"
    "a4d8527693914139caee5bd03903af43"
    "a491351d23b430948dd50cde10d32b3c"
)
VOPRF_OUTPUT_2 = (
    "8a9a2f3c7f085b65933594309041fc18"
    "98d42d0858e59f90814ae90571a6df60"
    "356f4610bf816f27afdd84f47719e480"
    "906d27ecd994985890e5f539e7ea74b6"
)
VOPRF_BLINDED_1 = (
    "863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945"
)
VOPRF_EVALUATED_1 = (
    "aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e"
)

# A.1.2.3, Test Vector 3, Batch Size 2.
VOPRF_BATCH_VECTOR = VoprfVector(
    inputs=[INPUT_1, INPUT_2],
    blinds=[BLIND_1, BLIND_2],
    blinded_elements=[
        VOPRF_BLINDED_1,
        "90a0145ea9da29254c3a56be4fe185465ebb3bf2a1801f7124bbbadac751e654",
    ],
    evaluation_elements=[
        VOPRF_EVALUATED_1,
        "cc5ac221950a49ceaa73c8db41b82c20372a4c8d63e5dded2db920b7eee36a2a",
    ],
    proof=(
        "cc203910175d786927eeb44ea8473280"
        "47892ddf8590e723c37205cb74600b0a"
        "5ab5337c8eb4ceae0494c2cf89529dcf"
        "94572ed267473d567aeed6ab873dee08"
    ),
    proof_random_scalar=(
        "419c4f4f5052c53c45f3da494d2b67b220d02118e0857cdbcf037f9ea84bbe0c"
    ),
    outputs=[VOPRF_OUTPUT_1, VOPRF_OUTPUT_2],
)

VOPRF_VECTORS = [
    # A.1.2.1, Test Vector 1, Batch Size 1.
    pytest.param(
        VoprfVector(
            inputs=[INPUT_1],
            blinds=[BLIND_1],
            blinded_elements=[VOPRF_BLINDED_1],
            evaluation_elements=[VOPRF_EVALUATED_1],
            proof=(
                "ddef93772692e535d1a53903db243673"
                "55cc2cc78de93b3be5a8ffcc6985dd06"
                "6d4346421d17bf5117a2a1ff0fcb2a75"
                "9f58a539dfbe857a40bce4cf49ec600d"
            ),
            proof_random_scalar=BLIND_2,
            outputs=[VOPRF_OUTPUT_1],
        ),
        id="A.1.2.1",
    ),
    # A.1.2.2, Test Vector 2, Batch Size 1.
    pytest.param(
        VoprfVector(
            inputs=[INPUT_2],
            blinds=[BLIND_1],
            blinded_elements=[
                "cc0b2a350101881d8a4cba4c80241d74"
                "fb7dcbfde4a61fde2f91443c2bf9ef0c"
            ],
            evaluation_elements=[
                "60a59a57208d48aca71e9e850d22674b"
                "611f752bed48b36f7a91b372bd7ad468"
            ],
            proof=(
                "401a0da6264f8cf45bb2f5264bc31e10"
                "9155600babb3cd4e5af7d181a2c9dc0a"
                "67154fabf031fd936051dec80b0b6ae2"
                "9c9503493dde7393b722eafdf5a50b02"
            ),
            proof_random_scalar=BLIND_2,
            outputs=[VOPRF_OUTPUT_2],
        ),
        id="A.1.2.2",
    ),
    # A.1.2.3, Test Vector 3, Batch Size 2.
    pytest.param(VOPRF_BATCH_VECTOR, id="A.1.2.3"),
]

# RFC 9380 Appendix K.3, expand_message_xmd(SHA-512), with
# DST = "QUUX-V01-CS02-with-expander-SHA512-256".
XMD_DST = b"QUUX-V01-CS02-with-expander-SHA512-256"
XMD_Q128 = b"q128_" + b"q" * 128
XMD_A512 = b"a512_" + b"a" * 512
XMD_VECTORS = [
    (
        b"",
        0x20,
        "6b9a7312411d92f921c6f68ca0b6380730a1a4d982c507211a90964c394179ba",
    ),
    (
        b"abc",
        0x20,
        "0da749f12fbe5483eb066a5f595055679b976e93abe9be6f0f6318bce7aca8dc",
    ),
    (
        b"abcdef0123456789",
        0x20,
        "087e45a86e2939ee8b91100af1583c4938e0f5fc6c9db4b107b83346bc967f58",
    ),
    (
        XMD_Q128,
        0x20,
        "7336234ee9983902440f6bc35b348352013becd88938d2afec44311caf8356b3",
    ),
    (
        XMD_A512,
        0x20,
        "57b5f7e766d5be68a6bfe1768e3c2b7f1228b3e4b3134956dd73a59b954c66f4",
    ),
    (
        b"",
        0x80,
        "41b037d1734a5f8df225dd8c7de38f851efdb45c372887be655212d07251b921"
        "b052b62eaed99b46f72f2ef4cc96bfaf254ebbbec091e1a3b9e4fb5e5b619d2e"
        "0c5414800a1d882b62bb5cd1778f098b8eb6cb399d5d9d18f5d5842cf5d13d7e"
        "b00a7cff859b605da678b318bd0e65ebff70bec88c753b159a805d2c89c55961",
    ),
    (
        b"abc",
        0x80,
        "7f1dddd13c08b543f2e2037b14cefb255b44c83cc397c1786d975653e36a6b11"
        "bdd7732d8b38adb4a0edc26a0cef4bb45217135456e58fbca1703cd6032cb134"
        "7ee720b87972d63fbf232587043ed2901bce7f22610c0419751c065922b48843"
        "1851041310ad659e4b23520e1772ab29dcdeb2002222a363f0c2b1c972b3efe1",
    ),
    (
        b"abcdef0123456789",
        0x80,
        "3f721f208e6199fe903545abc26c837ce59ac6fa45733f1baaf0222f8b7acb04"
        "24814fcb5eecf6c1d38f06e9d0a6ccfbf85ae612ab8735dfdf9ce84c372a77c8"
        "f9e1c1e952c3a61b7567dd0693016af51d2745822663d0c2367e3f4f0bed827f"
        "eecc2aaf98c949b5ed0d35c3f1023d64ad1407924288d366ea159f46287e61ac",
    ),
    (
        XMD_Q128,
        0x80,
        "b799b045a58c8d2b4334cf54b78260b45eec544f9f2fb5bd12fb603eaee70db7"
        "317bf807c406e26373922b7b8920fa29142703dd52bdf280084fb7ef69da78af"
        "df80b3586395b433dc66cde048a258e476a561e9deba7060af40adf30c64249c"
        "a7ddea79806ee5beb9a1422949471d267b21bc88e688e4014087a0b592b695ed",
    ),
    (
        XMD_A512,
        0x80,
        "05b0bfef265dcee87654372777b7c44177e2ae4c13a27f103340d9cd11c86cb2"
        "426ffcad5bd964080c2aee97f03be1ca18e30a1f14e27bc11ebbd650f305269c"
        "c9fb1db08bf90bfc79b42a952b46daf810359e7bc36452684784a64952c343c5"
        "2e5124cd1f71d474d5197fefc571a92929c9084ffe1112cf5eea5192ebff330b",
    ),
]

# RFC 9496 Appendix A.1: the encoding of the generator, B[1].
GENERATOR = "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"
ORDER = 2**252 + 27742317777372353535851937790883648493


def unhex(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(value) for value in values]


def voprf_keys() -> tuple[bytes, bytes]:
    return oprf.derive_key_pair(
        bytes.fromhex(SEED), bytes.fromhex(KEY_INFO), oprf.MODE_VOPRF
    )


def voprf_batch() -> tuple[bytes, list[bytes], list[bytes], bytes]:
    """The published batch of two (A.1.2.3): pk, C, D and its proof."""
    vector = VOPRF_BATCH_VECTOR
    return (
        bytes.fromhex(VOPRF_PK),
        unhex(vector["blinded_elements"]),
        unhex(vector["evaluation_elements"]),
        bytes.fromhex(vector["proof"]),
    )


def flip(value: bytes, index: int) -> bytes:
    """VALUE with the low bit of byte INDEX flipped."""
    changed = bytearray(value)
    changed[index] ^= 0x01
    return bytes(changed)


class OprfVectorTests:
    def test_it_derives_the_published_key(self) -> None:
        """DeriveKeyPair(Seed, KeyInfo) in OPRF mode gives skSm."""
        sk, pk = oprf.derive_key_pair(
            bytes.fromhex(SEED), bytes.fromhex(KEY_INFO), oprf.MODE_OPRF
        )

        assert sk.hex() == OPRF_SK
        assert pk == group.scalar_mult_base(sk)

    @pytest.mark.parametrize("vector", OPRF_VECTORS)
    def test_it_blinds_to_the_published_element(
        self, vector: OprfVector
    ) -> None:
        """Blind with the published blind gives BlindedElement."""
        blind, blinded = oprf.blind(
            bytes.fromhex(vector["input"]),
            mode=oprf.MODE_OPRF,
            blind=bytes.fromhex(vector["blind"]),
        )

        assert blind.hex() == vector["blind"]
        assert blinded.hex() == vector["blinded_element"]

    @pytest.mark.parametrize("vector", OPRF_VECTORS)
    def test_it_evaluates_to_the_published_element(
        self, vector: OprfVector
    ) -> None:
        """BlindEvaluate with skSm gives EvaluationElement."""
        evaluated = oprf.blind_evaluate(
            bytes.fromhex(OPRF_SK), bytes.fromhex(vector["blinded_element"])
        )

        assert evaluated.hex() == vector["evaluation_element"]

    @pytest.mark.parametrize("vector", OPRF_VECTORS)
    def test_it_finalizes_to_the_published_output(
        self, vector: OprfVector
    ) -> None:
        """Finalize unblinds EvaluationElement into Output."""
        output = oprf.finalize(
            bytes.fromhex(vector["input"]),
            bytes.fromhex(vector["blind"]),
            bytes.fromhex(vector["evaluation_element"]),
            mode=oprf.MODE_OPRF,
        )

        assert output.hex() == vector["output"]

    @pytest.mark.parametrize("vector", OPRF_VECTORS)
    def test_it_evaluates_the_published_output_directly(
        self, vector: OprfVector
    ) -> None:
        """Evaluate with skSm gives Output without blinding."""
        output = oprf.evaluate(
            bytes.fromhex(OPRF_SK),
            bytes.fromhex(vector["input"]),
            mode=oprf.MODE_OPRF,
        )

        assert output.hex() == vector["output"]


class VoprfVectorTests:
    def test_it_derives_the_published_key_pair(self) -> None:
        """DeriveKeyPair(Seed, KeyInfo) in VOPRF mode gives skSm, pkSm."""
        sk, pk = voprf_keys()

        assert sk.hex() == VOPRF_SK
        assert pk.hex() == VOPRF_PK

    @pytest.mark.parametrize("vector", VOPRF_VECTORS)
    def test_it_blinds_to_the_published_elements(
        self, vector: VoprfVector
    ) -> None:
        """Blind in VOPRF mode gives each BlindedElement."""
        blinded = [
            oprf.blind(
                bytes.fromhex(input), mode=oprf.MODE_VOPRF, blind=blind
            )[1].hex()
            for input, blind in zip(
                vector["inputs"], unhex(vector["blinds"]), strict=True
            )
        ]

        assert blinded == vector["blinded_elements"]

    @pytest.mark.parametrize("vector", VOPRF_VECTORS)
    def test_it_evaluates_with_the_published_proof(
        self, vector: VoprfVector
    ) -> None:
        """BlindEvaluate with ProofRandomScalar gives the elements, Proof."""
        evaluated, proof = oprf.blind_evaluate_with_proof(
            bytes.fromhex(VOPRF_SK),
            bytes.fromhex(VOPRF_PK),
            unhex(vector["blinded_elements"]),
            proof_random=bytes.fromhex(vector["proof_random_scalar"]),
        )

        assert [element.hex() for element in evaluated] == vector[
            "evaluation_elements"
        ]
        assert proof.hex() == vector["proof"]

    @pytest.mark.parametrize("vector", VOPRF_VECTORS)
    def test_it_evaluates_each_element_as_the_oprf_does(
        self, vector: VoprfVector
    ) -> None:
        """The evaluation itself is the plain BlindEvaluate of the OPRF."""
        evaluated = [
            oprf.blind_evaluate(bytes.fromhex(VOPRF_SK), element).hex()
            for element in unhex(vector["blinded_elements"])
        ]

        assert evaluated == vector["evaluation_elements"]

    @pytest.mark.parametrize("vector", VOPRF_VECTORS)
    def test_it_accepts_the_published_proof(self, vector: VoprfVector) -> None:
        """VerifyProof accepts Proof against pkSm."""
        assert oprf.verify_proof(
            bytes.fromhex(VOPRF_PK),
            unhex(vector["blinded_elements"]),
            unhex(vector["evaluation_elements"]),
            bytes.fromhex(vector["proof"]),
        )

    @pytest.mark.parametrize("vector", VOPRF_VECTORS)
    def test_it_finalizes_to_the_published_outputs(
        self, vector: VoprfVector
    ) -> None:
        """Finalize in VOPRF mode gives each Output."""
        outputs = [
            oprf.finalize(
                bytes.fromhex(input),
                blind,
                evaluated,
                mode=oprf.MODE_VOPRF,
            ).hex()
            for input, blind, evaluated in zip(
                vector["inputs"],
                unhex(vector["blinds"]),
                unhex(vector["evaluation_elements"]),
                strict=True,
            )
        ]

        assert outputs == vector["outputs"]

    @pytest.mark.parametrize("vector", VOPRF_VECTORS)
    def test_it_evaluates_the_published_outputs_directly(
        self, vector: VoprfVector
    ) -> None:
        """Evaluate with skSm in VOPRF mode gives each Output."""
        outputs = [
            oprf.evaluate(
                bytes.fromhex(VOPRF_SK),
                bytes.fromhex(input),
                mode=oprf.MODE_VOPRF,
            ).hex()
            for input in vector["inputs"]
        ]

        assert outputs == vector["outputs"]


class ExpandMessageXmdTests:
    @pytest.mark.parametrize(("msg", "length", "expected"), XMD_VECTORS)
    def test_it_expands_the_published_messages(
        self, msg: bytes, length: int, expected: str
    ) -> None:
        """expand_message_xmd(SHA-512) matches RFC 9380 Appendix K.3."""
        uniform = oprf._expand_message_xmd(msg, XMD_DST, length)

        assert uniform.hex() == expected

    def test_it_refuses_outputs_beyond_255_blocks(self) -> None:
        """More than 255 SHA-512 blocks cannot be expanded."""
        with pytest.raises(ValueError, match="cannot expand"):
            oprf._expand_message_xmd(b"", XMD_DST, 255 * 64 + 1)


class ProofRejectionTests:
    @pytest.mark.parametrize("index", [0, 15, 31, 32, 47, 63])
    def test_it_rejects_a_proof_with_a_flipped_byte(self, index: int) -> None:
        """Changing any byte of c or s makes VerifyProof fail."""
        pk, blinded, evaluated, proof = voprf_batch()

        assert not oprf.verify_proof(
            pk, blinded, evaluated, flip(proof, index)
        )

    def test_it_rejects_a_changed_evaluation(self) -> None:
        """A proof does not cover an evaluation the server swapped."""
        pk, blinded, evaluated, proof = voprf_batch()
        other = group.scalar_mult_base(group.scalar_random())

        assert not oprf.verify_proof(pk, blinded, [evaluated[0], other], proof)

    def test_it_rejects_reordered_elements(self) -> None:
        """A batch proof binds each element to its position."""
        pk, blinded, evaluated, proof = voprf_batch()

        assert not oprf.verify_proof(pk, blinded[::-1], evaluated[::-1], proof)

    def test_it_rejects_a_proof_for_part_of_the_batch(self) -> None:
        """The proof for two elements does not prove the first alone."""
        pk, blinded, evaluated, proof = voprf_batch()

        assert not oprf.verify_proof(pk, blinded[:1], evaluated[:1], proof)

    def test_it_rejects_another_servers_key(self) -> None:
        """Given a proof from one key, When checked against another key,
        Then it fails."""
        _, blinded, evaluated, proof = voprf_batch()
        _, other_pk = oprf.generate_key_pair()

        assert not oprf.verify_proof(other_pk, blinded, evaluated, proof)

    def test_it_rejects_evaluation_under_a_different_key(self) -> None:
        """Given a server that evaluates with a key other than pkS's,
        When it proves against pkS, Then it must refuse rather than lie."""
        other_sk, _ = oprf.generate_key_pair()
        _, blinded, _, _ = voprf_batch()

        with pytest.raises(ValueError, match="pk is not the public key"):
            oprf.blind_evaluate_with_proof(
                other_sk, bytes.fromhex(VOPRF_PK), blinded
            )

    def test_it_rejects_a_zero_proof(self) -> None:
        """c = s = 0 is well formed and does not verify."""
        pk, blinded, evaluated, _ = voprf_batch()

        assert not oprf.verify_proof(pk, blinded, evaluated, bytes(64))

    @pytest.mark.parametrize("half", [0, 32])
    def test_it_refuses_a_non_canonical_proof_scalar(self, half: int) -> None:
        """A c or s at or above the group order is malformed."""
        pk, blinded, evaluated, proof = voprf_batch()
        order = ORDER.to_bytes(32, "little")
        malformed = proof[:half] + order + proof[half + 32 :]

        with pytest.raises(ValueError, match=r"proof .* not a canonical"):
            oprf.verify_proof(pk, blinded, evaluated, malformed)

    @pytest.mark.parametrize("length", [0, 32, 63, 65])
    def test_it_refuses_a_proof_of_the_wrong_length(self, length: int) -> None:
        """A proof is 64 bytes, and the message says so."""
        pk, blinded, evaluated, _ = voprf_batch()

        with pytest.raises(ValueError, match="proof must be 64 bytes"):
            oprf.verify_proof(pk, blinded, evaluated, bytes(length))

    def test_it_refuses_unpaired_lists(self) -> None:
        """Blinded and evaluated elements must pair up."""
        pk, blinded, evaluated, proof = voprf_batch()

        with pytest.raises(ValueError, match="must pair up"):
            oprf.verify_proof(pk, blinded, evaluated[:1], proof)

    def test_it_refuses_an_empty_batch(self) -> None:
        """A proof covers at least one element."""
        pk, _, _, proof = voprf_batch()

        with pytest.raises(ValueError, match="empty"):
            oprf.verify_proof(pk, [], [], proof)
        with pytest.raises(ValueError, match="empty"):
            oprf.blind_evaluate_with_proof(bytes.fromhex(VOPRF_SK), pk, [])


# Encodings no ristretto255 element has: all ones, and RFC 9496 A.2's
# non-canonical field encoding of p itself.
INVALID_ELEMENTS = [
    pytest.param(b"\xff" * 32, id="all-ones"),
    pytest.param(
        bytes.fromhex(
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
        ),
        id="non-canonical",
    ),
    pytest.param(
        bytes.fromhex(
            "0100000000000000000000000000000000000000000000000000000000000000"
        ),
        id="negative",
    ),
]


class ElementValidationTests:
    @pytest.mark.parametrize("element", INVALID_ELEMENTS)
    def test_it_refuses_an_invalid_blinded_element(
        self, element: bytes
    ) -> None:
        """The server refuses to evaluate a non-element."""
        with pytest.raises(ValueError, match="blinded element is not a"):
            oprf.blind_evaluate(bytes.fromhex(OPRF_SK), element)

    @pytest.mark.parametrize("element", INVALID_ELEMENTS)
    def test_it_refuses_an_invalid_batch_element(self, element: bytes) -> None:
        """The VOPRF server names the bad element in a batch."""
        with pytest.raises(ValueError, match=r"blinded elements\[1\]"):
            oprf.blind_evaluate_with_proof(
                bytes.fromhex(VOPRF_SK),
                bytes.fromhex(VOPRF_PK),
                [bytes.fromhex(VOPRF_BLINDED_1), element],
            )

    @pytest.mark.parametrize("element", INVALID_ELEMENTS)
    def test_it_refuses_an_invalid_evaluated_element(
        self, element: bytes
    ) -> None:
        """The client refuses to finalize a non-element."""
        with pytest.raises(ValueError, match="evaluated element is not a"):
            oprf.finalize(
                bytes.fromhex(INPUT_1), bytes.fromhex(BLIND_1), element
            )

    @pytest.mark.parametrize("element", INVALID_ELEMENTS)
    def test_it_refuses_invalid_elements_in_a_proof_check(
        self, element: bytes
    ) -> None:
        """VerifyProof raises rather than answering for a non-element."""
        pk, blinded, evaluated, proof = voprf_batch()

        with pytest.raises(ValueError, match="pk is not a"):
            oprf.verify_proof(element, blinded, evaluated, proof)
        with pytest.raises(ValueError, match=r"evaluated elements\[0\]"):
            oprf.verify_proof(pk, blinded, [element, evaluated[1]], proof)

    def test_it_refuses_the_identity_element(self) -> None:
        """The identity is a valid encoding but never a valid message."""
        identity = bytes(32)
        _, blinded, evaluated, proof = voprf_batch()

        with pytest.raises(ValueError, match="identity"):
            oprf.blind_evaluate(bytes.fromhex(OPRF_SK), identity)
        with pytest.raises(ValueError, match="identity"):
            oprf.finalize(b"x", bytes.fromhex(BLIND_1), identity)
        with pytest.raises(ValueError, match="identity"):
            oprf.verify_proof(identity, blinded, evaluated, proof)

    @pytest.mark.parametrize("length", [0, 31, 33, 64])
    def test_it_names_an_element_of_the_wrong_length(
        self, length: int
    ) -> None:
        """Wrong-length elements are refused by name and length."""
        with pytest.raises(
            ValueError, match="blinded element must be 32 bytes"
        ):
            oprf.blind_evaluate(bytes.fromhex(OPRF_SK), bytes(length))
        with pytest.raises(ValueError, match="pk must be 32 bytes"):
            oprf.blind_evaluate_with_proof(
                bytes.fromhex(VOPRF_SK),
                bytes(length),
                [bytes.fromhex(VOPRF_BLINDED_1)],
            )

    @pytest.mark.parametrize("length", [0, 31, 33])
    def test_it_names_a_scalar_of_the_wrong_length(self, length: int) -> None:
        """Wrong-length keys, blinds and proof randoms are refused."""
        blinded = bytes.fromhex(VOPRF_BLINDED_1)

        with pytest.raises(ValueError, match="sk must be 32 bytes"):
            oprf.blind_evaluate(bytes(length), blinded)
        with pytest.raises(ValueError, match="sk must be 32 bytes"):
            oprf.evaluate(bytes(length), b"x")
        with pytest.raises(ValueError, match="blind must be 32 bytes"):
            oprf.blind(b"x", blind=bytes(length))
        with pytest.raises(ValueError, match="blind must be 32 bytes"):
            oprf.finalize(b"x", bytes(length), blinded)
        with pytest.raises(ValueError, match="proof random must be 32"):
            oprf.blind_evaluate_with_proof(
                bytes.fromhex(VOPRF_SK),
                bytes.fromhex(VOPRF_PK),
                [blinded],
                proof_random=bytes(length),
            )

    @pytest.mark.parametrize("length", [0, 16, 31, 33, 64])
    def test_it_names_a_seed_of_the_wrong_length(self, length: int) -> None:
        """DeriveKeyPair takes a seed of exactly 32 bytes."""
        with pytest.raises(ValueError, match="seed must be 32 bytes"):
            oprf.derive_key_pair(bytes(length), b"")

    @pytest.mark.parametrize(
        "value", [0, ORDER, ORDER + 1, 2**256 - 1], ids=str
    )
    def test_it_refuses_zero_or_non_canonical_keys(self, value: int) -> None:
        """A private key must be a non-zero scalar below the order."""
        sk = value.to_bytes(32, "little")

        with pytest.raises(ValueError, match="sk is"):
            oprf.blind_evaluate(sk, bytes.fromhex(VOPRF_BLINDED_1))
        with pytest.raises(ValueError, match="sk is"):
            oprf.evaluate(sk, b"x")

    def test_it_refuses_a_zero_blind(self) -> None:
        """A zero blind would reveal nothing but also unblind nothing."""
        with pytest.raises(ValueError, match="blind is zero"):
            oprf.blind(b"x", blind=bytes(32))

    def test_it_refuses_inputs_longer_than_the_framing_allows(self) -> None:
        """Inputs are framed with two length bytes, so 65535 is the most."""
        too_long = bytes(65536)
        sk = bytes.fromhex(OPRF_SK)

        with pytest.raises(ValueError, match="input is 65536 bytes"):
            oprf.blind(too_long)
        with pytest.raises(ValueError, match="input is 65536 bytes"):
            oprf.evaluate(sk, too_long)
        with pytest.raises(ValueError, match="input is 65536 bytes"):
            oprf.finalize(
                too_long,
                bytes.fromhex(BLIND_1),
                bytes.fromhex(VOPRF_EVALUATED_1),
            )
        with pytest.raises(ValueError, match="info is 65536 bytes"):
            oprf.derive_key_pair(bytes.fromhex(SEED), too_long)

    def test_it_accepts_the_longest_framed_input(self) -> None:
        """An input of exactly 65535 bytes still works."""
        sk, _ = oprf.generate_key_pair()
        longest = b"\x5a" * 65535

        blind, blinded = oprf.blind(longest)
        output = oprf.finalize(
            longest, blind, oprf.blind_evaluate(sk, blinded)
        )

        assert output == oprf.evaluate(sk, longest)

    @pytest.mark.parametrize("mode", [2, -1, 256, True])
    def test_it_refuses_unknown_modes(self, mode: int) -> None:
        """Only the OPRF and VOPRF modes exist here."""
        with pytest.raises(ValueError, match="mode must be"):
            oprf.blind(b"x", mode=mode)
        with pytest.raises(ValueError, match="mode must be"):
            oprf.derive_key_pair(bytes(32), b"", mode)
        with pytest.raises(ValueError, match="mode must be"):
            oprf.evaluate(bytes.fromhex(OPRF_SK), b"x", mode=mode)

    def test_it_refuses_text_where_bytes_belong(self) -> None:
        """Inputs are bytes; text must be encoded by the caller."""
        with pytest.raises(TypeError, match="input must be bytes"):
            oprf.blind("text")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="list of elements"):
            oprf.verify_proof(
                bytes.fromhex(VOPRF_PK),
                bytes.fromhex(VOPRF_BLINDED_1),  # type: ignore[arg-type]
                [bytes.fromhex(VOPRF_EVALUATED_1)],
                bytes(64),
            )


class OprfRoundTripTests:
    @pytest.mark.parametrize("mode", [oprf.MODE_OPRF, oprf.MODE_VOPRF])
    def test_it_agrees_with_direct_evaluation(self, mode: int) -> None:
        """Given a random key, the blinded protocol gives Evaluate's output."""
        sk, _ = oprf.generate_key_pair()
        input = b"survivor@example.org"

        blind, blinded = oprf.blind(input, mode=mode)
        evaluated = oprf.blind_evaluate(sk, blinded)
        output = oprf.finalize(input, blind, evaluated, mode=mode)

        assert output == oprf.evaluate(sk, input, mode=mode)
        assert len(output) == 64

    def test_it_proves_and_verifies_a_random_batch(self) -> None:
        """Given a random key pair and three inputs, When the server proves
        its evaluations, Then the client accepts and gets every output."""
        sk, pk = oprf.generate_key_pair()
        inputs = [b"first", b"second", b""]
        blinds = [oprf.blind(input, mode=oprf.MODE_VOPRF) for input in inputs]
        blinded = [element for _, element in blinds]

        evaluated, proof = oprf.blind_evaluate_with_proof(sk, pk, blinded)

        assert oprf.verify_proof(pk, blinded, evaluated, proof)
        outputs = [
            oprf.finalize(input, blind, element, mode=oprf.MODE_VOPRF)
            for input, (blind, _), element in zip(
                inputs, blinds, evaluated, strict=True
            )
        ]
        assert outputs == [
            oprf.evaluate(sk, input, mode=oprf.MODE_VOPRF) for input in inputs
        ]

    def test_it_hides_the_input_behind_a_fresh_blind(self) -> None:
        """Blinding the same input twice gives unrelated elements."""
        _, first = oprf.blind(b"same input")
        _, second = oprf.blind(b"same input")

        assert first != second

    def test_it_separates_the_modes(self) -> None:
        """The same key and input give different outputs in each mode."""
        sk, _ = oprf.generate_key_pair()

        assert oprf.evaluate(sk, b"x", mode=oprf.MODE_OPRF) != oprf.evaluate(
            sk, b"x", mode=oprf.MODE_VOPRF
        )

    def test_it_separates_keys(self) -> None:
        """Different keys give different outputs for the same input."""
        first, _ = oprf.generate_key_pair()
        second, _ = oprf.generate_key_pair()

        assert oprf.evaluate(first, b"x") != oprf.evaluate(second, b"x")

    def test_it_generates_matching_key_pairs(self) -> None:
        """generate_key_pair returns a canonical sk and pk = sk * B."""
        sk, pk = oprf.generate_key_pair()

        assert group.check_scalar(sk) == sk
        assert pk == oprf.blind_evaluate(sk, bytes.fromhex(GENERATOR))


class OprfPropertyTests:
    @settings(max_examples=50, deadline=None)
    @given(
        seed=st.binary(min_size=32, max_size=32),
        input=st.binary(max_size=256),
        mode=st.sampled_from([oprf.MODE_OPRF, oprf.MODE_VOPRF]),
    )
    def test_it_outputs_what_evaluate_outputs(
        self, seed: bytes, input: bytes, mode: int
    ) -> None:
        """For any key and input, Finalize(BlindEvaluate(Blind)) is
        Evaluate."""
        sk, pk = oprf.derive_key_pair(seed, b"property", mode)

        blind, blinded = oprf.blind(input, mode=mode)
        if mode == oprf.MODE_VOPRF:
            evaluated, proof = oprf.blind_evaluate_with_proof(
                sk, pk, [blinded]
            )
            assert oprf.verify_proof(pk, [blinded], evaluated, proof)
            element = evaluated[0]
        else:
            element = oprf.blind_evaluate(sk, blinded)

        assert oprf.finalize(input, blind, element, mode=mode) == (
            oprf.evaluate(sk, input, mode=mode)
        )
