"""Normalization of a person's identifiers for the matching escrow.

The table holds spellings that survivors really write: copied from mail
programs, phone contact cards, browser address bars and share menus, typed
on phone keyboards, with and without country codes and accents. Phone
numbers are libphonenumber's example numbers and Ofcom's drama ranges, so
no real person's number is written here.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faced.matching.normalize import (
    IdentifierKind,
    NotAnIdentifier,
    describe,
    normalize,
)

EMAIL = IdentifierKind.EMAIL
PHONE = IdentifierKind.PHONE
PROFILE = IdentifierKind.PROFILE
NAME = IdentifierKind.NAME


def canonical(kind: IdentifierKind, value: str, context: str = "") -> str:
    """normalize() with CONTEXT as the region of a phone number or the
    organization of a name (the table's third column)."""
    if kind is PHONE:
        return normalize(kind, value, region=context or "GB")
    if kind is NAME:
        return normalize(kind, value, organization=context)
    return normalize(kind, value)


# (kind, what the survivor wrote, region or organization, canonical string)
Row = tuple[IdentifierKind, str, str, str]

EMAIL_ROWS: list[Row] = [
    (EMAIL, "jane.doe@example.org", "", "email:jane.doe@example.org"),
    (EMAIL, "  Jane.Doe@Example.ORG ", "", "email:jane.doe@example.org"),
    (EMAIL, "<jane.doe@example.org>", "", "email:jane.doe@example.org"),
    (
        EMAIL,
        '"Jane Doe" <Jane.Doe@example.org>',
        "",
        "email:jane.doe@example.org",
    ),
    (EMAIL, "mailto:jane.doe@example.org", "", "email:jane.doe@example.org"),
    (
        EMAIL,
        "MAILTO:Jane.Doe@example.org?subject=Hello",
        "",
        "email:jane.doe@example.org",
    ),
    (EMAIL, "jane.doe@example.org.", "", "email:jane.doe@example.org"),
    (EMAIL, "jane.doe\u200b@example.org", "", "email:jane.doe@example.org"),
    (
        EMAIL,
        "\uff4a\uff41\uff4e\uff45\uff20example.org",
        "",
        "email:jane@example.org",
    ),
    (EMAIL, "jane+board@example.org", "", "email:jane+board@example.org"),
    (EMAIL, "jane-board@example.org", "", "email:jane-board@example.org"),
    (EMAIL, "Jane.Doe@gmail.com", "", "email:janedoe@gmail.com"),
    (EMAIL, "j.a.n.e.d.o.e@gmail.com", "", "email:janedoe@gmail.com"),
    (EMAIL, "janedoe+shopping@gmail.com", "", "email:janedoe@gmail.com"),
    (EMAIL, "Jane.Doe+news@googlemail.com", "", "email:janedoe@gmail.com"),
    (EMAIL, "jane.doe+news@outlook.com", "", "email:jane.doe@outlook.com"),
    (EMAIL, "Jane.Doe+x@Hotmail.co.uk", "", "email:jane.doe@hotmail.co.uk"),
    (EMAIL, "jane.doe+x@live.com", "", "email:jane.doe@live.com"),
    (EMAIL, "jane.doe@yahoo.com", "", "email:jane.doe@yahoo.com"),
    (EMAIL, "jdoe-shopping@yahoo.com", "", "email:jdoe-@yahoo.com"),
    (EMAIL, "jdoe-bank@yahoo.co.uk", "", "email:jdoe-@yahoo.co.uk"),
    (EMAIL, "jane.doe@me.com", "", "email:jane.doe@icloud.com"),
    (EMAIL, "Jane.Doe@mac.com", "", "email:jane.doe@icloud.com"),
    (EMAIL, "jane.doe+x@icloud.com", "", "email:jane.doe@icloud.com"),
    (EMAIL, "jane@bücher.example", "", "email:jane@xn--bcher-kva.example"),
    (
        EMAIL,
        "jane@XN--BCHER-KVA.example",
        "",
        "email:jane@xn--bcher-kva.example",
    ),
    (EMAIL, "JOSÉ@Example.org", "", "email:josé@example.org"),
]

PHONE_ROWS: list[Row] = [
    (PHONE, "07400 123456", "GB", "phone:+447400123456"),
    (PHONE, "07400123456", "GB", "phone:+447400123456"),
    (PHONE, "+44 7400 123456", "GB", "phone:+447400123456"),
    (PHONE, "+44 (0)7400 123456", "GB", "phone:+447400123456"),
    (PHONE, "+44-7400-123-456", "FR", "phone:+447400123456"),
    (PHONE, "0044 7400 123456", "GB", "phone:+447400123456"),
    (PHONE, "0044 7400 123456", "US", "phone:+447400123456"),
    (PHONE, "011 44 7400 123456", "US", "phone:+447400123456"),
    (PHONE, "tel:+44-7400-123456", "GB", "phone:+447400123456"),
    (PHONE, "Mobile: 07400 123 456", "GB", "phone:+447400123456"),
    (
        PHONE,
        "\uff10\uff17\uff14\uff10\uff10 123456",
        "GB",
        "phone:+447400123456",
    ),
    (PHONE, "+447400123456", "", "phone:+447400123456"),
    (PHONE, "(020) 7946 0018", "GB", "phone:+442079460018"),
    (PHONE, "020 7946 0018 ext. 12", "GB", "phone:+442079460018;ext=12"),
    (PHONE, "06 12 34 56 78", "FR", "phone:+33612345678"),
    (PHONE, "+33 6 12 34 56 78", "GB", "phone:+33612345678"),
    (PHONE, "06.12.34.56.78", "FR", "phone:+33612345678"),
    (PHONE, "01512 3456789", "DE", "phone:+4915123456789"),
    (PHONE, "(201) 555-0123", "US", "phone:+12015550123"),
    (PHONE, "+1 201.555.0123", "GB", "phone:+12015550123"),
    (PHONE, "1-201-555-0123", "US", "phone:+12015550123"),
    (PHONE, "0412 345 678", "AU", "phone:+61412345678"),
    (PHONE, "090-1234-5678", "JP", "phone:+819012345678"),
    (PHONE, "(11) 96123-4567", "BR", "phone:+5511961234567"),
    (PHONE, "0802 123 4567", "NG", "phone:+2348021234567"),
]

PROFILE_ROWS: list[Row] = [
    (
        PROFILE,
        "https://www.instagram.com/janedoe/",
        "",
        "profile:instagram:janedoe",
    ),
    (
        PROFILE,
        "instagram.com/JaneDoe?igsh=MWx0d2Zz",
        "",
        "profile:instagram:janedoe",
    ),
    (
        PROFILE,
        "http://m.instagram.com/janedoe#",
        "",
        "profile:instagram:janedoe",
    ),
    (
        PROFILE,
        "instagram.com/stories/janedoe/3141592653/",
        "",
        "profile:instagram:janedoe",
    ),
    (PROFILE, "instagram: @janedoe", "", "profile:instagram:janedoe"),
    (PROFILE, "IG janedoe", "", "profile:instagram:janedoe"),
    (PROFILE, "instagram.com/jane.doe_", "", "profile:instagram:jane.doe_"),
    (PROFILE, "https://twitter.com/JaneDoe", "", "profile:x:janedoe"),
    (
        PROFILE,
        "https://mobile.twitter.com/JaneDoe/status/1234",
        "",
        "profile:x:janedoe",
    ),
    (PROFILE, "x.com/janedoe?s=21&t=abc", "", "profile:x:janedoe"),
    (PROFILE, "twitter: @JaneDoe", "", "profile:x:janedoe"),
    (PROFILE, "x.com/i/user/783214", "", "profile:x:id:783214"),
    (
        PROFILE,
        "https://www.facebook.com/jane.doe.5",
        "",
        "profile:facebook:janedoe5",
    ),
    (PROFILE, "m.facebook.com/JaneDoe5/", "", "profile:facebook:janedoe5"),
    (PROFILE, "fb.com/jane.doe.5", "", "profile:facebook:janedoe5"),
    (
        PROFILE,
        "facebook.com/profile.php?id=100012345678&sk=about",
        "",
        "profile:facebook:id:100012345678",
    ),
    (
        PROFILE,
        "facebook.com/people/Jane-Doe/100012345678/",
        "",
        "profile:facebook:id:100012345678",
    ),
    (
        PROFILE,
        "facebook: 100012345678",
        "",
        "profile:facebook:id:100012345678",
    ),
    (
        PROFILE,
        "https://www.tiktok.com/@Jane.Doe?lang=en",
        "",
        "profile:tiktok:jane.doe",
    ),
    (PROFILE, "tiktok: @jane.doe", "", "profile:tiktok:jane.doe"),
    (
        PROFILE,
        "https://www.linkedin.com/in/jane-doe-4b1a2c/",
        "",
        "profile:linkedin:jane-doe-4b1a2c",
    ),
    (
        PROFILE,
        "uk.linkedin.com/in/Jane-Doe-4b1a2c",
        "",
        "profile:linkedin:jane-doe-4b1a2c",
    ),
    (
        PROFILE,
        "linkedin.com/in/jos%C3%A9-garc%C3%ADa",
        "",
        "profile:linkedin:josé-garcía",
    ),
    (
        PROFILE,
        "https://www.youtube.com/@JaneDoe",
        "",
        "profile:youtube:janedoe",
    ),
    (PROFILE, "m.youtube.com/@janedoe/videos", "", "profile:youtube:janedoe"),
    (PROFILE, "youtube: @JaneDoe", "", "profile:youtube:janedoe"),
    (
        PROFILE,
        "youtube.com/c/JaneDoeVlogs",
        "",
        "profile:youtube:c:janedoevlogs",
    ),
    (
        PROFILE,
        "youtube.com/JaneDoeVlogs",
        "",
        "profile:youtube:c:janedoevlogs",
    ),
    (
        PROFILE,
        "youtube.com/user/JaneDoe1987",
        "",
        "profile:youtube:user:janedoe1987",
    ),
    (
        PROFILE,
        "youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw",
        "",
        "profile:youtube:channel:UCuAXFkgsw1L7xaCfnd5JJOw",
    ),
    (
        PROFILE,
        "https://www.threads.net/@janedoe",
        "",
        "profile:threads:janedoe",
    ),
    (PROFILE, "threads.com/@JaneDoe", "", "profile:threads:janedoe"),
    (PROFILE, "@janedoe@threads.net", "", "profile:threads:janedoe"),
    (
        PROFILE,
        "https://bsky.app/profile/jane.bsky.social",
        "",
        "profile:bluesky:jane.bsky.social",
    ),
    (PROFILE, "@Jane.bsky.social", "", "profile:bluesky:jane.bsky.social"),
    (PROFILE, "bluesky: jane", "", "profile:bluesky:jane.bsky.social"),
    (
        PROFILE,
        "bsky.app/profile/Jane.Example.org",
        "",
        "profile:bluesky:jane.example.org",
    ),
    (
        PROFILE,
        "bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur",
        "",
        "profile:bluesky:did:plc:z72i7hdynmk6r22z27h6tvur",
    ),
    (
        PROFILE,
        "@Jane@Mastodon.Social",
        "",
        "profile:mastodon:jane@mastodon.social",
    ),
    (
        PROFILE,
        "jane@mastodon.social",
        "",
        "profile:mastodon:jane@mastodon.social",
    ),
    (
        PROFILE,
        "https://mastodon.social/@Jane",
        "",
        "profile:mastodon:jane@mastodon.social",
    ),
    (
        PROFILE,
        "mastodon.social/@jane/112233445566",
        "",
        "profile:mastodon:jane@mastodon.social",
    ),
    (
        PROFILE,
        "https://mastodon.social/users/jane",
        "",
        "profile:mastodon:jane@mastodon.social",
    ),
    (
        PROFILE,
        "https://mastodon.online/@jane@mastodon.social",
        "",
        "profile:mastodon:jane@mastodon.social",
    ),
    (
        PROFILE,
        "mastodon: @jane@mastodon.social",
        "",
        "profile:mastodon:jane@mastodon.social",
    ),
    (
        PROFILE,
        "@jane@bücher.social",
        "",
        "profile:mastodon:jane@xn--bcher-kva.social",
    ),
]

NAME_ROWS: list[Row] = [
    (NAME, "Jane Doe", "Acme", "name:acme:jane doe"),
    (NAME, "  JANE   DOE ", "ACME", "name:acme:jane doe"),
    (NAME, "Doe, Jane", "Acme", "name:acme:jane doe"),
    (
        NAME,
        "José García",
        "Universidad de Sevilla",
        "name:universidad de sevilla:jose garcia",
    ),
    (
        NAME,
        "Jose Garcia",
        "universidad  de sevilla",
        "name:universidad de sevilla:jose garcia",
    ),
    (
        NAME,
        "García, José",
        "Universidad de Sevilla",
        "name:universidad de sevilla:jose garcia",
    ),
    (NAME, "Jean-Luc Picard", "Starfleet", "name:starfleet:jean luc picard"),
    (NAME, "J.L. Picard", "Starfleet", "name:starfleet:j l picard"),
    (
        NAME,
        "Seán O'Brien",
        "Trinity College",
        "name:trinity college:sean obrien",
    ),
    (
        NAME,
        "Sean O\u2019Brien",
        "Trinity College",
        "name:trinity college:sean obrien",
    ),
    (
        NAME,
        "Łukasz Żółć",
        "Uniwersytet Warszawski",
        "name:uniwersytet warszawski:lukasz zolc",
    ),
    (
        NAME,
        "Søren Kierkegaard",
        "Københavns Universitet",
        "name:kobenhavns universitet:soren kierkegaard",
    ),
    (
        NAME,
        "Jürgen Straße",
        "Bäckerei GmbH",
        "name:backerei gmbh:jurgen strasse",
    ),
    (
        NAME,
        "Fatma Y\u0131ld\u0131z",
        "İstanbul Üniversitesi",
        "name:istanbul universitesi:fatma yildiz",
    ),
    (
        NAME,
        "Αλέξανδρος Παπαδόπουλος",
        "ΕΚΠΑ",
        "name:εκπα:αλεξανδροσ παπαδοπουλοσ",
    ),
    (NAME, "Ёлкин Пётр", "МГУ", "name:мгу:елкин петр"),
    (
        NAME,
        "Martin Luther King, Jr.",
        "SCLC",
        "name:sclc:martin luther king jr",
    ),
    (
        NAME,
        "King, Martin Luther, Jr.",
        "SCLC",
        "name:sclc:martin luther king jr",
    ),
    (NAME, "山田 太郎", "トヨタ", "name:トヨタ:山田太郎"),
    (
        NAME,
        "\uff94\uff8f\uff80\uff9e \uff80\uff9b\uff73",
        "ﾄﾖﾀ",
        "name:トヨタ:ヤマダタロウ",
    ),
    (NAME, "김 민준", "서울대학교", "name:서울대학교:김민준"),
    (
        NAME,
        "राहुल कुमार",
        "दिल्ली विश्वविद्यालय",
        "name:दिल्ली विश्वविद्यालय:राहुल कुमार",
    ),
    (NAME, "Dr Jane Doe", "Acme, Inc.", "name:acme inc:dr jane doe"),
]

TABLE: list[Row] = EMAIL_ROWS + PHONE_ROWS + PROFILE_ROWS + NAME_ROWS


def row_id(row: Row) -> str:
    kind, value, context, _ = row
    return f"{kind}:{value}" + (f"|{context}" if context else "")


class NormalizeTests:
    def test_it_holds_enough_real_world_variants(self) -> None:
        """The table has at least 60 rows, and rows of every kind."""
        assert len(TABLE) >= 60
        assert {row[0] for row in TABLE} == set(IdentifierKind)

    @pytest.mark.parametrize("row", TABLE, ids=row_id)
    def test_it_gives_the_canonical_string(self, row: Row) -> None:
        """Each spelling in the table gives its canonical string."""
        kind, value, context, expected = row
        assert canonical(kind, value, context) == expected

    @pytest.mark.parametrize("row", TABLE, ids=row_id)
    def test_it_accepts_the_kind_as_a_string(self, row: Row) -> None:
        """The kind may be given by its value, as a form posts it."""
        kind, value, context, expected = row
        if kind is PHONE:
            result = normalize(str(kind), value, region=context or "GB")
        else:
            result = normalize(str(kind), value, organization=context)
        assert result == expected

    def test_it_refuses_an_unknown_kind(self) -> None:
        """An unknown kind is a programming error, not a survivor's."""
        with pytest.raises(ValueError) as caught:
            normalize("passport", "123456789")
        assert not isinstance(caught.value, NotAnIdentifier)

    def test_it_refuses_an_unknown_region(self) -> None:
        """An unknown default region is a programming error too."""
        with pytest.raises(ValueError) as caught:
            normalize(PHONE, "07400 123456", region="XX")
        assert not isinstance(caught.value, NotAnIdentifier)

    def test_it_accepts_a_lowercase_region(self) -> None:
        """The region is an ISO code in either case."""
        assert normalize(PHONE, "06 12 34 56 78", region="fr") == (
            "phone:+33612345678"
        )

    def test_it_ignores_the_organization_for_other_kinds(self) -> None:
        """Only a name is namespaced by its organization."""
        assert normalize(EMAIL, "jane@example.org", organization="Acme") == (
            "email:jane@example.org"
        )


# Spellings that must all give one canonical string: one person, written
# the ways different survivors write them.
SAME_PERSON: list[tuple[IdentifierKind, str, list[str]]] = [
    (
        EMAIL,
        "",
        [
            "Jane.Doe@gmail.com",
            "janedoe@gmail.com",
            "JANEDOE@GMAIL.COM",
            "jane.doe+work@googlemail.com",
            "mailto:j.ane.doe@gmail.com",
            "Jane Doe <jane.doe@gmail.com>",
        ],
    ),
    (EMAIL, "", ["jane@icloud.com", "Jane@me.com", "jane+x@mac.com"]),
    (
        EMAIL,
        "",
        [
            "jane@bücher.example",
            "JANE@BÜCHER.EXAMPLE",
            "jane@xn--bcher-kva.example",
        ],
    ),
    (
        PHONE,
        "GB",
        [
            "07400 123456",
            "07400-123-456",
            "(07400) 123456",
            "+44 7400 123456",
            "+44 (0) 7400 123456",
            "0044 7400 123456",
            "+447400123456",
            "tel:+447400123456",
        ],
    ),
    (
        PROFILE,
        "",
        [
            "https://www.instagram.com/janedoe/",
            "instagram.com/JaneDoe",
            "www.instagram.com/janedoe?utm_source=qr",
            "instagram: @janedoe",
            "Instagram:JaneDoe",
            "instagram @janedoe",
        ],
    ),
    (
        PROFILE,
        "",
        [
            "https://twitter.com/JaneDoe",
            "https://x.com/janedoe",
            "mobile.twitter.com/janedoe/",
            "x: @janedoe",
            "twitter: janedoe",
        ],
    ),
    (
        PROFILE,
        "",
        [
            "@jane@mastodon.social",
            "jane@Mastodon.Social",
            "https://mastodon.social/@jane",
            "https://mastodon.social/web/@jane",
            "mastodon.social/users/Jane",
            "mastodon: @jane@mastodon.social",
        ],
    ),
    (
        NAME,
        "Acme",
        ["Jane Doe", "jane doe", "Doe, Jane", "JANE  DOE", "Jane\u00a0Doe"],
    ),
    (
        NAME,
        "Université de Genève",
        [
            "Zoë Müller-Lüdenscheidt",
            "Zoe Muller Ludenscheidt",
            "zoë müller lüdenscheidt",
        ],
    ),
]

# Pairs that must stay apart: different people, or identifiers no rule
# may join.
DIFFERENT_PEOPLE: list[tuple[IdentifierKind, str, str, str]] = [
    (EMAIL, "", "jane.doe@example.org", "janedoe@example.org"),
    (EMAIL, "", "jane+board@example.org", "jane@example.org"),
    (EMAIL, "", "jane.doe@outlook.com", "janedoe@outlook.com"),
    (EMAIL, "", "jane@hotmail.com", "jane@outlook.com"),
    (EMAIL, "", "jane@yahoo.com", "jane-news@yahoo.com"),
    (EMAIL, "", "jane@yahoo.com", "jane@yahoo.co.uk"),
    (EMAIL, "", "jane@gmail.com", "jane@example.org"),
    (EMAIL, "", "strasse@example.de", "straße@example.de"),
    (PHONE, "GB", "07400 123456", "07400 123457"),
    (PHONE, "GB", "020 7946 0018 ext. 1", "020 7946 0018 ext. 2"),
    (PHONE, "GB", "020 7946 0018", "020 7946 0018 ext. 2"),
    (PROFILE, "", "instagram.com/jane.doe", "instagram.com/janedoe"),
    (PROFILE, "", "instagram: janedoe", "x: janedoe"),
    (PROFILE, "", "threads.net/@janedoe", "instagram.com/janedoe"),
    (PROFILE, "", "@jane@mastodon.social", "@jane@mastodon.online"),
    (PROFILE, "", "youtube.com/@janedoe", "youtube.com/user/janedoe"),
    (
        PROFILE,
        "",
        "youtube.com/channel/UCabcdef",
        "youtube.com/channel/UCABCDEF",
    ),
    (PROFILE, "", "facebook.com/janedoe5", "facebook.com/profile.php?id=5"),
    (PROFILE, "", "linkedin.com/in/jane-doe", "linkedin.com/in/janedoe"),
    (NAME, "Acme", "Jane Doe", "Doe Jane"),
    (NAME, "Acme", "Jane Doe", "Jane Doe, PhD"),
    (NAME, "Acme", "Anna Kowalska", "Ana Kowalska"),
    (NAME, "Acme", "राहुल कुमार", "राहुल कमार"),
    (NAME, "Acme", "Юлия", "Yulia"),
]


class SamePersonTests:
    @pytest.mark.parametrize(
        ("kind", "context", "spellings"),
        SAME_PERSON,
        ids=[spellings[0] for _, _, spellings in SAME_PERSON],
    )
    def test_it_gives_every_spelling_one_string(
        self, kind: IdentifierKind, context: str, spellings: list[str]
    ) -> None:
        """All spellings of one person give the same canonical string."""
        results = {
            canonical(kind, spelling, context) for spelling in spellings
        }
        assert len(results) == 1, results

    def test_it_keeps_the_two_numbers_of_one_spelling_apart(self) -> None:
        """The same digits in two countries are two numbers."""
        assert normalize(PHONE, "06 12 34 56 78", region="FR") != normalize(
            PHONE, "06 12 34 56 78", region="NL"
        )

    def test_it_keeps_one_name_at_two_organizations_apart(self) -> None:
        """A name matches only within its organization."""
        assert normalize(NAME, "Jane Doe", organization="Acme") != normalize(
            NAME, "Jane Doe", organization="Acme Holdings"
        )

    @pytest.mark.parametrize(
        ("kind", "context", "first", "second"),
        DIFFERENT_PEOPLE,
        ids=[f"{first}|{second}" for _, _, first, second in DIFFERENT_PEOPLE],
    )
    def test_it_keeps_different_people_apart(
        self, kind: IdentifierKind, context: str, first: str, second: str
    ) -> None:
        """Two different people never share a canonical string."""
        assert canonical(kind, first, context) != canonical(
            kind, second, context
        )

    def test_it_keeps_the_kinds_apart(self) -> None:
        """An e-mail address and a profile of the same text never collide."""
        assert normalize(EMAIL, "jane@example.social") != normalize(
            PROFILE, "jane@example.social"
        )


EMAIL_REFUSAL = (
    "This does not look like an e-mail address. "
    "It should look like name@example.org."
)
PHONE_REFUSAL = (
    "This does not look like a phone number. "
    "Include the country code, or choose the country."
)
WHICH_SITE = (
    "Which site is this on? Write the site before the name, like "
    '"instagram: @name", or paste the address of the profile page.'
)
NOT_A_PROFILE = (
    "This link is not a profile page. Open the person's profile and copy "
    "the address from there."
)
SHORT_LINK = (
    "This is a short link. Open it, then copy the address of the profile "
    "page it leads to."
)
NEEDS_ORGANIZATION = (
    "Add the organization the person belongs to. A name alone matches too "
    "many people."
)

# (kind, what the survivor wrote, region or organization, code, message)
REFUSALS: list[tuple[IdentifierKind, str, str, str, str]] = [
    (EMAIL, "", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, "jane.doe", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, "jane doe@example.org", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, "jane@example", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, "jane@localhost", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, "jane@[192.0.2.1]", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, "jane@192.0.2.1", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, "jane..doe@example.org", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, ".jane@example.org", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, "jane@-example.org", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, "jane@xn--zz.example", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, "+news@gmail.com", "", "email_invalid", EMAIL_REFUSAL),
    (EMAIL, "@example.net", "", "email_invalid", EMAIL_REFUSAL),
    (PHONE, "", "GB", "phone_invalid", PHONE_REFUSAL),
    (PHONE, "12", "GB", "phone_invalid", PHONE_REFUSAL),
    (PHONE, "07700 900123", "GB", "phone_invalid", PHONE_REFUSAL),
    (PHONE, "0612345678", "", "phone_invalid", PHONE_REFUSAL),
    (PHONE, "jane@example.org", "GB", "phone_invalid", PHONE_REFUSAL),
    (PHONE, "not a number", "GB", "phone_invalid", PHONE_REFUSAL),
    (PHONE, "+999 1234 5678", "GB", "phone_invalid", PHONE_REFUSAL),
    (PROFILE, "@janedoe", "", "profile_which_site", WHICH_SITE),
    (PROFILE, "janedoe", "", "profile_which_site", WHICH_SITE),
    (PROFILE, "@jane.doe", "", "profile_which_site", WHICH_SITE),
    (
        PROFILE,
        "instagram.com/p/C7xYzAbCdEf/",
        "",
        "profile_not_profile",
        NOT_A_PROFILE,
    ),
    (PROFILE, "instagram.com", "", "profile_not_profile", NOT_A_PROFILE),
    (
        PROFILE,
        "facebook.com/groups/123456",
        "",
        "profile_not_profile",
        NOT_A_PROFILE,
    ),
    (
        PROFILE,
        "youtube.com/watch?v=dQw4w9WgXcQ",
        "",
        "profile_not_profile",
        NOT_A_PROFILE,
    ),
    (
        PROFILE,
        "linkedin.com/company/acme",
        "",
        "profile_not_profile",
        NOT_A_PROFILE,
    ),
    (PROFILE, "x.com/search?q=jane", "", "profile_not_profile", NOT_A_PROFILE),
    (
        PROFILE,
        "https://vm.tiktok.com/ZMabc123/",
        "",
        "profile_short_link",
        SHORT_LINK,
    ),
    (PROFILE, "https://t.co/abc123", "", "profile_short_link", SHORT_LINK),
    (PROFILE, "youtu.be/dQw4w9WgXcQ", "", "profile_short_link", SHORT_LINK),
    (
        PROFILE,
        "https://example.org/about",
        "",
        "profile_unknown_site",
        "This site cannot be matched yet. Use a profile on Instagram, "
        "X (Twitter), Facebook, TikTok, LinkedIn, YouTube, Threads, Bluesky "
        "or Mastodon, or another way to name the person.",
    ),
    (
        PROFILE,
        "instagram: jane doe",
        "",
        "profile_handle_invalid",
        "This does not look like a username on Instagram.",
    ),
    (
        PROFILE,
        "x: https://www.instagram.com/janedoe",
        "",
        "profile_site_mismatch",
        "This address is for Instagram, not X (Twitter). "
        "Check which site the profile is on.",
    ),
    (
        PROFILE,
        "mastodon: jane",
        "",
        "profile_needs_server",
        "Add the server of this Mastodon account, like @name@mastodon.social.",
    ),
    (
        PROFILE,
        "jane.doe@gmail.com",
        "",
        "profile_is_email",
        "This looks like an e-mail address. Choose e-mail address instead "
        "of profile.",
    ),
    (NAME, "Jane Doe", "", "name_needs_organization", NEEDS_ORGANIZATION),
    (NAME, "Jane Doe", " - ", "name_needs_organization", NEEDS_ORGANIZATION),
    (
        NAME,
        "...",
        "Acme",
        "name_invalid",
        "This does not look like a name. Write the person's name as it is "
        "usually written.",
    ),
    (
        NAME,
        "Doe, Jane, Mary",
        "Acme",
        "name_commas",
        'Write the name without commas, or as "Family name, Given names".',
    ),
]


class RefusalTests:
    @pytest.mark.parametrize(
        ("kind", "value", "context", "code", "message"),
        REFUSALS,
        ids=[f"{kind}:{value}" for kind, value, *_ in REFUSALS],
    )
    def test_it_refuses_with_a_plain_message(
        self,
        kind: IdentifierKind,
        value: str,
        context: str,
        code: str,
        message: str,
    ) -> None:
        """What is not an identifier is refused with words for the survivor."""
        with pytest.raises(NotAnIdentifier) as caught:
            canonical(kind, value, context)
        assert caught.value.code == code
        assert str(caught.value) == message
        assert caught.value.message == message

    @pytest.mark.parametrize(
        "value",
        [value for _, value, *_ in REFUSALS if len(value) > 3],
    )
    def test_it_never_repeats_the_entry(self, value: str) -> None:
        """A refusal does not carry what was typed, so it is safe to log."""
        for kind in IdentifierKind:
            try:
                normalize(kind, value, organization="Acme")
            except NotAnIdentifier as refusal:
                assert value not in str(refusal)

    def test_it_refuses_what_is_too_long(self) -> None:
        """An entry longer than any identifier is refused before any work."""
        with pytest.raises(NotAnIdentifier) as caught:
            normalize(EMAIL, "a" * 5000 + "@example.org")
        assert caught.value.code == "too_long"
        assert str(caught.value) == (
            "This is too long to be one identifier. Enter one at a time."
        )

    def test_it_is_a_value_error(self) -> None:
        """Callers that catch ValueError also catch a refusal."""
        assert issubclass(NotAnIdentifier, ValueError)

    @settings(max_examples=300, deadline=None)
    @given(
        kind=st.sampled_from(list(IdentifierKind)),
        value=st.text(max_size=80),
        organization=st.text(max_size=20),
    )
    def test_it_only_ever_refuses_with_not_an_identifier(
        self, kind: IdentifierKind, value: str, organization: str
    ) -> None:
        """Any text gives a canonical string of its kind or a refusal."""
        try:
            result = normalize(kind, value, organization=organization)
        except NotAnIdentifier:
            return
        assert result.startswith(f"{kind}:")
        assert describe(result)

    @settings(max_examples=200, deadline=None)
    @given(
        value=st.text(
            alphabet=st.characters(codec="utf-8"), min_size=1, max_size=60
        ).map(lambda text: f"https://{text}")
    )
    def test_it_reads_any_address_without_crashing(self, value: str) -> None:
        """Any web address gives a profile or a refusal, never a crash."""
        try:
            result = normalize(PROFILE, value)
        except NotAnIdentifier:
            return
        assert result.startswith("profile:")


class DescribeTests:
    @pytest.mark.parametrize(
        ("canonical_string", "label"),
        [
            ("email:janedoe@gmail.com", "E-mail address janedoe@gmail.com"),
            (
                "email:jane@xn--bcher-kva.example",
                "E-mail address jane@bücher.example",
            ),
            (
                "email:jdoe-@yahoo.com",
                "E-mail address jdoe-(any word)@yahoo.com",
            ),
            ("phone:+447400123456", "Phone number +44 7400 123456"),
            (
                "phone:+442079460018;ext=12",
                "Phone number +44 20 7946 0018, extension 12",
            ),
            ("profile:instagram:janedoe", "Instagram profile @janedoe"),
            ("profile:x:janedoe", "X (Twitter) profile @janedoe"),
            ("profile:x:id:783214", "X (Twitter) profile number 783214"),
            (
                "profile:facebook:janedoe5",
                "Facebook profile facebook.com/janedoe5",
            ),
            (
                "profile:facebook:id:100012345678",
                "Facebook profile number 100012345678",
            ),
            ("profile:tiktok:jane.doe", "TikTok profile @jane.doe"),
            (
                "profile:linkedin:jane-doe",
                "LinkedIn profile linkedin.com/in/jane-doe",
            ),
            ("profile:youtube:janedoe", "YouTube channel @janedoe"),
            (
                "profile:youtube:user:janedoe",
                "YouTube channel youtube.com/user/janedoe",
            ),
            ("profile:threads:janedoe", "Threads profile @janedoe"),
            (
                "profile:bluesky:jane.bsky.social",
                "Bluesky profile @jane.bsky.social",
            ),
            (
                "profile:mastodon:jane@xn--bcher-kva.social",
                "Mastodon profile @jane@bücher.social",
            ),
            ("name:acme:jane doe", 'Name "jane doe" at "acme"'),
        ],
    )
    def test_it_labels_a_canonical_string(
        self, canonical_string: str, label: str
    ) -> None:
        """Each canonical string has a short label for the survivor."""
        assert describe(canonical_string) == label

    @pytest.mark.parametrize("row", TABLE, ids=row_id)
    def test_it_labels_every_row_of_the_table(self, row: Row) -> None:
        """Everything normalize() gives, describe() can label."""
        kind, value, context, _ = row
        assert describe(canonical(kind, value, context))

    @pytest.mark.parametrize(
        "not_canonical",
        ["", "jane", "passport:123", "profile:myspace:jane", "name:acme"],
    )
    def test_it_refuses_what_is_not_canonical(
        self, not_canonical: str
    ) -> None:
        """describe() takes only what normalize() gives."""
        with pytest.raises(ValueError):
            describe(not_canonical)
