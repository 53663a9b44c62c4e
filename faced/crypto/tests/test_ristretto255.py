"""RFC 9496 Appendix A test vectors for ristretto255, run against libsodium.

libsodium (through pysodium) does the group arithmetic for faced's OPRF;
these vectors show that the system libsodium agrees with the RFC before
anything is built on it.
"""

import pysodium
import pytest

from faced.crypto import ristretto255 as group

# RFC 9496 Appendix A.1, "Multiples of the Generator": B[i] = i * B.
GENERATOR_MULTIPLES = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
    "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
    "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
    "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
    "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
    "f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
    "44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
    "903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
    "02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031",
    "20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f",
    "bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42",
    "e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460",
    "aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f",
    "46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e",
    "e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e",
]

# RFC 9496 Appendix A.2, "Invalid Encodings": every one MUST be rejected.
INVALID_ENCODINGS = {
    "non-canonical field encoding": [
        "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ],
    "negative field element": [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
        "c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
        "c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78",
        "47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24",
        "f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72",
        "87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309",
    ],
    "non-square x^2": [
        "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
        "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
        "de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
        "bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
        "2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
        "f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
        "8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
        "2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
    ],
    "negative xy value": [
        "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
        "a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
        "d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
        "8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
        "32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
        "227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
        "5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
        "445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
    ],
    "s = -1, which causes y = 0": [
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ],
}

INVALID_ENCODING_CASES = [
    pytest.param(encoding, id=f"{reason}-{index}")
    for reason, encodings in INVALID_ENCODINGS.items()
    for index, encoding in enumerate(encodings)
]

# RFC 9496 Appendix A.3, "Group Elements from Uniform Byte Strings":
# (64-byte input I, encoded output O) of the element derivation function.
# The inputs happen to be SHA-512 digests of the sentences about espresso
# that label the same vectors on ristretto.group; the RFC gives the bytes.
UNIFORM_BYTES_TO_ELEMENT = [
    (
        "5d1be09e3d0c82fc538112490e35701979d99e06ca3e2b5b54bffe8b4dc772c1"
        "4d98b696a1bbfb5ca32c436cc61c16563790306c79eaca7705668b47dffe5bb6",
        "3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46",
    ),
    (
        "f116b34b8f17ceb56e8732a60d913dd10cce47a6d53bee9204be8b44f6678b27"
        "0102a56902e2488c46120e9276cfe54638286b9e4b3cdb470b542d46c2068d38",
        "f26e5b6f7d362d2d2a94c5d0e7602cb4773c95a2e5c31a64f133189fa76ed61b",
    ),
    (
        "8422e1bbdaab52938b81fd602effb6f89110e1e57208ad12d9ad767e2e25510c"
        "27140775f9337088b982d83d7fcf0b2fa1edffe51952cbe7365e95c86eaf325c",
        "006ccd2a9e6867e6a2c5cea83d3302cc9de128dd2a9a57dd8ee7b9d7ffe02826",
    ),
    (
        "ac22415129b61427bf464e17baee8db65940c233b98afce8d17c57beeb7876c2"
        "150d15af1cb1fb824bbd14955f2b57d08d388aab431a391cfc33d5bafb5dbbaf",
        "f8f0c87cf237953c5890aec3998169005dae3eca1fbb04548c635953c817f92a",
    ),
    (
        "165d697a1ef3d5cf3c38565beefcf88c0f282b8e7dbd28544c483432f1cec767"
        "5debea8ebb4e5fe7d6f6e5db15f15587ac4d4d4a1de7191e0c1ca6664abcc413",
        "ae81e7dedf20a497e10c304a765c1767a42d6e06029758d2d7e8ef7cc4c41179",
    ),
    (
        "a836e6c9a9ca9f1e8d486273ad56a78c70cf18f0ce10abb1c7172ddd605d7fd2"
        "979854f47ae1ccf204a33102095b4200e5befc0465accc263175485f0e17ea5c",
        "e2705652ff9f5e44d3e841bf1c251cf7dddb77d140870d1ab2ed64f1a9ce8628",
    ),
    (
        "2cdc11eaeb95daf01189417cdddbf95952993aa9cb9c640eb5058d09702c7462"
        "2c9965a697a3b345ec24ee56335b556e677b30e6f90ac77d781064f866a3c982",
        "80bd07262511cdde4863f8a7434cef696750681cb9510eea557088f76d9e5065",
    ),
]

# RFC 9496 Appendix A.3: these four inputs all derive the same element,
# because the derivation ignores the top bit of each half and reduces
# non-canonical field encodings.
SAME_ELEMENT_INPUTS = [
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "1200000000000000000000000000000000000000000000000000000000000000",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "0000000000000000000000000000000000000000000000000000000000000080"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000"
    "1200000000000000000000000000000000000000000000000000000000000080",
]
SAME_ELEMENT_OUTPUT = (
    "304282791023b73128d277bdcb5c7746ef2eac08dde9f2983379cb8e5ef0517f"
)

# The order of the group, 2^252 + 27742317777372353535851937790883648493.
ORDER = 2**252 + 27742317777372353535851937790883648493


def scalar(value: int) -> bytes:
    return value.to_bytes(group.SCALAR_BYTES, "little")


class GeneratorMultipleTests:
    @pytest.mark.parametrize("multiple", range(1, 16))
    def test_it_encodes_multiples_of_the_generator(
        self, multiple: int
    ) -> None:
        """i * B encodes as RFC 9496 A.1 lists, for i from 1 to 15."""
        encoding = pysodium.crypto_scalarmult_ristretto255_base(
            scalar(multiple)
        )

        assert encoding.hex() == GENERATOR_MULTIPLES[multiple]

    @pytest.mark.parametrize("multiple", range(15))
    def test_it_adds_the_generator_to_each_multiple(
        self, multiple: int
    ) -> None:
        """B[i] + B[1] is B[i + 1], the identity B[0] included."""
        total = pysodium.crypto_core_ristretto255_add(
            bytes.fromhex(GENERATOR_MULTIPLES[multiple]),
            bytes.fromhex(GENERATOR_MULTIPLES[1]),
        )

        assert total.hex() == GENERATOR_MULTIPLES[multiple + 1]

    def test_it_decodes_the_identity_but_refuses_to_produce_it(self) -> None:
        """B[0] is a valid encoding; libsodium will not compute 0 * B."""
        identity = bytes.fromhex(GENERATOR_MULTIPLES[0])

        # libsodium's decoder accepts the identity's encoding, as RFC 9496
        # decoding does, but its scalar multiplication reports failure
        # when the product is the identity.
        assert pysodium.crypto_core_ristretto255_is_valid_point(identity)
        with pytest.raises(ValueError):
            pysodium.crypto_scalarmult_ristretto255_base(scalar(0))
        with pytest.raises(ValueError):
            pysodium.crypto_scalarmult_ristretto255_base(scalar(ORDER))

    def test_it_refuses_the_identity_where_the_oprf_needs_an_element(
        self,
    ) -> None:
        """The wrapper names the identity when it turns it away."""
        identity = bytes.fromhex(GENERATOR_MULTIPLES[0])

        assert group.is_valid_encoding(identity)
        with pytest.raises(ValueError, match="identity"):
            group.check_element(identity)
        with pytest.raises(ValueError, match="identity"):
            group.scalar_mult_base(scalar(0))
        with pytest.raises(ValueError, match="identity"):
            group.scalar_mult(
                scalar(ORDER), bytes.fromhex(GENERATOR_MULTIPLES[1])
            )

    @pytest.mark.parametrize("multiple", range(1, 16))
    def test_it_accepts_every_multiple_as_an_element(
        self, multiple: int
    ) -> None:
        """Each published multiple passes the wrapper's element check."""
        encoding = bytes.fromhex(GENERATOR_MULTIPLES[multiple])

        assert group.check_element(encoding) == encoding


class InvalidEncodingTests:
    @pytest.mark.parametrize("encoding", INVALID_ENCODING_CASES)
    def test_it_rejects_the_published_invalid_encodings(
        self, encoding: str
    ) -> None:
        """libsodium rejects each RFC 9496 A.2 encoding."""
        assert not pysodium.crypto_core_ristretto255_is_valid_point(
            bytes.fromhex(encoding)
        )

    @pytest.mark.parametrize("encoding", INVALID_ENCODING_CASES)
    def test_it_refuses_them_as_elements(self, encoding: str) -> None:
        """The wrapper raises ValueError for each RFC 9496 A.2 encoding."""
        with pytest.raises(ValueError, match="not a valid ristretto255"):
            group.check_element(bytes.fromhex(encoding), name="element")

    @pytest.mark.parametrize("encoding", INVALID_ENCODING_CASES)
    def test_it_refuses_to_multiply_them(self, encoding: str) -> None:
        """Scalar multiplication of an invalid encoding raises ValueError."""
        with pytest.raises(ValueError):
            group.scalar_mult(scalar(1), bytes.fromhex(encoding))

    def test_it_counts_every_published_invalid_encoding(self) -> None:
        """All 29 encodings of RFC 9496 A.2 are here."""
        assert len(INVALID_ENCODING_CASES) == 29

    @pytest.mark.parametrize("length", [0, 31, 33, 64])
    def test_it_refuses_encodings_of_the_wrong_length(
        self, length: int
    ) -> None:
        """An element must be 32 bytes, and the message says so."""
        assert not group.is_valid_encoding(bytes(length))
        with pytest.raises(ValueError, match="must be 32 bytes"):
            group.check_element(bytes(length), name="element")


class ElementDerivationTests:
    @pytest.mark.parametrize(("uniform", "expected"), UNIFORM_BYTES_TO_ELEMENT)
    def test_it_derives_the_published_elements(
        self, uniform: str, expected: str
    ) -> None:
        """64 uniform bytes map to the element RFC 9496 A.3 lists."""
        element = pysodium.crypto_core_ristretto255_from_hash(
            bytes.fromhex(uniform)
        )

        assert element.hex() == expected
        assert group.from_uniform_bytes(bytes.fromhex(uniform)) == element

    @pytest.mark.parametrize("uniform", SAME_ELEMENT_INPUTS)
    def test_it_maps_equivalent_inputs_to_one_element(
        self, uniform: str
    ) -> None:
        """The four RFC 9496 A.3 inputs all derive the same element."""
        element = pysodium.crypto_core_ristretto255_from_hash(
            bytes.fromhex(uniform)
        )

        assert element.hex() == SAME_ELEMENT_OUTPUT

    def test_it_refuses_uniform_bytes_of_the_wrong_length(self) -> None:
        """The derivation takes exactly 64 bytes."""
        with pytest.raises(ValueError, match="must be 64 bytes"):
            group.from_uniform_bytes(bytes(32))


class ScalarTests:
    def test_it_accepts_scalars_below_the_order(self) -> None:
        """0 (when allowed), 1 and order - 1 are canonical scalars."""
        assert group.check_scalar(scalar(0), allow_zero=True) == scalar(0)
        assert group.check_scalar(scalar(1)) == scalar(1)
        assert group.check_scalar(scalar(ORDER - 1)) == scalar(ORDER - 1)

    @pytest.mark.parametrize(
        "value", [ORDER, ORDER + 1, 2**255 - 1, 2**256 - 1]
    )
    def test_it_refuses_scalars_at_or_above_the_order(
        self, value: int
    ) -> None:
        """A scalar encoding must be reduced below the order."""
        with pytest.raises(ValueError, match="not a canonical"):
            group.check_scalar(scalar(value), name="sk")

    def test_it_refuses_zero_unless_allowed(self) -> None:
        """A zero private key or blind is refused by name."""
        with pytest.raises(ValueError, match="blind is zero"):
            group.check_scalar(scalar(0), name="blind")

    def test_it_inverts_scalars(self) -> None:
        """x * x^-1 is 1, and zero has no inverse."""
        x = group.scalar_random()

        assert group.scalar_mul(x, group.scalar_invert(x)) == scalar(1)
        with pytest.raises(ValueError, match="no inverse"):
            group.scalar_invert(scalar(0))

    def test_it_reduces_wide_scalars_modulo_the_order(self) -> None:
        """A 64-byte integer reduces modulo the group order."""
        wide = (ORDER * 5 + 7).to_bytes(64, "little")

        assert group.scalar_reduce(wide) == scalar(7)
